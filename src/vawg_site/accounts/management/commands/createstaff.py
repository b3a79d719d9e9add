"""``vawg manage createstaff USERNAME EMAIL``: a staff account with a random password printed once;
the second factor is enrolled at the first sign-in (docs/accounts.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vawg_site.accounts.services import staff_create


class Command(BaseCommand):
    help = (
        "Create a staff account and print its random password once. The person signs in at "
        "/workspace/sign-in/ and sets up an authenticator app there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the name the person signs in with")
        parser.add_argument("email", help="the person's work email address")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"an account named {username!r} already exists")
        user, password = staff_create(username=username, email=email)
        self.stdout.write(
            f"Created staff account {user.username}.\n"
            f"Password (shown once, not stored anywhere readable): {password}\n"
            "At the first sign-in the account sets up an authenticator app and gets recovery codes."
        )
