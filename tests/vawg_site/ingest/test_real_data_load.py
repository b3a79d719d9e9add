"""Loading the real open data into the database: counts reconcile and re-loading adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg_site.ingest.services import mps_vawg_load, police_uk_load
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.opendata.selectors import met

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]


def test_the_2017_01_api_month_loads(real_data_dir: Path) -> None:
    path = real_data_dir / "police_uk" / "api" / "london-2017-01-crimes-street-api.json.gz"
    first = police_uk_load(paths=[path])
    assert first.read == 57_702
    assert first.read == first.loaded + first.duplicates + first.rejected
    assert StreetCrime.objects.count() == first.loaded
    again = police_uk_load(paths=[path])
    assert (again.loaded, again.duplicates) == (0, 57_702)


def test_the_alternative_snapshot_updates_outcomes_in_place(real_data_dir: Path) -> None:
    name = "2023-03-city-of-london-street.csv.gz"
    first = police_uk_load(paths=[real_data_dir / "police_uk" / name])
    later = police_uk_load(paths=[real_data_dir / "police_uk" / "alt_snapshot" / name])
    assert later.read == 709
    assert later.updated == later.loaded > 0  # outcomes changed; no new crimes
    assert StreetCrime.objects.count() == first.loaded


@pytest.mark.slow
def test_everything_under_police_uk_loads(real_data_dir: Path) -> None:
    result = police_uk_load(paths=[real_data_dir / "police_uk"])
    assert result.read == 834_388  # 805,514 street + 24,775 outcomes + 4,099 stop-and-search
    assert result.read == result.loaded + result.duplicates + result.rejected
    kinds = result.details["by_kind"]
    assert (kinds["street"]["read"], kinds["outcome"]["read"]) == (805_514, 24_775)
    assert StreetCrime.objects.count() == kinds["street"]["loaded"]
    assert police_uk_load(paths=[real_data_dir / "police_uk"]).loaded == 0


@pytest.mark.slow
def test_both_vawg_extracts_load(real_data_dir: Path) -> None:
    mps = real_data_dir / "mps"
    paths = [mps / "vawg-offences.parquet", mps / "vawg-victims.parquet"]
    result = mps_vawg_load(paths=paths)
    assert (result.read, result.loaded, result.rejected) == (783_609, 783_609, 0)
    assert VawgCount.objects.count() == 783_609
    assert len([b for b in met.borough_names() if b not in met.NOT_A_BOROUGH]) == 32
    first, last = met.offence_month_span() or (None, None)
    assert (first.isoformat(), last.isoformat()) == ("2014-01-01", "2025-08-01")
    camden = met.vawg_month_series(measure="offences", start=first, end=last, borough="Camden")
    assert camden[0].month.isoformat() == "2014-01-01"
    assert all(r.offences > 0 for r in camden)
    assert mps_vawg_load(paths=paths).loaded == 0
