"""Allegations: who is named as suspect for which crime, with its VAWG class and harm.

The building block of the ranking, the backtests, the precursor lifts and the fairness check. It
reads only the columns it needs from a force extract (``vawg.extract``), keeps only crimes
recorded in ``[start, end]`` (pushed down into the reader), classifies them with the taxonomy
(``vawg.taxonomy``) and weighs them with a harm table (``vawg.harm``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from vawg.extract import (
    code_text_normalise,
    extract_files_find,
    flag_yes_no,
    involvements_female_scan,
    table_scan,
)
from vawg.harm import HarmTable, crimes_harm, harm_table_default
from vawg.taxonomy import Taxonomy, crimes_classify, taxonomy_load

SUSPECT_ROLES = ("suspect", "offender")
"""Involvement roles that name a person as the one accused."""

_CRIME_COLUMNS = (
    "crime_ref",
    "recorded_date",
    "offence_code",
    "offence_description",
    "domestic_abuse",
)
_RAW_KEYS = ("_raw_code", "offence_description", "domestic_abuse")


def _kinds_classify(kinds: pl.DataFrame, *, taxonomy: Taxonomy, harm: HarmTable) -> pl.DataFrame:
    """Classify each kind of crime (distinct code, title and flag as read) once.

    A force has a few hundred kinds and millions of crimes, so this is a small table, not work
    per crime. ``kinds`` has ``_kind`` (0, 1, ... in row order) and the raw keys; the result adds
    ``offence_code`` (normalised), ``code_known``, ``_group_other`` (the VAWG group when no
    victim is female), ``_group_female`` (when one is) and ``harm_days`` (null when unweighted).
    """
    typed = kinds.lazy().select(
        "_kind",
        code_text_normalise(pl.col("_raw_code")).alias("offence_code"),
        "offence_description",
        flag_yes_no(pl.col("domestic_abuse")).alias("domestic_abuse"),
    )

    # Each kind twice, without and with a female victim, classified in one pass.
    both = pl.concat(
        [typed.with_columns(pl.lit(female).alias("female_victim")) for female in (False, True)]
    )
    classified = crimes_harm(crimes_classify(both, taxonomy=taxonomy), harm=harm)
    split = classified.sort("female_victim", "_kind").collect()
    other, with_female = split.head(kinds.height), split.tail(kinds.height)
    return kinds.with_columns(
        other["offence_code"],
        other["code_known"],
        other["vawg_group"].alias("_group_other"),
        with_female["vawg_group"].alias("_group_female"),
        other["harm_days"],
    )


def _unknown_of_kinds(kinds: pl.DataFrame) -> pl.DataFrame:
    # Offence codes absent from the taxonomy, with their crimes, most first.
    return (
        kinds.filter(~pl.col("code_known"))
        .group_by(pl.col("offence_code").fill_null("(blank)"))
        .agg(pl.col("_crimes").sum().cast(pl.Int64).alias("crimes"))
        .sort(["crimes", "offence_code"], descending=[True, False])
    )


@dataclass(frozen=True)
class Allegations:
    """Suspects named on crimes recorded in ``[start, end]``.

    Attributes
    ----------
    suspects : pl.DataFrame
        One row per (crime, named person): ``crime_ref, person_ref, recorded_date (date),
        offence_code, vawg_group, is_vawg, harm_days (days; 0 when the table has no weight),
        relationship``.
    victims : pl.DataFrame
        ``crime_ref, victim_ref``: the victims on those crimes (a victim named twice on one
        crime appears twice; count victims with ``n_unique``).
    start, end : date
        The recorded-date range read (inclusive).
    harm_table : str
        Name of the harm table used.
    taxonomy_version : str
    unknown_codes : pl.DataFrame
        Offence codes absent from the taxonomy, with counts of crimes (kept, never dropped).
    unweighted_codes : pl.DataFrame
        Codes of VAWG crimes with no weight in the harm table, with counts (weighted 0 days).
    """

    suspects: pl.DataFrame
    victims: pl.DataFrame
    start: date
    end: date
    harm_table: str
    taxonomy_version: str
    unknown_codes: pl.DataFrame
    unweighted_codes: pl.DataFrame


def allegations_load(
    *,
    folder: Path,
    start: date,
    end: date,
    taxonomy: Taxonomy | None = None,
    harm: HarmTable | None = None,
    vawg_only: bool = False,
    cache: bool = False,
    suspects_in: Collection[str] | None = None,
    prepared: bool = True,
    dated_codes: bool = False,
) -> Allegations:
    """Read the allegations recorded in ``[start, end]`` from a force extract folder.

    Parameters
    ----------
    folder : Path
        A force extract (``docs/extract.md``).
    start, end : date
        Inclusive range of ``recorded_date``; nothing recorded outside it is read.
    taxonomy : Taxonomy, optional
        Default: the shipped table.
    harm : HarmTable, optional
        Default: :func:`vawg.harm.harm_table_default`.
    vawg_only : bool
        Keep only VAWG crimes in ``suspects`` (faster; the ranking needs no more).
    cache : bool
        Read CSV tables through a Parquet copy kept in the folder
        (:func:`vawg.extract.extract_files_find`; default off).
    suspects_in : collection of str, optional
        Read only the crimes naming one of these people as suspect or offender (with all the
        people on them; ``unknown_codes`` and ``unweighted_codes`` count those crimes only).
        Default: every crime.
    prepared : bool
        With ``cache`` and ``vawg_only`` (and no ``suspects_in``), read the VAWG allegations
        of the whole extract classified once and kept in the cache folder
        (:mod:`vawg.rank.prepared`), instead of classifying the crimes of the range again
        (default on; the result is the same, tested).
    dated_codes : bool
        Count ``unknown_codes`` and ``unweighted_codes`` per ``recorded_date`` too (a column of
        that name), for :mod:`vawg.rank.prepared`.

    Returns
    -------
    Allegations

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text(
    ...     "crime_ref,recorded_date,offence_code,domestic_abuse\\n"
    ...     "C1,2024-03-01,19C,N\\nC2,2024-04-01,58A,N\\n")
    >>> _ = (d / "involvements.csv").write_text(
    ...     "crime_ref,person_ref,role,relationship\\nC1,S1,suspect,partner\\n"
    ...     "C1,V1,victim,\\nC2,S1,suspect,\\n")
    >>> a = allegations_load(folder=d, start=date(2024, 1, 1), end=date(2024, 12, 31))
    >>> a.suspects.sort("crime_ref")[["crime_ref", "is_vawg", "harm_days"]].rows()
    [('C1', True, 1825.0), ('C2', False, 2.0)]
    """
    taxonomy = taxonomy or taxonomy_load()
    harm = harm or harm_table_default()
    if cache and vawg_only and prepared and suspects_in is None and not dated_codes:
        from vawg.rank.prepared import prepared_load

        kept = prepared_load(folder=folder, start=start, end=end, taxonomy=taxonomy, harm=harm)
        if kept is not None:
            return kept
    files = extract_files_find(folder=folder, cache=cache)
    crimes = (
        table_scan(files=files, table="crimes", columns=_CRIME_COLUMNS, normalise=False)
        .filter(pl.col("recorded_date").is_between(start, end))
        .rename({"offence_code": "_raw_code"})
        .collect()
    )
    # Every involvement that can join lies between the first and last crime reference read.
    # Saying so lets the Parquet reader skip the row groups of other years (references usually
    # rise with time) and spares the join from hashing them; it is right in any order.
    refs = crimes.get_column("crime_ref")
    in_range = (
        pl.col("crime_ref").is_between(pl.lit(refs.min(), pl.String), pl.lit(refs.max(), pl.String))
        if refs.null_count() < refs.len()
        else pl.lit(False)
    )
    # Each person's sex comes with the involvements when the cache holds that join; otherwise
    # the people table is read below, for the victims whose sex matters.
    columns = ("crime_ref", "person_ref", "role", "relationship")
    sexed = involvements_female_scan(files=files, columns=columns)
    involvements = (
        sexed
        if sexed is not None
        else table_scan(files=files, table="involvements", columns=columns)
    ).filter(in_range, pl.col("person_ref").is_not_null())
    if suspects_in is not None:
        # Two narrow reads, each filtered in the reader: the crimes naming these people, then
        # everyone on those crimes.
        wanted = pl.Series("person_ref", list(suspects_in), dtype=pl.String)
        named = (
            involvements.filter(pl.col("person_ref").is_in(wanted.implode()))
            .select("crime_ref", "role")
            .collect()
            .filter(pl.col("role").str.strip_chars().str.to_lowercase().is_in(SUSPECT_ROLES))
        )
        crimes = crimes.join(named, on="crime_ref", how="semi")
        involvements = involvements.filter(
            pl.col("crime_ref").is_in(crimes.get_column("crime_ref").implode())
        )
    # Crimes by kind (code, title, flag as read): each kind is classified once, and each crime
    # keeps only its kind, a small integer, for the one join with the involvements.
    by_kind = crimes.group_by(*_RAW_KEYS).agg("crime_ref", "recorded_date").with_row_index("_kind")
    kinds = _kinds_classify(
        by_kind.select("_kind", *_RAW_KEYS, pl.col("crime_ref").list.len().alias("_crimes")),
        taxonomy=taxonomy,
        harm=harm,
    )
    unknown = _unknown_of_kinds(kinds)
    if dated_codes:
        unknown = (
            by_kind.select("recorded_date", kinds["offence_code"], kinds["code_known"])
            .filter(~pl.col("code_known"))
            .explode("recorded_date")
            .group_by(pl.col("offence_code").fill_null("(blank)"), "recorded_date")
            .agg(pl.len().cast(pl.Int64).alias("crimes"))
        )
    if vawg_only:  # drop the kinds that cannot be VAWG whoever the victim is
        by_kind = by_kind.filter(kinds["_group_female"].is_not_null())
    crimes = by_kind.select("_kind", "crime_ref", "recorded_date").explode(
        "crime_ref", "recorded_date"
    )
    crimes = crimes.with_row_index("_crime")
    involved = (
        involvements.join(crimes.lazy().select("crime_ref", "_crime"), on="crime_ref", how="inner")
        .drop("crime_ref")
        .collect()
    )
    # Roles are normalised (trimmed, lower case) once per distinct spelling, not per row.
    spellings = involved.get_column("role").unique().drop_nulls().to_list()
    roles = {text: text.strip().lower() for text in spellings}
    if any(text != role for text, role in roles.items()):
        involved = involved.with_columns(
            pl.col("role").replace_strict(roles, default=None, return_dtype=pl.String)
        )
    involved = involved.filter(pl.col("role").is_in(["victim", *SUSPECT_ROLES]))
    kind_of_crime = crimes["_kind"]
    # The victim's sex matters only for kinds where the female-victim rule would change the
    # group: only those victims are looked up among the women of the people table.
    needs_sex = kinds["_group_female"].ne_missing(kinds["_group_other"])
    victims_all = involved.filter(pl.col("role") == "victim")
    pending = victims_all.filter(
        needs_sex.gather(kind_of_crime.gather(victims_all["_crime"])).fill_null(False)
    )
    if sexed is not None:
        female_victims = pending.filter(pl.col("female"))
    elif pending.height:
        # The sex is read as written and normalised only for those victims, not for everyone.
        women = (
            table_scan(files=files, table="people", columns=("person_ref", "sex"), normalise=False)
            .filter(pl.col("person_ref").is_in(pending.get_column("person_ref").unique().implode()))
            .collect()
            .filter(code_text_normalise(pl.col("sex")) == "F")
        )
        female_victims = pending.join(women, on="person_ref", how="semi")
    else:
        female_victims = pending
    female_crimes = female_victims.get_column("_crime").unique()
    female = pl.zeros(crimes.height, dtype=pl.Boolean, eager=True).scatter(female_crimes, True)
    # Per crime: its group (by the female-victim rule where it applies), code and harm.
    per_crime = crimes.select(
        "crime_ref",
        "recorded_date",
        pl.when(female)
        .then(kinds["_group_female"].gather(kind_of_crime))
        .otherwise(kinds["_group_other"].gather(kind_of_crime))
        .alias("vawg_group"),
        kinds["offence_code"].gather(kind_of_crime).alias("offence_code"),
        kinds["harm_days"].gather(kind_of_crime).alias("harm_days"),
    ).with_columns(pl.col("vawg_group").is_not_null().alias("is_vawg"))
    unweighted = (
        per_crime.filter(pl.col("is_vawg") & pl.col("harm_days").is_null())
        .group_by("offence_code", *(["recorded_date"] if dated_codes else []))
        .agg(pl.len().cast(pl.Int64).alias("crimes"))
        .sort(["crimes", "offence_code"], descending=[True, False])
    )
    vawg_crime = per_crime["is_vawg"]
    if vawg_only:
        involved = involved.filter(vawg_crime.gather(involved["_crime"]))
    pairs = (
        involved.filter(pl.col("role").is_in(SUSPECT_ROLES))
        .group_by("_crime", "person_ref")
        .agg(pl.col("relationship").drop_nulls().first())
    )
    attributes = per_crime.select(
        "crime_ref", "recorded_date", "offence_code", "vawg_group", "is_vawg", "harm_days"
    )
    suspects = pl.concat(
        [
            pairs.select("person_ref", "relationship"),
            attributes.select(pl.all().gather(pairs["_crime"])).with_columns(
                pl.col("harm_days").fill_null(0.0)
            ),
        ],
        how="horizontal",
    ).select(
        "crime_ref",
        "person_ref",
        "relationship",
        "recorded_date",
        "offence_code",
        "vawg_group",
        "is_vawg",
        "harm_days",
    )
    victim_rows = involved.filter(pl.col("role") == "victim")
    victims = victim_rows.select(
        per_crime["crime_ref"].gather(victim_rows["_crime"]).alias("crime_ref"),
        pl.col("person_ref").alias("victim_ref"),
    )
    return Allegations(
        suspects=suspects,
        victims=victims,
        start=start,
        end=end,
        harm_table=harm.name,
        taxonomy_version=taxonomy.version,
        unknown_codes=unknown,
        unweighted_codes=unweighted,
    )


@dataclass(frozen=True)
class RecordedSpan:
    """The recorded dates of a force extract's crimes.

    Attributes
    ----------
    first, last : date or None
        Earliest and latest ``recorded_date`` (None when no crime has one).
    crimes : int
        Crimes with a recorded date.
    """

    first: date | None
    last: date | None
    crimes: int

    def text(self) -> str:
        """The span in words.

        >>> RecordedSpan(date(2024, 9, 1), date(2025, 8, 31), 3195).text()
        '3,195 crimes recorded 2024-09-01..2025-08-31'
        >>> RecordedSpan(None, None, 0).text()
        'no crime with a recorded date'
        """
        if self.first is None or self.last is None:
            return "no crime with a recorded date"
        return f"{self.crimes:,} crimes recorded {self.first}..{self.last}"

    def days(self) -> int:
        """Days from the first to the last recorded date, both counted (0 when empty).

        >>> RecordedSpan(date(2024, 1, 1), date(2024, 12, 31), 2).days()
        366
        """
        if self.first is None or self.last is None:
            return 0
        return (self.last - self.first).days + 1


def recorded_span(*, folder: Path, cache: bool = False) -> RecordedSpan:
    """The first and last recorded date of the crimes in a force extract folder.

    Reads one column (through the Parquet copy with ``cache``), so a command can say what span
    its data covers before it computes, and refuse a date outside it.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n"
    ...     "C1,2024-03-01,8Q\\nC2,2024-01-05,58A\\nC3,,8Q\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n")
    >>> recorded_span(folder=d).text()
    '2 crimes recorded 2024-01-05..2024-03-01'
    """
    files = extract_files_find(folder=folder, cache=cache)
    dates = table_scan(files=files, table="crimes", columns=("recorded_date",), normalise=False)
    row = dates.select(
        pl.col("recorded_date").min().alias("first"),
        pl.col("recorded_date").max().alias("last"),
        pl.col("recorded_date").count().alias("n"),
    ).collect()
    first, last, n = row.row(0)
    return RecordedSpan(first=first, last=last, crimes=int(n))
