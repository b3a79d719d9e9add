"""What a load reports and records: the ``--json`` object and the quarantine of a run."""

from __future__ import annotations

import pytest

from vawg.ingest.common import Rejection, SkippedFile
from vawg_site.ingest.models import IngestRun
from vawg_site.ingest.models import Rejection as RejectionRow
from vawg_site.ingest.services import LoadResult
from vawg_site.ingest.services.runs import run_record

pytestmark = pytest.mark.django_db


def test_the_json_object_splits_loaded_and_duplicates_into_their_parts() -> None:
    bad = Rejection("a.csv", 7, "month '2023-3x' is not YYYY-MM", "raw text")
    result = LoadResult(
        read=10,
        loaded=6,
        duplicates=3,
        rejected=1,
        rejections=(bad,),
        updated=2,
        unchanged=1,
        skipped=(SkippedFile("b.csv", "police.uk outcome file"),),
        details={"by_kind": {}},
    )
    payload = result.as_json()
    assert payload["read"] == payload["loaded"] + payload["duplicates"] + payload["rejected"]
    assert (payload["inserted"], payload["updated"]) == (4, 2)
    assert (payload["unchanged"], payload["repeated"]) == (1, 2)
    assert payload["rejections"] == [{"file": "a.csv", "line": 7, "reason": bad.reason}]
    assert payload["skipped"] == [{"file": "b.csv", "reason": "police.uk outcome file"}]
    assert payload["by_kind"] == {}


def test_a_run_keeps_every_rejection_with_its_raw_row() -> None:
    rejections = [Rejection("x" * 600, n, "r" * 300, f"raw {n}") for n in (2, 3)]
    run = run_record(
        source="force",
        files=["extract"],
        read=5,
        loaded=3,
        duplicates=0,
        rejections=rejections,
        details={"notices": ["n"]},
    )
    stored = IngestRun.objects.get(pk=run.pk)
    assert (stored.read, stored.loaded, stored.rejected, stored.details) == (
        5,
        3,
        2,
        {"notices": ["n"], "quarantine_stored": 2, "quarantine_already_stored": 0},
    )
    rows = RejectionRow.objects.filter(run=stored).order_by("line")
    assert [(r.line, r.raw) for r in rows] == [(2, "raw 2"), (3, "raw 3")]
    assert {(len(r.file), len(r.reason)) for r in rows} == {(512, 255)}  # cut to the columns
