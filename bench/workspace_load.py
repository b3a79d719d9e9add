"""Load test of the signed-in workspace on PostgreSQL, audit writes and all (issue #13).

It builds everything it measures, and takes it down again:

1. a throwaway database on the PostgreSQL server (``--postgres``, else ``DATABASE_URL`` when it
   is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/postgres``), migrated, with a
   synthetic force loaded (``vawg synth --size --years --seed``, then ``vawg ingest force``;
   with the real data folder in ``VAWG_DATA_DIR`` the crimes are placed in their boroughs);
2. ``--clients`` staff accounts, each with an authenticator app (a TOTP device): all but
   ``--analysts`` of them public-protection officers spread over the BCUs in turn, the rest
   analysts; for each, ``--pool`` pairs of a person and a crime of theirs that the account may
   open, picked through :mod:`vawg_site.records.casework`'s own scoped querysets;
3. ``vawg serve`` (gunicorn, ``gthread``) with the production settings (debug off, HTTPS only:
   the clients send ``X-Forwarded-Proto: https`` as the TLS proxy in front would, and keep the
   ``__Host-`` cookies themselves), ``--workers`` workers (default 2 x cores + 1).

Then each client, on a keep-alive connection of its own, signs in through the pages (the
password, then its current TOTP code, each form's CSRF token read from the page) and, after
``--warmup-seconds`` unmeasured, goes round for ``--seconds``: the workspace home; a search for
a crime reference (the search's reason serves for opening the crime); the person's page (the
first time, the page asks why, and the client answers "investigation"); the crime's page; the
person's page again. ``--think-ms`` is the mean pause between requests, each drawn from an
exponential distribution (``--think-fixed``: exactly that pause; 0: each request as soon as the
last is answered); with several, comma-separated, each pace is warmed up and measured in
turn by the same signed-in clients. Latency is measured by the client, from sending the request
to the last byte of the answer.

It prints one JSON object: the sign-in's own latencies, then for each pace p50/p95/p99 per page
and overall, throughput, errors (an unexpected status, or a search that did not find its
reference), the CPU time gunicorn, PostgreSQL and the clients spent per request, and the audit
rows written while measured (counted in the database before and after) with their rate. Only
``127.0.0.1`` is used::

    uv run python bench/workspace_load.py --clients 50 --seconds 60 --think-ms 500,2000
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from audit_search import _admin_url
from load_test import _percentile

VAWG = str(Path(sys.executable).parent / "vawg")
HOST = "127.0.0.1"
TARGET_P95_MS = 150.0
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REASON_FORM = 'name="reason"'
WARMED = re.compile(r"^(Warmed \d+ pages|Caches not warmed)")


# --- a browser behind the TLS proxy --------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """One person's browser: a keep-alive connection, the cookies the site set, and the headers
    the TLS proxy in front of the site adds (``X-Forwarded-Proto: https``). The cookies are
    Secure (``__Host-``), so they are kept here rather than by a cookie jar that would refuse to
    send them over the loopback's plain HTTP."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.cookies: dict[str, str] = {}
        self._conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.reconnects = 0

    async def close(self) -> None:
        if self._conn is not None:
            self._conn[1].close()
            self._conn = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(form or {}).encode()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "X-Forwarded-Proto: https",
            "Accept-Encoding: identity",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: {self.origin}",
                f"Referer: {self.origin}{path}",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = await asyncio.open_connection(HOST, self.port)
            reader, writer = self._conn
            try:
                writer.write(raw)
                await writer.drain()
                return await self._answer(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed an idle keep-alive connection: send again on a new one.
                await self.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self, reader: asyncio.StreamReader) -> Answer:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = (await reader.readline()).decode("latin-1")
            if line in ("\r\n", ""):
                break
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._cookie_set(value)
            headers[name] = value
        if "chunked" in headers.get("transfer-encoding", ""):
            chunks = []
            while size := int((await reader.readline()).strip(), 16):
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            content = b"".join(chunks)
        else:
            content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, headers, content.decode("utf-8", "replace"))

    def _cookie_set(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, cookie = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) for a in attributes)
        if expired or cookie in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie


def _csrf(answer: Answer) -> str:
    found = CSRF.search(answer.body)
    if found is None:
        raise RuntimeError(f"no CSRF token in the page (status {answer.status})")
    return html.unescape(found.group(1))


# --- the accounts --------------------------------------------------------------------------------


@dataclass
class Account:
    username: str
    password: str
    role: str
    team: str | None
    totp: tuple[bytes, int, int, int]
    """The device's key, step, t0 and digits: what the person's authenticator app holds."""
    pool: list[tuple[str, str]] = field(default_factory=list)
    """(person reference, crime reference) pairs the account may open."""

    def code_now(self) -> str:
        from django_otp.oath import TOTP

        key, step, t0, digits = self.totp
        return f"{TOTP(key, step, t0, digits).token():0{digits}d}"


def _accounts_make(args: argparse.Namespace) -> list[Account]:
    """The staff accounts with their devices and the records each may open (Django ORM, in this
    process)."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vawg_site.accounts.selectors import team_list
    from vawg_site.accounts.services import TOTP_DEVICE_NAME, staff_create, staff_role_set
    from vawg_site.records import casework
    from vawg_site.records.models import Involvement

    rng = random.Random(args.seed)
    teams = [t.code for t in team_list()]
    pools: dict[tuple[str, str | None], list[tuple[str, str]]] = {}
    accounts = []
    for n in range(args.clients):
        analyst = n >= args.clients - args.analysts
        role, team = ("analyst", None) if analyst else ("public_protection", teams[n % len(teams)])
        user, password = staff_create(username=f"bench-{n:03d}", email=f"bench-{n:03d}@example.org")
        staff_role_set(user=user, role=role, team=team)
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        user = get_user_model().objects.get(pk=user.pk)
        if (role, team) not in pools:
            people = casework.people_visible(user)
            crimes = casework.crimes_visible(user)
            pairs = list(
                Involvement.objects.filter(person__in=people, crime__in=crimes)
                .order_by("?")
                .values_list("person__person_ref", "crime__crime_ref")[: args.pool * 20]
            )
            by_person = dict(pairs)
            pools[(role, team)] = sorted(by_person.items())
        pool = pools[(role, team)]
        if not pool:
            raise SystemExit(f"no records in reach of {role} {team}: are the boroughs placed?")
        accounts.append(
            Account(
                username=user.username,
                password=password,
                role=role,
                team=team,
                totp=(device.bin_key, device.step, device.t0, device.digits),
                pool=rng.sample(pool, min(args.pool, len(pool))),
            )
        )
    return accounts


# --- the clients ---------------------------------------------------------------------------------


@dataclass
class Tally:
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    measuring: bool = False

    def add(self, page: str, ms: float) -> None:
        if self.measuring:
            self.by_page.setdefault(page, []).append(ms)

    def error(self, what: str) -> None:
        if self.measuring:
            self.errors[what] = self.errors.get(what, 0) + 1


class Client:
    """One signed-in person going round the casework pages."""

    def __init__(
        self, account: Account, port: int, think_s: float, tally: Tally, *, seed: int = 0
    ) -> None:
        self.account = account
        self.browser = Browser(port)
        self.think_s = think_s
        self.fixed_think = False
        self.rng = random.Random(seed)
        self.tally = tally
        self.turn = 0

    def pause_s(self) -> float:
        """The pause before the next request: drawn from an exponential distribution with mean
        ``think_s`` (as people's pauses are, and as closed-loop load tests such as TPC-C draw
        them), or exactly ``think_s`` with ``--think-fixed``. Fixed pauses keep clients that
        signed in together in step, so all 50 ask for the same page in the same instant every
        round, which no group of people does."""
        if self.fixed_think:
            return self.think_s
        return self.rng.expovariate(1 / self.think_s)

    async def _send(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[Answer, float]:
        """One request, its latency in ms, then the pause before the next."""
        t0 = time.perf_counter()
        answer = await self.browser.request(method, path, form)
        ms = (time.perf_counter() - t0) * 1000
        if self.think_s:
            await asyncio.sleep(self.pause_s())
        return answer, ms

    def _note(self, page: str, answer: Answer, ms: float, expect: int) -> None:
        self.tally.add(page, ms)
        if answer.status != expect:
            self.tally.error(f"{page}: {answer.status}")

    async def _page(self, page: str, path: str) -> Answer:
        answer, ms = await self._send("GET", path)
        self._note(page, answer, ms, 200)
        return answer

    async def sign_in(self, sign_in_ms: list[float]) -> None:
        b = self.browser
        t0 = time.perf_counter()
        page = await b.request("GET", "/workspace/sign-in/")
        form = {"username": self.account.username, "password": self.account.password}
        answer = await b.request(
            "POST", "/workspace/sign-in/", {**form, "csrfmiddlewaretoken": _csrf(page)}
        )
        if answer.headers.get("location") != "/workspace/sign-in/code/":
            raise RuntimeError(f"{self.account.username}: password refused ({answer.status})")
        page = await b.request("GET", "/workspace/sign-in/code/")
        answer = await b.request(
            "POST",
            "/workspace/sign-in/code/",
            {"code": self.account.code_now(), "csrfmiddlewaretoken": _csrf(page)},
        )
        if answer.headers.get("location") != "/workspace/":
            raise RuntimeError(f"{self.account.username}: code refused ({answer.status})")
        sign_in_ms.append((time.perf_counter() - t0) * 1000)

    async def _open(self, page: str, path: str) -> None:
        """Open a person or a crime, answering the reason form when the page asks why."""
        answer, ms = await self._send("GET", path)
        if REASON_FORM not in answer.body:
            self._note(page, answer, ms, 200)
            return
        self._note(f"{page}: reason asked", answer, ms, 200)
        form = {"reason": "investigation", "reason_text": "", "csrfmiddlewaretoken": _csrf(answer)}
        answer, ms = await self._send("POST", path, form)
        self._note(f"{page}: reason given", answer, ms, 302)
        answer = await self._page(page, path)
        if REASON_FORM in answer.body:
            self.tally.error(f"{page}: reason asked again")

    async def round(self) -> None:
        person, crime = self.account.pool[self.turn % len(self.account.pool)]
        self.turn += 1
        await self._page("home", "/workspace/")
        query = urllib.parse.urlencode(
            {"reference": crime, "reason": "investigation", "reason_text": ""}
        )
        found = await self._page("search", f"/workspace/records/?{query}")
        if f"/workspace/records/crime/{crime}/" not in found.body:
            self.tally.error("search: reference not found")
        await self._open("person", f"/workspace/records/person/{person}/")
        await self._open("crime", f"/workspace/records/crime/{crime}/")
        await self._page("person again", f"/workspace/records/person/{person}/")

    async def go_round(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            await self.round()


def _stats(values: list[float]) -> dict[str, float | int]:
    return {
        "requests": len(values),
        "p50_ms": round(_percentile(values, 50), 1),
        "p95_ms": round(_percentile(values, 95), 1),
        "p99_ms": round(_percentile(values, 99), 1),
        "max_ms": round(max(values), 1) if values else float("nan"),
    }


async def _phase(
    args: argparse.Namespace, clients: list[Client], think_ms: float, url: str, server_pid: int
) -> dict[str, Any]:
    """``--warmup-seconds`` unmeasured, then ``--seconds`` measured, at one pace. The clients
    go round without a break from the warm-up into the measured seconds and past them (to the
    end of their round): measuring is switched on and off under them, so the measured window
    never starts with every client at its first page in the same instant."""
    tally = Tally()
    for c in clients:
        c.tally, c.think_s, c.fixed_think = tally, think_ms / 1000, args.think_fixed
    end = time.perf_counter() + args.warmup_seconds + args.seconds
    running = asyncio.gather(*(c.go_round(end) for c in clients))
    await asyncio.sleep(args.warmup_seconds)
    before = _audit_count(url)
    workers = _server_pids(server_pid)
    cpu_before = (_cpu_s(workers), _postgres_cpu_s(), time.process_time())
    busy_before = _machine_busy()
    tally.measuring = True
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    await asyncio.sleep(args.seconds)
    tally.measuring = False
    elapsed = time.perf_counter() - started
    cpu = (_cpu_s(workers), _postgres_cpu_s(), time.process_time())
    busy = _machine_busy()
    after = _audit_count(url)
    load_after = os.getloadavg()[0]
    await running
    every = [ms for v in tally.by_page.values() for ms in v]
    written = after[0] - before[0]
    overall = _stats(every)
    answered = max(len(every), 1)
    return {
        "think_ms": think_ms,
        "think": "fixed" if args.think_fixed else "exponential, this mean",
        "seconds": round(elapsed, 1),
        "load_average_1m": [round(load_before, 1), round(load_after, 1)],
        "overall": {
            **overall,
            "throughput_rps": round(len(every) / elapsed, 1),
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": overall["p95_ms"] < TARGET_P95_MS,
        },
        "cpu_ms_per_request": {
            "gunicorn": round((cpu[0] - cpu_before[0]) * 1000 / answered, 1),
            "postgres": round((cpu[1] - cpu_before[1]) * 1000 / answered, 1),
            "clients": round((cpu[2] - cpu_before[2]) * 1000 / answered, 1),
            "note": "CPU time in the measured seconds over the requests answered; PostgreSQL's "
            "counts its work for every database on the server, other sessions' too",
        },
        "machine_busy_pct": round(100 * (busy[0] - busy_before[0]) / (busy[1] - busy_before[1])),
        "by_page": {page: _stats(v) for page, v in sorted(tally.by_page.items())},
        "errors": tally.errors,
        "audit": {
            "rows_before": before[0],
            "rows_written": written,
            "rows_per_s": round(written / elapsed, 1),
            "by_type": _audit_by_type(url, after_id=before[1]),
        },
    }


async def _run(
    args: argparse.Namespace, accounts: list[Account], port: int, url: str, server_pid: int
) -> dict[str, Any]:
    clients = [
        Client(a, port, 0.0, Tally(), seed=args.seed * 1000 + i) for i, a in enumerate(accounts)
    ]
    sign_in_ms: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(c.sign_in(sign_in_ms) for c in clients))
    signed_in_s = time.perf_counter() - started
    phases = [await _phase(args, clients, think, url, server_pid) for think in args.think_ms]
    for c in clients:
        await c.browser.close()
    return {
        "sign_in": {
            "clients": len(sign_in_ms),
            "seconds_for_all": round(signed_in_s, 1),
            "p50_ms": round(_percentile(sign_in_ms, 50), 1),
            "p95_ms": round(_percentile(sign_in_ms, 95), 1),
            "note": "four requests each (two pages, password, code), all clients at once; "
            "not in the figures below",
        },
        "phases": phases,
        "reconnects": sum(c.browser.reconnects for c in clients),
    }


# --- the database and the server -----------------------------------------------------------------


def _audit_count(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as con:
        row = con.execute("SELECT count(*), coalesce(max(id), 0) FROM audit_accessevent").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _audit_by_type(url: str, *, after_id: int) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT object_type, count(*) FROM audit_accessevent WHERE id > %s "
            "GROUP BY 1 ORDER BY 1",
            [after_id],
        ).fetchall()
    return {str(t): int(n) for t, n in rows}


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes ``pids`` have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _server_pids(server_pid: int) -> list[int]:
    """gunicorn's master and its workers."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [server_pid, *map(int, children)]


def _postgres_cpu_s() -> float:
    """CPU seconds used so far by PostgreSQL on this machine: its live processes, and the
    backends that have exited (counted in their parent's children's times)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue
        if head.endswith("(postgres"):
            fields = rest.split()
            # utime, stime, and the times of its children that have exited (the postmaster's
            # are the backends that have gone; a backend has none).
            total += sum(int(f) for f in fields[11:15])
    return total / tick


def _machine_busy() -> tuple[int, int]:
    """(busy, all) jiffies of every core so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _serve(
    env: dict[str, str], port: int, workers: int
) -> tuple[subprocess.Popen[bytes], list[str]]:
    """``vawg serve`` with the production settings; returns once every worker has finished its
    start-up warming (or 120 s have passed), with the lines it wrote to stderr."""
    server = subprocess.Popen(
        [VAWG, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=env,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []

    def read() -> None:
        assert server.stderr is not None
        for raw in server.stderr:
            lines.append(raw.decode("utf-8", "replace").rstrip())

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped:\n" + "\n".join(lines[-20:]))
        if sum(bool(WARMED.search(line)) for line in lines) >= workers:
            break
        time.sleep(0.5)
    return server, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--analysts", type=int, default=5, help="of the clients, analysts")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup-seconds", type=float, default=10.0)
    parser.add_argument(
        "--think-ms",
        type=lambda text: [float(t) for t in text.split(",")],
        default=[500.0],
        help="mean pause between requests, ms (drawn from an exponential distribution); several "
        "(comma-separated) measure one after another",
    )
    parser.add_argument(
        "--think-fixed",
        action="store_true",
        help="pause exactly --think-ms each time (clients that signed in together stay in step)",
    )
    parser.add_argument("--pool", type=int, default=50, help="people each client may open")
    parser.add_argument("--size", choices=("small", "london"), default="london")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--postgres", default=None, help="server URL (any database on it)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)

    import psycopg

    admin = _admin_url(args.postgres)
    name = f"vawg_bench_workspace_{uuid.uuid4().hex[:8]}"
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    server = None
    home = tempfile.TemporaryDirectory(prefix="vawg-bench-workspace-")
    try:
        env = {**os.environ, "DATABASE_URL": url, "VAWG_HOME": home.name}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        clock = time.perf_counter()
        subprocess.run([VAWG, "manage", "migrate", "-v", "0"], env=env, check=True)
        extract = Path(home.name) / "extract"
        subprocess.run(
            [VAWG, "synth", "--out", str(extract), "--size", args.size, "--years",
             str(args.years), "--seed", str(args.seed)],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        loaded = json.loads(
            subprocess.run(
                [VAWG, "ingest", "force", str(extract), "--json"],
                env=env, check=True, capture_output=True, text=True,
            ).stdout
        )  # fmt: skip
        with psycopg.connect(url, autocommit=True) as con:
            # What autovacuum does within a minute or so of a large load; without it the planner
            # guesses the new tables' sizes (docs/PERFORMANCE.md, "Signed-in workspace load").
            con.execute("ANALYZE")
        os.environ.update(DATABASE_URL=url, VAWG_HOME=home.name)
        os.environ["DJANGO_SETTINGS_MODULE"] = "vawg_site.config.settings"
        import django

        django.setup()
        accounts = _accounts_make(args)
        from django.db import connections

        connections.close_all()
        setup_s = time.perf_counter() - clock
        print(f"set up in {setup_s:.0f} s: {loaded['loaded']:,} rows loaded", file=sys.stderr)
        port = _free_port()
        server_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "vawg_site.config.settings.production",
            "VAWG_SECRET_KEY": secrets.token_urlsafe(50),
            "VAWG_ALLOWED_HOSTS": HOST,
            "VAWG_PROXY_SSL_HEADER": "X-Forwarded-Proto=https",
        }
        server, server_log = _serve(server_env, port, args.workers)
        report: dict[str, Any] = {
            "clients": args.clients,
            "roles": {
                "public_protection": sum(a.role == "public_protection" for a in accounts),
                "analyst": sum(a.role == "analyst" for a in accounts),
            },
            "server": {
                "settings": "production (debug off; HTTPS, told by proxy header)",
                "gunicorn": f"{args.workers} workers x 16 threads (gthread)",
                "cores": os.cpu_count(),
                "shared": "the clients, gunicorn and PostgreSQL share these cores",
            },
            "data": {
                "synth": f"--size {args.size} --years {args.years} --seed {args.seed}",
                "rows_loaded": loaded["loaded"],
                "notices": loaded.get("notices", []),
            },
            **asyncio.run(_run(args, accounts, port, url, server.pid)),
            "server_errors": [
                line for line in server_log if "Traceback" in line or "Error" in line
            ][:10],
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        else:
            print(f"kept database {name}", file=sys.stderr)
        home.cleanup()
    text = json.dumps(report, indent=1)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    ok = all(p["overall"]["requests"] and not p["errors"] for p in report["phases"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
