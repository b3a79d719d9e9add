"""One data version and one cache for the whole site.

The figures on the public pages and in the API are aggregates over hundreds of thousands of rows,
and hotspots take seconds to work out; yet the data changes only when someone loads a file. So a
result is worked out once per *data version* and kept in Django's cache: each worker's memory by
default, or the cache every worker shares when ``VAWG_CACHE_URL`` is set (``docs/settings.md``).

The data version is the newest row id of every table a data app has declared with
:func:`data_version_source_add` (each data app does so for its own tables when Django starts):
any load, and any row written another way, changes at least one of them. Reading it is one round
trip of primary-key maxima (each an index look-up). A worker trusts its last reading for
:data:`VERSION_TTL_S`, so a new load shows on pages within that time, and a request can pin one
reading (:func:`data_version_pinned`) so that all its reads agree on one version: a load that
commits half-way through a request cannot mix old and new figures on one page.

Results are kept under a key made of the function, its arguments and the version's key, so a new
load never serves an old figure; entries of older versions age out of the cache. Never keep
personal data here: only what a page or an API answer may show (published figures, and force
figures after disclosure control).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

T = TypeVar("T")
_Read = TypeVar("_Read", bound=Callable[..., Any])

VERSION_TTL_S = 1.0
"""Seconds a worker answers from its last reading of the data version: a new load shows within
this time, and a busy worker reads the version about once a second instead of once a request."""

CACHE_SECONDS = 3600
"""How long a kept result lives at most; a new load changes its key long before that."""

SYNTHETIC_FORCE_MARKER = "force_is_synthetic"
"""File name in ``VAWG_HOME`` whose presence says the force data loaded is generated."""

_VERSION_KEY = "vawg:data-version"
_MISSING = object()
_sources: dict[str, type[Model]] = {}


def data_version_source_add(*, name: str, model: type[Model]) -> None:
    """Count ``model``'s newest row id in the data version under ``name``.

    Each data app calls this for the tables it owns, from its ``AppConfig.ready``; ``common``
    itself knows no app.
    """
    _sources[name] = model


@dataclass(frozen=True)
class DataVersion:
    """What is loaded: the newest row id of each declared table, by the table's name."""

    newest: tuple[tuple[str, int], ...]

    @property
    def key(self) -> str:
        """Changes whenever any declared table gains or changes rows through a load."""
        return ":".join(f"{name}={n}" for name, n in self.newest)

    def of(self, name: str) -> int:
        """The newest row id of one declared table (0 when it is empty or not declared)."""
        return dict(self.newest).get(name, 0)


def _data_version_read() -> DataVersion:
    names = sorted(_sources)
    if not names:
        return DataVersion(newest=())
    quote = connection.ops.quote_name
    # Table names come from the models, nothing from a request.
    tables = [quote(_sources[name]._meta.db_table) for name in names]
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    newest = tuple((name, int(value or 0)) for name, value in zip(names, row, strict=True))
    return DataVersion(newest=newest)


_pinned: contextvars.ContextVar[list[DataVersion] | None] = contextvars.ContextVar(
    "vawg_data_version", default=None
)


VERSION_READ_IN_BACKGROUND = False
"""Whether a reading older than :data:`VERSION_TTL_S` is renewed by a background thread while
requests go on with it (``vawg serve`` turns this on in each worker), instead of by the request
that found it old. During a load the newest-id look-ups slow down (the loaded rows, not yet
committed, sit at the end of each id index, and every look-up steps over them: 0.4 s and more
into a 742,346-row load), and no visitor should wait for that. A new load then shows within
:data:`VERSION_TTL_S` plus one reading."""

_log = logging.getLogger(__name__)
_last: list[DataVersion] = []  # this process's last reading, for the background renewal
_renewing = threading.Lock()


def data_version_recent() -> DataVersion:
    """The data version as read at most :data:`VERSION_TTL_S` ago (kept in the site's cache, so
    shared by the workers when the cache is); with :data:`VERSION_READ_IN_BACKGROUND`, the last
    reading while a thread renews it."""
    found = cache.get(_VERSION_KEY)
    if isinstance(found, DataVersion):
        return found
    if VERSION_READ_IN_BACKGROUND and _last:
        if _renewing.acquire(blocking=False):
            threading.Thread(target=_version_renew, name="vawg-data-version", daemon=True).start()
        return _last[0]
    return _version_remember(_data_version_read())


def _version_remember(found: DataVersion) -> DataVersion:
    cache.set(_VERSION_KEY, found, VERSION_TTL_S)
    _last[:] = [found]
    return found


def _version_renew() -> None:
    try:
        _version_remember(_data_version_read())
    except Exception:  # the next request past the TTL tries again; pages keep the last reading
        _log.warning("could not renew the data version", exc_info=True)
    finally:
        connection.close()  # this thread's own connection
        _renewing.release()


def data_version() -> DataVersion:
    """What is loaded now: inside :func:`data_version_pinned` (every request), one recent
    reading for the whole block; elsewhere (commands, tests) read afresh."""
    slot = _pinned.get()
    if slot is None:
        return _data_version_read()
    if not slot:
        slot.append(data_version_recent())
    return slot[0]


def data_version_forget() -> None:
    """Read the version afresh next time instead of after :data:`VERSION_TTL_S`."""
    cache.delete(_VERSION_KEY)
    _last.clear()


@contextlib.contextmanager
def data_version_pinned() -> Iterator[DataVersion]:
    """Use one recent reading of the data version for every read inside the block (read on
    first use; a block inside another shares the outer reading)."""
    if _pinned.get() is not None:
        yield data_version()
        return
    token = _pinned.set([])
    try:
        yield data_version()
    finally:
        _pinned.reset(token)


class DataVersionMiddleware:
    """Pin one data version per request, read only if the request reads data at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _pinned.set([])
        try:
            return self.get_response(request)
        finally:
            _pinned.reset(token)


def _key(name: str, arguments: Any) -> str:
    digest = hashlib.sha1(repr(arguments).encode(), usedforsecurity=False).hexdigest()
    version = hashlib.sha1(data_version().key.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"vawg:{name}:{version}:{digest}"


def cached_value(*, name: str, arguments: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per data version and ``(name, arguments)``, kept in the site's cache.

    ``arguments`` is anything with a stable ``repr`` that tells one result from another.
    """
    key = _key(name, arguments)
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def cached(read: _Read) -> _Read:
    """Keep a read's result per set of (keyword) arguments until the data is loaded again."""
    name = f"{read.__module__}.{read.__qualname__}"

    @functools.wraps(read)
    def wrapper(**kwargs: Any) -> Any:
        return cached_value(
            name=name, arguments=sorted(kwargs.items()), compute=lambda: read(**kwargs)
        )

    return wrapper  # type: ignore[return-value]


def force_data_is_synthetic(*, home: Path | None = None) -> bool:
    """True when the force data loaded is generated rather than a real force extract.

    Whoever loads generated force data (``vawg demo`` without ``--force-extract``) writes an
    empty file named :data:`SYNTHETIC_FORCE_MARKER` in ``VAWG_HOME``; loading a real extract
    removes it. A file rather than a database flag keeps the check independent of any one table
    and cheap enough to make on every request.
    """
    folder = Path(settings.VAWG_HOME) if home is None else home
    return (folder / SYNTHETIC_FORCE_MARKER).is_file()
