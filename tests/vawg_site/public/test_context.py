"""The site context and the generated-data banner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from vawg_site.common.caching import SYNTHETIC_FORCE_MARKER
from vawg_site.public.context import site

BANNER = "This site is using generated (synthetic) force data"


def test_site_context(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAWG_HOME = tmp_path
    context = site(RequestFactory().get("/"))
    assert context["service_name"] == "vawg"
    assert context["exit_url"] == "/exit"
    assert context["synthetic_force"] is False
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert site(RequestFactory().get("/"))["synthetic_force"] is True


@pytest.mark.parametrize(
    ("synthetic", "shows_force_data", "banner"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_banner_only_on_force_pages_with_generated_data(
    settings: Any, tmp_path: Path, synthetic: bool, shows_force_data: bool, banner: bool
) -> None:
    settings.VAWG_HOME = tmp_path
    if synthetic:
        (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    html = render_to_string(
        "base.html", {"shows_force_data": shows_force_data}, request=RequestFactory().get("/")
    )
    assert (BANNER in html) is banner


@pytest.mark.django_db
def test_borough_page_never_shows_the_banner(client, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAWG_HOME = tmp_path
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert BANNER not in client.get("/data/boroughs/").content.decode()
