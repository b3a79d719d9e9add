"""The access log, and the record of the quarantine's erasures, are append-only in the database:
raw UPDATE and DELETE through the application's own connection fail, on whichever engine the
suite runs (SQLite by default; PostgreSQL when ``DATABASE_URL`` names one). With
``DATABASE_URL`` naming PostgreSQL (CI's PostgreSQL pass) they run there."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from vawg_site.audit.models import AccessEvent
from vawg_site.audit.services import Action, Reason, access_record
from vawg_site.common.append_only import MESSAGE, append_only_triggers
from vawg_site.ingest.models import QuarantineErasure

pytestmark = pytest.mark.django_db

TABLES = ["audit_accessevent", "ingest_quarantineerasure"]


def _one_event() -> AccessEvent:
    return access_record(
        action=Action.CONSULT,
        object_type="records.person",
        object_ref="p1",
        reason_code=Reason.SAFEGUARDING,
    )


def _refused(sql: str, params: list[object]) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(refused.value)


@pytest.mark.parametrize("table", TABLES)
def test_both_triggers_are_installed(table: str) -> None:
    assert append_only_triggers(connection, table) == [f"{table}_no_delete", f"{table}_no_update"]


def test_raw_update_of_an_event_fails() -> None:
    event = _one_event()
    message = _refused(
        "UPDATE audit_accessevent SET username = %s, occurred_at = %s WHERE id = %s",
        ["someone-else", datetime(2020, 1, 1, tzinfo=UTC), event.pk],
    )
    assert MESSAGE in message
    event.refresh_from_db()
    assert event.username == ""
    assert event.occurred_at.year > 2020


def test_raw_delete_of_an_event_fails_and_so_do_the_orm_ones() -> None:
    event = _one_event()
    assert MESSAGE in _refused("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    assert MESSAGE in _refused("DELETE FROM audit_accessevent", [])
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(reason_code=Reason.AUDIT)
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert AccessEvent.objects.filter(pk=event.pk, reason_code=Reason.SAFEGUARDING).exists()


def test_rows_can_still_be_added() -> None:
    _one_event()
    _one_event()
    assert AccessEvent.objects.count() == 2


def test_an_erasure_record_can_be_neither_changed_nor_deleted() -> None:
    erasure_id = QuarantineErasure.objects.create(
        run_id_erased=7,
        source="force",
        loaded_at=datetime(2024, 1, 1, tzinfo=UTC),
        rows=3,
        reason="retention period over",
    ).pk
    assert MESSAGE in _refused(
        "UPDATE ingest_quarantineerasure SET rows = 0 WHERE id = %s", [erasure_id]
    )
    assert MESSAGE in _refused("DELETE FROM ingest_quarantineerasure WHERE id = %s", [erasure_id])


def test_postgresql_when_configured() -> None:
    """A run whose ``DATABASE_URL`` names PostgreSQL (CI's PostgreSQL pass) runs these tests on
    PostgreSQL, not on a SQLite default."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL names no PostgreSQL server: this pass runs them on SQLite")
    assert connection.vendor == "postgresql"


def test_an_event_cannot_be_written_at_another_time_than_the_databases() -> None:
    with pytest.raises(DatabaseError, match="set by the database"), transaction.atomic():
        AccessEvent.objects.create(
            occurred_at=datetime(2020, 1, 1, tzinfo=UTC),
            action="consult",
            object_type="records.person",
            object_ref="p1",
            reason_code="investigation",
            request_id="r",
            channel="page",
        )
    _one_event()  # the database's own time is accepted
    assert AccessEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_write_the_log() -> None:
    """Its teardown empties the table (tests/conftest.py) and the triggers are back after it:
    test_both_triggers_are_installed runs after this one too."""
    _one_event()
    assert AccessEvent.objects.count() == 1


def test_the_triggers_are_back_after_a_transactional_test() -> None:
    for table in TABLES:
        assert len(append_only_triggers(connection, table)) == 2
    assert not AccessEvent.objects.exists()
