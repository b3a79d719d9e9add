"""What the coverage page and the coverage note beside each figure show: each source's coverage
(:mod:`vawg_site.opendata.selectors.coverage`) with when it was last loaded
(:func:`vawg_site.ingest.selectors.load_finished_by_source`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vawg_site.ingest.selectors import load_finished_by_source
from vawg_site.opendata.selectors.coverage import Coverage, SourceCoverage, coverage


@dataclass(frozen=True)
class SourceRow:
    """One source as the coverage page lists it."""

    source: SourceCoverage
    last_updated: dt.datetime | None


@dataclass(frozen=True)
class CoverageView:
    coverage: Coverage
    rows: tuple[SourceRow, ...]

    @property
    def note(self) -> str:
        return self.coverage.note

    @property
    def street_not_counted(self) -> int:
        return self.coverage.street_not_counted

    @property
    def last_updated(self) -> dt.datetime | None:
        """When any source was last loaded."""
        times = [r.last_updated for r in self.rows if r.last_updated is not None]
        return max(times) if times else None


def coverage_view() -> CoverageView:
    """Every source's coverage and last load."""
    found = coverage()
    finished = load_finished_by_source()
    rows = tuple(SourceRow(s, finished.get(s.ingest_source)) for s in found.sources)
    return CoverageView(coverage=found, rows=rows)
