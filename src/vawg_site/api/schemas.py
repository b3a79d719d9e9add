"""Response shapes of the open-data API (pydantic, through django-ninja): what the OpenAPI schema
promises and what schemathesis checks every response against."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """A 4xx answer: what was wrong, in words."""

    detail: str


class Provenance(Schema):
    """Where figures come from and what was done to them."""

    source: str
    publisher: str
    url: str
    licence: str
    disclosure: str
    caveats: list[str]


class Page(Schema):
    """Pagination: ``count`` results in all; this page has ``limit`` from ``offset``."""

    count: int
    limit: int
    offset: int
    next_offset: int | None


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    borough_code: str
    borough_name: str


class AreaList(Schema):
    provenance: Provenance
    page: Page
    results: list[AreaOut]


class AreaDetail(Schema):
    provenance: Provenance
    area: AreaOut
    wards: list[AreaOut]


class MonthsOut(Schema):
    source: str
    measure: str
    first: str | None
    last: str | None
    months: list[str]


class MonthsList(Schema):
    results: list[MonthsOut]
    caveats: list[str]


class CategoryOut(Schema):
    slug: str
    label: str


class CategoriesOut(Schema):
    police_uk: list[CategoryOut]
    offence_groups: list[str]
    vawg_offences: list[str]
    age_groups: list[str]
    ethnic_groups: list[str]
    vawg_sheets: list[str]


class LocationCountOut(Schema):
    area_code: str
    area_name: str
    borough_name: str
    month: str
    count: int
    recording_system: str


class LocationCounts(Schema):
    provenance: Provenance
    measure: str
    sheet: str
    level: str
    page: Page
    results: list[LocationCountOut]


class GroupCountOut(Schema):
    group: str
    month: str
    count: int
    recording_system: str


class GroupCounts(Schema):
    provenance: Provenance
    measure: str
    sheet: str
    breakdown: str
    page: Page
    results: list[GroupCountOut]


class LsoaCountOut(Schema):
    lsoa_code: str
    lsoa_name: str
    month: str
    count: int


class GridCountOut(Schema):
    x: float
    y: float
    cell_size_m: int
    month: str
    count: int


class StreetLsoaCounts(Schema):
    provenance: Provenance
    category: str
    unit: str
    page: Page
    results: list[LsoaCountOut]


class StreetGridCounts(Schema):
    provenance: Provenance
    category: str
    unit: str
    crs: str
    page: Page
    results: list[GridCountOut]


class WardHotspotOut(Schema):
    area_code: str
    area_name: str
    count: float
    score: float | None
    z: float | None
    p: float | None
    q: float | None
    hotspot_class: str
    trend: str | None
    female_residents: int | None = None
    """Census 2021 female residents (best-fit ward sums): the exposure of ``expected``."""
    expected: float | None = None
    """Offences expected from the ward's female residents at the force area's rate."""
    ratio: float | None = None
    """``count / expected``: also the ward's rate over the force area's."""
    excess_p: float | None = None
    """Two-sided exact Poisson p-value of ``count`` against ``expected``."""
    excess_q: float | None = None
    """Benjamini-Hochberg q-value of ``excess_p`` over the wards tested."""
    excess_class: str = "none"
    """``more``, ``fewer`` or ``about`` (as expected) at q < alpha; ``none`` when not tested."""


class GridHotspotOut(Schema):
    x: float
    y: float
    cell_size_m: float
    count: float
    score: float | None
    z: float | None
    p: float | None
    q: float | None
    hotspot_class: str
    land_km2: float | None = None
    """The square's land inside the force area (km²): the exposure of ``expected``."""
    expected: float | None = None
    """Crimes expected if the force area's crimes were spread evenly over its land."""
    ratio: float | None = None
    excess_p: float | None = None
    excess_q: float | None = None
    excess_class: str = "none"


class ExcessMethod(Schema):
    """How the ``expected`` ... ``excess_class`` fields were worked out."""

    method: str
    exposure: str
    rate: float | None
    """The force area's rate, offences per unit of ``rate_unit`` over the period."""
    rate_unit: str
    alpha: float
    fdr: str


class HotspotMethod(Schema):
    method: str
    description: str = "Getis-Ord Gi*, conditional permutations, BH FDR"
    """What ``z``, ``p``, ``q`` and ``hotspot_class`` are: clusters, not counts."""
    permutations: int
    fdr: str
    neighbours: str
    seed: int | None
    months: list[str]
    score: str
    """The method of the ``score`` column (``counts``, ``recency`` or ``gistar``)."""
    score_meaning: str
    excess: ExcessMethod | None = None


class WardHotspots(Schema):
    provenance: Provenance
    label: str
    method: HotspotMethod
    page: Page
    results: list[WardHotspotOut]


class GridHotspots(Schema):
    provenance: Provenance
    label: str
    method: HotspotMethod
    crs: str
    page: Page
    results: list[GridHotspotOut]


class DisclosureOut(Schema):
    """The rule applied to a force-derived table (shown beside its figures)."""

    rule: str
    threshold: int
    rounding_base: int
    totals: str
    suppressed_cells: int


class ForceGroupRow(Schema):
    group: str
    counts: list[int | None]
    status: list[str]
    total: int | None
    total_status: str


class ForceGroupMonth(Schema):
    provenance: Provenance
    disclosure: DisclosureOut
    year: int
    """The calendar year of the table: force tables are published for whole years only."""
    months: list[str]
    rows: list[ForceGroupRow]
    month_totals: list[int | None]
    month_total_status: list[str]
    grand_total: int | None
    grand_total_status: str


class ForceCellOut(Schema):
    """A grid cell by its square (EPSG:27700 corner and side), or the crimes with no location."""

    x_min: float | None
    y_min: float | None
    cell_size_m: int
    count: int | None
    status: str
    rule: str


class ForceGrid(Schema):
    provenance: Provenance
    disclosure: DisclosureOut
    year: int
    """The calendar year of the table: force tables are published for whole years only."""
    crs: str
    total: int | None
    total_status: str
    page: Page
    results: list[ForceCellOut]
