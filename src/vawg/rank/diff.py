"""What changed between two lists: who is new, who left, who moved up or down.

The tasking list is made every month; an officer reads what changed since the last one first.
"""

from __future__ import annotations

import polars as pl

CHANGES = ("new", "up", "same", "down", "left")
"""The kinds of change, in the order a reader wants them."""


def list_diff(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Compare two ranked lists (each ``person_ref, rank``; other columns ignored).

    Returns one row per man on either list: ``person_ref``, ``rank`` (now; null when he left),
    ``previous_rank`` (null when new), ``change`` (:data:`CHANGES`) and ``places`` (how many
    places he rose: previous rank minus rank; null when new or left). Sorted by the current rank,
    the men who left last (by their previous rank).

    >>> before = pl.DataFrame({"person_ref": ["A", "B", "C"], "rank": [1, 2, 3]})
    >>> after = pl.DataFrame({"person_ref": ["B", "D", "A"], "rank": [1, 2, 3]})
    >>> for row in list_diff(before, after).rows():
    ...     print(row)
    ('B', 1, 2, 'up', 1)
    ('D', 2, None, 'new', None)
    ('A', 3, 1, 'down', -2)
    ('C', None, 3, 'left', None)
    """
    for name, frame in (("previous", previous), ("current", current)):
        missing = {"person_ref", "rank"} - set(frame.columns)
        if missing:
            raise ValueError(f"the {name} list lacks {', '.join(sorted(missing))}")
        if frame["person_ref"].n_unique() != frame.height:
            raise ValueError(f"the {name} list names someone twice")
    now = current.select("person_ref", pl.col("rank").cast(pl.Int64))
    before = previous.select("person_ref", pl.col("rank").cast(pl.Int64).alias("previous_rank"))
    joined = now.join(before, on="person_ref", how="full", coalesce=True)
    places = pl.col("previous_rank") - pl.col("rank")
    change = (
        pl.when(pl.col("previous_rank").is_null())
        .then(pl.lit("new"))
        .when(pl.col("rank").is_null())
        .then(pl.lit("left"))
        .when(places > 0)
        .then(pl.lit("up"))
        .when(places < 0)
        .then(pl.lit("down"))
        .otherwise(pl.lit("same"))
    )
    return (
        joined.with_columns(change.alias("change"), places.alias("places"))
        .sort(
            [pl.col("rank").is_null(), "rank", "previous_rank", "person_ref"],
            nulls_last=True,
        )
        .select("person_ref", "rank", "previous_rank", "change", "places")
    )
