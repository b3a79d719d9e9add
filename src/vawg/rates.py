"""Rates per 1,000 female residents, for areas whose female population comes from Census 2021.

The denominators are the Census 2021 table TS008 (sex) counts for 2021 LSOAs, summed to 2024 wards
through ONS's best-fit lookup (``population/census2021_ts008_sex_ward24_london_derived.csv``; ONS
Census 2021 TS008 via Nomis and the ONS Open Geography Portal's *LSOA (2021) to Electoral Ward
(2024) to LAD (2024) Best Fit Lookup in EW*, both OGL v3.0; ``docs/sources.md``). Three caveats
travel with every rate and are returned as columns so that a page can show them beside the figure:

* ward populations are **best-fit sums** of LSOAs, not an official ward table: a ward that receives
  few LSOAs can have a population far from its true one, so its rate can be badly off;
* the **City of London**'s resident base is tiny against a large daytime population, and its 6
  LSOAs are fitted to only 5 of its 25 wards, so per-resident rates there are not meaningful;
* Census counts are rounded and perturbed by ONS for disclosure control.

A rate is ``count / female residents x 1,000`` over whatever period the counts cover (12 months of
counts give an annual rate). It is undefined (null) when the area has no female residents in the
table. The method is the crude rate of ONS and the Home Office's "offences per 1,000 population".
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from vawg.errors import UserInputError

WARD_POPULATION_FILE = "population/census2021_ts008_sex_ward24_london_derived.csv"
"""The ward denominators, relative to the real data folder."""

CITY_OF_LONDON = "City of London"
FEW_LSOAS = 2
"""A ward best-fitted with this many LSOAs or fewer is flagged: its population is least reliable."""


def ward_population_read(path: Path) -> pl.DataFrame:
    """Female residents per 2024 ward, from the derived Census 2021 file.

    Parameters
    ----------
    path : Path
        ``population/census2021_ts008_sex_ward24_london_derived.csv`` (columns ``WD24CD``,
        ``WD24NM``, ``LAD24NM``, ``n_lsoa21``, ``female`` among others).

    Returns
    -------
    pl.DataFrame
        ``ward_code``, ``ward_name``, ``borough``, ``n_lsoa21`` (int), ``female`` (int, persons).

    Examples
    --------
    >>> import tempfile
    >>> text = "WD24CD,WD24NM,LAD24CD,LAD24NM,n_lsoa21,all_persons,female,male\\n"
    >>> text += "E05000001,Aldgate,E09000001,City of London,0,0,0,0\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "w.csv"
    ...     _ = p.write_text(text)
    ...     ward_population_read(p).row(0)
    ('E05000001', 'Aldgate', 'City of London', 0, 0)
    """
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    need = {"WD24CD", "WD24NM", "LAD24NM", "n_lsoa21", "female"}
    if not need <= set(raw.columns):
        raise UserInputError(f"{path}: not the ward population file (needs {sorted(need)})")
    return raw.select(
        ward_code=pl.col("WD24CD"),
        ward_name=pl.col("WD24NM"),
        borough=pl.col("LAD24NM"),
        n_lsoa21=pl.col("n_lsoa21").cast(pl.Int64),
        female=pl.col("female").cast(pl.Int64),
    )


def rate_per_1000(count: float, female: int | None) -> float | None:
    """Crude rate per 1,000 female residents; None when there is no female population.

    Parameters
    ----------
    count : float
        Offences (or victims) over the period.
    female : int or None
        Female residents (persons).

    Returns
    -------
    float or None
        Per 1,000 female residents over the same period as ``count``.

    Examples
    --------
    >>> rate_per_1000(25, 5_000)
    5.0
    >>> rate_per_1000(3, 0) is None, rate_per_1000(3, None) is None
    (True, True)
    """
    if not female:
        return None
    return count / female * 1000.0


def ward_rates(*, counts: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """Counts per ward joined to female residents, with the rate and its caveats.

    Parameters
    ----------
    counts : pl.DataFrame
        ``ward_code`` and ``count`` (one row per ward; wards absent have no count).
    population : pl.DataFrame
        As returned by :func:`ward_population_read`.

    Returns
    -------
    pl.DataFrame
        One row per ward of ``population`` (every ward, in its order): ``ward_code``,
        ``ward_name``, ``borough``, ``count`` (0 where none), ``female``, ``rate_per_1000``
        (null where female is 0), ``city_of_london`` (bool), ``few_lsoas`` (bool: best-fitted
        with :data:`FEW_LSOAS` LSOAs or fewer).

    Examples
    --------
    >>> pop = pl.DataFrame({"ward_code": ["A", "B", "C"], "ward_name": ["a", "b", "c"],
    ...                     "borough": ["Camden", "Camden", "City of London"],
    ...                     "n_lsoa21": [6, 1, 0], "female": [4000, 1000, 0]})
    >>> out = ward_rates(counts=pl.DataFrame({"ward_code": ["A", "C"], "count": [20, 3]}),
    ...                  population=pop)
    >>> out["count"].to_list(), out["rate_per_1000"].to_list()
    ([20, 0, 3], [5.0, 0.0, None])
    >>> out["city_of_london"].to_list(), out["few_lsoas"].to_list()
    ([False, False, True], [False, True, True])
    """
    joined = population.join(
        counts.select("ward_code", "count"), on="ward_code", how="left", maintain_order="left"
    ).with_columns(pl.col("count").fill_null(0))
    return joined.select(
        "ward_code",
        "ward_name",
        "borough",
        "count",
        "female",
        pl.when(pl.col("female") > 0)
        .then(pl.col("count") / pl.col("female") * 1000.0)
        .otherwise(None)
        .alias("rate_per_1000"),
        (pl.col("borough") == CITY_OF_LONDON).alias("city_of_london"),
        (pl.col("n_lsoa21") <= FEW_LSOAS).alias("few_lsoas"),
    )
