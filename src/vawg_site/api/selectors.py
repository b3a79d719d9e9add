"""What the open-data API reads: areas, months, categories, the Met's VAWG counts, police.uk
street-level counts aggregated to LSOAs or grid cells, hotspots, and force-extract counts after
disclosure control.

Selectors only read. Two kinds of data, never mixed up:

* **Published by its owner** (the Met's VAWG counts from the London Datastore; data.police.uk):
  shown as published, with the source. The Met's sheets (location, classification, victims by age
  group, victims by ethnic group) are read one at a time and never summed across sheets.
* **Derived from a force extract** (``vawg_site.records``): aggregated to grid cells or a group by
  month table and passed through :mod:`vawg.disclosure` before leaving this module; no points.

Results are computed once per *data version* (the latest load) and kept in the worker's memory,
so repeated calls cost a dictionary look-up; a new load changes the version and empties the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl
from django.db.models import Count, Exists, Max, OuterRef, Sum

from vawg.disclosure import DisclosedTable, counts_disclose, table_disclose
from vawg.paths import data_dir_default
from vawg_site.ingest.models import IngestRun
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.records.models import Crime, Involvement

T = TypeVar("T")

NOT_BOROUGHS = ("", "Other", "Unknown")
"""Values of the Met's borough column that are not London boroughs."""

LONDON_BBOX = (-0.52, 51.27, 0.34, 51.70)
"""WGS84 box (west, south, east, north) around Greater London, for police.uk street records."""

VERSION_TTL_S = 5.0
"""Seconds a worker trusts its idea of the data version before asking the database again."""

CACHE_ENTRIES = 512
"""Results kept per worker (least recently used dropped first)."""

MET_SOURCE = {
    "source": "Metropolitan Police Service, VAWG offences and victims (London Datastore)",
    "publisher": "Metropolitan Police Service",
    "url": "https://data.london.gov.uk/",
    "licence": "Open Government Licence v3.0",
    "disclosure": "published by its owner; shown as published, not altered",
}
POLICE_UK_SOURCE = {
    "source": "data.police.uk street-level crime",
    "publisher": "Home Office / police forces of England and Wales",
    "url": "https://data.police.uk/",
    "licence": "Open Government Licence v3.0",
    "disclosure": (
        "published by its owner; locations were snapped by police.uk to anonymous map points, "
        "aggregated here to areas or grid cells (no points)"
    ),
}
GEO_SOURCE = {
    "source": "ONS Open Geography Portal boundaries (2024 wards and boroughs, 2011 LSOAs)",
    "publisher": "Office for National Statistics",
    "url": "https://geoportal.statistics.gov.uk/",
    "licence": (
        "Open Government Licence v3.0; contains OS data © Crown copyright and database right"
    ),
    "disclosure": "not personal data",
}
FORCE_SOURCE = {
    "source": "force extract (records loaded into this platform)",
    "publisher": "the force running this platform",
    "url": "",
    "licence": "Open Government Licence v3.0",
    "disclosure": "",  # filled with the rule's name
}
RECORDING_SYSTEM_CAVEAT = (
    "The Met replaced its crime recording system CRIS with CONNECT on 28 February 2024. Counts "
    "from March 2024 are not directly comparable with earlier months: the step down in the series "
    "at that point is partly a change of system, not only a real fall."
)
PROXY_CAVEAT = (
    "police.uk's 'Violence and sexual offences' (violent-crime) category is a proxy for VAWG: it "
    "includes violence against anyone and has no victim sex or domestic-abuse flag."
)
SNAP_CAVEAT = (
    "police.uk locations are snapped to about 750,000 anonymous map points, which can make "
    "'phantom' concentrations at popular snap points; grid cells and areas reduce this."
)


# --- the cache --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataVersion:
    """What identifies the loaded data: the latest load's id, when it finished, how many loads."""

    key: str
    last_modified: dt.datetime | None


_lock = threading.Lock()
_version: tuple[float, DataVersion] | None = None
_results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def data_version() -> DataVersion:
    """The current data version (asked of the database at most every ``VERSION_TTL_S``)."""
    global _version
    now = time.monotonic()
    if _version is not None and now - _version[0] < VERSION_TTL_S:
        return _version[1]
    # Every load writes an IngestRun, so the runs table (small) identifies the data; counting the
    # big tables here cost 50-100 ms on PostgreSQL every few seconds in each worker.
    last = IngestRun.objects.aggregate(
        last_id=Max("id"), finished=Max("finished_at"), runs=Count("id")
    )
    key = hashlib.sha1(  # noqa: S324 - an identity, not security
        json.dumps([last["last_id"], str(last["finished"]), last["runs"]]).encode()
    ).hexdigest()[:16]
    version = DataVersion(key=key, last_modified=last["finished"])
    with _lock:
        if _version is None or _version[1].key != key:
            _results.clear()
        _version = (now, version)
    return version


def cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per data version and ``key``, kept in this worker's memory."""
    full = (data_version().key, *key)
    with _lock:
        if full in _results:
            _results.move_to_end(full)
            return _results[full]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _results[full] = value
        while len(_results) > CACHE_ENTRIES:
            _results.popitem(last=False)
    return value


def cache_clear() -> None:
    """Forget everything (tests)."""
    global _version
    with _lock:
        _results.clear()
        _version = None


# --- months -----------------------------------------------------------------------------------


def month_parse(text: str) -> dt.date:
    """``YYYY-MM`` to the first day of that month (ValueError when not a month)."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return dt.date(int(year), int(month), 1)


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def recording_system(month: dt.date) -> str:
    """The Met recording system a month's figure comes from."""
    if (month.year, month.month) < (2024, 2):
        return "CRIS"
    if (month.year, month.month) == (2024, 2):
        return "CRIS and CONNECT"
    return "CONNECT"


def spans_system_change(months: list[dt.date]) -> bool:
    """Whether a series touches the months either side of the change of system (Jan-Apr 2024)
    or straddles it."""
    if not months:
        return False
    first, last = min(months), max(months)
    return first <= dt.date(2024, 4, 1) and last >= dt.date(2024, 1, 1)


# --- areas ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A borough or ward with its ONS code."""

    code: str
    name: str
    kind: str
    borough_code: str
    borough_name: str


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("&", " and ").replace(".", " ").replace("'", "").split())


@lru_cache(maxsize=4)
def _geojson(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def geo_path(name: str) -> Path:
    return data_dir_default() / "geo" / name


BOROUGHS_FILE = "london_boroughs_lad24_bgc.geojson"
WARDS_FILE = "london_wards24_bgc.geojson"
LSOA_FILE = "london_lsoa11_gen20m.geojson"
WARD_LOOKUP = "population/lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv"


@lru_cache(maxsize=1)
def _ward_borough() -> dict[str, str]:
    path = data_dir_default() / WARD_LOOKUP
    if not path.is_file():
        return {}
    table = pl.read_csv(path, infer_schema_length=0).select("WD24CD", "LAD24CD").unique()
    return dict(table.iter_rows())


def borough_list() -> list[Area]:
    """London's 33 boroughs (32 and the City) with their 2024 codes, by name."""
    path = geo_path(BOROUGHS_FILE)
    if not path.is_file():
        return []
    areas = [
        Area(
            code=f["properties"]["LAD24CD"],
            name=f["properties"]["LAD24NM"],
            kind="borough",
            borough_code=f["properties"]["LAD24CD"],
            borough_name=f["properties"]["LAD24NM"],
        )
        for f in _geojson(path)["features"]
    ]
    return sorted(areas, key=lambda a: a.name)


def ward_list(*, borough_code: str | None = None) -> list[Area]:
    """London's 2024 wards with their codes and borough, by borough then name."""
    path = geo_path(WARDS_FILE)
    if not path.is_file():
        return []
    boroughs = {b.code: b.name for b in borough_list()}
    of = _ward_borough()
    areas = []
    for f in _geojson(path)["features"]:
        code = f["properties"]["WD24CD"]
        b = of.get(code, "")
        if borough_code is not None and b != borough_code:
            continue
        areas.append(Area(code, f["properties"]["WD24NM"], "ward", b, boroughs.get(b, "")))
    return sorted(areas, key=lambda a: (a.borough_name, a.name))


def area_get(code: str) -> Area | None:
    """A borough or ward by its ONS code, or None."""
    for area in borough_list():
        if area.code == code:
            return area
    for area in ward_list():
        if area.code == code:
            return area
    return None


def area_features(*, kind: str, borough_code: str | None = None) -> list[dict[str, Any]]:
    """GeoJSON features (WGS84, as published by ONS) with only code, name and borough kept."""
    path = geo_path(BOROUGHS_FILE if kind == "borough" else WARDS_FILE)
    if not path.is_file():
        return []
    wanted = {
        a.code: a
        for a in (borough_list() if kind == "borough" else ward_list(borough_code=borough_code))
    }
    out = []
    for f in _geojson(path)["features"]:
        code = f["properties"]["LAD24CD" if kind == "borough" else "WD24CD"]
        if code not in wanted:
            continue
        a = wanted[code]
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                    "borough_code": a.borough_code,
                    "borough_name": a.borough_name,
                },
                "geometry": f["geometry"],
            }
        )
    return out


def _borough_name_to_code() -> dict[str, str]:
    return {_norm(b.name): b.code for b in borough_list()}


# --- months and categories --------------------------------------------------------------------


@dataclass(frozen=True)
class MonthSpan:
    source: str
    measure: str
    months: list[dt.date]


def month_spans() -> list[MonthSpan]:
    """The months with data, per source and measure."""

    def compute() -> list[MonthSpan]:
        spans = []
        for measure in (VawgCount.Measure.OFFENCES, VawgCount.Measure.VICTIMS):
            months = list(
                VawgCount.objects.filter(measure=measure, sheet=VawgCount.Sheet.LOCATION)
                .values_list("month", flat=True)
                .distinct()
                .order_by("month")
            )
            spans.append(MonthSpan("mps-vawg", str(measure), months))
        street = list(
            StreetCrime.objects.values_list("month", flat=True).distinct().order_by("month")
        )
        spans.append(MonthSpan("police-uk", "crimes", street))
        force = sorted(
            {
                d.replace(day=1)
                for d in Crime.objects.values_list("recorded_date", flat=True).distinct()
            }
        )
        spans.append(MonthSpan("force", "crimes", force))
        return spans

    return cached(("month_spans",), compute)


def police_uk_categories(slugs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(slug, label) of police.uk's current categories ``slugs``, labels from the shipped table
    (the first label listed for a slug is the current one)."""
    from vawg.spatial.readers import category_table

    labels: dict[str, str] = {}
    for label, slug in category_table().select("label", "slug").iter_rows():
        labels.setdefault(slug, label)
    return [(slug, labels.get(slug, slug)) for slug in sorted(slugs)]


def vawg_category_values() -> dict[str, list[str]]:
    """The Met's offence groups, VAWG offences, victim age groups and ethnic groups."""

    def distinct(sheet: str, field: str) -> list[str]:
        return sorted(
            v
            for v in VawgCount.objects.filter(sheet=sheet)
            .values_list(field, flat=True)
            .distinct()
            .order_by()
            if v
        )

    def compute() -> dict[str, list[str]]:
        return {
            "offence_groups": distinct(VawgCount.Sheet.CLASSIFICATION, "offence_group"),
            "vawg_offences": distinct(VawgCount.Sheet.CLASSIFICATION, "vawg_offence"),
            "age_groups": distinct(VawgCount.Sheet.AGE, "age_group"),
            "ethnic_groups": distinct(VawgCount.Sheet.ETHNICITY, "ethnic_group"),
        }

    return cached(("vawg_categories",), compute)


# --- the Met's VAWG counts (published by the Met) ---------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """One published figure: a count for an area or group in a month."""

    month: dt.date
    count: int
    area_code: str = ""
    area_name: str = ""
    borough_name: str = ""
    group: str = ""


def vawg_location_counts(
    *,
    measure: str,
    level: str,
    area_code: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> list[CountRow]:
    """Counts from the location sheet by borough or ward and month (recorded month), as published.

    ``level`` is ``borough`` or ``ward``; ``area_code`` limits to one borough (all its wards at
    ward level) or one ward. A figure is the sum over committed months and, for boroughs, wards.
    Rows the Met puts under ``Other``/``Unknown`` have no area code and are left out of ward and
    borough rows (they are in London's total).
    """

    def compute() -> list[CountRow]:
        rows = VawgCount.objects.filter(measure=measure, sheet=VawgCount.Sheet.LOCATION)
        if start is not None:
            rows = rows.filter(month__gte=start)
        if end is not None:
            rows = rows.filter(month__lte=end)
        codes = _borough_name_to_code()
        names = {b.code: b.name for b in borough_list()}
        if level == "borough":
            if area_code is not None:
                rows = rows.filter(borough__in=_met_names_for(area_code))
            out = [
                CountRow(
                    month=r["month"],
                    count=int(r["total"]),
                    area_code=codes.get(_norm(r["borough"]), ""),
                    area_name=names.get(codes.get(_norm(r["borough"]), ""), r["borough"]),
                    borough_name=r["borough"],
                )
                for r in rows.exclude(borough__in=NOT_BOROUGHS)
                .values("borough", "month")
                .annotate(total=Sum("count"))
                .order_by("borough", "month")
            ]
            return sorted(out, key=lambda r: (r.area_name, r.month))
        rows = rows.exclude(ward_code="")
        if area_code is not None:
            if area_code.startswith("E09"):
                rows = rows.filter(borough__in=_met_names_for(area_code))
            else:
                rows = rows.filter(ward_code=area_code)
        ward_names = {w.code: w for w in ward_list()}
        out = []
        for r in (
            rows.values("ward_code", "borough", "month")
            .annotate(total=Sum("count"))
            .order_by("ward_code", "month")
        ):
            ward = ward_names.get(r["ward_code"])
            out.append(
                CountRow(
                    month=r["month"],
                    count=int(r["total"]),
                    area_code=r["ward_code"],
                    area_name=ward.name if ward else "",
                    borough_name=r["borough"],
                )
            )
        return sorted(out, key=lambda r: (r.borough_name, r.area_name, r.area_code, r.month))

    return cached(("location", measure, level, area_code, start, end), compute)


def _met_names_for(borough_code: str) -> list[str]:
    names = {b.code: b.name for b in borough_list()}
    name = names.get(borough_code, "")
    found = [
        b
        for b in VawgCount.objects.filter(sheet=VawgCount.Sheet.LOCATION)
        .values_list("borough", flat=True)
        .distinct()
        .order_by()
        if _norm(b) == _norm(name)
    ]
    return found or [name]


SHEET_FIELD = {
    VawgCount.Sheet.CLASSIFICATION: "offence_group",
    VawgCount.Sheet.AGE: "age_group",
    VawgCount.Sheet.ETHNICITY: "ethnic_group",
}


def vawg_sheet_counts(
    *,
    measure: str,
    sheet: str,
    group: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> list[CountRow]:
    """London-wide counts by month from one sheet (classification by offence group; victims by
    age group; victims by ethnic group), as published. One sheet only: never summed across."""
    field = SHEET_FIELD[VawgCount.Sheet(sheet)]

    def compute() -> list[CountRow]:
        rows = VawgCount.objects.filter(measure=measure, sheet=sheet)
        if group is not None:
            rows = rows.filter(**{field: group})
        if start is not None:
            rows = rows.filter(month__gte=start)
        if end is not None:
            rows = rows.filter(month__lte=end)
        return [
            CountRow(month=r["month"], count=int(r["total"]), group=r[field] or "not stated")
            for r in rows.values(field, "month")
            .annotate(total=Sum("count"))
            .order_by(field, "month")
        ]

    return cached(("sheet", measure, sheet, group, start, end), compute)


# --- police.uk street-level counts (published by police.uk), aggregated -----------------------


def _street_frame(*, category: str, start: dt.date | None, end: dt.date | None) -> pl.DataFrame:
    """London street records of one category (month, lon, lat, lsoa_code); never returned."""
    west, south, east, north = LONDON_BBOX
    rows = StreetCrime.objects.filter(
        category=category,
        longitude__gte=west,
        longitude__lte=east,
        latitude__gte=south,
        latitude__lte=north,
    )
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    data = list(rows.values_list("month", "longitude", "latitude", "lsoa_code"))
    return pl.DataFrame(
        data,
        schema={"month": pl.Date, "lon": pl.Float64, "lat": pl.Float64, "lsoa": pl.String},
        orient="row",
    )


def street_months(*, category: str) -> list[dt.date]:
    """Months with London street records of a category."""

    def compute() -> list[dt.date]:
        west, south, east, north = LONDON_BBOX
        return list(
            StreetCrime.objects.filter(
                category=category,
                longitude__gte=west,
                longitude__lte=east,
                latitude__gte=south,
                latitude__lte=north,
            )
            .values_list("month", flat=True)
            .distinct()
            .order_by("month")
        )

    return cached(("street_months", category), compute)


@lru_cache(maxsize=1)
def _lsoa_areas() -> Any:
    from vawg.spatial.areal import areas_read

    return areas_read(geo_path(LSOA_FILE))


def street_counts_lsoa(
    *, category: str, start: dt.date | None, end: dt.date | None
) -> list[tuple[str, str, dt.date, int]]:
    """(lsoa_code, lsoa_name, month, count) of London street records: the record's own LSOA
    where police.uk gives one, else the 2011 LSOA containing its snapped point."""

    def compute() -> list[tuple[str, str, dt.date, int]]:
        frame = _street_frame(category=category, start=start, end=end)
        if frame.is_empty():
            return []
        missing = frame["lsoa"].is_null() | (frame["lsoa"] == "")
        if bool(missing.any()) and geo_path(LSOA_FILE).is_file():
            from vawg.spatial.areal import area_index
            from vawg.spatial.grid import to_bng

            areas = _lsoa_areas()
            sub = frame.filter(missing)
            x, y = to_bng(lon=sub["lon"].to_numpy(), lat=sub["lat"].to_numpy())
            idx = area_index(areas=areas, x=x, y=y)
            codes = np.array([*areas.codes, ""], dtype=object)[idx]
            frame = frame.with_columns(
                pl.when(missing).then(pl.lit(None)).otherwise(pl.col("lsoa")).alias("lsoa")
            )
            filled = frame["lsoa"].to_list()
            j = 0
            for i, is_missing in enumerate(missing.to_list()):
                if is_missing:
                    filled[i] = codes[j]
                    j += 1
            frame = frame.with_columns(pl.Series("lsoa", filled, dtype=pl.String))
        names = (
            dict(zip(_lsoa_areas().codes, _lsoa_areas().names, strict=True))
            if (geo_path(LSOA_FILE).is_file())
            else {}
        )
        agg = (
            frame.filter(pl.col("lsoa").is_not_null() & (pl.col("lsoa") != ""))
            .group_by("lsoa", "month")
            .len()
            .sort("lsoa", "month")
        )
        return [(c, names.get(c, ""), m, int(n)) for c, m, n in agg.iter_rows()]

    return cached(("street_lsoa", category, start, end), compute)


def street_counts_grid(
    *, category: str, start: dt.date | None, end: dt.date | None, cell_size_m: int
) -> list[tuple[float, float, dt.date, int]]:
    """(x, y, month, count): London street records per grid cell (centre, EPSG:27700 metres)
    and month; cells aligned to multiples of ``cell_size_m``; empty cells left out."""

    def compute() -> list[tuple[float, float, dt.date, int]]:
        from vawg.spatial.grid import to_bng

        frame = _street_frame(category=category, start=start, end=end)
        if frame.is_empty():
            return []
        x, y = to_bng(lon=frame["lon"].to_numpy(), lat=frame["lat"].to_numpy())
        s = float(cell_size_m)
        cx = (np.floor(x / s) + 0.5) * s
        cy = (np.floor(y / s) + 0.5) * s
        agg = (
            pl.DataFrame({"x": cx, "y": cy, "month": frame["month"]})
            .group_by("x", "y", "month")
            .len()
            .sort("x", "y", "month")
        )
        return [(float(a), float(b), m, int(n)) for a, b, m, n in agg.iter_rows()]

    return cached(("street_grid", category, start, end, cell_size_m), compute)


# --- hotspots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hotspots:
    """A hotspot table (CONTRACT.md section 3 columns) and the settings used."""

    rows: list[dict[str, Any]]
    settings: dict[str, Any]
    months: list[str]


HOTSPOT_PERMUTATIONS = 999
HOTSPOT_SEED = 0


@lru_cache(maxsize=1)
def _ward_areas() -> Any:
    from vawg.spatial.areal import areas_read

    return areas_read(geo_path(WARDS_FILE), code_field="WD24CD", name_field="WD24NM")


def ward_hotspots(*, start: dt.date, end: dt.date) -> Hotspots:
    """Gi* classes over the Met's ward VAWG offence series (published counts), via
    :func:`vawg.spatial.run.areal_hotspots` with queen contiguity and BH-FDR."""

    def compute() -> Hotspots:
        from vawg.spatial.run import areal_hotspots

        if not geo_path(WARDS_FILE).is_file():  # no boundaries: no neighbours, like the areas
            return Hotspots(rows=[], settings={}, months=[])
        areas = _ward_areas()
        index = {c: i for i, c in enumerate(areas.codes)}
        agg = list(
            VawgCount.objects.filter(
                measure=VawgCount.Measure.OFFENCES,
                sheet=VawgCount.Sheet.LOCATION,
                month__gte=start,
                month__lte=end,
            )
            .exclude(ward_code="")
            .values("ward_code", "month")
            .annotate(total=Sum("count"))
        )
        months = sorted({r["month"] for r in agg})
        col = {m: j for j, m in enumerate(months)}
        counts = np.zeros((areas.n, max(1, len(months))))
        for r in agg:
            i = index.get(r["ward_code"])
            if i is not None:
                counts[i, col[r["month"]]] += r["total"]
        run = areal_hotspots(
            areas=areas,
            counts=counts,
            months=[month_key(m) for m in months],
            method="gistar",
            permutations=HOTSPOT_PERMUTATIONS,
            seed=HOTSPOT_SEED,
        )
        return Hotspots(
            rows=[_clean(r) for r in run.table.iter_rows(named=True)],
            settings=dict(run.settings),
            months=[month_key(m) for m in months],
        )

    return cached(("ward_hotspots", start, end), compute)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}


@lru_cache(maxsize=1)
def _london_boundary() -> Any:
    import shapely
    from shapely.geometry import shape

    doc = _geojson(geo_path(BOROUGHS_FILE))
    return shapely.union_all([shape(f["geometry"]) for f in doc["features"]])


def grid_hotspots(*, category: str, start: dt.date, end: dt.date, cell_size_m: int) -> Hotspots:
    """Gi* hotspots of police.uk street records on a grid over London, via
    :func:`vawg.spatial.run.grid_hotspots` (counts, 3 x 3 neighbourhood, BH-FDR)."""

    def compute() -> Hotspots:
        from vawg.spatial.grid import grid_from_area, grid_from_bounds, to_bng
        from vawg.spatial.run import grid_hotspots as run_grid

        frame = _street_frame(category=category, start=start, end=end)
        x, y = to_bng(lon=frame["lon"].to_numpy(), lat=frame["lat"].to_numpy())
        if geo_path(BOROUGHS_FILE).is_file():
            import shapely

            lon_lat = _london_boundary()
            from vawg.spatial.grid import to_bng as project

            area = shapely.transform(
                lon_lat, lambda xy: np.column_stack(project(lon=xy[:, 0], lat=xy[:, 1]))
            )
            grid = grid_from_area(area=area, cell_size_m=float(cell_size_m))
        else:
            grid = grid_from_bounds(
                x_min=float(x.min(initial=0)),
                y_min=float(y.min(initial=0)),
                x_max=float(x.max(initial=1)),
                y_max=float(y.max(initial=1)),
                cell_size_m=float(cell_size_m),
            )
        events = pl.DataFrame(
            {
                "month": [month_key(m) for m in frame["month"].to_list()],
                "x": x,
                "y": y,
                "harm_days": np.ones(len(x)),
            },
            schema={"month": pl.String, "x": pl.Float64, "y": pl.Float64, "harm_days": pl.Float64},
        )
        run = run_grid(
            events=events,
            grid=grid,
            method="gistar",
            permutations=HOTSPOT_PERMUTATIONS,
            seed=HOTSPOT_SEED,
        )
        months = sorted(set(events["month"].to_list()))
        return Hotspots(
            rows=[_clean(r) for r in run.table.iter_rows(named=True)],
            settings=dict(run.settings),
            months=months,
        )

    return cached(("grid_hotspots", category, start, end, cell_size_m), compute)


# --- force-extract counts (disclosure controlled) ---------------------------------------------


@dataclass(frozen=True)
class ForceTable:
    """A force-derived table after :func:`vawg.disclosure.table_disclose`: labels and result."""

    row_labels: list[str]
    col_labels: list[str]
    table: DisclosedTable | None


def _force_vawg_crimes(*, start: dt.date | None, end: dt.date | None) -> pl.DataFrame:
    """The force's VAWG crimes (month, group, easting, northing) by the taxonomy's rules."""
    from vawg.taxonomy import crimes_classify, taxonomy_load

    crimes = Crime.objects.all()
    if start is not None:
        crimes = crimes.filter(recorded_date__gte=start)
    if end is not None:
        crimes = crimes.filter(recorded_date__lt=_month_after(end))
    female = Involvement.objects.filter(
        crime=OuterRef("pk"), role=Involvement.Role.VICTIM, person__sex="F"
    )
    data = list(
        crimes.annotate(female_victim=Exists(female)).values_list(
            "recorded_date",
            "offence_code",
            "offence_description",
            "domestic_abuse",
            "female_victim",
            "easting",
            "northing",
        )
    )
    frame = pl.DataFrame(
        data,
        schema={
            "recorded_date": pl.Date,
            "offence_code": pl.String,
            "offence_description": pl.String,
            "domestic_abuse": pl.Boolean,
            "female_victim": pl.Boolean,
            "easting": pl.Float64,
            "northing": pl.Float64,
        },
        orient="row",
    )
    out = crimes_classify(frame.lazy(), taxonomy=taxonomy_load()).collect()
    return out.filter(pl.col("is_vawg")).select(
        month=pl.col("recorded_date").dt.truncate("1mo"),
        group=pl.col("vawg_group"),
        easting=pl.col("easting"),
        northing=pl.col("northing"),
    )


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def force_group_month_table(*, start: dt.date | None, end: dt.date | None) -> ForceTable:
    """The force's VAWG crimes by group (rows) and recorded month (columns), disclosure
    controlled with row, column and grand totals."""

    def compute() -> ForceTable:
        from vawg.taxonomy import VAWG_GROUPS

        frame = _force_vawg_crimes(start=start, end=end)
        if frame.is_empty():
            return ForceTable([], [], None)
        months = sorted(set(frame["month"].to_list()))
        col = {m: j for j, m in enumerate(months)}
        row = {g: i for i, g in enumerate(VAWG_GROUPS)}
        counts = [[0] * len(months) for _ in VAWG_GROUPS]
        for g, m, n in frame.group_by("group", "month").len().iter_rows():
            counts[row[g]][col[m]] += int(n)
        return ForceTable(
            row_labels=list(VAWG_GROUPS),
            col_labels=[month_key(m) for m in months],
            table=table_disclose(counts),
        )

    return cached(("force_group_month", start, end), compute)


def force_grid_table(
    *, start: dt.date | None, end: dt.date | None, cell_size_m: int
) -> tuple[list[tuple[float, float] | None], DisclosedTable | None]:
    """The force's VAWG crimes per grid cell (centres, EPSG:27700) over the period, disclosure
    controlled with the total; crimes without a location form one last row (cell None)."""

    def compute() -> tuple[list[tuple[float, float] | None], DisclosedTable | None]:
        frame = _force_vawg_crimes(start=start, end=end)
        if frame.is_empty():
            return [], None
        located = frame.filter(pl.col("easting").is_not_null() & pl.col("northing").is_not_null())
        s = float(cell_size_m)
        agg = (
            located.select(
                x=(pl.col("easting") / s).floor() * s + s / 2,
                y=(pl.col("northing") / s).floor() * s + s / 2,
            )
            .group_by("x", "y")
            .len()
            .sort("x", "y")
        )
        cells: list[tuple[float, float] | None] = [
            (float(a), float(b)) for a, b in agg.select("x", "y").iter_rows()
        ]
        counts = [int(n) for n in agg["len"].to_list()]
        unlocated = frame.height - located.height
        if unlocated:
            cells.append(None)
            counts.append(unlocated)
        return cells, counts_disclose(counts)

    return cached(("force_grid", start, end, cell_size_m), compute)
