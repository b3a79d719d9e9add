"""Pagination for long lists: which page of a numbered list was asked for, clamped to the pages
there are, and the GOV.UK pagination links around it.

The links keep the rest of the query string (the filters) and follow the GOV.UK Design System's
pagination pattern for long lists: the first and last pages, the current page and its neighbours,
with an ellipsis for the gaps (https://design-system.service.gov.uk/components/pagination/).
The workspace renders it with ``workspace/includes/pagination.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

__all__ = ["Page", "page_of"]


@dataclass(frozen=True)
class Page:
    """Page ``number`` of ``pages`` (of ``per_page`` rows each) of ``count`` rows."""

    number: int
    pages: int
    per_page: int
    count: int
    links: list[dict[str, Any]] = field(default_factory=list)
    previous_href: str = ""
    next_href: str = ""

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.per_page

    @property
    def first_row(self) -> int:
        """The 1-based number of the page's first row (0 when there are none)."""
        return self.offset + 1 if self.count else 0

    @property
    def last_row(self) -> int:
        return min(self.count, self.number * self.per_page)


def _numbers(number: int, pages: int) -> list[int | None]:
    """The page numbers to link to (None for an ellipsis).

    >>> _numbers(1, 3), _numbers(6, 12)
    ([1, 2, 3], [1, None, 5, 6, 7, None, 12])
    """
    wanted = sorted({1, pages, number - 1, number, number + 1} & set(range(1, pages + 1)))
    shown: list[int | None] = []
    for n in wanted:
        if shown and n - (shown[-1] or 0) > 1:
            shown.append(None)
        shown.append(n)
    return shown


def page_of(*, asked: str, count: int, per_page: int, query: Mapping[str, Any]) -> Page:
    """The page ``asked`` for (a number as typed; anything else is page 1) of ``count`` rows,
    with links that keep ``query`` (the filters, without ``page``).

    >>> p = page_of(asked="9", count=45, per_page=20, query={"user": "ann"})
    >>> p.number, p.pages, p.offset, p.previous_href, p.next_href
    (3, 3, 40, '?user=ann&page=2', '')
    """
    pages = max(1, -(-count // per_page))
    try:
        number = int(asked)
    except ValueError:
        number = 1
    number = min(max(number, 1), pages)
    base = {k: v for k, v in query.items() if k != "page"}

    def href(n: int) -> str:
        return "?" + urlencode({**base, "page": n})

    links = (
        [
            {"number": n, "href": href(n), "current": n == number}
            if n is not None
            else {"ellipsis": True}
            for n in _numbers(number, pages)
        ]
        if pages > 1
        else []
    )
    return Page(
        number=number,
        pages=pages,
        per_page=per_page,
        count=count,
        links=links,
        previous_href=href(number - 1) if number > 1 else "",
        next_href=href(number + 1) if number < pages else "",
    )
