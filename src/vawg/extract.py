"""A fast, typed reader of a force extract folder for analytics (``docs/extract.md``).

This module is the analytics road into a force extract: it finds ``crimes``, ``people``,
``involvements`` and ``orders`` as ``.csv``, ``.csv.gz`` or ``.parquet``, and returns Polars lazy
frames with typed columns (dates as ``pl.Date``, the domestic-abuse flag as a boolean), so that a
caller's column selection and date filters are pushed down into the reader and only what is needed
is parsed. It does not validate or quarantine rows: that is the ingest module's job
(``vawg.ingest.force``). A date that does not parse reads as null (unknown), as a blank does.

The column names of ``docs/extract.md`` are the interface; extra columns are kept, absent optional
columns are added as nulls so that downstream code can rely on them. On request (``cache=True``) a
CSV table is read through a Parquet copy of it kept in the extract folder (``.vawg-cache/``), which
Polars reads several times faster than it parses the CSV; the copy is rebuilt when the CSV changes.
The involvements can also be read with each person's recorded sex
(:func:`involvements_female_scan`), through a copy that holds that join, so that the people table
need not be read at all.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.schemas import FORCE_FILES

TABLES = tuple(FORCE_FILES)
"""The four tables of a force extract."""

_SUFFIXES = (".parquet", ".csv", ".csv.gz")

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    table: dict(schema.polars()) for table, schema in FORCE_FILES.items()
}
"""The typed columns of each table (:data:`vawg.schemas.FORCE_FILES`). ``domestic_abuse`` is read
as text and turned into a boolean."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "crimes": ("crime_ref", "recorded_date", "offence_code"),
    "people": ("person_ref",),
    "involvements": ("crime_ref", "person_ref", "role"),
    "orders": ("order_ref", "order_type", "subject_ref"),
}
"""The columns the analytics cannot do without, fewer than the format's (which
:mod:`vawg.ingest.force` requires before anything is stored): an analysis may run on an export
that lacks, say, the outcome columns."""


@dataclass(frozen=True)
class ExtractFiles:
    """Where each table of a force extract lives.

    Attributes
    ----------
    folder : Path
        The extract folder.
    files : dict[str, Path]
        Table name (``crimes``, ``people``, ``involvements``, ``orders``) to its file; a table
        with no file is absent from the mapping.
    cache : bool
        Read CSV tables through a Parquet copy kept in the folder (see :func:`table_scan`).
    """

    folder: Path
    files: dict[str, Path]
    cache: bool = False


def extract_files_find(*, folder: Path, cache: bool = False) -> ExtractFiles:
    """Find the tables of a force extract folder.

    Parameters
    ----------
    folder : Path
        A folder holding ``crimes.csv`` (or ``.csv.gz``, ``.parquet``) and its siblings.
    cache : bool
        Read CSV tables through a Parquet copy of each, built on first use in
        ``folder/.vawg-cache/`` and rebuilt when the CSV's size or modification time changes
        (default off). The copy stays beside the data it copies, under the same access control.

    Returns
    -------
    ExtractFiles
        The files found; ``crimes`` and ``involvements`` are required.

    Raises
    ------
    UserInputError
        The folder does not exist or lacks ``crimes`` or ``involvements``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n")
    >>> sorted(extract_files_find(folder=d).files)
    ['crimes', 'involvements']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserInputError(f"{folder}: not a folder (a force extract is a folder of CSV files)")
    files: dict[str, Path] = {}
    for table in TABLES:
        for suffix in _SUFFIXES:
            candidate = folder / f"{table}{suffix}"
            if candidate.is_file():
                files[table] = candidate
                break
    for table in ("crimes", "involvements"):
        if table not in files:
            raise UserInputError(f"{folder}: no {table}.csv, {table}.csv.gz or {table}.parquet")
    return ExtractFiles(folder=folder, files=files, cache=cache)


def _csv_header(path: Path) -> list[str]:
    return list(pl.read_csv(path, n_rows=0, infer_schema=False).columns)


CODE_COLUMNS = ("offence_code", "outcome_code", "sex", "order_type", "domestic_abuse")
"""Coded columns that :func:`table_scan` normalises (trimmed, upper case; the flag a boolean)."""


def code_text_normalise(col: pl.Expr) -> pl.Expr:
    """A coded text column as :func:`table_scan` returns it: trimmed and upper-cased.

    >>> pl.select(code_text_normalise(pl.lit(" 8q "))).item()
    '8Q'
    """
    return col.cast(pl.String).str.strip_chars().str.to_uppercase()


def flag_yes_no(col: pl.Expr) -> pl.Expr:
    """A ``Y``/``N`` flag as a boolean (``Y`` true, ``N`` false, anything else null).

    >>> pl.select(flag_yes_no(pl.lit(" y"))).item()
    True
    """
    text = code_text_normalise(col)
    return pl.when(text == "Y").then(True).when(text == "N").then(False).otherwise(None)


def table_scan(
    *,
    files: ExtractFiles,
    table: str,
    columns: tuple[str, ...] | None = None,
    normalise: bool = True,
) -> pl.LazyFrame:
    """A typed lazy scan of one table of a force extract.

    Parameters
    ----------
    files : ExtractFiles
        From :func:`extract_files_find`.
    table : str
        ``crimes``, ``people``, ``involvements`` or ``orders``.
    columns : tuple of str, optional
        Only these columns (absent optional ones come back as nulls of the contract's type).
        Default: every contract column plus any extra column in the file.
    normalise : bool
        Normalise the coded columns (:data:`CODE_COLUMNS`) row by row (default). ``False``
        returns them as read, as text, for a caller that normalises each distinct value once
        (a force has a few hundred codes and millions of rows).

    Returns
    -------
    pl.LazyFrame
        Dates are ``pl.Date`` (unparseable or blank: null); ``crimes.domestic_abuse`` is a boolean
        (``Y`` true, ``N`` false, anything else null); codes are upper-cased and trimmed.

    Raises
    ------
    UserInputError
        The table is absent, or lacks a required column.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text(
    ...     "crime_ref,recorded_date,offence_code,domestic_abuse\\nC1,2024-01-02, 8q ,Y\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n")
    >>> f = extract_files_find(folder=d)
    >>> row = table_scan(files=f, table="crimes", columns=("offence_code", "domestic_abuse"))
    >>> row.collect().row(0)
    ('8Q', True)
    """
    if table not in SCHEMAS:
        raise UserInputError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
    path = files.files.get(table)
    schema = SCHEMAS[table]
    if path is None:
        if table in ("people", "orders"):
            wanted = columns or tuple(schema)
            return pl.LazyFrame(schema={c: schema.get(c, pl.String) for c in wanted})
        raise UserInputError(f"{files.folder}: no {table} table")
    read_types: dict[str, pl.DataType | type[pl.DataType]]
    if path.suffix == ".parquet":
        frame = pl.scan_parquet(path)
        read_types = dict(frame.collect_schema())
        present = list(read_types)
    else:
        present = _csv_header(path)
        # The reader parses ISO dates itself (about twice as fast as parsing text afterwards);
        # with ignore_errors a date that does not parse reads as null (unknown), like a blank.
        read_types = {c: (pl.Date if schema.get(c) == pl.Date else pl.String) for c in present}
        frame = pl.scan_csv(
            path, schema_overrides=read_types, infer_schema=False, ignore_errors=True
        )
        if files.cache:
            frame = _parquet_cached(path, frame)
    missing = [c for c in REQUIRED[table] if c not in present]
    if missing:
        raise UserInputError(f"{path}: missing column(s) {', '.join(missing)}")
    wanted = columns or tuple(dict.fromkeys([*schema, *present]))
    exprs: list[pl.Expr] = []
    for name in wanted:
        dtype = schema.get(name, pl.String)
        if name not in present:
            absent = pl.Boolean if name == "domestic_abuse" and normalise else dtype
            exprs.append(pl.lit(None, dtype=absent).alias(name))
            continue
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(_date_expr(col, read_types[name]).alias(name))
        elif not normalise and name in CODE_COLUMNS:
            exprs.append(col.cast(pl.String).alias(name))
        elif name == "domestic_abuse":
            exprs.append(flag_yes_no(col).alias(name))
        elif name in CODE_COLUMNS:
            exprs.append(code_text_normalise(col).alias(name))
        elif dtype == pl.String:
            exprs.append(col.cast(pl.String).alias(name))
        else:
            exprs.append(col.cast(dtype, strict=False).alias(name))
    return frame.select(exprs)


CACHE_FOLDER = ".vawg-cache"
"""Where :func:`table_scan` keeps Parquet copies of CSV tables, inside the extract folder."""
_CACHE_VERSION = 1


def _parquet_cached(path: Path, frame: pl.LazyFrame) -> pl.LazyFrame:
    # A Parquet copy of the CSV as read (same types, same unparseable-date-as-null rule), keyed
    # by the CSV's size and modification time, so a changed file is read afresh. Polars reads
    # the copy about ten times faster than it parses the CSV.
    return _parquet_copy(sources=(path,), frame=frame)


def _parquet_copy(*, sources: tuple[Path, ...], frame: pl.LazyFrame) -> pl.LazyFrame:
    # ``frame`` (made from the files ``sources``) through a Parquet copy in the cache folder,
    # named after the sources and keyed by each one's size and modification time; a stale copy
    # is deleted when its replacement is written. Any failure to write it (a read-only folder,
    # a full disk) falls back to ``frame``.
    folder = sources[0].parent / CACHE_FOLDER
    prefix = "+".join(path.name for path in sources)
    keys = "-".join(f"{stat.st_size}-{stat.st_mtime_ns}" for stat in (p.stat() for p in sources))
    name = f"{prefix}-{keys}-v{_CACHE_VERSION}.parquet"
    cached = folder / name
    if not cached.is_file():
        partial = folder / f".{name}.{os.getpid()}.partial"
        try:
            folder.mkdir(exist_ok=True)
            frame.sink_parquet(partial, compression="zstd")
            partial.replace(cached)
            for stale in folder.glob(f"{prefix}-*.parquet"):
                if stale != cached:
                    stale.unlink(missing_ok=True)
        except (OSError, pl.exceptions.PolarsError):
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            return frame
    return pl.scan_parquet(cached)


def involvements_female_scan(
    *, files: ExtractFiles, columns: tuple[str, ...] = ("crime_ref", "person_ref", "role")
) -> pl.LazyFrame | None:
    """The involvements with ``female``: whether the person is recorded female in ``people``.

    For a caller that needs the victim's sex on millions of involvements: with
    ``files.cache`` and both tables as CSV, the join is done once, when a Parquet copy of the
    result is built in the cache folder (keyed by both CSVs, rebuilt when either changes), so
    that later reads need not read the people table at all.

    Parameters
    ----------
    files : ExtractFiles
        From :func:`extract_files_find`.
    columns : tuple of str
        Involvement columns wanted (as :func:`table_scan` returns them), before ``female``.

    Returns
    -------
    pl.LazyFrame or None
        ``columns`` and ``female`` (boolean: true when a ``people`` row with the person's
        reference has sex ``F`` after trimming and upper-casing, else false), in the order of
        the involvements file; ``None`` when there is no such copy to read (cache off, a table
        not a CSV file, or no people table), for the caller to join the people table itself.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n")
    >>> _ = (d / "involvements.csv").write_text(
    ...     "crime_ref,person_ref,role\\nC1,S1,suspect\\nC1,V1,victim\\n")
    >>> _ = (d / "people.csv").write_text("person_ref,sex\\nS1,M\\nV1, f\\n")
    >>> involvements_female_scan(files=extract_files_find(folder=d)) is None
    True
    >>> scan = involvements_female_scan(files=extract_files_find(folder=d, cache=True))
    >>> scan.collect()["female"].to_list()
    [False, True]
    """
    inv_path, people_path = files.files.get("involvements"), files.files.get("people")
    if not files.cache or inv_path is None or people_path is None:
        return None
    if not (inv_path.name.endswith(".csv") and people_path.name.endswith(".csv")):
        return None
    plain = replace(files, cache=False)
    involvements = table_scan(files=plain, table="involvements", columns=columns)
    female = (
        table_scan(files=plain, table="people", columns=("person_ref", "sex"), normalise=False)
        .group_by("person_ref")
        .agg((code_text_normalise(pl.col("sex")) == "F").any().alias("female"))
    )
    joined = involvements.join(
        female, on="person_ref", how="left", maintain_order="left"
    ).with_columns(pl.col("female").fill_null(False))
    return _parquet_copy(sources=(inv_path, people_path), frame=joined)


def _date_expr(col: pl.Expr, read_as: pl.DataType | type[pl.DataType]) -> pl.Expr:
    # A date stays a date; a timestamp keeps its day; text is parsed as ISO YYYY-MM-DD.
    if read_as == pl.Date:
        return col
    if isinstance(read_as, pl.Datetime) or read_as == pl.Datetime:
        return col.cast(pl.Date)
    return col.cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def extract_scan(
    *, folder: Path, columns: dict[str, tuple[str, ...]] | None = None
) -> dict[str, pl.LazyFrame]:
    """Typed lazy scans of every table of a force extract folder.

    Parameters
    ----------
    folder : Path
        The extract folder.
    columns : dict, optional
        Table name to the columns wanted from it (see :func:`table_scan`).

    Returns
    -------
    dict[str, pl.LazyFrame]
        One lazy frame per table (``people`` and ``orders`` empty when their files are absent).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n")
    >>> sorted(extract_scan(folder=d))
    ['crimes', 'involvements', 'orders', 'people']
    """
    files = extract_files_find(folder=folder)
    columns = columns or {}
    return {
        table: table_scan(files=files, table=table, columns=columns.get(table)) for table in TABLES
    }
