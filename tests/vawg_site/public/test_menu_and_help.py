"""The site menu and the help lists, rendered by the public app's template tags."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from vawg.help_services import HAVENS, LONDON_SERVICES, NATIONAL_SERVICES
from vawg_site.public.templatetags.site_menu import area_search_url, menu_items


def _search_route_installed() -> bool:
    try:
        reverse("public:search")
    except NoReverseMatch:
        return False
    return True


def test_one_section_is_current_and_pages_outside_the_menu_have_none() -> None:
    def current(name: str) -> list[str]:
        return [i.label for i in menu_items(url_name=name) if i.current]

    assert current("home") == ["Home"]
    assert current("borough_data") == ["Data"]
    assert current("street_map") == ["Maps"]
    assert current("commitment") == ["Our commitments"]
    assert current("exit_this_page") == ["Help and support"]
    assert current("accessibility") == []
    assert current("") == []


def test_menu_links_resolve_and_find_your_area_goes_to_the_search() -> None:
    hrefs = {i.label: i.href for i in menu_items(url_name="")}
    assert hrefs["Data"] == reverse("public:dashboard")
    assert hrefs["Maps"] == reverse("public:ward_map")
    assert hrefs["Help and support"] == reverse("public:staying_safe_online") + "#where-to-get-help"
    expected = reverse("public:search") if _search_route_installed() else "/search/"
    assert hrefs["Find your area"] == area_search_url() == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "current"),
    [("public:home", "Home"), ("public:staying_safe_online", "Help and support")],
)
def test_every_public_page_has_the_menu_and_the_search_box(
    client: Client, route: str, current: str
) -> None:
    html = client.get(reverse(route)).content.decode()
    menu = html[html.index('id="site-menu"') : html.index("</nav>")]
    labels = re.findall(
        r'class="govuk-service-navigation__link"[^>]*>(?:<strong[^>]*>)?([^<]+)<', menu
    )
    assert labels == [
        "Home",
        "Data",
        "Find your area",
        "Maps",
        "Our commitments",
        "Help and support",
    ]
    assert menu.count('aria-current="page"') == 1
    assert (
        f'aria-current="page"><strong class="govuk-service-navigation__active-fallback">{current}'
        in menu
    )
    assert '<form class="vawg-search" action="' in menu
    assert 'name="q"' in menu
    # The menu comes after the two skip links, so Exit this page stays the second tab stop.
    assert html.index("govuk-js-exit-this-page-skiplink") < html.index('id="site-menu"')


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["public:staying_safe_online", "public:exit_this_page"])
def test_help_pages_render_the_declared_services(client: Client, route: str) -> None:
    response = client.get(reverse(route))
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for service in (*LONDON_SERVICES, *NATIONAL_SERVICES):
        assert service.site in html, service.name
        if service.phone:
            assert f'href="tel:{service.tel}"' in html, service.name
    for haven in HAVENS:
        assert f'data-help-service="{haven.name}"' in html
    assert html.count('id="where-to-get-help"') == 1
