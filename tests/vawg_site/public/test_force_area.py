"""Acceptance (issue #12): with the whole real police.uk folder loaded (the Met's 2017 API months
and other forces' files: Bedfordshire, Cambridgeshire, Cheshire, British Transport Police, the
City of London Police) and the Met's VAWG tables, no public page, list, download or API answer
about London counts a record from outside the force area; City of London wards are in no Met
hotspot list; and the CLI and the site give the same totals for the 2017 files.

The force-area totals are computed here independently of the loader and the selectors: from the
files themselves (json and polars), a record's map point tested against the union of the force's
borough polygons with shapely, and the CSV rows by the force that published them.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import shapely
from django.test import Client
from django.urls import URLPattern, get_resolver

from vawg.cli import main as cli_main
from vawg.force_area import CITY_OF_LONDON_CODE, MET
from vawg.spatial.areal import areas_read
from vawg.spatial.grid import to_bng
from vawg_site.ingest.services import mps_vawg_load, police_uk_load
from vawg_site.opendata.models import StopSearch, StreetCrime, StreetOutcome, VawgCount

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

CATEGORY = "violent-crime"
LIMIT = 1000
BOROUGHS = "geo/london_boroughs_lad24_bgc.geojson"
WARDS = "geo/london_wards24_bgc.geojson"


# --- the files, read independently -------------------------------------------------------------


def _api_records(folder: Path) -> pl.DataFrame:
    """The 2017 API records, one per crime (persistent_id and month; the last file's version),
    records without a persistent_id each kept."""
    rows: list[tuple[str, str, str, float, float, str]] = []
    for path in sorted(folder.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for rec in json.load(handle):
                loc = rec.get("location") or {}
                pid = rec.get("persistent_id") or f"no-id:{path.name}:{rec['id']}"
                rows.append(
                    (pid, rec["month"], rec["category"], float(loc["longitude"]),
                     float(loc["latitude"]), str(rec.get("location_type") or ""))
                )  # fmt: skip
    schema = ["pid", "month", "category", "lon", "lat", "location_type"]
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.unique(subset=["pid", "month"], keep="last", maintain_order=True)


def _force_polygon(real_data_dir: Path) -> Any:
    areas = areas_read(real_data_dir / BOROUGHS)
    inside = [g for c, g in zip(areas.codes, areas.geometries, strict=True) if MET.covers(c)]
    assert len(inside) == 32
    polygon = shapely.union_all(inside)
    shapely.prepare(polygon)
    return polygon


def _in_polygon(polygon: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    x, y = to_bng(lon=lon, lat=lat)
    return np.asarray(shapely.intersects_xy(polygon, x, y))


def _other_forces_csv(folder: Path) -> pl.DataFrame:
    """Every street CSV row of the folder (all published by forces other than the Met)."""
    frames = [
        pl.read_csv(p, infer_schema_length=0).select(
            "Falls within", "LSOA name", "Location", "Longitude", "Latitude"
        )
        for p in sorted(folder.glob("*-street.csv.gz"))
    ]
    return pl.concat(frames)


@pytest.fixture(scope="module")
def files(real_data_dir: Path) -> dict[str, Any]:
    api = _api_records(real_data_dir / "police_uk" / "api")
    violent = api.filter(pl.col("category") == CATEGORY)
    polygon = _force_polygon(real_data_dir)
    inside = _in_polygon(polygon, violent["lon"].to_numpy(), violent["lat"].to_numpy())
    # The British Transport Police's records (location_type BTP) are another force's.
    inside &= (violent["location_type"] != "BTP").to_numpy()
    by_month = violent.filter(pl.Series(inside)).group_by("month").len().sort("month").iter_rows()
    csv = _other_forces_csv(real_data_dir / "police_uk")
    assert (csv["Falls within"] != MET.name).all()  # no Met CSV in the folder: all other forces
    lsoa_areas = csv["LSOA name"].drop_nulls().str.replace(r"\s+\d{3}[A-Z]$", "").unique().to_list()
    # London's borough and ward names are not another force's (Preston is a ward of Brent).
    london = {n.lower() for n in areas_read(real_data_dir / BOROUGHS).names} | {
        n.lower() for n in areas_read(real_data_dir / WARDS).names
    }
    return {
        "force_by_month": dict(by_month),
        "stored_violent": violent.height,
        # Local authorities of other forces' records, none a London borough.
        "other_areas": sorted(a for a in lsoa_areas if a.lower() not in london),
    }


def _force_total(files: dict[str, Any], months: list[str]) -> int:
    return sum(n for m, n in files["force_by_month"].items() if m in months)


# --- the database, loaded once for the module ---------------------------------------------------


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any, real_data_dir: Path) -> Iterator[None]:
    """The whole police.uk folder and the Met's VAWG tables, loaded once for the module."""
    with django_db_blocker.unblock():
        police_uk_load(paths=[real_data_dir / "police_uk"])
        mps = real_data_dir / "mps"
        mps_vawg_load(paths=[mps / "vawg-offences.parquet", mps / "vawg-victims.parquet"])
    yield
    with django_db_blocker.unblock():
        from vawg_site.ingest.models import IngestRun, Rejection

        for model in (StreetCrime, StreetOutcome, StopSearch, VawgCount, Rejection, IngestRun):
            model.objects.all().delete()


@pytest.fixture
def site(loaded: None, db: None, settings: Any, client: Client) -> Client:
    """The test client, with no limit on new work per client and 99 permutations for Gi*
    (which records are counted does not depend on them; 999 would triple the time)."""
    settings.VAWG_RENDERS_PER_MINUTE = 0
    settings.VAWG_ANALYSIS = replace(settings.VAWG_ANALYSIS, hotspot_permutations=99)
    return client


def _months(label: str) -> list[str]:
    """YYYY-MM keys of a period label "January 2017 to December 2017"."""
    from vawg.periods import month_key, months_between

    first, last = (pl.Series([p]).str.to_date("%B %Y")[0] for p in label.split(" to "))
    return [month_key(m) for m in months_between(first, last)]


# --- the pages and answers -----------------------------------------------------------------------


def _public_urls() -> list[str]:
    """Every public route that takes no argument, each commitment, both outline layers."""
    from vawg.commitments import COMMITMENTS

    urls = []
    for pattern in get_resolver().url_patterns:
        resolver = getattr(pattern, "url_patterns", None)
        if resolver is None or getattr(pattern, "namespace", None) != "public":
            continue
        for p in resolver:
            if isinstance(p, URLPattern) and not p.pattern.converters and p.name != "exit":
                urls.append("/" + str(pattern.pattern) + str(p.pattern))
    urls += [f"/commitments/{c.number}/" for c in COMMITMENTS]
    urls += ["/data/maps/outlines/boroughs.geojson", "/data/maps/outlines/wards.geojson"]
    return sorted(set(urls))


def _api_urls(client: Client) -> list[str]:
    spec = client.get("/api/openapi.json").json()
    return [
        "/api" + path.removeprefix("/api")
        for path, ops in spec["paths"].items()
        if "get" in ops and "{" not in path
    ]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _texts(body: str, content_type: str) -> set[str]:
    """The values a reader sees: JSON strings, CSV fields, or HTML text between tags."""
    if "json" in content_type:
        return set(_strings(json.loads(body)))
    if "csv" in content_type:
        return {f.strip().strip('"') for line in body.splitlines() for f in line.split(",")}
    return {t.strip() for t in re.findall(r">([^<>]+)<", body)}


def test_every_public_page_and_answer_counts_only_the_force_area(
    site: Client, files: dict[str, Any]
) -> None:
    urls = _public_urls() + _api_urls(site)
    assert len(urls) > 30
    forbidden = {*files["other_areas"], "No Location", "On or near"}
    assert {"Peterborough", "Cheshire East", "Warrington", "Bedford"} <= forbidden
    for url in urls:
        response = site.get(url)
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        seen = _texts(body, response.get("Content-Type", ""))
        assert not seen & forbidden, f"{url} names {sorted(seen & forbidden)}"
    # Street map: its default period has the force's data, and its count is the force's.
    html = site.get("/data/maps/street/").content.decode()
    label = re.search(r'id="results">London, ([^<]+)<', html)
    assert label is not None
    months = _months(label.group(1))
    assert months[-1] == max(files["force_by_month"])  # the latest month with force-area data
    shown = re.search(
        r"([\d,]+) violence and sexual offences with a location in the area [^<]*? fall in", html
    )
    assert shown is not None
    assert int(shown.group(1).replace(",", "")) == _force_total(files, months)
    # The street map says how many loaded records it leaves out.
    assert "street-level records of other police forces or outside the force area" in html


def test_commitment_10_counts_the_force_area(site: Client, files: dict[str, Any]) -> None:
    html = site.get("/commitments/10/").content.decode()
    total = re.search(r"out of <strong>([\d,]+)</strong> such offences", html)
    assert total is not None
    assert int(total.group(1).replace(",", "")) == _force_total(
        files, list(files["force_by_month"])
    )
    section = html.split('id="m-places"')[1].split("</section>")[0]
    areas = re.findall(r'<td class="govuk-table__cell">([^<]+)</td>', section)
    assert areas
    assert all(a not in files["other_areas"] for a in areas)


def _all_pages(client: Client, url: str, **query: str) -> tuple[dict[str, Any], list[Any]]:
    """The first answer and every page's results."""
    rows: list[Any] = []
    offset: int | None = 0
    first: dict[str, Any] = {}
    while offset is not None:
        body = client.get(url, {**query, "limit": LIMIT, "offset": offset}).json()
        first = first or body
        rows += body["results"]
        offset = body["page"]["next_offset"]
    return first, rows


def test_the_api_counts_the_force_area(site: Client, files: dict[str, Any]) -> None:
    months = sorted(files["force_by_month"])
    _, grid = _all_pages(site, "/api/v1/police-uk/grid", month_from=months[0], month_to=months[-1])
    assert sum(r["count"] for r in grid) == _force_total(files, months)
    _, lsoas = _all_pages(site, "/api/v1/police-uk/lsoa", month_from=months[0], month_to=months[-1])
    assert not any(r["lsoa_name"].startswith("City of London") for r in lsoas)
    assert sum(r["count"] for r in lsoas) <= _force_total(files, months)
    # The hotspot grid's default period is the latest with the force's data, counted as such.
    hot, cells = _all_pages(site, "/api/v1/hotspots/grid")
    hot_months = hot["method"]["months"]
    assert hot_months
    assert hot_months[-1] == months[-1]
    assert sum(r["count"] for r in cells) == _force_total(files, hot_months)


def test_city_of_london_wards_are_in_no_met_hotspot_list(site: Client, real_data_dir: Path) -> None:
    boroughs = areas_read(real_data_dir / BOROUGHS)
    city = boroughs.geometries[boroughs.codes.index(CITY_OF_LONDON_CODE)]
    wards = areas_read(real_data_dir / WARDS)
    lookup = pl.read_csv(
        real_data_dir / "population" / "lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv",
        infer_schema_length=0,
    )
    best_fit = set(lookup.filter(pl.col("LAD24CD") == CITY_OF_LONDON_CODE)["WD24CD"].to_list())
    # A City ward: the best-fit look-up puts it in the City, or its inside point is in the City.
    in_city = shapely.contains_xy(city, wards.x, wards.y) | np.isin(wards.codes, list(best_fit))
    codes = {c for c, inside in zip(wards.codes, in_city, strict=True) if inside}
    names = {n for n, inside in zip(wards.names, in_city, strict=True) if inside}
    assert len(codes) >= 5  # the shipped 2024 wards hold five for the City
    _, listed = _all_pages(site, "/api/v1/hotspots/wards")
    assert listed
    assert not {r["area_code"] for r in listed} & codes
    assert "Aldersgate" in names
    for url in ("/data/maps/wards/", "/data/maps/wards/?format=csv"):
        seen = _texts(site.get(url).content.decode(), "csv" if "csv" in url else "html")
        assert not seen & names, url


def test_cli_and_site_totals_agree_on_the_2017_files(
    site: Client, files: dict[str, Any], real_data_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    """``vawg hotspots grid`` on the 2017 files counts the records the site stores (one per
    crime), and prints how many of them the site counts for the force area."""
    args = [
        "hotspots", "grid", str(real_data_dir / "police_uk" / "api"), "--out",
        str(tmp_path / "grid.csv"), "--category", CATEGORY, "--method", "counts",
        "--permutations", "0", "--json", "--all-forces",
    ]  # fmt: skip
    assert cli_main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    stored = StreetCrime.objects.filter(category=CATEGORY, month__year=2017).count()
    assert printed["events"] == stored == files["stored_violent"]
    months = sorted(files["force_by_month"])
    _, grid = _all_pages(site, "/api/v1/police-uk/grid", month_from=months[0], month_to=months[-1])
    site_total = sum(r["count"] for r in grid)
    assert printed["in_force_area"] == site_total == _force_total(files, months)
    assert printed["duplicates"] > 0  # the files repeat crimes; both count each once
    assert {m[:4] for m in months} == {"2017"}


def test_the_mets_tables_count_no_offence_outside_the_force(
    site: Client, real_data_dir: Path
) -> None:
    """The Met's offences by borough for 2024 add up to the file's for the 32 boroughs, less the
    offences the Met marks as having happened outside its area (ward "Non MET police force");
    the file holds no City of London row."""
    boroughs = [n for c, n in zip(*_boroughs(real_data_dir), strict=True) if MET.covers(c)]
    sheet = pl.read_parquet(real_data_dir / "mps" / "vawg-offences.parquet").filter(
        (pl.col("sheet") == "Offence count location")
        & (pl.col("recorded_date_months").dt.year() == 2024)
    )
    assert sheet.filter(pl.col("borough_name") == "City of London").is_empty()
    in_boroughs = sheet.filter(pl.col("borough_name").is_in(boroughs))
    outside = in_boroughs.filter(pl.col("ward_name_clean_2") == "Non MET police force")
    assert outside.height > 0
    expected = int(in_boroughs["count"].sum()) - int(outside["count"].sum())
    _, rows = _all_pages(
        site, "/api/v1/vawg/location", level="borough", month_from="2024-01", month_to="2024-12"
    )
    assert sum(r["count"] for r in rows) == expected
    assert {r["area_name"] for r in rows} <= set(boroughs)


def _boroughs(real_data_dir: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    areas = areas_read(real_data_dir / BOROUGHS)
    return areas.codes, areas.names
