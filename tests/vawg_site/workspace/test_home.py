"""The workspace home: the account's role, team and links by role, each to a page that exists."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from vawg_site.accounts.roles import ROLES, role_get
from vawg_site.accounts.services import staff_role_set
from vawg_site.workspace.navigation import ROLE_LINKS

ADMIN_LINK = "/admin/accounts/staffmember/"


def _links(page: str, marker: str) -> list[str]:
    block = re.search(rf"<ul class=\"govuk-list\" {marker}>(.*?)</ul>", page, flags=re.DOTALL)
    return re.findall(r'href="([^"]+)"', block.group(1)) if block else []


def test_an_account_without_a_role_is_told_so(verified_client: Client) -> None:
    response = verified_client.get("/workspace/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Your account has no role yet" in page
    assert _links(page, "data-role-links") == []
    assert ADMIN_LINK not in page


@pytest.mark.parametrize("role", [r.code for r in ROLES])
def test_the_home_shows_the_role_team_and_its_links(
    verified_client: Client, staff: Any, role: str
) -> None:
    declared = role_get(role)
    staff_role_set(user=staff, role=role, team="CN" if declared.needs_team else None)
    response = verified_client.get("/workspace/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert declared.name in page
    assert declared.description in page
    if declared.needs_team:
        assert "Central North BCU (Camden, Islington)" in page
    else:
        assert "Force-wide (no BCU)" in page
    links = _links(response.content.decode(), "data-role-links")
    assert len(links) == len(ROLE_LINKS[role])
    if not links:
        assert "not built yet" in page
    assert (ADMIN_LINK in links) == (role == "administrator")
    for url in links:  # every link is to a page that exists and this account may open
        assert verified_client.get(url).status_code == 200, url


def test_a_team_role_links_its_boroughs_area_pages(
    verified_client: Client, staff: Any, real_data_dir: Path
) -> None:
    staff_role_set(user=staff, role="neighbourhood_lead", team="AW")
    page = verified_client.get("/workspace/").content.decode()
    areas = _links(page, "data-area-links")
    assert areas == ["/area/E09000013/", "/area/E09000020/", "/area/E09000033/"]
    assert "Hammersmith and Fulham" in page
    for url in areas:
        assert verified_client.get(url).status_code == 200, url


def test_a_force_wide_role_has_no_borough_links(verified_client: Client, staff: Any) -> None:
    staff_role_set(user=staff, role="analyst")
    page = verified_client.get("/workspace/").content.decode()
    assert _links(page, "data-area-links") == []
