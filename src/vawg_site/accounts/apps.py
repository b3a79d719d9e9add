"""The accounts app: connects the signals that start a staff session's clock, end the sessions
of an account that is disabled, and keep the role groups and teams in line after a migrate."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vawg_site.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from vawg_site.accounts import signals

        signals.connect(self)
