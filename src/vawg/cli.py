"""The ``vawg`` command: thin shells over the core and the site's services.

Commands that need the database (``demo``, ``serve``, ``ingest``, ``worker``, ``manage``) import
the Django project only when they run, so that ``import vawg.cli`` stays free of Django.
``ingest`` creates or upgrades the database's schema before it loads; ``serve`` and ``worker``
refuse a database whose schema is not up to date (``vawg_site.database``). Exit codes
(``docs/interfaces.md``, Exit codes): 0 done, 2 the user's input is wrong (one line on
stderr), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from vawg import __version__, rank_command
from vawg.errors import UserInputError
from vawg.spatial.command import register as hotspots_register

Handler = Callable[[argparse.Namespace], int]


def _site(name: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from vawg_site import commands

        handler: Handler = getattr(commands, name)
        return handler(args)

    return run


def _synth(args: argparse.Namespace) -> int:
    from vawg import synth

    return synth.command(args)


def build_parser() -> argparse.ArgumentParser:
    """The whole ``vawg`` command line, also used to generate ``docs/cli.md``."""
    parser = argparse.ArgumentParser(
        prog="vawg",
        description="Analytics and public site for a police force's plan to tackle violence "
        "against women and girls.",
    )
    parser.add_argument("--version", action="version", version=f"vawg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="set up everything on a fresh clone and serve the site",
        description="Create the embedded database, load the real data found (--data-dir, else "
        "$VAWG_DATA_DIR, else ../shared/data), generate a synthetic force when no force extract "
        "is given, and serve the site on http://HOST:PORT/ until stopped.",
    )
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    demo.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    demo.add_argument("--data-dir", type=Path, help="folder of real open data")
    demo.add_argument(
        "--force-extract",
        type=Path,
        help="a force extract folder to load instead of generating a synthetic one",
    )
    demo.add_argument(
        "--synth-size",
        choices=["small", "london"],
        default="london",
        help="size of the synthetic force generated when none is given (default london)",
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="set up and load, then stop without serving"
    )
    demo.set_defaults(handler=_site("demo"))

    serve = sub.add_parser(
        "serve",
        help="serve the site on the configured database",
        description="Serve the site with gunicorn on the configured database. A database "
        "that has not been set up, or whose schema is behind this version, is refused (exit "
        "code 2) rather than altered: run `vawg manage migrate` first.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=3, help="worker processes (default 3)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a `vawg worker` for the background jobs beside the server (by "
        "default one runs while the server does, and stops with it)",
    )
    serve.set_defaults(handler=_site("serve"))

    ingest = sub.add_parser(
        "ingest",
        help="load data files into the database",
        description="Load data files into the configured database. Loading "
        "the same files again loads nothing new. A database that has not been set up (or "
        "whose schema is behind) is migrated first, with one line on standard error.",
    )
    ingest_sub = ingest.add_subparsers(dest="source", required=True, metavar="SOURCE")
    for source, text in (
        (
            "police-uk",
            "data.police.uk street-level CSV (.csv, .csv.gz, a folder, the archive "
            ".zip) and API crimes-street JSON",
        ),
        (
            "mps-vawg",
            "the Met's VAWG offence and victim extracts (London Datastore; .parquet or .csv)",
        ),
        (
            "mps-recorded",
            "the Met's recorded crime by borough, ward and LSOA (London Datastore; "
            "recorded-crime*.parquet, wide: a column per month)",
        ),
        ("force", "a force extract folder (crimes, people, involvements, orders)"),
        (
            "postcodes",
            "the ONS Postcode Directory's UK CSV (ONSPD, from `vawg fetch postcodes`): the "
            "postcodes of the boroughs in the boundary files, replacing those stored",
        ),
    ):
        p = ingest_sub.add_parser(source, help=text, description=f"Load {text}.")
        p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        p.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object with the "
            "counts read, loaded, duplicates and rejected, and nothing else",
        )
        if source != "postcodes":
            p.add_argument(
                "--queue",
                action="store_true",
                help="put the load on the job queue for a `vawg worker` to run (`vawg "
                "serve` starts one), print the job's number and return at once; the same "
                "files queued again are the same job",
            )
        p.set_defaults(handler=_site("ingest"))

    fetch = sub.add_parser(
        "fetch",
        help="download public data (data.police.uk, London Datastore)",
        description="Download public data with resumable, retried, checked downloads "
        "(needs internet). Then load it with `vawg ingest`.",
    )
    fetch_sub = fetch.add_subparsers(dest="source", required=True, metavar="SOURCE")
    police = fetch_sub.add_parser(
        "police-uk",
        help="one force's street, outcomes and stop-and-search files from data.police.uk",
        description="Download the fewest data.police.uk monthly archives that cover the months "
        "(each holds the 36 months up to its own) and extract one force's files.",
    )
    police.add_argument("--force", required=True, help="force slug, e.g. metropolitan")
    police.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
    police.add_argument("--to", dest="end", required=True, help="last month, YYYY-MM")
    police.add_argument(
        "--out", type=Path, default=Path("data/police_uk"), help="folder (default data/police_uk)"
    )
    police.add_argument(
        "--base-url",
        default="https://data.police.uk/data/archive/",
        help="where the YYYY-MM.zip archives are (default https://data.police.uk/data/archive/)",
    )
    police.add_argument("--keep-archives", action="store_true", help="keep the downloaded archives")
    mps = fetch_sub.add_parser(
        "mps-vawg",
        help="the Met's VAWG offences and victims extracts from the London Datastore",
        description="Download the Met's VAWG extracts as Parquet (by default the monthly copies "
        "of London Datastore dataset 2yod5 kept by fenneh/london-crime-data; --url or "
        "$VAWG_MPS_VAWG_URLS overrides them).",
    )
    mps.add_argument("--out", type=Path, default=Path("data/mps"), help="folder (default data/mps)")
    mps.add_argument("--url", action="append", help="a URL to download (repeatable)")
    onspd = fetch_sub.add_parser(
        "postcodes",
        help="the ONS Postcode Directory (ONSPD) from the ONS Open Geography Portal",
        description="Download an ONSPD release's zip (Open Government Licence) and extract its "
        "UK CSV. Each release has its own URL: give it with --url or $VAWG_ONSPD_URL.",
    )
    onspd.add_argument("--url", help="the release's download URL (a .zip, or the .csv itself)")
    onspd.add_argument(
        "--out", type=Path, default=Path("data/onspd"), help="folder (default data/onspd)"
    )
    onspd.add_argument("--keep-archives", action="store_true", help="keep the downloaded zip")
    fetch.set_defaults(handler=_site("fetch"))

    synth = sub.add_parser(
        "synth",
        help="write a synthetic force extract",
        description="Write a synthetic force extract (crimes, people, involvements, orders) "
        "calibrated to public figures for the Met. Deterministic by seed.",
    )
    synth.add_argument("--out", type=Path, required=True, help="folder to write")
    synth.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    synth.add_argument(
        "--size",
        choices=["small", "london"],
        default="small",
        help="small (a few thousand crimes, for tests) or london (the Met's scale); default small",
    )
    synth.add_argument("--years", type=int, default=1, help="years of records (default 1)")
    synth.add_argument(
        "--end-date",
        default=None,
        help="last recorded date, YYYY-MM-DD "
        "(default 2025-08-31, the end of the Met's published series)",
    )
    synth.add_argument(
        "--disparity",
        type=float,
        default=1.0,
        help="relative rate of "
        "offending injected for one ethnic group (1.0, the default, injects none)",
    )
    synth.add_argument(
        "--model",
        choices=["met", "simple"],
        default="met",
        help="met (the default: calibrated to the Met's published figures) or simple (a second, "
        "independent model for testing the rankings: latent classes of offender, self-exciting "
        "offending, partial reporting and custody; --size, --disparity and --data-dir do not "
        "apply). Both also write risk_markers.csv and the hidden truth/ of every offence",
    )
    synth.add_argument(
        "--men",
        type=int,
        default=4000,
        help="--model simple: offending careers started a year (default 4000)",
    )
    synth.add_argument(
        "--disparity-group",
        default="B",
        help="the force ethnicity code that --disparity applies to (default B)",
    )
    synth.add_argument(
        "--data-dir",
        type=Path,
        help="real data folder for calibration "
        "(default $VAWG_DATA_DIR, else ../shared/data); without it the shipped "
        "calibration summary is used",
    )
    synth.add_argument(
        "--report",
        action="store_true",
        help="print each calibration target beside the generated value, and exit 1 (naming "
        "them) when a check fails",
    )
    synth.set_defaults(handler=_synth)

    rank_command.register(sub)
    hotspots_register(sub)

    worker = sub.add_parser(
        "worker",
        help="run the background jobs (loads, nightly and monthly runs, briefings) until stopped",
        description="Run the background jobs (loads, nightly and monthly runs, briefings) "
        "until stopped: enqueue the scheduled runs that are due, return the jobs of a worker "
        "that stopped without finishing to the queue, and run the queued jobs one at a time. "
        "SIGTERM or Ctrl+C stops it after the job under way (docs/jobs.md). The database's "
        "schema must be up to date (exit code 2 otherwise).",
    )
    worker.add_argument("--once", action="store_true", help="run the jobs that are due, then exit")
    worker.add_argument(
        "--no-schedule",
        dest="schedule",
        action="store_false",
        help="run queued jobs only; enqueue no scheduled runs",
    )
    worker.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds a job stays this worker's between heartbeats' renewals (default 60); a "
        "killed worker's job is run again once this has passed",
    )
    worker.add_argument(
        "--poll", type=float, default=5.0, help="seconds between looks for work (default 5)"
    )
    worker.set_defaults(handler=_site("worker"))

    manage = sub.add_parser(
        "manage",
        help="run a Django management command",
        description="Run a Django management command on the site, e.g. "
        "`vawg manage createsuperuser`.",
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_site("manage"))

    docs = sub.add_parser(
        "docs",
        help="regenerate the generated docs",
        description="Write docs/cli.md (from --help) and docs/settings.md "
        "(from the settings table).",
    )
    docs.add_argument("--out", type=Path, default=Path("docs"), help="docs folder (default docs)")
    docs.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a generated page is stale instead of writing it",
    )
    docs.set_defaults(handler=_site("docs"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vawg`` with ``argv`` (default: the process arguments) and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UserInputError as error:
        print(f"vawg: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vawg: stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
