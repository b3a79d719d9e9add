"""Matching ward names, as the Met writes them, to 2024 electoral ward codes (``WD24CD``).

The Met's VAWG extracts name wards, not code them, and spell them in their own way
(``St. Mary's & St. James`` for ONS's ``St Mary's & St James``). Names are compared after
:func:`ward_name_normalise` (case, ``St.``/``St``/``Saint``, ``&``/``and``, apostrophes, hyphens
and other punctuation, spacing) *within the borough*, since the same ward name occurs in several
boroughs (there is a ``St Mary's`` in Wandsworth and a ``St Mary's & St James`` in Bexley). Names
of wards abolished before 2024 do not match and are reported, never guessed.

One exception: when the Met gives no London borough (its ``Other`` and ``Unknown`` borough, used
for Heathrow among others) but names a ward that exactly one London ward has, the row takes that
ward's code (``Heathrow Villages`` under ``Other`` is Hillingdon's ``Heathrow Villages``). A name
that several boroughs share stays unmatched.

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

NO_LONDON_BOROUGH = frozenset({"", "other", "unknown", "n k"})
"""Normalised borough names the Met uses for a place in no London borough, or not known."""

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

    The Met's ``Other`` or ``Unknown`` borough (no London borough) matches a name that exactly
    one ward has:

    >>> m.code(borough="Other", ward_name="St Pancras and Somers Town")
    'E05013669'
    """

    def __init__(self, wards: Iterable[Ward]) -> None:
        self._codes: dict[tuple[str, str], str] = {}
        by_name: dict[str, set[str]] = {}
        for ward in wards:
            name = ward_name_normalise(ward.name)
            self._codes[(ward_name_normalise(ward.borough), name)] = ward.code
            by_name.setdefault(name, set()).add(ward.code)
        self._unique_names = {name: next(iter(c)) for name, c in by_name.items() if len(c) == 1}

    def code(self, *, borough: str, ward_name: str) -> str | None:
        """The ward's 2024 code, or None when no 2024 ward of that borough has that name.

        When ``borough`` is the Met's ``Other`` or ``Unknown`` (or blank), a name held by exactly
        one ward matches that ward; a name several wards share matches none.
        """
        borough_key, name = ward_name_normalise(borough), ward_name_normalise(ward_name)
        if borough_key in NO_LONDON_BOROUGH:
            return self._unique_names.get(name)
        return self._codes.get((borough_key, name))

    def codes(self, pairs: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], str | None]:
        """:meth:`code` for each distinct (borough, ward name) pair."""
        return {pair: self.code(borough=pair[0], ward_name=pair[1]) for pair in set(pairs)}
