"""Headers, cookies, third-party origins and "Exit this page" on every public page: what a
person at risk at home needs from a site they may have to leave quickly."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

PUBLIC_PAGES = [
    "public:home",
    "public:borough_data",
    "public:exit_this_page",
    "public:staying_safe_online",
    "public:accessibility",
    "public:how_we_use_data",
]
SENSITIVE_PAGES = ["public:exit_this_page", "public:staying_safe_online"]


class _Links(HTMLParser):
    """Every URL a page could load or go to (src, href, action, ...) and every style attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if found.get(name):
                self.urls.append(found[name] or "")
        if "style" in found:
            self.styles.append(tag)


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.fixture
def pages(client: Client, small_counts: None) -> dict[str, object]:
    return {route: client.get(reverse(route)) for route in PUBLIC_PAGES}


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers_on_every_page(pages) -> None:  # type: ignore[no-untyped-def]
    for route, response in pages.items():
        assert response.status_code == 200, route
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        csp = _csp(response)
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header
        assert "'nonce'" not in header, "the nonce placeholder was not replaced"


def test_no_inline_script_or_style(pages) -> None:  # type: ignore[no-untyped-def]
    """Scripts are same-origin files, so the policy needs neither a nonce nor unsafe-inline, and
    a cached public page cannot replay a nonce."""
    for response in pages.values():
        assert "nonce" not in response["Content-Security-Policy"]
        html = response.content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "inline script found"
        links = _links(html)
        assert links.styles == [], "style attributes would need unsafe-inline"


def test_govuk_frontend_is_initialised_from_our_own_copy(pages) -> None:  # type: ignore[no-untyped-def]
    html = pages["public:home"].content.decode()
    assert '<script type="module" src="/static/vawg/init.mjs">' in html
    assert '<script src="/static/vawg/supported.js">' in html
    root = Path(__file__).resolve().parents[3] / "src" / "vawg_site" / "static" / "vawg"
    assert 'from "../vendor/govuk/govuk-frontend.min.js"' in (root / "init.mjs").read_text()
    assert "initAll()" in (root / "init.mjs").read_text()
    assert "govuk-frontend-supported" in (root / "supported.js").read_text()


def test_hsts_on_https(client: Client) -> None:
    response = client.get(reverse("public:home"), secure=True)
    hsts = response["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 24 * 3600


def test_no_third_party_origins(pages) -> None:  # type: ignore[no-untyped-def]
    for route, response in pages.items():
        for url in _links(response.content.decode()).urls:
            parts = urlsplit(url)
            if parts.scheme == "tel":
                continue
            if url == settings.VAWG_EXIT_URL:
                continue
            assert not parts.netloc, f"{route} links off-site: {url}"
            assert not parts.scheme, f"{route} links off-site: {url}"
        # With no map tile origins configured (the default) the policy names no other origin.
        for values in _csp(response).values():
            assert all(v.startswith("'") or v == "data:" for v in values), values


def test_no_persistent_cookies(client: Client, pages) -> None:  # type: ignore[no-untyped-def]
    responses = [*pages.values(), client.get(reverse("public:exit"))]
    for response in responses:
        for morsel in response.cookies.values():
            if morsel.value:  # a deletion (empty value, expiry in the past) is fine
                assert not morsel["expires"], morsel.output()
                assert not morsel["max-age"], morsel.output()


def test_exit_this_page_on_every_page(pages) -> None:  # type: ignore[no-untyped-def]
    exit_url = reverse("public:exit")
    for route, response in pages.items():
        html = response.content.decode()
        assert 'class="govuk-exit-this-page" data-module="govuk-exit-this-page"' in html, route
        assert "govuk-js-exit-this-page-button" in html
        assert f'href="{exit_url}" role="button"' in html
        assert '<span class="govuk-visually-hidden">Emergency</span> Exit this page' in html
        # The secondary link for assistive technology, straight after the skip link.
        skip = html.index('class="govuk-skip-link"')
        secondary = html.index('class="govuk-skip-link govuk-js-exit-this-page-skiplink"')
        assert skip < secondary < html.index("<header")
        assert 'rel="nofollow noreferrer"' in html


def test_exit_view_clears_everything_and_leaves(client: Client, db: None) -> None:
    session = client.session
    session["seen"] = True
    session.save()
    key = session.session_key
    assert Session.objects.filter(session_key=key).exists()

    response = client.get(reverse("public:exit"))

    assert response.status_code == 302
    assert response["Location"] == settings.VAWG_EXIT_URL
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert not Session.objects.filter(session_key=key).exists()


def test_exit_view_accepts_post(client: Client, db: None) -> None:
    response = client.post(reverse("public:exit"))
    assert response.status_code == 302
    assert response["Location"] == settings.VAWG_EXIT_URL


@pytest.mark.parametrize("route", SENSITIVE_PAGES)
def test_safety_pages_are_not_stored(client: Client, db: None, route: str) -> None:
    assert "no-store" in client.get(reverse(route))["Cache-Control"]


def test_exit_explanation_says_history_stays(client: Client, db: None) -> None:
    html = client.get(reverse("public:exit_this_page")).content.decode()
    assert "does not erase your browsing history" in html
    assert "Shift key 3 times" in html


def test_safety_page_names_the_helplines(client: Client, db: None) -> None:
    html = client.get(reverse("public:staying_safe_online")).content.decode()
    for must in (
        "999",
        "101",
        "0808 2000 247",
        "Refuge",
        "Women's Aid",
        "0808 500 2222",
        "National Cyber Security Centre",
        "private",
    ):
        assert must in html.replace("&#x27;", "'"), must


@pytest.mark.django_db
def test_behind_a_tls_proxy_hsts_is_sent_and_plain_http_is_redirected(client: Client) -> None:
    """The proxy ends TLS and says so in X-Forwarded-Proto (VAWG_PROXY_SSL_HEADER)."""
    with override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_SSL_REDIRECT=True
    ):
        secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
        plain = client.get("/")
        forged = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert forged.status_code == 301
    assert "Strict-Transport-Security" not in plain
