"""Stop and search of data.police.uk (``YYYY-MM-force-stop-and-search.csv``), normalised to
:data:`vawg.schemas.STOP_SEARCH` (``opendata.StopSearch``).

The rows have no identifier: a row's identity is the SHA-1 of the force (from the file name) and
every published field, with an occurrence number among identical rows of the file. ``Date`` is an
ISO date-time, with or without an offset, stored in UTC; the three flags are ``True``, ``False``
or blank (null).
"""

from __future__ import annotations

import re

import polars as pl

from vawg.ingest.common import CsvTable, SourceFile
from vawg.ingest.plausible import plausibility_rules
from vawg.ingest.police_uk.rules import (
    STOP_SEARCH,
    STOP_SEARCH_COLUMNS,
    STOP_SEARCH_CSV_COLUMNS,
    PoliceUkBatch,
    coordinate_columns,
    coordinate_rules,
    occurrences_number,
    raw_text,
    read_columns,
    rows_split,
    text_sha1,
)
from vawg.schemas import POLICE_UK_STOP_SEARCH_FILE
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE

_FORCE_FROM_NAME = re.compile(r"^\d{4}-\d{2}-(.+)-stop-and-search\.csv$")

_FLAGS = {"true": True, "false": False}


def _flag(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_lowercase()
        .replace_strict(_FLAGS, default=None, return_dtype=pl.Boolean)
    )


def _bad_flag(column: str, name: str) -> tuple[pl.Expr, pl.Expr]:
    return (
        (pl.col(column) != "") & _flag(column).is_null(),
        pl.format(f"{name} '{{}}' is not True or False", pl.col(column)),
    )


def stop_search_csv(chunk: CsvTable, source: SourceFile, counter: dict[str, int]) -> PoliceUkBatch:
    """A chunk of a stop-and-search CSV file, normalised and keyed (``counter`` carries the
    occurrence numbers from one chunk of the file to the next)."""
    rows = chunk.rows
    file = source.name
    match = _FORCE_FROM_NAME.match(source.inner_name)
    force = match.group(1) if match else ""
    frame = rows.select(
        pl.lit(force).alias("force"),
        *read_columns(POLICE_UK_STOP_SEARCH_FILE),
        pl.col("_line"),
        raw_text(STOP_SEARCH_CSV_COLUMNS).alias("_raw"),
    )
    aware = pl.col("date_raw").str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us", time_zone="UTC"
    )
    naive = (
        pl.col("date_raw")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
        .dt.replace_time_zone("UTC")
    )
    frame = frame.with_columns(
        pl.coalesce(aware, naive).alias("searched_at"), *coordinate_columns()
    )
    rules = [
        (pl.col("search_type") == "", pl.lit("Type is blank")),
        (
            pl.col("searched_at").is_null(),
            pl.format("Date '{}' is not an ISO date and time", pl.col("date_raw")),
        ),
        _bad_flag("operation_raw", "Part of a policing operation"),
        _bad_flag("linked_raw", "Outcome linked to object of search"),
        _bad_flag("removal_raw", "Removal of more than just outer clothing"),
        *coordinate_rules(),
        *plausibility_rules(STOP_SEARCH_TABLE, frame.columns),
    ]
    good, bad = rows_split(frame, rules, file=file)
    hashed = ("force", *[c for c in frame.columns if c.endswith("_raw") or c in _SEARCH_TEXT])
    contents = good.select(pl.concat_str(sorted(hashed), separator="\x1f")).to_series().to_list()
    digests = [text_sha1(text) for text in contents]
    numbers = occurrences_number(digests, counter)
    keys = [f"{d}:{n}" for d, n in zip(digests, numbers, strict=True)]
    out = good.with_columns(
        pl.Series("search_key", keys, dtype=pl.String),
        pl.col("searched_at").dt.truncate("1mo").dt.date().alias("month"),
        _flag("operation_raw").alias("part_of_operation"),
        _flag("linked_raw").alias("outcome_linked"),
        _flag("removal_raw").alias("removal_of_clothing"),
    ).select(STOP_SEARCH_COLUMNS)
    rejections = sorted([*chunk.rejections, *bad], key=lambda r: r.line)
    read = rows.height + len(chunk.rejections)
    return PoliceUkBatch(STOP_SEARCH, file, out, read, 0, tuple(rejections))


_SEARCH_TEXT = (
    "search_type",
    "operation_name",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
)
