"""One table: a row per job, which is the queue, the lease and the record of the run
(docs/jobs.md)."""

from __future__ import annotations

from django.db import models


class Job(models.Model):
    """A unit of background work. ``key`` is unique: enqueuing a key already present does
    nothing, which is how a schedule never runs one period twice. A worker owns a running job
    while ``lease_until`` is in the future and ``worker`` names it; a job whose lease ran out is
    put back in the queue (or failed after ``max_attempts``) by the next worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, help_text="the job type, a key of the registry")
    key = models.CharField(max_length=200, unique=True, help_text="idempotency key")
    args = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="times a worker started it")
    max_attempts = models.PositiveIntegerField(default=3)
    run_after = models.DateTimeField(help_text="not started before this time")
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True, help_text="the lease holder")
    progress = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="why the latest attempt failed or was lost")
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "run_after"], name="jobs_job_ready_idx"),
            models.Index(fields=["status", "lease_until"], name="jobs_job_lease_idx"),
            models.Index(fields=["-created_at"], name="jobs_job_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
