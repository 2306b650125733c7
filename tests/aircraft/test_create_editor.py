from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
PASSWORD = "Editor-Correct-Horse-9"


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def run(*args, **env_and_options) -> str:
    out = StringIO()
    call_command("create_editor", *args, stdout=out, **env_and_options)
    return out.getvalue()


def test_creates_a_staff_editor_who_can_edit_but_not_delete(monkeypatch):
    monkeypatch.setenv("HANGARSTACK_EDITOR_PASSWORD", PASSWORD)
    output = run("ada", email="ada@example.org")
    user = get_user_model().objects.get(username="ada")
    assert "Created ada" in output
    assert user.is_staff and not user.is_superuser and user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Catalogue editors"]
    assert user.has_perm("aircraft.change_aircraft") and not user.has_perm("aircraft.delete_aircraft")


def test_running_twice_changes_nothing_and_keeps_the_password(monkeypatch):
    monkeypatch.setenv("HANGARSTACK_EDITOR_PASSWORD", PASSWORD)
    run("ada")
    monkeypatch.setenv("HANGARSTACK_EDITOR_PASSWORD", "Another-Password-42")
    assert "already a catalogue editor; nothing to do" in run("ada")
    assert get_user_model().objects.get(username="ada").check_password(PASSWORD)


def test_an_existing_user_is_made_an_editor(monkeypatch):
    get_user_model().objects.create_user(username="bob", password=PASSWORD)
    output = run("bob")
    bob = get_user_model().objects.get(username="bob")
    assert "make it staff" in output and bob.is_staff and bob.groups.filter(name="Catalogue editors").exists()


def test_dry_run_changes_nothing(monkeypatch):
    monkeypatch.delenv("HANGARSTACK_EDITOR_PASSWORD", raising=False)  # a dry run never asks for one
    assert "Would create ada" in run("ada", dry_run=True)
    get_user_model().objects.create_user(username="bob", password=PASSWORD)
    assert "Would: make it staff" in run("bob", dry_run=True)
    assert not get_user_model().objects.filter(username="ada").exists()
    assert not get_user_model().objects.get(username="bob").is_staff


def test_no_password_and_no_terminal_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("HANGARSTACK_EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", StringIO(""))
    with pytest.raises(CommandError, match="Set HANGARSTACK_EDITOR_PASSWORD"):
        run("ada")
    assert not get_user_model().objects.filter(username="ada").exists()


def test_password_from_a_named_variable_and_validated(monkeypatch):
    monkeypatch.setenv("EDITOR_PW", "short")
    with pytest.raises(CommandError, match="too short"):
        run("ada", password_env="EDITOR_PW")
    monkeypatch.setenv("EDITOR_PW", PASSWORD)
    run("ada", password_env="EDITOR_PW")
    assert get_user_model().objects.get(username="ada").check_password(PASSWORD)


def test_missing_group_says_to_migrate(monkeypatch):
    monkeypatch.setenv("HANGARSTACK_EDITOR_PASSWORD", PASSWORD)
    Group.objects.filter(name="Catalogue editors").delete()
    with pytest.raises(CommandError, match="migrate"):
        run("ada")


def test_prompts_on_a_terminal(monkeypatch):
    monkeypatch.delenv("HANGARSTACK_EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    run("ada")
    assert get_user_model().objects.get(username="ada").check_password(PASSWORD)
