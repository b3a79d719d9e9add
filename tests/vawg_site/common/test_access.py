"""The access context: a request id and channel for every request, kept for the request only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from vawg_site.common.access import (
    REQUEST_ID_HEADER,
    AccessContextMiddleware,
    access_context,
    current_access,
)


def _through_middleware(path: str, **extra: str) -> tuple[HttpResponse, list[object]]:
    seen: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(current_access())
        return HttpResponse("ok")

    request = RequestFactory().get(path, **extra)
    request.user = AnonymousUser()
    return AccessContextMiddleware(view)(request), seen


def test_each_request_gets_an_id_sent_back_and_a_channel() -> None:
    outside = current_access()
    page, (during,) = _through_middleware("/crime/")
    assert during.channel == "page"  # type: ignore[attr-defined]
    assert page[REQUEST_ID_HEADER] == during.request_id  # type: ignore[attr-defined]
    assert during.request_id != outside.request_id  # type: ignore[attr-defined]
    api, (in_api,) = _through_middleware("/api/v1/force/")
    assert in_api.channel == "api"  # type: ignore[attr-defined]
    assert api[REQUEST_ID_HEADER] != page[REQUEST_ID_HEADER]
    assert current_access() == outside  # the request's context ended with it


def test_a_request_id_from_the_client_is_not_used() -> None:
    given = "3f2a9c1e-7b4d-4e8a-9f00-1234567890ab"
    response, (during,) = _through_middleware("/", HTTP_X_REQUEST_ID=given)
    assert during.request_id != given  # type: ignore[attr-defined]
    assert response[REQUEST_ID_HEADER] == during.request_id  # type: ignore[attr-defined]


def test_access_context_changes_fields_for_a_block_only() -> None:
    with access_context(channel="export", reason_code="legal") as outer:
        assert current_access() == outer
        with access_context(team="NW"):
            assert current_access().channel == "export"
            assert current_access().team == "NW"
        assert current_access().team == ""
    assert current_access().channel == "command"
    with pytest.raises(ValueError, match="unknown channel"), access_context(channel="email"):
        pass
