"""MoPI retention groups of crimes and review dates (docs/retention.md), on inputs small enough
to check by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from vawg.retention import crimes_retention_group, review_date_next, years_after
from vawg.taxonomy import crimes_classify, taxonomy_load

YEARS = {1: 10, 2: 10, 3: 6}


@pytest.mark.parametrize(
    ("code", "domestic_abuse", "female_victim", "expected"),
    [
        ("19C", False, True, 1),  # rape
        ("20A", False, True, 1),  # sexual assault
        ("8Q", False, False, 1),  # stalking
        ("8U", False, True, 1),  # controlling or coercive behaviour
        ("1", False, False, 1),  # murder, whoever the victim
        ("5A", False, False, 1),  # wounding with intent
        ("8S", False, False, 1),  # non-fatal strangulation
        ("8G", True, False, 1),  # actual bodily harm, domestic
        ("8G", False, True, 2),  # actual bodily harm of a woman: VAWG, not domestic
        ("8G", False, False, 2),  # actual bodily harm: violence
        ("8L", False, False, 2),  # harassment
        ("58A", True, False, 2),  # criminal damage, domestic: VAWG by the flag
        ("34B", False, False, 2),  # robbery
        ("56A", False, False, 2),  # arson endangering life
        ("58A", False, False, 3),  # criminal damage
        ("46", False, False, 3),  # shoplifting
        ("ZZ9", False, False, 3),  # a code the taxonomy does not know
    ],
)
def test_a_crimes_group(
    code: str, domestic_abuse: bool, female_victim: bool, expected: int
) -> None:
    taxonomy = taxonomy_load()
    frame = pl.LazyFrame(
        {
            "offence_code": [code],
            "domestic_abuse": [domestic_abuse],
            "female_victim": [female_victim],
        }
    )
    classified = crimes_classify(frame, taxonomy=taxonomy).with_columns(
        pl.col("offence_code")
        .replace_strict(taxonomy.code_map("ho_subgroup"), default=None, return_dtype=pl.String)
        .alias("ho_subgroup")
    )
    assert crimes_retention_group(classified).collect()["retention_group"].item() == expected


def test_the_date_arithmetic() -> None:
    assert years_after(dt.date(2016, 2, 29), 10) == dt.date(2026, 2, 28)
    assert years_after(dt.date(2016, 2, 29), 4) == dt.date(2020, 2, 29)
    with pytest.raises(ValueError, match="negative"):
        years_after(dt.date(2016, 1, 1), -1)
    kept = {"kept_on": dt.date(2025, 1, 1), "kept_until": dt.date(2026, 6, 1)}
    today = dt.date(2025, 2, 1)
    # Events the reviewer saw leave the decision as it is, even an earlier date than computed.
    assert review_date_next(
        group=1, latest_event=dt.date(2024, 12, 31), review_years=YEARS, today=today, **kept
    ) == dt.date(2026, 6, 1)
    # A later event moves the review later, never earlier.
    assert review_date_next(
        group=3, latest_event=dt.date(2025, 1, 2), review_years=YEARS, today=today, **kept
    ) == dt.date(2031, 1, 2)
    assert review_date_next(
        group=3, latest_event=dt.date(2025, 1, 2), review_years={1: 1, 2: 1, 3: 1},
        today=today, **kept,
    ) == dt.date(2026, 6, 1)  # fmt: skip
    with pytest.raises(ValueError, match="group 4"):
        review_date_next(group=4, latest_event=None, review_years=YEARS, today=today)
