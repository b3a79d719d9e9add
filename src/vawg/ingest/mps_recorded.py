"""Reading the Met's recorded crime by borough, ward and LSOA (London Datastore, "MPS Recorded
Crime: Geographic Breakdown"), as published: all crime, not VAWG.

The files are wide: one row per (area, major category, minor category) and one column per
month (``202403``, ``202404``, ...). Each (row, month) cell is one count; the reader turns them
into a long table, one row per cell, so ``read`` counts cells. Three layouts are recognised by
their columns:

==========  ==========================================================================
level       columns besides the months
==========  ==========================================================================
borough     ``majortext``, ``minortext``, ``boroughname``
ward        ``majortext``, ``minortext``, ``wardname``, ``wardcode``, ``lookup_boroughname``
lsoa        ``lsoa_code``, ``lsoa_name``, ``borough``, ``major_category``, ``minor_category``
==========  ==========================================================================

Identity is (level, area code, area name, major, minor, month). The historical and current files
overlap by a month (February 2024 in the ward files); files are read in sorted path order, so
``recorded-crime-ward.parquet`` comes after ``recorded-crime-ward-historical.parquet`` and its
count is kept (the other is a duplicate). A blank count is an empty cell and rejected with its
reason, as is a negative one; a file of another layout raises
:class:`~vawg.errors.UserInputError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import ReadResult, Rejection, SourceFile, source_files
from vawg.ingest.limits import parquet_read
from vawg.ingest.plausible import first_reason, plausibility_rules
from vawg.periods import month_parse_compact
from vawg.schemas import RECORDED_CRIME_COUNT

COLUMNS = RECORDED_CRIME_COUNT.names
"""The normalised long table (:data:`vawg.schemas.RECORDED_CRIME_COUNT`)."""

IDENTITY = RECORDED_CRIME_COUNT.identity

_LAYOUTS: dict[str, dict[str, str]] = {
    "borough": {
        "boroughname": "area_name",
        "majortext": "major_category",
        "minortext": "minor_category",
    },
    "ward": {
        "wardcode": "area_code",
        "wardname": "area_name",
        "lookup_boroughname": "borough",
        "majortext": "major_category",
        "minortext": "minor_category",
    },
    "lsoa": {
        "lsoa_code": "area_code",
        "lsoa_name": "area_name",
        "borough": "borough",
        "major_category": "major_category",
        "minor_category": "minor_category",
    },
}
WIDE_ROWS_PER_SLICE = 2_000
"""Wide rows turned long at a time (about 330,000 cells for the 167-month historical files)."""
_MONTH = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")


def _layout(columns: list[str], name: str) -> tuple[str, list[str]]:
    months = [c for c in columns if _MONTH.match(c)]
    others = {c for c in columns if c not in months}
    for level, renames in _LAYOUTS.items():
        if others == set(renames) and months:
            return level, months
    found = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    raise UserInputError(
        f"{name}: not a Met recorded-crime file (expected the borough, ward or LSOA layout with "
        f"YYYYMM month columns; found {found})"
    )


def _read_file(source: SourceFile) -> tuple[pl.DataFrame, list[Rejection], int, int]:
    table = parquet_read(source.read_bytes(), name=source.name)
    level, months = _layout(table.columns, source.name)
    renames = _LAYOUTS[level]
    wide = table.with_columns(
        pl.int_range(1, table.height + 1, dtype=pl.Int64).alias("_line")
    ).select(
        # Categorical: the same few thousand names repeat on millions of cells.
        *[
            pl.col(c).cast(pl.String).fill_null("").cast(pl.Categorical).alias(new)
            for c, new in renames.items()
        ],
        *[pl.col(m).cast(pl.Int64, strict=False).alias(m) for m in months],
        pl.col("_line"),
    )
    # A row repeated in the file (same area and categories): the last one read is kept, and
    # every cell of the others counts as a duplicate.
    repeated = wide.height
    wide = wide.unique(
        subset=[c for c in renames.values() if c in IDENTITY], keep="last", maintain_order=True
    )
    repeated = (repeated - wide.height) * len(months)
    month_dates = pl.DataFrame(
        {"_m": months, "month": [month_parse_compact(m) for m in months]},
        schema={"_m": pl.String, "month": pl.Date},
    )
    good: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    # A slice of wide rows at a time, so that the long copy never holds a whole file.
    for start in range(0, wide.height, WIDE_ROWS_PER_SLICE):
        long = (
            wide.slice(start, WIDE_ROWS_PER_SLICE)
            .unpivot(index=[*renames.values(), "_line"], on=months, variable_name="_m")
            .join(month_dates, on="_m", how="left")
            .rename({"value": "count"})
            .with_columns(pl.lit(level, dtype=pl.Categorical).alias("level"))
        )
        for column in ("area_code", "borough"):
            if column not in long.columns:
                long = long.with_columns(pl.lit("", dtype=pl.Categorical).alias(column))
        long = long.with_columns(
            pl.when(pl.col("count").is_null())
            .then(pl.format("month {}: count is blank or not a whole number", pl.col("_m")))
            .when(pl.col("count") < 0)
            .then(pl.format("month {}: count {} is negative", pl.col("_m"), pl.col("count")))
            .otherwise(
                pl.format(
                    "month {}: {}",
                    pl.col("_m"),
                    first_reason(plausibility_rules(RECORDED_CRIME_COUNT, long.columns)),
                )
            )
            .alias("_reason")
        )
        bad = long.filter(pl.col("_reason").is_not_null())
        rejections.extend(
            Rejection(file=source.name, line=line, reason=reason)
            for line, reason in bad.select("_line", "_reason").iter_rows()
        )
        good.append(long.filter(pl.col("_reason").is_null()).select(COLUMNS))
    rows = pl.concat(good) if good else RECORDED_CRIME_COUNT.empty()
    return rows, rejections, wide.height * len(months) + repeated, repeated


def mps_recorded_read(paths: Iterable[Path]) -> ReadResult:
    """Read the recorded-crime files named by ``paths`` (files, or folders searched for
    ``recorded-crime*.parquet``) into one long table of :data:`COLUMNS`.

    ``read`` counts (row, month) cells; ``read == rows.height + duplicates + len(rejections)``.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"majortext": ["Theft"], "minortext": ["Shoplifting"],
    ...     "boroughname": ["Camden"], "202401": [5], "202402": [7]}).write_parquet(
    ...     folder / "recorded-crime-borough.parquet")
    >>> result = mps_recorded_read([folder])
    >>> result.read, result.rows["count"].to_list(), result.rows["month"].to_list()
    (2, [5, 7], [datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)])
    """
    files = source_files(paths, accept=_accept)
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    read = duplicates = 0
    for source in files:
        frame, bad, count, repeated = _read_file(source)
        frames.append(frame)
        rejections.extend(bad)
        read += count
        duplicates += repeated
    if not frames:
        return ReadResult(RECORDED_CRIME_COUNT.empty(), read, duplicates, tuple(rejections))
    # Files of one level overlap only in a month or two (the historical file's last month is
    # the current file's first): only the cells of (level, month) pairs in more than one file
    # can repeat, and only those are de-duplicated (the last read kept), which keeps memory to
    # a fraction of de-duplicating six million cells.
    spans = pl.concat(
        [
            f.select("level", "month").unique().with_columns(pl.lit(i).alias("_file"))
            for i, f in enumerate(frames)
        ]
    )
    shared = (
        spans.group_by("level", "month").agg(pl.len().alias("_files")).filter(pl.col("_files") > 1)
    ).select("level", "month")
    on = ["level", "month"]
    overlap = pl.concat([f.join(shared, on=on, how="semi", maintain_order="left") for f in frames])
    rest = [f.join(shared, on=on, how="anti", maintain_order="left") for f in frames]
    del frames
    kept = overlap.unique(subset=list(IDENTITY), keep="last", maintain_order=True)
    duplicates += overlap.height - kept.height
    return ReadResult(pl.concat([*rest, kept]), read, duplicates, tuple(rejections))


def _accept(name: str) -> bool:
    return name.startswith("recorded-crime") and name.endswith(".parquet")
