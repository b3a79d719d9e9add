"""Reader for data.police.uk: street-level crimes (monthly CSV files and the API's
``crimes-street`` JSON, normalised to one table), outcomes CSV files and stop-and-search CSV files.

One module per kind of file, and two they share:

* :mod:`~vawg.ingest.police_uk.read`: which files the paths name, what kind each is, and the
  batches they are read into, streaming (the entry points below);
* :mod:`~vawg.ingest.police_uk.street`: street records, CSV and API JSON, and their identity;
* :mod:`~vawg.ingest.police_uk.outcomes`: outcome events;
* :mod:`~vawg.ingest.police_uk.stop_search`: stop and search;
* :mod:`~vawg.ingest.police_uk.rules`: the kinds and their tables, the batch, crime types, LSOA
  vintages and the rules a row is checked by.

Every row read is kept, counted as a duplicate of a row with the same identity, or rejected with
its file, line and reason. Method: data.police.uk, "About the data" and the API documentation
(https://data.police.uk/docs/).
"""

from __future__ import annotations

from vawg.ingest.police_uk.read import (
    CHUNK_ROWS,
    OUTCOMES_MARKERS,
    STOP_AND_SEARCH_MARKERS,
    police_uk_batches,
    police_uk_files,
    police_uk_read,
    police_uk_read_file,
)
from vawg.ingest.police_uk.rules import (
    COLUMNS,
    CSV_COLUMNS,
    LAT_RANGE,
    LON_RANGE,
    LSOA11_LAST,
    OUTCOME,
    OUTCOME_COLUMNS,
    OUTCOME_CSV_COLUMNS,
    STOP_SEARCH,
    STOP_SEARCH_COLUMNS,
    STOP_SEARCH_CSV_COLUMNS,
    STREET,
    PoliceUkBatch,
    category_slug,
    category_table,
    coordinate_rules,
    lsoa_vintage,
)

__all__ = [
    "CHUNK_ROWS",
    "COLUMNS",
    "CSV_COLUMNS",
    "LAT_RANGE",
    "LON_RANGE",
    "LSOA11_LAST",
    "OUTCOME",
    "OUTCOMES_MARKERS",
    "OUTCOME_COLUMNS",
    "OUTCOME_CSV_COLUMNS",
    "STOP_AND_SEARCH_MARKERS",
    "STOP_SEARCH",
    "STOP_SEARCH_COLUMNS",
    "STOP_SEARCH_CSV_COLUMNS",
    "STREET",
    "PoliceUkBatch",
    "category_slug",
    "category_table",
    "coordinate_rules",
    "lsoa_vintage",
    "police_uk_batches",
    "police_uk_files",
    "police_uk_read",
    "police_uk_read_file",
]
