"""Reader for the Met's VAWG offence and victim counts (London Datastore), as long tables.

Each extract (``vawg-offences``, ``vawg-victims``; Parquet, or CSV with the same columns) holds
several breakdowns of the same crimes, told apart by its ``sheet`` column: by location (borough,
ward), by classification (offence group, offence, Home Office detail, VAWG offence), by victim age
group and by victim ethnic group. Sheets are kept apart and never summed together. The sheet name
gives the measure (``Offence count ...`` -> offences, ``Victim count ...`` -> victims) and the
breakdown (``location``, ``classification``, ``age``, ``ethnicity``).

Identity is the full natural key (measure, sheet, recorded month, committed month, BCU, borough,
ward name, the four offence columns, age group, ethnic group), stored as its SHA-1
``natural_key``; a key repeated within a load keeps the last row. Counts are as published
(aggregates, not incidents). The committed month is kept as published, including the placeholder
years (1900...) the Met uses for an unknown date of offence. Ward names are matched to 2024 ward
codes by :mod:`vawg.ingest.wards`; names of wards abolished before 2024 stay unmatched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import (
    READ_ERRORS,
    ReadResult,
    Rejection,
    SourceFile,
    UnmatchedWard,
    csv_rows,
    rejections_from,
    source_files,
    text_lines,
)
from vawg.ingest.limits import parquet_read
from vawg.ingest.plausible import first_reason, plausibility_rules
from vawg.ingest.wards import Ward, WardMatcher, ward_name_normalise
from vawg.schemas import MPS_VAWG_FILE, VAWG_COUNT

SOURCE_COLUMNS = dict(zip(MPS_VAWG_FILE.names, MPS_VAWG_FILE.read_names, strict=True))
"""Published column -> the reader's column (:data:`vawg.schemas.MPS_VAWG_FILE`)."""

REQUIRED = MPS_VAWG_FILE.required

# The published text columns, as the reader names them (those it does not parse).
_TEXT = tuple(name for name in MPS_VAWG_FILE.read_names if not name.endswith("_raw"))

COLUMNS = VAWG_COUNT.names
"""Columns of the normalised table (:data:`vawg.schemas.VAWG_COUNT`): ``month``/
``committed_month`` are ``pl.Date`` (first of the month; ``committed_month`` may be null),
``count`` is ``pl.Int64``, the rest strings ("" when blank)."""


def sheet_parse(name: str) -> tuple[str, str] | None:
    """(measure, sheet) for a published sheet name, or None when it is not recognised.

    >>> sheet_parse("Offence count location"), sheet_parse("Victim count by ethnic group")
    (('offences', 'location'), ('victims', 'ethnicity'))
    """
    text = name.strip().lower()
    if text.startswith("offence"):
        measure = "offences"
    elif text.startswith("victim"):
        measure = "victims"
    else:
        return None
    for word, sheet in (
        ("location", "location"),
        ("classification", "classification"),
        ("age", "age"),
        ("ethnic", "ethnicity"),
    ):
        if word in text:
            return measure, sheet
    return None


def _accept(name: str) -> bool:
    return name.endswith((".parquet", ".csv"))


def mps_vawg_read(
    paths: Iterable[Path],
    *,
    wards: Sequence[Ward] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReadResult:
    """Read and normalise the VAWG extracts named by ``paths``.

    With ``wards`` (2024 wards, see :func:`vawg.ingest.wards.ward_lookup_read`), ward names are
    matched to ``ward_code``; the notices then list the names that did not match. A file that
    cannot be read raises :class:`~vawg.errors.UserInputError`.
    """
    files = source_files(paths, accept=_accept)
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    read = 0
    for done, source in enumerate(files, start=1):
        frame, bad, count = _read_file(source)
        read += count
        rejections.extend(bad)
        frames.append(frame)
        if progress is not None:
            progress(done, len(files))
    rows = pl.concat(frames, how="vertical") if frames else VAWG_COUNT.empty()
    before = rows.height
    rows = rows.unique(subset=["natural_key"], keep="last", maintain_order=True)
    notices: list[str] = []
    unmatched: tuple[UnmatchedWard, ...] = ()
    if wards is not None:
        rows, notices = _match_wards(rows, wards)
        unmatched = ward_unmatched(rows)
    else:
        notices.append("no ward lookup given: ward codes left blank")
    return ReadResult(
        rows, read, before - rows.height, tuple(rejections), (), tuple(notices), unmatched
    )


def ward_unmatched(rows: pl.DataFrame) -> tuple[UnmatchedWard, ...]:
    """The ward names of ``rows`` (normalised VAWG counts with ``ward_code`` filled in) that match
    no 2024 ward, with the rows and the offences (location sheet) that carry each, by borough."""
    unmatched = rows.filter((pl.col("ward_name") != "") & (pl.col("ward_code") == ""))
    if unmatched.height == 0:
        return ()
    offences = (pl.col("measure") == "offences") & (pl.col("sheet") == "location")
    table = (
        unmatched.group_by("borough", "ward_name")
        .agg(
            pl.len().alias("rows"),
            pl.col("count").filter(offences).sum().alias("offences"),
        )
        .sort("borough", "ward_name")
    )
    return tuple(
        UnmatchedWard(str(b), str(w), int(r), int(o or 0)) for b, w, r, o in table.iter_rows()
    )


def _strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text; dates as YYYY-MM-DD."""
    out = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Datetime or dtype == pl.Date:
            out.append(column.dt.strftime("%Y-%m-%d").alias(name))
        else:
            out.append(column.cast(pl.String).alias(name))
    return frame.select(out)


def _read_file(source: SourceFile) -> tuple[pl.DataFrame, list[Rejection], int]:
    if source.inner_name.endswith(".parquet") or _starts_parquet(source):
        table = parquet_read(source.read_bytes(), name=source.name)
        frame = _strings(table).with_columns(
            pl.int_range(1, table.height + 1, dtype=pl.Int64).alias("_line")
        )
        extra: list[Rejection] = []
        header = table.columns
    else:
        csv_table = csv_rows(text_lines(source), file=source.name)
        frame = csv_table.rows
        extra = list(csv_table.rejections)
        header = list(csv_table.header)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UserInputError(
            f"{source.name}: not a Met VAWG extract (missing columns: {', '.join(missing)})"
        )
    known = [c for c in header if c in SOURCE_COLUMNS]
    frame = frame.with_columns(
        pl.concat_str([pl.col(c).fill_null("") for c in known], separator=",").alias("_raw")
    ).select(
        *[pl.col(c).alias(SOURCE_COLUMNS[c]) for c in known],
        *[pl.lit("").alias(SOURCE_COLUMNS[c]) for c in SOURCE_COLUMNS if c not in header],
        pl.col("_line"),
        pl.col("_raw"),
    )
    frame, bad = _normalise(frame, file=source.name)
    return frame, extra + bad, frame.height + len(bad) + len(extra)


def _starts_parquet(source: SourceFile) -> bool:
    with source.open_binary() as stream:
        try:
            return bool(stream.read(4) == b"PAR1")
        except READ_ERRORS as error:
            raise UserInputError(f"cannot read {source.name}: {error}") from error


def _month(column: str) -> pl.Expr:
    """The first day of the month of a ``YYYY-MM[-DD...]`` text column (null when not a date)."""
    return pl.concat_str(pl.col(column).str.slice(0, 7), pl.lit("-01")).str.strptime(
        pl.Date, "%Y-%m-%d", strict=False
    )


def _normalise(frame: pl.DataFrame, *, file: str) -> tuple[pl.DataFrame, list[Rejection]]:
    parsed = {name: sheet_parse(name) for name in frame["sheet_raw"].drop_nulls().unique()}
    measures = {k: v[0] for k, v in parsed.items() if v is not None}
    sheets = {k: v[1] for k, v in parsed.items() if v is not None}
    frame = frame.with_columns(
        pl.col(c).fill_null("").str.strip_chars() for c in (*_TEXT, "sheet_raw", "count_raw")
    ).with_columns(
        pl.col("sheet_raw")
        .replace_strict(measures, default=None, return_dtype=pl.String)
        .alias("measure"),
        pl.col("sheet_raw")
        .replace_strict(sheets, default=None, return_dtype=pl.String)
        .alias("sheet"),
        _month("month_raw").alias("month"),
        _month("committed_raw").alias("committed_month"),
        pl.col("count_raw").str.replace(r"\.0+$", "").cast(pl.Int64, strict=False).alias("count"),
    )
    reason = (
        pl.when(pl.col("sheet").is_null())
        .then(pl.format("unknown sheet '{}'", pl.col("sheet_raw")))
        .when(pl.col("month").is_null())
        .then(pl.format("recorded month '{}' is not a date", pl.col("month_raw")))
        .when(
            pl.col("committed_month").is_null()
            & (pl.col("committed_raw").fill_null("").str.strip_chars() != "")
        )
        .then(pl.format("committed month '{}' is not a date", pl.col("committed_raw")))
        .when(pl.col("count").is_null())
        .then(pl.format("count '{}' is not a whole number", pl.col("count_raw")))
        .when(pl.col("count") < 0)
        .then(pl.lit("count is negative"))
        .otherwise(first_reason(plausibility_rules(VAWG_COUNT, frame.columns)))
    )
    frame = frame.with_columns(reason.alias("_reason"))
    bad = rejections_from(
        frame.filter(pl.col("_reason").is_not_null()), file=file, columns=["_raw"]
    )
    good = frame.filter(pl.col("_reason").is_null())
    key_text = good.select(
        pl.concat_str(
            [
                pl.col("measure"),
                pl.col("sheet"),
                pl.col("month").dt.strftime("%Y-%m"),
                pl.col("committed_month").dt.strftime("%Y-%m").fill_null(""),
                *[pl.col(c) for c in _TEXT],
            ],
            separator="\x1f",
        )
    ).to_series()
    keys = [
        hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        for text in key_text.to_list()
    ]
    good = good.with_columns(
        pl.Series("natural_key", keys, dtype=pl.String), pl.lit("").alias("ward_code")
    )
    return good.select(COLUMNS), bad


def _match_wards(rows: pl.DataFrame, wards: Sequence[Ward]) -> tuple[pl.DataFrame, list[str]]:
    matcher = WardMatcher(wards)
    named = rows.filter(pl.col("ward_name") != "").select("borough", "ward_name").unique()
    codes = matcher.codes(named.iter_rows())
    lookup = pl.DataFrame(
        {
            "borough": [pair[0] for pair in codes],
            "ward_name": [pair[1] for pair in codes],
            "_code": [code or "" for code in codes.values()],
        },
        schema={"borough": pl.String, "ward_name": pl.String, "_code": pl.String},
    )
    rows = (
        rows.join(lookup, on=["borough", "ward_name"], how="left", maintain_order="left")
        .with_columns(pl.col("_code").fill_null("").alias("ward_code"))
        .select(COLUMNS)
    )
    unmatched = sorted((b, w) for (b, w), code in codes.items() if code is None)
    notices = []
    if unmatched:
        shown = "; ".join(f"{w} ({b})" for b, w in unmatched[:20])
        more = f" and {len(unmatched) - 20} more" if len(unmatched) > 20 else ""
        notices.append(
            f"{len(unmatched)} of {len(codes)} ward names did not match a 2024 ward "
            f"(wards abolished before 2024, or not wards): {shown}{more}"
        )
    return rows, notices


def ward_code_share(rows: pl.DataFrame, *, measure: str = "offences", since: date) -> float:
    """Share of the counts on the location sheet recorded on or after ``since`` that have a 2024
    ward code (0..1; 0 when there are none): :attr:`WardCoverage.share`."""
    return ward_coverage(rows, measure=measure, since=since).share


_NOT_KNOWN_WARDS = frozenset({"n k", "nk", "not known", "unknown"})
_OUTSIDE_FORCE_WARDS = frozenset({"non met police force"})


@dataclass(frozen=True)
class WardCoverage:
    """Where the counts of the location sheet land, in counts (offences or victims).

    ``on_ward``: on a 2024 ward code; ``unmatched``: the Met names a ward that matches no 2024
    ward (abolished or split before 2024); ``not_known``: no ward given (blank or ``N/K``);
    ``outside_force``: ``Non MET police force`` (recorded by the Met, happened elsewhere).
    """

    total: int
    on_ward: int
    unmatched: int
    not_known: int
    outside_force: int

    @property
    def share(self) -> float:
        """``on_ward`` out of every count (0..1; 0 when there are none)."""
        return self.on_ward / self.total if self.total else 0.0

    @property
    def share_of_named(self) -> float:
        """``on_ward`` out of the counts whose ward the Met names (0..1; 0 when none)."""
        named = self.on_ward + self.unmatched
        return self.on_ward / named if named else 0.0


def ward_coverage(rows: pl.DataFrame, *, measure: str = "offences", since: date) -> WardCoverage:
    """How the counts of the location sheet recorded on or after ``since`` land on 2024 wards.

    ``rows`` are normalised VAWG counts with ``ward_code`` filled in (:func:`mps_vawg_read` with
    ``wards``). Every count is in exactly one of ``on_ward``, ``unmatched``, ``not_known`` and
    ``outside_force``.

    >>> rows = pl.DataFrame({"measure": ["offences"] * 4, "sheet": ["location"] * 4,
    ...     "month": [date(2024, 1, 1)] * 4, "count": [6, 2, 1, 1],
    ...     "ward_name": ["Bloomsbury", "Kentish Town", "N/K", "Non MET police force"],
    ...     "ward_code": ["E05013652", "", "", ""]})
    >>> c = ward_coverage(rows, since=date(2024, 1, 1))
    >>> (c.total, c.on_ward, c.unmatched, c.not_known, c.outside_force)
    (10, 6, 2, 1, 1)
    >>> round(c.share, 2), round(c.share_of_named, 2)
    (0.6, 0.75)
    """
    located = rows.filter(
        (pl.col("measure") == measure)
        & (pl.col("sheet") == "location")
        & (pl.col("month") >= since)
    )
    by_name = located.group_by("ward_name", "ward_code").agg(pl.col("count").sum())
    on_ward = unmatched = not_known = outside = 0
    for name, code, count in by_name.iter_rows():
        key = ward_name_normalise(name or "")
        if code:
            on_ward += count
        elif key == "" or key in _NOT_KNOWN_WARDS:
            not_known += count
        elif key in _OUTSIDE_FORCE_WARDS:
            outside += count
        else:
            unmatched += count
    return WardCoverage(
        total=on_ward + unmatched + not_known + outside,
        on_ward=on_ward,
        unmatched=unmatched,
        not_known=not_known,
        outside_force=outside,
    )
