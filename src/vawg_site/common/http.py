"""HTTP helpers shared by the public pages and the API: whole answers kept until the data
changes (ETag, gzip, ``304 Not Modified``), cache headers, and CSV and GeoJSON bodies.

**Kept answers.** A public page or API answer shows published figures and nothing of the person
asking: no session, no form token, no cookie. So the bytes a view renders for one address (path
and query) are the same for everyone until a load changes the data, the code or the settings, and
can be kept under a key made of exactly those. A request then costs the data version
(:mod:`~vawg_site.common.caching`, read at most once a second) and a cache look-up instead of a
dozen aggregate reads and a template render. This is the whole-response cache of Django's
``cache_page``, keyed on the data version rather than on a timeout, and limited to answers that
are safe to share:

* only ``GET`` and ``HEAD`` answers with status 200 that the view marked as published figures
  with :func:`revalidated` (so the ``no-store`` safety pages are never kept) and that set no
  cookie, did not touch the session and asked for no CSRF token;
* the security headers (Content-Security-Policy, HSTS, ``X-Frame-Options`` and the rest) are not
  stored: the middleware adds them to every answer, kept or not.

**What browsers are told.** Keeping a page here is the site's own business; what a browser keeps
is a trace on the device of the person who read it, which matters on a site about violence
against women and girls. So no public page is sent as cacheable for a time: a published-data page
is sent ``Cache-Control: private, no-cache`` (no shared cache may store it; a browser that keeps
a copy must ask again each time, and is answered ``304`` when it still holds the current page),
and the pages a person at risk may use are sent ``no-store`` (:func:`no_store`: nothing is kept,
Back refetches).

Each kept answer carries an ETag (a ``304 Not Modified`` for a client that has it) and a gzip
copy made once when stored, sent to clients that accept it. The answers hold no secret, so
compressing pages that echo the query string cannot leak one (BREACH needs a secret in the body).

**Work that is not kept yet** is limited, so that asking for many new periods cannot starve
everyone else: each client may have ``VAWG_RENDERS_PER_MINUTE`` answers worked out afresh a minute
(answers already kept do not count), and each worker works out at most ``VAWG_RENDER_SLOTS`` at
once, a request waiting at most :data:`RENDER_WAIT_S` for a slot. Past either limit the answer is
``429`` or ``503`` with ``Retry-After``, never a queue that grows. Behind a reverse proxy listed in
``VAWG_TRUSTED_PROXIES``, the client is the address its ``X-Forwarded-For`` names.

**CSV.** A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by spreadsheet programs (CSV injection), so such text gets a leading apostrophe; a plain
number (a negative change) stays a number.
"""

from __future__ import annotations

import contextvars
import csv
import functools
import gzip
import hashlib
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify

from vawg_site.common.caching import DataVersion, data_version_pinned, force_data_is_synthetic

PAGE_SECONDS = 3600
"""How long a kept answer lives at most; a load changes its key long before that."""

MAX_QUERY_CHARS = 512
"""Longer query strings are answered but not kept (no real filter is this long)."""

RENDER_WAIT_S = 0.25
"""Seconds a request waits for a slot before it is answered 503: short, because a thread that
waits is a thread that cannot answer the pages already kept."""

GZIP_MIN_BYTES = 1024
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_View = Callable[..., HttpResponseBase]
T = TypeVar("T")
R = TypeVar("R", bound=HttpResponseBase)


# --- cache headers ------------------------------------------------------------------------------


_SHAREABLE = "_vawg_published"
"""The attribute :func:`revalidated` sets on a response: the view says it holds published figures
and nothing of the person asking, so the site may keep it (the header alone cannot say so, since
``private`` is what browsers must be told)."""


def revalidated(response: R) -> R:
    """Mark an answer of published figures: browsers must ask again before each use
    (``private, no-cache``, with the ETag the site adds), shared caches must not store it, and the
    site itself may keep its rendered copy (:func:`published_page`, :func:`static_page`)."""
    patch_cache_control(response, private=True, no_cache=True)
    setattr(response, _SHAREABLE, True)
    return response


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark an answer that must never be kept (the safety pages: Back must not show a copy)."""
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response


# --- bodies -------------------------------------------------------------------------------------


def csv_safe(value: Any) -> Any:
    """``value`` as written to a CSV cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe; numbers, and text that is a plain number, are left as they are.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("-12.5"), csv_safe(-3), csv_safe("Camden")
    ("'=HYPERLINK(1)", '-12.5', -3, 'Camden')
    """
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_body(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with one header row; None is written as an empty cell.

    >>> csv_body(("area", "count"), [("=x", 1), ("Camden", None)])
    b"area,count\\n'=x,1\\nCamden,\\n"
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return out.getvalue().encode()


def csv_filename(parts: Sequence[str]) -> str:
    """A download's file name from its non-empty parts, each slugified.

    >>> csv_filename(("vawg", "trend", "All London", "", "2024-01"))
    'vawg-trend-all-london-2024-01.csv'
    """
    return "-".join(slugify(p) for p in parts if p) + ".csv"


def csv_attachment(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download (``Content-Disposition: attachment``)."""
    response = HttpResponse(csv_body(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def geojson_body(features: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    """A compact GeoJSON FeatureCollection with ``meta``'s members before the features."""
    doc = {"type": "FeatureCollection", **meta, "features": features}
    return json.dumps(doc, separators=(",", ":")).encode()


# --- limits on work not kept yet --------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}
_unlimited: contextvars.ContextVar[bool] = contextvars.ContextVar("vawg_unlimited", default=False)


def _slots_of(n: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(n, threading.BoundedSemaphore(n))


class Refused(Exception):  # noqa: N818 - an answer, not an error
    """Raised where an answer would have to be worked out but may not be now; ``response`` is
    the answer to send instead (429 or 503, with ``Retry-After``)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def client_address(request: HttpRequest) -> str:
    """The address a request came from: the peer, or behind a trusted proxy the right-most
    address of ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    trusted = set(settings.VAWG_TRUSTED_PROXIES)
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if address not in trusted:
            return str(address)
    return peer


def _refusal(status: int, retry_after_s: int) -> HttpResponse:
    response = HttpResponse(render_to_string("429.html"), status=status)
    response["Retry-After"] = str(retry_after_s)
    return no_store(response)


def _render_counted(request: HttpRequest) -> None:
    """Count one answer worked out for this client; :class:`Refused` past the limit."""
    limit = int(settings.VAWG_RENDERS_PER_MINUTE)
    if limit <= 0 or _unlimited.get():
        return
    window = int(time.time() // 60)
    key = f"vawg:renders:{client_address(request)}:{window}"
    cache.add(key, 0, 120)
    try:
        done = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        done = 1
    if done > limit:
        raise Refused(_refusal(429, 60 - int(time.time()) % 60))


def work_limited(request: HttpRequest, work: Callable[[], T]) -> T:
    """``work()`` within the limits: counted for the client, one of ``VAWG_RENDER_SLOTS`` at a
    time. Raises :class:`Refused` instead of starting when a limit is reached."""
    _render_counted(request)
    slots = _slots_of(max(1, int(settings.VAWG_RENDER_SLOTS)))
    if not slots.acquire(timeout=RENDER_WAIT_S):
        raise Refused(_refusal(503, 30))
    try:
        return work()
    finally:
        slots.release()


# --- kept answers -------------------------------------------------------------------------------


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


def page_key(
    request: HttpRequest, version: DataVersion | None, *, params: tuple[str, ...] | None = None
) -> str:
    """The cache key of the answer to ``request`` for the data loaded at ``version`` (None for a
    page that shows no loaded data). With ``params``, only those query parameters count (each
    by its last value, as a view reads it): a view that reads nothing else then answers
    ``?start=2024-01&x=1`` with the page it keeps for ``?start=2024-01``."""
    if params is None:
        query: Any = sorted(request.GET.lists())
    else:
        query = [(name, request.GET[name]) for name in params if name in request.GET]
    parts = (
        request.path,
        query,
        version.key if version is not None else "",
        force_data_is_synthetic(),
        site_fingerprint(),
    )
    return "vawg.page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _directives(cache_control: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in cache_control.split(",")}


def _shareable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """True when nothing in ``response`` belongs to the person who asked for it."""
    session = getattr(request, "session", None)
    return (
        isinstance(response, HttpResponse)
        and not response.streaming
        and response.status_code == 200
        and getattr(response, _SHAREABLE, False)
        and "no-store" not in _directives(response.get("Cache-Control", ""))
        and not response.cookies
        and not response.has_header("Vary")
        and not response.has_header("Content-Encoding")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
    )


def gzip_copy(body: bytes, *, level: int = 6) -> bytes | None:
    """A gzip copy of ``body`` worth sending instead (at least :data:`GZIP_MIN_BYTES` and
    smaller than the body), else None. Made once, when the body is kept."""
    if len(body) < GZIP_MIN_BYTES:
        return None
    zipped = gzip.compress(body, compresslevel=level, mtime=0)
    return zipped if len(zipped) < len(body) else None


def body_etag(body: bytes, *, weak: bool) -> str:
    """An ETag naming ``body``: a hash of its bytes, weak (``W/"..."``) or strong."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return "W/" + tag if weak else tag


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
        etag=body_etag(body, weak=True),
    )


def _kept(
    request: HttpRequest, render: Callable[[], HttpResponseBase], key: str
) -> HttpResponseBase:
    page = cache.get(key)
    if page is None:
        try:
            response = work_limited(request, render)
        except Refused as refused:
            return refused.response
        if not _shareable(request, response):
            return response
        page = _stored(response)  # type: ignore[arg-type]
        cache.set(key, page, PAGE_SECONDS)
    return encoded_response(
        request, body=page.body, gzipped=page.gzipped, etag=page.etag, headers=page.headers
    )


def _keepable(request: HttpRequest, *, params: tuple[str, ...] | None) -> bool:
    if params is not None:
        return all(len(request.GET.get(name, "")) <= MAX_QUERY_CHARS for name in params)
    return len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_CHARS


def _answered(
    request: HttpRequest,
    render: Callable[[], HttpResponseBase],
    version: DataVersion | None,
    params: tuple[str, ...] | None,
) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        return render()
    if not _keepable(request, params=params):
        try:
            return work_limited(request, render)  # answered, but not kept, and still limited
        except Refused as refused:
            return refused.response
    return _kept(request, render, page_key(request, version, params=params))


def published_page(*, params: tuple[str, ...]) -> Callable[[_View], _View]:
    """Keep the view's public answers per address until the data, code or settings change.

    ``params`` names every query parameter the view reads; the others are left out of the key,
    so a new junk parameter is not a new page to work out.
    """

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            with data_version_pinned() as version:
                return _answered(request, lambda: view(request, *args, **kwargs), version, params)

        return wrapper

    return decorate


def static_page(view: _View) -> _View:
    """Keep the answers of a view that shows no loaded data until the code or settings change
    (no database query at all)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return _answered(request, lambda: view(request, *args, **kwargs), None, None)

    return wrapper


# --- warming ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warmed:
    """What :func:`caches_warm` did: each address with its status, and the time taken."""

    statuses: tuple[tuple[str, int], ...]
    seconds: float


def caches_warm(*, paths: Iterable[str]) -> Warmed:
    """Render each address once, filling the caches behind it.

    The requests go straight to the views, not over the network, one data version pinned for
    each, outside the per-client limit; the answers are thrown away.
    """
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.urls import resolve

    started = time.perf_counter()
    factory = RequestFactory()
    statuses = []
    token = _unlimited.set(True)
    try:
        for path in paths:
            request = factory.get(path)
            request.user = AnonymousUser()
            match = resolve(request.path_info)
            with data_version_pinned():
                response = match.func(request, *match.args, **match.kwargs)
            statuses.append((path, response.status_code))
    finally:
        _unlimited.reset(token)
    return Warmed(statuses=tuple(statuses), seconds=time.perf_counter() - started)
