"""What the readers of every data.police.uk file share: the kinds of record and their tables, the
batch a file is read into, crime types, LSOA vintages and the rules a row is checked by.

LSOA codes are stored as published and each row notes the codes' vintage (``lsoa_vintage``),
decided from the codes of its file: ``2021`` when one is a 2021-only code (numbered after the last
2011 code, E01033768 / W01001958), ``2011`` when one is a London 2011 code that the 2021 LSOAs
ended, ``mixed`` when both occur, ``either`` when every code exists in both vintages (the areas
did not change), blank when the file has no codes. Police forces moved to 2021 codes at different
times: in March 2023 the City of London still published 2011 codes while Bedfordshire and BTP
published 2021 codes. Coordinates are checked against a generous box around Great Britain
(:data:`LAT_RANGE`, :data:`LON_RANGE`). Method: data.police.uk, "About the data".
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl

from vawg.ingest.common import Rejection, rejections_from
from vawg.schemas import (
    POLICE_UK_OUTCOMES_FILE,
    POLICE_UK_STOP_SEARCH_FILE,
    POLICE_UK_STREET_FILE,
    STREET_CRIME,
    STREET_OUTCOME,
    Schema,
)
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE

CSV_COLUMNS = POLICE_UK_STREET_FILE.names
"""The header of a street-level CSV file (:data:`vawg.schemas.POLICE_UK_STREET_FILE`)."""

OUTCOME_CSV_COLUMNS = POLICE_UK_OUTCOMES_FILE.names
"""The header of an outcomes CSV file (:data:`vawg.schemas.POLICE_UK_OUTCOMES_FILE`)."""

STOP_SEARCH_CSV_COLUMNS = POLICE_UK_STOP_SEARCH_FILE.names
"""The header of a stop-and-search CSV file (:data:`vawg.schemas.POLICE_UK_STOP_SEARCH_FILE`)."""

STREET = "street"
OUTCOME = "outcome"
STOP_SEARCH = "stop-search"

COLUMNS = STREET_CRIME.names
"""Columns of the normalised street table (:data:`vawg.schemas.STREET_CRIME`, the order of
``opendata.StreetCrime``'s fields). ``month`` is a ``pl.Date`` (first day of the month),
``longitude``/``latitude`` are WGS84 degrees (``pl.Float64``, null when the record has no
location), everything else is a string ("" when blank)."""

OUTCOME_COLUMNS = STREET_OUTCOME.names
"""Columns of the normalised outcomes table (:data:`vawg.schemas.STREET_OUTCOME`);
``occurrence`` is Int64."""

STOP_SEARCH_COLUMNS = STOP_SEARCH_TABLE.names
"""Columns of the normalised stop-and-search table (:data:`vawg.schemas.STOP_SEARCH`):
``searched_at`` is a UTC ``pl.Datetime``, ``month`` a ``pl.Date``, the three flags nullable
``pl.Boolean``."""

# Great Britain (with Northern Ireland, whose force publishes on police.uk too), generously.
LAT_RANGE = (49.0, 61.5)
LON_RANGE = (-9.0, 2.5)

LSOA11_LAST = {"E01": 33768, "W01": 1958}
"""The highest LSOA 2011 code number in England and Wales; higher numbers are 2021 codes."""


@dataclass(frozen=True)
class PoliceUkBatch:
    """Normalised rows of one kind from one file (or one chunk of a large CSV file).

    ``read == rows.height + duplicates + len(rejections)``. ``kind`` is ``street``, ``outcome``
    or ``stop-search``; ``rows`` has :data:`COLUMNS`, :data:`OUTCOME_COLUMNS` or
    :data:`STOP_SEARCH_COLUMNS` accordingly. A file recognised but not loaded gives ``skipped``.
    """

    kind: str
    file: str
    rows: pl.DataFrame
    read: int
    duplicates: int
    rejections: tuple[Rejection, ...]
    skipped: str = ""


@cache
def category_table() -> dict[str, str]:
    """Crime type (CSV label or API slug, lower case) -> API slug, from the shipped table.

    >>> category_table()["violence and sexual offences"], category_table()["violent-crime"]
    ('violent-crime', 'violent-crime')
    """
    text = resources.files("vawg.data").joinpath("police_uk_categories.csv").read_text("utf-8")
    table: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["label"].strip().lower()] = row["slug"]
        table[row["slug"].strip().lower()] = row["slug"]
    return table


def category_slug(name: str) -> str | None:
    """The API slug for a CSV label or slug, or None when unknown.

    >>> category_slug("Anti-social behaviour"), category_slug("nonsense")
    ('anti-social-behaviour', None)
    """
    return category_table().get(name.strip().lower())


def lsoa_vintage(codes: Iterable[str]) -> str:
    """The vintage of a file's LSOA codes: ``2011``, ``2021``, ``mixed``, ``either`` or "".

    >>> lsoa_vintage(["E01035408", "E01000001"]), lsoa_vintage(["E01000010"])
    ('2021', '2011')
    >>> lsoa_vintage(["E01000001"]), lsoa_vintage([])
    ('either', '')
    """
    only11 = _lsoa11_only()
    new = old = seen = False
    for code in codes:
        if not code:
            continue
        seen = True
        last = LSOA11_LAST.get(code[:3])
        if last is not None and code[3:].isdigit() and int(code[3:]) > last:
            new = True
        elif code in only11:
            old = True
    if new and old:
        return "mixed"
    if new:
        return "2021"
    if old:
        return "2011"
    return "either" if seen else ""


@cache
def _lsoa11_only() -> frozenset[str]:
    text = resources.files("vawg.ingest").joinpath("lsoa2011_only_london.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def raw_text(columns: Iterable[str]) -> pl.Expr:
    """The columns joined by commas, as a rejected row's raw text, whole."""
    return pl.concat_str([pl.col(c) for c in columns], separator=",")


def read_columns(schema: Schema) -> list[pl.Expr]:
    """A file's columns named as the reader names them (:attr:`vawg.schemas.Column.read_as`)."""
    return [pl.col(c.name).alias(c.read_name) for c in schema.columns]


def month_rule() -> tuple[pl.Expr, pl.Expr]:
    """The rule (condition, reason) for ``month_raw`` parsed to ``month``
    (:func:`month_column`): a ``YYYY-MM`` month."""
    bad = pl.col("month").is_null() | (pl.col("month_raw").str.len_chars() != 7)
    return bad, pl.format("month '{}' is not YYYY-MM", pl.col("month_raw"))


def month_column() -> pl.Expr:
    """``month``: the first day of the month of ``month_raw`` (``YYYY-MM``), null when not one."""
    return (
        pl.concat_str(pl.col("month_raw"), pl.lit("-01"))
        .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        .alias("month")
    )


def coordinate_columns() -> list[pl.Expr]:
    """``longitude`` and ``latitude`` (WGS84 degrees) parsed from ``lon_raw``/``lat_raw``."""
    return [
        pl.col("lon_raw").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("lat_raw").cast(pl.Float64, strict=False).alias("latitude"),
    ]


def coordinate_rules() -> list[tuple[pl.Expr, pl.Expr]]:
    """Rules (condition, reason) for ``lon_raw``/``lat_raw`` parsed to ``longitude``/``latitude``:
    numbers, both or neither, finite, inside Great Britain (:data:`LAT_RANGE`, :data:`LON_RANGE`).
    """
    lon, lat = pl.col("longitude"), pl.col("latitude")
    return [
        (
            (pl.col("lon_raw") != "") & lon.is_null(),
            pl.format("longitude '{}' is not a number", pl.col("lon_raw")),
        ),
        (
            (pl.col("lat_raw") != "") & lat.is_null(),
            pl.format("latitude '{}' is not a number", pl.col("lat_raw")),
        ),
        (lon.is_null() != lat.is_null(), pl.lit("only one of longitude and latitude is given")),
        (
            ~lon.is_finite() | ~lat.is_finite(),
            pl.format(
                "coordinates '{}', '{}' are not finite numbers",
                pl.col("lon_raw"),
                pl.col("lat_raw"),
            ),
        ),
        (
            ~lat.is_between(*LAT_RANGE) | ~lon.is_between(*LON_RANGE),
            pl.format(
                "coordinates {}, {} outside Great Britain (longitude {}..{}, latitude {}..{})",
                pl.col("lon_raw"),
                pl.col("lat_raw"),
                pl.lit(LON_RANGE[0]),
                pl.lit(LON_RANGE[1]),
                pl.lit(LAT_RANGE[0]),
                pl.lit(LAT_RANGE[1]),
            ),
        ),
    ]


def _first_reason(rules: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for condition, message in reversed(rules):
        reason = pl.when(condition.fill_null(False)).then(message).otherwise(reason)
    return reason


def rows_split(
    frame: pl.DataFrame,
    rules: list[tuple[pl.Expr, pl.Expr]],
    *,
    file: str,
    raw: Callable[[int], str] | None = None,
) -> tuple[pl.DataFrame, list[Rejection]]:
    """Rows that break no rule, and a rejection (the first rule broken) for each other row."""
    frame = frame.with_columns(_first_reason(rules).alias("_reason"))
    bad = frame.filter(pl.col("_reason").is_not_null())
    if raw is not None:
        bad = bad.with_columns(
            pl.Series("_raw", [raw(line) for line in bad["_line"].to_list()], dtype=pl.String)
        )
    return frame.filter(pl.col("_reason").is_null()), rejections_from(
        bad, file=file, columns=["_raw"]
    )


def occurrences_number(keys: list[str], counter: dict[str, int]) -> list[int]:
    """For each key, how many times it was seen before (in this file: ``counter`` carries the
    counts from one chunk to the next)."""
    numbers = []
    for key in keys:
        seen = counter.get(key, 0)
        counter[key] = seen + 1
        numbers.append(seen)
    return numbers


def text_sha1(text: str) -> str:
    """The SHA-1 hex digest of ``text`` (UTF-8), an identity, not a security measure."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
