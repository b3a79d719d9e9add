"""Spot check on the Met's real VAWG offences file: the borough page shows the same figures as
sums computed independently from the parquet with polars."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from vawg_site.opendata.models import VawgCount

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

LOCATION_SHEET = "Offence count location"
CHECKS = [  # (borough, month): one either side of the change of recording system, and the latest
    ("Camden", date(2023, 12, 1)),
    ("Croydon", date(2024, 3, 1)),
    ("Westminster", date(2025, 8, 1)),
]


def _location_rows(real_data_dir: Path) -> pl.DataFrame:
    frame = pl.read_parquet(real_data_dir / "mps" / "vawg-offences.parquet")
    return frame.filter(
        (pl.col("sheet") == LOCATION_SHEET)
        & pl.col("borough_name").is_in([borough for borough, _ in CHECKS])
    )


@pytest.mark.slow  # reads the Met's file and stores three boroughs' rows: about 3 s
def test_borough_page_matches_the_parquet(client: Client, real_data_dir: Path) -> None:
    rows = _location_rows(real_data_dir)
    assert rows.height > 1000
    VawgCount.objects.bulk_create(
        (
            VawgCount(
                natural_key=uuid4().hex,
                measure=VawgCount.Measure.OFFENCES,
                sheet=VawgCount.Sheet.LOCATION,
                borough=row["borough_name"],
                ward_name=row["ward_name_clean_2"] or "",
                month=row["recorded_date_months"].date(),
                committed_month=(
                    row["date_committed_from_date_months"].date()
                    if row["date_committed_from_date_months"]
                    else None
                ),
                count=row["count"],
            )
            for row in rows.iter_rows(named=True)
        ),
        batch_size=2000,
    )

    for borough, month in CHECKS:
        expected = rows.filter(
            (pl.col("borough_name") == borough)
            & (pl.col("recorded_date_months").dt.date() == month)
        )["count"].sum()
        assert expected > 100, (borough, month)
        key = f"{month:%Y-%m}"
        response = client.get(
            reverse("public:borough_data"), {"borough": borough, "start": key, "end": key}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-month="{key}">{expected:,}</td>' in html, (borough, month, expected)


OTHER_FLAGGED = "Other flagged offences outside of VAWG"
BOROUGH_POPULATION = "population/census2021_ts008_sex_borough_lad24_london_derived.csv"


@pytest.mark.slow  # stores a year of the Met's location and classification rows: about 5 s
def test_dashboard_rate_and_other_flagged_share_match_the_files(
    client: Client, real_data_dir: Path
) -> None:
    """The dashboard's London rate per 1,000 female residents and its "other flagged" share,
    against sums made here from the Met's parquet and the ONS borough file (which the site does
    not read: it adds up the ward file)."""
    from vawg_site.common import geography

    geography.cache_clear()
    start, end = date(2024, 9, 1), date(2025, 8, 1)
    frame = pl.read_parquet(real_data_dir / "mps" / "vawg-offences.parquet").filter(
        pl.col("recorded_date_months").dt.date().is_between(start, end)
    )
    location = frame.filter(pl.col("sheet") == LOCATION_SHEET)
    groups = frame.filter(pl.col("sheet") == "Offence count classification")
    VawgCount.objects.bulk_create(
        (
            VawgCount(
                natural_key=uuid4().hex,
                measure=VawgCount.Measure.OFFENCES,
                sheet=VawgCount.Sheet.LOCATION,
                borough=row["borough_name"] or "",
                month=row["recorded_date_months"].date(),
                count=row["count"],
            )
            for row in location.iter_rows(named=True)
        ),
        batch_size=5000,
    )
    VawgCount.objects.bulk_create(
        (
            VawgCount(
                natural_key=uuid4().hex,
                measure=VawgCount.Measure.OFFENCES,
                sheet=VawgCount.Sheet.CLASSIFICATION,
                offence_group=row["crimsec_group"] or "",
                month=row["recorded_date_months"].date(),
                count=row["count"],
            )
            for row in groups.iter_rows(named=True)
        ),
        batch_size=5000,
    )
    population = pl.read_csv(real_data_dir / BOROUGH_POPULATION)
    force = population.filter(pl.col("LAD24NM") != "City of London")
    placed = location.filter(pl.col("borough_name").is_in(force["LAD24NM"].to_list()))
    london_rate = placed["count"].sum() / force["female"].sum() * 1000
    outside = groups.filter(pl.col("crimsec_group") == OTHER_FLAGGED)["count"].sum()
    share = outside / groups["count"].sum() * 100

    html = client.get("/data/", {"start": "2024-09", "end": "2025-08"}).content.decode()
    assert f"that is <strong>{london_rate:.1f}</strong> per 1,000 female residents" in html
    assert f"<strong>{outside:,}</strong> offences" in html
    assert f"{share:.1f}% of its published total of {groups['count'].sum():,}" in html
