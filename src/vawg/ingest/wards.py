"""Matching ward names, as the Met writes them, to 2024 electoral ward codes (``WD24CD``).

The Met's VAWG extracts name wards, not code them, and spell them in their own way
(``St. Mary's & St. James`` for ONS's ``St Mary's & St James``). Names are compared after
:func:`ward_name_normalise` (case, ``St.``/``St``/``Saint``, ``&``/``and``, apostrophes, hyphens
and other punctuation, spacing) *within the borough*, since the same ward name occurs in several
boroughs (there is a ``St Mary's`` in Wandsworth and a ``St Mary's & St James`` in Bexley). Names
of wards abolished before 2024 do not match and are reported, never guessed.

The ward list is ONS's *LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup*
(columns ``WD24CD``, ``WD24NM``, ``LAD24NM``), found in the data folder at
``population/lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vawg.errors import UserInputError
from vawg.ingest.common import text_decode

WARD_LOOKUP_RELATIVE = Path("population") / "lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv"
"""Where the ward lookup sits inside the real data folder."""

_SAINT = re.compile(r"\b(st|saint)\b\.?")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Ward:
    """A 2024 electoral ward: its ONS code, name and borough (LAD 2024 name)."""

    code: str
    name: str
    borough: str


def ward_name_normalise(name: str) -> str:
    """A ward or borough name reduced for comparison.

    >>> ward_name_normalise("St. Pancras & Somers Town")
    'st pancras and somers town'
    >>> a, b = "St Mary's & St James'", "St. Mary's and St. James"
    >>> ward_name_normalise(a) == ward_name_normalise(b)
    True
    >>> ward_name_normalise("Havering-atte-Bower")
    'havering atte bower'
    """
    text = name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = _SAINT.sub("st ", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def ward_lookup_read(path: Path) -> tuple[Ward, ...]:
    """The distinct 2024 wards in an ONS lookup CSV with ``WD24CD``, ``WD24NM`` and ``LAD24NM``.

    A file without those columns raises :class:`~vawg.errors.UserInputError`.
    """
    try:
        text = text_decode(Path(path).read_bytes())
    except OSError as error:
        raise UserInputError(f"cannot read the ward lookup {path}: {error}") from error
    reader = csv.DictReader(text.splitlines())
    needed = {"WD24CD", "WD24NM", "LAD24NM"}
    if not needed <= set(reader.fieldnames or ()):
        raise UserInputError(f"{path}: a ward lookup needs the columns {', '.join(sorted(needed))}")
    wards = {
        row["WD24CD"].strip(): Ward(
            row["WD24CD"].strip(), row["WD24NM"].strip(), row["LAD24NM"].strip()
        )
        for row in reader
    }
    return tuple(sorted(wards.values(), key=lambda w: w.code))


class WardMatcher:
    """Looks up a (borough, ward name) pair among a set of 2024 wards.

    >>> m = WardMatcher([Ward("E05013669", "St Pancras & Somers Town", "Camden")])
    >>> m.code(borough="Camden", ward_name="St. Pancras and Somers Town")
    'E05013669'
    >>> m.code(borough="Islington", ward_name="St Pancras & Somers Town") is None
    True
    """

    def __init__(self, wards: Iterable[Ward]) -> None:
        self._codes: dict[tuple[str, str], str] = {}
        for ward in wards:
            key = (ward_name_normalise(ward.borough), ward_name_normalise(ward.name))
            self._codes[key] = ward.code

    def code(self, *, borough: str, ward_name: str) -> str | None:
        """The ward's 2024 code, or None when no 2024 ward of that borough has that name."""
        return self._codes.get((ward_name_normalise(borough), ward_name_normalise(ward_name)))

    def codes(self, pairs: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], str | None]:
        """:meth:`code` for each distinct (borough, ward name) pair."""
        return {pair: self.code(borough=pair[0], ward_name=pair[1]) for pair in set(pairs)}
