"""Data already published by its owner, stored as published: data.police.uk street-level crimes,
outcomes and stop-and-search records, and the Met's VAWG offence and victim counts from the London
Datastore.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F

# The identities below are UniqueConstraints over plain column expressions (F("crime_key")) rather
# than fields=[...]: Django then creates them on SQLite as a separate CREATE UNIQUE INDEX instead
# of an inline UNIQUE table constraint, which SQLite cannot drop. A bulk load into an empty table
# drops the index inside its transaction and rebuilds it at the end, which also checks uniqueness
# (vawg_site.ingest.services). Both databases index a parenthesised column as the plain column,
# so INSERT ... ON CONFLICT (crime_key, month) still finds the index.


class StreetCrime(models.Model):
    """One data.police.uk street-level record (CSV row or API ``crimes-street`` object).

    Identity is (``crime_key``, ``month``): the Crime ID where there is one, else a stable key
    computed from the row's content (anti-social behaviour and BTP rows have no Crime ID).
    """

    crime_key = models.CharField(max_length=80)
    month = models.DateField(help_text="first day of the month the crime was recorded in")
    crime_id = models.CharField(max_length=80, blank=True)
    category = models.CharField(max_length=48, help_text="police.uk API slug, e.g. violent-crime")
    reported_by = models.CharField(max_length=64, blank=True)
    falls_within = models.CharField(max_length=64, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=96, blank=True)
    last_outcome = models.CharField(max_length=128, blank=True)
    context = models.TextField(blank=True)
    location_type = models.CharField(
        max_length=8, blank=True, help_text="Force or BTP (British Transport Police)"
    )
    source = models.CharField(max_length=8, help_text="csv or api")
    lsoa_vintage = models.CharField(
        max_length=8,
        blank=True,
        help_text="vintage of the file's LSOA codes: 2011, 2021, mixed, either (valid in both) "
        "or blank (no codes); codes are stored as published",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(F("crime_key"), F("month"), name="streetcrime_identity"),
        ]
        indexes = [
            models.Index(fields=["category", "month"]),
            models.Index(fields=["month"]),
            models.Index(fields=["lsoa_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.crime_key} ({self.month:%Y-%m})"


class StreetOutcome(models.Model):
    """One row of a data.police.uk outcomes CSV: one outcome event of a crime.

    A crime has several (``Under investigation``, then ``Suspect charged``...); the crime is the
    :class:`StreetCrime` whose ``crime_key`` is this ``crime_id`` (it may be in an earlier month,
    or not loaded). Identity is (``crime_id``, ``month``, ``outcome_type``, ``occurrence``):
    ``occurrence`` numbers identical rows of one file (two suspects charged are two rows).
    """

    crime_id = models.CharField(max_length=80)
    month = models.DateField(help_text="first day of the month of the outcome")
    outcome_type = models.CharField(max_length=128)
    occurrence = models.PositiveSmallIntegerField(default=0)
    reported_by = models.CharField(max_length=64, blank=True)
    falls_within = models.CharField(max_length=64, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=96, blank=True)
    lsoa_vintage = models.CharField(max_length=8, blank=True, help_text="as StreetCrime's")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("crime_id"),
                F("month"),
                F("outcome_type"),
                F("occurrence"),
                name="streetoutcome_identity",
            ),
        ]
        indexes = [models.Index(fields=["month", "outcome_type"])]

    def __str__(self) -> str:
        return f"{self.crime_id} {self.month:%Y-%m}: {self.outcome_type}"


class StopSearch(models.Model):
    """One row of a data.police.uk stop-and-search CSV.

    The rows carry no identifier: ``search_key`` is the SHA-1 of the force and every published
    field, with the occurrence number among identical rows of one file.
    """

    search_key = models.CharField(max_length=48)
    force = models.CharField(max_length=64, blank=True, help_text="from the file name")
    search_type = models.CharField(max_length=32)
    searched_at = models.DateTimeField()
    month = models.DateField(help_text="first day of the month of the search (UTC)")
    part_of_operation = models.BooleanField(null=True, blank=True)
    operation_name = models.CharField(max_length=128, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    gender = models.CharField(max_length=16, blank=True)
    age_range = models.CharField(max_length=16, blank=True)
    self_defined_ethnicity = models.CharField(max_length=128, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=32, blank=True)
    legislation = models.CharField(max_length=128, blank=True)
    object_of_search = models.CharField(max_length=128, blank=True)
    outcome = models.CharField(max_length=128, blank=True)
    outcome_linked = models.BooleanField(null=True, blank=True)
    removal_of_clothing = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(F("search_key"), name="stopsearch_identity"),
        ]
        indexes = [models.Index(fields=["force", "month"])]

    def __str__(self) -> str:
        return f"{self.force} {self.searched_at:%Y-%m-%d %H:%M}: {self.search_type}"


class VawgCount(models.Model):
    """One row of the Met's VAWG offences or victims extract, kept on its own sheet.

    The extracts break the same offences down several ways (by location, by classification, by
    victim age group, by victim ethnic group); each is a ``sheet`` and sheets are never summed
    together.
    """

    class Measure(models.TextChoices):
        OFFENCES = "offences"
        VICTIMS = "victims"

    class Sheet(models.TextChoices):
        LOCATION = "location"
        CLASSIFICATION = "classification"
        AGE = "age"
        ETHNICITY = "ethnicity"

    natural_key = models.CharField(
        max_length=40,
        help_text="SHA-1 of the row's full natural key (vawg.ingest.mps_vawg): its identity",
    )
    measure = models.CharField(max_length=8, choices=Measure.choices)
    sheet = models.CharField(max_length=16, choices=Sheet.choices)
    month = models.DateField(help_text="first day of the month recorded")
    committed_month = models.DateField(null=True, blank=True)
    bcu = models.CharField(max_length=48, blank=True)
    borough = models.CharField(max_length=48, blank=True)
    ward_name = models.CharField(max_length=96, blank=True)
    ward_code = models.CharField(max_length=9, blank=True, help_text="2024 ward code, when matched")
    offence_group = models.CharField(max_length=96, blank=True)
    offence = models.CharField(max_length=128, blank=True)
    offence_detail = models.CharField(max_length=255, blank=True)
    vawg_offence = models.CharField(max_length=128, blank=True)
    age_group = models.CharField(max_length=32, blank=True)
    ethnic_group = models.CharField(max_length=48, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        # A UniqueConstraint rather than unique=True: on PostgreSQL the latter adds a second
        # (LIKE) index that is never used for a hash and doubles the cost of a bulk load.
        constraints = [
            models.UniqueConstraint(F("natural_key"), name="vawgcount_identity"),
        ]
        indexes = [
            models.Index(fields=["measure", "sheet", "borough", "month"]),
            models.Index(fields=["measure", "sheet", "ward_code", "month"]),
            models.Index(fields=["measure", "sheet", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.measure}/{self.sheet} {self.month:%Y-%m}: {self.count}"


class RecordedCrimeCount(models.Model):
    """One published count of the Met's recorded crime (all crime, not only VAWG) by area, major
    and minor category and month: London Datastore "MPS Recorded Crime: Geographic Breakdown".

    ``level`` is the geography of the file: ``borough`` (no code), ``ward`` or ``lsoa``; the
    ward and LSOA files name their borough. Identity is (level, area code, area name, major,
    minor, month).
    """

    level = models.CharField(max_length=8)
    area_code = models.CharField(max_length=12, blank=True)
    area_name = models.CharField(max_length=128)
    borough = models.CharField(max_length=64, blank=True)
    major_category = models.CharField(max_length=96)
    minor_category = models.CharField(max_length=128)
    month = models.DateField(help_text="first day of the month the crimes were recorded in")
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("level"),
                F("area_code"),
                F("area_name"),
                F("major_category"),
                F("minor_category"),
                F("month"),
                name="recordedcrimecount_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.minor_category} {self.month:%Y-%m}: {self.count}"


class Postcode(models.Model):
    """One postcode of the ONS Postcode Directory (ONSPD) in the boroughs of the boundary files:
    its grid point and the ward and local authority ONS gives it, as published.

    Only what "Find your area" needs is kept; nothing here is about a person. A terminated
    postcode is kept with the month it was terminated, so that a search for it can say so.
    """

    postcode = models.CharField(
        max_length=8, primary_key=True, help_text="pcds form: upper case, one space (E1 6AN)"
    )
    latitude = models.FloatField(null=True, blank=True, help_text="WGS84 degrees")
    longitude = models.FloatField(null=True, blank=True, help_text="WGS84 degrees")
    ward_code = models.CharField(max_length=9, blank=True, help_text="ONSPD osward")
    lad_code = models.CharField(max_length=9, help_text="ONSPD oslaua (local authority)")
    terminated = models.DateField(
        null=True, blank=True, help_text="first day of the month it was terminated (doterm)"
    )

    def __str__(self) -> str:
        return self.postcode
