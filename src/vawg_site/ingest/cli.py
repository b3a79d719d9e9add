"""``vawg ingest police-uk|mps-vawg|mps-recorded|force PATH... [--json]``: a thin shell over
the services.

With ``--json`` exactly one JSON object goes to standard output (``docs/interfaces.md``);
without it, a short summary. Progress goes to standard error, and only when standard error is a
terminal (so ``--json`` output piped to a file stays clean either way). Input the user can fix
raises :class:`vawg.errors.UserInputError` (exit code 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable

from django.db import DataError

from vawg.errors import UserInputError
from vawg_site.ingest.services import (
    LoadResult,
    Progress,
    force_load,
    mps_recorded_load,
    mps_vawg_load,
    police_uk_load,
)

SHOWN_REJECTIONS = 10


def _progress() -> Progress | None:
    if not sys.stderr.isatty():
        return None

    stored = 0

    def show(rows: int) -> None:
        nonlocal stored
        stored += rows
        print(f"\rstored {stored:,} rows", end="", file=sys.stderr, flush=True)

    return show


def _load(args: argparse.Namespace, progress: Progress | None) -> LoadResult:
    loaders: dict[str, Callable[[], LoadResult]] = {
        "police-uk": lambda: police_uk_load(paths=list(args.paths), progress=progress),
        "mps-vawg": lambda: mps_vawg_load(paths=list(args.paths), progress=progress),
        "mps-recorded": lambda: mps_recorded_load(paths=list(args.paths), progress=progress),
        "force": lambda: force_load(path=args.paths[0], progress=progress),
    }
    if args.source == "force" and len(args.paths) != 1:
        raise UserInputError("ingest force takes one extract folder")
    return loaders[args.source]()


def _postcodes(args: argparse.Namespace) -> int:
    """``vawg ingest postcodes PATH``: the ONSPD's postcodes in the boundary files' boroughs."""
    from vawg_site.common.geography import borough_list
    from vawg_site.opendata.services import postcode_load

    if len(args.paths) != 1:
        raise UserInputError("ingest postcodes takes one ONSPD CSV file")
    result = postcode_load(path=args.paths[0], lad_codes={b.code for b in borough_list()})
    if args.json:
        print(json.dumps({"source": "postcodes", **dataclasses.asdict(result)}))
        return 0
    print(
        f"postcodes: stored {result.stored:,} ({result.terminated:,} of them terminated, "
        f"{result.without_point:,} without a grid point) in {result.seconds:.1f} s"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run one ingest; returns the exit code (0)."""
    if args.source == "postcodes":
        return _postcodes(args)
    progress = _progress()
    try:
        result = _load(args, progress)
    except DataError as error:
        # The readers check every value the tables take before the database sees it; a value
        # that gets past them all the same is the input's fault, not the program's.
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UserInputError(f"the database refused a value of the input: {first[:300]}") from error
    if progress is not None:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_json()))
        return 0
    print(
        f"{args.source}: read {result.read:,}, loaded {result.loaded:,} "
        f"({result.updated:,} of them updated), duplicates {result.duplicates:,} "
        f"({result.unchanged:,} unchanged from what was stored), "
        f"rejected {result.rejected:,} in {result.seconds:.1f} s"
    )
    for kind, counts in result.details.get("by_kind", {}).items():
        if counts["read"]:
            print(
                f"  {kind}: read {counts['read']:,}, inserted {counts['inserted']:,}, "
                f"updated {counts['updated']:,}, unchanged {counts['unchanged']:,}, "
                f"duplicates {counts['duplicates']:,}, rejected {counts['rejected']:,}"
            )
    for notice in result.notices:
        print(f"  note: {notice}")
    for ward in result.details.get("unmatched_wards", []):
        print(
            f"  unmatched ward: {ward['ward_name']} ({ward['borough']}): {ward['rows']:,} rows, "
            f"{ward['offences']:,} offences"
        )
    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        print(f"  rejected {rejection.file}:{rejection.line}: {rejection.reason}")
    if result.rejected > SHOWN_REJECTIONS:
        print(
            f"  ... and {result.rejected - SHOWN_REJECTIONS:,} more rejections, kept in the "
            f"quarantine (load run {result.run_id})"
        )
    return 0
