"""``{% site_menu %}``: the menu every public page carries in its header (govuk-frontend's
service navigation), with the current section marked for the page being shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@dataclass(frozen=True)
class MenuItem:
    """One link in the menu: its text, where it goes, and whether the page shown is in it."""

    label: str
    href: str
    current: bool


# label, route, fallback path (when the route is not installed), fragment, the url names whose
# pages belong to the section.
_MENU: tuple[tuple[str, str, str, str, frozenset[str]], ...] = (
    ("Home", "public:home", "/", "", frozenset({"home"})),
    ("Data", "public:dashboard", "/data/", "", frozenset({"dashboard", "borough_data"})),
    # The search pages belong to another part of the work; until their route is installed the
    # menu links to the path they will have.
    ("Find your area", "public:search", "/search/", "", frozenset({"search", "area"})),
    ("Maps", "public:ward_map", "/data/maps/wards/", "", frozenset({"ward_map", "street_map"})),
    ("Our commitments", "public:home", "/", "#commitments", frozenset({"commitment"})),
    (
        "Help and support",
        "public:staying_safe_online",
        "/staying-safe-online/",
        "#where-to-get-help",
        frozenset({"staying_safe_online", "exit_this_page"}),
    ),
)


def _href(route: str, fallback: str) -> str:
    try:
        return reverse(route)
    except NoReverseMatch:
        return fallback


def menu_items(*, url_name: str) -> list[MenuItem]:
    """The menu for a page whose route is named ``url_name`` (``""`` for none, as on an error
    page): at most one item is current."""
    return [
        MenuItem(label=label, href=_href(route, fallback) + fragment, current=url_name in names)
        for label, route, fallback, fragment, names in _MENU
    ]


@register.inclusion_tag("public/includes/site_menu.html", takes_context=True)
def site_menu(context: template.Context) -> dict[str, Any]:
    """The menu, and the search box that goes to "find your area"."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    url_name = getattr(match, "url_name", "") or ""
    namespace = getattr(match, "namespace", "") or ""
    items = menu_items(url_name=url_name if namespace == "public" else "")
    return {"items": items, "search_url": area_search_url()}


@register.simple_tag
def area_search_url() -> str:
    """Where a "find your area" search goes (the search page, or its path until it is
    installed)."""
    return _href("public:search", "/search/")
