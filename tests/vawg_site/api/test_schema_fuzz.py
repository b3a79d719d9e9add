"""schemathesis against the served OpenAPI schema: no 5xx and every response conforms to the
schema (status code, content type, body), bounded to ``MAX_EXAMPLES`` cases per operation.

Two rules cannot be written in OpenAPI: a period must not end before it starts, and a force table
is published for one whole calendar year only. Such a request is schema-valid but gets a 400, so
schemathesis's "valid data is accepted" check is replaced by one that allows exactly those 400s
and no other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from vawg_site.config.wsgi import application

MAX_EXAMPLES = 25
ALLOWED_400 = (
    "month_from must not be after month_to",
    "force tables are published for whole calendar years only",
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def valid_data_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schema-valid requests get 2xx or 404, or a 400 only for a rule of :data:`ALLOWED_400`."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code < 400 or response.status_code == 404:
        return None
    if response.status_code == 400 and any(rule in response.text for rule in ALLOWED_400):
        return None
    raise AssertionError(f"valid request rejected with {response.status_code}: {response.text}")


@pytest.fixture
def _data(published: None, force: None, real_data_dir: Any, settings: Any) -> Iterator[None]:
    """Rows of each source, so that operations answer with data rather than empty lists.

    The WSGI app is called directly, so (as Django's test client does) the signal handlers that
    close database connections at the end of a request are disconnected: on PostgreSQL they
    would close the test's transaction. One client sends every case, so the limit on new work
    per client is off (it has tests of its own)."""
    settings.VAWG_RENDERS_PER_MINUTE = 0
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("_data")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: Any) -> None:
    # The WSGI transport hands over the body as sent; unlike an HTTP client it would not undo
    # the gzip the API sends to clients that accept it.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_is_accepted],
    )
