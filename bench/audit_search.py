"""The auditor's searches on a large access log: p50 and p95 of each search on PostgreSQL.

A throwaway database is created on the server (``--postgres``, else ``DATABASE_URL`` when it is
PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/postgres``), migrated with ``vawg manage
migrate`` (the real table, its indexes and its triggers), filled with ``--rows`` rows
by one ``INSERT ... SELECT`` over ``generate_series`` (the four indexes dropped first and built
again after, then ``ANALYZE``), searched through :mod:`vawg_site.audit.selectors` itself, and
dropped at the end (``--keep`` keeps it).

The rows: ``--users`` accounts, times spread evenly over one year in id order (as a log grows),
half the events about people and half about crimes, each of 1,000,000 references, nine events
in ten consultations. The searches, ``--queries`` of each with random arguments (seeded), after
20 unmeasured ones: one user over a 7-day window, one user over a 30-day window, one record's
whole history, and everything in a one-hour window; each returns at most 200 rows, newest first,
as the auditor's pages will ask.

    uv run python bench/audit_search.py [--rows 10000000] [--queries 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

VAWG = str(Path(sys.executable).parent / "vawg")
START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
INDEXES = ("audit_user_time", "audit_object_time", "audit_time", "audit_request")

FILL = """
INSERT INTO audit_accessevent (occurred_at, user_id, username, role, team, action, object_type,
    object_ref, object_count, reason_code, reason_text, recipient, request_id, channel)
SELECT %(start)s::timestamptz + (i::float8 / %(rows)s) * interval '365 days',
    u, 'user' || u, 'public-protection officer', 'BCU' || (u %% 12),
    CASE WHEN r < 0.9 THEN 'consult' WHEN r < 0.95 THEN 'combine' WHEN r < 0.99 THEN 'alter'
        ELSE 'disclose' END,
    CASE WHEN i %% 2 = 0 THEN 'records.person' ELSE 'records.crime' END,
    (CASE WHEN i %% 2 = 0 THEN 'P' ELSE 'C' END) || floor(random() * 1000000)::int,
    1, 'investigation', '', CASE WHEN r >= 0.99 THEN 'CPS' ELSE '' END,
    md5((i / 5)::text), 'page'
FROM (
    SELECT i, 1 + floor(random() * %(users)s)::int AS u, random() AS r
    FROM generate_series(1, %(rows)s) AS i
) AS g
"""


def _admin_url(given: str | None) -> str:
    if given:
        return given
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0] + "/postgres"
    return "postgres://postgres@127.0.0.1:5432/postgres"


def _fill(url: str, *, rows: int, users: int) -> dict[str, float]:
    import psycopg

    took: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("SELECT setseed(0.42)")
        definitions = [
            con.execute("SELECT pg_get_indexdef(%s::regclass)", [name]).fetchone()[0]  # type: ignore[index]
            for name in INDEXES
        ]
        for name in INDEXES:
            con.execute(f'DROP INDEX "{name}"')
        # The fill writes past times; the trigger that allows only the database's own time is
        # switched off for it, in this throwaway database only.
        con.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_server_time")
        clock = time.perf_counter()
        con.execute(FILL, {"start": START, "rows": rows, "users": users})  # type: ignore[arg-type]
        took["insert_s"] = time.perf_counter() - clock
        con.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_server_time")
        clock = time.perf_counter()
        for definition in definitions:
            con.execute(definition)  # type: ignore[arg-type]
        took["indexes_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        con.execute("ANALYZE audit_accessevent")
        took["analyze_s"] = time.perf_counter() - clock
        size = con.execute("SELECT pg_total_relation_size('audit_accessevent')").fetchone()
        took["size_mb"] = (size[0] if size else 0) / 1e6
    return took


def _timed(search: Callable[[], list[Any]], times: list[float]) -> int:
    clock = time.perf_counter()
    found = len(search())
    times.append((time.perf_counter() - clock) * 1000)
    return found


def _searches(rng: random.Random, users: int) -> dict[str, Callable[[], Callable[[], list[Any]]]]:
    from vawg_site.audit import selectors

    def at() -> datetime:
        return START + timedelta(seconds=rng.uniform(0, YEAR.total_seconds() - 30 * 86400))

    def user_window(days: int) -> Callable[[], list[Any]]:
        user, start = rng.randint(1, users), at()
        return lambda: selectors.events_by_user(user, start=start, end=start + timedelta(days=days))

    def one_object() -> Callable[[], list[Any]]:
        kind = rng.choice([("records.person", "P"), ("records.crime", "C")])
        ref = f"{kind[1]}{rng.randrange(1_000_000)}"
        return lambda: selectors.events_by_object(kind[0], ref)

    def one_hour() -> Callable[[], list[Any]]:
        start = at()
        return lambda: selectors.events_between(start, start + timedelta(hours=1))

    return {
        "one user, 7-day window": lambda: user_window(7),
        "one user, 30-day window": lambda: user_window(30),
        "one record's history": one_object,
        "everything in one hour": one_hour,
    }


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()

    import psycopg

    admin = _admin_url(args.postgres)
    name = f"vawg_bench_audit_{uuid.uuid4().hex[:8]}"
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run([VAWG, "manage", "migrate", "-v", "0"], env=env, check=True)
        took = _fill(url, rows=args.rows, users=args.users)
        print(
            f"{args.rows:,} rows: insert {took['insert_s']:.0f} s, indexes "
            f"{took['indexes_s']:.0f} s, analyze {took['analyze_s']:.0f} s; "
            f"table and indexes {took['size_mb']:,.0f} MB",
            flush=True,
        )
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg_site.config.settings")
        import django

        django.setup()
        rng = random.Random(42)
        searches = _searches(rng, args.users)
        print(f"{'search':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows (median)':>14}")
        for label, make in searches.items():
            for _ in range(20):  # unmeasured: the connection and the first pages of each index
                make()()
            times: list[float] = []
            found = [_timed(make(), times) for _ in range(args.queries)]
            print(
                f"{label:28} {_p(times, 50):8.1f} {_p(times, 95):8.1f} {max(times):8.1f} "
                f"{statistics.median(found):14.0f}",
                flush=True,
            )
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
