"""Which MoPI retention group a record falls in, and when it is next reviewed.

The Management of Police Information (MoPI) guidance, in the College of Policing's Authorised
Professional Practice "Retention, review and disposal" (``docs/retention.md``), puts each
record in one of three groups:

1. certain public protection matters (serious sexual and violent offences, domestic abuse with
   risk): kept until the subject is 100, reviewed every 10 years;
2. other sexual, violent or serious offences: reviewed 10 years after the latest event;
3. all other offences: reviewed 6 years after the latest event.

This module decides a crime's group from its Home Office offence code, its Home Office subgroup
and its VAWG group (:func:`vawg.taxonomy.crimes_classify`), and a person's group as the lowest
(most protective) group of the crimes they are involved in, in any role: APP reviews a crime's
record as a whole, its victims and witnesses within it. The periods are the deployer's settings
(``VAWG_RETENTION_GROUP{1,2,3}_REVIEW_YEARS``); this module takes them as arguments.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

GROUP_PUBLIC_PROTECTION, GROUP_SERIOUS, GROUP_OTHER = 1, 2, 3

PUBLIC_PROTECTION_VAWG = frozenset(
    {
        "rape",
        "other_sexual",
        "exploitation",
        "fgm",
        "honour_forced_marriage",
        "stalking",
        "controlling_coercive",
    }
)
"""VAWG groups (``vawg.taxonomy.VAWG_GROUPS``) whose crimes are group 1 whatever else holds:
the sexual offences, exploitation, FGM, so-called honour-based abuse and forced marriage,
stalking, and controlling or coercive behaviour."""

PUBLIC_PROTECTION_SUBGROUPS = frozenset({"Homicide", "Rape offences", "Other sexual offences"})
"""Home Office subgroups whose crimes are group 1."""

SERIOUS_VIOLENCE_CODES = frozenset(
    {"2", "3A", "4/3", "4/7", "5A", "5B", "5C", "5D", "5E", "8F", "8H", "8K", "8S", "36"}
)
"""Home Office codes of serious violence (attempted murder, conspiracy to murder, child
destruction, causing or allowing death or serious harm of a child, wounding and endangering
life, grievous bodily harm, poisoning or FGM, non-fatal strangulation, kidnapping): group 1."""

VIOLENCE_SUBGROUPS = frozenset({"Violence with injury", "Violence without injury"})
"""Home Office subgroups of violence against the person."""

SERIOUS_SUBGROUPS = frozenset(
    {
        *VIOLENCE_SUBGROUPS,
        "Stalking and harassment",
        "Robbery of personal property",
        "Robbery of business property",
        "Death or serious injury - unlawful driving",
    }
)
"""Home Office subgroups whose crimes are group 2 when no group-1 rule holds."""

SERIOUS_CODES = frozenset({"56A"})
"""Home Office codes in group 2 outside those subgroups: arson endangering life."""

UNTIL_AGE = 100
"""Group 1 is kept until the subject is this old (APP)."""


def crimes_retention_group(crimes: pl.LazyFrame) -> pl.LazyFrame:
    """Add each crime's MoPI group (``retention_group``, 1 to 3) to classified crimes.

    Parameters
    ----------
    crimes : pl.LazyFrame
        Needs ``offence_code`` (normalised, as :func:`vawg.taxonomy.crimes_classify` leaves
        it), ``ho_subgroup`` (the code's Home Office subgroup, null when the code is unknown),
        ``vawg_group`` (null when not VAWG) and ``domestic_abuse`` (boolean).

    Returns
    -------
    pl.LazyFrame
        The input with ``retention_group`` (Int8). Group 1: a VAWG group in
        :data:`PUBLIC_PROTECTION_VAWG`, a subgroup in :data:`PUBLIC_PROTECTION_SUBGROUPS`, a
        code in :data:`SERIOUS_VIOLENCE_CODES`, or domestic abuse that is violence (the
        platform holds no risk grade, so violence stands for "with risk"). Group 2: any other
        VAWG crime (domestic abuse among them), a subgroup in :data:`SERIOUS_SUBGROUPS` or a
        code in :data:`SERIOUS_CODES`. Group 3: the rest, unknown codes among them.

    Examples
    --------
    >>> crimes = pl.LazyFrame({
    ...     "offence_code": ["19C", "8G", "8G", "105A", "58A", "46"],
    ...     "ho_subgroup": ["Rape offences", "Violence with injury", "Violence with injury",
    ...                     "Violence without injury", "Criminal damage", "Shoplifting"],
    ...     "vawg_group": ["rape", None, "domestic_abuse", "violence_against_women",
    ...                    "domestic_abuse", None],
    ...     "domestic_abuse": [False, False, True, False, True, False],
    ... })
    >>> crimes_retention_group(crimes).collect()["retention_group"].to_list()
    [1, 2, 1, 2, 2, 3]
    """
    vawg = pl.col("vawg_group")
    subgroup = pl.col("ho_subgroup")
    code = pl.col("offence_code")
    da = pl.col("domestic_abuse").fill_null(False)
    public_protection = (
        vawg.is_in(sorted(PUBLIC_PROTECTION_VAWG)).fill_null(False)
        | subgroup.is_in(sorted(PUBLIC_PROTECTION_SUBGROUPS)).fill_null(False)
        | code.is_in(sorted(SERIOUS_VIOLENCE_CODES)).fill_null(False)
        | (da & subgroup.is_in(sorted(VIOLENCE_SUBGROUPS)).fill_null(False))
    )
    serious = (
        vawg.is_not_null()
        | subgroup.is_in(sorted(SERIOUS_SUBGROUPS)).fill_null(False)
        | code.is_in(sorted(SERIOUS_CODES)).fill_null(False)
    )
    return crimes.with_columns(
        pl.when(public_protection)
        .then(pl.lit(GROUP_PUBLIC_PROTECTION))
        .when(serious)
        .then(pl.lit(GROUP_SERIOUS))
        .otherwise(pl.lit(GROUP_OTHER))
        .cast(pl.Int8)
        .alias("retention_group")
    )


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a year without one.

    >>> years_after(dt.date(2020, 2, 29), 6), years_after(dt.date(2019, 3, 1), 10)
    (datetime.date(2026, 2, 28), datetime.date(2029, 3, 1))
    """
    if years < 0:
        raise ValueError(f"a review period cannot be negative: {years} years")
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def review_date_next(
    *,
    group: int,
    latest_event: dt.date | None,
    review_years: dict[int, int],
    kept_on: dt.date | None = None,
    kept_until: dt.date | None = None,
    today: dt.date,
) -> dt.date:
    """When a person's record is next reviewed.

    Parameters
    ----------
    group : int
        The person's MoPI group (1 to 3).
    latest_event : datetime.date or None
        The date of their latest involvement (a crime's recorded date, an order's end or
        start); None when nothing is recorded against them.
    review_years : dict[int, int]
        Years from the latest event to the review, by group.
    kept_on, kept_until : datetime.date or None
        The day of the latest recorded decision to keep the record, and the review date that
        decision set. A decision stands against everything the reviewer saw (events on or
        before ``kept_on``); a later event can only move the review later.
    today : datetime.date
        A record with no event at all is due for review now: nothing says why it is held.

    Examples
    --------
    >>> years = {1: 10, 2: 10, 3: 6}
    >>> review_date_next(group=3, latest_event=dt.date(2019, 5, 1), review_years=years,
    ...                  today=dt.date(2026, 1, 1))
    datetime.date(2025, 5, 1)
    >>> review_date_next(group=3, latest_event=dt.date(2019, 5, 1), review_years=years,
    ...                  kept_on=dt.date(2025, 6, 1), kept_until=dt.date(2027, 6, 1),
    ...                  today=dt.date(2026, 1, 1))
    datetime.date(2027, 6, 1)
    >>> review_date_next(group=1, latest_event=dt.date(2026, 1, 5), review_years=years,
    ...                  kept_on=dt.date(2025, 6, 1), kept_until=dt.date(2027, 6, 1),
    ...                  today=dt.date(2026, 2, 1))
    datetime.date(2036, 1, 5)
    """
    if group not in review_years:
        raise ValueError(f"no review period for group {group!r}")
    computed = years_after(latest_event, review_years[group]) if latest_event is not None else today
    if kept_on is None or kept_until is None:
        return computed
    if latest_event is None or latest_event <= kept_on:
        return kept_until
    return max(kept_until, computed)
