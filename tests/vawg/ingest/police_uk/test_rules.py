"""What the police.uk readers share: one category set for CSV labels and API slugs, LSOA
vintages, and the coordinate rules."""

from __future__ import annotations

import polars as pl

from vawg.ingest.police_uk import category_slug, coordinate_rules, lsoa_vintage


def test_labels_and_slugs_map_to_one_category_set() -> None:
    assert category_slug("Violence and sexual offences") == category_slug("violent-crime")
    assert category_slug("Criminal damage and arson") == "criminal-damage-arson"


def test_a_file_mixing_2011_only_and_2021_only_codes_is_mixed() -> None:
    assert lsoa_vintage(["E01000010", "E01035408", ""]) == "mixed"
    assert lsoa_vintage(["W01001959"]) == "2021"


def test_coordinates_outside_great_britain_break_the_last_rule() -> None:
    frame = pl.DataFrame(
        {"lon_raw": ["-0.1", "-3.7", "x"], "lat_raw": ["51.5", "40.4", "51.5"]}
    ).with_columns(
        pl.col("lon_raw").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("lat_raw").cast(pl.Float64, strict=False).alias("latitude"),
    )
    broken = frame.select(
        [
            condition.fill_null(False).alias(f"rule{n}")
            for n, (condition, _) in enumerate(coordinate_rules())
        ]
    )
    assert broken.row(0) == (False, False, False, False, False)
    assert broken.row(1)[-1] is True
    assert broken.row(2)[0] is True
