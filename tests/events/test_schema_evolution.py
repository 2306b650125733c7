"""Schemas evolve only in ways a Schema Registry's BACKWARD rule accepts.

Every schema in events/schemas/ is compared with its version on the branch
`main` (`git show main:...`; a clean clone of main has that branch, where the
comparison is with itself). A change that would make the registry refuse the
new version, and consumers choke on events already on the topics, fails here
before it is merged.
"""

import copy
import json
import subprocess
from pathlib import Path

import pytest

from events import schema_store
from events.compatibility import backward_problems

ROOT = Path(__file__).resolve().parents[2]
BASE_REFS = ("main", "origin/main")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def base_ref() -> str:
    for ref in BASE_REFS:
        if git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0:
            return ref
    raise AssertionError(f"none of {BASE_REFS} exists in this clone: fetch main to compare schemas against it")


def schema_on(ref: str, topic_name: str) -> dict | None:
    shown = git("show", f"{ref}:events/schemas/{topic_name}.json")
    return json.loads(shown.stdout) if shown.returncode == 0 else None  # None: a topic new on this branch


@pytest.mark.parametrize("topic_name", schema_store.topic_names())
def test_schema_is_backward_compatible_with_main(topic_name):
    ref = base_ref()
    before = schema_on(ref, topic_name)
    if before is None:
        assert git("cat-file", "-e", f"{ref}:events/schemas").returncode == 0  # the directory is there, so: new
        return
    problems = backward_problems(before, schema_store.load(topic_name))
    assert problems == [], f"{topic_name} changed incompatibly with {ref}: {problems}"


def test_no_schema_on_main_was_removed():
    listed = git("ls-tree", "--name-only", f"{base_ref()}:events/schemas")
    assert listed.returncode == 0, listed.stderr
    on_main = {Path(name).stem for name in listed.stdout.split() if name.endswith(".json")}
    assert on_main <= set(schema_store.topic_names())


# The checker itself: each kind of change BACKWARD refuses, and those it allows.
VIEWS = schema_store.event_schema("hangarstack.aircraft.views")


def changed(edit) -> dict:
    schema = copy.deepcopy(VIEWS)
    edit(schema)
    return schema


def test_unchanged_schema_is_compatible():
    assert backward_problems(VIEWS, copy.deepcopy(VIEWS)) == []


def test_removed_field_is_refused():
    new = changed(lambda s: s["properties"]["data"]["properties"]["client"]["properties"].pop("user_agent"))
    assert backward_problems(VIEWS, new) == ["data/client: property 'user_agent' removed from a closed object"]


def test_narrowed_type_is_refused():
    new = changed(lambda s: s["properties"]["data"]["properties"]["aircraft"]["properties"]["id"].update(type="string"))
    assert backward_problems(VIEWS, new) == ["data/aircraft/id: type narrowed, ['integer'] no longer allowed"]


def test_new_required_field_is_refused():
    def edit(s):
        data = s["properties"]["data"]
        data["properties"]["session"] = {"type": "string"}
        data["required"].append("session")

    assert backward_problems(VIEWS, changed(edit)) == ["data: required property 'session' added"]


def test_enum_losing_a_value_and_tighter_limit_are_refused():
    def edit(s):
        s["properties"]["data"]["properties"]["via"]["enum"].remove("beacon")
        s["properties"]["data"]["properties"]["client"]["properties"]["user_agent"]["maxLength"] = 100

    assert backward_problems(VIEWS, changed(edit)) == [
        "data/via: value 'beacon' no longer allowed",
        "data/client/user_agent: maxLength tightened from 200 to 100",
    ]


def test_optional_field_added_and_widened_values_are_allowed():
    def edit(s):
        data = s["properties"]["data"]
        data["properties"]["session"] = {"type": "string", "maxLength": 40}  # optional, on a closed object
        data["properties"]["via"]["enum"].append("feed")
        data["properties"]["aircraft"]["properties"]["id"]["type"] = ["integer", "string"]
        data["properties"]["client"]["properties"]["user_agent"]["maxLength"] = 400
        s["description"] = "reworded"

    assert backward_problems(VIEWS, changed(edit)) == []


def test_unknown_keyword_change_is_not_assumed_safe():
    new = changed(lambda s: s["properties"]["data"].update(minProperties=2))
    assert backward_problems(VIEWS, new) == ["data: 'minProperties' changed (not checked, so not assumed compatible)"]
