"""Every public function of the casework selectors and the records services that reads or writes a
person or a crime writes its audit row: each is called here on a small force and the rows it
wrote are checked. A new public function fails the completeness test until it is listed here,
either with a call that must log or among the few that read no record (with the reason).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from tests.vawg_site.casework_world import World, world_build

from vawg_site.audit.models import AccessEvent
from vawg_site.records import casework, services

pytestmark = pytest.mark.django_db

LOGGING_CALLS: dict[str, Callable[[World], Any]] = {
    "casework.records_search": lambda w: casework.records_search(
        user=w.users["pp_A"], reference="sA", reason_code="investigation"
    ),
    "casework.person_open": lambda w: casework.person_open(
        user=w.users["pp_A"], person_ref="sA", reason_code="investigation"
    ),
    "casework.person_export": lambda w: casework.person_export(
        user=w.users["pp_A"], person_ref="sA", recipient="Court 3", reason_code="legal"
    ),
    "casework.crime_open": lambda w: casework.crime_open(
        user=w.users["pp_A"], crime_ref="cA", reason_code="investigation"
    ),
    "casework.crimes_list": lambda w: casework.crimes_list(
        user=w.users["pp_A"], offset=0, limit=10, reason_code="investigation"
    ),
    "services.assignment_open": lambda w: services.assignment_open(
        user=w.users["pp_B"], person_ref="sA"
    ),
    "services.assignment_end": lambda w: services.assignment_end(
        assignment_id=w.users["pp_A"].record_assignments.get().pk
    ),
    "services.person_seal": lambda w: services.person_seal(person_ref="sA", reason_text="match"),
    "services.person_high_profile_set": lambda w: services.person_high_profile_set(
        person_ref="sA", high_profile=True, reason_text="named in the press"
    ),
}
"""Each function that must log, and a call of it that touches at least one record."""

READS_NO_RECORD = {
    "casework.scope_of": "the account's reach: its role and team, no record",
    "casework.crimes_visible": "a queryset, read by whoever evaluates it (and logs what it shows)",
    "casework.people_visible": "a queryset, as crimes_visible",
    "casework.crimes_count": "a count of the crimes in reach: no record is read",
    "casework.record_boroughs": "references and borough codes for the review of the log itself",
    "casework.assigned_refs": "an account's assignments, for the review of the log itself",
    "casework.high_profile_refs": "the marked references, for the review of the log itself",
}
"""Public functions that read no record's content, each with why it writes no row."""

PREDICATES = {"may_open_crime", "may_open_person", "may_export_person"}
"""``rules`` predicates over the scoped querysets: whether a record may be opened, no content."""


def _public_functions() -> set[str]:
    names = set()
    for module, prefix in ((casework, "casework"), (services, "services")):
        for name, value in vars(module).items():
            if name.startswith("_") or name in PREDICATES:
                continue
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                names.add(f"{prefix}.{name}")
    return names


def test_every_public_function_is_listed() -> None:
    listed = set(LOGGING_CALLS) | set(READS_NO_RECORD)
    assert _public_functions() == listed


@pytest.mark.parametrize("name", sorted(LOGGING_CALLS))
def test_the_function_writes_its_audit_rows(name: str) -> None:
    world = world_build()
    before = AccessEvent.objects.count()
    LOGGING_CALLS[name](world)
    rows = list(AccessEvent.objects.order_by("id")[before:])
    assert rows, name
    for row in rows:
        assert row.object_type in {"records.person", "records.crime", "records.order"}
        assert row.object_ref not in {"", "*"}
