"""Reader for data.police.uk street-level crimes: the monthly CSV files and the API's
``crimes-street`` JSON, normalised to one table.

Both formats are mapped onto the columns of ``opendata.StreetCrime``; the crime type is stored as
the API slug (``violent-crime``), read from the CSV label through the shipped table
``vawg/data/police_uk_categories.csv``. Identity is (``crime_key``, ``month``):

* ``crime_key`` is the Crime ID (CSV) or ``persistent_id`` (API) when there is one;
* otherwise (anti-social behaviour, British Transport Police) it is ``sha1:<hex>:<n>``: the SHA-1
  of the row's normalised content (category, month, reported by, falls within, longitude and
  latitude as published, location, LSOA code, context, location type; *not* the outcome,
  which police.uk updates after publication, and not the row's position) and ``n``, the row's
  occurrence number among identical rows of the same file and month, so that two identical rows
  are both kept;
* a Crime ID repeated within one month (police.uk publishes the same crime again with a newer
  outcome or location: see ``SOURCES.md``) keeps the *last* row read, in file order and within a
  file in row order; the earlier rows are counted as duplicates.

Outcomes and stop-and-search CSVs are recognised by their header and skipped with a reason.
Method: data.police.uk, "About the data" and the API documentation (https://data.police.uk/docs/).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import (
    RAW_MAX_CHARS,
    ReadResult,
    Rejection,
    SkippedFile,
    SourceFile,
    csv_rows,
    rejections_from,
    source_files,
    text_decode,
)

CSV_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
"""The header of a street-level CSV file."""

OUTCOMES_MARKERS = frozenset({"Crime ID", "Month", "Outcome type"})
STOP_AND_SEARCH_MARKERS = frozenset({"Type", "Date", "Object of search"})

COLUMNS = (
    "crime_key",
    "month",
    "crime_id",
    "category",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "last_outcome",
    "context",
    "location_type",
    "source",
)
"""Columns of the normalised table, in the order of ``opendata.StreetCrime``'s fields.
``month`` is a ``pl.Date`` (first day of the month), ``longitude``/``latitude`` are WGS84 degrees
(``pl.Float64``, null when the record has no location), everything else is a string ("" when
blank)."""

_HASHED = (
    "category",
    "month_text",
    "reported_by",
    "falls_within",
    "lon_raw",
    "lat_raw",
    "location",
    "lsoa_code",
    "context",
    "location_type",
)

# The raw string columns every file is first mapped onto.
_RAW = (
    "crime_id",
    "month_raw",
    "reported_by",
    "falls_within",
    "lon_raw",
    "lat_raw",
    "location",
    "lsoa_code",
    "lsoa_name",
    "category_raw",
    "last_outcome",
    "context",
    "location_type",
)


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


def _accept(name: str) -> bool:
    return name.endswith((".csv", ".json"))


def police_uk_files(paths: Iterable[Path]) -> list[SourceFile]:
    """The CSV and JSON files named by ``paths`` (files, folders, ``.zip`` archives), in load order:
    folders and archives are taken in sorted path order."""
    return source_files(paths, accept=_accept)


def police_uk_read(
    paths: Iterable[Path], *, progress: Callable[[int, int], None] | None = None
) -> ReadResult:
    """Read and normalise street-level records from ``paths``.

    Returns the rows with one row per identity (``crime_key``, ``month``), the last read kept;
    ``progress(files_done, files_total)`` is called after each file when given. A file that cannot
    be read or has an unknown header raises :class:`~vawg.errors.UserInputError`.
    """
    files = police_uk_files(paths)
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    skipped: list[SkippedFile] = []
    read = 0
    duplicates = 0
    for done, source in enumerate(files, start=1):
        result = police_uk_read_file(source)
        read += result.read
        duplicates += result.duplicates
        rejections.extend(result.rejections)
        skipped.extend(result.skipped)
        if result.rows.height:
            frames.append(result.rows)
        if progress is not None:
            progress(done, len(files))
    rows = pl.concat(frames, how="vertical") if frames else _empty()
    before = rows.height
    rows = rows.unique(subset=["crime_key", "month"], keep="last", maintain_order=True)
    duplicates += before - rows.height
    return ReadResult(rows, read, duplicates, tuple(rejections), tuple(skipped))


def police_uk_read_file(source: SourceFile) -> ReadResult:
    """Read one CSV or JSON file (see :func:`police_uk_read`)."""
    text = text_decode(source.read_bytes())
    head = text.lstrip()[:1]
    if source.inner_name.endswith(".json") or head in ("[", "{"):
        return _read_api(text, source.name)
    return _read_csv(text, source.name)


def _empty() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {name: pl.String() for name in COLUMNS}
    schema["month"] = pl.Date()
    schema["longitude"] = pl.Float64()
    schema["latitude"] = pl.Float64()
    return pl.DataFrame(schema=schema)


def _read_csv(text: str, file: str) -> ReadResult:
    table = csv_rows(text, file=file)
    header = set(table.header)
    if not set(CSV_COLUMNS) <= header:
        if header >= OUTCOMES_MARKERS and "Crime type" not in header:
            return _skip(file, "police.uk outcomes file: not loaded yet (outcomes come in issue 3)")
        if header >= STOP_AND_SEARCH_MARKERS:
            return _skip(file, "police.uk stop-and-search file: not loaded yet (issue 3)")
        missing = [c for c in CSV_COLUMNS if c not in header]
        raise UserInputError(
            f"{file}: not a police.uk street-level CSV (missing columns: {', '.join(missing)})"
        )
    frame = table.rows.select(
        pl.col("Crime ID").alias("crime_id"),
        pl.col("Month").alias("month_raw"),
        pl.col("Reported by").alias("reported_by"),
        pl.col("Falls within").alias("falls_within"),
        pl.col("Longitude").alias("lon_raw"),
        pl.col("Latitude").alias("lat_raw"),
        pl.col("Location").alias("location"),
        pl.col("LSOA code").alias("lsoa_code"),
        pl.col("LSOA name").alias("lsoa_name"),
        pl.col("Crime type").alias("category_raw"),
        pl.col("Last outcome category").alias("last_outcome"),
        pl.col("Context").alias("context"),
        pl.when(pl.col("Reported by") == "British Transport Police")
        .then(pl.lit("BTP"))
        .otherwise(pl.lit("Force"))
        .alias("location_type"),
        pl.col("_line"),
    )
    raw_columns = list(CSV_COLUMNS)
    raw = table.rows.select(
        pl.concat_str([pl.col(c) for c in raw_columns], separator=",").str.slice(0, RAW_MAX_CHARS)
    ).to_series()
    frame = frame.with_columns(raw.alias("_raw"))
    return _normalise(frame, file=file, source="csv", extra=list(table.rejections), raw=None)


def _skip(file: str, reason: str) -> ReadResult:
    return ReadResult(_empty(), 0, 0, (), (SkippedFile(file, reason),))


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _read_api(text: str, file: str) -> ReadResult:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserInputError(f"{file}: not valid JSON ({error})") from error
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise UserInputError(f"{file}: expected a JSON array of crimes-street records")
    columns: dict[str, list[str]] = {name: [] for name in _RAW}
    lines: list[int] = []
    bad: list[Rejection] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            bad.append(Rejection(file, number, "not a JSON object", _text(record)[:RAW_MAX_CHARS]))
            continue
        location = record.get("location") or {}
        street = location.get("street") or {} if isinstance(location, dict) else {}
        outcome = record.get("outcome_status") or {}
        if not isinstance(location, dict) or not isinstance(street, dict):
            bad.append(Rejection(file, number, "location is not an object", _dump(record)))
            continue
        columns["crime_id"].append(_text(record.get("persistent_id")))
        columns["month_raw"].append(_text(record.get("month")))
        columns["reported_by"].append("")
        columns["falls_within"].append("")
        columns["lon_raw"].append(_text(location.get("longitude")))
        columns["lat_raw"].append(_text(location.get("latitude")))
        columns["location"].append(_text(street.get("name")))
        columns["lsoa_code"].append("")
        columns["lsoa_name"].append("")
        columns["category_raw"].append(_text(record.get("category")))
        columns["last_outcome"].append(
            _text(outcome.get("category")) if isinstance(outcome, dict) else ""
        )
        columns["context"].append(_text(record.get("context")))
        columns["location_type"].append(_text(record.get("location_type")))
        lines.append(number)
    frame = pl.DataFrame(
        {
            **{name: pl.Series(name, values, dtype=pl.String) for name, values in columns.items()},
            "_line": pl.Series("_line", lines, dtype=pl.Int64),
        }
    )
    # The raw JSON of a record is only written out for the few that are rejected.
    return _normalise(
        frame, file=file, source="api", extra=bad, raw=lambda line: _dump(records[line - 1])
    )


def _dump(record: object) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)[:RAW_MAX_CHARS]


def _normalise(
    frame: pl.DataFrame,
    *,
    file: str,
    source: str,
    extra: list[Rejection],
    raw: Callable[[int], str] | None,
) -> ReadResult:
    """Validate and normalise a frame of raw string columns (``_RAW`` and ``_line``; ``_raw``
    too, unless ``raw`` gives a rejected line's raw text)."""
    read = frame.height + len(extra)
    table = category_table()
    blank = pl.lit("")
    frame = frame.with_columns(pl.col(name).fill_null(blank) for name in _RAW).with_columns(
        pl.concat_str(pl.col("month_raw"), pl.lit("-01"))
        .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        .alias("month"),
        pl.col("lon_raw").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("lat_raw").cast(pl.Float64, strict=False).alias("latitude"),
        pl.col("category_raw")
        .str.to_lowercase()
        .replace_strict(table, default=None, return_dtype=pl.String)
        .alias("category"),
    )
    reason = (
        pl.when(pl.col("month").is_null() | (pl.col("month_raw").str.len_chars() != 7))
        .then(pl.format("month '{}' is not YYYY-MM", pl.col("month_raw")))
        .when(pl.col("category").is_null())
        .then(pl.format("unknown crime type '{}'", pl.col("category_raw")))
        .when((pl.col("lon_raw") != "") & pl.col("longitude").is_null())
        .then(pl.format("longitude '{}' is not a number", pl.col("lon_raw")))
        .when((pl.col("lat_raw") != "") & pl.col("latitude").is_null())
        .then(pl.format("latitude '{}' is not a number", pl.col("lat_raw")))
        .when(pl.col("longitude").is_null() != pl.col("latitude").is_null())
        .then(pl.lit("only one of longitude and latitude is given"))
        .when(pl.col("latitude").abs() > 90)
        .then(pl.lit("latitude outside -90..90"))
        .when(pl.col("longitude").abs() > 180)
        .then(pl.lit("longitude outside -180..180"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = frame.with_columns(reason.alias("_reason"))
    bad = frame.filter(pl.col("_reason").is_not_null())
    if raw is not None:
        bad = bad.with_columns(
            pl.Series("_raw", [raw(line) for line in bad["_line"].to_list()], dtype=pl.String)
        )
    rejections = extra + rejections_from(bad, file=file, columns=["_raw"])
    good = frame.filter(pl.col("_reason").is_null())
    good = _with_keys(good)
    before = good.height
    good = good.unique(subset=["crime_key", "month"], keep="last", maintain_order=True)
    rows = good.select(
        *[pl.col(c) for c in COLUMNS if c != "source"], pl.lit(source).alias("source")
    )
    rejections.sort(key=lambda r: r.line)
    return ReadResult(rows, read, before - good.height, tuple(rejections))


def _with_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``crime_key``: the Crime ID, else a content hash with an occurrence number."""
    frame = frame.with_columns(pl.col("month").dt.strftime("%Y-%m").alias("month_text"))
    content = frame.select(pl.concat_str([pl.col(c) for c in _HASHED], separator="\x1f"))
    has_id = frame["crime_id"] != ""
    digests = [
        "" if identified else hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        for identified, text in zip(has_id.to_list(), content.to_series().to_list(), strict=True)
    ]
    frame = frame.with_columns(pl.Series("_digest", digests, dtype=pl.String))
    occurrence = pl.int_range(pl.len()).over(["_digest", "month"])
    return frame.with_columns(
        pl.when(pl.col("crime_id") != "")
        .then(pl.col("crime_id"))
        .otherwise(pl.format("sha1:{}:{}", pl.col("_digest"), occurrence))
        .alias("crime_key")
    )
