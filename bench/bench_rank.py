"""Benchmark: `vawg rank` (Polars) against a plain pandas V100 on ten years at the Met's scale.

Generates (or reuses, cached under /tmp) a 10-year synthetic London extract with `vawg synth`,
then runs, side by side in fresh subprocesses, (a) a plain pandas V100 (read the CSVs, filter the
window, join, group, top 100), (b) the whole `vawg rank` command, reading included, as a user
runs it (through what it keeps in PATH/.vawg-cache/: the Parquet copies of the CSVs, the
prepared allegations and the month's fitted model; the first run, which builds them, is timed
and printed apart, and so is `vawg rank fit`, which fits the model again) and (c) the same with
`--no-cache` (parsing the CSVs, and for the learned default fitting the model, every time).
It prints the median wall time, CPU time (user + system) and peak resident memory (ru_maxrss)
of each, the ratios, and the load average. Figures go in docs/PERFORMANCE.md,
section "Ranking".

Python's compiled bytecode: an installed Python package is imported from its cached bytecode
(`__pycache__`, written at install or on first import). Some shells set PYTHONDONTWRITEBYTECODE,
which makes every run compile pandas' and Polars' sources afresh (about 1.1 s more CPU for
pandas, 0.4 s more for Polars, on the workplace machine): by default every command here runs
with a bytecode cache kept apart in /tmp/vawg_bench/pycache (PYTHONPYCACHEPREFIX, so nothing is
written into the environment), filled by one untimed run of each command.
`--no-bytecode-cache` compiles on every run instead.

    uv run python bench/bench_rank.py [--repeats 5] [--folder /tmp/vawg_bench/london10]
        [--before-src DIR] [--no-bytecode-cache] [--method learned]

`--method` times `vawg rank --method M` instead of the default method (the pandas baseline is
V100 whatever the method), to see what a change of default would cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
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
    print(f"generating a 10-year London extract in {folder} ...", flush=True)
    # In a child process: a parent that had grown to hold the extract would pass its peak RSS on
    # to every later child (Linux counts the forked copy in the child's ru_maxrss).
    code = (
        "import sys; from datetime import date; from pathlib import Path\n"
        "from vawg.synth import calibration_shipped, write_extract\n"
        "write_extract(out=Path(sys.argv[1]), seed=7, size='london', years=10,\n"
        "              end_date=date(2025, 8, 31), calibration=calibration_shipped())\n"
    )
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True)
    return folder


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
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
        help="also run `vawg rank` from an older copy of src/ (put first on PYTHONPATH), for "
        "before/after figures",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module's source on every run (PYTHONDONTWRITEBYTECODE=1) instead of "
        "importing cached bytecode",
    )
    parser.add_argument(
        "--method",
        help="pass --method to every `vawg rank` command (default: the default method)",
    )
    args = parser.parse_args()
    base_env = dict(os.environ)
    if args.no_bytecode_cache:
        base_env["PYTHONDONTWRITEBYTECODE"] = "1"
        base_env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_env["PYTHONPYCACHEPREFIX"] = "/tmp/vawg_bench/pycache"
    print(
        f"load average at start: {os.getloadavg()}; bytecode "
        f"{'compiled on every run' if args.no_bytecode_cache else 'cached'}"
    )
    folder = extract_ensure(args.folder)
    harm_csv = Path(__file__).resolve().parents[1] / "src" / "vawg" / "data" / "harm_default.csv"
    out = Path("/tmp/vawg_bench")
    out.mkdir(parents=True, exist_ok=True)
    method = ["--method", args.method] if args.method else []
    rank = [sys.executable, "-c", VAWG_RANK, "rank", str(folder), "--as-of", AS_OF, *method]
    rank.append("--out")
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
    env = {name: base_env for name in commands}
    if args.before_src:
        commands["before: vawg rank"] = [*rank, str(out / "before_top100.csv")]
        env["before: vawg rank"] = {**base_env, "PYTHONPATH": str(args.before_src)}
    # The first run of `vawg rank` builds what it keeps (PATH/.vawg-cache/): timed apart.
    shutil.rmtree(folder / CACHE_FOLDER, ignore_errors=True)
    first = run(commands["vawg rank"], base_env)
    print(
        f"vawg rank, first run building the Parquet copies, the prepared allegations and (for "
        f"the learned method) the month's model: {first[0]:.2f} s, cpu {first[2]:.2f} s, "
        f"{first[1]:.0f} MB"
    )
    if args.method in (None, "learned"):
        fit = [sys.executable, "-c", VAWG_RANK, "rank", "fit", str(folder), "--as-of", AS_OF]
        fitted = run(fit, base_env)
        print(
            f"vawg rank fit (the month's model fitted again, once a month): {fitted[0]:.2f} s, "
            f"cpu {fitted[2]:.2f} s, {fitted[1]:.0f} MB"
        )
    for name, argv in commands.items():  # untimed: fills the bytecode cache
        run(argv, env[name])
    rows = {name: [] for name in commands}  # type: dict[str, list[tuple[float, float, float]]]
    for _ in range(args.repeats):
        for name, argv in commands.items():  # interleaved, so load changes hit all
            rows[name].append(run(argv, env[name]))
    medians = {}
    cpus = {}
    for name, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        medians[name] = wall
        cpus[name] = cpu
        print(
            f"{name:22s} median {wall:5.2f} s  cpu {cpu:5.2f} s  median peak {rss:4.0f} MB (max "
            f"{max(r[1] for r in runs):4.0f})  runs {[round(r[0], 2) for r in runs]}"
        )
    listed = (out / "vawg_top100.csv").read_bytes()
    same = listed == (out / "vawg_top100_csv.csv").read_bytes()
    if args.before_src:
        same = same and listed == (out / "before_top100.csv").read_bytes()
    crimes = sum(1 for _ in (folder / "crimes.csv").open()) - 1
    involvements = sum(1 for _ in (folder / "involvements.csv").open()) - 1
    print(f"extract: {crimes:,} crimes, {involvements:,} involvements; identical lists: {same}")
    base, base_cpu = medians["pandas V100"], cpus["pandas V100"]
    for name in commands:
        if name != "pandas V100":
            # Also the median of the ratios within each round: the two runs of a round are
            # seconds apart, so a change of load between rounds cancels out.
            paired = statistics.median(
                p[0] / r[0] for p, r in zip(rows["pandas V100"], rows[name], strict=True)
            )
            print(
                f"speed-up over pandas, {name}: {base / medians[name]:.2f}x wall, "
                f"{base_cpu / cpus[name]:.2f}x cpu (ratio of medians); {paired:.2f}x wall "
                "(median of the ratios in each round)"
            )
    print(f"load average at end: {os.getloadavg()}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
