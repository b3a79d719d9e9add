"""Loading the Met's recorded crime by borough, ward and LSOA (London Datastore) into
``RecordedCrimeCount``, one stored row per published (area, category, month) count, upserted by
that identity (:mod:`vawg.ingest.mps_recorded`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from vawg.ingest.mps_recorded import mps_recorded_read
from vawg.schemas import RECORDED_CRIME_COUNT
from vawg_site.ingest.services.bulk import Progress, target_plain
from vawg_site.ingest.services.runs import LoadResult, counts_load

RECORDED_COUNT_TARGET = target_plain(RECORDED_CRIME_COUNT)


def mps_recorded_load(*, paths: Sequence[Path], progress: Progress | None = None) -> LoadResult:
    """Load the Met's recorded crime by borough, ward and LSOA (``recorded-crime*.parquet``,
    London Datastore), one stored row per published (area, category, month) count."""
    started = time.perf_counter()
    return counts_load(
        RECORDED_COUNT_TARGET,
        mps_recorded_read(paths),
        source="mps-recorded",
        paths=paths,
        progress=progress,
        started=started,
        details={},
    )
