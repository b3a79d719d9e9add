"""Passkeys (WebAuthn, W3C Web Authentication Level 3) as a second factor, through
django-otp-webauthn: where a passkey belongs and which page may use it.

A passkey is a key pair made by the person's device for one *relying party*, named by a domain
(the RP ID). The browser lets a page use it only when the page's own address is that domain or
one of its subdomains, and signs the page's origin into every answer; the server checks both.
A look-alike site therefore cannot get an answer this site accepts (phishing resistance, ASVS
5.0 6.3.x at level 3; docs/accounts.md, "Passkeys").

The RP ID is ``VAWG_PASSKEY_RP_ID`` or, when that is blank, the host name of the request (one of
``VAWG_ALLOWED_HOSTS``, which Django has already checked). The origin expected in an answer is the
request's own (scheme, host and port), and only when its host lies within the RP ID; otherwise no
origin is accepted and every ceremony fails.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_otp_webauthn.helpers import WebAuthnHelper

PASSKEY_NAME = "Passkey added {date}"
"""The name a new passkey is listed under: the day it was added, in the person's words."""


def _host_name(request: HttpRequest) -> str:
    """The request's host without its port (Django has checked it against ALLOWED_HOSTS)."""
    host = request.get_host()
    if host.startswith("["):  # an IPv6 literal; never a valid RP ID, but keep it whole
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def rp_id(request: HttpRequest) -> str:
    """The relying-party ID passkeys are made for and checked against (``OTP_WEBAUTHN_RP_ID_
    CALLABLE``): ``VAWG_PASSKEY_RP_ID``, or the request's host name when that is blank."""
    configured = str(getattr(settings, "VAWG_PASSKEY_RP_ID", "") or "").strip().lower()
    return configured or _host_name(request).lower()


def origin_is_within(*, host: str, relying_party: str) -> bool:
    """Whether a page on ``host`` may use passkeys of ``relying_party`` (the same domain or a
    subdomain of it).

    >>> origin_is_within(host="vawg.example", relying_party="vawg.example")
    True
    >>> origin_is_within(host="staff.vawg.example", relying_party="vawg.example")
    True
    >>> origin_is_within(host="vawg.example.evil", relying_party="vawg.example")
    False
    >>> origin_is_within(host="notvawg.example", relying_party="vawg.example")
    False
    """
    host, relying_party = host.lower(), relying_party.lower()
    return host == relying_party or host.endswith("." + relying_party)


def passkeys_work_here(request: HttpRequest) -> bool:
    """Whether a browser will use passkeys on the page this request is for: a secure page
    (HTTPS, or http://localhost) on a host name within the relying party. Browsers refuse
    passkeys on an IP address such as the demo's 127.0.0.1, so the pages offer none there."""
    host = _host_name(request).lower()
    try:
        ipaddress.ip_address(host.strip("[]"))
        return False
    except ValueError:
        pass
    secure = request.is_secure() or host == "localhost" or host.endswith(".localhost")
    return secure and origin_is_within(host=host, relying_party=rp_id(request))


class PasskeyHelper(WebAuthnHelper):
    """django-otp-webauthn's helper (``OTP_WEBAUTHN_HELPER_CLASS``) with the origin worked out
    per request, and a name for each new passkey."""

    def get_allowed_origins(self) -> list[str]:
        request = self.request
        if not origin_is_within(host=_host_name(request), relying_party=rp_id(request)):
            return []
        return [f"{request.scheme}://{request.get_host()}"]

    def create_credential(self, user: Any, *args: Any, **kwargs: Any) -> Any:
        device = super().create_credential(user, *args, **kwargs)
        device.name = PASSKEY_NAME.format(date=timezone.localdate().strftime("%-d %B %Y"))
        return device
