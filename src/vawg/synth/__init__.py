"""The synthetic force generator: a force extract (``docs/extract.md``) shaped like the Met's.

It writes crimes, people, involvements and protective orders for a window of whole years, with the
Met's VAWG offence mix and ward distribution over the last 12 published months (London Datastore),
about 35,000 named suspects a year (Met, *The Independent* 2023), the concentration of repeat
offending and harm found in Thames Valley (Barnham, Barnes & Sherman 2017, "Targeting escalation in
intimate partner violence"), Home Office outcome types and delays, and protective orders. Every
number not taken from a publication is marked provisional in ``docs/synth.md``. The result is
synthetic: it describes no real person or crime, and says so in its ``MANIFEST.json``.

Method: calibration (:mod:`vawg.synth.calibration`); generation (:mod:`vawg.synth.generate`),
in stages: the offences and their parameters (:mod:`vawg.synth.offences`), suspects' careers
(:mod:`vawg.synth.careers`), people and involvements (:mod:`vawg.synth.people`), protective
orders (:mod:`vawg.synth.orders`), placement in ward polygons (:mod:`vawg.synth.places`), the
shared random draws (:mod:`vawg.synth.draws`); the files (:mod:`vawg.synth.writer`); and the
check of each target (:mod:`vawg.synth.report`).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from vawg.errors import UserInputError
from vawg.synth.calibration import (
    Calibration,
    OffenceCount,
    WardWeight,
    calibration_from_data,
    calibration_from_json,
    calibration_load,
    calibration_shipped,
    calibration_to_json,
    ward_counts_match,
)
from vawg.synth.generate import SynthSummary, write_extract
from vawg.synth.offences import offence_types
from vawg.synth.places import points_from_table, points_in_wards
from vawg.synth.report import ReportRow, report, report_failures, report_format

__all__ = [
    "Calibration",
    "OffenceCount",
    "ReportRow",
    "SynthSummary",
    "WardWeight",
    "calibration_from_data",
    "calibration_from_json",
    "calibration_load",
    "calibration_shipped",
    "calibration_to_json",
    "command",
    "offence_types",
    "points_from_table",
    "points_in_wards",
    "report",
    "report_failures",
    "report_format",
    "ward_counts_match",
    "write_extract",
]

END_DATE_DEFAULT = date(2025, 8, 31)


def command(args: argparse.Namespace) -> int:
    """``vawg synth``: write the extract, print a one-line summary (and the report).

    Returns 0, or 1 when ``--report`` finds a calibration check that failed (named on standard
    error, as a failed check in CI is); the extract is written either way.
    """
    clock = time.perf_counter()
    try:
        end = date.fromisoformat(args.end_date) if args.end_date else END_DATE_DEFAULT
    except ValueError as error:
        raise UserInputError(f"--end-date must be YYYY-MM-DD, not {args.end_date}") from error
    if getattr(args, "model", "met") == "simple":
        from vawg.synth.simple import simple_write

        simple = simple_write(
            out=args.out,
            seed=args.seed,
            years=args.years,
            end_date=end,
            men=getattr(args, "men", 4000),
        )
        counts = simple.row_counts
        print(
            f"vawg synth --model simple: wrote {counts['crimes']:,} crimes "
            f"({counts['vawg_crimes']:,} recorded of {counts['true_offences']:,} VAWG offences "
            f"committed), {counts['people']:,} people, {counts['orders']:,} orders, "
            f"{counts['risk_markers']:,} risk markers to {simple.out} "
            f"({simple.start_date}..{simple.end_date}, seed {simple.seed}) and the truth to "
            f"{simple.out / 'truth'}; {time.perf_counter() - clock:.1f}s",
            file=sys.stderr,
        )
        return 0
    calibration = calibration_load(data_dir=args.data_dir)
    loaded = time.perf_counter() - clock
    summary = write_extract(
        out=args.out,
        seed=args.seed,
        size=args.size,
        years=args.years,
        end_date=end,
        disparity=args.disparity,
        disparity_group=args.disparity_group,
        calibration=calibration,
    )
    rows = report(summary=summary, calibration=calibration) if args.report else []
    if rows:
        print(report_format(rows=rows))
    counts = summary.row_counts
    print(
        f"vawg synth: wrote {counts['vawg_offences']:,} VAWG + {counts['precursor_offences']:,} "
        f"precursor + {counts.get('general_offences', 0):,} general non-VAWG crimes, "
        f"{counts['people']:,} people, {counts['orders']:,} orders to "
        f"{summary.out} ({summary.start_date}..{summary.end_date}, seed {summary.seed}); "
        f"calibration: {calibration.source}; {loaded:.1f}s calibration + "
        f"{summary.seconds:.1f}s generation",
        file=sys.stderr,
    )
    failed = report_failures(rows)
    if failed:
        checks = sum(r.ok is not None for r in rows)
        named = "; ".join(
            f"{r.name} (generated {r.generated:.3g}, needs {r.tolerance})" for r in failed
        )
        print(
            f"vawg: synth --report: {len(failed)} of {checks} calibration checks failed: {named}. "
            f"The extract in {summary.out} was written but does not meet these targets: check "
            "the calibration (--data-dir) and the generator before relying on it",
            file=sys.stderr,
        )
        return 1
    return 0
