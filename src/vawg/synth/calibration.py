"""Calibration targets for the synthetic force, derived from the Met's published VAWG data.

The Met publishes monthly VAWG offence counts on the London Datastore in two breakdowns of the
same offences (``mps/vawg-offences.parquet``): by classification and by ward. Both are split by
recorded month *and* committed month; the targets here sum over committed month and take the last
12 complete recorded months in the file. Ward names are matched to the 2024 ward polygons within
their borough after :func:`vawg.ingest.wards.ward_name_normalise`; counts for wards that do not
match (abolished names, blank ward) go to the matched wards of their borough in proportion to
their counts, and counts with no borough ("Other", "Non MET police force") become crimes with no
location. Victim age and ethnic-appearance shares come from ``mps/vawg-victims.parquet``.

The same targets ship as ``vawg/data/synth_calibration.json`` (with a few interior points per
ward instead of the polygons), so that ``vawg synth`` runs on a fresh clone without the data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read, ward_name_normalise
from vawg.periods import months_back

OFFENCES_RELATIVE = Path("mps") / "vawg-offences.parquet"
VICTIMS_RELATIVE = Path("mps") / "vawg-victims.parquet"
WARDS_RELATIVE = Path("geo") / "london_wards24_bgc.geojson"
SHIPPED_NAME = "synth_calibration.json"

SUSPECTS_PER_YEAR = 35_000
"""Men reported to the Met each year for VAWG offences (The Independent, 2023,
https://the-independent.com/news/uk/crime/met-police-terrorists-women-violence-b2376735.html)."""

OTHER_FLAGGED_GROUP = "Other flagged offences outside of VAWG"
"""The Met's group for flagged (mostly domestic abuse) offences outside its VAWG classification.
They are part of the Met's published VAWG total, so the generator writes them, flagged
``domestic_abuse=Y``, with non-VAWG offence codes."""

_NO_BOROUGH = {"other", "unknown", ""}
_NO_WARD = {"non met police force", ""}
_ETHNICITY_CODES = {"White": "W", "Black": "B", "Asian": "A", "Any Other": "O", "Unknown": "U"}


@dataclass(frozen=True)
class OffenceCount:
    """Recorded offences of one Met classification over the calibration year."""

    group: str
    offence: str
    count: int


@dataclass(frozen=True)
class WardWeight:
    """A 2024 ward, its share of located VAWG offences, and a few interior points.

    ``points`` are (longitude, latitude) pairs in WGS84 degrees inside the ward; they are used
    only when the ward polygons are not available.
    """

    code: str
    name: str
    borough: str
    count: float
    points: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Calibration:
    """Targets for :func:`vawg.synth.write_extract`.

    ``annual_total`` is the Met's VAWG offence count over ``period_start``..``period_end``
    (inclusive months), the sum of the ward sheet; ``offences`` its split by classification.
    ``unlocated_share`` is the share with no borough; ``unmatched_share`` the share whose ward did
    not match a 2024 ward and was spread over its borough. ``polygons`` (shapely geometries in
    ``wards`` order, WGS84) are present only when derived from the real data.
    """

    source: str
    period_start: date
    period_end: date
    annual_total: int
    offences: tuple[OffenceCount, ...]
    wards: tuple[WardWeight, ...]
    unlocated_share: float
    unmatched_share: float
    victim_age_shares: tuple[tuple[str, float], ...]
    victim_ethnicity_shares: tuple[tuple[str, float], ...]
    suspects_per_year: int = SUSPECTS_PER_YEAR
    polygons: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def group_shares(self) -> dict[str, float]:
        """Share of the year's offences in each Met classification group."""
        total = sum(o.count for o in self.offences)
        shares: dict[str, float] = {}
        for o in self.offences:
            shares[o.group] = shares.get(o.group, 0.0) + o.count / total
        return shares


def _months_last12(frame: pl.DataFrame) -> tuple[date, date]:
    last = frame["recorded_date_months"].max()
    if not isinstance(last, date):
        raise UserInputError("the VAWG offence file has no recorded months")
    end = date(last.year, last.month, 1)  # a date, whether the file holds dates or date-times
    return months_back(end, 11), end


def _in_period(start: date, end: date) -> pl.Expr:
    month = pl.col("recorded_date_months").dt.date()
    return (month >= start) & (month <= end)


def _read_parquet(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise UserInputError(f"calibration data not found: {path}")
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error


def ward_counts_match(
    *, counts: pl.DataFrame, wards: tuple[tuple[str, str, str], ...]
) -> tuple[np.ndarray, float, float]:
    """Spread (borough, ward name, count) rows over the 2024 wards.

    Parameters
    ----------
    counts : polars.DataFrame
        Columns ``borough_name``, ``ward_name_clean_2`` (either may be null) and ``count``.
    wards : tuple of (code, name, borough)
        The 2024 wards, in the order of the result.

    Returns
    -------
    weights : numpy.ndarray, shape (len(wards),)
        Counts per ward, float; unmatched counts of a borough are added to its matched wards in
        proportion to their counts (equally when none matched).
    unlocated_share : float
        Share of all counts with no usable borough (none, "Other", "Unknown") or a ward outside
        the Met ("Non MET police force"); these are not in ``weights``.
    unmatched_share : float
        Share of all counts whose ward name did not match and were spread over the borough.

    Examples
    --------
    >>> rows = pl.DataFrame({"borough_name": ["Camden", "Camden", "Other"],
    ...     "ward_name_clean_2": ["St. Pancras and Somers Town", "Gone Ward", None],
    ...     "count": [6, 2, 2]})
    >>> w, unlocated, unmatched = ward_counts_match(counts=rows, wards=(
    ...     ("E1", "St Pancras & Somers Town", "Camden"), ("E2", "Kilburn", "Camden")))
    >>> w.tolist(), unlocated, unmatched
    ([8.0, 0.0], 0.2, 0.2)
    """
    index = {
        (ward_name_normalise(borough), ward_name_normalise(name)): i
        for i, (_, name, borough) in enumerate(wards)
    }
    by_borough: dict[str, list[int]] = {}
    for i, (_, _, borough) in enumerate(wards):
        by_borough.setdefault(ward_name_normalise(borough), []).append(i)
    weights = np.zeros(len(wards))
    leftover: dict[str, float] = {}
    total = unlocated = unmatched = 0.0
    for borough, name, count in counts.select(
        "borough_name", "ward_name_clean_2", "count"
    ).iter_rows():
        total += count
        b = ward_name_normalise(borough or "")
        n = ward_name_normalise(name or "")
        if b in _NO_BOROUGH or b not in by_borough or (name is not None and n in _NO_WARD):
            unlocated += count
            continue
        found = index.get((b, n))
        if found is None:
            unmatched += count
            leftover[b] = leftover.get(b, 0.0) + count
        else:
            weights[found] += count
    for b, extra in leftover.items():
        members = np.array(by_borough[b])
        base = weights[members]
        share = base / base.sum() if base.sum() > 0 else np.full(len(members), 1 / len(members))
        weights[members] += extra * share
    return weights, unlocated / max(total, 1.0), unmatched / max(total, 1.0)


def _ward_polygons(path: Path) -> dict[str, Any]:
    import shapely

    if not path.is_file():
        raise UserInputError(f"ward polygons not found: {path}")
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["WD24CD"]: shapely.geometry.shape(f["geometry"])
        for f in collection["features"]
    }


def calibration_from_data(*, data_dir: Path) -> Calibration:
    """Targets derived from the real data folder (see the module text for the method).

    Parameters
    ----------
    data_dir : pathlib.Path
        The shared data folder: ``mps/vawg-offences.parquet``, ``mps/vawg-victims.parquet``,
        ``geo/london_wards24_bgc.geojson`` and the ward lookup in ``population/``.

    Returns
    -------
    Calibration
        With the ward polygons attached. A missing file raises
        :class:`~vawg.errors.UserInputError`.

    Examples
    --------
    >>> from vawg.paths import data_dir_default
    >>> if (data_dir_default() / OFFENCES_RELATIVE).is_file():
    ...     cal = calibration_from_data(data_dir=data_dir_default())
    ...     assert 100_000 < cal.annual_total < 200_000 and len(cal.wards) == 684
    """
    data_dir = Path(data_dir)
    offences = _read_parquet(data_dir / OFFENCES_RELATIVE)
    start, end = _months_last12(offences)
    year = offences.filter(_in_period(start, end))
    classified = (
        year.filter(pl.col("sheet") == "Offence count classification")
        .group_by("crimsec_group", "vawg_offence")
        .agg(pl.col("count").sum())
        .filter(pl.col("count") > 0)
        .sort("crimsec_group", "vawg_offence")
    )
    located = year.filter(pl.col("sheet") == "Offence count location")
    lookup = ward_lookup_read(data_dir / WARD_LOOKUP_RELATIVE)
    wards = tuple((w.code, w.name, w.borough) for w in lookup)
    weights, unlocated, unmatched = ward_counts_match(counts=located, wards=wards)
    polygons_by_code = _ward_polygons(data_dir / WARDS_RELATIVE)
    missing = [code for code, _, _ in wards if code not in polygons_by_code]
    if missing:
        raise UserInputError(f"ward polygons missing for {len(missing)} wards, e.g. {missing[0]}")

    victims = _read_parquet(data_dir / VICTIMS_RELATIVE).filter(_in_period(start, end))
    ages = (
        victims.filter(pl.col("sheet") == "Victim count by age group")
        .group_by("age_group")
        .agg(pl.col("count").sum())
        .sort("age_group")
    )
    ethnic = (
        victims.filter(pl.col("sheet") == "Victim count by ethnic group")
        .group_by("ethnic_appearance_group_group")
        .agg(pl.col("count").sum())
        .sort("ethnic_appearance_group_group")
    )
    age_total = float(ages["count"].sum())
    ethnic_total = float(ethnic["count"].sum())
    return Calibration(
        source=f"real data: {data_dir}",
        period_start=start,
        period_end=end,
        annual_total=int(located["count"].sum()),
        offences=tuple(OffenceCount(g, o, int(c)) for g, o, c in classified.iter_rows()),
        wards=tuple(
            WardWeight(code, name, borough, float(weight))
            for (code, name, borough), weight in zip(wards, weights, strict=True)
        ),
        unlocated_share=unlocated,
        unmatched_share=unmatched,
        victim_age_shares=tuple((a, c / age_total) for a, c in ages.iter_rows()),
        victim_ethnicity_shares=tuple(
            (_ETHNICITY_CODES.get(e, "O"), c / ethnic_total) for e, c in ethnic.iter_rows()
        ),
        polygons=tuple(polygons_by_code[code] for code, _, _ in wards),
    )


def calibration_to_json(
    *, calibration: Calibration, points_per_ward: int = 8, seed: int = 0
) -> str:
    """A compact JSON summary of ``calibration`` for shipping with the package.

    Polygons are replaced by ``points_per_ward`` random interior points per ward (WGS84, 5 dp,
    about 1 m), drawn with ``seed``. No record-level data is kept: only the published aggregates.
    """
    from vawg.synth.places import points_in_wards

    wards = calibration.wards
    if calibration.polygons is not None:
        ward_index = np.repeat(np.arange(len(wards)), points_per_ward)
        lon, lat = points_in_wards(
            ward_index=ward_index,
            polygons=calibration.polygons,
            rng=np.random.default_rng(seed),
            decimals=5,
        )
        points = [
            [
                [float(lon[k]), float(lat[k])]
                for k in range(i * points_per_ward, (i + 1) * points_per_ward)
            ]
            for i in range(len(wards))
        ]
    else:
        points = [[list(p) for p in w.points] for w in wards]
    body = {
        "about": "Aggregate calibration targets for `vawg synth`, derived by "
        "vawg.synth.calibration_to_json from the Met's VAWG offence and victim counts "
        "(London Datastore, mps/vawg-offences.parquet and mps/vawg-victims.parquet) and ONS 2024 "
        "ward boundaries (geo/london_wards24_bgc.geojson). Points are random interior points of "
        "each ward, not crime locations. Open Government Licence v3.0.",
        "derived_on": date.today().isoformat(),
        "derived_from": calibration.source,
        "period_start": calibration.period_start.isoformat(),
        "period_end": calibration.period_end.isoformat(),
        "annual_total": calibration.annual_total,
        "suspects_per_year": calibration.suspects_per_year,
        "unlocated_share": round(calibration.unlocated_share, 6),
        "unmatched_share": round(calibration.unmatched_share, 6),
        "victim_age_shares": [[a, round(s, 6)] for a, s in calibration.victim_age_shares],
        "victim_ethnicity_shares": [
            [e, round(s, 6)] for e, s in calibration.victim_ethnicity_shares
        ],
        "offences": [[o.group, o.offence, o.count] for o in calibration.offences],
        "ward_columns": ["code", "name", "borough", "count", "points_lon_lat"],
        "wards": [
            [w.code, w.name, w.borough, round(w.count, 3), p]
            for w, p in zip(wards, points, strict=True)
        ],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def calibration_from_json(*, text: str, source: str) -> Calibration:
    """The :class:`Calibration` stored by :func:`calibration_to_json` (without polygons)."""
    try:
        body = json.loads(text)
        return Calibration(
            source=source,
            period_start=date.fromisoformat(body["period_start"]),
            period_end=date.fromisoformat(body["period_end"]),
            annual_total=int(body["annual_total"]),
            offences=tuple(OffenceCount(g, o, int(c)) for g, o, c in body["offences"]),
            wards=tuple(
                WardWeight(code, name, borough, float(count), tuple((x, y) for x, y in points))
                for code, name, borough, count, points in body["wards"]
            ),
            unlocated_share=float(body["unlocated_share"]),
            unmatched_share=float(body["unmatched_share"]),
            victim_age_shares=tuple((a, float(s)) for a, s in body["victim_age_shares"]),
            victim_ethnicity_shares=tuple(
                (e, float(s)) for e, s in body["victim_ethnicity_shares"]
            ),
            suspects_per_year=int(body["suspects_per_year"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UserInputError(f"{source}: not a synth calibration file ({error})") from error


def calibration_shipped() -> Calibration:
    """The calibration summary shipped with the package (no ward polygons).

    >>> cal = calibration_shipped()
    >>> cal.source.startswith("shipped summary") and len(cal.wards) == 684
    True
    """
    text = resources.files("vawg").joinpath("data", SHIPPED_NAME).read_text(encoding="utf-8")
    derived = json.loads(text).get("derived_on", "?")
    return calibration_from_json(
        text=text, source=f"shipped summary vawg/data/{SHIPPED_NAME} (derived {derived})"
    )


def calibration_load(*, data_dir: Path | None) -> Calibration:
    """The real-data calibration if ``data_dir`` holds the VAWG offence file, else the shipped one.

    An explicit ``data_dir`` without the file raises :class:`~vawg.errors.UserInputError`.
    """
    from vawg.paths import data_dir_default

    if data_dir is not None:
        return calibration_from_data(data_dir=data_dir)
    default = data_dir_default()
    if (default / OFFENCES_RELATIVE).is_file():
        return calibration_from_data(data_dir=default)
    return calibration_shipped()
