"""The analysis settings table: defaults, checked values, and the settings the site runs with."""

from __future__ import annotations

import pytest
from django.conf import settings

from vawg_site.config.analysis import ANALYSIS_SETTINGS, Analysis, analysis_read


def test_the_defaults_are_what_the_table_says() -> None:
    assert analysis_read({}) == Analysis(
        hotspot_score="counts",
        hotspot_permutations=999,
        hotspot_seed=0,
        hotspot_cell_m=1000,
        hotspot_months=12,
    )
    assert analysis_read() == settings.VAWG_ANALYSIS


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("VAWG_HOTSPOT_SCORE", "emerging"),
        ("VAWG_HOTSPOT_PERMUTATIONS", "9"),
        ("VAWG_HOTSPOT_PERMUTATIONS", "many"),
        ("VAWG_HOTSPOT_SEED", "-1"),
        ("VAWG_HOTSPOT_CELL_M", "750"),
        ("VAWG_HOTSPOT_MONTHS", "0"),
    ],
)
def test_a_value_outside_the_table_stops_the_site_with_the_name(name: str, raw: str) -> None:
    with pytest.raises(ValueError, match=name):
        analysis_read({name: raw})


def test_a_value_inside_the_table_is_taken() -> None:
    got = analysis_read({"VAWG_HOTSPOT_SCORE": "Recency", "VAWG_HOTSPOT_CELL_M": "500"})
    assert (got.hotspot_score, got.hotspot_cell_m) == ("recency", 500)


def test_every_entry_has_words_and_a_unit() -> None:
    for s in ANALYSIS_SETTINGS.values():
        assert s.name.startswith("VAWG_")
        assert s.unit
        assert len(s.help) > 20
        s.parse(s.default)
