"""Load test of the public site and the open-data API over loopback (issue 6, "Speed").

A small asyncio HTTP/1.1 client (keep-alive, no third-party load generator needed): ``--clients``
concurrent clients each send requests back to back (closed loop, no think time unless
``--think-ms``) for ``--duration`` seconds or until ``--max-requests``, first against the public
pages, then against API calls. It reports p50/p95/p99 latency and throughput per group and per
URL, and the weight of each public page (HTML plus the same-origin CSS, JS and images it links,
before map tiles). Only ``127.0.0.1`` is allowed as a target.

Run against a server on PostgreSQL with the real data loaded (see docs/PERFORMANCE.md,
"Site load test")::

    uv run python bench/load_test.py --base-url http://127.0.0.1:8791 --out var/load.json
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import statistics
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

# Every public route of src/vawg_site/public/urls.py with a 200 answer, with the filters people
# use: the dashboard (London, a borough, a ward, an offence group, victims, no comparison, a CSV
# table), the borough page, both maps (default, filtered, ordered, a second page, CSV, the map
# scripts' data), the outlines, every commitment page and the information pages. ``/exit`` (a
# redirect that ends the session) is left out: it is not a page.
PAGES = [
    "/",
    "/data/",
    "/data/?borough=Camden&start=2024-09&end=2025-08",
    "/data/?measure=offences&borough=Camden&ward=E05013666&start=2023-09&end=2025-08",
    "/data/?group=Rape&start=2022-01&end=2024-12&compare=none",
    "/data/?measure=victims&start=2024-09&end=2025-08",
    "/data/?format=csv&table=areas",
    "/data/wards.json?borough=Camden",
    "/data/boroughs/",
    "/data/boroughs/?borough=Camden&start=2023-01&end=2024-12",
    "/data/boroughs/?borough=Camden&start=2023-01&end=2024-12&format=csv",
    "/data/maps/wards/",
    "/data/maps/wards/?borough=Hackney&hotspot=hot&order=rate",
    "/data/maps/wards/?start=2023-01&end=2023-12&order=z&page=2",
    "/data/maps/wards/?format=csv",
    "/data/maps/wards/data.json",
    "/data/maps/street/",
    "/data/maps/street/?borough=Westminster&order=z",
    "/data/maps/street/?start=2017-01&end=2017-12&page=2",
    "/data/maps/street/data.json",
    "/data/maps/outlines/wards.geojson",
    "/data/maps/outlines/boroughs.geojson",
    *[f"/commitments/{n}/" for n in range(1, 11)],
    "/exit-this-page/",
    "/staying-safe-online/",
    "/accessibility/",
    "/how-we-use-data/",
    "/api/docs",
]
WEIGHED = [
    "/",
    "/data/",
    "/data/boroughs/",
    "/data/boroughs/?borough=Camden&start=2023-01&end=2024-12",
    "/data/maps/wards/",
    "/data/maps/street/",
    "/commitments/2/",
    "/commitments/8/",
    "/commitments/1/",
    "/commitments/10/",
    "/accessibility/",
    "/api/docs",
]
API = [
    "/api/v1/areas/boroughs",
    "/api/v1/areas/wards?borough=E09000007",
    "/api/v1/months",
    "/api/v1/categories",
    "/api/v1/vawg/location?month_from=2024-01&month_to=2024-12",
    "/api/v1/vawg/location?level=ward&area=E09000007&month_from=2023-01",
    "/api/v1/vawg/offence-groups?month_from=2023-01",
    "/api/v1/vawg/victims/age-groups?month_from=2023-01",
    "/api/v1/vawg/victims/ethnic-groups?month_from=2023-01",
    "/api/v1/police-uk/lsoa?category=violent-crime&month_from=2017-06&month_to=2017-06",
    "/api/v1/police-uk/grid?category=violent-crime&cell_size_m=1000",
    "/api/v1/hotspots/wards",
    "/api/v1/hotspots/grid?category=violent-crime&cell_size_m=1000",
    "/api/v1/force/vawg-crimes/by-group-month",
    "/api/v1/areas/boroughs.csv",
    "/api/v1/hotspots/wards.csv",
    "/api/v1/hotspots/grid.geojson?category=violent-crime&cell_size_m=1000",
    "/api/openapi.json",
]
WEIGHT_LIMIT_BYTES = 500 * 1024
TARGETS_MS = {"pages": 150.0, "api": 100.0}


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    by_url: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str
) -> tuple[int, bytes]:
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n"
        "Connection: keep-alive\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
        return status, body
    return status, await reader.readexactly(length)


async def _client(
    host: str,
    port: int,
    urls: list[str],
    start_index: int,
    deadline: float,
    budget: list[int],
    think_s: float,
    result: Result,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start_index
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            path = urls[i % len(urls)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, _ = await _request(reader, writer, host, path)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                result.errors[type(error).__name__] = result.errors.get(type(error).__name__, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            ms = (time.perf_counter() - t0) * 1000
            if status != 200:
                result.errors[str(status)] = result.errors.get(str(status), 0) + 1
            result.latencies_ms.append(ms)
            result.by_url.setdefault(path, []).append(ms)
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        writer.close()


async def _run_group(
    host: str,
    port: int,
    urls: list[str],
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
    think_s: float,
) -> Result:
    result = Result()
    budget = [max_requests]
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(
        *(_client(host, port, urls, n, deadline, budget, think_s, result) for n in range(clients))
    )
    result.elapsed_s = time.perf_counter() - started
    return result


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _summary(result: Result) -> dict[str, object]:
    lat = result.latencies_ms
    return {
        "requests": len(lat),
        "errors": result.errors,
        "seconds": round(result.elapsed_s, 2),
        "throughput_rps": round(len(lat) / result.elapsed_s, 1) if result.elapsed_s else 0,
        "p50_ms": round(_percentile(lat, 50), 1),
        "p95_ms": round(_percentile(lat, 95), 1),
        "p99_ms": round(_percentile(lat, 99), 1),
        "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
        "by_url": {
            url: {
                "requests": len(v),
                "p50_ms": round(_percentile(v, 50), 1),
                "p95_ms": round(_percentile(v, 95), 1),
            }
            for url, v in result.by_url.items()
        },
    }


ASSET = re.compile(r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.I)
# What a map page's script fetches from our origin (outlines and the figures), tiles excepted.
DATA_URL = re.compile(r"""\bdata-(?!tile-)[a-z-]*url=["']([^"']+)["']""", re.I)


def _fetch(base: str, path: str, *, gzip_ok: bool = False) -> tuple[int, bytes, int]:
    """(status, body, bytes on the wire): the body uncompressed, and how many bytes were sent,
    compressed when ``gzip_ok`` and the server compressed it."""
    import gzip
    import urllib.request

    headers = {"Accept-Encoding": "gzip" if gzip_ok else "identity"}
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:  # only 127.0.0.1
        raw = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            return response.status, gzip.decompress(raw), len(raw)
        return response.status, raw, len(raw)


def _page_weight(base: str, path: str) -> dict[str, object]:
    """Bytes of the page's HTML, of every same-origin stylesheet, script (with the modules it
    imports) and image it links, and of the data its map script fetches (outlines, figures):
    uncompressed, and as sent to a browser that accepts gzip. Map tiles are not counted."""
    status, page, page_sent = _fetch(base, path, gzip_ok=True)
    text = page.decode("utf-8", "replace")
    assets: dict[str, int] = {}
    sent: dict[str, int] = {}
    third_party: list[str] = []
    pending = [html.unescape(u) for u in ASSET.findall(text) + DATA_URL.findall(text) if u]
    base_of = {ref: path for ref in pending}
    while pending:
        ref = pending.pop()
        parsed = urllib.parse.urlparse(urllib.parse.urljoin(base_of.get(ref, path), ref))
        if parsed.netloc:
            third_party.append(ref)
            continue
        local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if local in assets:
            continue
        _, body, on_wire = _fetch(base, local, gzip_ok=True)
        assets[local] = len(body)
        sent[local] = on_wire
        if parsed.path.endswith((".js", ".mjs")):
            code = body.decode("utf-8", "replace")
            for imp in re.findall(r"""(?:import|from)\s*["']([^"']+\.m?js)["']""", code):
                base_of[imp] = parsed.path
                pending.append(imp)
    total = len(page) + sum(assets.values())
    on_the_wire = page_sent + sum(sent.values())
    # Page weight is what the browser downloads (HTTP Archive's page weight, Lighthouse's total
    # byte weight): the bytes as sent. The uncompressed total is reported beside it.
    return {
        "status": status,
        "html_bytes": len(page),
        "html_sent_bytes": page_sent,
        "assets": assets,
        "third_party": third_party,
        "total_bytes": total,
        "sent_bytes": on_the_wire,
        "under_limit": on_the_wire < WEIGHT_LIMIT_BYTES,
        "under_limit_uncompressed": total < WEIGHT_LIMIT_BYTES,
    }


async def _main(args: argparse.Namespace) -> dict[str, object]:
    url = urllib.parse.urlparse(args.base_url)
    if url.hostname != "127.0.0.1" or url.scheme != "http":
        raise SystemExit("load tests run against http://127.0.0.1 only")
    host, port = url.hostname, url.port or 80
    groups = {
        name: urls for name, urls in {"pages": PAGES, "api": API}.items() if name in args.groups
    }
    report: dict[str, object] = {
        "clients": args.clients,
        "duration_s": args.duration,
        "max_requests": args.max_requests,
        "think_ms": args.think_ms,
    }
    # Warm up: every URL once (fills each worker's cache at least partly; a few rounds).
    for _ in range(args.warmup_rounds):
        await _run_group(
            host, port, PAGES + API, clients=min(args.clients, 8), duration_s=60,
            max_requests=len(PAGES + API) * 8, think_s=0,
        )  # fmt: skip
    for name, urls in groups.items():
        result = await _run_group(
            host,
            port,
            urls,
            clients=args.clients,
            duration_s=args.duration,
            max_requests=args.max_requests,
            think_s=args.think_ms / 1000,
        )
        summary = _summary(result)
        summary["target_p95_ms"] = TARGETS_MS[name]
        summary["meets_target"] = summary["p95_ms"] < TARGETS_MS[name]  # type: ignore[operator]
        report[name] = summary
    base = f"http://{host}:{port}"
    if args.weigh:
        report["page_weight"] = {p: _page_weight(base, p) for p in WEIGHED}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8791")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per group")
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap per group")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between requests")
    parser.add_argument("--warmup-rounds", type=int, default=3)
    parser.add_argument("--groups", default="pages,api", help="comma-separated: pages, api")
    parser.add_argument("--no-weigh", dest="weigh", action="store_false", help="skip page weights")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    args.groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    report = asyncio.run(_main(args))
    text = json.dumps(report, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
