"""Through a real request: the rows the records' selectors write carry the request's id (the one
sent back in ``X-Request-ID``) and its channel, with no user for an anonymous public request."""

from __future__ import annotations

from typing import Any

import pytest

from vawg_site.audit.selectors import events_for_request
from vawg_site.common.access import REQUEST_ID_HEADER

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "channel"),
    [("/api/v1/force/vawg-crimes/by-group-month", "api"), ("/commitments/7/", "page")],
)
def test_a_request_that_reads_the_records_logs_with_its_id_and_channel(
    client: Any, force: None, path: str, channel: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    events = events_for_request(response[REQUEST_ID_HEADER])
    assert events, "the figures were worked out from the records: the reads are logged"
    assert {(e.channel, e.user_id, e.username) for e in events} == {(channel, None, "")}
    assert ("combine", "records.crime", 42) in {
        (e.action, e.object_type, e.object_count) for e in events
    }
    again = client.get(path)  # served from the cache: nothing read, nothing logged
    assert events_for_request(again[REQUEST_ID_HEADER]) == []
