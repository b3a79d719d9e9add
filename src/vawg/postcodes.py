"""UK postcodes: telling one from other text, writing it one way, and reading the ONS Postcode
Directory (ONSPD).

A full postcode is an outward code (area letters, district digits, maybe a letter) and an inward
code (a digit and two letters), as in Royal Mail's format (ONSPD user guide, "Postcode formats");
``pcds`` writes it with one space between the two. :func:`postcode_normalise` accepts any case and
spacing and answers that form or None; :func:`postcode_partial` tells a query that looks like the
start of a postcode (``SW1A``, ``E1 6``) so that the search can say "type the whole postcode".

The ONSPD (ONS, Open Government Licence v3.0; contains OS data, Royal Mail data and National
Statistics data, Crown copyright and database right) has one row per postcode, live and
terminated, with its grid point and the areas it lies in. :func:`onspd_read` keeps only what the
site needs (postcode, latitude, longitude, ward and local authority codes, the month it was
terminated) for the local authorities asked for. Column names are matched without case (the CSV
has ``pcds``, ``doterm``, ``lat``, ``long``, ``osward``, ``oslaua``; some releases capitalise
them).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_PARTIAL = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?:[0-9][A-Z]?)?$")

ONSPD_COLUMNS = {
    "postcode": ("pcds",),
    "terminated": ("doterm",),
    "latitude": ("lat",),
    "longitude": ("long",),
    "ward_code": ("osward", r"wd\d{2}cd"),
    "lad_code": ("oslaua", r"lad\d{2}cd"),
}
r"""The columns kept, each with the ONSPD names it may have (compared without case; a pattern
such as ``wd\d{2}cd`` is for a release that names the column by its year, ``WD25CD``)."""

NO_POINT_LATITUDE = 99.0
"""ONSPD writes latitude 99.999999 (and longitude 0) for a postcode with no grid point."""


def _squeezed(text: str) -> str:
    return "".join(text.split()).upper()


def postcode_normalise(text: str) -> str | None:
    """A full UK postcode in ``pcds`` form (upper case, one space before the inward code), or
    None when ``text`` is not one. Any case and any spacing are accepted.

    >>> postcode_normalise(" sw1a1aa "), postcode_normalise("E1  6AN")
    ('SW1A 1AA', 'E1 6AN')
    >>> postcode_normalise("SW1A"), postcode_normalise("Camden"), postcode_normalise("")
    (None, None, None)
    """
    match = _FULL.match(_squeezed(text))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_partial(text: str) -> bool:
    """Whether ``text`` looks like the start of a postcode (an outward code, perhaps with the
    inward code's digit) but not a whole one.

    >>> postcode_partial("SW1A"), postcode_partial("e1 6"), postcode_partial("sw1a 1aa")
    (True, True, False)
    >>> postcode_partial("Bow"), postcode_partial("")
    (False, False)
    """
    squeezed = _squeezed(text)
    return postcode_normalise(text) is None and bool(_PARTIAL.match(squeezed))


def _month(value: str | None) -> date | None:
    """``doterm`` (``YYYYMM``) as the first day of the month, None when blank."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if not re.fullmatch(r"\d{6}", text) or not 1 <= int(text[4:]) <= 12:
        raise ValueError(f"not a YYYYMM month: {value!r}")
    return date(int(text[:4]), int(text[4:]), 1)


def onspd_read(path: Path, *, lad_codes: Collection[str]) -> pl.DataFrame:
    """The postcodes of an ONSPD CSV that lie in the local authorities ``lad_codes``.

    Parameters
    ----------
    path : Path
        The ONSPD's single CSV (``Data/ONSPD_<MON>_<YEAR>_UK.csv`` in the release's zip), or any
        CSV with its column names.
    lad_codes : collection of str
        Local authority (``oslaua``) codes to keep, e.g. London's 33.

    Returns
    -------
    pl.DataFrame
        ``postcode`` (``pcds`` form), ``latitude`` and ``longitude`` (degrees, WGS84; null when
        ONSPD has no grid point), ``ward_code``, ``lad_code``, ``terminated`` (date of the first
        day of the month it was terminated; null when live). One row per postcode (the first kept).

    Examples
    --------
    >>> import tempfile
    >>> text = "pcd,pcds,dointr,doterm,oslaua,osward,lat,long\\n"
    >>> text += "E1  6AN,E1 6AN,198001,,E09000030,E05009317,51.520,-0.072\\n"
    >>> text += "E1  6XX,E1 6XX,198001,201002,E09000030,E05009317,51.521,-0.073\\n"
    >>> text += "AB1 0AA,AB1 0AA,198001,,S12000033,S13002843,57.1,-2.2\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "onspd.csv"
    ...     _ = p.write_text(text)
    ...     out = onspd_read(p, lad_codes={"E09000030"})
    >>> out["postcode"].to_list(), out["terminated"].to_list()
    (['E1 6AN', 'E1 6XX'], [None, datetime.date(2010, 2, 1)])
    """
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    by_lower = {name.lower(): name for name in header}
    source: dict[str, str] = {}
    for column, names in ONSPD_COLUMNS.items():
        found = next((by_lower[h] for n in names for h in by_lower if re.fullmatch(n, h)), None)
        if found is None:
            raise UserInputError(
                f"{path}: not an ONS Postcode Directory file (no {' or '.join(names)} column)"
            )
        source[column] = found
    try:
        table = (
            pl.scan_csv(path, infer_schema=False)
            .select(**{column: pl.col(name) for column, name in source.items()})
            .filter(pl.col("lad_code").is_in(list(lad_codes)))
            .collect()
        )
    except pl.exceptions.PolarsError as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    rows = []
    seen: set[str] = set()
    for number, row in enumerate(table.iter_rows(named=True), start=1):
        postcode = postcode_normalise(row["postcode"] or "")
        if postcode is None or postcode in seen:
            continue
        seen.add(postcode)
        try:
            latitude = float(row["latitude"]) if row["latitude"] else None
            longitude = float(row["longitude"]) if row["longitude"] else None
            terminated = _month(row["terminated"])
        except ValueError as error:
            raise UserInputError(
                f"{path}: postcode {postcode} (kept row {number}): {error}"
            ) from error
        if latitude is None or longitude is None or latitude > NO_POINT_LATITUDE:
            latitude = longitude = None
        rows.append(
            (postcode, latitude, longitude, row["ward_code"] or "", row["lad_code"], terminated)
        )
    return pl.DataFrame(
        rows,
        schema={
            "postcode": pl.String,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "ward_code": pl.String,
            "lad_code": pl.String,
            "terminated": pl.Date,
        },
        orient="row",
    )
