"""A record of every load and a quarantine of every rejected row: nothing read is silently lost."""

from __future__ import annotations

from django.db import models


class IngestRun(models.Model):
    source = models.CharField(max_length=16, help_text="police-uk, mps-vawg, mps-recorded or force")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(default=list)
    read = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="source-specific facts: notices, unmatched wards, unknown offence codes, "
        "LSOA vintages, counts by kind",
    )

    class Meta:
        indexes = [models.Index(fields=["source", "started_at"])]

    def __str__(self) -> str:
        return f"{self.source} load {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class Rejection(models.Model):
    """A rejected row, stored once: by the first load that rejected it, whole."""

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="rejections")
    file = models.CharField(max_length=512)
    line = models.PositiveIntegerField(help_text="1-based line (or record number) in the file")
    reason = models.CharField(max_length=255)
    raw = models.TextField(
        blank=True, help_text="the row as read, whole, for the analyst to correct"
    )
    fingerprint = models.CharField(
        max_length=64,
        unique=True,
        help_text="SHA-256 of source, file, line, reason and raw text: a load of the same file "
        "again does not store the same rejection twice",
    )

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class QuarantineErasure(models.Model):
    """That a load's quarantined rows were erased: which load, how many rows, when and why.

    It holds no content of the rows (no file name, line, reason or raw text), only the figures;
    the admin shows it read-only and nobody may change or delete it there.
    """

    run_id_erased = models.PositiveIntegerField(help_text="the load whose rejected rows went")
    source = models.CharField(max_length=16)
    loaded_at = models.DateTimeField(help_text="when that load finished")
    rows = models.PositiveIntegerField(help_text="rejected rows erased")
    erased_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255)

    class Meta:
        indexes = [models.Index(fields=["erased_at"])]

    def __str__(self) -> str:
        return f"{self.rows} rejected rows of {self.source} load {self.run_id_erased} erased"
