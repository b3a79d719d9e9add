"""One data version and one cache: every data app's tables count, a kept result is keyed on its
arguments and the version, a request reads the version once, and None is kept like any value."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vawg_site.common import caching
from vawg_site.opendata.models import VawgCount
from vawg_site.records.models import Crime

pytestmark = pytest.mark.django_db


def test_every_data_app_declares_its_tables() -> None:
    names = {name for name, _ in caching.data_version().newest}
    assert {
        "ingest_runs",
        "opendata_vawgcount",
        "opendata_streetcrime",
        "opendata_stopsearch",
        "records_crime",
        "records_order",
    } <= names


def test_a_row_written_any_way_changes_the_version() -> None:
    before = caching.data_version()
    Crime.objects.create(crime_ref="c1", recorded_date=date(2024, 1, 1), offence_code="8Q")
    after = caching.data_version()
    assert after.key != before.key
    assert after.of("records_crime") > before.of("records_crime")
    assert after.of("opendata_vawgcount") == before.of("opendata_vawgcount")


def test_a_kept_result_is_worked_out_once_per_arguments_and_version() -> None:
    calls: list[int] = []

    @caching.cached
    def read(*, n: int) -> int | None:
        calls.append(n)
        return None if n == 0 else n * 2

    assert read(n=2) == 4
    assert read(n=2) == 4
    assert read(n=3) == 6
    assert read(n=0) is None
    assert read(n=0) is None  # None is kept too, not worked out again
    assert calls == [2, 3, 0]
    VawgCount.objects.create(
        natural_key="k", measure="offences", sheet="location", month=date(2024, 1, 1), count=1
    )
    assert read(n=2) == 4
    assert calls == [2, 3, 0, 2]  # a new version: worked out again


def test_a_pinned_block_reads_the_version_once_and_nested_blocks_share_it() -> None:
    with CaptureQueriesContext(connection) as queries, caching.data_version_pinned() as outer:
        with caching.data_version_pinned() as inner:
            assert inner == outer
        assert caching.data_version() == outer
    assert len(queries) == 1


def test_a_request_that_reads_no_data_reads_no_version(client: Client) -> None:
    caching.data_version_forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/exit-this-page/").status_code == 200
    assert not [q for q in queries if "MAX(" in q["sql"].upper()]


def test_the_synthetic_force_marker(tmp_path: Path) -> None:
    assert caching.force_data_is_synthetic(home=tmp_path) is False
    (tmp_path / caching.SYNTHETIC_FORCE_MARKER).touch()
    assert caching.force_data_is_synthetic(home=tmp_path) is True


def test_a_served_worker_renews_an_old_version_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request that finds the reading older than the TTL goes on with it at once while one
    thread reads the version again (slow during a load); once read, the new one is used."""
    old = caching.DataVersion(newest=(("t", 1),))
    new = caching.DataVersion(newest=(("t", 2),))
    release = threading.Event()
    reads: list[str] = []

    def slow_read() -> caching.DataVersion:
        reads.append(threading.current_thread().name)
        if len(reads) == 1:
            return old
        assert release.wait(10)
        return new

    monkeypatch.setattr(caching, "_data_version_read", slow_read)
    monkeypatch.setattr(caching, "VERSION_READ_IN_BACKGROUND", True)
    caching.data_version_forget()
    assert caching.data_version_recent() == old  # nothing read yet: read here
    caching.cache.delete(caching._VERSION_KEY)  # the reading has outlived its TTL
    started = time.perf_counter()
    assert caching.data_version_recent() == old
    assert caching.data_version_recent() == old  # one renewal at a time
    assert time.perf_counter() - started < 1.0
    release.set()
    renewal = [t for t in threading.enumerate() if t.name == "vawg-data-version"]
    for thread in renewal:
        thread.join(10)
    assert caching.data_version_recent() == new
    assert reads == [threading.current_thread().name, "vawg-data-version"]
    caching.data_version_forget()  # forgetting reads afresh, in the request
    release.clear()
    reads.clear()
    monkeypatch.setattr(caching, "_data_version_read", lambda: old)
    assert caching.data_version_recent() == old


def test_elsewhere_an_old_version_is_read_again_by_the_request() -> None:
    assert caching.VERSION_READ_IN_BACKGROUND is False  # tests and commands: always current
    first = caching.data_version_recent()
    Crime.objects.create(crime_ref="c2", recorded_date=date(2024, 1, 1), offence_code="8Q")
    caching.cache.delete(caching._VERSION_KEY)
    assert caching.data_version_recent().of("records_crime") > first.of("records_crime")
