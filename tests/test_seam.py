"""The seam and the layers: the catalogue works without the events app, and every
layer imports only from the layers below it, with no import circle."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import database_url
from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys, django
from django.conf import settings
django.setup()
assert "events" not in [app.split(".")[0] for app in settings.INSTALLED_APPS]
from django.test import Client
client = Client()
for url in ("/", "/aircraft/", "/aircraft/seam-bird/", "/search/?q=seam&all=1", "/search/suggest?q=sea",
            "/api/aircraft/", "/health/ready"):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
assert not any(name == "events" or name.startswith("events.") for name in sys.modules), "events was imported"
print("ok")
"""


@pytest.mark.django_db(transaction=True)
def test_catalogue_site_runs_without_the_events_app(tmp_path):
    AircraftFactory(slug="seam-bird", name="Seam")
    (tmp_path / "no_events_settings.py").write_text(
        "from hangarstack.settings.test import *  # noqa\n"
        "INSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'events']\n"
        "ALLOWED_HOSTS = ['testserver']\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "no_events_settings",
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr[-3000:]


# --- The layers, read from the source ----------------------------------------------
#
# CONVENTIONS' layers, bottom to top, each importing only from below:
#   core (shared request helpers that know no app) < aircraft (the catalogue)
#   < events < hangarstack (the project wiring).
# devstack/ and bench/ are development tooling that no product module imports.
# Every import counts, at module level or inside a function: a function-level
# import still ties the two modules together, it only hides the circle.

PRODUCT = ("core", "aircraft", "events", "hangarstack")
DEVELOPMENT = ("devstack", "bench")
MAY_NOT_IMPORT = {
    "core": {"aircraft", "events", "hangarstack", *DEVELOPMENT},
    "aircraft": {"events", "hangarstack", *DEVELOPMENT},
    "events": {"hangarstack", *DEVELOPMENT},
    "hangarstack": set(DEVELOPMENT),
}

# The one allow-list, for an import that breaks the layers on purpose: empty. (The
# page cache that once sat in the catalogue and imported the project now lives in
# hangarstack/pagecache.py; views declare what it needs through core.pages.)
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every first-party module `name` imports, wherever in the file the import is."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(package[: len(package) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module
            # `from x import y` runs x, and y too when y is a module.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            top = target.split(".")[0]
            if top in PRODUCT + DEVELOPMENT and (target in known or top in DEVELOPMENT):
                found.add(target)
    found.discard(name)
    return found


def _import_graph() -> dict[str, set[str]]:
    modules = _project_modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import each other (Tarjan), as one concrete circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle_in(graph, group) for group in groups]


def _circle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no circle through {start}")


def _graph_without_known_exceptions() -> dict[str, set[str]]:
    return {
        name: {target for target in targets if (name, target) not in KNOWN_EXCEPTIONS}
        for name, targets in _import_graph().items()
    }


def test_the_import_graph_sees_module_and_function_level_imports():
    """The checks below cannot pass by seeing nothing."""
    graph = _import_graph()
    assert len(graph) > 100
    assert "aircraft.signals" in graph["events.receivers"]  # module level
    assert "events.health" in graph["hangarstack.health"]  # inside a function
    assert "core.context" in graph["core.logs"]  # relative: `from . import context`
    assert "aircraft.digest" in graph["aircraft.migrations.0006_catalogue_v2_data"]


def test_circles_are_found_and_reported():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": {"e"}}
    assert sorted(_circles(graph)) == [["a", "b", "c", "a"], ["e", "e2", "e"]]


def test_no_import_circle_among_project_modules():
    circles = _circles(_graph_without_known_exceptions())
    assert not circles, "import circles: " + "; ".join(" -> ".join(circle) for circle in circles)


def test_each_layer_imports_only_from_below():
    problems = [
        f"{name} imports {target}"
        for name, targets in _graph_without_known_exceptions().items()
        for target in sorted(targets)
        if target.split(".")[0] in MAY_NOT_IMPORT[name.split(".")[0]]
    ]
    assert not problems, "\n".join(problems)


def test_every_known_exception_is_still_there():
    """Once the fastpath work removes one of these imports, delete its entry."""
    graph = _import_graph()
    stale = [f"{a} -> {b}" for a, b in KNOWN_EXCEPTIONS if b not in graph.get(a, set())]
    assert not stale, "not imported any more (take them out of KNOWN_EXCEPTIONS): " + ", ".join(stale)
