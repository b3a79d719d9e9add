"""The site context and the generated-data banner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from vawg_site.common.caching import SYNTHETIC_FORCE_MARKER
from vawg_site.public.context import site

BANNER = "come from generated (synthetic) force data"


def test_site_context(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAWG_HOME = tmp_path
    context = site(RequestFactory().get("/"))
    assert context["service_name"] == "vawg"
    assert context["exit_url"] == "/exit"
    assert context["synthetic_force"] is False
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert site(RequestFactory().get("/"))["synthetic_force"] is True


@pytest.mark.parametrize("synthetic", [True, False])
def test_notice_beside_force_figures_only_with_generated_data(
    settings: Any, tmp_path: Path, synthetic: bool
) -> None:
    settings.VAWG_HOME = tmp_path
    if synthetic:
        (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    request = RequestFactory().get("/")
    notice = render_to_string("public/includes/generated_data.html", request=request)
    assert (BANNER in notice) is synthetic
    if synthetic:  # it names which figures are generated, and which are real
        assert '"force records"' in notice
        assert "published tables on this page are real" in notice
    # The page frame never calls a whole page made up, whatever the page says it shows.
    page = render_to_string("base.html", {"shows_force_data": True}, request=request)
    assert BANNER not in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/data/", "/data/boroughs/", "/commitments/1/"])
def test_published_pages_never_show_the_notice(
    client: Any, settings: Any, tmp_path: Path, path: str
) -> None:
    settings.VAWG_HOME = tmp_path
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert BANNER not in client.get(path).content.decode()


@pytest.mark.django_db
def test_borough_page_never_shows_the_banner(client, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAWG_HOME = tmp_path
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert BANNER not in client.get("/data/boroughs/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "title"),
    [
        ("public:staying_safe_online", "Staying safe online"),
        ("public:exit_this_page", "How Exit this page works"),
    ],
)
def test_help_pages_have_neutral_titles(client: Any, route: str, title: str) -> None:
    """A help page's title, as a tab or the history lists it, does not name the service (whose
    name says what the site is about), and the page is never kept by the browser."""
    from django.urls import reverse

    response = client.get(reverse(route))
    assert f"<title>{title}</title>" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
