"""Rates per 1,000 female residents: known answers, caveat flags, and the real ward file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vawg.rates import WARD_POPULATION_FILE, rate_per_1000, ward_population_read, ward_rates


def test_rate_known_answers() -> None:
    assert rate_per_1000(10, 2000) == 5.0
    assert rate_per_1000(0, 2000) == 0.0
    assert rate_per_1000(5, 0) is None


def test_ward_rates_keep_every_ward_and_flag_caveats() -> None:
    pop = pl.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3"],
            "ward_name": ["One", "Two", "Bishopsgate"],
            "borough": ["Camden", "Ealing", "City of London"],
            "n_lsoa21": [7, 2, 1],
            "female": [5000, 2500, 400],
        }
    )
    counts = pl.DataFrame({"ward_code": ["W1", "W3", "ZZ"], "count": [50, 4, 99]})
    out = ward_rates(counts=counts, population=pop)
    assert out["ward_code"].to_list() == ["W1", "W2", "W3"]  # unknown code ZZ dropped
    assert out["rate_per_1000"].to_list() == [10.0, 0.0, 10.0]
    assert out["few_lsoas"].to_list() == [False, True, True]
    assert out["city_of_london"].to_list() == [False, False, True]


@pytest.mark.realdata
def test_real_ward_file_sums_to_the_census_female_total(real_data_dir: Path) -> None:
    pop = ward_population_read(real_data_dir / WARD_POPULATION_FILE)
    assert pop.height == 684
    # ONS Census 2021 TS008 on 2021 LSOAs: London sum F 4,531,662.
    assert int(pop["female"].sum()) == 4_531_662
