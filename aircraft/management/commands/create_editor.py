"""Create a Catalogue editor in one step: a staff account in the "Catalogue editors" group.

Editors add and change aircraft and manufacturers and review visitors'
corrections; they cannot delete, or touch users. Without this command that
takes four screens of the admin (add user, set staff, open again, add group).

The password comes from $HANGARSTACK_EDITOR_PASSWORD (or the variable named by
--password-env), else from a prompt; never from the command line, where it
would land in shell history and the process list. Safe to run twice: an
existing account is made staff and put in the group if it is not already, and
its password is left alone.
"""

import getpass
import importlib
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

EDITORS = importlib.import_module("aircraft.migrations.0003_catalogue_editors_group").GROUP
PASSWORD_ENV = "HANGARSTACK_EDITOR_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(BaseCommand):
    help = "Create a staff user in the Catalogue editors group (or make an existing user one)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The editor's e-mail address (optional).")
        parser.add_argument(
            "--password-env",
            default=PASSWORD_ENV,
            help=f"Read the new account's password from this environment variable (default {PASSWORD_ENV}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; change nothing.")

    def handle(self, *args, username: str, email: str, password_env: str, dry_run: bool, **options):
        group = Group.objects.filter(name=EDITORS).first()
        if group is None:
            raise CommandError(f'The "{EDITORS}" group is missing; run `manage.py migrate` first.')
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            self._create(User, group, username=username, email=email, password_env=password_env, dry_run=dry_run)
            return
        changes = []
        if not user.is_active:
            changes.append("reactivate the account")
        if not user.is_staff:
            changes.append("make it staff")
        if not user.groups.filter(pk=group.pk).exists():
            changes.append(f'add it to "{EDITORS}"')
        if not changes:
            self.stdout.write(f"{username} is already a catalogue editor; nothing to do.")
            return
        verb = "Would" if dry_run else "Did"
        self.stdout.write(f"{username} exists. {verb}: {', '.join(changes)}.")
        if dry_run:
            return
        with transaction.atomic():
            user.is_active = user.is_staff = True
            user.save(update_fields=["is_active", "is_staff"])
            user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{username} is now a catalogue editor (password unchanged)."))

    def _create(self, User, group, *, username: str, email: str, password_env: str, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write(f'Would create {username}, staff, in "{EDITORS}". Nothing was changed (--dry-run).')
            return
        password = self._password(password_env)
        candidate = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
        try:
            candidate.full_clean(exclude=["password"])
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        with transaction.atomic():
            user = User.objects.create_user(
                **{User.USERNAME_FIELD: username}, email=email, password=password, is_staff=True
            )
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f'Created {username}, staff, in "{EDITORS}": they can sign in at the admin now.')
        )

    def _password(self, variable: str) -> str:
        password = os.environ.get(variable, "")
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(f"Set {variable} to the new editor's password (no terminal to ask on).")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was changed.")
        if not first:
            raise CommandError("The password cannot be empty; nothing was changed.")
        return first
