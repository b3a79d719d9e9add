"""The police forces in police.uk files: their names, slugs and events, and one force picked out.

data.police.uk street CSVs name the force that recorded each crime (``Reported by``, else ``Falls
within``) and their file names carry its slug (``2023-03-city-of-london-street.csv``); API
crimes-street records say only whether the record is British Transport Police's or the local
force's (``location_type``). A map over several forces mixes their areas and their recording, so
``vawg hotspots`` names the forces it was given and keeps one on request.
"""

from __future__ import annotations

import re

import polars as pl

from vawg.errors import UserInputError

FORCE_SCHEMA: dict[str, type[pl.DataType]] = {
    "force": pl.String,
    "slugs": pl.String,
    "events": pl.Int64,
}

BTP = "British Transport Police"
"""The name police.uk gives British Transport Police (slug ``btp``), the one force that API
crimes-street records name (``location_type`` ``BTP``)."""

LOCAL_FORCE = "the local force, unnamed in API records"
"""API crimes-street records of the territorial force whose area holds the location: the API
does not name it. Kept with ``force="local"``."""


def force_slug(name: str) -> str:
    """A police.uk-style slug of a force's name: lower case, hyphens, without the words
    police, constabulary and service.

    Examples
    --------
    >>> force_slug("City of London Police"), force_slug("Cambridgeshire Constabulary")
    ('city-of-london', 'cambridgeshire')
    >>> force_slug("Metropolitan Police Service")
    'metropolitan'
    """
    words = re.findall(r"[a-z0-9]+", name.lower())
    kept = [w for w in words if w not in ("police", "constabulary", "service")]
    return "-".join(kept or words)


def forces_table(located: pl.DataFrame) -> pl.DataFrame:
    """Events per force with the file slugs seen for it, most first.

    ``located`` has a ``force`` column (name or null) and a ``slug`` column (from the file name).

    Examples
    --------
    >>> t = forces_table(pl.DataFrame({"force": ["B", "A", "A"], "slug": ["b", "a", None]}))
    >>> t.rows()
    [('A', 'a', 2), ('B', 'b', 1)]
    """
    if located.is_empty():
        return pl.DataFrame(schema=FORCE_SCHEMA)
    return (
        located.group_by("force")
        .agg(
            pl.col("slug").drop_nulls().unique().sort().str.join(";").alias("slugs"),
            pl.len().cast(pl.Int64).alias("events"),
        )
        .sort(["events", "force"], descending=[True, False], nulls_last=True)
        .select(list(FORCE_SCHEMA))
    )


def force_match(forces: pl.DataFrame, wanted: str) -> str:
    """The force name in ``forces`` (:attr:`Events.forces`) that ``wanted`` names.

    ``wanted`` is a police.uk slug (from the file names, e.g. ``btp``, ``city-of-london``) or
    the force's name (any case, with or without "Police" or "Constabulary": both are compared
    by :func:`force_slug`).

    Raises
    ------
    UserInputError
        When no force in the files matches, naming the forces that are there.

    Examples
    --------
    >>> t = pl.DataFrame({"force": ["British Transport Police", "City of London Police"],
    ...                   "slugs": ["btp", "city-of-london"], "events": [5, 2]})
    >>> force_match(t, "btp"), force_match(t, "city of london police")
    ('British Transport Police', 'City of London Police')
    """
    key = wanted.strip().lower()
    for name, slugs, _ in forces.filter(pl.col("force").is_not_null()).iter_rows():
        if key in str(slugs).split(";") or force_slug(key) == force_slug(str(name)):
            return str(name)
    raise UserInputError(f"--force {wanted!r}: no records from that force; " + forces_text(forces))


def _events(n: int) -> str:
    return f"{n:,} event" if n == 1 else f"{n:,} events"


def forces_text(forces: pl.DataFrame) -> str:
    """The forces in ``forces`` (:attr:`Events.forces`) as one phrase, with slugs and counts.

    Examples
    --------
    >>> t = pl.DataFrame({"force": ["A Police", None], "slugs": ["a", ""], "events": [1200, 3]})
    >>> forces_text(t)  # doctest: +NORMALIZE_WHITESPACE
    'the files hold A Police (--force a, 1,200 events) and 3 events whose force the file does
    not name'
    """
    parts = []
    for name, slugs, n in forces.iter_rows():
        if name is None:
            continue
        slug = str(slugs).split(";")[0] if slugs else force_slug(str(name))
        parts.append(f"{name} (--force {slug}, {_events(int(n))})")
    unnamed = int(forces.filter(pl.col("force").is_null())["events"].sum())
    if unnamed:
        parts.append(f"{_events(unnamed)} whose force the file does not name")
    if not parts:
        return "the files hold no located events"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"the files hold {listed}"
