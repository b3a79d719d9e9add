"""Load test under abuse: honest clients, clients asking for new parameter ranges, slow
connections, and a probe of "Exit this page", all at once, over loopback.

- ``--honest`` clients (default 20) send the public pages and API calls of ``load_test.py`` back
  to back (closed loop), each from an address of its own (``X-Forwarded-For``), after
  ``--warm-rounds`` of 30 s of the same: what most visitors ask for, kept by the site.
- ``--new-ranges`` clients (default 12) each ask, back to back, for a dashboard, map or API
  answer over a month range nobody asked for before: work the site has to do afresh. Each sends
  its own ``X-Forwarded-For`` address, as many attackers on many addresses would (the site only
  believes it from a proxy listed in ``VAWG_TRUSTED_PROXIES``).
- ``--slow`` connections (default 16) each send the start of a request and then one header byte
  every few seconds, never finishing it (slowloris).
- a probe asks for ``/exit`` on a new connection twice a second and records whether it was
  answered within 5 s: a person leaving the site in a hurry must always get through.

It prints one JSON object: the honest clients' latency percentiles and errors, how the new-range
requests were answered (200, 429, 503), and the exit probe's successes and latency. Only
127.0.0.1 is allowed as a target. See docs/PERFORMANCE.md, "Under abuse", for the set-ups run::

    uv run python bench/load_abuse.py --base-url http://127.0.0.1:8792 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load_test import API, PAGES, Result, _percentile

MONTHS = [f"{y}-{m:02d}" for y in range(2014, 2026) for m in range(1, 13)][:140]


async def _get(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    path: str,
    address: str,
) -> int:
    """One keep-alive GET from ``address`` (sent as X-Forwarded-For); the body is read and
    dropped; returns the status."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {address}\r\n"
        "Accept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def _honest_client(
    host: str, port: int, number: int, urls: list[str], deadline: float, result: Result
) -> None:
    """A visitor at an address of their own, asking for the usual pages back to back."""
    address = f"203.0.113.{number + 1}"
    reader, writer = await asyncio.open_connection(host, port)
    i = number * 7
    try:
        while time.perf_counter() < deadline:
            path = urls[i % len(urls)]
            i += 1
            t0 = time.perf_counter()
            try:
                status = await _get(reader, writer, host, path, address)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                name = type(error).__name__
                result.errors[name] = result.errors.get(name, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if status != 200:
                result.errors[str(status)] = result.errors.get(str(status), 0) + 1
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        writer.close()


def _new_range(rng: random.Random) -> str:
    """A dashboard, map or API address over a month range chosen at random."""
    a, b = sorted(rng.sample(range(len(MONTHS)), 2))
    start, end = MONTHS[a], MONTHS[b]
    return rng.choice(
        [
            f"/data/?start={start}&end={end}",
            f"/data/maps/wards/?start={start}&end={end}",
            f"/api/v1/hotspots/wards?month_from={start}&month_to={end}",
            f"/api/v1/vawg/location?level=ward&month_from={start}&month_to={end}",
        ]
    )


async def _new_ranges_client(
    host: str, port: int, number: int, deadline: float, outcomes: dict[str, int]
) -> None:
    rng = random.Random(number)
    address = f"198.51.100.{number + 1}"
    while time.perf_counter() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port)
            path = _new_range(rng)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {address}\r\n"
                "Accept-Encoding: identity\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), timeout=60)
            status = status_line.split()[1].decode() if status_line else "closed"
            writer.close()
        except (TimeoutError, OSError, IndexError) as error:
            status = type(error).__name__
        outcomes[status] = outcomes.get(status, 0) + 1
        if status in ("429", "503"):
            await asyncio.sleep(1.0)  # as a client that reads Retry-After would, a little


async def _slow_connection(host: str, port: int, deadline: float, held: list[int]) -> None:
    try:
        _reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode())
        await writer.drain()
        held[0] += 1
        while time.perf_counter() < deadline:
            await asyncio.sleep(3.0)
            writer.write(b"a")
            await writer.drain()
        writer.close()
    except (OSError, ConnectionError):
        return


async def _exit_probe(host: str, port: int, deadline: float, probes: list[float | None]) -> None:
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            status = await asyncio.wait_for(_get(reader, writer, host, "/exit", "192.0.2.1"), 5)
            writer.close()
            probes.append((time.perf_counter() - t0) * 1000 if status == 302 else None)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError):
            probes.append(None)
        await asyncio.sleep(max(0.0, 0.5 - (time.perf_counter() - t0)))


async def _main(args: argparse.Namespace) -> dict[str, object]:
    parsed = urllib.parse.urlparse(args.base_url)
    host, port = parsed.hostname or "", parsed.port or 80
    if host != "127.0.0.1":
        raise SystemExit("only 127.0.0.1 may be load tested")
    urls = [*PAGES, *API]
    warm = Result()
    for _ in range(args.warm_rounds):  # every worker's cache, when the workers share none
        await _honest_client(host, port, 0, urls, time.perf_counter() + 30, warm)
    started = time.perf_counter()
    deadline = started + args.duration
    honest = Result()
    outcomes: dict[str, int] = {}
    held = [0]
    probes: list[float | None] = []
    await asyncio.gather(
        *(_honest_client(host, port, n, urls, deadline, honest) for n in range(args.honest)),
        *(_new_ranges_client(host, port, n, deadline, outcomes) for n in range(args.new_ranges)),
        *(_slow_connection(host, port, deadline, held) for _ in range(args.slow)),
        _exit_probe(host, port, deadline, probes),
    )
    answered = [p for p in probes if p is not None]
    lat = honest.latencies_ms
    return {
        "base_url": args.base_url,
        "duration_s": round(time.perf_counter() - started, 1),
        "honest": {
            "clients": args.honest,
            "requests": len(lat),
            "errors": honest.errors,
            "p50_ms": round(_percentile(lat, 50), 1),
            "p95_ms": round(_percentile(lat, 95), 1),
            "p99_ms": round(_percentile(lat, 99), 1),
            "max_ms": round(max(lat), 1) if lat else None,
        },
        "new_ranges": {"clients": args.new_ranges, "answers": outcomes},
        "slow_connections_held": held[0],
        "exit_probe": {
            "probes": len(probes),
            "answered": len(answered),
            "p95_ms": round(_percentile(answered, 95), 1) if answered else None,
            "max_ms": round(max(answered), 1) if answered else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8792")
    parser.add_argument("--honest", type=int, default=20)
    parser.add_argument("--new-ranges", type=int, default=12)
    parser.add_argument("--slow", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--warm-rounds", type=int, default=1, help="seconds of warming each")
    args = parser.parse_args(argv)
    report = asyncio.run(_main(args))
    print(json.dumps(report, indent=1))
    ok = report["exit_probe"]["answered"] == report["exit_probe"]["probes"]  # type: ignore[index]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
