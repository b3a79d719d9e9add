"""Ranking straight from a force extract folder: what ``vawg rank`` runs.

Reads the allegations each method needs (the window and the serial look-back; for ``learned``,
the month's fitted model, :mod:`vawg.rank.model_store`, and three years with the outcomes,
orders and markers), then ranks with :func:`vawg.rank.score.ranking_compute`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import polars as pl

from vawg.extract import extract_files_find
from vawg.harm import HarmTable, harm_table_default
from vawg.rank.allegations import allegations_load
from vawg.rank.learned import context_load
from vawg.rank.model_store import model_obtain
from vawg.rank.score import (
    SERIAL_DAYS,
    Ranking,
    RfgvWeights,
    _check,
    _ranking_finish,
    _window_scores,
    ranking_compute,
)
from vawg.taxonomy import Taxonomy, taxonomy_load


def ranking_run(
    *,
    folder: Path,
    as_of: date,
    window_days: int = 365,
    top: int | None = 100,
    method: str = "v100",
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
    weights: RfgvWeights | None = None,
    cache: bool = False,
    model_file: Path | None = None,
) -> Ranking:
    """Rank straight from a force extract folder (what ``vawg rank`` runs).

    Parameters
    ----------
    folder : Path
        A force extract (``docs/extract.md``).
    as_of : date
    window_days : int
        Days (default 365).
    top : int or None
    method : {"v100", "rfgv", "count"}
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional
    weights : RfgvWeights, optional
    cache : bool
        Read CSV tables through a Parquet copy kept in the folder (default off; ``vawg rank``
        turns it on); for ``learned``, also keep the fitted model there
        (:func:`vawg.rank.model_store.model_obtain`).
    model_file : Path, optional
        For ``learned``: score with this fitted model (``vawg rank fit``) instead of the
        month's.

    Returns
    -------
    Ranking

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text(
    ...     "crime_ref,recorded_date,offence_code,domestic_abuse\\nC1,2024-03-01,8Q,N\\n")
    >>> _ = (d / "involvements.csv").write_text(
    ...     "crime_ref,person_ref,role,relationship\\nC1,S1,suspect,\\nC1,V1,victim,\\n")
    >>> ranking_run(folder=d, as_of=date(2024, 12, 31)).table["harm_days"].to_list()
    [10.0]
    """
    _check(method, window_days, top)
    load = partial(
        allegations_load, folder=folder, taxonomy=taxonomy, harm=harm, vawg_only=True, cache=cache
    )
    window_start = as_of - timedelta(days=window_days)
    serial_start = as_of - timedelta(days=SERIAL_DAYS)
    if method == "learned":
        return _learned_run(
            folder=folder,
            as_of=as_of,
            window_days=window_days,
            top=top,
            harm=harm,
            taxonomy=taxonomy,
            cache=cache,
            model_file=model_file,
        )
    files = extract_files_find(folder=folder, cache=cache)
    columnar = all(path.suffix == ".parquet" for path in files.files.values())
    if cache or not columnar or window_start <= serial_start:
        # One read of the whole look-back: with the cache it is a filtered read of the
        # prepared allegations (vawg.rank.prepared); parsing a CSV twice would cost more than
        # it saves.
        return ranking_compute(
            load(start=min(window_start, serial_start), end=as_of),
            as_of=as_of,
            window_days=window_days,
            top=top,
            method=method,
            weights=weights,
        )
    # From Parquet, two reads: the window, for everyone's scores; then the earlier years of the
    # serial look-back for the listed people only (most of a 3-year read is people the list
    # leaves out). The list is the one a single 3-year read gives (tested).
    allegations = load(start=window_start, end=as_of)
    scores = _window_scores(
        allegations, as_of=as_of, window_days=window_days, method=method, weights=weights
    )
    listed = scores.head(top) if top is not None else scores
    earlier = load(
        start=serial_start,
        end=window_start - timedelta(days=1),
        suspects_in=listed.get_column("person_ref").to_list(),
    )
    history = replace(
        allegations,
        suspects=pl.concat([allegations.suspects, earlier.suspects]),
        victims=pl.concat([allegations.victims, earlier.victims]),
        start=serial_start,
    )
    return _ranking_finish(
        listed,
        allegations=allegations,
        history=history,
        pool_size=scores.height,
        method=method,
        as_of=as_of,
        window_days=window_days,
    )


def _learned_run(
    *,
    folder: Path,
    as_of: date,
    window_days: int,
    top: int | None,
    harm: HarmTable | None,
    taxonomy: Taxonomy | None,
    cache: bool,
    model_file: Path | None,
) -> Ranking:
    # The month's fitted model (read, or fitted and kept), then three years read to score.
    harm = harm or harm_table_default()
    taxonomy = taxonomy or taxonomy_load()
    stored, note = model_obtain(
        folder=folder,
        as_of=as_of,
        harm=harm,
        taxonomy=taxonomy,
        cache=cache,
        model_file=model_file,
    )
    lookback = stored.model.lookback_days
    allegations = allegations_load(
        folder=folder,
        start=as_of - timedelta(days=max(window_days, SERIAL_DAYS, lookback)),
        end=as_of,
        taxonomy=taxonomy,
        harm=harm,
        vawg_only=True,
        cache=cache,
    )
    context = context_load(
        folder=folder, end=as_of, cache=cache, recorded_from=as_of - timedelta(days=lookback)
    )
    ranking = ranking_compute(
        allegations,
        as_of=as_of,
        window_days=window_days,
        top=top,
        method="learned",
        context=context,
        model=stored.model,
    )
    return replace(ranking, notes=(note,) if note else ())
