"""Ingest speed: rows per second for each source on SQLite and PostgreSQL, beside a plain pandas
baseline (``json_normalize`` then ``to_sql`` into SQLite, no checks) on the twelve 2017 API months.

Every measurement runs in its own subprocess (wall time, and peak memory from ``wait4``'s
``ru_maxrss``) into a fresh database that is migrated before the clock starts; the figure is the
median of ``--repeat`` runs (default 3). PostgreSQL runs when ``--postgres URL`` (or
``DATABASE_URL``) names a server: a scratch database is created and dropped for each run.

    uv run python bench/bench_ingest.py [--repeat 3] [--postgres postgres://root@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one subprocess."""
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
    return wall, usage.ru_maxrss / 1024, out


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


def bench_ours(source: str, paths: list[Path], postgres: str | None, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        env, name = _scratch_env(postgres)
        try:
            wall, rss, out = _timed([VAWG, "ingest", source, *map(str, paths), "--json"], env)
            again, _, _ = _timed([VAWG, "ingest", source, *map(str, paths), "--json"], env)
        finally:
            _drop(postgres, name)
        read = json.loads(out)["read"]
        runs.append((wall, rss, read, again))
    wall = statistics.median(r[0] for r in runs)
    return {
        "rows": runs[0][2],
        "wall_s": round(wall, 1),
        "rows_per_s": round(runs[0][2] / wall),
        "peak_mb": round(max(r[1] for r in runs)),
        "reload_s": round(statistics.median(r[3] for r in runs), 1),
    }


def bench_baseline(repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            database = str(Path(folder) / "baseline.sqlite")
            command = [sys.executable, "-c", BASELINE, database, str(DATA / "police_uk" / "api")]
            wall, rss, out = _timed(command, dict(os.environ))
        runs.append((wall, rss, int(out.strip())))
    wall = statistics.median(r[0] for r in runs)
    return {
        "rows": runs[0][2],
        "wall_s": round(wall, 1),
        "rows_per_s": round(runs[0][2] / wall),
        "peak_mb": round(max(r[1] for r in runs)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", help="run only sources whose name contains this text")
    args = parser.parse_args()
    results = {"pandas baseline (API 12 months, SQLite, no checks)": bench_baseline(args.repeat)}
    for label, (source, paths) in SOURCES.items():
        if args.only and args.only not in label:
            continue
        results[f"{label}, SQLite"] = bench_ours(source, paths, None, args.repeat)
        if args.postgres:
            results[f"{label}, PostgreSQL"] = bench_ours(source, paths, args.postgres, args.repeat)
    base = results["pandas baseline (API 12 months, SQLite, no checks)"]["rows_per_s"]
    columns = ("rows", "wall s", "rows/s", "x pandas", "peak MB", "reload s")
    print(f"{'run':<90} " + " ".join(f"{c:>8}" for c in columns))
    for label, figures in results.items():
        ratio = figures["rows_per_s"] / base
        print(
            f"{label:<90} {figures['rows']:>8} {figures['wall_s']:>7} {figures['rows_per_s']:>8} "
            f"{ratio:>8.2f} {figures['peak_mb']:>8} {figures.get('reload_s', ''):>8}"
        )


if __name__ == "__main__":
    main()
