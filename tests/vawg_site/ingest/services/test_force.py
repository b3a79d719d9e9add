"""Force extract loads: references checked, idempotent, a later extract may name stored records."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vawg_site.ingest.services import force_load
from vawg_site.records.models import Crime, Involvement, Order, Person

pytestmark = pytest.mark.django_db


def _reconciles(result: Any) -> None:
    assert result.read == result.loaded + result.duplicates + result.rejected
    assert result.rejected == len(result.rejections)


def test_force_load_checks_references_and_is_idempotent(force_dir: Path) -> None:
    calls: list[int] = []
    first = force_load(path=force_dir, progress=calls.append)
    assert sum(calls) == 2 + 2 + 3 + 1  # rows kept, reported as they are stored
    _reconciles(first)
    assert (Crime.objects.count(), Person.objects.count()) == (2, 2)
    assert (Involvement.objects.count(), Order.objects.count()) == (3, 1)
    order = Order.objects.get(order_ref="O1")
    assert order.subject.person_ref == "P2"
    assert order.protected is not None
    assert order.breach_dates == ["2024-01-20", "2024-01-25"]
    assert Crime.objects.get(crime_ref="C1").easting == pytest.approx(530_000, abs=150)
    assert first.rejected == 3 + 1 + 3 + 3
    again = force_load(path=force_dir)
    _reconciles(again)
    assert again.loaded == 0
    assert Involvement.objects.count() == 3


def test_a_later_extract_may_refer_to_stored_records(force_dir: Path, tmp_path: Path) -> None:
    force_load(path=force_dir)
    later = tmp_path / "later"
    later.mkdir()
    (later / "crimes.csv").write_text(
        "crime_ref,recorded_date,committed_date,offence_code,offence_description,domestic_abuse,"
        "latitude,longitude,outcome_code,outcome_date\n"
    )
    (later / "people.csv").write_text("person_ref,sex,birth_year,ethnicity\n")
    (later / "involvements.csv").write_text(
        "crime_ref,person_ref,role,relationship\nC2,P2,suspect,stranger\n"
    )
    result = force_load(path=later)
    assert (result.loaded, result.rejected) == (1, 0)


def test_a_load_logs_its_collections_and_alterations(force_dir: Path) -> None:
    from vawg_site.audit.models import AccessEvent

    def events() -> list[tuple[str, str, int]]:
        return sorted(AccessEvent.objects.values_list("action", "object_type", "object_count"))

    force_load(path=force_dir)
    assert events() == [
        ("alter", "records.person", 2),  # the retention assessment (docs/retention.md)
        ("collect", "records.crime", 2),
        ("collect", "records.involvement", 3),
        ("collect", "records.order", 1),
        ("collect", "records.person", 2),
    ]
    assert set(AccessEvent.objects.values_list("reason_code", "object_ref")) == {
        ("data-load", "*"),
        ("case-review", "*"),
    }
    force_load(path=force_dir)  # nothing changed: nothing more to log
    assert len(events()) == 5


def test_a_load_assesses_every_persons_retention(force_dir: Path) -> None:
    force_load(path=force_dir)
    people = {
        ref: (group, due)
        for ref, group, due in Person.objects.values_list(
            "person_ref", "retention_group", "next_review_date"
        )
    }
    # C1 is stalking (group 1), P2 its suspect and P1 its victim; both are in order O1, which
    # ended on 2024-02-12, their latest event: group 1's 10 years from then.
    assert people == {"P1": (1, date(2034, 2, 12)), "P2": (1, date(2034, 2, 12))}


def test_a_load_refreshes_the_planners_statistics(force_dir: Path) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's ANALYZE; on SQLite the load runs PRAGMA optimize")
    force_load(path=force_dir)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'records_crime'")
        after = cursor.fetchone()[0]
    # The test's rows are never committed, so only an ANALYZE in this transaction can have
    # counted them: without one the estimate is whatever the empty table last had (-1 or 0).
    assert after == 2
