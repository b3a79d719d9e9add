"""The access matrix (issue #13): every account of every role and team, against every crime and
person of a small force (tests/vawg_site/casework_world.py), through the pages: the detail page
opens exactly what the rules allow, the search lists nothing its detail page refuses, the export
follows the role, and the open-data API answers a signed-in member of any role exactly as it
answers the public.

Each cell is a real request through the sign-in (password and a code), the reason step, the
view, the scoped selector and the audit.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from tests.vawg_site.casework_world import CRIMES, EXPECTED, PEOPLE, World, world_build
from tests.vawg_site.workspace.conftest import totp_now

from vawg_site.audit.models import AccessEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"
NO_RECORDS = {"publisher", "auditor", "administrator", "superuser"}
EXPORTERS = {"pp_A", "pp_B"}


@pytest.fixture
def world(db: None) -> World:
    return world_build()


def _signed_in(world: World, account: str) -> Client:
    client = Client()
    response = client.post("/workspace/sign-in/", {"username": account, "password": PASSWORD})
    assert response.status_code == 302, account
    response = client.post("/workspace/sign-in/code/", {"code": totp_now(world.devices[account])})
    assert response.status_code == 302, account
    assert response["Location"] == "/workspace/", account
    return client


def _unsalted(page: bytes) -> bytes:
    """A page without what differs between two answers: the CSP nonce and the CSRF token."""
    page = re.sub(rb'nonce="[^"]*"', b"", page)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", page)


def _open(client: Client, url: str) -> Any:
    """Open a record's page, giving a reason when asked."""
    response = client.get(url)
    if response.status_code == 200 and b'name="reason"' in response.content:
        posted = client.post(url, {"reason": "investigation", "reason_text": "matrix"})
        assert posted.status_code == 302, url
        response = client.get(url)
    return response


@pytest.mark.parametrize("account", sorted(EXPECTED))
def test_the_matrix_for_one_account(world: World, account: str) -> None:
    crimes, people = EXPECTED[account]
    client = _signed_in(world, account)
    for kind, refs, allowed in (("crime", CRIMES, crimes), ("person", PEOPLE, people)):
        for ref in refs:
            detail = _open(client, f"/workspace/records/{kind}/{ref}/")
            if account in NO_RECORDS:
                # A role that opens no record is told so, whatever the reference.
                assert detail.status_code == 403, (account, kind, ref)
            else:
                assert detail.status_code == (200 if ref in allowed else 404), (account, ref)
            if ref in allowed:
                assert (
                    detail["Cache-Control"].startswith("max-age=0")
                    or "no-store" in detail["Cache-Control"]
                )
                assert ref.encode() in detail.content
            elif account not in NO_RECORDS:
                # The same answer as for a reference that does not exist.
                missing = client.get(f"/workspace/records/{kind}/no-such-ref/")
                assert _unsalted(detail.content) == _unsalted(missing.content), (account, ref)

            search = client.get(
                "/workspace/records/",
                {"reference": ref, "reason": "investigation", "reason_text": ""},
            )
            if account in NO_RECORDS:
                assert search.status_code == 403, (account, ref)
                continue
            assert search.status_code == 200
            listed = f"/workspace/records/{kind}/{ref}/".encode() in search.content
            # The list never holds what the detail page refuses, and holds what it opens.
            assert listed is (ref in allowed), (account, kind, ref)

        if kind == "crime":
            listing = _open(client, "/workspace/records/crimes/")
            if account in NO_RECORDS:
                assert listing.status_code == 403, account
            else:
                listed = {
                    r for r in refs if f"/workspace/records/crime/{r}/".encode() in listing.content
                }
                assert listed == allowed, account
        if kind == "person":
            for ref in refs:
                export = client.post(
                    f"/workspace/records/person/{ref}/export/", {"recipient": "Court 7"}
                )
                if account not in EXPORTERS:
                    assert export.status_code == 403, (account, ref)
                elif ref in allowed:
                    assert export.status_code == 200, (account, ref)
                    assert export["Content-Type"].startswith("text/csv")
                else:
                    assert export.status_code == 404, (account, ref)


@pytest.mark.parametrize("account", ["pp_A", "analyst", "standards", "superuser"])
def test_the_api_answers_any_role_as_it_answers_the_public(world: World, account: str) -> None:
    client = _signed_in(world, account)
    for url in (
        "/api/v1/months",
        "/api/v1/categories",
        "/api/v1/force/vawg-crimes/by-group-month?year=2024",
        "/api/v1/force/vawg-crimes/grid?year=2024",
    ):
        public = Client().get(url)
        signed = client.get(url)
        assert signed.status_code == public.status_code, url
        assert signed.content == public.content, url
        for ref in (*CRIMES, *PEOPLE):
            assert f'"{ref}"'.encode() not in signed.content


def test_every_page_cell_is_in_the_audit_with_the_reason(world: World) -> None:
    client = _signed_in(world, "vc_A")
    _open(client, "/workspace/records/crime/cX/")
    rows = list(
        AccessEvent.objects.filter(username="vc_A").values_list(
            "action", "object_type", "object_ref", "reason_code", "reason_text", "channel"
        )
    )
    assert rows == [
        ("consult", "records.crime", "cX", "investigation", "matrix", "page"),
        ("consult", "records.person", "vX", "investigation", "matrix", "page"),
    ]


def test_the_compartment_asks_for_the_password_and_a_code_again_after_15_minutes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vawg_site.accounts import sessions

    client = _signed_in(world, "standards")
    assert _open(client, "/workspace/records/crime/cS/").status_code == 200
    signed_in_at = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: signed_in_at + sessions.STEP_UP_SECONDS + 1)
    # Keep the session alive past the idle clock's reach: the step-up is what is tested.
    session = client.session
    session[sessions.SEEN_KEY] = signed_in_at + sessions.STEP_UP_SECONDS
    session.save()
    response = client.get("/workspace/records/crime/cS/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/sign-in/confirm/")
    # Other roles' record pages are not behind the step-up.
    other = _signed_in(world, "pp_A")
    assert _open(other, "/workspace/records/crime/cA/").status_code == 200


def test_the_person_page_links_to_the_retention_review_for_those_who_review(world: World) -> None:
    officer = _open(_signed_in(world, "pp_A"), "/workspace/records/person/sA/")
    assert b"/workspace/retention/person/sA/" in officer.content
    analyst = _open(_signed_in(world, "analyst"), "/workspace/records/person/sA/")
    assert analyst.status_code == 200
    assert b"/workspace/retention/" not in analyst.content
