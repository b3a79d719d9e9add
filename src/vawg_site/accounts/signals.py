"""Signal receivers: a sign-in starts the session's clocks; disabling an account ends its
sessions, however it is disabled (the admin, a service, ``save()`` in a shell); after every
``migrate`` and ``flush`` the role groups and teams follow their declarations again."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, post_save
from django.http import HttpRequest

from vawg_site.accounts import sessions


def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_start(request.session)


def _on_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        sessions.user_sessions_end(user_id=instance.pk)


def _on_migrated(
    sender: AppConfig, using: str = "default", apps: Any = None, **kwargs: Any
) -> None:
    """Keep the roles and teams after ``migrate`` and ``flush``, on the state the migrations
    reached: a partial ``migrate`` (``migrate opendata 0001`` on a new database) leaves the
    auth, content-type or accounts tables unmade, and then there is nothing to keep yet (as
    Django's own ``create_permissions`` does)."""
    from vawg_site.accounts.reference import roles_and_teams_sync

    if using != "default":
        return
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    try:
        for label, model in (
            ("contenttypes", "ContentType"),
            ("auth", "Permission"),
            ("auth", "Group"),
            ("accounts", "Team"),
            ("accounts", "TeamBorough"),
        ):
            apps.get_model(label, model)
    except LookupError:
        return
    roles_and_teams_sync(apps=apps)


def connect(accounts: AppConfig) -> None:
    post_migrate.connect(_on_migrated, sender=accounts, dispatch_uid="vawg_accounts_reference")
    user_logged_in.connect(_on_login, dispatch_uid="vawg_accounts_login")
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="vawg_accounts_user")
