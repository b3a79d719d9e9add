"""The one ward and the one grid hotspot analysis: what the maps and the API both show."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import numpy as np
import polars as pl
import pytest
from django.test import override_settings
from tests.vawg_site.placing import placed

from vawg_site.common import geography
from vawg_site.config.analysis import analysis_read
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.opendata.selectors.hotspots import (
    _force_ward_areas,
    force_polygon,
    grid_hotspots,
    ward_hotspots,
)

pytestmark = [pytest.mark.django_db]

WEST_END, ST_JAMESS = "E05013806", "E05013805"


@pytest.fixture
def ward_counts() -> None:
    VawgCount.objects.bulk_create(
        VawgCount(
            natural_key=uuid4().hex,
            measure="offences",
            sheet="location",
            month=date(2024, m, 1),
            borough="Westminster",
            ward_name=name,
            ward_code=code,
            count=count * m,
        )
        for m in range(1, 7)
        for code, name, count in ((WEST_END, "West End", 40), (ST_JAMESS, "St James's", 3))
    )


@pytest.mark.usefixtures("ward_counts")
def test_monthly_columns_give_the_classes_of_the_period_totals(real_data_dir: Path) -> None:
    """Gi* tests the period's totals: splitting them into months changes only the trend."""
    from vawg.spatial.run import areal_hotspots

    geography.cache_clear()
    result = ward_hotspots(start=date(2024, 1, 1), end=date(2024, 6, 1))
    assert result.months == [f"2024-0{m}" for m in range(1, 7)]
    areas = _force_ward_areas()
    totals = np.zeros((areas.n, 1))
    totals[areas.codes.index(WEST_END), 0] = 40 * 21
    totals[areas.codes.index(ST_JAMESS), 0] = 3 * 21
    alone = areal_hotspots(areas=areas, counts=totals, months=["2024-01"], method="counts")
    inside = {w.code for w in geography.force_wards()}  # the City's wards are never listed
    expected = alone.table.filter(pl.col("area_code").is_in(sorted(inside)))
    assert [r.hotspot for r in result.rows] == expected["class"].to_list()
    west_end = next(r for r in result.rows if r.code == WEST_END)
    assert west_end.offences == 840
    assert west_end.trend == "increasing"
    assert west_end.borough == "Westminster"
    km2 = float(areas.area_m2[areas.codes.index(WEST_END)]) / 1e6
    assert west_end.score == pytest.approx(840 / km2)
    assert result.settings["permutations"] == 999


@pytest.mark.usefixtures("ward_counts")
def test_the_settings_table_decides_the_score_and_the_permutations(real_data_dir: Path) -> None:
    analysis = analysis_read({"VAWG_HOTSPOT_SCORE": "gistar", "VAWG_HOTSPOT_PERMUTATIONS": "99"})
    with override_settings(VAWG_ANALYSIS=analysis):
        result = ward_hotspots(start=date(2024, 1, 1), end=date(2024, 6, 1))
    assert result.settings["method"] == "gistar"
    assert result.settings["permutations"] == 99
    west_end = next(r for r in result.rows if r.code == WEST_END)
    assert west_end.score == pytest.approx(west_end.z)


def test_no_boundaries_no_ward_hotspots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path))
    assert ward_hotspots(start=date(2024, 1, 1), end=date(2024, 6, 1)).rows == ()


def test_the_grid_covers_london_and_counts_every_crime_once(real_data_dir: Path) -> None:
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    month=date(2017, 1 + i % 2, 1),
                    category="violent-crime",
                    longitude=-0.1276 + i * 1e-5,
                    latitude=51.5072,
                    source="api",
                )
                for i in range(30)
            ]
        )
    )
    result = grid_hotspots(
        category="violent-crime", start=date(2017, 1, 1), end=date(2017, 2, 1), cell_size_m=1000
    )
    assert result.crimes == 30
    assert sum(r.count for r in result.rows) == 30
    assert len(result.rows) == result.cells > 1500  # every square of the force area
    assert result.months == ["2017-01", "2017-02"]
    full = next(r for r in result.rows if r.count)
    assert (full.x, full.y, full.count) == (530500.0, 180500.0, 30.0)
    assert full.score == 30.0  # counts: crimes per square


@pytest.mark.usefixtures("ward_counts")
def test_wards_are_the_force_areas_with_observed_against_expected(real_data_dir: Path) -> None:
    geography.cache_clear()
    result = ward_hotspots(start=date(2024, 1, 1), end=date(2024, 6, 1))
    codes = {r.code for r in result.rows}
    assert codes == {w.code for w in geography.force_wards()}
    city = {w.code for w in geography.ward_list() if w.borough_code == "E09000001"}
    assert city
    assert not city & codes
    assert not any(r.city_of_london for r in result.rows)
    tested = [r for r in result.rows if r.expected is not None]
    offences = sum(r.offences for r in tested)
    female = sum(r.female for r in tested)
    assert result.rate_per_1000 == pytest.approx(offences / female * 1000)
    west_end = next(r for r in result.rows if r.code == WEST_END)
    assert west_end.expected == pytest.approx(west_end.female * offences / female)
    assert west_end.ratio == pytest.approx(840 / west_end.expected)
    assert west_end.excess == "more"
    assert west_end.excess_q is not None
    assert west_end.excess_q < 0.05
    empty = [r for r in tested if r.offences == 0]
    assert empty
    assert all(r.excess in ("fewer", "about") for r in empty)


def test_the_grid_is_clipped_to_the_force_area(real_data_dir: Path) -> None:
    """Squares only over the force area, each weighted by its land in it; crimes in the City
    of London (not policed by the Met) are left out whatever the loaded points."""
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    month=date(2017, 1, 1),
                    category="violent-crime",
                    longitude=lon,
                    latitude=lat,
                    source="api",
                )
                for lon, lat in [(-0.1276, 51.5072)] * 20 + [(-0.0918, 51.5155)] * 7
            ]  # 20 at Trafalgar Square, 7 at the Guildhall (City of London)
        )
    )
    geography.cache_clear()
    result = grid_hotspots(
        category="violent-crime", start=date(2017, 1, 1), end=date(2017, 1, 1), cell_size_m=1000
    )
    assert result.crimes == 20
    assert result.outside == 0  # the City's 7 are not the force area's: never read for the grid
    assert sum(r.count for r in result.rows) == 20
    land = sum(r.land_km2 for r in result.rows)
    area = force_polygon(tuple(sorted(geography.force_borough_codes())))
    assert land == pytest.approx(area.area / 1e6, rel=1e-6)
    assert result.rate_per_km2 == pytest.approx(20 / land)
    assert all(0 <= r.land_km2 <= 1.0 + 1e-9 for r in result.rows)
    assert any(0 < r.land_km2 < 1 for r in result.rows)  # squares cut by the boundary
    full = next(r for r in result.rows if r.count)
    assert full.excess == "more"
    assert full.expected == pytest.approx(full.land_km2 * 20 / land)
