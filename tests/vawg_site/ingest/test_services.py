"""Loads: counts reconcile, re-loading adds nothing, changed rows update, rejections quarantined."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from vawg_site.ingest import services
from vawg_site.ingest.models import IngestRun, Rejection
from vawg_site.ingest.services import force_load, mps_vawg_load, police_uk_load
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.records.models import Crime, Involvement, Order, Person

pytestmark = pytest.mark.django_db

COLP = "City of London Police,City of London Police"
ROWS = [
    f"id1,2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Violence and sexual offences,Open,",
    f",2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Anti-social behaviour,,",
    f",2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Anti-social behaviour,,",
    f"id1,2023-03,{COLP},-0.1,51.51,On or near B,E1,C 001A,Violence and sexual offences,Closed,",
    f"id2,2023-03,{COLP},,,No Location,,,Drugs,Open,",
    f"id3,2023-3x,{COLP},,,No Location,,,Drugs,Open,",
]


def _reconciles(result: Any) -> None:
    assert result.read == result.loaded + result.duplicates + result.rejected
    assert result.rejected == len(result.rejections)


def test_police_uk_load_is_idempotent_and_upserts(tmp_path: Path, make_street_csv: Any) -> None:
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(ROWS))
    first = police_uk_load(paths=[path])
    _reconciles(first)
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (6, 4, 1, 1)
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"
    again = police_uk_load(paths=[path])
    _reconciles(again)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 5, 1)
    assert StreetCrime.objects.count() == 4
    # a later download with a new outcome updates the stored row in place
    path.write_bytes(make_street_csv([r.replace(",Open,", ",Charged,") for r in ROWS]))
    later = police_uk_load(paths=[path])
    assert (later.loaded, later.updated) == (1, 1)
    assert StreetCrime.objects.get(crime_key="id2").last_outcome == "Charged"
    assert StreetCrime.objects.count() == 4
    run = IngestRun.objects.get(pk=first.run_id)
    assert (run.read, run.loaded, run.rejected) == (6, 4, 1)
    quarantined = Rejection.objects.get(run=run)
    assert quarantined.line == 7
    assert "id3" in quarantined.raw


def test_a_crime_id_repeated_in_a_later_chunk_keeps_the_last_row(
    tmp_path: Path, make_street_csv: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV longer than a chunk may repeat a Crime ID in a later chunk. Into an empty table
    both rows are appended without the unique index; the earlier is removed and the index
    rebuilt before the commit, so the counts are those of an unchunked load."""
    monkeypatch.setattr(
        services, "police_uk_read_file", partial(services.police_uk_read_file, chunk_rows=2)
    )
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(ROWS))
    first = police_uk_load(paths=[path])
    _reconciles(first)
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (6, 4, 1, 1)
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"
    # The upsert path (index in place) writes the earlier chunk's row, then the later one's:
    # the stored row ends right, nothing is inserted.
    again = police_uk_load(paths=[path])
    _reconciles(again)
    assert again.inserted == 0
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"


def test_a_value_shared_by_a_whole_batch_is_stored_as_read(
    tmp_path: Path, make_street_csv: Any
) -> None:
    """On SQLite a column with one value in the whole batch goes into the statement as a
    literal (see ``_sqlite_batch``): quotes and ``%`` must come through unchanged."""
    odd = "On or near O'Brien's 100%s %% Street"
    rows = [f"id{n},2023-03,{COLP},-0.1,51.51,{odd},E1,C 001A,Drugs,Open," for n in range(3)]
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(rows))
    assert police_uk_load(paths=[path]).loaded == 3
    assert set(StreetCrime.objects.values_list("location", flat=True)) == {odd}
    path.write_bytes(make_street_csv([r.replace(",Open,", ",Closed,") for r in rows]))
    assert police_uk_load(paths=[path]).updated == 3  # the upsert path inlines it too
    assert set(StreetCrime.objects.values_list("last_outcome", flat=True)) == {"Closed"}


def test_the_bulk_path_restores_the_identity_index(tmp_path: Path, make_street_csv: Any) -> None:
    """The identity is a separate unique index (dropped and rebuilt by a bulk load), and it
    still refuses a second row with the same identity afterwards."""
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(ROWS))
    police_uk_load(paths=[path])
    with connection.cursor() as cursor:
        names = [
            index.lower()
            for index in connection.introspection.get_constraints(cursor, "opendata_streetcrime")
        ]
    assert "streetcrime_identity" in names
    stored = StreetCrime.objects.get(crime_key="id1")
    stored.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        stored.save()


def test_police_uk_api_json_loads(tmp_path: Path) -> None:
    record = {
        "category": "violent-crime",
        "location_type": "Force",
        "location": {
            "latitude": "51.5",
            "street": {"id": 1, "name": "On or near X"},
            "longitude": "-0.1",
        },
        "context": "",
        "outcome_status": None,
        "persistent_id": "",
        "id": 1,
        "month": "2017-01",
    }
    path = tmp_path / "api.json.gz"
    path.write_bytes(gzip.compress(json.dumps([record, record]).encode()))
    result = police_uk_load(paths=[path])
    assert (result.read, result.loaded) == (2, 2)
    assert police_uk_load(paths=[path]).loaded == 0


def test_mps_vawg_load_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "vawg-victims.parquet"
    pl.DataFrame(
        {
            "borough_name": ["Camden", None],
            "ward_name_clean_2": ["St. Pancras & Somers Town", None],
            "recorded_date_months": [datetime(2024, 1, 1)] * 2,
            "date_committed_from_date_months": [datetime(2024, 1, 1), None],
            "count": [5, 3],
            "sheet": ["Victim count by location", "Victim count by age group"],
            "age_group": [None, "Aged 18 to 24"],
        }
    ).write_parquet(path)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("WD24CD,WD24NM,LAD24NM\nE05013669,St Pancras & Somers Town,Camden\n")
    first = mps_vawg_load(paths=[path], ward_lookup=lookup)
    _reconciles(first)
    assert (first.read, first.loaded) == (2, 2)
    assert VawgCount.objects.get(sheet="location").ward_code == "E05013669"
    assert VawgCount.objects.get(sheet="age").committed_month is None
    again = mps_vawg_load(paths=[path], ward_lookup=lookup)
    assert (again.loaded, again.duplicates) == (0, 2)
    assert VawgCount.objects.count() == 2


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


def test_recorded_crime_loads_once_and_a_revision_updates(tmp_path: Path) -> None:
    from vawg_site.ingest.services import mps_recorded_load
    from vawg_site.opendata.models import RecordedCrimeCount

    path = tmp_path / "recorded-crime-borough.parquet"

    def write(january: int) -> None:
        pl.DataFrame(
            {
                "majortext": ["THEFT", "THEFT"],
                "minortext": ["SHOPLIFTING", "BICYCLE THEFT"],
                "boroughname": ["Camden", "Camden"],
                "202401": [january, 2],
                "202402": [3, 4],
            }
        ).write_parquet(path)

    write(1)
    first = mps_recorded_load(paths=[path])
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (4, 4, 0, 0)
    assert sorted(RecordedCrimeCount.objects.values_list("minor_category", "count")) == [
        ("BICYCLE THEFT", 2),
        ("BICYCLE THEFT", 4),
        ("SHOPLIFTING", 1),
        ("SHOPLIFTING", 3),
    ]
    again = mps_recorded_load(paths=[path])
    assert (again.loaded, again.duplicates) == (0, 4)
    write(10)  # the Met revises January's shoplifting
    revised = mps_recorded_load(paths=[path])
    assert (revised.loaded, revised.updated, revised.duplicates) == (1, 1, 3)
    assert RecordedCrimeCount.objects.count() == 4
    assert (
        RecordedCrimeCount.objects.get(minor_category="SHOPLIFTING", month="2024-01-01").count == 10
    )
    assert IngestRun.objects.filter(source="mps-recorded").count() == 3


TARGETS = [
    services.STREET_CRIME_TARGET,
    services.STREET_OUTCOME_TARGET,
    services.STOP_SEARCH_TARGET,
    services.VAWG_COUNT_TARGET,
    services.RECORDED_COUNT_TARGET,
    services._CRIME,
    services._PERSON,
    services._INVOLVEMENT,
    services._order_target(),
]


def test_every_target_stages_its_schema_into_columns_of_its_table() -> None:
    with connection.cursor() as cursor:
        for target in TARGETS:
            stored = {
                c.name for c in connection.introspection.get_table_description(cursor, target.table)
            }
            assert {name for name, _ in target.columns} <= stored, target.table
            assert set(target.key) <= stored, target.table
            plain = [expr for _, expr in target.columns if expr.startswith("s.")]
            assert {expr[2:] for expr in plain} <= set(target.stage), target.table


def test_the_schemas_text_widths_are_the_stored_columns_widths() -> None:
    """A staged value that fits the schema's width fits the stored column: both say the same."""
    models = {m._meta.db_table: m for m in apps.get_models()}
    # A joined target stages references, which the stored table holds as links.
    person = (Person, "person_ref")
    references = {"crime_ref": (Crime, "crime_ref"), "person_ref": person}
    references |= {"subject_ref": person, "protected_ref": person}
    for target in TARGETS:
        for column in target.schema.columns:
            if column.dtype not in (pl.String, pl.Categorical):
                continue
            owner, name = (models[target.table], column.name)
            if target.joins and column.name in references:
                owner, name = references[column.name]
            field = owner._meta.get_field(name)
            assert getattr(field, "max_length", None) == column.max_chars, (target.table, name)
