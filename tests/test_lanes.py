"""The test lanes: ``realdata`` and ``browser`` follow the fixtures a test uses, directly or
through another fixture; a mark written by hand without the fixture fails collection; ``slow``
follows the fixtures known to be slow (tests/conftest.py)."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

CONFTEST = """
import pytest
from tests.conftest import pytest_collection_modifyitems, pytest_make_collect_report


@pytest.fixture
def real_data_dir():
    return "data"


@pytest.fixture
def ward_outlines(real_data_dir):
    return real_data_dir


@pytest.fixture
def live_server():
    return "http://127.0.0.1"


@pytest.fixture
def violent_2017():
    return []
"""

RUN = ("-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider", "-q")


def _lanes(pytester: pytest.Pytester, expression: str) -> list[str]:
    found = pytester.runpytest(*RUN, "--collect-only", "-m", expression)
    return sorted(line.split("::")[-1] for line in found.outlines if "::" in line)


def test_lanes_follow_the_fixtures_directly_or_through_others(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_lanes_example="""
        def test_plain(): pass
        def test_data(real_data_dir): pass
        def test_outlines(ward_outlines): pass
        def test_server(live_server): pass
        def test_events(violent_2017): pass
        """
    )
    assert _lanes(pytester, "realdata") == ["test_data", "test_outlines"]
    assert _lanes(pytester, "browser") == ["test_server"]
    assert _lanes(pytester, "slow") == ["test_events", "test_server"]
    assert _lanes(pytester, "not slow and not realdata") == ["test_plain"]


@pytest.mark.parametrize("lane", ["realdata", "browser"])
def test_a_mark_without_its_fixture_fails_collection(pytester: pytest.Pytester, lane: str) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_drift=f"""
        import pytest

        @pytest.mark.{lane}
        def test_marked_by_hand(): pass
        """
    )
    result = pytester.runpytest(*RUN)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([f"*test_marked_by_hand is marked {lane} but uses none of*"])


def test_a_mark_with_its_fixture_is_allowed(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_marked="""
        import pytest

        pytestmark = pytest.mark.realdata

        def test_data(ward_outlines): pass
        """
    )
    assert pytester.runpytest(*RUN).ret == pytest.ExitCode.OK


def test_every_test_in_this_run_has_its_own_node_id(request: pytest.FixtureRequest) -> None:
    """xdist's --dist loadfile hands out tests by node id: two sharing one would run once."""
    nodeids = [item.nodeid for item in request.session.items]
    assert len(set(nodeids)) == len(nodeids)


def test_tests_sharing_a_node_id_get_their_full_names(pytester: pytest.Pytester) -> None:
    """As schemathesis's per-operation tests do under pytest 9: the same original name and no
    parametrize call, so the same node id, whatever their names."""
    pytester.makepyfile(test_shared="def _check(): pass")
    pytester.makeconftest(
        CONFTEST
        + """

def pytest_pycollect_makeitem(collector, name, obj):
    if name == "_check":
        return [
            pytest.Function.from_parent(collector, name=f"_check[{op}]", originalname="_check")
            for op in ("GET /a", "GET /b")
        ]
"""
    )
    found = pytester.runpytest(*RUN, "--collect-only")  # -q: one node id a line
    found.stdout.fnmatch_lines(
        ["test_shared.py::_check[[]GET /a[]]", "test_shared.py::_check[[]GET /b[]]"]
    )
