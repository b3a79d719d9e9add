from __future__ import annotations

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "vawg_site.workspace"
    label = "workspace"
    verbose_name = "Staff workspace"
