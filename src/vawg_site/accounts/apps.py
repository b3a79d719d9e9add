"""The accounts app: connects the signals that start a staff session's clock, end the sessions
of an account that is disabled, and keep the role groups and teams in line after a migrate; and
tells the access log how to find an account's role and team (``common.access``)."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vawg_site.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from vawg_site.accounts import selectors, signals
        from vawg_site.common.access import actor_describer_set

        signals.connect(self)
        actor_describer_set(selectors.staff_actor)
