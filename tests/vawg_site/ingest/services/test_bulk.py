"""The bulk machinery: values inlined into SQLite statements come through unchanged, the
identity index is rebuilt after a bulk load, and every target stages its schema into columns of
its table with the stored widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from vawg_site.ingest.services import force, mps_recorded, mps_vawg, police_uk, police_uk_load
from vawg_site.ingest.services.bulk import Target
from vawg_site.opendata.models import StreetCrime
from vawg_site.records.models import Crime, Person

pytestmark = pytest.mark.django_db

COLP = "City of London Police,City of London Police"


def _targets() -> list[Target]:
    return [
        police_uk.STREET_CRIME_TARGET,
        police_uk.STREET_OUTCOME_TARGET,
        police_uk.STOP_SEARCH_TARGET,
        mps_vawg.VAWG_COUNT_TARGET,
        mps_recorded.RECORDED_COUNT_TARGET,
        force.CRIME_TARGET,
        force.PERSON_TARGET,
        force.INVOLVEMENT_TARGET,
        force.order_target(),
    ]


def test_a_value_shared_by_a_whole_batch_is_stored_as_read(
    tmp_path: Path, make_street_csv: Any
) -> None:
    """On SQLite a column with one value in the whole batch goes into the statement as a
    literal (see ``bulk._sqlite_batch``): quotes and ``%`` must come through unchanged."""
    odd = "On or near O'Brien's 100%s %% Street"
    rows = [f"id{n},2023-03,{COLP},-0.1,51.51,{odd},E1,C 001A,Drugs,Open," for n in range(3)]
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(rows))
    assert police_uk_load(paths=[path]).loaded == 3
    assert set(StreetCrime.objects.values_list("location", flat=True)) == {odd}
    path.write_bytes(make_street_csv([r.replace(",Open,", ",Closed,") for r in rows]))
    assert police_uk_load(paths=[path]).updated == 3  # the upsert path inlines it too
    assert set(StreetCrime.objects.values_list("last_outcome", flat=True)) == {"Closed"}


def test_the_bulk_path_restores_the_identity_index(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    """The identity is a separate unique index (dropped and rebuilt by a bulk load), and it
    still refuses a second row with the same identity afterwards."""
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(street_rows))
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


def test_every_target_stages_its_schema_into_columns_of_its_table() -> None:
    with connection.cursor() as cursor:
        for target in _targets():
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
    for target in _targets():
        for column in target.schema.columns:
            if column.dtype not in (pl.String, pl.Categorical):
                continue
            owner, name = (models[target.table], column.name)
            if target.joins and column.name in references:
                owner, name = references[column.name]
            field = owner._meta.get_field(name)
            assert getattr(field, "max_length", None) == column.max_chars, (target.table, name)
