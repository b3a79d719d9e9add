"""The workspace home's navigation by role: for each role, links to the pages that exist today
and serve it, and for a team-based role its BCU's boroughs.

Only pages that exist are linked (``tests/vawg_site/workspace/test_home.py`` opens every one as a
signed-in member of the role). A role whose own workspace pages are not built yet gets its
account links and a sentence saying so, never a link to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from vawg_site.accounts import selectors
from vawg_site.accounts.roles import ROLE_CODES


@dataclass(frozen=True)
class Link:
    text: str
    url: str


_PUBLISHED = ("Published VAWG figures", "public:dashboard")
_BOROUGHS = ("Figures by borough", "public:borough_data")
_COVERAGE = ("What the data covers", "public:coverage")
_WARD_MAP = ("Ward map", "public:ward_map")
_STREET_MAP = ("Street-level map", "public:street_map")
_RETENTION = (
    ("Retention reviews due", "workspace:retention_due"),
    ("Erasures awaiting approval", "workspace:retention_erasures"),
)

_FIND = ("Find a crime or a person", "workspace:records_search")
_CRIMES = ("Crimes you may open, newest first", "workspace:crimes")

ROLE_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "analyst": (_FIND, _CRIMES, _PUBLISHED, _BOROUGHS, _WARD_MAP, _STREET_MAP, _COVERAGE),
    "public_protection": (_FIND, _CRIMES, _STREET_MAP, *_RETENTION),
    "neighbourhood_lead": (_FIND, _CRIMES, _WARD_MAP, _STREET_MAP, _BOROUGHS),
    "victim_care": (
        _FIND,
        ("How we use data", "public:how_we_use_data"),
    ),
    "professional_standards": (_FIND, _CRIMES),
    "publisher": (
        _PUBLISHED,
        _COVERAGE,
        ("How we use data", "public:how_we_use_data"),
        ("Open data API", "api:openapi-view"),
    ),
    "auditor": (
        ("Search the access log", "workspace:audit_search"),
        ("Review queue: flagged accesses", "workspace:audit_review"),
    ),
    "administrator": (
        ("Staff profiles: roles and teams", "admin:accounts_staffmember_changelist"),
        ("Staff accounts", "admin:auth_user_changelist"),
        ("Teams (BCUs)", "admin:accounts_team_changelist"),
    ),
}
"""For each role (``accounts.roles``), (link text, URL name) of the pages that serve it."""

assert set(ROLE_LINKS) == set(ROLE_CODES), "every role needs its navigation"


@dataclass(frozen=True)
class HomeNavigation:
    role_name: str
    role_description: str
    team_name: str
    team_boroughs: tuple[str, ...]
    links: tuple[Link, ...]
    area_links: tuple[Link, ...]
    """The team's boroughs, each to its area page."""


def home_navigation(*, user: Any) -> HomeNavigation | None:
    """What the home page shows ``user`` about their role, or None when they have none."""
    profile = selectors.staff_profile(user=user)
    if profile is None:
        return None
    links = tuple(Link(text, reverse(name)) for text, name in ROLE_LINKS[profile.role.code])
    team = profile.team
    areas: tuple[Link, ...] = ()
    if team is not None and profile.role.needs_team:
        areas = tuple(
            Link(name, reverse("public:my_area", kwargs={"code": code}))
            for code, name in zip(team.borough_codes, team.borough_names, strict=True)
        )
    return HomeNavigation(
        role_name=profile.role.name,
        role_description=profile.role.description,
        team_name=team.name if team else "",
        team_boroughs=team.borough_names if team else (),
        links=links,
        area_links=areas,
    )
