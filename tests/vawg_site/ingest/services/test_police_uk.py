"""police.uk loads: counts reconcile, re-loading adds nothing, changed rows update, a Crime ID
repeated in a later chunk keeps the last row, API JSON loads."""

from __future__ import annotations

import gzip
import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from vawg_site.ingest.models import IngestRun, Rejection
from vawg_site.ingest.services import police_uk, police_uk_load
from vawg_site.opendata.models import StreetCrime

pytestmark = pytest.mark.django_db


def _reconciles(result: Any) -> None:
    assert result.read == result.loaded + result.duplicates + result.rejected
    assert result.rejected == len(result.rejections)


def test_police_uk_load_is_idempotent_and_upserts(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(street_rows))
    first = police_uk_load(paths=[path])
    _reconciles(first)
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (6, 4, 1, 1)
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"
    again = police_uk_load(paths=[path])
    _reconciles(again)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 5, 1)
    assert StreetCrime.objects.count() == 4
    # a later download with a new outcome updates the stored row in place
    path.write_bytes(make_street_csv([r.replace(",Open,", ",Charged,") for r in street_rows]))
    later = police_uk_load(paths=[path])
    assert (later.loaded, later.updated) == (1, 1)
    assert StreetCrime.objects.get(crime_key="id2").last_outcome == "Charged"
    assert StreetCrime.objects.count() == 4
    run = IngestRun.objects.get(pk=first.run_id)
    assert (run.read, run.loaded, run.rejected) == (6, 4, 1)
    quarantined = Rejection.objects.get(run=run)
    assert quarantined.line == 7
    assert "id3" in quarantined.raw


def test_a_crime_id_repeated_in_a_later_chunk_keeps_the_last_row(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV longer than a chunk may repeat a Crime ID in a later chunk. Into an empty table
    both rows are appended without the unique index; the earlier is removed and the index
    rebuilt before the commit, so the counts are those of an unchunked load."""
    monkeypatch.setattr(
        police_uk, "police_uk_read_file", partial(police_uk.police_uk_read_file, chunk_rows=2)
    )
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(make_street_csv(street_rows))
    first = police_uk_load(paths=[path])
    _reconciles(first)
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (6, 4, 1, 1)
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"
    # The upsert path (index in place) writes the earlier chunk's row, then the later one's:
    # the stored row ends right, nothing is inserted.
    again = police_uk_load(paths=[path])
    _reconciles(again)
    assert again.inserted == 0
    assert StreetCrime.objects.count() == 4
    assert StreetCrime.objects.get(crime_key="id1").last_outcome == "Closed"


def test_police_uk_api_json_loads(tmp_path: Path) -> None:
    record = {
        "category": "violent-crime",
        "location_type": "Force",
        "location": {
            "latitude": "51.5",
            "street": {"id": 1, "name": "On or near X"},
            "longitude": "-0.1",
        },
        "context": "",
        "outcome_status": None,
        "persistent_id": "",
        "id": 1,
        "month": "2017-01",
    }
    path = tmp_path / "api.json.gz"
    path.write_bytes(gzip.compress(json.dumps([record, record]).encode()))
    result = police_uk_load(paths=[path])
    assert (result.read, result.loaded) == (2, 2)
    assert police_uk_load(paths=[path]).loaded == 0
