"""``vawg manage createstaff USERNAME EMAIL [--role ROLE] [--team BCU]``: a staff account with a
random password printed once, and its role and team; the second factor is enrolled at the first
sign-in (docs/accounts.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vawg_site.accounts.roles import ROLE_CODES
from vawg_site.accounts.services import StaffError, staff_create, staff_role_set


class Command(BaseCommand):
    help = (
        "Create a staff account and print its random password once. The person signs in at "
        "/workspace/sign-in/ and sets up an authenticator app there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the name the person signs in with")
        parser.add_argument("email", help="the person's work email address")
        parser.add_argument(
            "--role", choices=ROLE_CODES, help="the account's role (docs/accounts.md, 'Roles')"
        )
        parser.add_argument(
            "--team", help="the code of the account's team, a BCU (e.g. CN for Central North)"
        )

    def handle(
        self,
        *args: Any,
        username: str,
        email: str,
        role: str | None = None,
        team: str | None = None,
        **options: Any,
    ) -> None:
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"an account named {username!r} already exists")
        if team and not role:
            raise CommandError("--team needs --role")
        try:
            with transaction.atomic():
                user, password = staff_create(username=username, email=email)
                member = staff_role_set(user=user, role=role, team=team) if role else None
        except StaffError as error:
            raise CommandError(str(error)) from None
        given = ""
        if member is not None:
            given = f" with the role {member.get_role_display()}"
            given += f" in {member.team.name}" if member.team else ""
        self.stdout.write(
            f"Created staff account {user.username}{given}.\n"
            f"Password (shown once, not stored anywhere readable): {password}\n"
            "At the first sign-in the account sets up an authenticator app and gets recovery codes."
        )
