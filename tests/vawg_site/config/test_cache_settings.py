"""``VAWG_CACHE_URL``: each worker's own memory by default (``make demo`` needs no Redis), Redis
or a shared folder when set, and a clear error for anything else."""

from __future__ import annotations

import pytest

from vawg_site.config.env import SETTINGS, caches_from_url, setting


def test_blank_means_each_workers_own_memory() -> None:
    default = caches_from_url("")["default"]
    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert default["OPTIONS"]["MAX_ENTRIES"] >= 300
    assert SETTINGS["VAWG_CACHE_URL"].default == ""


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://cache.example:6380/1"])
def test_redis_urls_use_djangos_redis_cache(url: str) -> None:
    default = caches_from_url(url)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == url
    assert default["KEY_PREFIX"] == "vawg"


def test_a_file_url_is_a_folder_the_workers_share() -> None:
    default = caches_from_url("file:///var/cache/vawg")["default"]
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == "/var/cache/vawg"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "file://relative/path", "127.0.0.1"])
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="VAWG_CACHE_URL"):
        caches_from_url(url)


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAWG_CACHE_URL", "redis://127.0.0.1:6379/3")
    assert setting("VAWG_CACHE_URL")["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("VAWG_CACHE_URL")
    assert "LocMemCache" in setting("VAWG_CACHE_URL")["default"]["BACKEND"]
