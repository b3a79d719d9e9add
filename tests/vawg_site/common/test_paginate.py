"""Pagination: the page asked for, clamped; links that keep the filters; an ellipsis for gaps."""

from __future__ import annotations

import pytest

from vawg_site.common.paginate import page_of


def test_one_page_needs_no_links() -> None:
    page = page_of(asked="1", count=0, per_page=50, query={})
    assert (page.number, page.pages, page.offset, page.first_row, page.last_row) == (1, 1, 0, 0, 0)
    assert page.links == []
    assert (page.previous_href, page.next_href) == ("", "")


@pytest.mark.parametrize(("asked", "number"), [("0", 1), ("-3", 1), ("x", 1), ("", 1), ("99", 3)])
def test_the_page_asked_for_is_clamped(asked: str, number: int) -> None:
    assert page_of(asked=asked, count=101, per_page=50, query={}).number == number


def test_links_keep_the_filters_and_leave_gaps() -> None:
    page = page_of(asked="6", count=600, per_page=50, query={"user": "a b", "page": "6"})
    assert (page.offset, page.first_row, page.last_row) == (250, 251, 300)
    assert [link.get("number") for link in page.links] == [1, None, 5, 6, 7, None, 12]
    assert [link["current"] for link in page.links if "number" in link] == [
        False, False, True, False, False
    ]  # fmt: skip
    assert page.previous_href == "?user=a+b&page=5"
    assert page.next_href == "?user=a+b&page=7"
    last = page_of(asked="12", count=600, per_page=50, query={})
    assert (last.next_href, last.last_row) == ("", 600)
