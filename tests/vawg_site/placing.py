"""Test helper: street records made by hand get the borough the loader would give them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from vawg_site.common.geography import borough_codes_of
from vawg_site.opendata.models import StreetCrime

T = TypeVar("T", bound=Sequence[StreetCrime])


def placed(rows: T) -> T:
    """``rows`` with ``borough_code`` set by the loader's rule
    (:func:`vawg_site.common.geography.borough_codes_of`)."""
    codes = borough_codes_of(
        lsoa_code=pl.Series([r.lsoa_code for r in rows], dtype=pl.String),
        lsoa_name=pl.Series([r.lsoa_name for r in rows], dtype=pl.String),
        lon=pl.Series([r.longitude for r in rows], dtype=pl.Float64),
        lat=pl.Series([r.latitude for r in rows], dtype=pl.Float64),
    )
    for row, code in zip(rows, codes.to_list(), strict=True):
        row.borough_code = code
    return rows
