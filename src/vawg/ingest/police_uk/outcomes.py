"""Outcomes of data.police.uk (``YYYY-MM-force-outcomes.csv``), normalised to
:data:`vawg.schemas.STREET_OUTCOME` (``opendata.StreetOutcome``).

Rows are outcome events, several per crime. A row is identified by (Crime ID, month, outcome
type, occurrence number among identical rows of the file): two suspects charged for one crime are
two rows. An outcome names its crime by the Crime ID; the crime is often in an earlier month.
"""

from __future__ import annotations

import polars as pl

from vawg.ingest.common import CsvTable
from vawg.ingest.plausible import plausibility_rules
from vawg.ingest.police_uk.rules import (
    OUTCOME,
    OUTCOME_COLUMNS,
    OUTCOME_CSV_COLUMNS,
    PoliceUkBatch,
    coordinate_columns,
    coordinate_rules,
    lsoa_vintage,
    month_column,
    month_rule,
    occurrences_number,
    raw_text,
    read_columns,
    rows_split,
)
from vawg.schemas import POLICE_UK_OUTCOMES_FILE, STREET_OUTCOME


def outcomes_csv(chunk: CsvTable, file: str, counter: dict[str, int]) -> PoliceUkBatch:
    """A chunk of an outcomes CSV file, normalised, each row numbered among its identical rows
    (``counter`` carries the numbers from one chunk of the file to the next)."""
    rows = chunk.rows
    frame = rows.select(
        *read_columns(POLICE_UK_OUTCOMES_FILE),
        pl.col("_line"),
        raw_text(OUTCOME_CSV_COLUMNS).alias("_raw"),
    ).with_columns(month_column(), *coordinate_columns())
    rules = [
        (pl.col("crime_id") == "", pl.lit("Crime ID is blank (an outcome must name its crime)")),
        month_rule(),
        (pl.col("outcome_type") == "", pl.lit("Outcome type is blank")),
        *coordinate_rules(),
        *plausibility_rules(STREET_OUTCOME, frame.columns),
    ]
    good, bad = rows_split(frame, rules, file=file)
    identity = good.select(
        pl.concat_str(["crime_id", "month_raw", "outcome_type"], separator="\x1f")
    ).to_series()
    occurrence = occurrences_number(identity.to_list(), counter)
    # The occurrence is numbered only now, so its plausibility (the stored column's range) is
    # checked now: tens of thousands of identical outcome rows are not a real file.
    numbered = good.with_columns(pl.Series("occurrence", occurrence, dtype=pl.Int64))
    numbered, too_many = rows_split(
        numbered, plausibility_rules(STREET_OUTCOME, ["occurrence"]), file=file
    )
    vintage = lsoa_vintage(numbered["lsoa_code"].unique().to_list())
    out = numbered.with_columns(pl.lit(vintage).alias("lsoa_vintage")).select(OUTCOME_COLUMNS)
    rejections = sorted([*chunk.rejections, *bad, *too_many], key=lambda r: r.line)
    read = rows.height + len(chunk.rejections)
    return PoliceUkBatch(OUTCOME, file, out, read, 0, tuple(rejections))
