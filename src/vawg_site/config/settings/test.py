"""Test settings: the base settings, lean where that makes the suite faster or safer to run.

pytest names this module (``pyproject.toml``). The database is still the base's: an in-memory
SQLite test database, or a test copy of ``DATABASE_URL``'s database (one per xdist worker).
"""

from __future__ import annotations

from vawg_site.config.env import caches_from_url
from vawg_site.config.settings.base import *  # noqa: F403

# A deliberately weak and fast hasher: the strong default takes hundreds of milliseconds on each
# password a test sets or checks, by design.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test process keeps its own memory cache whatever VAWG_CACHE_URL says: every test ends by
# clearing the cache, which on a shared Redis would flush a developer's own cache database. The
# tests of the shared backends name theirs with override_settings.
CACHES = caches_from_url("")

# One test client asks for many new pages in a row from one address; the limit on new work per
# client has tests of its own, which set it (tests/vawg_site/common/test_http.py).
VAWG_RENDERS_PER_MINUTE = 0
