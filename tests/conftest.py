"""Shared fixtures: where the real data is, and a headless Debian chromium for browser tests; and
the markers of the test lanes, derived from the fixtures each test uses.

Tests that need the real open data (``VAWG_DATA_DIR``, default ``../shared/data``) or a browser
skip with a visible reason when those are absent, as on a user's fresh clone. CI sets
``VAWG_REQUIRE_REAL_DATA=1`` and ``VAWG_REQUIRE_BROWSER=1`` so that there they fail instead.

The lanes (docs/architecture.md, "Tests"): ``realdata`` is every test that uses
:func:`real_data_dir`, ``browser`` every test that uses a browser or the live server, both derived
here and never written by hand without the fixture; ``slow`` is written on each test that takes
more than a few seconds, and derived for the fixtures in :data:`SLOW_FIXTURES`. ``make test`` runs
``-m "not slow"``; CI runs every lane.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from vawg.paths import data_dir_default

CHROMIUM = os.environ.get("VAWG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


LANE_FIXTURES = {
    "realdata": frozenset({"real_data_dir"}),
    "browser": frozenset({"chromium_browser", "page", "live_server"}),
}
"""The fixtures that put a test in the ``realdata`` or ``browser`` lane, directly or through
another fixture."""

SLOW_FIXTURES = {
    "chromium_browser": "a browser against a live server: 1-8 s a test, 80 s of one core for all",
    "live_server": "a live server thread on a transactional database, flushed after each test",
    "violent_2017": "twelve months of police.uk API JSON, read in about 10 s by each process",
}
"""Fixtures known to be slow, and why: a test that uses one is in the ``slow`` lane."""


def _lane_drift(item: pytest.Item) -> list[str]:
    """The ``realdata``/``browser`` marks on ``item`` that none of its fixtures back."""
    uses = set(getattr(item, "fixturenames", ()))
    return [
        f"{item.nodeid} is marked {lane} but uses none of {', '.join(sorted(fixtures))}"
        for lane, fixtures in LANE_FIXTURES.items()
        if not uses & fixtures and item.get_closest_marker(lane) is not None
    ]


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[Any]:
    """A module (or class) whose tests carry a ``realdata``/``browser`` mark that their fixtures
    do not back fails to collect, with xdist as without: the lanes cannot drift."""
    report = yield
    if report.passed:
        drifted = [line for node in report.result if isinstance(node, pytest.Item)
                   for line in _lane_drift(node)]  # fmt: skip
        if drifted:
            report.outcome = "failed"
            report.longrepr = (
                "a realdata or browser mark that the fixtures do not back (these lanes are "
                "derived from the fixtures: remove the mark, or use the fixture):\n  "
                + "\n  ".join(drifted)
            )
            report.result = []
    return report


def _node_ids_unique(items: list[pytest.Item]) -> None:
    """Give each test its own node id where two share one.

    schemathesis (4.32) names each API operation's test ``test_x[GET /api/...]`` but, under
    pytest 9, which builds a node id from a test's original name and its parametrize call, leaves
    them all the same node id. xdist's ``--dist loadfile`` hands out tests by node id, so it ran
    one operation of the 24 and reported the rest as never collected. The test's full name is
    what the node id would have been under pytest 8.
    """
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.parent is not None:
            item._id = item.parent.id.child(item.name)  # no public setter
    shared = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if shared:
        raise pytest.UsageError(f"tests share a node id, so xdist would run one: {shared}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each test in the ``realdata``, ``browser`` and ``slow`` lanes its fixtures call for,
    each with its own node id."""
    _node_ids_unique(items)
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        for lane, fixtures in LANE_FIXTURES.items():
            if uses & fixtures:
                item.add_marker(lane)
        if uses & SLOW_FIXTURES.keys():
            item.add_marker("slow")


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip() in {"1", "true", "yes"}


def _missing(reason: str, required_by: str) -> None:
    if _required(required_by):
        pytest.fail(f"{reason} ({required_by}=1 makes this required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_django_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the site caches reads keyed on the newest row ids,
    which a rolled-back test database can hand out again."""
    yield
    from django.core.cache import cache

    cache.clear()


APPEND_ONLY_TABLES = ("audit_accessevent", "ingest_quarantineerasure")


@pytest.fixture(autouse=True)
def _append_only_tables_emptied(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test on SQLite, empty the append-only tables with their triggers
    lifted for the moment: Django's flush empties tables with ``DELETE`` on SQLite, which the
    triggers refuse (on PostgreSQL it uses ``TRUNCATE``, which row triggers do not see)."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and bool(marker.kwargs.get("transaction"))
    if not (marked or {"transactional_db", "live_server"} & set(request.fixturenames)):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this
    yield
    from django.db import connection, transaction

    from vawg_site.common.append_only import create_sql, drop_sql

    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            for sql in drop_sql("sqlite", table):
                cursor.execute(sql)
            cursor.execute(f'DELETE FROM "{table}"')
            for sql in create_sql("sqlite", table):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real open data folder; skips (or, in CI, fails) when it is absent."""
    path = data_dir_default()
    if not (path / "mps" / "vawg-offences.parquet").is_file():
        _missing(
            f"real data not found at {path}: set VAWG_DATA_DIR to the shared data folder "
            "(see README, 'Where the data comes from')",
            "VAWG_REQUIRE_REAL_DATA",
        )
    return path


def _xdist_worker_number(worker_id: str) -> int:
    """0 for xdist's first worker (``gw0``) and when the tests run in one process (``master``)."""
    return int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0


@pytest.fixture(scope="session")
def redis_test_url(worker_id: str) -> str:
    """A scratch Redis database on this machine: number 15 (or ``VAWG_TEST_REDIS_URL``'s) less
    the xdist worker's number, since a test's ``cache.clear()`` empties the whole database; or skip
    when no Redis answers (``VAWG_REQUIRE_REDIS=1``, set by CI, makes that a failure)."""
    import redis

    base = urlsplit(os.environ.get("VAWG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    number = (int(base.path.strip("/") or 0) - _xdist_worker_number(worker_id)) % 16
    url = urlunsplit(base._replace(path=f"/{number}"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        _missing(f"no Redis answers at {url}", "VAWG_REQUIRE_REDIS")
    return url


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright; skips (or, in CI, fails) without it.

    One for each module, not for the session: while Playwright runs, its event loop is the
    running loop of this thread, which Django's async-unsafe check must be told to ignore; both
    end with the module, so that the tests that follow in this process (an xdist worker runs many
    files) keep Django's check and an environment without the override."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _missing(
            f"chromium not found at {CHROMIUM}: `apt-get install chromium` to run browser tests",
            "VAWG_REQUIRE_BROWSER",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _missing("playwright is not installed", "VAWG_REQUIRE_BROWSER")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API refuses to run inside an asyncio loop; Django's async-unsafe check
        # must be told the test thread is fine.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own context: no cookies shared between tests)."""
    context = chromium_browser.new_context()
    page = context.new_page()
    yield page
    context.close()


# Small hand-written inputs for the ingest readers and services (tests/vawg/ingest and
# tests/vawg_site/ingest), written into ``tmp_path`` by the tests.
STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
COLP = "City of London Police,City of London Police"


def street_csv(rows: list[str], *, bom: bool = False, crlf: bool = True) -> bytes:
    end = "\r\n" if crlf else "\n"
    text = end.join([STREET_HEADER, *rows]) + end
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


FORCE_FILES = {
    "crimes.csv": (
        "crime_ref,recorded_date,committed_date,offence_code,offence_description,domestic_abuse,"
        "latitude,longitude,outcome_code,outcome_date\n"
        "C1,2024-01-10,2024-01-09,8Q,Assault,Y,51.5074,-0.1278,,\n"
        "C2,2024-02-01,,19C,Rape,N,,,1,2024-03-01\n"
        "C3,2024-02-30,,8Q,Bad date,N,,,,\n"
        "C4,2024-02-01,2024-03-01,8Q,Committed after recorded,N,,,,\n"
        "C5,2024-02-01,,8Q,Outside GB,N,40.0,-0.1,,\n"
    ),
    "people.csv": (
        "person_ref,sex,birth_year,ethnicity\n"
        "P1,F,1990,W1\n"
        "P2,M,1985,B1\n"
        "P3,Q,1985,B1\n"
        "P2,M,1986,B1\n"
    ),
    "involvements.csv": (
        "crime_ref,person_ref,role,relationship\n"
        "C1,P1,victim,partner\n"
        "C1,P2,suspect,partner\n"
        "C2,P1,victim,\n"
        "C9,P1,victim,\n"
        "C1,P9,witness,\n"
        "C3,P1,victim,\n"
        "C1,P1,victim,partner\n"
    ),
    "orders.csv": (
        "order_ref,order_type,subject_ref,protected_ref,start_date,end_date,breach_dates\n"
        "O1,DVPO,P2,P1,2024-01-15,2024-02-12,2024-01-20;2024-01-25\n"
        "O2,SPO,P9,,2024-01-15,,\n"
        "O3,XYZ,P2,,2024-01-15,,\n"
        "O4,RO,P2,,2024-01-15,2023-01-01,\n"
    ),
}
"""A force extract with known answers: crimes C1, C2 kept (C3 bad date, C4 committed after
recorded, C5 outside GB); people P1, P2 kept (P3 bad sex, P2 repeated: last kept);
involvements 3 kept (C9 and P9 unknown, C3 rejected upstream, one repeat); orders O1 kept."""


@pytest.fixture
def force_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir()
    for name, text in FORCE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def make_street_csv() -> object:
    """``make_street_csv(rows, bom=False, crlf=True) -> bytes``: a street-level CSV file."""
    return street_csv
