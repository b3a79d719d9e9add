"""The VAWG allegations of a whole extract, classified once and kept beside it.

Reading the allegations of a date range (:func:`vawg.rank.allegations.allegations_load`)
classifies the crimes of the range with the taxonomy, weighs them with the harm table, finds
the victims' sex and joins the involvements: about a tenth of a second per year of a large
force. A list, a fit and a backtest read the same years again and again, so with the cache on
(``vawg rank`` and ``vawg rank backtest`` turn it on) the VAWG allegations of the whole extract
are prepared once, sorted by recorded date, and kept as three Parquet files in
``PATH/.vawg-cache/``: the suspects, the victims and the offence codes that the notes count
(absent from the taxonomy; VAWG with no harm weight), per recorded date. A range is then a
filtered read. The files are keyed by the extract's files (name, size and modification time),
the taxonomy's table and the harm table's weights: a changed extract, taxonomy or harm table
prepares afresh, and stale files are deleted. The result is the one the direct read gives
(tested).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from vawg.extract import CACHE_FOLDER, extract_files_find

if TYPE_CHECKING:
    from vawg.harm import HarmTable
    from vawg.rank.allegations import Allegations
    from vawg.taxonomy import Taxonomy

PREPARED_VERSION = 1
"""Bumped when what is kept changes; older files are then prepared afresh."""

_PARTS = ("suspects", "victims", "codes")


def inputs_key(
    *, paths: Iterable[Path], harm: HarmTable, taxonomy: Taxonomy, salt: str = ""
) -> str:
    """A short fingerprint of files (name, size and modification time), a harm table's weights
    and a taxonomy's table: what a kept result (the prepared allegations, a fitted model) was
    made from, so that a change to any of them makes it afresh."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    digest.update(repr(taxonomy.table.rows()).encode())
    digest.update(
        repr(harm.table.select("offence_code", "harm_days").sort("offence_code").rows()).encode()
    )
    digest.update(f"{harm.name}|{taxonomy.version}".encode())
    return digest.hexdigest()[:16]


def prepared_key(*, folder: Path, taxonomy: Taxonomy, harm: HarmTable) -> str:
    """The fingerprint of what the prepared allegations depend on."""
    files = extract_files_find(folder=folder).files
    tables = [files[t] for t in ("crimes", "involvements", "people") if t in files]
    return inputs_key(paths=tables, harm=harm, taxonomy=taxonomy, salt=f"v{PREPARED_VERSION}")


def _paths(folder: Path, key: str) -> dict[str, Path]:
    cache = Path(folder) / CACHE_FOLDER
    return {part: cache / f"allegations-{key}-{part}.parquet" for part in _PARTS}


def _prepare(*, folder: Path, key: str, taxonomy: Taxonomy, harm: HarmTable) -> bool:
    # Classify the whole extract once and write the three files; False when there is nothing
    # to prepare or the folder cannot be written (the caller then reads directly).
    from vawg.rank.allegations import allegations_load, recorded_span

    span = recorded_span(folder=folder, cache=True)
    if span.first is None or span.last is None:
        return False
    # A year at a time: every crime's classification depends on that crime alone, so the
    # years' results put together are the whole's, and the memory is a year's.
    suspects, victims, codes = [], [], []
    start = span.first
    while start <= span.last:
        end = min(span.last, start + timedelta(days=365))
        piece = allegations_load(
            folder=folder,
            start=start,
            end=end,
            taxonomy=taxonomy,
            harm=harm,
            vawg_only=True,
            cache=True,
            prepared=False,
            dated_codes=True,
        )
        dates = piece.suspects.select("crime_ref", "recorded_date").unique("crime_ref")
        suspects.append(piece.suspects)
        victims.append(piece.victims.join(dates, on="crime_ref", how="left"))
        for kind, table in (
            ("unknown", piece.unknown_codes),
            ("unweighted", piece.unweighted_codes),
        ):
            codes.append(
                table.select(
                    pl.lit(kind).alias("kind"),
                    pl.col("offence_code").cast(pl.String),
                    pl.col("recorded_date").cast(pl.Date),
                    pl.col("crimes").cast(pl.Int64),
                )
            )
        start = end + timedelta(days=1)
    frames = {
        "suspects": pl.concat(suspects).sort("recorded_date", "crime_ref", "person_ref"),
        "victims": pl.concat(victims).sort("recorded_date", "crime_ref", "victim_ref"),
        "codes": pl.concat(codes).sort("recorded_date", "kind", "offence_code"),
    }
    paths = _paths(folder, key)
    written: list[Path] = []
    try:
        for part, frame in frames.items():
            partial = paths[part].with_name(f".{paths[part].name}.{os.getpid()}.partial")
            written.append(partial)
            frame.write_parquet(partial, compression="zstd", row_group_size=65_536)
        for part in _PARTS:
            paths[part].with_name(f".{paths[part].name}.{os.getpid()}.partial").replace(paths[part])
    except (OSError, pl.exceptions.PolarsError):
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        return False
    for stale in paths["suspects"].parent.glob("allegations-*.parquet"):
        if stale not in paths.values():
            stale.unlink(missing_ok=True)
    return True


def _codes(codes: pl.DataFrame, kind: str) -> pl.DataFrame:
    return (
        codes.filter(pl.col("kind") == kind)
        .group_by("offence_code")
        .agg(pl.col("crimes").sum().cast(pl.Int64))
        .sort(["crimes", "offence_code"], descending=[True, False])
    )


def prepared_load(
    *, folder: Path, start: date, end: date, taxonomy: Taxonomy, harm: HarmTable
) -> Allegations | None:
    """The VAWG allegations recorded in ``[start, end]``, from the prepared files (prepared
    first when missing); None when they cannot be kept (read directly instead)."""
    from vawg.rank.allegations import Allegations

    key = prepared_key(folder=folder, taxonomy=taxonomy, harm=harm)
    paths = _paths(folder, key)
    if not all(path.is_file() for path in paths.values()) and not _prepare(
        folder=folder, key=key, taxonomy=taxonomy, harm=harm
    ):
        return None
    in_range = pl.col("recorded_date").is_between(start, end)
    suspects = pl.scan_parquet(paths["suspects"]).filter(in_range).collect()
    victims = (
        pl.scan_parquet(paths["victims"]).filter(in_range).select("crime_ref", "victim_ref")
    ).collect()
    codes = pl.scan_parquet(paths["codes"]).filter(in_range).collect()
    return Allegations(
        suspects=suspects,
        victims=victims,
        start=start,
        end=end,
        harm_table=harm.name,
        taxonomy_version=taxonomy.version,
        unknown_codes=_codes(codes, "unknown"),
        unweighted_codes=_codes(codes, "unweighted"),
    )
