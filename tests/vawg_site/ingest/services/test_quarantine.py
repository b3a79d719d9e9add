"""The quarantine keeps everything once: rejected rows whole, never twice for a rerun; a
formula-safe CSV export; and personal data erased after its retention period, with a record
of each erasure that holds none of the erased values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from vawg.ingest.common import Rejection
from vawg_site.ingest.admin import RejectionAdmin, rejection_export
from vawg_site.ingest.models import IngestRun, QuarantineErasure
from vawg_site.ingest.models import Rejection as RejectionRow
from vawg_site.ingest.services import force_load, police_uk_load
from vawg_site.ingest.services.quarantine import quarantine_erase
from vawg_site.ingest.services.runs import rejection_fingerprint, run_record

pytestmark = pytest.mark.django_db

COLP = "City of London Police,City of London Police"


def test_a_rejected_row_longer_than_two_thousand_characters_is_stored_whole(
    tmp_path: Path, make_street_csv: Any
) -> None:
    long_place = "On or near" + " Long Street" * 600  # 7,210 characters
    rows = [
        f"id1,2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Drugs,Open,",
        f"id2,2023-3x,{COLP},-0.1,51.51,{long_place},E1,C 001A,Drugs,Open,",  # bad month
        f"id3,2023-03,{COLP},-0.1,51.51,{long_place},E1,C 001A,Drugs,Open,,extra",  # 13 fields
    ]
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(rows))
    result = police_uk_load(paths=[path])
    assert (result.loaded, result.rejected) == (1, 2)
    stored = {r.line: r.raw for r in RejectionRow.objects.all()}
    assert set(stored) == {3, 4}
    assert stored[3] == rows[1]
    assert len(stored[3]) > 7000
    assert stored[4] == rows[2]


def test_a_rerun_of_the_same_file_stores_no_rejection_twice(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(street_rows))
    first = police_uk_load(paths=[path])
    again = police_uk_load(paths=[path])
    assert first.rejected == again.rejected == 1  # what each load rejected is still reported
    assert RejectionRow.objects.count() == 1
    assert RejectionRow.objects.get().run_id == first.run_id
    details = IngestRun.objects.get(pk=again.run_id).details
    assert (details["quarantine_stored"], details["quarantine_already_stored"]) == (0, 1)
    # The same line rejected for another reason, or with other text, is another rejection.
    path.write_bytes(make_street_csv([*street_rows[:5], street_rows[5].replace("3x", "3y")]))
    police_uk_load(paths=[path])
    assert RejectionRow.objects.count() == 2


def test_the_fingerprint_tells_apart_rejections_whose_parts_only_shift() -> None:
    one = rejection_fingerprint(source="force", file="a.csv", line=2, reason="ab", raw="c")
    two = rejection_fingerprint(source="force", file="a.csv", line=2, reason="a", raw="bc")
    assert one != two
    assert len(one) == 64


def test_the_csv_export_escapes_every_cell_a_spreadsheet_would_run() -> None:
    bad = [
        Rejection("=cmd|' /C calc'!A0", 2, "+SUM(A1)", '@HYPERLINK("http://x")'),
        Rejection("a.csv", 3, "-2+3", "\tx"),
        Rejection("a.csv", 4, "plain", "\rx"),
        Rejection("a.csv", 5, "plain", "-12.5"),  # a number, not a formula: left as it is
    ]
    run = run_record(source="force", files=["x"], read=4, loaded=0, duplicates=0, rejections=bad)
    request = RequestFactory().get("/")
    admin = RejectionAdmin(RejectionRow, None)  # type: ignore[arg-type]
    response = rejection_export(admin, request, RejectionRow.objects.filter(run=run))
    assert response["Content-Disposition"] == 'attachment; filename="rejections.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[0] == ["run", "source", "file", "line", "reason", "raw"]
    cells = [cell for row in rows[1:] for cell in row[2:]]
    escaped = ["'=cmd|' /C calc'!A0", "'+SUM(A1)", '\'@HYPERLINK("http://x")', "'-2+3"]
    assert [c for c in escaped if c not in cells] == []
    assert [c for c in ("'\tx", "'\rx", "-12.5") if c not in cells] == []
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]


def _run_aged(source: str, *, days: int, raws: list[str]) -> IngestRun:
    bad = [
        Rejection("people.csv", n + 2, "sex 'Q' is not F, M or U", raw)
        for n, raw in enumerate(raws)
    ]
    run = run_record(
        source=source, files=["x"], read=len(raws), loaded=0, duplicates=0, rejections=bad
    )
    IngestRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - dt.timedelta(days=days))
    return run


def test_personal_data_is_erased_after_the_retention_period_with_a_record_of_it() -> None:
    old = _run_aged("force", days=91, raws=["P3,Q,1985,Smith", "P4,Q,1971,Jones"])
    recent = _run_aged("force", days=89, raws=["P5,Q,1990,Brown"])
    open_data = _run_aged("police-uk", days=400, raws=["id9,2023-3x,street"])
    assert [d.run_id for d in quarantine_erase(retention_days=90, dry_run=True)] == [old.pk]
    assert RejectionRow.objects.count() == 4  # a dry run erases nothing
    done = quarantine_erase(retention_days=90)
    assert [(d.run_id, d.rows) for d in done] == [(old.pk, 2)]
    assert set(RejectionRow.objects.values_list("run_id", flat=True)) == {recent.pk, open_data.pk}
    record = QuarantineErasure.objects.get()
    assert (record.run_id_erased, record.source, record.rows) == (old.pk, "force", 2)
    assert "90 days" in record.reason
    assert record.loaded_at == IngestRun.objects.get(pk=old.pk).finished_at
    written = " ".join(str(v) for v in QuarantineErasure.objects.values().get().values())
    for erased in ("P3", "Smith", "Jones", "1985", "people.csv", "sex"):
        assert erased not in written
    assert quarantine_erase(retention_days=90) == []  # nothing left to erase, nothing recorded
    assert QuarantineErasure.objects.count() == 1
    assert IngestRun.objects.get(pk=old.pk).rejected == 2  # the load's own figures stay


def test_the_command_erases_by_the_setting_and_says_what_it_did(
    force_dir: Path, settings: Any
) -> None:
    result = force_load(path=force_dir)
    assert result.rejected > 0
    IngestRun.objects.filter(pk=result.run_id).update(
        finished_at=timezone.now() - dt.timedelta(days=31)
    )
    settings.VAWG_QUARANTINE_RETENTION_DAYS = 31
    out = io.StringIO()
    call_command("quarantine_erase", "--dry-run", stdout=out)
    assert f"due: {result.rejected} rejected rows of force load {result.run_id}" in out.getvalue()
    assert RejectionRow.objects.count() == result.rejected
    settings.VAWG_QUARANTINE_RETENTION_DAYS = 30
    out = io.StringIO()
    call_command("quarantine_erase", stdout=out)
    assert out.getvalue().endswith(f"erased: {result.rejected} rows of 1 loads\n")
    assert RejectionRow.objects.count() == 0
    assert QuarantineErasure.objects.get().rows == result.rejected


def test_a_negative_retention_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        quarantine_erase(retention_days=-1)


def test_an_erasure_writes_an_erase_event_with_none_of_the_erased_values() -> None:
    from vawg_site.audit.models import AccessEvent

    old = _run_aged("force", days=91, raws=["P3,Q,1985,Smith", "P4,Q,1971,Jones"])
    quarantine_erase(retention_days=90)
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.object_ref) == (
        "erase", "ingest.rejection", f"run:{old.pk}",
    )  # fmt: skip
    assert (event.object_count, event.reason_code, event.channel) == (2, "case-review", "command")
    written = " ".join(str(v) for v in AccessEvent.objects.values().get().values())
    for erased in ("P3", "P4", "Smith", "Jones", "1985", "1971", "people.csv", "sex"):
        assert erased not in written
