"""Whole public pages kept in the site's cache until the data they show is loaded again.

A public page shows published figures and nothing of the person asking: no session, no form
token, no cookie. So the bytes a view renders for one address (path and query) are the same for
everyone until a load changes the data, the code or the settings, and can be kept under a key made
of exactly those. A request then costs one query (:func:`~vawg_site.public.selectors.
data_versions`, six primary-key maxima) and a cache look-up instead of a dozen aggregate reads and
a template render. This is the whole-response cache of Django's ``cache_page``, keyed on the data
version rather than on a timeout, and limited to responses that are safe to share:

* only ``GET`` and ``HEAD`` answers with status 200 that the view marked ``public`` (so the
  ``no-store`` safety pages are never kept) and that set no cookie, did not touch the session and
  asked for no CSRF token;
* the security headers (Content-Security-Policy, HSTS, ``X-Frame-Options`` and the rest) are not
  stored: the middleware adds them to every answer, cached or not.

Each kept page carries an ETag (a ``304 Not Modified`` for a browser that has it) and a gzip copy
made once when stored, sent to clients that accept it. The pages hold no secret, so compressing
pages that echo the query string cannot leak one (BREACH needs a secret in the body).

The cache is Django's default cache: each worker's memory unless ``VAWG_CACHE_URL`` names a cache
the workers share (``docs/settings.md``). :func:`site_caches_warm` renders the main pages ahead of
the first visitor, at ``vawg serve`` start-up or with ``vawg manage warm_caches`` after a load.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers

from vawg_site.public.selectors import (
    DataVersions,
    data_versions_pinned,
    force_data_is_synthetic,
)

PAGE_SECONDS = 3600
"""How long a kept page lives at most; a load changes its key long before that."""

MAX_QUERY_CHARS = 512
"""Longer query strings are answered but not kept (no real filter is this long)."""

GZIP_MIN_BYTES = 1024
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class StoredPage:
    """A rendered answer as kept in the cache: the view's own headers, not the middleware's."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None
    etag: str


@functools.lru_cache(maxsize=1)
def site_fingerprint() -> str:
    """Changes when the code, templates, shipped tables or page-shaping settings change, so that a
    cache shared across a redeploy never serves a page rendered by the previous release."""
    import vawg

    digest = hashlib.sha1(usedforsecurity=False)
    for package in (Path(vawg.__file__).parent, Path(__file__).resolve().parent.parent):
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    digest.update(repr((settings.VAWG_MAP_TILE_URL, settings.DEBUG, settings.STATIC_URL)).encode())
    return digest.hexdigest()[:16]


def page_key(request: HttpRequest, versions: DataVersions | None) -> str:
    """The cache key of the answer to ``request`` for the data loaded at ``versions`` (None for a
    page that shows no loaded data)."""
    parts = (
        request.path,
        sorted(request.GET.lists()),
        versions.key if versions is not None else "",
        force_data_is_synthetic(),
        site_fingerprint(),
    )
    return "vawg.page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


_PRIVATE = {"private", "no-store", "no-cache"}


def _directives(cache_control: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in cache_control.split(",")}


def _shareable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """True when nothing in ``response`` belongs to the person who asked for it."""
    session = getattr(request, "session", None)
    return (
        isinstance(response, HttpResponse)
        and not response.streaming
        and response.status_code == 200
        and _directives(response.get("Cache-Control", "")) & _PRIVATE == set()
        and "public" in _directives(response.get("Cache-Control", ""))
        and not response.cookies
        and not response.has_header("Vary")
        and not response.has_header("Content-Encoding")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
    )


def gzip_copy(body: bytes) -> bytes | None:
    """A gzip copy of ``body`` worth sending instead (at least :data:`GZIP_MIN_BYTES` and
    smaller than the body), else None. Made once, when the body is cached."""
    if len(body) < GZIP_MIN_BYTES:
        return None
    zipped = gzip.compress(body, compresslevel=6, mtime=0)
    return zipped if len(zipped) < len(body) else None


def encoded_response(
    request: HttpRequest,
    *,
    body: bytes,
    gzipped: bytes | None,
    etag: str,
    gzip_etag: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    """A kept body as a fresh response: 304 when the client holds it (``If-None-Match``), the
    gzip copy when there is one and the client accepts gzip, else the body. ``gzip_etag`` names
    the gzip copy when it is to have an ETag of its own; ``headers`` are the kept answer's own
    (its Content-Type is left off a 304)."""
    send_zipped = gzipped is not None and bool(
        _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    )
    sent_etag = gzip_etag if send_zipped and gzip_etag is not None else etag
    if sent_etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(gzipped if send_zipped else body)
    for name, value in headers:
        if response.status_code != 304 or name.lower() != "content-type":
            response[name] = value
    if send_zipped and response.status_code != 304:
        response["Content-Encoding"] = "gzip"
    response["ETag"] = sent_etag
    if gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _stored(response: HttpResponse) -> StoredPage:
    body = bytes(response.content)
    return StoredPage(
        status=response.status_code,
        headers=tuple(response.items()),
        body=body,
        gzipped=gzip_copy(body),
        etag='W/"' + hashlib.sha256(body).hexdigest()[:32] + '"',
    )


def _kept(
    request: HttpRequest, render: Callable[[], HttpResponseBase], key: str
) -> HttpResponseBase:
    page = cache.get(key)
    if page is None:
        response = render()
        if not _shareable(request, response):
            return response
        page = _stored(response)  # type: ignore[arg-type]
        cache.set(key, page, PAGE_SECONDS)
    return encoded_response(
        request, body=page.body, gzipped=page.gzipped, etag=page.etag, headers=page.headers
    )


def _keepable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_CHARS
    )


def published_page(view: _View) -> _View:
    """Keep the view's public answers per address until the data, code or settings change."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _keepable(request):
            return view(request, *args, **kwargs)
        with data_versions_pinned() as versions:
            return _kept(
                request, lambda: view(request, *args, **kwargs), page_key(request, versions)
            )

    return wrapper


def static_page(view: _View) -> _View:
    """Keep the answers of a view that shows no loaded data until the code or settings change
    (no database query at all)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _keepable(request):
            return view(request, *args, **kwargs)
        return _kept(request, lambda: view(request, *args, **kwargs), page_key(request, None))

    return wrapper


WARM_PATHS = (
    "/",
    "/data/",
    "/data/boroughs/",
    "/data/maps/wards/",
    "/data/maps/wards/data.json",
    "/data/maps/street/",
    "/data/maps/street/data.json",
    "/accessibility/",
    "/how-we-use-data/",
    "/api/docs",
    "/api/v1/months",
    "/api/v1/categories",
    "/api/v1/areas/boroughs",
    "/api/v1/hotspots/wards",
    "/api/v1/hotspots/grid",
)
"""The pages and API calls most visitors start from (each with its default filters)."""


def _commitment_paths() -> list[str]:
    from vawg.commitments import COMMITMENTS

    return [f"/commitments/{c.number}/" for c in COMMITMENTS if c.has_progress_page]


@dataclass(frozen=True)
class Warmed:
    """What :func:`site_caches_warm` did: each address with its status, and the time taken."""

    statuses: tuple[tuple[str, int], ...]
    seconds: float


def site_caches_warm(*, paths: Iterable[str] | None = None) -> Warmed:
    """Render the main public pages and API calls once, filling the caches behind them.

    Run by each ``vawg serve`` worker as it starts (by the first one only with a shared cache)
    and, with a shared cache, after each load (``vawg manage warm_caches``). The requests go
    straight to the views, not over the network; the answers are thrown away.
    """
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.urls import resolve

    started = time.perf_counter()
    factory = RequestFactory()
    statuses = []
    for path in list(paths) if paths is not None else [*WARM_PATHS, *_commitment_paths()]:
        request = factory.get(path)
        request.user = AnonymousUser()
        match = resolve(request.path_info)
        response = match.func(request, *match.args, **match.kwargs)
        statuses.append((path, response.status_code))
    return Warmed(statuses=tuple(statuses), seconds=time.perf_counter() - started)
