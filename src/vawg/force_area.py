"""The area a force polices, declared once: which boroughs of the shipped boundaries it covers,
and how its records are named in data.police.uk.

The Metropolitan Police Service polices the 32 London boroughs; the City of London (ONS code
``E09000001``) has its own force, the City of London Police, so the Met's published figures, lists,
maps and downloads leave it out. Files from other forces can be loaded (a police.uk archive holds
every force), but they are kept apart: a public figure about the force area counts only records
that fall inside it.

A force is configured by name, its data.police.uk slug and the boundary codes it does *not*
police (:class:`ForceArea`); the site reads it from the environment
(``vawg_site.config.analysis``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CITY_OF_LONDON_CODE = "E09000001"
"""ONS code of the City of London, policed by the City of London Police, not the Met."""


@dataclass(frozen=True)
class ForceArea:
    """A force and the part of the shipped boundaries it polices.

    >>> met = ForceArea()
    >>> met.covers("E09000033"), met.covers(CITY_OF_LONDON_CODE), met.covers("")
    (True, False, False)
    >>> met.codes_in(["E09000001", "E09000002", "E09000003"])
    ('E09000002', 'E09000003')
    """

    name: str = "Metropolitan Police Service"
    """The force's name, as pages say it and as data.police.uk's ``Falls within`` column does."""
    short_name: str = "the Met"
    police_uk_slug: str = "metropolitan"
    """data.police.uk's slug for the force (file names such as ``2023-03-metropolitan-street``)."""
    area_name: str = "London"
    """What the pages call the force area ("London")."""
    excluded: frozenset[str] = frozenset({CITY_OF_LONDON_CODE})
    """Borough (local authority) codes in the boundary files that the force does not police."""

    def covers(self, borough_code: str) -> bool:
        """Whether a borough (local authority) code is inside the force area."""
        return bool(borough_code) and borough_code not in self.excluded

    def codes_in(self, borough_codes: Iterable[str]) -> tuple[str, ...]:
        """The codes of ``borough_codes`` inside the force area, sorted."""
        return tuple(sorted(c for c in set(borough_codes) if self.covers(c)))


MET = ForceArea()
"""The default force area: the Metropolitan Police Service's 32 London boroughs."""
