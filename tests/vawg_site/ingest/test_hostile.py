"""The hostile corpus (:mod:`vawg.synth.hostile`) through ``vawg ingest ... --json``: every input
exits 0 (its bad rows rejected, the counts reconciling) or 2 (one line on stderr), never with a
traceback; SQLite and PostgreSQL give the same counts; one implausible stored row changes no
public month list.

In this process for the default lane; through the installed command on both databases in the
slow lane (as ``test_cli_process.py`` runs it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from tests.vawg_site.ingest.test_cli_process import Database

from vawg.cli import main
from vawg.synth.hostile import FORCE, MPS_RECORDED, MPS_VAWG, POLICE_UK, hostile_corpus_write

EXPECTED_EXIT = {
    (POLICE_UK, "gzip-bomb"): 2,
    (POLICE_UK, "gzip-bomb-lines"): 2,
    (POLICE_UK, "zip-bomb"): 2,
    (POLICE_UK, "gzip-json-bomb"): 2,
    (POLICE_UK, "wide-header"): 2,
    (POLICE_UK, "nested-json"): 2,
    (POLICE_UK, "traversal-zip"): 2,
    (MPS_VAWG, "gzip-bomb"): 2,
    (MPS_VAWG, "parquet-list"): 2,
    (MPS_VAWG, "parquet-struct"): 2,
    (MPS_VAWG, "not-parquet"): 2,
    (MPS_RECORDED, "parquet-list"): 2,
    (MPS_RECORDED, "parquet-wide"): 2,
    (MPS_RECORDED, "not-parquet"): 2,
    (FORCE, "parquet-struct"): 2,
    (FORCE, "gzip-bomb"): 2,
}
"""The inputs refused whole (exit 2); every other input loads with its bad rows rejected."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: Any) -> list[Any]:
    return hostile_corpus_write(tmp_path_factory.mktemp("hostile"))


def _check(kind: str, name: str, code: int, out: str, err: str) -> dict[str, Any] | None:
    assert "Traceback" not in err, (kind, name, err)
    assert code == EXPECTED_EXIT.get((kind, name), 0), (kind, name, code, err)
    if code == 2:
        assert out == ""
        assert err.count("\n") == 1, err
        assert err.startswith("vawg: "), err
        return None
    payload: dict[str, Any] = json.loads(out)
    assert payload["read"] == payload["loaded"] + payload["duplicates"] + payload["rejected"]
    return payload


@pytest.mark.django_db
def test_every_hostile_input_is_answered_in_this_process(corpus: list[Any], capsys: Any) -> None:
    results = {}
    for item in corpus:
        code = main(["ingest", item.kind, str(item.path), "--json"])
        captured = capsys.readouterr()
        results[item.kind, item.name] = _check(
            item.kind, item.name, code, captured.out, captured.err
        )

    def loaded(kind: str, name: str) -> dict[str, Any]:
        payload = results[kind, name]
        assert payload is not None
        return payload

    # An unclosed quote costs its own line: all 20,003 rows are read, one is rejected.
    quote = loaded(POLICE_UK, "unclosed-quote")
    assert (quote["read"], quote["rejected"]) == (20_003, 1)
    assert quote["rejections"][0]["line"] == 12
    assert "never closed" in quote["rejections"][0]["reason"]
    assert loaded(FORCE, "unclosed-quote")["read"] == 2_000 + 2 + 1  # crimes, people, involvements
    # Months of year 1, 9999 and -1 are rejected; only the plausible row of five is kept.
    months = loaded(POLICE_UK, "extreme-months")
    assert months["rejected"] == 4
    reasons = " ".join(r["reason"] for r in months["rejections"])
    assert "0001-01-01 is outside" in reasons
    assert "9999-12-01 is outside" in reasons
    counts = loaded(MPS_VAWG, "extreme-counts")
    assert (counts["loaded"], counts["rejected"]) == (1, 4)
    assert loaded(MPS_VAWG, "parquet-extremes")["rejected"] == 4
    assert loaded(MPS_VAWG, "text-nul-control")["rejected"] == 3
    long_line = loaded(POLICE_UK, "long-line")
    assert long_line["rejected"] == 1
    assert "longer than the 1,048,576 allowed" in long_line["rejections"][0]["reason"]


@pytest.mark.django_db
def test_a_stored_implausible_month_changes_no_public_month_list(real_data_dir: object) -> None:
    from vawg_site.opendata.models import StreetCrime
    from vawg_site.opendata.selectors.police_uk import street_months_all

    # In a force-area borough (Westminster), as the loader would have placed them.
    fields = {
        "category": "violent-crime",
        "source": "csv",
        "crime_id": "",
        "borough_code": "E09000033",
    }
    StreetCrime.objects.create(crime_key="a", month=date(2023, 3, 1), **fields)
    StreetCrime.objects.create(crime_key="b", month=date(1, 1, 1), **fields)
    StreetCrime.objects.create(crime_key="c", month=date(9999, 12, 1), **fields)
    assert street_months_all() == [date(2023, 3, 1)]


def _server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith("postgres") else ""


@pytest.fixture(scope="module")
def databases(tmp_path_factory: Any) -> Iterator[dict[str, Database]]:
    found = {"sqlite": Database(tmp_path_factory.mktemp("home-sqlite"), None)}
    server = _server()
    name = f"vawg_hostile_{uuid.uuid4().hex[:8]}"
    if server:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        found["postgresql"] = Database(
            tmp_path_factory.mktemp("home-postgresql"), f"{server}/{name}"
        )
    for database in found.values():
        migrated = database.run("manage", "migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
    yield found
    if server:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.slow
def test_the_installed_command_answers_every_hostile_input_alike_on_both_databases(
    corpus: list[Any], databases: dict[str, Database]
) -> None:
    if "postgresql" not in databases:
        pytest.skip(
            "compares SQLite with PostgreSQL: set DATABASE_URL to a PostgreSQL server "
            "(CI's PostgreSQL pass runs it)"
        )
    outcomes: dict[str, list[tuple[Any, ...]]] = {}
    for label, database in databases.items():
        outcomes[label] = []
        for item in corpus:
            done = database.run("ingest", item.kind, str(item.path), "--json")
            payload = _check(item.kind, item.name, done.returncode, done.stdout, done.stderr)
            counts = (
                None
                if payload is None
                else tuple(payload[k] for k in ("read", "loaded", "duplicates", "rejected"))
            )
            outcomes[label].append((item.kind, item.name, done.returncode, counts))
    assert outcomes["sqlite"] == outcomes["postgresql"]
