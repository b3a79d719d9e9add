"""Which recorded crimes count as violence against women and girls (VAWG), and in which group.

There is no statutory VAWG offence list, so VAWG is decided by a rule set over a versioned table
(``vawg/data/vawg_taxonomy.csv``, one source per row), following the
government's VAWG strategy and the Home Office Counting Rules (``docs/sources.md``, What counts as
VAWG):

1. the offence title names a group the code cannot (FGM, forced marriage, intimate images,
   so-called honour-based abuse): that group;
2. else the Home Office offence code is in a VAWG list (sexual offences, stalking, harassment,
   controlling or coercive behaviour, exploitation): its group;
3. else the code is a violence class and a victim on the crime is female:
   ``violence_against_women`` (or the code's own group where it has one);
4. else the crime carries the domestic-abuse flag: ``domestic_abuse``.

Codes absent from the table are kept (never dropped) and reported by :func:`unknown_codes`; they
can still be VAWG through the domestic-abuse flag. The Met's own classification names
(``mps/vawg-offences.parquet``, columns ``crimsec_group`` and ``vawg_offence``) are in the same
table under scheme ``mps`` and mapped by :func:`mps_names_classify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError

TAXONOMY_PATH = Path(__file__).parent / "data" / "vawg_taxonomy.csv"
"""The shipped taxonomy table."""

VAWG_GROUPS = (
    "rape",
    "other_sexual",
    "domestic_abuse",
    "stalking",
    "harassment",
    "controlling_coercive",
    "fgm",
    "honour_forced_marriage",
    "intimate_image",
    "exploitation",
    "violence_against_women",
)
"""The VAWG groups a crime can fall in (the issue's list)."""

RULES = ("always", "female_victim", "none")
SCHEMES = ("ho", "mps", "title")
_COLUMNS = ("scheme", "code", "title", "ho_subgroup", "vawg_group", "rule", "status", "source")


@dataclass(frozen=True)
class Taxonomy:
    """A versioned offence taxonomy.

    Attributes
    ----------
    version : str
        The table's version, from its first comment line.
    table : pl.DataFrame
        Columns ``scheme, code, title, ho_subgroup, vawg_group, rule, status, source``.
    """

    version: str
    table: pl.DataFrame

    def rows(self, scheme: str) -> pl.DataFrame:
        """The rows of one scheme (``ho``, ``mps`` or ``title``).

        >>> taxonomy_load().rows("ho").height > 50
        True
        """
        return self.table.filter(pl.col("scheme") == scheme)

    def code_map(self, column: str) -> dict[str, str | None]:
        """Home Office code to one column of the table (``vawg_group``, ``rule``, ``title``...).

        >>> taxonomy_load().code_map("vawg_group")["8Q"]
        'stalking'
        """
        ho = self.rows("ho")
        return dict(zip(ho["code"].to_list(), ho[column].to_list(), strict=True))


def offence_code_normalise(code: pl.Expr) -> pl.Expr:
    """Normalise Home Office offence codes: trimmed, upper case, ``4.1`` written ``4/1``.

    >>> pl.select(offence_code_normalise(pl.lit(" 4.1 "))).item()
    '4/1'
    """
    return (
        code.cast(pl.String)
        .str.strip_chars()
        .str.to_uppercase()
        .str.replace_all(".", "/", literal=True)
    )


def taxonomy_load(*, path: Path | None = None) -> Taxonomy:
    """Read a taxonomy table (default: the shipped one) and check it.

    Parameters
    ----------
    path : Path, optional
        A CSV with the shipped table's columns; its first line is a comment
        ``# vawg_taxonomy version X ...``.

    Returns
    -------
    Taxonomy

    Raises
    ------
    UserInputError
        A column, a version, a source or a known rule is missing, or a code is listed twice.

    Examples
    --------
    >>> t = taxonomy_load()
    >>> t.version
    '2025.11.1'
    >>> t.code_map("rule")["19C"]
    'always'
    """
    path = path or TAXONOMY_PATH
    try:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        table = pl.read_csv(path, comment_prefix="#", infer_schema=False)
    except (OSError, IndexError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"{path}: cannot read the taxonomy table ({error})") from error
    marker = "version "
    if not first.startswith("#") or marker not in first:
        raise UserInputError(f"{path}: the first line must be '# vawg_taxonomy version X'")
    version = first.split(marker, 1)[1].split()[0]
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise UserInputError(f"{path}: missing column(s) {', '.join(missing)}")
    table = table.select(_COLUMNS).with_columns(
        pl.when(pl.col("scheme") == "ho")
        .then(offence_code_normalise(pl.col("code")))
        .when(pl.col("scheme") == "title")
        .then(pl.col("code").str.to_lowercase())
        .otherwise(pl.col("code"))
        .alias("code"),
        pl.col("vawg_group").fill_null(""),
        pl.col("ho_subgroup").fill_null(""),
    )
    problems: list[str] = []
    if table.filter(pl.col("source").fill_null("").str.strip_chars() == "").height:
        problems.append("a row has no source")
    if table.filter(~pl.col("rule").is_in(RULES)).height:
        problems.append(f"a rule is not one of {RULES}")
    if table.filter(~pl.col("scheme").is_in(SCHEMES)).height:
        problems.append(f"a scheme is not one of {SCHEMES}")
    bad_groups = set(table["vawg_group"].to_list()) - {"", *VAWG_GROUPS}
    if bad_groups:
        problems.append(f"unknown group(s) {sorted(bad_groups)}")
    if table.select(pl.struct("scheme", "code").is_duplicated().any()).item():
        problems.append("a code is listed twice")
    if problems:
        raise UserInputError(f"{path}: {'; '.join(problems)}")
    return Taxonomy(version=version, table=table)


def crimes_classify(crimes: pl.LazyFrame, *, taxonomy: Taxonomy) -> pl.LazyFrame:
    """Add the VAWG classification to crimes.

    Parameters
    ----------
    crimes : pl.LazyFrame
        Needs ``offence_code`` and ``domestic_abuse`` (boolean); uses ``offence_description``
        (text) and ``female_victim`` (boolean: a victim on the crime is female) when present.
    taxonomy : Taxonomy

    Returns
    -------
    pl.LazyFrame
        The input with ``offence_code`` normalised and four columns added: ``code_known``
        (the code is in the table), ``vawg_group`` (null when not VAWG), ``vawg_basis``
        (``title``, ``offence``, ``female_victim``, ``da_flag`` or null) and ``is_vawg``.

    Examples
    --------
    >>> crimes = pl.LazyFrame({
    ...     "offence_code": ["19C", "8G", "8G", "58A", "58A", "ZZ9"],
    ...     "domestic_abuse": [False, False, False, True, False, False],
    ...     "female_victim": [True, True, False, False, True, True],
    ... })
    >>> out = crimes_classify(crimes, taxonomy=taxonomy_load()).collect()
    >>> out["vawg_group"].to_list()
    ['rape', 'violence_against_women', None, 'domestic_abuse', None, None]
    >>> out["code_known"].to_list()
    [True, True, True, True, True, False]
    """
    ho = taxonomy.rows("ho")
    groups = {c: (g or None) for c, g in zip(ho["code"], ho["vawg_group"], strict=True)}
    rules = dict(zip(ho["code"], ho["rule"], strict=True))
    names = crimes.collect_schema().names()
    code = offence_code_normalise(pl.col("offence_code"))
    frame = crimes.with_columns(code.alias("offence_code"))
    rule = pl.col("offence_code").replace_strict(rules, default=None, return_dtype=pl.String)
    group = pl.col("offence_code").replace_strict(groups, default=None, return_dtype=pl.String)
    female = pl.col("female_victim").fill_null(False) if "female_victim" in names else pl.lit(False)
    da = pl.col("domestic_abuse").fill_null(False)
    title_group: pl.Expr = pl.lit(None, dtype=pl.String)
    if "offence_description" in names:
        # Titles repeat (a force has a few hundred), so phrases are matched once per distinct
        # title and joined back: a thousand times less work than matching every crime.
        lowered = pl.col("offence_description").str.to_lowercase()
        titles = taxonomy.rows("title")
        matched: pl.Expr = pl.lit(None, dtype=pl.String)
        for phrase, name in zip(titles["code"], titles["vawg_group"], strict=True):
            matched = (
                pl.when(lowered.str.contains(phrase, literal=True))
                .then(pl.lit(name))
                .otherwise(matched)
            )
        distinct = (
            frame.select("offence_description").unique().with_columns(matched.alias("_title_group"))
        )
        frame = frame.join(distinct, on="offence_description", how="left", nulls_equal=True)
        title_group = pl.col("_title_group")
    by_offence = pl.when(rule == "always").then(group)
    by_female = (
        pl.when((rule == "female_victim") & female)
        .then(pl.coalesce(group, pl.lit("violence_against_women")))
        .otherwise(None)
    )
    frame = frame.with_columns(
        rule.is_not_null().alias("code_known"),
        pl.coalesce(
            title_group, by_offence, by_female, pl.when(da).then(pl.lit("domestic_abuse"))
        ).alias("vawg_group"),
        pl.when(title_group.is_not_null())
        .then(pl.lit("title"))
        .when(by_offence.is_not_null())
        .then(pl.lit("offence"))
        .when(by_female.is_not_null())
        .then(pl.lit("female_victim"))
        .when(da)
        .then(pl.lit("da_flag"))
        .otherwise(None)
        .alias("vawg_basis"),
    )
    frame = frame.with_columns(pl.col("vawg_group").is_not_null().alias("is_vawg"))
    return frame.drop("_title_group", strict=False)


def crimes_female_victim(*, involvements: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """The crimes on which at least one victim is female.

    Parameters
    ----------
    involvements : pl.LazyFrame
        ``crime_ref, person_ref, role``.
    people : pl.LazyFrame
        ``person_ref, sex`` (``F`` female).

    Returns
    -------
    pl.LazyFrame
        One column ``crime_ref``, unique.

    Examples
    --------
    >>> inv = pl.LazyFrame({"crime_ref": ["C1", "C1", "C2"], "person_ref": ["V", "S", "W"],
    ...                     "role": ["victim", "suspect", "victim"]})
    >>> ppl = pl.LazyFrame({"person_ref": ["V", "S", "W"], "sex": ["F", "M", "M"]})
    >>> crimes_female_victim(involvements=inv, people=ppl).collect()["crime_ref"].to_list()
    ['C1']
    """
    women = people.filter(pl.col("sex") == "F").select("person_ref")
    return (
        involvements.filter(pl.col("role") == "victim")
        .join(women, on="person_ref", how="semi")
        .select("crime_ref")
        .unique()
    )


def unknown_codes(crimes: pl.LazyFrame | pl.DataFrame, *, taxonomy: Taxonomy) -> pl.DataFrame:
    """Offence codes not in the taxonomy, with how many crimes carry each.

    Parameters
    ----------
    crimes : pl.LazyFrame or pl.DataFrame
        Needs ``offence_code``.
    taxonomy : Taxonomy

    Returns
    -------
    pl.DataFrame
        ``offence_code, crimes``, most frequent first; a blank code reads ``(blank)``.

    Examples
    --------
    >>> unknown_codes(pl.DataFrame({"offence_code": ["8Q", "XX", "XX", None]}),
    ...               taxonomy=taxonomy_load()).rows()
    [('XX', 2), ('(blank)', 1)]
    """
    known = taxonomy.rows("ho")["code"]
    frame = crimes.lazy().select(
        offence_code_normalise(pl.col("offence_code")).fill_null("(blank)").alias("offence_code")
    )
    return (
        frame.filter(~pl.col("offence_code").is_in(known.implode()))
        .group_by("offence_code")
        .agg(pl.len().cast(pl.Int64).alias("crimes"))
        .sort(["crimes", "offence_code"], descending=[True, False])
        .collect()
    )


def mps_names_classify(frame: pl.DataFrame, *, taxonomy: Taxonomy) -> pl.DataFrame:
    """Map the Met's classification names to VAWG groups.

    Parameters
    ----------
    frame : pl.DataFrame
        Has ``crimsec_group`` and ``vawg_offence`` (as in ``mps/vawg-offences.parquet``).
    taxonomy : Taxonomy

    Returns
    -------
    pl.DataFrame
        The input with ``vawg_group`` (null where this rule set does not count the name as
        VAWG, e.g. public fear, alarm or distress) and ``name_known`` (the name is in the table;
        false means an unknown name, to be reported, never dropped). Rows with no name are
        ``name_known`` null.

    Examples
    --------
    >>> f = pl.DataFrame({"crimsec_group": ["Rape", "Rape"],
    ...                   "vawg_offence": ["Rape of a Female aged 16 and over", "New name"]})
    >>> mps_names_classify(f, taxonomy=taxonomy_load())[["vawg_group", "name_known"]].rows()
    [('rape', True), (None, False)]
    """
    rows = taxonomy.rows("mps")
    groups = {c: (g or None) for c, g in zip(rows["code"], rows["vawg_group"], strict=True)}
    key = pl.concat_str([pl.col("crimsec_group"), pl.col("vawg_offence")], separator="|")
    return frame.with_columns(
        key.replace_strict(groups, default=None, return_dtype=pl.String).alias("vawg_group"),
        pl.when(key.is_null())
        .then(None)
        .otherwise(key.is_in(rows["code"].implode()))
        .alias("name_known"),
    )
