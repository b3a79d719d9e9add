"""The URL walk (after 18F's tock ``test_url_auth``): every URL in the URL map outside an explicit
public allow-list needs a sign-in with a verified second factor. A session that has given only
its password reaches nothing but the sign-in steps; every workspace page is sent ``no-store``.

URLs are built from each pattern with sample values for its parameters, and checked to resolve
back to the same pattern; a pattern no sample fits fails the walk rather than being skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg_site.accounts.roles import role_get
from vawg_site.accounts.selectors import team_list
from vawg_site.accounts.services import staff_role_set
from vawg_site.records.models import Crime, Involvement, Person, RetentionReview
from vawg_site.workspace.urls import SIGN_IN_STEPS

PUBLIC_URLCONFS = frozenset({"vawg_site.public.urls", "vawg_site.api.urls"})
"""The public site (its pages, the exit, the health of its data) and the open-data API: open to
anyone, by design. Static files are served by WhiteNoise before the URL map."""
SIGN_IN_PATTERNS = frozenset(
    {*(f"workspace:{name}" for name in SIGN_IN_STEPS), "admin_sign_in", "admin:logout"}
)
"""Open before a second factor: the sign-in steps themselves (sign-out among them), the admin's
login address, which sends the person to them, and the admin's sign-out."""
SAMPLES = ["1", "x", "auth", "E09000007", "2024-01-01"]


ROLE_PAGES = {
    "workspace:audit_search": "auditor",
    "workspace:audit_object": "auditor",
    "workspace:records_search": "public_protection",
    "workspace:crimes": "public_protection",
    "workspace:person": "public_protection",
    "workspace:person_export": "public_protection",
    "workspace:crime": "public_protection",
    "workspace:audit_review": "auditor",
    "workspace:retention_due": "public_protection",
    "workspace:retention_review": "public_protection",
    "workspace:retention_erasures": "public_protection",
    "workspace:retention_erasure": "public_protection",
}
"""Workspace pages open only to a role (``accounts.roles``): verified but without it, 403."""


def needs_team(role: str) -> bool:
    return role_get(role).needs_team


def _records_in_reach(*, borough_code: str) -> None:
    """A crime and a person with the walk's sample reference "1", in the team's borough: what
    the record pages open for a role that reaches them; and erasure request 1 of that person,
    by another account, which the retention pages open."""
    crime = Crime.objects.create(
        crime_ref="1", recorded_date="2024-01-01", offence_code="8Q", borough_code=borough_code
    )
    person = Person.objects.create(person_ref="1", sex="M")
    Involvement.objects.create(crime=crime, person=person, role="suspect")
    requester = get_user_model().objects.create_user(username="requester")
    RetentionReview.objects.create(
        id=1, person=person, person_ref="1", decided_by=requester, decision="erase",
        status="pending", reason_text="no policing purpose left",
    )  # fmt: skip


SHADOWED = frozenset({"admin:login"})
"""Patterns no URL reaches, because an earlier pattern answers their address: the admin's own
login page, replaced by the workspace's sign-in."""


@dataclass(frozen=True)
class Walked:
    url: str
    name: str
    public: bool
    shadowed: bool = False


def _sample_path(pattern: Any) -> list[str]:
    """Ways to write ``pattern`` with sample values in its parameters."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        return [re.sub(r"<(?:\w+:)?\w+>", sample, route) for sample in SAMPLES]
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        return [re.sub(r"\(\?P<\w+>[^)]*\)", sample, regex).replace("\\", "") for sample in SAMPLES]
    raise AssertionError(f"unknown pattern kind {pattern!r}")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", public: bool = False
) -> Iterator[Walked]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", "")
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for head in _sample_path(entry.pattern)[:1]:
                yield from _walk(
                    entry.url_patterns, prefix + head, inner, public or module in PUBLIC_URLCONFS
                )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name or entry.lookup_str}"
            resolved = []
            for candidate in _sample_path(entry.pattern):
                url = "/" + prefix + candidate
                try:
                    match = resolve(url)
                except Resolver404:
                    continue
                resolved.append(url)
                if match.func is entry.callback:
                    yield Walked(url=url, name=name, public=public)
                    break
            else:
                if not resolved:
                    raise AssertionError(f"no sample URL reaches {name} ({entry.pattern})")
                yield Walked(url=resolved[0], name=name, public=public, shadowed=True)


WALK = list(_walk(get_resolver().url_patterns))
PROTECTED = [w for w in WALK if not w.public and not w.shadowed and w.name not in SIGN_IN_PATTERNS]


def _turned_away(response: Any) -> bool:
    """Sent to a sign-in step, never shown the page."""
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith("/workspace/sign-in/") or location.startswith("/admin/login/")
    )


def test_the_walk_covers_the_workspace_and_the_admin() -> None:
    names = {w.name for w in WALK}
    assert {"workspace:home", "workspace:recovery_codes", "admin:index"} <= names
    assert any(w.public for w in WALK)
    assert {w.name for w in WALK if w.name in SIGN_IN_PATTERNS} == SIGN_IN_PATTERNS
    assert len(PROTECTED) > 20  # the admin's pages for each model are in the walk
    assert {w.name for w in WALK if w.shadowed} == SHADOWED
    assert set(ROLE_PAGES) <= names


@pytest.mark.parametrize("walked", PROTECTED, ids=lambda w: w.url)
def test_no_protected_url_without_a_verified_second_factor(
    client: Client, enrolled: TOTPDevice, walked: Walked
) -> None:
    enrolled.user.is_superuser = True  # the most any password could open
    enrolled.user.save()
    for method in (client.get, client.post):
        assert _turned_away(method(walked.url)), ("anonymous", method, walked)
    client.force_login(enrolled.user)  # the password given, no second factor
    for method in (client.get, client.post):
        assert _turned_away(method(walked.url)), ("password only", method, walked)


@pytest.mark.parametrize(
    "walked", [w for w in PROTECTED if w.name.startswith("workspace:")], ids=lambda w: w.url
)
def test_workspace_pages_open_when_verified_and_are_never_stored(
    verified_client: Client, enrolled: TOTPDevice, walked: Walked
) -> None:
    if (role := ROLE_PAGES.get(walked.name)) is not None:
        refused = verified_client.get(walked.url)
        assert refused.status_code == 403, walked
        assert "no-store" in refused["Cache-Control"]
        team = team_list()[0]
        staff_role_set(user=enrolled.user, role=role, team=team.code if needs_team(role) else None)
        _records_in_reach(borough_code=team.borough_codes[0])
    response = verified_client.get(walked.url)
    assert response.status_code == 200, walked
    assert "no-store" in response["Cache-Control"]
