"""Loading the Met's VAWG offence and victim extracts (London Datastore) into ``VawgCount``,
upserted by ``natural_key`` (:mod:`vawg.ingest.mps_vawg`), with ward names matched to 2024 ward
codes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from vawg.ingest.mps_vawg import mps_vawg_read
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read
from vawg.paths import data_dir_default
from vawg.schemas import VAWG_COUNT
from vawg_site.ingest.services.bulk import Progress, target_plain
from vawg_site.ingest.services.runs import LoadResult, counts_load

VAWG_COUNT_TARGET = target_plain(VAWG_COUNT)


def mps_vawg_load(
    *,
    paths: Sequence[Path],
    ward_lookup: Path | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load the Met's VAWG offence and victim extracts (``.parquet`` or ``.csv``).

    Ward names are matched to 2024 ward codes with ``ward_lookup`` (default: the lookup in the
    real data folder, when present; otherwise ward codes are left blank, with a notice).
    """
    started = time.perf_counter()
    lookup = ward_lookup or data_dir_default() / WARD_LOOKUP_RELATIVE
    wards = ward_lookup_read(lookup) if lookup.is_file() else None
    result = mps_vawg_read(paths, wards=wards)
    unmatched = [w.as_dict() for w in result.unmatched_wards]
    return counts_load(
        VAWG_COUNT_TARGET,
        result,
        source="mps-vawg",
        paths=paths,
        progress=progress,
        started=started,
        details={"unmatched_wards": unmatched},
    )
