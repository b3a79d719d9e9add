"""Ingest speed: rows per second for each source on SQLite and PostgreSQL, beside a plain pandas
baseline (``json_normalize`` then ``to_sql`` into SQLite, no checks) on the twelve 2017 API months.

Every measurement runs in its own subprocess (wall time; CPU time and peak memory from
``wait4``'s ``ru_utime + ru_stime`` and ``ru_maxrss``) into a fresh database that is migrated
before the clock starts; the figure is the median of ``--repeat`` rounds (default 3). A round
runs the baseline and then each of ours, back to back, so that a change in the load of the shared
machine falls on both: ``x pandas`` is the median over rounds of the baseline's wall time over
ours in the same round. PostgreSQL runs when ``--postgres URL`` (or ``DATABASE_URL``) names a
server: a scratch database is created and dropped for each run.

    uv run python bench/bench_ingest.py [--repeat 3] [--postgres postgres://root@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

DATA = Path(os.environ.get("VAWG_DATA_DIR", Path(__file__).resolve().parents[2] / "shared/data"))
VAWG = str(Path(sys.executable).parent / "vawg")

BASELINE = r"""
import glob, gzip, json, sqlite3, sys
import pandas as pd
con = sqlite3.connect(sys.argv[1])
rows = 0
for path in sorted(glob.glob(sys.argv[2] + "/*.json.gz")):
    with gzip.open(path, "rb") as handle:
        frame = pd.json_normalize(json.load(handle))
    frame.to_sql("crimes", con, if_exists="append", index=False)
    rows += len(frame)
con.commit()
print(rows)
"""

SOURCES = {
    "police-uk API (12 months, 2017)": ("police-uk", [DATA / "police_uk" / "api"]),
    "police-uk all (API + 27 CSV + outcomes + stop-and-search)": (
        "police-uk",
        [DATA / "police_uk"],
    ),
    "mps-vawg (both parquets)": (
        "mps-vawg",
        [DATA / "mps" / "vawg-offences.parquet", DATA / "mps" / "vawg-victims.parquet"],
    ),
}


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of one subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    out = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(
            f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def _scratch_env(postgres: str | None) -> tuple[dict[str, str], str | None]:
    home = tempfile.mkdtemp(prefix="vawg-bench-")
    env = {**os.environ, "VAWG_HOME": home}
    env.pop("DATABASE_URL", None)
    name = None
    if postgres:
        import psycopg

        name = f"vawg_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + f"/{name}"
    subprocess.run([VAWG, "manage", "migrate", "-v0"], env=env, check=True)
    return env, name


def _drop(postgres: str | None, name: str | None) -> None:
    if postgres and name:
        import psycopg

        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_ours(source: str, paths: list[Path], postgres: str | None) -> dict[str, float]:
    """One first load into a fresh database, then a re-load of the same files."""
    env, name = _scratch_env(postgres)
    try:
        wall, cpu, rss, out = _timed([VAWG, "ingest", source, *map(str, paths), "--json"], env)
        again, _, _, _ = _timed([VAWG, "ingest", source, *map(str, paths), "--json"], env)
    finally:
        _drop(postgres, name)
        shutil.rmtree(env["VAWG_HOME"], ignore_errors=True)  # a loaded SQLite file: 300 MB
    return {"wall": wall, "cpu": cpu, "rss": rss, "rows": json.loads(out)["read"], "reload": again}


def run_baseline() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "baseline.sqlite")
        command = [sys.executable, "-c", BASELINE, database, str(DATA / "police_uk" / "api")]
        wall, cpu, rss, out = _timed(command, dict(os.environ))
    return {"wall": wall, "cpu": cpu, "rss": rss, "rows": int(out.strip())}


BASE = "pandas baseline (API 12 months, SQLite, no checks)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", help="run only sources whose name contains this text")
    args = parser.parse_args()
    plan: dict[str, Callable[[], dict[str, float]]] = {BASE: run_baseline}
    for label, (source, paths) in SOURCES.items():
        if args.only and args.only not in label:
            continue
        plan[f"{label}, SQLite"] = partial(run_ours, source, paths, None)
        if args.postgres:
            plan[f"{label}, PostgreSQL"] = partial(run_ours, source, paths, args.postgres)
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in plan}
    for _ in range(args.repeat):  # rounds: the baseline, then each of ours
        for label, run in plan.items():
            runs[label].append(run())
    columns = ("rows", "wall s", "rows/s", "x pandas", "cpu s", "peak MB", "reload s")
    print(f"{'run':<90} " + " ".join(f"{c:>8}" for c in columns))
    for label, rounds in runs.items():
        wall = statistics.median(r["wall"] for r in rounds)
        ratio = statistics.median(
            base["wall"] / r["wall"] * r["rows"] / base["rows"]
            for base, r in zip(runs[BASE], rounds, strict=True)
        )
        reload = statistics.median(r["reload"] for r in rounds) if "reload" in rounds[0] else None
        figures = (
            f"{int(rounds[0]['rows']):>8}",
            f"{wall:>8.1f}",
            f"{round(rounds[0]['rows'] / wall):>8}",
            f"{ratio:>8.2f}",
            f"{statistics.median(r['cpu'] for r in rounds):>8.1f}",
            f"{round(max(r['rss'] for r in rounds)):>8}",
            f"{reload:>8.1f}" if reload is not None else f"{'':>8}",
        )
        print(f"{label:<90} " + " ".join(figures))
    print(
        "rounds (wall s): "
        + "; ".join(
            f"{label.split(',')[0][:24]}: {[round(r['wall'], 1) for r in rounds]}"
            for label, rounds in runs.items()
        )
    )


if __name__ == "__main__":
    main()
