"""Loading data.police.uk files: street-level CSV and API JSON into ``StreetCrime``, outcomes CSV
into ``StreetOutcome``, stop-and-search CSV into ``StopSearch``, upserted by each kind's identity
(:mod:`vawg.ingest.police_uk`).

Files stream one at a time (a large CSV in chunks), read in a background thread two files ahead
of the writer, each batch stored before the next is read, all in one transaction. Files are taken
last first, so that the last version of a record wins without the earlier versions being written
at all; they are counted as repeated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any, TypeVar

import polars as pl
from django.db import connection, transaction

from vawg.ingest.common import Rejection, SourceFile
from vawg.ingest.police_uk import (
    OUTCOME,
    STOP_SEARCH,
    STREET,
    PoliceUkBatch,
    police_uk_files,
    police_uk_read_file,
)
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE
from vawg.schemas import STREET_CRIME, STREET_OUTCOME, Column, Schema
from vawg_site.common.geography import borough_codes_of, force_area, force_borough_codes
from vawg_site.ingest.services.bulk import (
    Progress,
    bulk_load,
    rows_store,
    sqlite_tune,
    table_count,
    target_plain,
)
from vawg_site.ingest.services.runs import LoadResult, run_record

BOROUGH = Column(
    "borough_code",
    pl.String(),
    "the shipped borough the record falls in, blank outside them all (decided when loaded)",
    max_chars=9,
)


def _placed(schema: Schema) -> Schema:
    """``schema`` and the borough each row falls in, which the loader adds
    (:func:`_borough_add`)."""
    return Schema(schema.name, schema.meaning, (*schema.columns, BOROUGH), schema.alternatives)


STREET_CRIME_TARGET = target_plain(_placed(STREET_CRIME))
STREET_OUTCOME_TARGET = target_plain(_placed(STREET_OUTCOME))
STOP_SEARCH_TARGET = target_plain(_placed(STOP_SEARCH_TABLE))


@dataclass
class _Tally:
    """Running counts of one kind of police.uk record during a load."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "loaded": self.loaded,
            "inserted": self.inserted,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def police_uk_load(*, paths: Sequence[Path], progress: Progress | None = None) -> LoadResult:
    """Load data.police.uk files (files, folders, ``.zip``): street-level CSV and API JSON into
    ``StreetCrime``, outcomes CSV into ``StreetOutcome``, stop-and-search CSV into ``StopSearch``.

    Files stream one at a time (a large CSV in chunks), each batch upserted before the next is
    read, all in one transaction: a file found unreadable part-way stops the load and nothing is
    stored.
    """
    started = time.perf_counter()
    files = police_uk_files(paths)  # every path checked before the transaction opens
    targets = {
        STREET: STREET_CRIME_TARGET,
        OUTCOME: STREET_OUTCOME_TARGET,
        STOP_SEARCH: STOP_SEARCH_TARGET,
    }
    tallies = {kind: _Tally() for kind in targets}
    rejections: list[Rejection] = []
    vintages: dict[str, str] = {}
    months: set[str] = set()
    # Identities written by later files of this load (Polars string columns, about 80 bytes a
    # row, compared in Rust): files are read last first, so that the last version of a record
    # wins without writing the earlier versions at all.
    written: dict[str, list[pl.Series]] = {kind: [] for kind in targets}
    sqlite_tune()
    with transaction.atomic(), ExitStack() as stack:
        bulks = {kind: stack.enter_context(bulk_load(t)) for kind, t in targets.items()}
        current = None
        in_file: dict[str, list[pl.Series]] = {kind: [] for kind in targets}
        for source, batch in _prefetch(_batches_last_first(files)):
            if source != current:
                for kind, keys_of_file in in_file.items():
                    written[kind].extend(keys_of_file)
                in_file = {kind: [] for kind in targets}
                current = source
            if batch is None:
                continue
            kind = batch.kind
            keys = _batch_keys(batch)
            rows, kept = batch.rows, keys
            if written[kind]:
                fresh = ~keys.is_in(pl.concat(written[kind]).implode())
                rows, kept = rows.filter(fresh), keys.filter(fresh)
            superseded = batch.rows.height - rows.height
            if in_file[kind] and kept.is_in(pl.concat(in_file[kind]).implode()).any():
                bulks[kind].repeats = True  # a large file repeats a record across chunks
            in_file[kind].append(kept)
            tally = tallies[kind]
            rows = _borough_add(rows)
            inserted, updated = rows_store(targets[kind], rows, progress=progress, bulk=bulks[kind])
            tally.read += batch.read
            tally.inserted += inserted
            tally.updated += updated
            tally.unchanged += rows.height - inserted - updated
            tally.duplicates += batch.duplicates + superseded + rows.height - inserted - updated
            tally.rejected += len(batch.rejections)
            rejections.extend(batch.rejections)
            _note_vintage(batch, vintages)
            if kind == OUTCOME and rows.height:
                months.update(rows["month"].dt.strftime("%Y-%m-%d").unique().to_list())
        stack.close()  # rebuild the indexes (inside the transaction) before counting links
        for kind, bulk in bulks.items():
            if bulk.active and bulk.repeats:  # rows removed as repeats: recount the inserted
                tallies[kind].inserted = table_count(targets[kind].table)
                # The table was empty: a row written again (upserted over one this load
                # appended) is a repeat, not an update, with or without its indexes dropped.
                tallies[kind].updated = tallies[kind].unchanged = 0
                tallies[kind].duplicates = (
                    tallies[kind].read - tallies[kind].inserted - tallies[kind].rejected
                )
        order = {source.name: n for n, source in enumerate(files)}
        rejections.sort(key=lambda r: (order.get(r.file, 0), r.line))
        total = _Tally(
            **{
                name: sum(getattr(t, name) for t in tallies.values())
                for name in ("read", "inserted", "updated", "duplicates", "rejected")
            }
        )
        unchanged = sum(t.unchanged for t in tallies.values())
        details: dict[str, Any] = {
            "by_kind": {kind: t.as_dict() for kind, t in tallies.items()},
            "lsoa_vintages": vintages,
        }
        notices = (
            _vintage_notices(vintages)
            + _outcome_link_notices(sorted(months))
            + _force_area_notices(tallies[STREET].loaded)
        )
        run = run_record(
            source="police-uk",
            files=[str(p) for p in paths],
            read=total.read,
            loaded=total.loaded,
            duplicates=total.duplicates,
            rejections=rejections,
            details={**details, "notices": notices},
        )
    return LoadResult(
        read=total.read,
        loaded=total.loaded,
        duplicates=total.duplicates,
        rejected=total.rejected,
        rejections=tuple(rejections),
        updated=total.updated,
        unchanged=unchanged,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=tuple(notices),
        details=details,
    )


def _borough_add(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with ``borough_code``: the shipped borough each falls in, from its LSOA where it
    names one, else its map point (:func:`vawg_site.common.geography.borough_codes_of`); blank
    outside them all. Whole columns at a time: no Python per row."""
    blank = pl.Series([""] * rows.height, dtype=pl.String)
    boroughs = borough_codes_of(
        lsoa_code=rows["lsoa_code"] if "lsoa_code" in rows.columns else blank,
        lsoa_name=rows["lsoa_name"] if "lsoa_name" in rows.columns else blank,
        lon=rows["longitude"],
        lat=rows["latitude"],
    )
    return rows.with_columns(boroughs)


def _batches_last_first(
    files: Sequence[SourceFile],
) -> Iterator[tuple[str, PoliceUkBatch | None]]:
    """(file, batch) for every batch, files last first; a file without rows gives (file, None)."""
    for source in reversed(files):
        yield source.name, None
        for batch in police_uk_read_file(source):
            yield source.name, batch


_T = TypeVar("_T")


def _prefetch(items: Iterator[_T], *, depth: int = 2) -> Iterator[_T]:
    """Iterate ``items`` in a background thread, ``depth`` ahead: reading and parsing the next
    file (gzip, Polars and hashlib release the GIL) overlaps storing this one. Memory holds at
    most ``depth`` batches more. An error in the reader is raised here, in order."""
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put(("item", item), timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("end", None))
        except BaseException as error:
            queue.put(("error", error))

    thread = threading.Thread(target=produce, name="vawg-ingest-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(timeout=0.1)


_KEYS = {
    STREET: STREET_CRIME.identity,
    OUTCOME: STREET_OUTCOME.identity,
    STOP_SEARCH: STOP_SEARCH_TABLE.identity,
}


def _batch_keys(batch: PoliceUkBatch) -> pl.Series:
    """Each row's identity as one string (a Polars column: no Python object per row)."""
    if batch.rows.height == 0:
        return pl.Series("key", [], dtype=pl.String)
    columns = [pl.col(c).cast(pl.String) for c in _KEYS[batch.kind]]
    return batch.rows.select(pl.concat_str(columns, separator="\x1f")).to_series()


def _note_vintage(batch: PoliceUkBatch, vintages: dict[str, str]) -> None:
    if batch.kind == STOP_SEARCH or batch.rows.height == 0:
        return
    vintage = str(batch.rows["lsoa_vintage"][0])
    if vintage:
        known = vintages.get(batch.file)
        vintages[batch.file] = vintage if known in (None, vintage) else "mixed"


def _vintage_notices(vintages: dict[str, str]) -> list[str]:
    counts: dict[str, int] = {}
    for vintage in vintages.values():
        counts[vintage] = counts.get(vintage, 0) + 1
    if not counts:
        return []
    parts = ", ".join(f"{vintage} in {n} file(s)" for vintage, n in sorted(counts.items()))
    return [
        f"LSOA codes stored as published; their vintage: {parts} "
        "('either' = codes valid in both 2011 and 2021; see lsoa_vintages)"
    ]


def _force_area_notices(loaded: int) -> list[str]:
    """How many stored street records the public figures count (the force area's, as
    :func:`~vawg_site.opendata.selectors.police_uk.force_area_q` selects them) and how many
    they leave out."""
    from django.db.models import Count

    from vawg_site.opendata.models import StreetCrime
    from vawg_site.opendata.selectors.police_uk import force_area_q

    codes = force_borough_codes()
    if not loaded or not codes:
        return []
    area = force_area()
    figures = StreetCrime.objects.aggregate(
        total=Count("id"), inside=Count("id", filter=force_area_q())
    )
    total, inside = figures["total"], figures["inside"]
    return [
        f"{inside:,} of the {total:,} stored street records are in the force area "
        f"({area.name}: {len(codes)} boroughs) and counted on the public pages; the other "
        f"{total - inside:,} (other forces', or outside its boroughs) are kept and not counted"
    ]


def _outcome_link_notices(months: list[str]) -> list[str]:
    """How many outcomes of the loaded months name a street crime that is loaded."""
    if not months:
        return []
    marks = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM opendata_streetcrime c "  # noqa: S608
            "WHERE c.crime_key = o.crime_id) THEN 1 ELSE 0 END) "
            f"FROM opendata_streetoutcome o WHERE o.month IN ({marks})",
            months,
        )
        row = cursor.fetchone()
    total, linked = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    return [
        f"{linked:,} of the {total:,} stored outcomes of {', '.join(m[:7] for m in months)} "
        "name a street crime that is loaded (the others' crimes are in months or forces not "
        "loaded)"
    ]
