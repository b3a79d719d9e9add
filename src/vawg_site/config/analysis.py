"""The analysis settings table: how the site's published analyses are run, declared once.

The hotspot maps and the API's hotspot tables run one analysis each for wards and for grids
(:mod:`vawg_site.opendata.selectors.hotspots`). Their method, permutations, seed, grid cell and
default period come from this table, so the map a visitor sees and the table an analyst downloads
always agree. Each entry names the environment variable, its default, its unit and what it does;
``docs/settings.md`` is written from this table by ``vawg docs`` and a test checks that the two
agree. A value outside what the entry accepts stops the site at start-up with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SCORE_METHODS = ("counts", "recency", "gistar")
"""Scores a published hotspot table may carry (``vawg.spatial.run``): the period's density
(``counts``), the forecasting score (``recency``) or the Gi* z-score (``gistar``). The z, p, q and
class columns are the Gi* significance layer whatever the score."""


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, not {raw!r}")
        return value

    return parse


def _int_between(low: int, high: int, *, step: int = 1) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high or value % step:
            rule = f"a multiple of {step} " if step > 1 else ""
            raise ValueError(f"must be {rule}from {low} to {high}, not {raw!r}")
        return value

    return parse


@dataclass(frozen=True)
class AnalysisSetting:
    name: str
    default: str
    unit: str
    help: str
    parse: Callable[[str], Any]


ANALYSIS_SETTINGS: dict[str, AnalysisSetting] = {
    s.name: s
    for s in (
        AnalysisSetting(
            "VAWG_HOTSPOT_SCORE",
            "counts",
            "method",
            "The `score` of the published hotspot tables (ward and grid maps, and the API): "
            "`counts` is the period's density (offences per km² for wards, per cell for grids), "
            "`recency` the forecasting score of `vawg hotspots`, `gistar` the Gi* z-score. The "
            "hotspot classes are Gi* whatever the score.",
            _choice(SCORE_METHODS),
        ),
        AnalysisSetting(
            "VAWG_HOTSPOT_PERMUTATIONS",
            "999",
            "permutations",
            "Conditional permutations behind each Gi* p-value (99 to 99,999).",
            _int_between(99, 99_999),
        ),
        AnalysisSetting(
            "VAWG_HOTSPOT_SEED",
            "0",
            "integer",
            "Seed of the permutations, so that a published result can be repeated exactly.",
            _int_between(0, 2**32 - 1),
        ),
        AnalysisSetting(
            "VAWG_HOTSPOT_CELL_M",
            "1000",
            "metres",
            "Side of the grid squares of the street-level hotspot map, and the API's default "
            "(500, 1000, 1500 or 2000).",
            _int_between(500, 2000, step=500),
        ),
        AnalysisSetting(
            "VAWG_HOTSPOT_MONTHS",
            "12",
            "months",
            "The period a hotspot map or API table covers when none is asked for: the latest this "
            "many months with data (1 to 120).",
            _int_between(1, 120),
        ),
    )
}


@dataclass(frozen=True)
class Analysis:
    """The analysis settings in force (see :data:`ANALYSIS_SETTINGS`)."""

    hotspot_score: str
    hotspot_permutations: int
    hotspot_seed: int
    hotspot_cell_m: int
    hotspot_months: int


def analysis_read(environ: Mapping[str, str] | None = None) -> Analysis:
    """The analysis settings from the environment (defaults where unset).

    >>> analysis_read({}).hotspot_permutations
    999
    >>> analysis_read({"VAWG_HOTSPOT_SCORE": "kde"})
    Traceback (most recent call last):
    ValueError: VAWG_HOTSPOT_SCORE must be one of counts, recency, gistar, not 'kde'
    """
    source = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in ANALYSIS_SETTINGS.values():
        raw = source.get(s.name, s.default)
        try:
            values[s.name.removeprefix("VAWG_").lower()] = s.parse(raw)
        except ValueError as error:
            raise ValueError(f"{s.name} {error}") from None
    return Analysis(**values)


def analysis_markdown() -> str:
    """The analysis settings table as Markdown, for ``docs/settings.md``."""
    lines = [
        "## Analysis settings",
        "",
        "How the published analyses are run, declared once in `src/vawg_site/config/analysis.py`.",
        "The hotspot maps and the API's hotspot tables use the same values, so they agree.",
        "",
        "| name | default | unit | what it does |",
        "|---|---|---|---|",
    ]
    for s in ANALYSIS_SETTINGS.values():
        lines.append(f"| `{s.name}` | `{s.default}` | {s.unit} | {s.help} |")
    return "\n".join(lines) + "\n"
