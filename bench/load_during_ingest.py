"""Load test of the public pages while a large load into an empty table runs (issue #11).

Honest visitors ask for the public pages of ``load_test.py`` in turn, ``--rate`` requests a
second (default 20) whatever the earlier requests are doing (an open loop: a page that stalls
shows in the figures instead of slowing the visitors down), each on a connection of its own, from
``--addresses`` addresses in turn (``X-Forwarded-For``: run the site with
``VAWG_TRUSTED_PROXIES=127.0.0.1``; 500 addresses at 20 a second is 2.4 requests a minute each,
well under the limit on new work). After ``--warm-seconds`` of the same (not counted), the
visitors' latency is recorded in three phases: ``--before-seconds`` with nothing else running;
*during* the load, from the start of the ``--ingest`` command (run with this process's
environment, so the same ``DATABASE_URL``) until it exits; and ``--after-seconds`` once it has
committed, when every page is worked out afresh for the new data. The table the command loads
into must be empty (docs/PERFORMANCE.md, "During a load into an empty table", has the set-up).

It prints one JSON object: per phase the requests, errors (status 0: no answer within
``--timeout``), p50/p95/p99, maximum and answers over 1 s, the slowest pages in the phase, and
what the load command reported. Only 127.0.0.1 may be a target::

    uv run python bench/load_during_ingest.py --base-url http://127.0.0.1:8795 \\
        --ingest "vawg ingest police-uk /path/to/police_uk/api --json"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load_abuse import _get
from load_test import PAGES, _percentile

TARGET_P95_MS = 300.0


@dataclass
class Timed:
    """Each answer: when it was asked for (seconds on the perf counter), its latency in
    milliseconds, the page and its status (0: no answer within the timeout)."""

    answers: list[tuple[float, float, str, int]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


async def _visit(
    host: str, port: int, path: str, address: str, timeout_s: float, timed: Timed
) -> None:
    """One visitor's request on a connection of its own."""
    t0 = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, port)
            status = await _get(reader, writer, host, path, address)
    except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
        name = type(error).__name__
        timed.errors[name] = timed.errors.get(name, 0) + 1
        status = 0
    finally:
        if writer is not None:
            writer.close()
    timed.answers.append((t0, (time.perf_counter() - t0) * 1000, path, status))


async def _visitors(
    host: str, port: int, args: argparse.Namespace, stop: asyncio.Event, timed: Timed
) -> None:
    """Open loop: a request every ``1 / rate`` seconds whatever the earlier ones are doing, from
    ``--addresses`` addresses in turn, so that a stalled page shows in the figures (a closed
    loop would send fewer requests while the site stalls, and hide it)."""
    tasks: set[asyncio.Task[None]] = set()
    n = 0
    next_at = time.perf_counter()
    while not stop.is_set():
        path = PAGES[n % len(PAGES)]
        address = f"10.{n % args.addresses // 250}.{n % args.addresses % 250}.1"
        task = asyncio.create_task(_visit(host, port, path, address, args.timeout, timed))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
        next_at += 1 / args.rate
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    await asyncio.gather(*tasks)


def _phase(timed: Timed, start: float, end: float) -> dict[str, object]:
    inside = [a for a in timed.answers if start <= a[0] < end]
    lat = [ms for _, ms, _, _ in inside]
    stalled = sum(1 for ms in lat if ms >= 1000)
    errors: dict[str, int] = {}
    for _, _, _, status in inside:
        if status != 200:
            errors[str(status)] = errors.get(str(status), 0) + 1
    slowest: dict[str, float] = {}
    for _, ms, path, _ in inside:
        slowest[path] = max(ms, slowest.get(path, 0.0))
    return {
        "seconds": round(end - start, 1),
        "requests": len(lat),
        "errors": errors,
        "p50_ms": round(_percentile(lat, 50), 1),
        "p95_ms": round(_percentile(lat, 95), 1),
        "p99_ms": round(_percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else None,
        "over_1s": stalled,
        "slowest": {
            p: round(ms, 1) for p, ms in sorted(slowest.items(), key=lambda kv: -kv[1])[:5]
        },
    }


async def _main(args: argparse.Namespace) -> dict[str, object]:
    parsed = urllib.parse.urlparse(args.base_url)
    host, port = parsed.hostname or "", parsed.port or 80
    if host != "127.0.0.1" or parsed.scheme != "http":
        raise SystemExit("load tests run against http://127.0.0.1 only")
    timed = Timed()
    stop = asyncio.Event()
    visitors = asyncio.create_task(_visitors(host, port, args, stop, timed))
    await asyncio.sleep(args.warm_seconds)
    before = time.perf_counter()
    await asyncio.sleep(args.before_seconds)
    started = time.perf_counter()
    load = await asyncio.create_subprocess_exec(
        *shlex.split(args.ingest),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await load.communicate()
    finished = time.perf_counter()
    await asyncio.sleep(args.after_seconds)
    ended = time.perf_counter()
    stop.set()
    await visitors
    try:
        reported = json.loads(out.decode("utf-8"))
        ingest = {k: reported.get(k) for k in ("read", "loaded", "duplicates", "rejected")}
    except ValueError:
        ingest = {"stdout": out.decode("utf-8", "replace")[-2000:]}
    during = _phase(timed, started, finished)
    return {
        "base_url": args.base_url,
        "rate_per_s": args.rate,
        "addresses": args.addresses,
        "ingest": {
            "command": args.ingest,
            "exit_code": load.returncode,
            "seconds": round(finished - started, 1),
            **ingest,
            "stderr_tail": err.decode("utf-8", "replace")[-1000:],
        },
        "before": _phase(timed, before, started),
        "during": during,
        "after": _phase(timed, finished, ended),
        "connection_errors": timed.errors,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": during["p95_ms"] < TARGET_P95_MS,  # type: ignore[operator]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8795")
    parser.add_argument("--ingest", required=True, help="the load command, run as given")
    parser.add_argument("--rate", type=float, default=20.0, help="page requests a second")
    parser.add_argument("--addresses", type=int, default=500, help="visitors' addresses")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a visitor waits")
    parser.add_argument("--warm-seconds", type=float, default=30.0)
    parser.add_argument("--before-seconds", type=float, default=15.0)
    parser.add_argument("--after-seconds", type=float, default=20.0)
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    report = asyncio.run(_main(args))
    text = json.dumps(report, indent=1)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0 if report["ingest"]["exit_code"] == 0 else 1  # type: ignore[index]


if __name__ == "__main__":
    raise SystemExit(main())
