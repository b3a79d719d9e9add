"""Deployment settings: the base settings, HTTPS only, and refusing to start when unsafe.

Name this module in ``DJANGO_SETTINGS_MODULE`` for every deployment. It stops the site (and every
``vawg`` command that opens Django) with :class:`~django.core.exceptions.ImproperlyConfigured`,
naming each setting to fix, when debug is on, when the signing key is the published default or
too short to resist guessing, or when ``VAWG_ALLOWED_HOSTS`` is not set; then it adds what
Django's deployment checklist (``vawg manage check --deploy``) asks of a site served over HTTPS.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from vawg_site.config.env import DEFAULT_SECRET_KEY, setting, setting_given
from vawg_site.config.settings.base import *  # noqa: F403

MIN_SECRET_KEY_CHARS = 50
"""Django's own deployment check warns below 50 characters (security.W009)."""


def production_refusals() -> list[str]:
    """Why these settings must not start, one sentence per setting to fix; empty when they may.

    Read from the environment each time it is called, not from the base settings' values.
    """
    refusals = []
    if setting("VAWG_DEBUG"):
        refusals.append("VAWG_DEBUG is on: debug pages show settings and code to anyone")
    key = setting("VAWG_SECRET_KEY")
    if key == DEFAULT_SECRET_KEY:
        refusals.append(
            "VAWG_SECRET_KEY is the published default: set a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    elif len(key) < MIN_SECRET_KEY_CHARS or len(set(key)) < 5:
        refusals.append(
            f"VAWG_SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_CHARS} random characters"
        )
    if not setting_given("VAWG_ALLOWED_HOSTS") or not setting("VAWG_ALLOWED_HOSTS"):
        refusals.append("VAWG_ALLOWED_HOSTS is not set: name the host names the site answers to")
    return refusals


_refusals = production_refusals()
if _refusals:
    raise ImproperlyConfigured(
        "the production settings refuse to start: " + "; ".join(_refusals) + " (docs/settings.md)"
    )

DEBUG = False
SECRET_KEY = setting("VAWG_SECRET_KEY")
ALLOWED_HOSTS = setting("VAWG_ALLOWED_HOSTS")

# HTTPS only. The base already sends HSTS for a year, subdomains included, on HTTPS responses;
# here plain-HTTP requests are redirected, the HSTS header also consents
# to browsers' preload lists (Django's deployment check asks for it, and CI runs that
# check at WARNING), and cookies are never sent over plain HTTP. The ``__Host-`` prefix makes the
# browser refuse a cookie that is not Secure, is set for another domain, or for a narrower path
# (ASVS 3.3.4): a sibling subdomain cannot plant a session or CSRF cookie.
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = setting("VAWG_PROXY_SSL_HEADER")
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
