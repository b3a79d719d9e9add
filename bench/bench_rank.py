"""Benchmark: `vawg rank` (Polars) against a plain pandas V100 on ten years at the Met's scale.

Generates (or reuses, cached under /tmp) a 10-year synthetic London extract with `vawg synth`,
then runs, side by side in fresh subprocesses, (a) a plain pandas V100 (read the CSVs, filter the
window, join, group, top 100), (b) the whole `vawg rank` command, reading included, as a user
runs it (through the Parquet copy it keeps in PATH/.vawg-cache/; the first run, which builds the
copy, is timed and printed apart) and (c) the same with `--no-cache` (parsing the CSVs every
time). It prints the median wall time and peak resident memory (ru_maxrss) of each, and the
ratios. Figures go in docs/PERFORMANCE.md, section "Ranking".

    uv run python bench/bench_rank.py [--repeats 5] [--folder /tmp/vawg_bench/london10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from vawg.extract import CACHE_FOLDER

AS_OF = "2025-08-31"

PANDAS_V100 = """
import sys
import pandas as pd
folder, as_of, harm_csv = sys.argv[1], pd.Timestamp(sys.argv[2]), sys.argv[3]
harm = pd.read_csv(harm_csv, comment="#", dtype=str)
days = dict(zip(harm["offence_code"], harm["harm_days"].astype(float)))
crimes = pd.read_csv(f"{folder}/crimes.csv", usecols=["crime_ref", "recorded_date", "offence_code"],
                     parse_dates=["recorded_date"])
crimes = crimes[(crimes["recorded_date"] >= as_of - pd.Timedelta(days=365))
                & (crimes["recorded_date"] <= as_of)]
inv = pd.read_csv(f"{folder}/involvements.csv", usecols=["crime_ref", "person_ref", "role"])
inv = inv[inv["role"].isin(["suspect", "offender"])]
joined = inv.merge(crimes, on="crime_ref")
joined["harm_days"] = joined["offence_code"].map(days).fillna(0.0)
top = joined.groupby("person_ref")["harm_days"].sum().nlargest(100)
top.to_csv(sys.argv[4])
"""

VAWG_RANK = """
import sys
from vawg.cli import build_parser, main
parser = build_parser()
choices = next(a for a in parser._actions if a.dest == "command").choices
if "rank" in choices:
    raise SystemExit(main(sys.argv[1:]))
import argparse
from vawg.rank_command import register
p = argparse.ArgumentParser(prog="vawg")
register(p.add_subparsers(dest="command"))
args = p.parse_args(sys.argv[1:])
raise SystemExit(args.handler(args))
"""


def extract_ensure(folder: Path) -> Path:
    """Generate the 10-year London extract unless it is already cached."""
    if (folder / "crimes.csv").is_file() and (folder / "involvements.csv").is_file():
        return folder
    from vawg.synth import calibration_shipped, write_extract

    print(f"generating a 10-year London extract in {folder} ...", flush=True)
    write_extract(
        out=folder,
        seed=7,
        size="london",
        years=10,
        end_date=date(2025, 8, 31),
        calibration=calibration_shipped(),
    )
    return folder


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one subprocess."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"failed: {' '.join(argv)}\n{process.stderr.read().decode() if process.stderr else ''}"
        )
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/vawg_bench/london10"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--before-src",
        type=Path,
        help="also run `vawg rank --no-cache` from an older copy of src/ (put first on "
        "PYTHONPATH), for before/after figures",
    )
    args = parser.parse_args()
    folder = extract_ensure(args.folder)
    harm_csv = Path(__file__).resolve().parents[1] / "src" / "vawg" / "data" / "harm_default.csv"
    out = Path("/tmp/vawg_bench")
    out.mkdir(parents=True, exist_ok=True)
    rank = [sys.executable, "-c", VAWG_RANK, "rank", str(folder), "--as-of", AS_OF, "--out"]
    commands = {
        "pandas V100": [
            sys.executable,
            "-c",
            PANDAS_V100,
            str(folder),
            AS_OF,
            str(harm_csv),
            str(out / "pandas_top100.csv"),
        ],
        "vawg rank": [*rank, str(out / "vawg_top100.csv")],
        "vawg rank --no-cache": [*rank, str(out / "vawg_top100_csv.csv"), "--no-cache"],
    }
    env: dict[str, dict[str, str]] = {}
    if args.before_src:
        commands["before: vawg rank"] = [*rank, str(out / "before_top100.csv"), "--no-cache"]
        env["before: vawg rank"] = {**os.environ, "PYTHONPATH": str(args.before_src)}
    # The first run of `vawg rank` builds the Parquet copy (PATH/.vawg-cache/): timed apart.
    shutil.rmtree(folder / CACHE_FOLDER, ignore_errors=True)
    first = run(commands["vawg rank"])
    print(f"vawg rank, first run building the Parquet copy: {first[0]:.2f} s, {first[1]:.0f} MB")
    rows = {name: [] for name in commands}  # type: dict[str, list[tuple[float, float, float]]]
    for _ in range(args.repeats):
        for name, argv in commands.items():  # interleaved, so load changes hit all
            rows[name].append(run(argv, env.get(name)))
    medians = {}
    for name, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        medians[name] = wall
        print(
            f"{name:22s} median {wall:5.2f} s  cpu {cpu:5.2f} s  median peak {rss:4.0f} MB (max "
            f"{max(r[1] for r in runs):4.0f})  runs {[round(r[0], 2) for r in runs]}"
        )
    same = (out / "vawg_top100.csv").read_bytes() == (out / "vawg_top100_csv.csv").read_bytes()
    crimes = sum(1 for _ in (folder / "crimes.csv").open()) - 1
    involvements = sum(1 for _ in (folder / "involvements.csv").open()) - 1
    print(f"extract: {crimes:,} crimes, {involvements:,} involvements; identical lists: {same}")
    base = medians["pandas V100"]
    print(
        f"speed-up over pandas: {base / medians['vawg rank']:.2f}x with the Parquet copy, "
        f"{base / medians['vawg rank --no-cache']:.2f}x reading the CSVs"
    )
    if "before: vawg rank" in medians:
        print(f"speed-up over pandas before: {base / medians['before: vawg rank']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
