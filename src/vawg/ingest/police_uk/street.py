"""Street-level records of data.police.uk: the monthly CSV files and the API's ``crimes-street``
JSON, normalised to one table (:data:`vawg.schemas.STREET_CRIME`, ``opendata.StreetCrime``).

The crime type is stored as the API slug (``violent-crime``), read from the CSV label through the
shipped table ``vawg/data/police_uk_categories.csv``, so that CSV labels and API slugs fall into
one category set. Identity is (``crime_key``, ``month``):

* ``crime_key`` is the Crime ID (CSV) or ``persistent_id`` (API) when there is one;
* otherwise (anti-social behaviour, British Transport Police) it is ``sha1:<hex>:<n>``: the SHA-1
  of the row's normalised content (category, month, reported by, falls within, longitude and
  latitude as published, location, LSOA code, context, location type; *not* the outcome,
  which police.uk updates after publication, and not the row's position) and ``n``, the row's
  occurrence number among identical rows of the same file and month, so that two identical rows
  are both kept;
* a Crime ID repeated within one file and month (police.uk publishes the same crime again with a
  newer outcome or location) keeps the *last* row read; the earlier rows are
  counted as duplicates. Across files, the later file's row updates the earlier one when stored.

Method: data.police.uk, "About the data" and the API documentation (https://data.police.uk/docs/).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import CsvTable, Rejection, utf8_safe
from vawg.ingest.limits import json_depth_check
from vawg.ingest.plausible import plausibility_rules
from vawg.ingest.police_uk.rules import (
    COLUMNS,
    CSV_COLUMNS,
    STREET,
    PoliceUkBatch,
    category_table,
    coordinate_columns,
    coordinate_rules,
    lsoa_vintage,
    month_column,
    month_rule,
    occurrences_number,
    raw_text,
    read_columns,
    rows_split,
    text_sha1,
)
from vawg.schemas import POLICE_UK_STREET_FILE, STREET_CRIME

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


def street_csv(chunk: CsvTable, file: str, counter: dict[str, int]) -> PoliceUkBatch:
    """A chunk of a street-level CSV file, normalised (see the module's description)."""
    rows = chunk.rows
    frame = rows.select(
        *read_columns(POLICE_UK_STREET_FILE),
        pl.when(pl.col("Reported by") == "British Transport Police")
        .then(pl.lit("BTP"))
        .otherwise(pl.lit("Force"))
        .alias("location_type"),
        pl.col("_line"),
        raw_text(CSV_COLUMNS).alias("_raw"),
    )
    return _normalise(
        frame, file=file, source="csv", extra=list(chunk.rejections), raw=None, counter=counter
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return utf8_safe(str(value).strip())


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


def api_read(data: bytes, file: str) -> PoliceUkBatch:
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
    # Polars' readers refuse deep nesting themselves; Python's would recurse until it fails.
    json_depth_check(data, name=file)
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
            bad.append(Rejection(file, number, "not a JSON object", _text(record)))
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
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


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
        month_column(),
        *coordinate_columns(),
        pl.col("category_raw")
        .str.to_lowercase()
        .replace_strict(table, default=None, return_dtype=pl.String)
        .alias("category"),
    )
    rules = [
        month_rule(),
        (
            pl.col("category").is_null(),
            pl.format("unknown crime type '{}'", pl.col("category_raw")),
        ),
        *coordinate_rules(),
        *plausibility_rules(STREET_CRIME, frame.columns),
    ]
    good, bad = rows_split(frame, rules, file=file, raw=raw)
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


def _with_keys(frame: pl.DataFrame, counter: dict[str, int]) -> pl.DataFrame:
    """Add ``crime_key``: the Crime ID, else a content hash with an occurrence number."""
    frame = frame.with_columns(pl.col("month").dt.strftime("%Y-%m").alias("month_text"))
    no_id = frame.filter(pl.col("crime_id") == "")
    if no_id.height == 0:
        return frame.with_columns(pl.col("crime_id").alias("crime_key"))
    contents = no_id.select(
        pl.concat_str([pl.col(c) for c in _HASHED], separator="\x1f")
    ).to_series()
    digests = [text_sha1(text) for text in contents.to_list()]
    months = no_id["month_text"].to_list()
    numbers = occurrences_number(
        [f"{d}:{m}" for d, m in zip(digests, months, strict=True)], counter
    )
    keys = [f"sha1:{d}:{n}" for d, n in zip(digests, numbers, strict=True)]
    keyed = no_id.with_columns(pl.Series("crime_key", keys, dtype=pl.String))
    identified = frame.filter(pl.col("crime_id") != "").with_columns(
        pl.col("crime_id").alias("crime_key")
    )
    return pl.concat([identified, keyed]).sort("_line")
