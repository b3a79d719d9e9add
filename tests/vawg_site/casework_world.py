"""A small force for the casework tests: two BCUs, four crimes, a sealed one, assignments, and a
staff account for every role (and team) with the records each may open written out by hand.

The expectations (:data:`EXPECTED`) are the access rules in words, not computed from the code
under test: `docs/accounts.md` ("What each role may open") says the same.

    cA  in team A's borough   victim vA (F), suspect sA, witness wA
    cB  in team B's borough   victim vB (F), suspect sB
    cX  not located           victim vX (F), suspect sX
    cS  in team A's borough, sealed (its suspect is on the force's staff)
                              victim vS (F), suspect pS (sealed)

Assignments: pp_A <- person sB; vc_A <- crime cX; nl_B <- crime cA; pp_B <- person pS (sealed:
the assignment must not open the compartment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg_site.accounts.selectors import team_list
from vawg_site.accounts.services import staff_role_set
from vawg_site.records.models import Assignment, Crime, Involvement, Order, Person

PASSWORD = "correct horse battery staple 42"

CRIMES = ("cA", "cB", "cX", "cS")
PEOPLE = ("vA", "sA", "wA", "vB", "sB", "vX", "sX", "vS", "pS")

EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # account: (crimes it may open, people it may open)
    "pp_A": ({"cA"}, {"vA", "sA", "wA", "sB"}),
    "pp_B": ({"cB"}, {"vB", "sB"}),
    "nl_A": ({"cA"}, set()),
    "nl_B": ({"cB", "cA"}, set()),
    "vc_A": ({"cA", "cX"}, {"vA", "vX"}),
    "vc_B": ({"cB"}, {"vB"}),
    "analyst": ({"cA", "cB", "cX"}, {"sA", "sB", "sX"}),
    "standards": ({"cS"}, {"vS", "pS"}),
    "publisher": (set(), set()),
    "auditor": (set(), set()),
    "administrator": (set(), set()),
    "superuser": (set(), set()),
}

ROLE_OF = {
    "pp_A": ("public_protection", "A"),
    "pp_B": ("public_protection", "B"),
    "nl_A": ("neighbourhood_lead", "A"),
    "nl_B": ("neighbourhood_lead", "B"),
    "vc_A": ("victim_care", "A"),
    "vc_B": ("victim_care", "B"),
    "analyst": ("analyst", None),
    "standards": ("professional_standards", None),
    "publisher": ("publisher", None),
    "auditor": ("auditor", None),
    "administrator": ("administrator", None),
    "superuser": (None, None),
}


@dataclass(frozen=True)
class World:
    team_a: str
    team_b: str
    borough_a: str
    borough_b: str
    users: dict[str, Any]
    devices: dict[str, TOTPDevice]


def _person(ref: str, sex: str = "M", *, sealed: bool = False) -> Person:
    return Person.objects.create(person_ref=ref, sex=sex, birth_year=1980, sealed=sealed)


def world_build() -> World:
    teams = team_list()
    team_a, team_b = teams[0], teams[1]
    a, b = team_a.borough_codes[0], team_b.borough_codes[0]
    day = dt.date(2024, 3, 1)
    crimes = {
        "cA": Crime.objects.create(crime_ref="cA", recorded_date=day, offence_code="8Q",
                                   offence_description="Stalking", borough_code=a),
        "cB": Crime.objects.create(crime_ref="cB", recorded_date=day, offence_code="19C",
                                   offence_description="Rape of a female aged 16 and over",
                                   borough_code=b),
        "cX": Crime.objects.create(crime_ref="cX", recorded_date=day, offence_code="8L",
                                   offence_description="Harassment"),
        "cS": Crime.objects.create(crime_ref="cS", recorded_date=day, offence_code="8N",
                                   offence_description="Assault with injury", domestic_abuse=True,
                                   borough_code=a, sealed=True),
    }  # fmt: skip
    people = {
        ref: _person(ref, "F" if ref.startswith("v") else "M", sealed=ref == "pS") for ref in PEOPLE
    }
    for crime, victim, suspect, witness in (
        ("cA", "vA", "sA", "wA"),
        ("cB", "vB", "sB", None),
        ("cX", "vX", "sX", None),
        ("cS", "vS", "pS", None),
    ):
        Involvement.objects.create(crime=crimes[crime], person=people[victim], role="victim")
        Involvement.objects.create(
            crime=crimes[crime], person=people[suspect], role="suspect", relationship="partner"
        )
        if witness:
            Involvement.objects.create(crime=crimes[crime], person=people[witness], role="witness")
    Order.objects.create(
        order_ref="oA", order_type="DVPO", subject=people["sA"], protected=people["vA"],
        start_date=day, breach_dates=["2024-04-01"],
    )  # fmt: skip
    users: dict[str, Any] = {}
    devices: dict[str, TOTPDevice] = {}
    model = get_user_model()
    for name, (role, team) in ROLE_OF.items():
        if name == "superuser":
            user = model.objects.create_superuser(username=name, password=PASSWORD)
        else:
            user = model.objects.create_user(username=name, password=PASSWORD, is_staff=True)
            code = {"A": team_a.code, "B": team_b.code}.get(team or "")
            staff_role_set(user=user, role=role or "", team=code)
        users[name] = user
        devices[name] = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    for name, kind, ref in (
        ("pp_A", "person", "sB"),
        ("vc_A", "crime", "cX"),
        ("nl_B", "crime", "cA"),
        ("pp_B", "person", "pS"),
    ):
        target = {"person": people[ref]} if kind == "person" else {"crime": crimes[ref]}
        Assignment.objects.create(user=users[name], **target)
    return World(team_a.code, team_b.code, a, b, users, devices)
