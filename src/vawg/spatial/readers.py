"""Events for hotspot analysis read straight from files: police.uk CSV and API JSON, force extracts.

Each reader returns one row per event with its month, category, position in EPSG:27700 and a harm
weight in CCHI days. Harm per police.uk category comes from
``reference/cchi_days_by_police_uk_category.csv`` in the real-data folder (volume-weighted CCHI
days per crime type, a third-party derivation of the Cambridge Crime Harm Index 2026; Sherman,
Neyroud & Neyroud 2016); anti-social behaviour has no CCHI value and weighs 0. Harm per Home
Office offence code (force extracts) comes from the package's ``harm_default.csv``. This is the
simple mapping the hotspot engine needs; the harm module owns the full one.

Rows without a location are dropped and counted; repeated police.uk rows (same Crime ID and month)
are counted once.

Each police.uk row keeps the force that reported it (the street CSV's ``Reported by``, else
``Falls within``; an API record says only whether it is British Transport Police's or the local
force's, by ``location_type``), so that a folder holding several forces' files can be told apart
and one force kept (``force=``; :mod:`vawg.spatial.forces`).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from vawg.errors import UserInputError
from vawg.extract import code_text_normalise, flag_yes_no
from vawg.paths import data_dir_default
from vawg.periods import is_month_key
from vawg.spatial.forces import BTP, FORCE_SCHEMA, LOCAL_FORCE, force_match, forces_table
from vawg.spatial.grid import to_bng
from vawg.taxonomy import crimes_classify, crimes_female_victim, taxonomy_load

EVENT_COLUMNS = ("month", "category", "x", "y", "harm_days")


@dataclass(frozen=True)
class Events:
    """Events read from files.

    Attributes
    ----------
    frame : polars.DataFrame
        Columns ``month`` (``YYYY-MM``), ``category`` (police.uk slug or Home Office offence
        code), ``x``, ``y`` (EPSG:27700 metres) and ``harm_days`` (CCHI days).
    read : int
        Rows read, before filters.
    no_location : int
        Rows dropped for a missing or unusable location.
    duplicates : int
        Repeated rows counted once.
    forces : polars.DataFrame
        ``force`` (the name police.uk gives, or null where the file does not name one),
        ``slugs`` (police.uk slugs seen for it, from file names, ``;``-joined) and ``events``:
        the located events of ``frame`` per force before any ``force=`` filter, most first.
        Empty for a force extract.
    in_force_area : int or None
        Of the records kept (of the category and months asked for, with a location or not),
        those inside the force area (:data:`vawg.force_area.MET`) as the site counts them: in
        one of its boroughs (:mod:`vawg.spatial.boroughs`) and published by no other force.
        None when the borough boundaries are not in the data folder, or for a force extract.
    """

    frame: pl.DataFrame
    read: int
    no_location: int
    duplicates: int
    forces: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FORCE_SCHEMA))
    in_force_area: int | None = None

    def named_forces(self) -> list[tuple[str, int]]:
        """The forces named in the files, with their events, most first.

        Examples
        --------
        >>> ev = Events(pl.DataFrame(), 0, 0, 0, pl.DataFrame(
        ...     {"force": ["A Police", None], "slugs": ["a", ""], "events": [3, 2]}))
        >>> ev.named_forces()
        [('A Police', 3)]
        """
        named = self.forces.filter(pl.col("force").is_not_null())
        return [(str(f), int(n)) for f, n in named.select("force", "events").iter_rows()]

    def unnamed_events(self) -> int:
        """Events whose rows name no force (a street CSV without Reported by or Falls within)."""
        return int(self.forces.filter(pl.col("force").is_null())["events"].sum())


_STREET_FILE = re.compile(r"^\d{4}-\d{2}-(?P<slug>.+)-street\.csv(\.gz)?$", re.IGNORECASE)


def _package_csv(name: str) -> pl.DataFrame:
    text = resources.files("vawg.data").joinpath(name).read_text(encoding="utf-8")
    return pl.read_csv(text.encode(), comment_prefix="#", infer_schema_length=0)


def category_table() -> pl.DataFrame:
    """police.uk crime types: ``label`` (street CSV) and ``slug`` (API), from the package table.

    Examples
    --------
    >>> category_table().filter(pl.col("label") == "Burglary")["slug"].to_list()
    ['burglary']
    """
    return _package_csv("police_uk_categories.csv").select("label", "slug")


def category_slug(name: str) -> str:
    """The API slug for a police.uk category given as its CSV label or its slug (any case).

    ``vawg`` is returned unchanged (a force extract's VAWG offences).

    Examples
    --------
    >>> category_slug("Violence and sexual offences"), category_slug("violent-crime")
    ('violent-crime', 'violent-crime')
    """
    key = name.strip().lower()
    if key == "vawg":
        return "vawg"
    table = category_table()
    for label, slug in table.iter_rows():
        if key in (label.lower(), slug.lower()):
            return str(slug)
    known = ", ".join(sorted(set(table["slug"].to_list())))
    raise UserInputError(f"unknown category {name!r}; use a police.uk label or one of: {known}")


def harm_by_slug(*, data_dir: Path | None = None) -> dict[str, float]:
    """CCHI days per police.uk category slug (0 for anti-social behaviour and unknown types).

    Examples
    --------
    >>> from vawg.paths import data_dir_default
    >>> table = harm_by_slug()
    >>> table["anti-social-behaviour"]
    0.0
    """
    folder = data_dir if data_dir is not None else data_dir_default()
    path = folder / "reference" / "cchi_days_by_police_uk_category.csv"
    out = {str(s): 0.0 for s in category_table()["slug"].to_list()}
    if not path.is_file():
        return out
    cchi = pl.read_csv(path)
    labels = dict(category_table().iter_rows())
    for crime_type, days in cchi.select("crime_type", "cchi_days").iter_rows():
        slug = labels.get(str(crime_type))
        if slug is not None:
            out[slug] = float(days)
    return out


def harm_by_offence_code() -> dict[str, float]:
    """CCHI days per Home Office offence code (package table ``harm_default.csv``).

    Examples
    --------
    >>> harm_by_offence_code()["1"]
    5475.0
    """
    table = _package_csv("harm_default.csv")
    return {
        _normalise_code(str(c)): float(d)
        for c, d in table.select("offence_code", "harm_days").iter_rows()
        if d not in (None, "")
    }


def _normalise_code(code: str) -> str:
    return code.strip().upper().replace(".", "/")


def _police_uk_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if _is_police_uk(p)))
        elif path.is_file():
            files.append(path)
        else:
            raise UserInputError(f"no such file or folder: {path}")
    if not files:
        raise UserInputError("no police.uk files found in " + ", ".join(map(str, paths)))
    return files


def _is_police_uk(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(("-street.csv", "-street.csv.gz", ".json", ".json.gz"))


def _read_api_json(path: Path) -> pl.DataFrame:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            records = json.load(handle)
    except (OSError, ValueError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    if not isinstance(records, list):
        raise UserInputError(f"{path}: expected a JSON array of crimes-street records")
    rows: dict[str, list[Any]] = {
        "key": [],
        "month": [],
        "category": [],
        "lon": [],
        "lat": [],
        "force": [],
        "slug": [],
    }
    for rec in records:
        loc = rec.get("location") or {}
        btp = str(rec.get("location_type", "")).upper() == "BTP"
        # The crime's identity is its persistent_id (the CSV's Crime ID), as the site stores it;
        # the record ``id`` differs between two records of one crime.
        rows["key"].append(str(rec.get("persistent_id") or ""))
        rows["month"].append(str(rec.get("month", "")))
        rows["category"].append(str(rec.get("category", "")))
        rows["lon"].append(loc.get("longitude"))
        rows["lat"].append(loc.get("latitude"))
        rows["force"].append(BTP if btp else LOCAL_FORCE)
        rows["slug"].append("btp" if btp else "local")
    # ``falls`` as a street CSV's "Falls within": blank for the local force (unnamed in API
    # records), the British Transport Police's name for theirs, so neither side counts them.
    return pl.DataFrame(rows, schema=dict.fromkeys(rows, pl.String)).with_columns(
        lsoa_code=pl.lit("", pl.String),
        lsoa_name=pl.lit("", pl.String),
        falls=pl.when(pl.col("slug") == "btp").then(pl.lit(BTP)).otherwise(pl.lit("")),
    )


def _read_street_csv(path: Path) -> pl.DataFrame:
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    needed = {"Month", "Longitude", "Latitude", "Crime type"}
    if not needed <= set(raw.columns):
        raise UserInputError(f"{path}: not a police.uk street CSV (needs {sorted(needed)})")
    labels = dict(category_table().iter_rows())
    crime_id = pl.col("Crime ID") if "Crime ID" in raw.columns else pl.lit(None, pl.String)
    named = [
        pl.col(c).str.strip_chars().replace("", None)
        for c in ("Reported by", "Falls within")
        if c in raw.columns
    ]
    matched = _STREET_FILE.match(path.name)
    slug = matched.group("slug").lower() if matched else None

    def text(name: str) -> pl.Expr:
        return pl.col(name).fill_null("") if name in raw.columns else pl.lit("", pl.String)

    return raw.select(
        key=crime_id,
        month=pl.col("Month"),
        category=pl.col("Crime type").replace_strict(labels, default=pl.col("Crime type")),
        lon=pl.col("Longitude"),
        lat=pl.col("Latitude"),
        force=pl.coalesce([*named, pl.lit(None, pl.String)]),
        slug=pl.lit(slug, pl.String),
        lsoa_code=text("LSOA code"),
        lsoa_name=text("LSOA name"),
        falls=text("Falls within"),
    )


def read_police_uk(
    paths: list[Path],
    *,
    category: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    data_dir: Path | None = None,
    force: str | None = None,
) -> Events:
    """Events from police.uk street CSVs (``.csv``/``.csv.gz``) and API crimes-street JSON.

    Parameters
    ----------
    paths : list of Path
        Files or folders (searched for ``*-street.csv[.gz]`` and ``*.json[.gz]``).
    category : str, optional
        A police.uk category (CSV label or API slug); default all.
    month_from, month_to : str, optional
        Inclusive ``YYYY-MM`` bounds.
    data_dir : Path, optional
        Real-data folder holding the CCHI reference table (default :func:`data_dir_default`).
    force : str, optional
        Keep only this force's records (:func:`force_match`: a police.uk slug or the force's
        name); default every force's. ``Events.forces`` counts them all either way.

    Returns
    -------
    Events

    Examples
    --------
    >>> from vawg.paths import data_dir_default
    >>> folder = data_dir_default() / "police_uk"
    >>> ev = read_police_uk([folder / "2022-07-city-of-london-street.csv.gz"],
    ...                     category="Robbery")  # doctest: +SKIP
    >>> ev.frame.columns  # doctest: +SKIP
    ['month', 'category', 'x', 'y', 'harm_days']
    """
    slug = category_slug(category) if category is not None else None
    _months_check(month_from, month_to)  # before any file is read
    frames = []
    for path in _police_uk_files(paths):
        name = path.name.lower()
        part = _read_api_json(path) if ".json" in name else _read_street_csv(path)
        frames.append(part)
    raw = pl.concat(frames)
    read = raw.height
    with_key = raw.filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    dup = with_key.height - with_key.unique(subset=["key", "month"]).height
    # The last version of a crime wins, files in order, as when the site loads them.
    raw = pl.concat(
        [
            with_key.unique(subset=["key", "month"], keep="last", maintain_order=True),
            raw.filter(pl.col("key").is_null() | (pl.col("key") == "")),
        ]
    )
    frame = raw.with_columns(
        lon=pl.col("lon").cast(pl.Float64, strict=False),
        lat=pl.col("lat").cast(pl.Float64, strict=False),
    )
    located = frame.filter(pl.col("lon").is_not_null() & pl.col("lat").is_not_null())
    no_location = frame.height - located.height
    if slug is not None:
        located = located.filter(pl.col("category") == slug)
        frame = frame.filter(pl.col("category") == slug)
    located = _month_filter(located, month_from, month_to)
    in_force = _in_force_area(_month_filter(frame, month_from, month_to), data_dir=data_dir)
    x, y = to_bng(lon=located["lon"].to_numpy(), lat=located["lat"].to_numpy())
    ok = np.isfinite(x) & np.isfinite(y)
    no_location += int((~ok).sum())
    located = located.with_columns(x=pl.Series(x), y=pl.Series(y)).filter(pl.Series(ok))
    forces = forces_table(located)
    if force is not None and not forces.is_empty():  # nothing is left to match when empty
        located = located.filter(pl.col("force") == force_match(forces, force))
    harm = harm_by_slug(data_dir=data_dir)
    out = located.select(
        "month",
        "category",
        "x",
        "y",
        harm_days=pl.col("category").replace_strict(harm, default=0.0, return_dtype=pl.Float64),
    )
    return Events(
        frame=out,
        read=read,
        no_location=no_location,
        duplicates=dup,
        forces=forces,
        in_force_area=in_force,
    )


def _in_force_area(frame: pl.DataFrame, *, data_dir: Path | None) -> int | None:
    """How many of ``frame``'s records the site counts for the force area
    (:data:`vawg.force_area.MET`), placed by the loader's rule; None without boundaries."""
    from vawg.force_area import MET
    from vawg.spatial.boroughs import borough_assign, borough_lookup_read

    lookup = borough_lookup_read(data_dir=data_dir or data_dir_default())
    if lookup is None:
        return None
    boroughs = borough_assign(
        lsoa_code=frame["lsoa_code"],
        lsoa_name=frame["lsoa_name"],
        lon=frame["lon"],
        lat=frame["lat"],
        lsoa_boroughs=lookup.lsoa_boroughs,
        borough_by_name=lookup.borough_by_name,
        boroughs=lookup.boroughs,
    )
    inside = set(MET.codes_in(lookup.codes))
    own = frame["falls"].is_in(["", MET.name])
    return int((boroughs.is_in(sorted(inside)) & own).sum())


def _months_check(*bounds: str | None) -> None:
    """Raise :class:`~vawg.errors.UserInputError` for a month bound that is not ``YYYY-MM``."""
    for bound in bounds:
        if bound is not None and not is_month_key(bound):
            raise UserInputError(f"month must be YYYY-MM, got {bound!r}")


def _month_filter(
    frame: pl.DataFrame, month_from: str | None, month_to: str | None
) -> pl.DataFrame:
    """The rows of ``frame`` whose ``month`` key lies in the inclusive bounds."""
    _months_check(month_from, month_to)
    if month_from is not None:
        frame = frame.filter(pl.col("month") >= month_from)
    if month_to is not None:
        frame = frame.filter(pl.col("month") <= month_to)
    return frame


def _extract_table(folder: Path, stem: str) -> pl.DataFrame | None:
    for suffix in (".csv", ".csv.gz", ".parquet"):
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            if suffix == ".parquet":
                return pl.read_parquet(path).cast(pl.String)
            return pl.read_csv(path, infer_schema_length=0)
    return None


def is_force_extract(path: Path) -> bool:
    """Whether ``path`` is a force extract folder (it holds ``crimes.csv[.gz]`` or ``.parquet``).

    Examples
    --------
    >>> from pathlib import Path
    >>> is_force_extract(Path("/nonexistent"))
    False
    """
    return path.is_dir() and any(
        (path / f"crimes{s}").is_file() for s in (".csv", ".csv.gz", ".parquet")
    )


def read_force_extract(
    folder: Path,
    *,
    category: str | None = "vawg",
    month_from: str | None = None,
    month_to: str | None = None,
) -> Events:
    """Events from a force extract folder (``docs/extract.md``).

    Parameters
    ----------
    folder : Path
        Holds ``crimes.csv`` (and, for ``vawg``, ``people.csv`` and ``involvements.csv``).
    category : str or None
        ``vawg`` (default): the crimes :func:`vawg.taxonomy.crimes_classify` counts as VAWG
        (by offence title, offence code, a female victim on the crime, or the domestic-abuse
        flag), as the ranking does; a Home Office offence code; or None for all crimes.
    month_from, month_to : str, optional
        Inclusive ``YYYY-MM`` bounds on the recorded date.

    Returns
    -------
    Events
        ``category`` holds the offence code, ``harm_days`` its CCHI days (0 if unknown).

    Examples
    --------
    >>> from pathlib import Path
    >>> read_force_extract(Path("/nonexistent"))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    vawg.errors.UserInputError: no crimes table in /nonexistent
    """
    crimes = _extract_table(folder, "crimes")
    if crimes is None:
        raise UserInputError(f"no crimes table in {folder}")
    read = crimes.height
    crimes = crimes.with_columns(
        code=pl.col("offence_code")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_uppercase()
        .str.replace_all(".", "/", literal=True),  # as _normalise_code, vectorised
        month=pl.col("recorded_date").str.slice(0, 7),
    )
    if category is not None and category.strip().lower() == "vawg":
        crimes = crimes.filter(_is_vawg(crimes, folder))
    elif category is not None:
        crimes = crimes.filter(pl.col("code") == _normalise_code(category))
    crimes = _month_filter(crimes, month_from, month_to)
    if {"easting", "northing"} <= set(crimes.columns):
        e = crimes["easting"].cast(pl.Float64, strict=False).to_numpy()
        n = crimes["northing"].cast(pl.Float64, strict=False).to_numpy()
    else:
        e = np.full(crimes.height, np.nan)
        n = np.full(crimes.height, np.nan)
    if {"latitude", "longitude"} <= set(crimes.columns):
        lon = crimes["longitude"].cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()
        lat = crimes["latitude"].cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()
        use = ~np.isfinite(e) & np.isfinite(lon) & np.isfinite(lat)
        if use.any():
            e[use], n[use] = to_bng(lon=lon[use], lat=lat[use])
    ok = np.isfinite(e) & np.isfinite(n)
    harm = harm_by_offence_code()
    out = crimes.select(
        "month",
        category=pl.col("code"),
        x=pl.Series(e),
        y=pl.Series(n),
        harm_days=pl.col("code").replace_strict(harm, default=0.0, return_dtype=pl.Float64),
    ).filter(pl.Series(ok))
    return Events(frame=out, read=read, no_location=int((~ok).sum()), duplicates=0)


def _is_vawg(crimes: pl.DataFrame, folder: Path) -> pl.Series:
    """Which crimes are VAWG, by :func:`vawg.taxonomy.crimes_classify` (the classifier the
    ranking and the measures use): the offence title, the offence code, a female victim on the
    crime (from the extract's involvements and people), and the domestic-abuse flag."""
    columns = crimes.columns
    flag = pl.col("domestic_abuse") if "domestic_abuse" in columns else pl.lit(None, pl.String)
    title = pl.col("offence_description") if "offence_description" in columns else pl.lit(None)
    typed = crimes.lazy().select(
        pl.int_range(pl.len()).alias("_row"),
        pl.col("offence_code"),
        title.cast(pl.String).alias("offence_description"),
        flag_yes_no(flag).fill_null(False).alias("domestic_abuse"),
        pl.col("crime_ref").is_in(_female_victim_crimes(folder).implode()).alias("female_victim"),
    )
    classified = crimes_classify(typed, taxonomy=taxonomy_load()).sort("_row").collect()
    return classified["is_vawg"]


def _female_victim_crimes(folder: Path) -> pl.Series:
    """The crimes with a female victim, the sex and role read as :mod:`vawg.extract` reads them
    (trimmed; the sex upper-cased, the role lower-cased)."""
    inv = _extract_table(folder, "involvements")
    people = _extract_table(folder, "people")
    if inv is None or people is None:
        return pl.Series("crime_ref", [], dtype=pl.String)
    female = crimes_female_victim(
        involvements=inv.lazy().with_columns(pl.col("role").str.strip_chars().str.to_lowercase()),
        people=people.lazy().with_columns(code_text_normalise(pl.col("sex")).alias("sex")),
    )
    return female.collect()["crime_ref"]


def read_events(
    paths: list[Path],
    *,
    category: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    data_dir: Path | None = None,
    force: str | None = None,
) -> Events:
    """Events from police.uk files, or from a force extract folder when given one.

    ``force`` keeps one force's police.uk records (:func:`read_police_uk`); a force extract is
    one force's already, so ``force`` is refused for it.

    Examples
    --------
    >>> read_events([])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    vawg.errors.UserInputError: give at least one file or folder
    """
    if not paths:
        raise UserInputError("give at least one file or folder")
    if len(paths) == 1 and is_force_extract(paths[0]):
        if force is not None:
            raise UserInputError(
                f"--force applies to police.uk files; {paths[0]} is one force's extract already"
            )
        return read_force_extract(
            paths[0],
            category="vawg" if category is None else category,
            month_from=month_from,
            month_to=month_to,
        )
    if category is not None and category.strip().lower() == "vawg":
        raise UserInputError("--category vawg needs a force extract folder")
    return read_police_uk(
        paths,
        category=category,
        month_from=month_from,
        month_to=month_to,
        data_dir=data_dir,
        force=force,
    )
