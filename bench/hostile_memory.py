"""Peak memory of ``vawg ingest`` on hostile inputs: the corpus of :mod:`vawg.synth.hostile` at
the security review's sizes (a 1 MB gzip or zip of 1 GB, a 200 MB line, a header of a million
columns), each input loaded on its own by the installed command under ``/usr/bin/time -v`` into a
fresh SQLite database (migrated before the run). Prints one row per input: the exit code, the
maximum resident set size, wall time, and what the command answered; exits 1 when any input
peaks at 1 GB or more, or answers with a traceback.

    uv run python bench/hostile_memory.py [--scale review|small] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vawg.synth.hostile import hostile_corpus_write

VAWG = str(Path(sys.executable).parent / "vawg")
LIMIT_KB = 1024 * 1024  # 1 GiB


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "VAWG_HOME": str(home)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return env


def _answer(code: int, out: str, err: str) -> str:
    if "Traceback" in err:
        return "TRACEBACK"
    if code == 0:
        payload = json.loads(out)
        return (
            f"read {payload['read']:,}, loaded {payload['loaded']:,}, "
            f"rejected {payload['rejected']:,}"
        )
    lines = [line for line in err.splitlines() if line.startswith("vawg: ")]
    return (lines[0][6:] if lines else err.strip()[-120:])[:110]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("review", "small"), default="review")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="vawg-hostile-"))
    try:
        started = time.perf_counter()
        inputs = hostile_corpus_write(folder / "corpus", scale=args.scale)
        print(f"wrote {len(inputs)} inputs in {time.perf_counter() - started:.0f} s", flush=True)
        home = folder / "home"
        home.mkdir(exist_ok=True)
        subprocess.run([VAWG, "manage", "migrate", "-v0"], env=_env(home), check=True)
        print("| source | input | on disk | exit | peak RSS | wall | answer |")
        print("|---|---|---:|---:|---:|---:|---|")
        worst = 0
        failed = False
        for item in inputs:
            size = sum(
                p.stat().st_size
                for p in ([item.path] if item.path.is_file() else item.path.rglob("*"))
                if p.is_file()
            )
            done = subprocess.run(
                ["/usr/bin/time", "-v", VAWG, "ingest", item.kind, str(item.path), "--json"],
                env=_env(home),
                capture_output=True,
                text=True,
                check=False,
            )
            peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
            wall = re.search(
                r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr
            )[1]
            err = done.stderr.split("\tCommand being timed:")[0]
            answer = _answer(done.returncode, done.stdout, err.replace(f"{folder}/corpus/", ""))
            worst = max(worst, peak_kb)
            failed |= peak_kb >= LIMIT_KB or answer == "TRACEBACK" or done.returncode not in (0, 2)
            print(
                f"| {item.kind} | {item.name} | {size / 1024**2:,.1f} MB | {done.returncode} | "
                f"{peak_kb / 1024:,.0f} MB | {wall} | {answer} |",
                flush=True,
            )
        print(f"highest peak: {worst / 1024:,.0f} MB (limit {LIMIT_KB / 1024:,.0f} MB)")
        return 1 if failed else 0
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
