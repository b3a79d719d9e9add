"""Where a passkey belongs (``accounts.passkeys``): the relying party from VAWG_PASSKEY_RP_ID or
the request's host, the one origin accepted, and passkeys counted as a second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory, override_settings
from django_otp_webauthn.models import WebAuthnCredential

from vawg_site.accounts import selectors, services
from vawg_site.accounts.passkeys import PasskeyHelper, passkeys_work_here, rp_id


def _request(host: str, *, secure: bool = False) -> Any:
    return RequestFactory().get("/", HTTP_HOST=host, secure=secure)


@override_settings(ALLOWED_HOSTS=["vawg.example", "staff.vawg.example", "localhost"])
def test_the_relying_party_and_origin() -> None:
    assert rp_id(_request("localhost:8000")) == "localhost"
    assert PasskeyHelper(_request("localhost:8000")).get_allowed_origins() == [
        "http://localhost:8000"
    ]
    with override_settings(VAWG_PASSKEY_RP_ID="vawg.example"):
        request = _request("staff.vawg.example", secure=True)
        assert rp_id(request) == "vawg.example"
        assert PasskeyHelper(request).get_allowed_origins() == ["https://staff.vawg.example"]
        # A host outside the relying party accepts no origin: every ceremony fails there.
        assert PasskeyHelper(_request("localhost")).get_allowed_origins() == []
        assert passkeys_work_here(_request("vawg.example", secure=True))
        assert not passkeys_work_here(_request("vawg.example"))  # plain HTTP
        assert not passkeys_work_here(_request("localhost:8000"))  # outside the relying party
    assert passkeys_work_here(_request("localhost:8000"))
    with override_settings(ALLOWED_HOSTS=["127.0.0.1"]):
        assert not passkeys_work_here(_request("127.0.0.1:8000"))  # browsers refuse an IP


def _passkey(user: Any, *, confirmed: bool = True, n: int = 1) -> Any:
    return WebAuthnCredential.objects.create(
        user=user, name=f"Passkey {n}", confirmed=confirmed, credential_id=bytes([n]) * 32,
        public_key=b"k", aaguid="00000000-0000-0000-0000-000000000000",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_confirmed_passkey_is_a_second_factor_and_the_last_one_stays() -> None:
    user = get_user_model().objects.create_user(username="officer", password="x" * 20)
    _passkey(user, confirmed=False)
    assert not selectors.second_factor_is_enrolled(user=user)
    assert selectors.passkey_list(user=user) == []
    first = _passkey(user, n=2)
    assert selectors.second_factor_is_enrolled(user=user)
    assert selectors.passkey_is_enrolled(user=user)
    with pytest.raises(services.PasskeyError, match="only passkey"):
        services.passkey_remove(user=user, passkey_id=first.pk)
    second = _passkey(user, n=3)
    services.passkey_remove(user=user, passkey_id=first.pk)
    assert [p.id for p in selectors.passkey_list(user=user)] == [second.pk]
    other = get_user_model().objects.create_user(username="other", password="x" * 20)
    with pytest.raises(services.PasskeyError, match="not one of yours"):
        services.passkey_remove(user=other, passkey_id=second.pk)
