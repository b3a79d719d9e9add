"""Every public function of the casework selectors and the records services that reads or writes a
person or a crime writes its audit row: each is called here on a small force and the rows it
wrote are checked. A new public function fails the completeness test until it is listed here,
either with a call that must log or among the few that read no record (with the reason).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from tests.vawg_site.casework_world import World, world_build

from vawg_site.audit.models import AccessEvent
from vawg_site.records import casework, retention, services
from vawg_site.records.models import Person

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
    "services.retention_keep": lambda w: services.retention_keep(
        user=w.users["pp_A"],
        person_ref="sA",
        next_review_date=dt.date(2040, 1, 1),
        reason_text="still relevant",
    ),
    "services.retention_erasure_request": lambda w: _erasure_asked(w),
    "services.retention_erasure_approve": lambda w: services.retention_erasure_approve(
        user=w.users["pp_B"], review_id=_erasure_asked(w)
    ),
    "services.retention_erasure_refuse": lambda w: services.retention_erasure_refuse(
        user=w.users["pp_B"], review_id=_erasure_asked(w), approval_text="still relevant"
    ),
    "retention.reviews_due": lambda w: (
        Person.objects.update(next_review_date=dt.date(2030, 1, 1)),
        retention.reviews_due(user=w.users["pp_A"], today=dt.date(2030, 1, 1)),
    ),
    "retention.retention_case_open": lambda w: retention.retention_case_open(
        user=w.users["pp_A"], person_ref="sA"
    ),
    "retention.erasures_pending": lambda w: (
        _erasure_asked(w),
        retention.erasures_pending(user=w.users["pp_B"]),
    ),
}
"""Each function that must log, and a call of it that touches at least one record."""


def _erasure_asked(world: World) -> int:
    """pp_A asks for sB's erasure (pp_B, of sB's BCU, may answer); the request's number."""
    return services.retention_erasure_request(
        user=world.users["pp_A"], person_ref="sB", reason_text="no policing purpose left"
    ).pk


WHOLE_TABLE_CALLS: dict[str, Callable[[World], Any]] = {
    "retention.retention_assess": lambda w: retention.retention_assess(),
}
"""Functions over every person, which log one row for the table with the number changed."""

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
    for module, prefix in (
        (casework, "casework"),
        (services, "services"),
        (retention, "retention"),
    ):
        for name, value in vars(module).items():
            if name.startswith("_") or name in PREDICATES:
                continue
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                names.add(f"{prefix}.{name}")
    return names


def test_every_public_function_is_listed() -> None:
    listed = set(LOGGING_CALLS) | set(READS_NO_RECORD) | set(WHOLE_TABLE_CALLS)
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


@pytest.mark.parametrize("name", sorted(WHOLE_TABLE_CALLS))
def test_the_function_over_every_person_writes_its_table_row(name: str) -> None:
    world = world_build()
    before = AccessEvent.objects.count()
    WHOLE_TABLE_CALLS[name](world)
    rows = list(AccessEvent.objects.order_by("id")[before:])
    assert [(r.object_type, r.object_ref) for r in rows] == [("records.person", "*")]
    assert rows[0].object_count == Person.objects.count()
