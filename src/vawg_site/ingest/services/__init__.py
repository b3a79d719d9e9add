"""Loads: read files with the pure readers of :mod:`vawg.ingest`, then store them in one
transaction, recording an :class:`~vawg_site.ingest.models.IngestRun` and a quarantine of every
rejected row.

One module per source, and two they share:

* :mod:`~vawg_site.ingest.services.police_uk`: data.police.uk street records by (``crime_key``,
  ``month``), outcomes and stop and search;
* :mod:`~vawg_site.ingest.services.mps_vawg`: the Met's VAWG counts by ``natural_key``, the SHA-1
  of the full natural key;
* :mod:`~vawg_site.ingest.services.mps_recorded`: the Met's recorded crime by area, category and
  month;
* :mod:`~vawg_site.ingest.services.force`: force records by their references (``crime_ref``,
  ``person_ref``, ``order_ref``; an involvement by crime, person and role);
* :mod:`~vawg_site.ingest.services.bulk`: how rows reach a table in bulk (staging, ``COPY``,
  ``INSERT ... ON CONFLICT``; into an empty table, appending, with its indexes dropped and rebuilt
  on SQLite and kept on PostgreSQL, where dropping them would lock the site's readers out);
* :mod:`~vawg_site.ingest.services.runs`: the :class:`LoadResult` and the record of each load.

Each load upserts by the source's identity, so loading the same files again adds nothing. The
statement's row count is what was inserted or changed: that is ``loaded``; the rest of what was
kept (identical to what is stored, or repeated within the input) is ``duplicates``.

``progress``, when given, is called as ``progress(rows)`` with the number of rows just stored, once
per batch, like tqdm's ``update`` (the demo passes ``bar.update``); reading the files comes first
and does not call it.
"""

from __future__ import annotations

from vawg_site.ingest.services.bulk import (
    BATCH_ROWS,
    TEMP_IN_MEMORY_MAX_ROWS,
    TEST_MARKER_ENV,
    Progress,
)
from vawg_site.ingest.services.force import force_load
from vawg_site.ingest.services.mps_recorded import mps_recorded_load
from vawg_site.ingest.services.mps_vawg import mps_vawg_load
from vawg_site.ingest.services.police_uk import police_uk_load
from vawg_site.ingest.services.runs import LoadResult

__all__ = [
    "BATCH_ROWS",
    "TEMP_IN_MEMORY_MAX_ROWS",
    "TEST_MARKER_ENV",
    "LoadResult",
    "Progress",
    "force_load",
    "mps_recorded_load",
    "mps_vawg_load",
    "police_uk_load",
]
