"""Place names people search by, and the forgiving comparison that finds them.

The shipped list (``vawg/data/london_places.csv``) holds well-known London neighbourhoods and town
centres with a point each (WGS84 longitude, latitude); its source and licence are in the file's
header and ``docs/sources.md``. A place's ward and borough are not in the file: the site finds them
by point-in-polygon in the boundary files, so the list cannot disagree with the boundaries.

Matching follows what people type rather than how ONS spells an area: case, punctuation and
spacing are ignored, ``&`` is ``and``, ``Saint`` and ``St`` are one word, and a query matches the
start of a name or of any word in it (:func:`search_key`, :func:`match_rank`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from vawg.errors import UserInputError

PLACES_PATH = Path(__file__).parent / "data" / "london_places.csv"
"""The shipped place-name list (``place,longitude,latitude``, ``#`` lines are its header notes)."""

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_SYNONYMS = {"saint": "st", "ste": "st", "&": "and"}


@dataclass(frozen=True)
class Place:
    """A named place and its point (degrees, WGS84)."""

    name: str
    longitude: float
    latitude: float


def search_key(text: str) -> str:
    """The form in which a name and a query are compared: lower case, accents and apostrophes
    dropped, other punctuation as spaces, ``&`` as ``and``, ``Saint`` as ``st``, one space between
    words.

    >>> search_key("St. Mary's & St John")
    'st marys and st john'
    >>> search_key("  saint  JOHN'S   wood ")
    'st johns wood'
    >>> search_key("Hammersmith-and-Fulham")
    'hammersmith and fulham'
    >>> search_key("Café Royal")
    'cafe royal'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = _APOSTROPHES.sub("", folded.lower().replace("&", " and "))
    words = _NOT_WORD.sub(" ", folded).split()
    return " ".join(_SYNONYMS.get(w, w) for w in words)


EXACT, PREFIX, WORD_PREFIX = 0, 1, 2
"""How well a name matches a query, best first: the whole name, the start of the name, the start
of a later word of the name."""


def match_rank(name: str, query: str) -> int | None:
    """How ``name`` matches ``query`` (:data:`EXACT`, :data:`PREFIX`, :data:`WORD_PREFIX`), or
    None when it does not. Both are compared by :func:`search_key`; an empty query matches
    nothing.

    >>> match_rank("St John's Wood", "saint johns wood"), match_rank("Hammersmith & Fulham", "ham")
    (0, 1)
    >>> match_rank("Kensington and Chelsea", "chelsea"), match_rank("Camden", "amden") is None
    (2, True)
    """
    key, wanted = search_key(name), search_key(query)
    if not wanted:
        return None
    if key == wanted:
        return EXACT
    if key.startswith(wanted):
        return PREFIX
    if f" {wanted}" in f" {key}":
        return WORD_PREFIX
    return None


def places_read(path: Path = PLACES_PATH) -> tuple[Place, ...]:
    """The places of a list in the shipped format, in file order.

    Raises :class:`~vawg.errors.UserInputError` when a row lacks a name or has a point outside
    the range of longitudes and latitudes.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "p.csv"
    ...     _ = p.write_text("# notes\\nplace,longitude,latitude\\nBow,-0.023,51.529\\n")
    ...     places_read(p)
    (Place(name='Bow', longitude=-0.023, latitude=51.529),)
    """
    try:
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
    except OSError as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    places = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            place = Place(
                name=(row.get("place") or "").strip(),
                longitude=float(row.get("longitude") or "nan"),
                latitude=float(row.get("latitude") or "nan"),
            )
        except ValueError as error:
            raise UserInputError(f"{path}: row {number}: {error}") from error
        if not place.name or not (-180 <= place.longitude <= 180 and -90 <= place.latitude <= 90):
            raise UserInputError(f"{path}: row {number}: no name or no valid point")
        places.append(place)
    return tuple(places)
