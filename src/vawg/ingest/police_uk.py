"""Reader for data.police.uk: street-level crimes (monthly CSV files and the API's
``crimes-street`` JSON, normalised to one table), outcomes CSV files and stop-and-search CSV files.

Street records are mapped onto the columns of ``opendata.StreetCrime``; the crime type is stored
as the API slug (``violent-crime``), read from the CSV label through the shipped table
``vawg/data/police_uk_categories.csv``, so that CSV labels and API slugs fall into one category
set. Identity is (``crime_key``, ``month``):

* ``crime_key`` is the Crime ID (CSV) or ``persistent_id`` (API) when there is one;
* otherwise (anti-social behaviour, British Transport Police) it is ``sha1:<hex>:<n>``: the SHA-1
  of the row's normalised content (category, month, reported by, falls within, longitude and
  latitude as published, location, LSOA code, context, location type; *not* the outcome,
  which police.uk updates after publication, and not the row's position) and ``n``, the row's
  occurrence number among identical rows of the same file and month, so that two identical rows
  are both kept;
* a Crime ID repeated within one file and month (police.uk publishes the same crime again with a
  newer outcome or location: see ``SOURCES.md``) keeps the *last* row read; the earlier rows are
  counted as duplicates. Across files, the later file's row updates the earlier one when stored.

Outcomes rows (several per crime, one per outcome event) are identified by (Crime ID, month,
outcome type, occurrence number among identical rows of the file): two suspects charged for one
crime are two rows. Stop-and-search rows have no identifier: their identity is the SHA-1 of the
force (from the file name) and every published field, with an occurrence number.

LSOA codes are stored as published and each row notes the codes' vintage (``lsoa_vintage``),
decided from the codes of its file: ``2021`` when one is a 2021-only code (numbered after the last
2011 code, E01033768 / W01001958), ``2011`` when one is a London 2011 code that the 2021 LSOAs
ended, ``mixed`` when both occur, ``either`` when every code exists in both vintages (the areas
did not change), blank when the file has no codes. Police forces moved to 2021 codes at different
times: in March 2023 the City of London still published 2011 codes while Bedfordshire and BTP
published 2021 codes.

Reading streams: files are read one at a time, CSV files in chunks of ``CHUNK_ROWS`` rows, and each
chunk is yielded as a :class:`PoliceUkBatch` for the caller to store before the next is read.
Method: data.police.uk, "About the data" and the API documentation (https://data.police.uk/docs/).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import (
    RAW_MAX_CHARS,
    CsvTable,
    ReadResult,
    Rejection,
    SkippedFile,
    SourceFile,
    csv_chunks,
    rejections_from,
    source_files,
    text_lines,
)
from vawg.schemas import (
    POLICE_UK_OUTCOMES_FILE,
    POLICE_UK_STOP_SEARCH_FILE,
    POLICE_UK_STREET_FILE,
    STREET_CRIME,
    STREET_OUTCOME,
    Schema,
)
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE

_T = TypeVar("_T")

CHUNK_ROWS = 250_000
"""Rows per chunk of a CSV file: more than any force publishes in a month (the Met's ~95,000),
so that a file's LSOA vintage is decided over the whole file, and small enough to bound memory."""

CSV_COLUMNS = POLICE_UK_STREET_FILE.names
"""The header of a street-level CSV file (:data:`vawg.schemas.POLICE_UK_STREET_FILE`)."""
OUTCOME_CSV_COLUMNS = POLICE_UK_OUTCOMES_FILE.names
"""The header of an outcomes CSV file (:data:`vawg.schemas.POLICE_UK_OUTCOMES_FILE`)."""
STOP_SEARCH_CSV_COLUMNS = POLICE_UK_STOP_SEARCH_FILE.names
"""The header of a stop-and-search CSV file (:data:`vawg.schemas.POLICE_UK_STOP_SEARCH_FILE`)."""

OUTCOMES_MARKERS = frozenset({"Crime ID", "Month", "Outcome type"})
STOP_AND_SEARCH_MARKERS = frozenset({"Type", "Date", "Object of search"})

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

# The raw string columns every street file (CSV or API) is first mapped onto: the CSV's columns
# as the reader names them, and the location type (which the CSV leaves to be derived).
_RAW = (*POLICE_UK_STREET_FILE.read_names, "location_type")


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


def _accept(name: str) -> bool:
    return name.endswith((".csv", ".json"))


def police_uk_files(paths: Iterable[Path]) -> list[SourceFile]:
    """The CSV and JSON files named by ``paths`` (files, folders, ``.zip`` archives), in load order:
    folders and archives are taken in sorted path order."""
    return source_files(paths, accept=_accept)


def police_uk_batches(
    paths: Iterable[Path],
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[PoliceUkBatch]:
    """Read ``paths`` one file (or chunk of ``chunk_rows`` CSV rows) at a time, streaming.

    Every path is checked before the first batch is yielded; a file that cannot be read (not
    gzip, truncated, empty, not JSON, an unknown CSV header) raises
    :class:`~vawg.errors.UserInputError` when reached. ``progress(files_done, files_total)`` is
    called after each file when given.
    """
    files = police_uk_files(paths)
    for done, source in enumerate(files, start=1):
        yield from police_uk_read_file(source, chunk_rows=chunk_rows)
        if progress is not None:
            progress(done, len(files))


def police_uk_read(
    paths: Iterable[Path], *, progress: Callable[[int, int], None] | None = None
) -> ReadResult:
    """Read and normalise the street-level records of ``paths`` into one table, with one row per
    identity (``crime_key``, ``month``), the last read kept. Outcomes and stop-and-search files
    are listed as skipped here (:func:`police_uk_batches` reads them). Holds every row in memory:
    the loader uses :func:`police_uk_batches`.
    """
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    skipped: list[SkippedFile] = []
    read = duplicates = 0
    for batch in police_uk_batches(paths, progress=progress):
        if batch.kind != STREET:
            if batch.file not in {s.file for s in skipped}:
                skipped.append(SkippedFile(batch.file, f"police.uk {batch.kind} file"))
            continue
        read += batch.read
        duplicates += batch.duplicates
        rejections.extend(batch.rejections)
        if batch.rows.height:
            frames.append(batch.rows)
    rows = pl.concat(frames, how="vertical") if frames else STREET_CRIME.empty()
    before = rows.height
    rows = rows.unique(subset=["crime_key", "month"], keep="last", maintain_order=True)
    duplicates += before - rows.height
    return ReadResult(rows, read, duplicates, tuple(rejections), tuple(skipped))


def police_uk_read_file(
    source: SourceFile, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[PoliceUkBatch]:
    """Read one CSV or JSON file (see :func:`police_uk_batches`)."""
    if source.inner_name.endswith(".json"):
        yield _read_api(source.read_bytes(), source.name)
        return
    lines = text_lines(source)  # a generator: closed at once when the file is JSON
    first = next(lines, None)
    if first is None or not first.strip():
        raise UserInputError(f"{source.name}: the file is empty (no header row)")
    if first.lstrip()[:1] in ("[", "{"):
        lines.close()
        yield _read_api(source.read_bytes(), source.name)
        return
    chunks = csv_chunks(_chain(first, lines), file=source.name, chunk_rows=chunk_rows)
    head = next(chunks)
    kind = _csv_kind(head.header, source.name)
    counter: dict[str, int] = {}
    for chunk in _chain(head, chunks):
        if kind == STREET:
            yield _street_csv(chunk, source.name, counter)
        elif kind == OUTCOME:
            yield _outcomes_csv(chunk, source.name, counter)
        else:
            yield _stop_search_csv(chunk, source, counter)


def _chain(first: _T, rest: Iterator[_T]) -> Iterator[_T]:
    yield first
    yield from rest


def _csv_kind(header: tuple[str, ...], file: str) -> str:
    names = set(header)
    expected: tuple[str, ...]
    if set(CSV_COLUMNS) <= names:
        return STREET
    if set(OUTCOME_CSV_COLUMNS) <= names:
        return OUTCOME
    if set(STOP_SEARCH_CSV_COLUMNS) <= names:
        return STOP_SEARCH
    if names >= OUTCOMES_MARKERS and "Crime type" not in names:
        expected, what = OUTCOME_CSV_COLUMNS, "outcomes"
    elif len(STOP_AND_SEARCH_MARKERS & names) >= 2:
        expected, what = STOP_SEARCH_CSV_COLUMNS, "stop-and-search"
    else:
        expected, what = CSV_COLUMNS, "street-level"
    missing = [c for c in expected if c not in names]
    raise UserInputError(
        f"{file}: not a police.uk {what} CSV (missing columns: {', '.join(missing)})"
    )


def _raw_text(frame: pl.DataFrame, columns: Iterable[str]) -> pl.Expr:
    return pl.concat_str([pl.col(c) for c in columns], separator=",").str.slice(0, RAW_MAX_CHARS)


def _read_columns(schema: Schema) -> list[pl.Expr]:
    """A file's columns named as the reader names them (:attr:`vawg.schemas.Column.read_as`)."""
    return [pl.col(c.name).alias(c.read_name) for c in schema.columns]


def _street_csv(chunk: CsvTable, file: str, counter: dict[str, int]) -> PoliceUkBatch:
    rows = chunk.rows
    frame = rows.select(
        *_read_columns(POLICE_UK_STREET_FILE),
        pl.when(pl.col("Reported by") == "British Transport Police")
        .then(pl.lit("BTP"))
        .otherwise(pl.lit("Force"))
        .alias("location_type"),
        pl.col("_line"),
        _raw_text(rows, CSV_COLUMNS).alias("_raw"),
    )
    return _normalise(
        frame, file=file, source="csv", extra=list(chunk.rejections), raw=None, counter=counter
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


_API_SCHEMA = pl.Schema(
    {
        "category": pl.String(),
        "location_type": pl.String(),
        "location": pl.Struct(
            {
                "latitude": pl.String(),
                "street": pl.Struct({"name": pl.String()}),
                "longitude": pl.String(),
            }
        ),
        "context": pl.String(),
        "outcome_status": pl.Struct({"category": pl.String()}),
        "persistent_id": pl.String(),
        "month": pl.String(),
    }
)


def _read_api(data: bytes, file: str) -> PoliceUkBatch:
    """An API ``crimes-street`` file: Polars' JSON readers (fast, columnar) when every record has
    the expected shape, else record by record, so that a malformed record is rejected alone."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data.lstrip()[:1]
    if head == b"[":
        table = _api_table(data)
        if table is not None:
            return _api_frame(table, file)
    return _read_api_records(data, file)


def _api_table(data: bytes) -> pl.DataFrame | None:
    """The records of a JSON array as a table of ``_API_SCHEMA``, or None when Polars cannot
    read them (the caller then reads record by record).

    The API writes its array compactly (``[{...},{...}]``), so putting a line break at every
    ``},{`` makes it newline-delimited JSON, which Polars reads with a fifth of the memory of
    its whole-document reader (about 55 MB against 270 MB for a 27 MB month, which made a load's
    peak) and no slower. A ``},{`` that is not between two records (inside a string, or between
    objects nested in a record) always leaves a line that is not a complete JSON value: the
    line that begins with that record's ``{`` ends before the record is closed. Polars then
    fails and the whole-document reader is used instead, so the result never depends on the
    shortcut.
    """
    body = data.strip()
    if body[-1:] == b"]":
        lines = body[1:-1].replace(b"},{", b"}\n{")
        try:
            return pl.read_ndjson(io.BytesIO(lines), schema=_API_SCHEMA)
        except Exception:  # noqa: S110 - polars raises several types; the next reader decides
            pass
        finally:
            del lines
    try:
        return pl.read_json(io.BytesIO(data), schema=_API_SCHEMA)
    except Exception:  # polars raises several types; the record-by-record path explains
        return None


def _api_frame(table: pl.DataFrame, file: str) -> PoliceUkBatch:
    location = pl.col("location")
    text = [
        pl.col("persistent_id").alias("crime_id"),
        pl.col("month").alias("month_raw"),
        pl.lit("").alias("reported_by"),
        pl.lit("").alias("falls_within"),
        location.struct.field("longitude").alias("lon_raw"),
        location.struct.field("latitude").alias("lat_raw"),
        location.struct.field("street").struct.field("name").alias("location"),
        pl.lit("").alias("lsoa_code"),
        pl.lit("").alias("lsoa_name"),
        pl.col("category").alias("category_raw"),
        pl.col("outcome_status").struct.field("category").alias("last_outcome"),
        pl.col("context"),
        pl.col("location_type"),
    ]
    frame = table.select(
        *[e.cast(pl.String).fill_null("").str.strip_chars() for e in text],
        pl.int_range(1, table.height + 1, dtype=pl.Int64).alias("_line"),
    )
    # Rejected records' raw text: the fields that decide a rejection, as JSON-like text.
    fields = ("persistent_id", "month", "category", "longitude", "latitude")
    sources = ("crime_id", "month_raw", "category_raw", "lon_raw", "lat_raw")
    parts: list[pl.Expr] = []
    for name, column in zip(fields, sources, strict=True):
        parts += [pl.lit(f'"{name}":"'), pl.col(column), pl.lit('",')]
    frame = frame.with_columns(
        pl.concat_str([pl.lit("{"), *parts[:-1], pl.lit('"}')]).alias("_raw")
    )
    return _normalise(frame, file=file, source="api", extra=[], raw=None, counter={})


def _read_api_records(data: bytes, file: str) -> PoliceUkBatch:
    try:
        records = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
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
        frame,
        file=file,
        source="api",
        extra=bad,
        raw=lambda line: _dump(records[line - 1]),
        counter={},
    )


def _dump(record: object) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)[:RAW_MAX_CHARS]


def _month_reason() -> pl.Expr:
    return pl.format("month '{}' is not YYYY-MM", pl.col("month_raw"))


def _bad_month() -> pl.Expr:
    return pl.col("month").is_null() | (pl.col("month_raw").str.len_chars() != 7)


def _parse_month() -> pl.Expr:
    return (
        pl.concat_str(pl.col("month_raw"), pl.lit("-01"))
        .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        .alias("month")
    )


def _parse_coordinates() -> list[pl.Expr]:
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


def _split(
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


def _normalise(
    frame: pl.DataFrame,
    *,
    file: str,
    source: str,
    extra: list[Rejection],
    raw: Callable[[int], str] | None,
    counter: dict[str, int],
) -> PoliceUkBatch:
    """Validate and normalise a frame of raw street columns (``_RAW`` and ``_line``; ``_raw``
    too, unless ``raw`` gives a rejected line's raw text)."""
    read = frame.height + len(extra)
    table = category_table()
    blank = pl.lit("")
    frame = frame.with_columns(pl.col(name).fill_null(blank) for name in _RAW).with_columns(
        _parse_month(),
        *_parse_coordinates(),
        pl.col("category_raw")
        .str.to_lowercase()
        .replace_strict(table, default=None, return_dtype=pl.String)
        .alias("category"),
    )
    rules = [
        (_bad_month(), _month_reason()),
        (
            pl.col("category").is_null(),
            pl.format("unknown crime type '{}'", pl.col("category_raw")),
        ),
        *coordinate_rules(),
    ]
    good, bad = _split(frame, rules, file=file, raw=raw)
    rejections = extra + bad
    good = _with_keys(good, counter)
    before = good.height
    good = good.unique(subset=["crime_key", "month"], keep="last", maintain_order=True)
    vintage = lsoa_vintage(good["lsoa_code"].unique().to_list())
    rows = good.select(
        *[pl.col(c) for c in COLUMNS if c not in ("source", "lsoa_vintage")],
        pl.lit(source).alias("source"),
        pl.lit(vintage).alias("lsoa_vintage"),
    )
    rejections.sort(key=lambda r: r.line)
    return PoliceUkBatch(STREET, file, rows, read, before - good.height, tuple(rejections))


def _occurrences(keys: list[str], counter: dict[str, int]) -> list[int]:
    """For each key, how many times it was seen before (in this file: ``counter`` carries the
    counts from one chunk to the next)."""
    numbers = []
    for key in keys:
        seen = counter.get(key, 0)
        counter[key] = seen + 1
        numbers.append(seen)
    return numbers


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _with_keys(frame: pl.DataFrame, counter: dict[str, int]) -> pl.DataFrame:
    """Add ``crime_key``: the Crime ID, else a content hash with an occurrence number."""
    frame = frame.with_columns(pl.col("month").dt.strftime("%Y-%m").alias("month_text"))
    no_id = frame.filter(pl.col("crime_id") == "")
    if no_id.height == 0:
        return frame.with_columns(pl.col("crime_id").alias("crime_key"))
    contents = no_id.select(
        pl.concat_str([pl.col(c) for c in _HASHED], separator="\x1f")
    ).to_series()
    digests = [_sha1(text) for text in contents.to_list()]
    months = no_id["month_text"].to_list()
    numbers = _occurrences([f"{d}:{m}" for d, m in zip(digests, months, strict=True)], counter)
    keys = [f"sha1:{d}:{n}" for d, n in zip(digests, numbers, strict=True)]
    keyed = no_id.with_columns(pl.Series("crime_key", keys, dtype=pl.String))
    identified = frame.filter(pl.col("crime_id") != "").with_columns(
        pl.col("crime_id").alias("crime_key")
    )
    return pl.concat([identified, keyed]).sort("_line")


def _outcomes_csv(chunk: CsvTable, file: str, counter: dict[str, int]) -> PoliceUkBatch:
    rows = chunk.rows
    frame = rows.select(
        *_read_columns(POLICE_UK_OUTCOMES_FILE),
        pl.col("_line"),
        _raw_text(rows, OUTCOME_CSV_COLUMNS).alias("_raw"),
    ).with_columns(_parse_month(), *_parse_coordinates())
    rules = [
        (pl.col("crime_id") == "", pl.lit("Crime ID is blank (an outcome must name its crime)")),
        (_bad_month(), _month_reason()),
        (pl.col("outcome_type") == "", pl.lit("Outcome type is blank")),
        *coordinate_rules(),
    ]
    good, bad = _split(frame, rules, file=file)
    identity = good.select(
        pl.concat_str(["crime_id", "month_raw", "outcome_type"], separator="\x1f")
    ).to_series()
    occurrence = _occurrences(identity.to_list(), counter)
    vintage = lsoa_vintage(good["lsoa_code"].unique().to_list())
    out = good.with_columns(
        pl.Series("occurrence", occurrence, dtype=pl.Int64),
        pl.lit(vintage).alias("lsoa_vintage"),
    ).select(OUTCOME_COLUMNS)
    rejections = sorted([*chunk.rejections, *bad], key=lambda r: r.line)
    read = rows.height + len(chunk.rejections)
    return PoliceUkBatch(OUTCOME, file, out, read, 0, tuple(rejections))


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


def _stop_search_csv(chunk: CsvTable, source: SourceFile, counter: dict[str, int]) -> PoliceUkBatch:
    rows = chunk.rows
    file = source.name
    match = _FORCE_FROM_NAME.match(source.inner_name)
    force = match.group(1) if match else ""
    frame = rows.select(
        pl.lit(force).alias("force"),
        *_read_columns(POLICE_UK_STOP_SEARCH_FILE),
        pl.col("_line"),
        _raw_text(rows, STOP_SEARCH_CSV_COLUMNS).alias("_raw"),
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
        pl.coalesce(aware, naive).alias("searched_at"), *_parse_coordinates()
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
    ]
    good, bad = _split(frame, rules, file=file)
    hashed = ("force", *[c for c in frame.columns if c.endswith("_raw") or c in _SEARCH_TEXT])
    contents = good.select(pl.concat_str(sorted(hashed), separator="\x1f")).to_series().to_list()
    digests = [_sha1(text) for text in contents]
    numbers = _occurrences(digests, counter)
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
