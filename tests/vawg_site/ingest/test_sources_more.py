"""Issue 3 on the real files: outcomes and stop-and-search stored, a republished month reports
what it updated, LSOA vintages noted, unmatched wards listed, unknown offence codes flagged."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from vawg.ingest.police_uk import category_slug, category_table
from vawg_site.ingest.models import IngestRun
from vawg_site.ingest.services import force_load, mps_vawg_load, police_uk_load
from vawg_site.opendata.models import StopSearch, StreetCrime, StreetOutcome
from vawg_site.records.models import Crime

pytestmark = pytest.mark.django_db


def test_csv_labels_and_api_slugs_are_one_category_set(real_data_dir: Path) -> None:
    slugs = set(category_table().values())
    labels = set()
    for path in (real_data_dir / "police_uk").glob("*street.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            labels |= {row["Crime type"] for row in csv.DictReader(handle)}
    assert all(category_slug(label) in slugs for label in labels)
    assert category_slug("Violence and sexual offences") == category_slug("violent-crime")


@pytest.mark.realdata
def test_outcomes_and_stop_and_search_load_and_link(real_data_dir: Path) -> None:
    police = real_data_dir / "police_uk"
    names = [
        "2023-03-city-of-london-street.csv.gz",
        "2023-03-city-of-london-outcomes.csv.gz",
        "2023-03-city-of-london-stop-and-search.csv.gz",
    ]
    result = police_uk_load(paths=[police / n for n in names])
    assert result.read == result.loaded + result.duplicates + result.rejected
    kinds = result.details["by_kind"]
    assert (kinds["outcome"]["read"], kinds["outcome"]["loaded"]) == (618, 618)
    assert (kinds["stop-search"]["read"], kinds["stop-search"]["loaded"]) == (197, 197)
    assert StreetOutcome.objects.count() == 618
    assert StopSearch.objects.filter(force="city-of-london").count() == 197
    linked = StreetOutcome.objects.filter(
        crime_id__in=StreetCrime.objects.values("crime_key")
    ).count()
    assert 0 < linked < 618
    assert StreetCrime.objects.filter(lsoa_vintage="2011").count() > 0
    assert result.details["lsoa_vintages"][str(police / names[0])] == "2011"
    again = police_uk_load(paths=[police / n for n in names])
    assert (again.loaded, again.inserted) == (0, 0)


@pytest.mark.realdata
def test_a_republished_month_reports_its_updates(real_data_dir: Path) -> None:
    name = "2023-03-city-of-london-street.csv.gz"
    police_uk_load(paths=[real_data_dir / "police_uk" / name])
    later = police_uk_load(paths=[real_data_dir / "police_uk" / "alt_snapshot" / name])
    payload = later.as_json()
    assert payload["inserted"] == 0
    assert 200 <= payload["updated"] <= 240  # 225 of the 233 changed rows are kept rows
    assert payload["updated"] + payload["unchanged"] + payload["repeated"] == 709


@pytest.mark.realdata
@pytest.mark.slow
def test_unmatched_wards_are_listed_in_json_and_kept_with_the_run(real_data_dir: Path) -> None:
    result = mps_vawg_load(paths=[real_data_dir / "mps" / "vawg-offences.parquet"])
    wards = result.as_json()["unmatched_wards"]
    assert {"borough": "Barnet", "ward_name": "Colindale"} in [
        {"borough": w["borough"], "ward_name": w["ward_name"]} for w in wards
    ]
    run = IngestRun.objects.get(pk=result.run_id)
    assert run.details["unmatched_wards"] == wards


def test_unknown_offence_codes_are_flagged_not_dropped(force_dir: Path) -> None:
    crimes = force_dir / "crimes.csv"
    crimes.write_text(
        crimes.read_text().replace("C2,2024-02-01,,19C", "C2,2024-02-01,,ZZ9")
        + "C6,2024-02-01,,8Q,Nan coordinate,N,nan,-0.1,,\n"
    )
    result = force_load(path=force_dir)
    assert Crime.objects.get(crime_ref="C2").offence_code_known is False
    assert Crime.objects.get(crime_ref="C1").offence_code_known is True
    assert result.as_json()["unknown_offence_codes"] == [{"offence_code": "ZZ9", "crimes": 1}]
    reasons = {r.line: r.reason for r in result.rejections if r.file.endswith("crimes.csv")}
    assert reasons[7] == "a coordinate is not a finite number"
