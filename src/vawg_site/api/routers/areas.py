"""``/api/v1/areas/``: London's boroughs and 2024 wards with their ONS codes and outlines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Path, Query

from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import Limit, Offset
from vawg_site.common import geography

router = Router(tags=["areas"])


@router.get("/v1/areas/boroughs", response={200: s.AreaList, **p.ERRORS})
def boroughs(request: HttpRequest, limit: int = Limit, offset: int = Offset) -> HttpResponse:
    """London's boroughs with their 2024 ONS codes (LAD24CD)."""

    def build() -> p.Body:
        areas = geography.borough_list()
        return p.json_of(
            s.AreaList(
                provenance=p.provenance(p.GEO_SOURCE),
                page=p.page_of(len(areas), limit, offset),
                results=[p.area_out(a) for a in areas[offset : offset + limit]],
            )
        )

    return p.send(request, build, key=("boroughs", limit, offset))


@router.get("/v1/areas/boroughs.csv", **p.as_csv())
def boroughs_csv(request: HttpRequest) -> HttpResponse:
    """The boroughs as CSV."""

    def rows() -> list[tuple[str, str]]:
        return [(a.code, a.name) for a in geography.borough_list()]

    return p.send(request, p.csv_of(("code", "name"), rows), key=("boroughs.csv",))


@router.get("/v1/areas/boroughs.geojson", **p.as_geojson())
def boroughs_geojson(request: HttpRequest) -> HttpResponse:
    """Borough outlines (generalised, WGS84) as GeoJSON."""

    def build() -> p.Body:
        features = geography.area_features(kind="borough")
        return p.geojson_of(features, {"provenance": p.GEO_SOURCE})

    return p.send(request, build, key=("boroughs.geojson",))


Borough = Query(None, max_length=9, description="a borough code, e.g. E09000001")


@router.get("/v1/areas/wards", response={200: s.AreaList, **p.ERRORS_404})
def wards(
    request: HttpRequest,
    borough: str | None = Borough,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """London's 2024 wards (WD24CD) with their borough."""
    p.borough_known(borough)

    def build() -> p.Body:
        areas = geography.ward_list(borough_code=borough)
        return p.json_of(
            s.AreaList(
                provenance=p.provenance(p.GEO_SOURCE),
                page=p.page_of(len(areas), limit, offset),
                results=[p.area_out(a) for a in areas[offset : offset + limit]],
            )
        )

    return p.send(request, build, key=("wards", borough, limit, offset))


@router.get("/v1/areas/wards.csv", **p.as_csv(p.ERRORS_404))
def wards_csv(
    request: HttpRequest, borough: str | None = Query(None, max_length=9)
) -> HttpResponse:
    """The wards as CSV."""
    p.borough_known(borough)

    def rows() -> list[tuple[str, str, str, str]]:
        return [
            (a.code, a.name, a.borough_code, a.borough_name)
            for a in geography.ward_list(borough_code=borough)
        ]

    header = ("code", "name", "borough_code", "borough_name")
    return p.send(request, p.csv_of(header, rows), key=("wards.csv", borough))


@router.get("/v1/areas/wards.geojson", **p.as_geojson(p.ERRORS_404))
def wards_geojson(
    request: HttpRequest, borough: str | None = Query(None, max_length=9)
) -> HttpResponse:
    """Ward outlines (generalised, WGS84) as GeoJSON."""
    p.borough_known(borough)

    def build() -> p.Body:
        features = geography.area_features(kind="ward", borough_code=borough)
        return p.geojson_of(features, {"provenance": p.GEO_SOURCE})

    return p.send(request, build, key=("wards.geojson", borough))


@router.get("/v1/areas/{code}", response={200: s.AreaDetail, **p.ERRORS_404})
def area_detail(
    request: HttpRequest,
    code: str = Path(
        ...,
        pattern=r"^E0[59][0-9]{6}$",
        description="ONS code of a London borough (E09...) or 2024 ward (E05...)",
    ),
) -> HttpResponse:
    """One borough (with its wards) or ward, by ONS code."""
    area = geography.area_get(code)
    if area is None:
        raise HttpError(404, f"no London borough or ward has the code {code!r}")

    def build() -> p.Body:
        wards = geography.ward_list(borough_code=area.code) if area.kind == "borough" else []
        return p.json_of(
            s.AreaDetail(
                provenance=p.provenance(p.GEO_SOURCE),
                area=p.area_out(area),
                wards=[p.area_out(w) for w in wards],
            )
        )

    return p.send(request, build, key=("area", code))
