"""Outcomes files: one row per outcome event, numbered among identical rows."""

from __future__ import annotations

from pathlib import Path

from vawg.ingest.police_uk import OUTCOME, OUTCOME_CSV_COLUMNS, police_uk_batches


def test_two_suspects_charged_for_one_crime_are_two_outcome_events(tmp_path: Path) -> None:
    (tmp_path / "2023-03-x-outcomes.csv").write_text(
        ",".join(OUTCOME_CSV_COLUMNS) + "\n"
        "abc,2023-03,F,F,,,No location,,,Unable to prosecute suspect\n"
        "abc,2023-03,F,F,,,No location,,,Suspect charged\n"
        "abc,2023-03,F,F,,,No location,,,Suspect charged\n"
        ",2023-03,F,F,,,No location,,,Suspect charged\n"
    )
    [outcomes] = list(police_uk_batches([tmp_path]))
    assert (outcomes.kind, outcomes.read) == (OUTCOME, 4)
    assert outcomes.rows.select("outcome_type", "occurrence").rows() == [
        ("Unable to prosecute suspect", 0),
        ("Suspect charged", 0),
        ("Suspect charged", 1),
    ]
    assert [(r.line, r.reason) for r in outcomes.rejections] == [
        (5, "Crime ID is blank (an outcome must name its crime)")
    ]
