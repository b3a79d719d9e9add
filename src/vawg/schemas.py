"""Each table's columns and types, declared once.

A :class:`Schema` lists a table's columns in order, each a :class:`Column` with its name, its
Polars type and what it means. Two kinds of table are declared:

* the files a source publishes or a force exports (names ending ``_FILE``): the columns a reader
  expects (``required``) or accepts, in the order the source writes them, and for each the name
  the reader gives it once read (``read_as``);
* the normalised tables that the readers of :mod:`vawg.ingest` return and the site's loaders
  store, one per stored table, in the stored table's column order, with the columns that make a
  row's identity (``identity``: loading a row whose identity is stored updates that row).

The readers build their empty tables and check headers from these declarations, the synthetic
force (:mod:`vawg.synth`) writes its files in this column order, the hotspot readers find their
columns here, and the loaders (``vawg_site.ingest.services``) stage rows with these columns and
types. A test checks every reader's output and the synthetic files against them, so that a column
added in one place and forgotten in another is caught. The force extract's files follow
``docs/extract.md``; the published files follow their publishers' documentation
(data.police.uk "About the data"; the London Datastore's dataset pages).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

STORED_INT_RANGE = (-(2**31), 2**31 - 1)
"""What a stored whole number may be when its column declares no narrower range: the 32-bit
integer that both SQLite and PostgreSQL columns take."""

PLAUSIBLE_COUNT = (0, 1_000_000)
"""A published count of one month, area and category: never negative, and a million is past
anything the Met (about 90,000 crimes a month in all) could publish for one cell."""


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name : str
        The column's name, as the file or table spells it.
    dtype : pl.DataType
        Its Polars type once read (a published CSV file is text: ``pl.String``).
    meaning : str
        What a value says, with its unit.
    required : bool
        A file without this column is refused (default True).
    identity : bool
        Part of the row's identity in a normalised table (default False).
    read_as : str
        For a file's column: the reader's name for it once read (the normalised column's name,
        or a working name ending ``_raw`` for text the reader parses); blank when it keeps
        ``name``.
    max_chars : int or None
        For text in a normalised table: the longest value the stored table takes, in
        characters (None: no limit).
    value_range : tuple of two numbers, or None
        For a number in a normalised table: the lowest and highest plausible value, inside
        what the stored column takes (None: a whole number anywhere in the 32-bit range, any
        finite real number).
    days_ahead : int
        For a date in a normalised table: how many days after today a value may be (default
        0: none; an order's end may lie years ahead); none is before 1 January 1900
        (:data:`vawg.periods.EARLIEST_PLAUSIBLE`).
    """

    name: str
    dtype: pl.DataType
    meaning: str
    required: bool = True
    identity: bool = False
    read_as: str = ""
    max_chars: int | None = None
    value_range: tuple[float, float] | None = None
    days_ahead: int = 0

    @property
    def read_name(self) -> str:
        """``read_as``, or ``name`` when that is blank.

        >>> Column("Crime ID", pl.String(), "the force's reference", read_as="crime_id").read_name
        'crime_id'
        """
        return self.read_as or self.name


@dataclass(frozen=True)
class Schema:
    """A table's columns, in order.

    Attributes
    ----------
    name : str
        The table's name (a file's stem, or the stored table's name).
    meaning : str
        What one row is.
    columns : tuple of Column
    alternatives : tuple of tuple of str
        Sets of optional columns of which a file must hold at least one in full (a force's
        crimes give latitude and longitude, or easting and northing).

    Examples
    --------
    >>> s = Schema("t", "a row", (Column("k", pl.String(), "key", identity=True),
    ...                          Column("n", pl.Int64(), "a count", required=False)))
    >>> s.names, s.identity, s.required
    (('k', 'n'), ('k',), ('k',))
    >>> dict(s.empty().schema)
    {'k': String, 'n': Int64}
    """

    name: str
    meaning: str
    columns: tuple[Column, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"schema {self.name}: a column name is repeated")
        unknown = {n for group in self.alternatives for n in group} - set(self.names)
        if unknown:
            raise ValueError(f"schema {self.name}: alternatives name unknown {sorted(unknown)}")

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def read_names(self) -> tuple[str, ...]:
        """The reader's names for the columns, in order (see :attr:`Column.read_as`)."""
        return tuple(c.read_name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have, in order."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def identity(self) -> tuple[str, ...]:
        """The columns whose values identify a row, in order."""
        return tuple(c.name for c in self.columns if c.identity)

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError when there is none."""
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(f"schema {self.name} has no column {name!r}")

    def polars(self) -> pl.Schema:
        """The Polars schema: name to type, in order."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def empty(self) -> pl.DataFrame:
        """A table with these columns and no rows."""
        return pl.DataFrame(schema=self.polars())


def frame_check(*, frame: pl.DataFrame | pl.LazyFrame, schema: Schema) -> list[str]:
    """What in ``frame`` differs from ``schema``: missing, unexpected or misplaced columns, and
    columns of another type. Empty when the frame has exactly the schema's columns, in order.

    Examples
    --------
    >>> s = Schema("t", "a row", (Column("a", pl.String(), "text"), Column("b", pl.Int64(), "n")))
    >>> frame_check(frame=pl.DataFrame({"a": ["x"], "b": [1]}), schema=s)
    []
    >>> frame_check(frame=pl.DataFrame({"b": [1.5], "a": ["x"], "c": [0]}), schema=s)
    ['unexpected columns: c', 'columns out of order: b, a, c', 'b is Float64, not Int64']
    """
    found = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    problems: list[str] = []
    missing = [n for n in schema.names if n not in found]
    extra = [n for n in found if n not in schema.names]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected columns: {', '.join(extra)}")
    if not missing and list(found) != list(schema.names):
        problems.append(f"columns out of order: {', '.join(found)}")
    for column in schema.columns:
        dtype = found.get(column.name)
        if dtype is not None and dtype != column.dtype:
            problems.append(f"{column.name} is {dtype}, not {column.dtype}")
    return problems


def _text(
    name: str,
    meaning: str,
    max_chars: int | None = None,
    *,
    required: bool = True,
    identity: bool = False,
    read_as: str = "",
) -> Column:
    return Column(name, pl.String(), meaning, required, identity, read_as, max_chars)


_MONTH = "first day of the month"
_UTC = pl.Datetime(time_unit="us", time_zone="UTC")
_WGS84_LON = "longitude, WGS84 degrees (null when the record has no location)"
_WGS84_LAT = "latitude, WGS84 degrees (null when the record has no location)"
_VINTAGE = (
    "vintage of the file's LSOA codes: 2011, 2021, mixed, either (valid in both) or blank "
    "(no codes); codes are stored as published"
)

# --- data.police.uk --------------------------------------------------------------------------

_POLICE_UK_LOCATED = (
    _text(
        "Crime ID",
        "the crime's police.uk identifier (blank for anti-social behaviour)",
        read_as="crime_id",
    ),
    _text("Month", "the month recorded, YYYY-MM", read_as="month_raw"),
    _text("Reported by", "the force that published the record", read_as="reported_by"),
    _text("Falls within", "the force whose area the place is in", read_as="falls_within"),
    _text("Longitude", "WGS84 degrees of an anonymous snap point", read_as="lon_raw"),
    _text("Latitude", "WGS84 degrees of an anonymous snap point", read_as="lat_raw"),
    _text("Location", "the snap point, e.g. 'On or near Park Street'", read_as="location"),
    _text("LSOA code", "the LSOA of the snap point (2011 or 2021 codes)", read_as="lsoa_code"),
    _text("LSOA name", "the LSOA's name", read_as="lsoa_name"),
)

POLICE_UK_STREET_FILE = Schema(
    "street",
    "one street-level record of a data.police.uk monthly CSV file (YYYY-MM-force-street.csv)",
    (
        *_POLICE_UK_LOCATED,
        _text(
            "Crime type", "its label, e.g. 'Violence and sexual offences'", read_as="category_raw"
        ),
        _text("Last outcome category", "the latest outcome published", read_as="last_outcome"),
        _text("Context", "free text the force adds (usually blank)", read_as="context"),
    ),
)
"""data.police.uk's street-level CSV file."""

POLICE_UK_OUTCOMES_FILE = Schema(
    "outcomes",
    "one outcome event of a crime (YYYY-MM-force-outcomes.csv)",
    (
        *_POLICE_UK_LOCATED,
        _text("Outcome type", "the outcome assigned that month", read_as="outcome_type"),
    ),
)
"""data.police.uk's outcomes CSV file."""

POLICE_UK_STOP_SEARCH_FILE = Schema(
    "stop-and-search",
    "one stop and search (YYYY-MM-force-stop-and-search.csv)",
    (
        _text("Type", "person search, vehicle search, or both", read_as="search_type"),
        _text("Date", "when, ISO 8601 date and time (offset optional)", read_as="date_raw"),
        _text("Part of a policing operation", "True, False or blank", read_as="operation_raw"),
        _text("Policing operation", "the operation's name", read_as="operation_name"),
        _text("Latitude", "WGS84 degrees; blank when unknown", read_as="lat_raw"),
        _text("Longitude", "WGS84 degrees; blank when unknown", read_as="lon_raw"),
        _text("Gender", "the person's gender as recorded", read_as="gender"),
        _text("Age range", "e.g. 18-24", read_as="age_range"),
        _text("Self-defined ethnicity", "as the person gave it", read_as="self_defined_ethnicity"),
        _text(
            "Officer-defined ethnicity",
            "as the officer recorded it",
            read_as="officer_defined_ethnicity",
        ),
        _text("Legislation", "the power used", read_as="legislation"),
        _text("Object of search", "what was searched for", read_as="object_of_search"),
        _text("Outcome", "what followed", read_as="outcome"),
        _text("Outcome linked to object of search", "True, False or blank", read_as="linked_raw"),
        _text(
            "Removal of more than just outer clothing",
            "True, False or blank",
            read_as="removal_raw",
        ),
    ),
)
"""data.police.uk's stop-and-search CSV file."""

_LOCATED = (
    _text("reported_by", "the force that published the record (blank from the API)", max_chars=64),
    _text("falls_within", "the force whose area it is in (blank from the API)", max_chars=64),
    Column("longitude", pl.Float64(), _WGS84_LON),
    Column("latitude", pl.Float64(), _WGS84_LAT),
    _text("location", "the snap point's description", max_chars=255),
    _text("lsoa_code", "the LSOA as published (blank from the API)", max_chars=12),
    _text("lsoa_name", "the LSOA's name as published", max_chars=96),
)

STREET_CRIME = Schema(
    "opendata_streetcrime",
    "one data.police.uk street-level record, from a CSV row or an API crimes-street object",
    (
        _text(
            "crime_key",
            "the Crime ID or persistent_id, else sha1:<content hash>:<occurrence>",
            identity=True,
            max_chars=80,
        ),
        Column("month", pl.Date(), f"{_MONTH} recorded", identity=True),
        _text("crime_id", "the Crime ID as published (blank: none)", max_chars=80),
        _text("category", "the police.uk API slug, e.g. violent-crime", max_chars=48),
        *_LOCATED,
        _text("last_outcome", "the latest outcome published", max_chars=128),
        _text("context", "free text the force adds"),
        _text("location_type", "Force, or BTP (British Transport Police)", max_chars=8),
        _text("source", "csv or api", max_chars=8),
        _text("lsoa_vintage", _VINTAGE, max_chars=8),
    ),
)
"""The normalised street table (``opendata.StreetCrime``); text is "" when blank."""

STREET_OUTCOME = Schema(
    "opendata_streetoutcome",
    "one outcome event of a crime (several per crime: two suspects charged are two rows)",
    (
        _text("crime_id", "the Crime ID of the crime", identity=True, max_chars=80),
        Column("month", pl.Date(), f"{_MONTH} of the outcome", identity=True),
        _text("outcome_type", "the outcome assigned", identity=True, max_chars=128),
        Column(
            "occurrence",
            pl.Int64(),
            "0 for the first of identical rows of a file, then 1...",
            identity=True,
            value_range=(0, 32_767),
        ),
        *_LOCATED,
        _text("lsoa_vintage", _VINTAGE, max_chars=8),
    ),
)
"""The normalised outcomes table (``opendata.StreetOutcome``)."""

STOP_SEARCH = Schema(
    "opendata_stopsearch",
    "one stop and search",
    (
        _text(
            "search_key",
            "SHA-1 of the force and every published field, ':', occurrence",
            identity=True,
            max_chars=48,
        ),
        _text("force", "the force's slug, from the file name", max_chars=64),
        _text("search_type", "person search, vehicle search, or both", max_chars=32),
        Column("searched_at", _UTC, "when, UTC"),
        Column("month", pl.Date(), f"{_MONTH} of the search (UTC)"),
        Column("part_of_operation", pl.Boolean(), "part of a policing operation (null: blank)"),
        _text("operation_name", "the operation's name", max_chars=128),
        Column("latitude", pl.Float64(), _WGS84_LAT),
        Column("longitude", pl.Float64(), _WGS84_LON),
        _text("gender", "as recorded", max_chars=16),
        _text("age_range", "e.g. 18-24", max_chars=16),
        _text("self_defined_ethnicity", "as the person gave it", max_chars=128),
        _text("officer_defined_ethnicity", "as the officer recorded it", max_chars=32),
        _text("legislation", "the power used", max_chars=128),
        _text("object_of_search", "what was searched for", max_chars=128),
        _text("outcome", "what followed", max_chars=128),
        Column("outcome_linked", pl.Boolean(), "outcome linked to the object (null: blank)"),
        Column(
            "removal_of_clothing", pl.Boolean(), "more than outer clothing removed (null: blank)"
        ),
    ),
)
"""The normalised stop-and-search table (``opendata.StopSearch``)."""

# --- the Met on the London Datastore ---------------------------------------------------------

MPS_VAWG_FILE = Schema(
    "vawg-offences",
    "one published count of the Met's VAWG offence or victim extract (Parquet or CSV)",
    (
        _text("sheet", "the breakdown, e.g. 'Offence count location'", read_as="sheet_raw"),
        Column(
            "recorded_date_months", pl.Datetime("us"), "the month recorded", read_as="month_raw"
        ),
        Column(
            "date_committed_from_date_months",
            pl.Datetime("us"),
            "the month committed (placeholder years such as 1900 when unknown)",
            required=False,
            read_as="committed_raw",
        ),
        Column("count", pl.Int64(), "offences or victims", read_as="count_raw"),
        _text("bcu_location", "the basic command unit", required=False, read_as="bcu"),
        _text("borough_name", "the borough", required=False, read_as="borough"),
        _text("ward_name_clean_2", "the ward's name", required=False, read_as="ward_name"),
        _text("crimsec_group", "the offence group", required=False, read_as="offence_group"),
        _text("crimseccodeexpansion", "the offence", required=False, read_as="offence"),
        _text(
            "crimsec_offences", "the Home Office detail", required=False, read_as="offence_detail"
        ),
        _text(
            "vawg_offence", "the Met's VAWG offence name", required=False, read_as="vawg_offence"
        ),
        _text("age_group", "the victims' age group", required=False, read_as="age_group"),
        _text(
            "ethnic_appearance_group_group",
            "the victims' ethnic group",
            required=False,
            read_as="ethnic_group",
        ),
    ),
)
"""The Met's VAWG offence and victim extracts (London Datastore dataset 2yod5), as published."""

VAWG_COUNT = Schema(
    "opendata_vawgcount",
    "one published count of the Met's VAWG extracts, on one sheet (breakdown)",
    (
        _text("natural_key", "SHA-1 of the full natural key", identity=True, max_chars=40),
        _text("measure", "offences or victims", max_chars=8),
        _text("sheet", "location, classification, age or ethnicity", max_chars=16),
        Column("month", pl.Date(), f"{_MONTH} recorded"),
        Column("committed_month", pl.Date(), f"{_MONTH} committed, as published (null: blank)"),
        _text("bcu", "the basic command unit", max_chars=48),
        _text("borough", "the borough", max_chars=48),
        _text("ward_name", "the ward's name as published", max_chars=96),
        _text("offence_group", "the offence group", max_chars=96),
        _text("offence", "the offence", max_chars=128),
        _text("offence_detail", "the Home Office detail", max_chars=255),
        _text("vawg_offence", "the Met's VAWG offence name", max_chars=128),
        _text("age_group", "the victims' age group", max_chars=32),
        _text("ethnic_group", "the victims' ethnic group", max_chars=48),
        _text("ward_code", "the 2024 ward code the name matched (blank: none)", max_chars=9),
        Column(
            "count", pl.Int64(), "offences or victims, as published", value_range=PLAUSIBLE_COUNT
        ),
    ),
)
"""The normalised VAWG counts (``opendata.VawgCount``); text is "" when blank."""

RECORDED_CRIME_COUNT = Schema(
    "opendata_recordedcrimecount",
    "one published cell of the Met's recorded crime: an area, a category and a month",
    (
        Column("level", pl.Categorical(), "borough, ward or lsoa", identity=True, max_chars=8),
        Column(
            "area_code",
            pl.Categorical(),
            "the ward or LSOA code (blank for boroughs)",
            identity=True,
            max_chars=12,
        ),
        Column("area_name", pl.Categorical(), "the area's name", identity=True, max_chars=128),
        Column(
            "borough", pl.Categorical(), "the borough (blank in the borough files)", max_chars=64
        ),
        Column(
            "major_category", pl.Categorical(), "the major category", identity=True, max_chars=96
        ),
        Column(
            "minor_category", pl.Categorical(), "the minor category", identity=True, max_chars=128
        ),
        Column("month", pl.Date(), f"{_MONTH} recorded", identity=True),
        Column("count", pl.Int64(), "crimes recorded", value_range=PLAUSIBLE_COUNT),
    ),
)
"""The normalised recorded-crime counts (``opendata.RecordedCrimeCount``). Text columns are
categorical: the same few thousand names repeat over six million cells."""

# --- a force extract (docs/extract.md) ---------------------------------------------------------

FORCE_CRIMES_FILE = Schema(
    "crimes",
    "one crime of a force extract",
    (
        _text("crime_ref", "the force's crime reference, unique"),
        Column("recorded_date", pl.Date(), "when recorded, YYYY-MM-DD"),
        Column("committed_date", pl.Date(), "when committed, YYYY-MM-DD (blank: unknown)"),
        _text("offence_code", "Home Office offence classification code, e.g. 8Q"),
        _text("offence_description", "the force's offence title"),
        _text("domestic_abuse", "Y or N"),
        Column("latitude", pl.Float64(), "WGS84 degrees (blank: unknown)", required=False),
        Column("longitude", pl.Float64(), "WGS84 degrees (blank: unknown)", required=False),
        Column("easting", pl.Float64(), "EPSG:27700 metres (blank: unknown)", required=False),
        Column("northing", pl.Float64(), "EPSG:27700 metres (blank: unknown)", required=False),
        _text("outcome_code", "Home Office outcome type, 1 ... 22 (blank while open)"),
        Column("outcome_date", pl.Date(), "when the outcome was assigned, YYYY-MM-DD"),
    ),
    alternatives=(("latitude", "longitude"), ("easting", "northing")),
)
"""``crimes.csv``: latitude and longitude, or easting and northing, or both."""

FORCE_PEOPLE_FILE = Schema(
    "people",
    "one person of a force extract",
    (
        _text("person_ref", "the force's person reference, unique"),
        _text("sex", "F, M, X or U (blank: U)"),
        Column("birth_year", pl.Int32(), "year of birth (blank: unknown)"),
        _text("ethnicity", "the force's own code"),
    ),
)
"""``people.csv``."""

FORCE_INVOLVEMENTS_FILE = Schema(
    "involvements",
    "one person's part in one crime",
    (
        _text("crime_ref", "the crime"),
        _text("person_ref", "the person"),
        _text("role", "victim, suspect, offender or witness"),
        _text(
            "relationship",
            "the suspect's to the victim: partner, ex-partner, family, "
            "acquaintance, stranger, unknown (blank: none)",
        ),
    ),
)
"""``involvements.csv``."""

FORCE_ORDERS_FILE = Schema(
    "orders",
    "one protective order",
    (
        _text("order_ref", "the force's order reference, unique"),
        _text("order_type", "DVPN, DVPO, DAPN, DAPO, SPO, SHPO, SRO, RO or NMO"),
        _text("subject_ref", "the person the order restricts"),
        _text("protected_ref", "the person it protects (blank: none named)"),
        Column("start_date", pl.Date(), "when it starts, YYYY-MM-DD"),
        Column("end_date", pl.Date(), "when it ends, YYYY-MM-DD (blank: open-ended)"),
        _text("breach_dates", "dates of recorded breaches, YYYY-MM-DD, ';'-separated"),
    ),
)
"""``orders.csv``."""

FORCE_FILES = {
    schema.name: schema
    for schema in (FORCE_CRIMES_FILE, FORCE_PEOPLE_FILE, FORCE_INVOLVEMENTS_FILE, FORCE_ORDERS_FILE)
}
"""The force extract's files by table name, in the contract's order."""

CRIME = Schema(
    "records_crime",
    "one crime of a force extract, checked",
    (
        _text("crime_ref", "the force's crime reference", identity=True, max_chars=64),
        Column("recorded_date", pl.Date(), "when recorded"),
        Column("committed_date", pl.Date(), "when committed (null: unknown)"),
        _text("offence_code", "Home Office offence code as given", max_chars=16),
        _text("offence_description", "the force's offence title", max_chars=255),
        Column("offence_code_known", pl.Boolean(), "the code is in vawg.taxonomy's table"),
        Column("domestic_abuse", pl.Boolean(), "flagged domestic abuse"),
        Column("easting", pl.Float64(), "EPSG:27700 metres (null: unknown)"),
        Column("northing", pl.Float64(), "EPSG:27700 metres (null: unknown)"),
        _text(
            "outcome_code", "Home Office outcome type, upper case (blank while open)", max_chars=8
        ),
        Column("outcome_date", pl.Date(), "when the outcome was assigned (null: none)"),
    ),
)
"""The checked crimes (``records.Crime``)."""

PERSON = Schema(
    "records_person",
    "one person of a force extract, checked",
    (
        _text("person_ref", "the force's person reference", identity=True, max_chars=64),
        _text("sex", "F, M, X or U", max_chars=1),
        Column("birth_year", pl.Int64(), "year of birth (null: unknown)", value_range=(1900, 2100)),
        _text("ethnicity", "the force's own code", max_chars=16),
    ),
)
"""The checked people (``records.Person``)."""

INVOLVEMENT = Schema(
    "records_involvement",
    "one person's part in one crime, checked (both exist)",
    (
        _text("crime_ref", "the crime", identity=True, max_chars=64),
        _text("person_ref", "the person", identity=True, max_chars=64),
        _text("role", "victim, suspect, offender or witness", identity=True, max_chars=16),
        _text(
            "relationship",
            "partner, ex-partner, family, acquaintance, stranger, unknown or ''",
            max_chars=16,
        ),
    ),
)
"""The checked involvements (``records.Involvement``, which links by the references)."""

ORDER = Schema(
    "records_order",
    "one protective order, checked (its people exist)",
    (
        _text("order_ref", "the force's order reference", identity=True, max_chars=64),
        _text("order_type", "DVPN, DVPO, DAPN, DAPO, SPO, SHPO, SRO, RO or NMO", max_chars=8),
        _text("subject_ref", "the person the order restricts", max_chars=64),
        _text("protected_ref", "the person it protects ('' when none)", max_chars=64),
        Column("start_date", pl.Date(), "when it starts"),
        Column("end_date", pl.Date(), "when it ends (null: open-ended)", days_ahead=100 * 366),
        _text("breach_dates", "a JSON list of ISO dates"),
    ),
)
"""The checked orders (``records.Order``, which links by the references)."""
