"""Whole answers kept until the data changes: kept once, answered from the cache with every
security header, dropped when a load changes the data, never kept when they hold anything of the
person asking, and the same whichever cache backend the workers use."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.cache import patch_cache_control

from vawg_site.common import caching, http
from vawg_site.config.env import caches_from_url
from vawg_site.ingest.models import IngestRun
from vawg_site.opendata.selectors import met
from vawg_site.public.warm import WARM_PATHS, site_caches_warm

BOROUGH_PAGE = "/data/boroughs/?borough=Camden&start=2024-01&end=2024-03"


def _total(client: Client, url: str = BOROUGH_PAGE) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(response.context["total"]) if response.context else -1


@pytest.fixture(params=["memory", "file", "redis"])
def each_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The default per-worker memory cache, and caches the workers share (a folder, Redis)."""
    url = {"memory": "", "file": f"file://{tmp_path / 'cache'}"}.get(
        request.param
    ) or request.getfixturevalue("redis_test_url")
    with override_settings(CACHES=caches_from_url(url)):
        yield request.param
        cache.clear()


def test_a_page_is_kept_and_answered_with_one_query(
    client: Client, small_counts: None, each_backend: str
) -> None:
    first = client.get(BOROUGH_PAGE)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(BOROUGH_PAGE)
    assert again.status_code == 200
    assert again.content == first.content
    # At most the data version is read (it is kept for VERSION_TTL_S): no aggregate, no render.
    assert len(queries) <= 1
    assert all(q["sql"].upper().startswith("SELECT (SELECT MAX(") for q in queries)
    assert again.context is None


def test_a_new_load_changes_the_page(
    client: Client, small_counts: None, add_counts: Callable[..., None], each_backend: str
) -> None:
    assert _total(client) == 1234 + 1000 + 807
    assert b"3,041" in client.get(BOROUGH_PAGE).content
    add_counts([("Camden", "Ward A", date(2024, 2, 1), 5)])
    IngestRun.objects.create(source="mps-vawg")
    caching.data_version_forget()  # as when VERSION_TTL_S has passed
    response = client.get(BOROUGH_PAGE)
    assert response.context is not None  # worked out again, not the kept copy
    assert response.context["total"] == 3046
    assert b"3,046" in response.content


def test_the_version_reading_is_kept_briefly_in_the_shared_cache(
    client: Client, small_counts: None, each_backend: str
) -> None:
    client.get(BOROUGH_PAGE)
    kept = cache.get("vawg:data-version")
    assert kept == caching.data_version()
    assert 0 < caching.VERSION_TTL_S <= 5
    caching.data_version_forget()
    assert cache.get("vawg:data-version") is None


def test_a_new_load_of_any_source_changes_the_key(small_counts: None) -> None:
    before = caching.data_version()
    run = IngestRun.objects.create(source="police-uk")
    after = caching.data_version()
    assert after.key != before.key
    assert after.of("ingest_runs") == run.pk > before.of("ingest_runs")


def test_a_kept_page_keeps_every_security_header(client: Client, small_counts: None) -> None:
    first = client.get(BOROUGH_PAGE)
    again = client.get(BOROUGH_PAGE)
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cache-Control",
        "Content-Type",
    ):
        assert again[name] == first[name], name
    assert "script-src 'self'" in again["Content-Security-Policy"]
    assert not again.cookies


def test_etag_gives_304_and_gzip_is_the_same_page(client: Client, small_counts: None) -> None:
    plain = client.get(BOROUGH_PAGE)
    etag = plain["ETag"]
    assert etag.startswith('W/"')
    assert "Accept-Encoding" in plain["Vary"]
    not_modified = client.get(BOROUGH_PAGE, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert "Content-Security-Policy" in not_modified
    zipped = client.get(BOROUGH_PAGE, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3


def test_different_filters_are_different_pages(client: Client, small_counts: None) -> None:
    camden = client.get(BOROUGH_PAGE).content
    barnet = client.get(BOROUGH_PAGE.replace("Camden", "Barnet")).content
    assert camden != barnet
    assert b"Barnet" in barnet


def test_the_safety_pages_are_never_kept(client: Client, db: None) -> None:
    for route in ("public:exit_this_page", "public:staying_safe_online"):
        response = client.get(reverse(route))
        assert "no-store" in response["Cache-Control"]
        assert "ETag" not in response


def _directives(response: HttpResponse) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        BOROUGH_PAGE,
        "/data/",
        "/data/wards.json?borough=Camden",
        "/accessibility/",
        "/how-we-use-data/",
        "/commitments/1/",
        "/api/docs",
    ],
)
def test_published_pages_are_revalidated_and_still_kept(
    client: Client, small_counts: None, path: str
) -> None:
    """Browsers are told ``private, no-cache`` (ask every time, no shared cache), never a
    lifetime; the site still answers the second request from its own kept copy, and a browser
    holding the current copy gets a 304."""
    first = client.get(path)
    assert first.status_code == 200, path
    assert _directives(first) == {"private", "no-cache"}, first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path)
    assert again.context is None  # the kept copy, not rendered again
    assert len(queries) <= 1  # at most the data version
    assert _directives(again) == {"private", "no-cache"}
    current = client.get(path, headers={"If-None-Match": again["ETag"]})
    assert current.status_code == 304
    assert _directives(current) == {"private", "no-cache"}


def test_outlines_are_revalidated_with_an_etag(client: Client, real_data_dir: Path) -> None:
    from vawg_site.common import geography

    geography.cache_clear()
    url = "/data/maps/outlines/boroughs.geojson"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert _directives(first) == {"private", "no-cache"}
    again = client.get(url, headers={"If-None-Match": first["ETag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304


def _counting_view(calls: list[int], **change: Any) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(1)
        response = HttpResponse("figures")
        if change.get("unmarked"):  # a header alone does not let the site keep an answer
            patch_cache_control(response, public=True, max_age=300)
        else:
            http.revalidated(response)
        if change.get("no_store"):  # as the safety pages send it
            http.no_store(response)
        if change.get("cookie"):
            response.set_cookie("seen", "1")
        if change.get("session"):
            request.session.accessed = True  # type: ignore[attr-defined]
        if change.get("csrf"):
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        return response

    return view


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({}, True),
        ({"cookie": True}, False),
        ({"no_store": True}, False),
        ({"unmarked": True}, False),
        ({"session": True}, False),
        ({"csrf": True}, False),
    ],
)
def test_only_answers_with_nothing_personal_are_kept(
    db: None, change: dict[str, bool], kept: bool
) -> None:
    calls: list[int] = []
    view = http.static_page(_counting_view(calls, **change))
    factory = RequestFactory()
    for _ in range(2):
        request = factory.get("/somewhere/")
        request.session = type("Session", (), {"accessed": False})()  # type: ignore[attr-defined]
        view(request)
    assert len(calls) == (1 if kept else 2)


def test_posts_and_long_queries_are_not_kept(db: None) -> None:
    calls: list[int] = []
    view = http.static_page(_counting_view(calls))
    factory = RequestFactory()
    long_query = "/somewhere/?q=" + "x" * (http.MAX_QUERY_CHARS + 1)
    for _ in range(2):
        view(factory.post("/somewhere/"))
        view(factory.get(long_query))
    assert len(calls) == 4


def test_one_version_query_for_all_of_a_pages_reads(small_counts: None) -> None:
    with CaptureQueriesContext(connection) as queries, caching.data_version_pinned():
        met.borough_names()
        met.offence_month_span()
        met.met_months(measure="offences")
        met.borough_names()
    # One version read, then the three reads once each (the repeated one comes from the cache).
    assert len(queries) == 4


def test_warming_fills_the_cache(small_counts: None) -> None:
    warmed = site_caches_warm(paths=["/", "/data/boroughs/"])
    assert warmed.statuses == (("/", 200), ("/data/boroughs/", 200))
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/data/boroughs/")
    assert response.context is None  # the kept page, not rendered again
    assert len(queries) <= 1


def test_the_warm_caches_command_renders_the_main_pages(small_counts: None) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("warm_caches", stdout=out)
    lines = out.getvalue().splitlines()
    assert "200 /" in lines
    assert "200 /data/boroughs/" in lines
    assert lines[-1].startswith(f"warmed {len(lines) - 1} addresses")
    assert len(lines) - 1 > len(WARM_PATHS)  # and every commitment page
    # No street-level data is loaded here, so the street map's figures answer 404; nothing fails.
    assert all(int(line.split()[0]) < 500 for line in lines[:-1]), lines


def test_junk_parameters_are_the_same_page(client: Client, small_counts: None) -> None:
    client.get(BOROUGH_PAGE)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(BOROUGH_PAGE + "&utm_source=x&start=2024-01")
    assert again.status_code == 200
    assert again.context is None  # the kept page: the junk parameter is not part of the key
    assert len(queries) <= 1


def test_new_pages_are_limited_per_client_and_kept_ones_are_not(
    client: Client, small_counts: None, settings: Any
) -> None:
    settings.VAWG_RENDERS_PER_MINUTE = 3
    months = ["2023-11", "2023-12", "2024-01", "2024-02"]
    answers = [client.get(f"/data/boroughs/?start={m}&end=2024-03") for m in months]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert "Retry-After" in refused
    assert "no-store" in refused["Cache-Control"]
    assert "Exit this page" in refused.content.decode()
    # Pages already kept still answer, and another client is not held back.
    assert client.get(f"/data/boroughs/?start={months[0]}&end=2024-03").status_code == 200
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(f"/data/boroughs/?start={months[3]}&end=2024-03").status_code == 200
    # The API counts the same way, and says so in JSON.
    api = client.get("/api/v1/vawg/location?month_from=2023-11")
    assert api.status_code == 429
    assert "try again in" in api.json()["detail"]
    assert "Retry-After" in api


def test_a_long_query_is_answered_but_counted(
    client: Client, small_counts: None, settings: Any
) -> None:
    settings.VAWG_RENDERS_PER_MINUTE = 2
    long = "&borough=" + "x" * (http.MAX_QUERY_CHARS + 1)
    statuses = [client.get(BOROUGH_PAGE + long + f"&n={n}").status_code for n in range(3)]
    assert statuses[:2] == [400, 400]  # answered (the area is not in the data), not kept
    assert statuses[-1] == 429


def test_no_slot_free_is_a_503(
    client: Client, small_counts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "RENDER_WAIT_S", 0.01)
    slots = http._slots_of(2)
    slots.acquire()  # two other requests are working something out
    slots.acquire()
    try:
        response = client.get(BOROUGH_PAGE)
    finally:
        slots.release()
        slots.release()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_exit_answers_when_the_database_does_not(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def broken(self: object) -> None:
        raise OperationalError("database is locked")

    session = client.session
    session["seen"] = 1
    session.save()
    monkeypatch.setattr(SessionStore, "flush", broken)
    response = client.get("/exit")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(settings: Any) -> None:
    factory = RequestFactory()
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.2"
    )
    assert http.client_address(request) == "10.0.0.1"  # no proxy trusted: the peer
    settings.VAWG_TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.2"]
    assert http.client_address(request) == "198.51.100.4"
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert http.client_address(spoofed) == "203.0.113.9"  # not from a proxy: header ignored


def test_warming_is_not_limited(small_counts: None, settings: Any) -> None:
    settings.VAWG_RENDERS_PER_MINUTE = 1
    warmed = site_caches_warm(paths=["/", "/data/boroughs/", "/data/", "/accessibility/"])
    assert {status for _, status in warmed.statuses} == {200}
