"""Shared fixtures: where the real data is, and a headless Debian chromium for browser tests.

Tests that need the real open data (``VAWG_DATA_DIR``, default ``../shared/data``) or a browser
skip with a visible reason when those are absent, as on a user's fresh clone. CI sets
``VAWG_REQUIRE_REAL_DATA=1`` and ``VAWG_REQUIRE_BROWSER=1`` so that there they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright; skips (or, in CI, fails) without it."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _missing(
            f"chromium not found at {CHROMIUM}: `apt-get install chromium` to run browser tests",
            "VAWG_REQUIRE_BROWSER",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _missing("playwright is not installed", "VAWG_REQUIRE_BROWSER")
    # Playwright's sync API refuses to run inside an asyncio loop; Django's async-unsafe check
    # must be told the test thread is fine.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
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
