"""Reader for a force extract (``docs/extract.md``): crimes, people, involvements, orders.

A folder holds ``crimes``, ``people``, ``involvements`` and ``orders`` as ``.csv``, ``.csv.gz`` or
``.parquet`` (``crimes`` and ``people`` are required; a force without orders or involvements may
leave those files out). Each file must have exactly the contract's columns: a missing or an unknown
column is an error that names it, so that a mis-mapped export is caught before anything loads.

Each row is checked and either kept or rejected with a reason: ISO dates (``YYYY-MM-DD``) that
exist and are in order (committed <= recorded <= outcome; order start <= end), codes from the
contract's lists, coordinates that are numbers inside Great Britain, and references that exist
(an involvement's crime and person, an order's subject and protected person) among the rows kept
from this extract or among ``known_crime_refs``/``known_person_refs`` (what is already stored).
Latitude/longitude (WGS84) are converted to easting/northing (EPSG:27700, metres) with pyproj.
A reference repeated within a file keeps the last row; the earlier rows count as duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
from pyproj import Transformer

from vawg.errors import UserInputError
from vawg.ingest.common import (
    Rejection,
    SourceFile,
    csv_rows,
    rejections_from,
    text_lines,
)
from vawg.ingest.limits import parquet_read
from vawg.ingest.plausible import first_reason, plausibility_rules
from vawg.schemas import (
    CRIME,
    FORCE_CRIMES_FILE,
    FORCE_FILES,
    FORCE_INVOLVEMENTS_FILE,
    FORCE_ORDERS_FILE,
    FORCE_PEOPLE_FILE,
    INVOLVEMENT,
    ORDER,
    PERSON,
    Schema,
)
from vawg.taxonomy import offence_code_normalise, taxonomy_load

TABLES = tuple(FORCE_FILES)
REQUIRED_TABLES = ("crimes", "people")

CRIME_COLUMNS = FORCE_CRIMES_FILE.required
"""The columns ``crimes`` must have; and one of :data:`COORDINATE_PAIRS` in full."""
COORDINATE_PAIRS = FORCE_CRIMES_FILE.alternatives
PEOPLE_COLUMNS = FORCE_PEOPLE_FILE.names
INVOLVEMENT_COLUMNS = FORCE_INVOLVEMENTS_FILE.names
ORDER_COLUMNS = FORCE_ORDERS_FILE.names
SEXES = ("F", "M", "X", "U")
ROLES = ("victim", "suspect", "offender", "witness")
RELATIONSHIPS = ("partner", "ex-partner", "family", "acquaintance", "stranger", "unknown")
ORDER_TYPES = ("DVPN", "DVPO", "DAPN", "DAPO", "SPO", "SHPO", "SRO", "RO", "NMO")

# Great Britain's extent, generously: WGS84 degrees and EPSG:27700 metres.
LAT_RANGE = (49.0, 61.5)
LON_RANGE = (-9.0, 2.5)
EASTING_RANGE = (0.0, 700_000.0)
NORTHING_RANGE = (0.0, 1_300_000.0)
BIRTH_YEAR_RANGE = (1900, 2030)

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@dataclass(frozen=True)
class TableRead:
    """One table of the extract: kept rows, and what was read, repeated and rejected."""

    rows: pl.DataFrame
    read: int
    duplicates: int
    rejections: tuple[Rejection, ...]


@dataclass(frozen=True)
class ForceExtract:
    """The four tables of a force extract, checked and normalised.

    The tables' rows have the columns of :data:`vawg.schemas.CRIME`, :data:`~vawg.schemas.PERSON`,
    :data:`~vawg.schemas.INVOLVEMENT` and :data:`~vawg.schemas.ORDER`. ``crimes``: crime_ref,
    recorded_date, committed_date, offence_code, offence_description, offence_code_known (bool),
    domestic_abuse (bool), easting, northing (EPSG:27700 metres, null when unknown),
    outcome_code, outcome_date. ``people``: person_ref, sex, birth_year (Int64, null),
    ethnicity. ``involvements``: crime_ref, person_ref, role, relationship. ``orders``:
    order_ref, order_type, subject_ref, protected_ref, start_date, end_date, breach_dates (a JSON
    list of ISO dates). Dates are ``pl.Date`` (null when blank); other text is "" when blank.
    """

    crimes: TableRead
    people: TableRead
    involvements: TableRead
    orders: TableRead

    @property
    def unknown_offence_codes(self) -> list[tuple[str, int]]:
        """Offence codes of kept crimes that :mod:`vawg.taxonomy` does not know, with how many
        crimes carry each, most frequent first. These crimes are loaded, flagged
        ``offence_code_known = False``: flagged, not dropped."""
        unknown = self.crimes.rows.filter(~pl.col("offence_code_known"))
        counts = (
            unknown.group_by("offence_code")
            .agg(pl.len().alias("n"))
            .sort(["n", "offence_code"], descending=[True, False])
        )
        return [(str(code), int(n)) for code, n in counts.iter_rows()]

    @property
    def read(self) -> int:
        return sum(t.read for t in self.tables)

    @property
    def duplicates(self) -> int:
        return sum(t.duplicates for t in self.tables)

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        return tuple(r for t in self.tables for r in t.rejections)

    @property
    def tables(self) -> tuple[TableRead, TableRead, TableRead, TableRead]:
        return (self.crimes, self.people, self.involvements, self.orders)


def force_files(folder: Path) -> dict[str, SourceFile]:
    """The extract's files by table name; a missing folder or required file raises
    :class:`~vawg.errors.UserInputError`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserInputError(f"a force extract is a folder; not found: {folder}")
    found: dict[str, SourceFile] = {}
    for table in TABLES:
        for suffix in (".csv", ".csv.gz", ".parquet"):
            path = folder / f"{table}{suffix}"
            if path.is_file():
                found[table] = SourceFile(name=str(path), path=path)
                break
    missing = [t for t in REQUIRED_TABLES if t not in found]
    if missing:
        raise UserInputError(
            f"{folder}: not a force extract (no {', '.join(m + '.csv' for m in missing)})"
        )
    return found


def force_read(
    folder: Path,
    *,
    known_crime_refs: Collection[str] = frozenset(),
    known_person_refs: Collection[str] = frozenset(),
    progress: Callable[[int, int], None] | None = None,
) -> ForceExtract:
    """Read and check the force extract in ``folder`` (see the module's description).

    ``progress(tables_done, 4)`` is called after each table when given.
    """
    files = force_files(folder)
    crimes = _crimes(files["crimes"])
    _tick(progress, 1)
    people = _people(files["people"])
    _tick(progress, 2)
    crime_refs = set(crimes.rows["crime_ref"].to_list()) | set(known_crime_refs)
    person_refs = set(people.rows["person_ref"].to_list()) | set(known_person_refs)
    involvements = _involvements(files.get("involvements"), crime_refs, person_refs)
    _tick(progress, 3)
    orders = _orders(files.get("orders"), person_refs)
    _tick(progress, 4)
    return ForceExtract(crimes, people, involvements, orders)


def _tick(progress: Callable[[int, int], None] | None, done: int) -> None:
    if progress is not None:
        progress(done, len(TABLES))


def _table(
    source: SourceFile, allowed: Collection[str], required: Collection[str]
) -> tuple[pl.DataFrame, list[Rejection], list[str]]:
    """The file's rows as stripped strings with ``_line`` and ``_raw``; checks its columns."""
    if source.inner_name.endswith(".parquet"):
        table = parquet_read(source.read_bytes(), name=source.name)
        header = list(table.columns)
        frame = table.select(
            (
                pl.col(c).dt.strftime("%Y-%m-%d")
                if table.schema[c] in (pl.Date, pl.Datetime)
                else pl.col(c).cast(pl.String)
            )
            .fill_null("")
            .str.strip_chars()
            .alias(c)
            for c in header
        ).with_columns(pl.int_range(1, table.height + 1, dtype=pl.Int64).alias("_line"))
        extra: list[Rejection] = []
    else:
        csv_table = csv_rows(text_lines(source), file=source.name)
        header = list(csv_table.header)
        frame = csv_table.rows
        extra = list(csv_table.rejections)
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in allowed]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(unknown)}")
        raise UserInputError(f"{source.name}: {'; '.join(parts)} (see docs/extract.md)")
    frame = frame.with_columns(
        pl.concat_str([pl.col(c) for c in header], separator=",").alias("_raw")
    )
    return frame, extra, header


def _date(column: str) -> pl.Expr:
    """An ISO date text column parsed strictly (null when blank or not a real date)."""
    return (
        pl.when(pl.col(column).str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(pl.col(column))
        .otherwise(None)
        .str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )


def _bad_date(column: str, *, required: bool) -> tuple[pl.Expr, pl.Expr]:
    given = pl.col(column) != ""
    parsed = _date(column)
    condition = (given & parsed.is_null()) | (~given if required else pl.lit(False))
    message = pl.format(f"{column} '{{}}' is not a date (YYYY-MM-DD)", pl.col(column))
    return condition, message


def _finish(
    frame: pl.DataFrame,
    rules: list[tuple[pl.Expr, pl.Expr]],
    *,
    file: str,
    key: list[str],
    output: list[pl.Expr],
    extra: list[Rejection],
    schema: Schema,
) -> TableRead:
    """Reject rows by the first rule they break, then by the plausibility of ``output`` (a
    row of ``schema``: :mod:`vawg.ingest.plausible`); keep the last row per ``key``."""
    frame = frame.with_columns(first_reason(rules))
    bad = rejections_from(
        frame.filter(pl.col("_reason").is_not_null()), file=file, columns=["_raw"]
    )
    good = frame.filter(pl.col("_reason").is_null()).select(*output, "_line", "_raw")
    good = good.with_columns(first_reason(plausibility_rules(schema, good.columns)))
    bad += rejections_from(
        good.filter(pl.col("_reason").is_not_null()), file=file, columns=["_raw"]
    )
    good = good.filter(pl.col("_reason").is_null())
    before = good.height
    good = good.unique(subset=key, keep="last", maintain_order=True)
    rejections = sorted(extra + bad, key=lambda r: r.line)
    read = before + len(rejections)
    return TableRead(
        good.drop("_line", "_raw", "_reason"), read, before - good.height, tuple(rejections)
    )


def _crimes(source: SourceFile) -> TableRead:
    frame, extra, header = _table(source, FORCE_CRIMES_FILE.names, CRIME_COLUMNS)
    pairs = [pair for pair in COORDINATE_PAIRS if set(pair) & set(header)]
    if not pairs:
        raise UserInputError(
            f"{source.name}: missing columns: latitude, longitude (or easting, northing)"
        )
    for pair in pairs:
        if not set(pair) <= set(header):
            raise UserInputError(
                f"{source.name}: missing column: {(set(pair) - set(header)).pop()}"
            )
    for c in ("latitude", "longitude", "easting", "northing"):
        if c not in header:
            frame = frame.with_columns(pl.lit("").alias(c))
    frame = frame.with_columns(
        pl.col(c).cast(pl.Float64, strict=False).alias(f"_{c}")
        for c in ("latitude", "longitude", "easting", "northing")
    )
    easting, northing = _to_bng(frame)
    frame = frame.with_columns(
        pl.when(pl.col("_easting").is_not_null())
        .then(pl.col("_easting"))
        .otherwise(easting)
        .alias("_e"),
        pl.when(pl.col("_northing").is_not_null())
        .then(pl.col("_northing"))
        .otherwise(northing)
        .alias("_n"),
        _date("recorded_date").alias("_recorded"),
        _date("committed_date").alias("_committed"),
        _date("outcome_date").alias("_outcome"),
    )
    rules: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col("crime_ref") == "", pl.lit("crime_ref is blank")),
        _bad_date("recorded_date", required=True),
        _bad_date("committed_date", required=False),
        _bad_date("outcome_date", required=False),
        (pl.col("offence_code") == "", pl.lit("offence_code is blank")),
        (
            ~pl.col("domestic_abuse").str.to_uppercase().is_in(["Y", "N", ""]),
            pl.format("domestic_abuse '{}' is not Y or N", pl.col("domestic_abuse")),
        ),
        (
            (pl.col("outcome_code") != "")
            & ~pl.col("outcome_code").str.contains(r"^\d{1,2}[A-Za-z]?$"),
            pl.format(
                "outcome_code '{}' is not a Home Office outcome type", pl.col("outcome_code")
            ),
        ),
        (pl.col("_committed") > pl.col("_recorded"), pl.lit("committed_date after recorded_date")),
        (pl.col("_outcome") < pl.col("_recorded"), pl.lit("outcome_date before recorded_date")),
    ]
    for c in ("latitude", "longitude", "easting", "northing"):
        rules.append(
            (
                (pl.col(c) != "") & pl.col(f"_{c}").is_null(),
                pl.format(f"{c} '{{}}' is not a number", pl.col(c)),
            )
        )
    rules += [
        (
            ~pl.all_horizontal(
                pl.col(f"_{c}").is_finite()
                for c in ("latitude", "longitude", "easting", "northing")
            ),
            pl.lit("a coordinate is not a finite number"),
        ),
        (
            (pl.col("_latitude").is_null() != pl.col("_longitude").is_null())
            | (pl.col("_easting").is_null() != pl.col("_northing").is_null()),
            pl.lit("only one coordinate of a pair is given"),
        ),
        (
            ~pl.col("_latitude").is_between(*LAT_RANGE)
            | ~pl.col("_longitude").is_between(*LON_RANGE),
            pl.lit("latitude/longitude outside Great Britain"),
        ),
        (
            ~pl.col("_e").is_between(*EASTING_RANGE) | ~pl.col("_n").is_between(*NORTHING_RANGE),
            pl.lit("easting/northing outside Great Britain"),
        ),
    ]
    return _finish(
        frame,
        rules,
        file=source.name,
        key=["crime_ref"],
        schema=CRIME,
        output=[
            pl.col("crime_ref"),
            pl.col("_recorded").alias("recorded_date"),
            pl.col("_committed").alias("committed_date"),
            pl.col("offence_code"),
            pl.col("offence_description"),
            offence_code_normalise(pl.col("offence_code"))
            .is_in(_known_offence_codes())
            .alias("offence_code_known"),
            (pl.col("domestic_abuse").str.to_uppercase() == "Y").alias("domestic_abuse"),
            pl.col("_e").alias("easting"),
            pl.col("_n").alias("northing"),
            pl.col("outcome_code").str.to_uppercase(),
            pl.col("_outcome").alias("outcome_date"),
        ],
        extra=extra,
    )


@cache
def _known_offence_codes() -> list[str]:
    """Home Office codes in the shipped taxonomy (``vawg.taxonomy``), normalised."""
    return sorted(set(taxonomy_load().rows("ho")["code"].to_list()))


def _to_bng(frame: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Easting and northing (EPSG:27700 metres) for the latitude/longitude columns."""
    lon = frame["_longitude"].to_numpy().astype(np.float64, copy=True)
    lat = frame["_latitude"].to_numpy().astype(np.float64, copy=True)
    ok = np.isfinite(lon) & np.isfinite(lat)
    easting = np.full(lon.shape, np.nan)
    northing = np.full(lon.shape, np.nan)
    if ok.any():
        easting[ok], northing[ok] = _TO_BNG.transform(lon[ok], lat[ok])
    return (
        pl.Series("easting", easting).fill_nan(None),
        pl.Series("northing", northing).fill_nan(None),
    )


def _people(source: SourceFile) -> TableRead:
    frame, extra, _ = _table(source, PEOPLE_COLUMNS, PEOPLE_COLUMNS)
    frame = frame.with_columns(
        pl.col("sex").str.to_uppercase().replace("", "U").alias("sex"),
        pl.col("birth_year").cast(pl.Int64, strict=False).alias("_birth_year"),
    )
    rules = [
        (pl.col("person_ref") == "", pl.lit("person_ref is blank")),
        (~pl.col("sex").is_in(SEXES), pl.format("sex '{}' is not F, M, X or U", pl.col("sex"))),
        (
            (pl.col("birth_year") != "")
            & ~pl.col("_birth_year").is_between(*BIRTH_YEAR_RANGE).fill_null(False),
            pl.format("birth_year '{}' is not a year", pl.col("birth_year")),
        ),
    ]
    return _finish(
        frame,
        rules,
        file=source.name,
        key=["person_ref"],
        schema=PERSON,
        output=[
            pl.col("person_ref"),
            pl.col("sex"),
            pl.col("_birth_year").alias("birth_year"),
            pl.col("ethnicity"),
        ],
        extra=extra,
    )


def _empty_table(schema: Schema) -> TableRead:
    return TableRead(schema.empty(), 0, 0, ())


def _involvements(
    source: SourceFile | None, crime_refs: set[str], person_refs: set[str]
) -> TableRead:
    if source is None:
        return _empty_table(INVOLVEMENT)
    frame, extra, _ = _table(source, INVOLVEMENT_COLUMNS, INVOLVEMENT_COLUMNS)
    frame = frame.with_columns(
        pl.col("role").str.to_lowercase(), pl.col("relationship").str.to_lowercase()
    )
    crimes = pl.Series(sorted(crime_refs), dtype=pl.String)
    people = pl.Series(sorted(person_refs), dtype=pl.String)
    rules = [
        (
            ~pl.col("role").is_in(ROLES),
            pl.format("role '{}' is not one of the contract's", pl.col("role")),
        ),
        (
            ~pl.col("relationship").is_in([*RELATIONSHIPS, ""]),
            pl.format("relationship '{}' is not one of the contract's", pl.col("relationship")),
        ),
        (
            ~pl.col("crime_ref").is_in(crimes.implode()),
            pl.format("crime_ref '{}' is not a crime in the extract", pl.col("crime_ref")),
        ),
        (
            ~pl.col("person_ref").is_in(people.implode()),
            pl.format("person_ref '{}' is not a person in the extract", pl.col("person_ref")),
        ),
    ]
    return _finish(
        frame,
        rules,
        file=source.name,
        key=["crime_ref", "person_ref", "role"],
        schema=INVOLVEMENT,
        output=[pl.col(c) for c in INVOLVEMENT_COLUMNS],
        extra=extra,
    )


def _orders(source: SourceFile | None, person_refs: set[str]) -> TableRead:
    if source is None:
        return _empty_table(ORDER)
    frame, extra, _ = _table(source, ORDER_COLUMNS, ORDER_COLUMNS)
    people = pl.Series(sorted(person_refs), dtype=pl.String)
    frame = frame.with_columns(
        pl.col("order_type").str.to_uppercase(),
        _date("start_date").alias("_start"),
        _date("end_date").alias("_end"),
        pl.col("breach_dates")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("_breaches"),
    )
    breach_ok = (
        frame["_breaches"]
        .list.eval(
            pl.element().str.contains(r"^\d{4}-\d{2}-\d{2}$")
            & pl.element().str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null()
        )
        .list.all()
    )
    frame = frame.with_columns(breach_ok.alias("_breaches_ok"))
    rules = [
        (pl.col("order_ref") == "", pl.lit("order_ref is blank")),
        (
            ~pl.col("order_type").is_in(ORDER_TYPES),
            pl.format("order_type '{}' is not one of the contract's", pl.col("order_type")),
        ),
        _bad_date("start_date", required=True),
        _bad_date("end_date", required=False),
        (pl.col("_end") < pl.col("_start"), pl.lit("end_date before start_date")),
        (
            ~pl.col("_breaches_ok"),
            pl.format("breach_dates '{}' are not dates", pl.col("breach_dates")),
        ),
        (
            ~pl.col("subject_ref").is_in(people.implode()),
            pl.format("subject_ref '{}' is not a person in the extract", pl.col("subject_ref")),
        ),
        (
            (pl.col("protected_ref") != "") & ~pl.col("protected_ref").is_in(people.implode()),
            pl.format("protected_ref '{}' is not a person in the extract", pl.col("protected_ref")),
        ),
    ]
    frame = frame.with_columns(
        pl.Series(
            "_breach_json",
            [json.dumps(b) for b in frame["_breaches"].to_list()],
            dtype=pl.String,
        ),
    )
    return _finish(
        frame,
        rules,
        file=source.name,
        key=["order_ref"],
        schema=ORDER,
        output=[
            pl.col("order_ref"),
            pl.col("order_type"),
            pl.col("subject_ref"),
            pl.col("protected_ref"),
            pl.col("_start").alias("start_date"),
            pl.col("_end").alias("end_date"),
            pl.col("_breach_json").alias("breach_dates"),
        ],
        extra=extra,
    )
