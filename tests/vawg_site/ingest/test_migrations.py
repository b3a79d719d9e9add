"""The quarantine's migration on a database that already holds rejections: each gets its
fingerprint, a rejection stored again by a rerun is removed (the first copy holds the same
text), and the fingerprints are those a load computes now."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vawg_site.ingest.models import Rejection
from vawg_site.ingest.services.runs import rejection_fingerprint

BEFORE = [("ingest", "0003_alter_ingestrun_source")]
AFTER = [("ingest", "0004_quarantine_fingerprint_erasure")]


@pytest.mark.django_db(transaction=True)
def test_stored_rejections_get_fingerprints_and_reruns_copies_go() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    run_model, rejection_model = (
        old.get_model("ingest", "IngestRun"),
        old.get_model("ingest", "Rejection"),
    )
    first = run_model.objects.create(source="force", files=["x"], rejected=2)
    again = run_model.objects.create(source="force", files=["x"], rejected=2)
    other = run_model.objects.create(source="police-uk", files=["y"], rejected=1)
    for run in (first, again):
        rejection_model.objects.create(run=run, file="people.csv", line=3, reason="bad", raw="a")
        rejection_model.objects.create(run=run, file="people.csv", line=4, reason="bad", raw="b")
    rejection_model.objects.create(run=other, file="people.csv", line=3, reason="bad", raw="a")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    kept = {(r.run_id, r.line): r.fingerprint for r in Rejection.objects.select_related("run")}
    assert set(kept) == {(first.pk, 3), (first.pk, 4), (other.pk, 3)}  # another source: kept
    assert kept[(first.pk, 3)] == rejection_fingerprint(
        source="force", file="people.csv", line=3, reason="bad", raw="a"
    )
    assert len(set(kept.values())) == 3
