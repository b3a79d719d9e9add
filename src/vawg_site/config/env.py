"""The site's settings table: each setting a deployer may change, declared once.

Each entry names the environment variable, its default, its unit and what it does. The settings
module reads them through :func:`setting`; ``docs/settings.md`` is written from this table by
``vawg docs`` and a test checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _str(raw: str) -> str:
    return raw


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """Django's ``SECURE_PROXY_SSL_HEADER`` for ``VAWG_PROXY_SSL_HEADER`` (``Name=value``).

    >>> proxy_ssl_header("X-Forwarded-Proto=https")
    ('HTTP_X_FORWARDED_PROTO', 'https')
    >>> proxy_ssl_header("") is None
    True
    """
    text = raw.strip()
    if not text:
        return None
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValueError(f"VAWG_PROXY_SSL_HEADER: write it as Name=value: {raw!r}")
    return "HTTP_" + name.strip().upper().replace("-", "_"), value.strip()


DEFAULT_SECRET_KEY = "insecure-local-only-key-change-me-for-any-deployment-0123456789"  # noqa: S105
"""The signing key a local run uses when none is set; the production settings refuse it."""

LOCAL_CACHE_ENTRIES = 1000
"""Entries each worker's own memory cache keeps (pages and reads) before dropping a third."""


def caches_from_url(raw: str) -> dict[str, dict[str, Any]]:
    """Django's ``CACHES`` for a ``VAWG_CACHE_URL``: Redis (``redis://``, ``rediss://``), a
    folder every worker on this machine shares (``file:///path``), or each worker's own memory
    when blank.

    >>> caches_from_url("")["default"]["BACKEND"]
    'django.core.cache.backends.locmem.LocMemCache'
    >>> caches_from_url("redis://127.0.0.1:6379/2")["default"]["LOCATION"]
    'redis://127.0.0.1:6379/2'
    >>> caches_from_url("file:///var/cache/vawg")["default"]["LOCATION"]
    '/var/cache/vawg'
    """
    url = raw.strip()
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "vawg",
                "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_ENTRIES},
            }
        }
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("redis", "rediss"):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "vawg",
            }
        }
    if scheme == "file":
        folder = url[len("file://") :]
        if not folder.startswith("/"):
            raise ValueError(f"VAWG_CACHE_URL: a file cache needs an absolute path: {raw!r}")
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": folder,
                "OPTIONS": {"MAX_ENTRIES": 20 * LOCAL_CACHE_ENTRIES},
            }
        }
    raise ValueError(f"VAWG_CACHE_URL: use redis://, rediss:// or file:///: {raw!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    unit: str
    help: str
    parse: Callable[[str], Any] = _str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "VAWG_DEBUG",
            "0",
            "flag",
            "Django debug mode. Never on in production: the production settings refuse to start "
            "with it on.",
            _bool,
        ),
        Setting(
            "VAWG_SECRET_KEY",
            DEFAULT_SECRET_KEY,
            "text",
            "Django's signing key. Set a long random value in every deployment: the production "
            "settings refuse the default and any key shorter than 50 characters.",
        ),
        Setting(
            "VAWG_ALLOWED_HOSTS",
            "127.0.0.1,localhost,testserver",
            "comma-separated host names",
            "Host names the site answers to. The production settings require it to be set.",
            _list,
        ),
        Setting(
            "VAWG_PASSKEY_RP_ID",
            "",
            "domain",
            "The domain staff passkeys are made for (the WebAuthn relying-party ID), e.g. "
            "vawg.example: a passkey works on that host and its subdomains only, never on a "
            "look-alike. Blank: the host name each request came to (one of VAWG_ALLOWED_HOSTS), "
            "which suits a site with one host name. Passkeys need HTTPS, or http://localhost on "
            "your own machine (not 127.0.0.1). Changing it stops every registered passkey "
            "working: people then sign in with their app or a recovery code and add one again.",
        ),
        Setting(
            "VAWG_PROXY_SSL_HEADER",
            "",
            "Name=value",
            "Production settings only: the header and value with which a proxy in front of the "
            "site says the visitor's request came over HTTPS, e.g. X-Forwarded-Proto=https. Set "
            "it when a proxy terminates TLS (the proxy must set or strip that header), or pages "
            "redirect to HTTPS for ever. Blank trusts no header.",
            proxy_ssl_header,
        ),
        Setting(
            "DATABASE_URL",
            "",
            "URL",
            "Database to use, e.g. postgres://user@127.0.0.1:5432/vawg. Blank means the embedded "
            "SQLite file VAWG_HOME/vawg.sqlite3.",
        ),
        Setting(
            "VAWG_HOME",
            "var",
            "folder",
            "Working folder: the embedded database, generated extracts and collected static files.",
        ),
        Setting(
            "VAWG_DATA_DIR",
            "../shared/data",
            "folder",
            "Where the real open data is read from when no --data-dir is given.",
        ),
        Setting(
            "VAWG_CACHE_URL",
            "",
            "URL",
            "Cache shared by the site's workers for rendered public pages and computed figures, "
            "e.g. redis://127.0.0.1:6379/0 (needs the `redis` Python package; give Redis a "
            "maxmemory with an allkeys-lru policy) or file:///var/cache/vawg (one machine). "
            "Blank: each worker keeps its own in memory (filled at `vawg serve` start-up).",
            caches_from_url,
        ),
        Setting(
            "VAWG_RENDERS_PER_MINUTE",
            "30",
            "answers a minute",
            "Public pages and API answers one client may have worked out afresh each minute "
            "(answers already kept do not count); past it the answer is 429 with Retry-After. "
            "0 turns the limit off.",
            int,
        ),
        Setting(
            "VAWG_RENDER_SLOTS",
            "2",
            "answers at once",
            "Pages or API answers each worker works out at once; a request that finds no slot "
            "free within a quarter of a second gets 503 with Retry-After.",
            int,
        ),
        Setting(
            "VAWG_TRUSTED_PROXIES",
            "",
            "comma-separated addresses",
            "Addresses of the reverse proxies in front of the site. A request from one of them is "
            "counted against the client its X-Forwarded-For names; from anywhere else, against "
            "the address it came from.",
            _list,
        ),
        Setting(
            "VAWG_MAP_TILE_URL",
            "",
            "URL template",
            "Map tile URL template for Leaflet maps, e.g. https://tile.example/{z}/{x}/{y}.png. "
            "Blank shows outlines only: no third-party request is made.",
        ),
        Setting(
            "VAWG_MAP_TILE_ORIGINS",
            "",
            "comma-separated origins",
            "Origins the map tiles come from, allowed in the Content-Security-Policy img-src.",
            _list,
        ),
        Setting(
            "VAWG_EXIT_URL",
            "https://www.bbc.co.uk/weather",
            "URL",
            "Where 'Exit this page' sends a person after the session is cleared: a neutral site "
            "that shows no personalised content.",
        ),
        Setting(
            "VAWG_QUARANTINE_RETENTION_DAYS",
            "90",
            "days",
            "How long the rows a force-extract load rejected (personal data) stay in the "
            "quarantine after that load: `vawg manage quarantine_erase`, run daily by a "
            "scheduler, erases older ones and records each erasure (load, rows, when, why). "
            "Long enough to correct and reload three monthly extracts. Open-data rejections "
            "are kept.",
            int,
        ),
        Setting(
            "VAWG_RETENTION_GROUP1_REVIEW_YEARS",
            "10",
            "years",
            "MoPI group 1 (certain public protection matters: serious sexual and violent "
            "offences, domestic abuse that is violence): years from a person's latest "
            "involvement (or their last review) to their next retention review. APP keeps these "
            "until the subject is 100 and reviews them every 10 years (`docs/retention.md`).",
            int,
        ),
        Setting(
            "VAWG_RETENTION_GROUP2_REVIEW_YEARS",
            "10",
            "years",
            "MoPI group 2 (other sexual, violent or serious offences): years from a person's "
            "latest involvement to their retention review; APP's default is 10.",
            int,
        ),
        Setting(
            "VAWG_RETENTION_GROUP3_REVIEW_YEARS",
            "6",
            "years",
            "MoPI group 3 (all other offences): years from a person's latest involvement to "
            "their retention review; APP's default is 6.",
            int,
        ),
        Setting(
            "VAWG_RANK_EXTRACT",
            "",
            "folder",
            "A force extract folder (`docs/extract.md`) whose learned ranking model the job "
            "worker fits after each month ends, as `vawg rank fit` does, so that the month's "
            "lists (`vawg rank`) do not wait for it (`docs/jobs.md`). Blank: no monthly fit.",
        ),
        Setting(
            "VAWG_FORCE_NAME",
            "Metropolitan Police Service",
            "name",
            "The force whose area the public site describes, as data.police.uk's `Falls within` "
            "column names it. Records of other forces can be loaded but are never counted in the "
            "force area's figures.",
        ),
        Setting(
            "VAWG_FORCE_SLUG",
            "metropolitan",
            "slug",
            "The force's data.police.uk slug (its file names, e.g. `2023-03-metropolitan-street`).",
        ),
        Setting(
            "VAWG_FORCE_EXCLUDED_AREAS",
            "E09000001",
            "ONS codes",
            "Comma-separated local-authority codes in the shipped boundaries that the force does "
            "not police. The Met polices the 32 London boroughs, not the City of London "
            "(`E09000001`), which has its own force.",
            _list,
        ),
    )
}


def setting(name: str) -> Any:
    """The parsed value of a declared setting, from the environment or its default."""
    declared = SETTINGS[name]
    return declared.parse(os.environ.get(name, declared.default))


def setting_given(name: str) -> bool:
    """Whether the environment sets a declared setting to something other than blank."""
    return bool(os.environ.get(SETTINGS[name].name, "").strip())


SETTINGS_MODULES = (
    (
        "vawg_site.config.settings",
        "the same as `.base`: the name every command and deployment used before the settings "
        "were split, kept so that nothing which ran before refuses to start now",
    ),
    (
        "vawg_site.config.settings.base",
        "`vawg demo`, `vawg serve` and `vawg manage` on your own machine over plain "
        "http://127.0.0.1, with no setup",
    ),
    (
        "vawg_site.config.settings.test",
        "the test suite (pytest sets it): the base with a fast password hasher and each test "
        "process's own memory cache, whatever `VAWG_CACHE_URL` says",
    ),
    (
        "vawg_site.config.settings.production",
        "every deployment: HTTPS only (redirect, HSTS, secure cookies); refuses to start with "
        "`VAWG_DEBUG` on, with the default or a short `VAWG_SECRET_KEY`, or without "
        "`VAWG_ALLOWED_HOSTS`",
    ),
)
"""Each settings module ``DJANGO_SETTINGS_MODULE`` may name, and when to use it."""


def settings_markdown() -> str:
    """The settings table as Markdown, for ``docs/settings.md``."""
    lines = [
        "# Settings",
        "",
        "Each setting is an environment variable, declared once in `src/vawg_site/config/env.py`.",
        "This page is generated by `vawg docs`; a test checks it is current.",
        "",
        "| name | default | unit | what it does |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS.values():
        lines.append(f"| `{s.name}` | `{s.default}` | {s.unit} | {s.help} |")
    lines += [
        "",
        "## Which settings module",
        "",
        "`DJANGO_SETTINGS_MODULE` names one of these; the `vawg` commands use "
        "`vawg_site.config.settings` when it is not set. For a deployment, set "
        "`DJANGO_SETTINGS_MODULE=vawg_site.config.settings.production` for `vawg serve`, "
        "`vawg manage` and `vawg ingest` alike.",
        "",
        "| module | use it for |",
        "|---|---|",
    ]
    for module, use in SETTINGS_MODULES:
        lines.append(f"| `{module}` | {use} |")
    return "\n".join(lines) + "\n"
