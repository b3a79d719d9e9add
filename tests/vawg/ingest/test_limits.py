"""The readers' bounds and the plausibility checker, on inputs small enough to read by eye (the
whole hostile corpus runs through the command in ``tests/vawg_site/ingest/test_hostile.py``)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.ingest.common import Rejection, csv_rows
from vawg.ingest.limits import json_depth
from vawg.ingest.plausible import first_reason, plausibility_rules
from vawg.ingest.police_uk import police_uk_batches
from vawg.schemas import CRIME, ORDER, POLICE_UK_OUTCOMES_FILE

OUTCOME_ROW = "abc,2023-03,CoLP,CoLP,-0.09,51.51,On or near A,E01000001,A,Offender fined\n"


def test_a_stray_quote_costs_its_line_and_a_quoted_field_may_span_lines() -> None:
    text = 'a,b\n1,"x\n2,3\n4,5\n"6\n7",8\n'
    table = csv_rows(text, file="t.csv")
    assert table.rows.rows() == [("2", "3", 3), ("4", "5", 4), ("6\n7", "8", 5)]
    assert [(r.line, r.raw) for r in table.rejections] == [(2, '1,"x')]


def test_more_identical_outcomes_than_the_stored_column_counts_are_rejected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "2023-03-city-of-london-outcomes.csv"
    path.write_text(",".join(POLICE_UK_OUTCOMES_FILE.names) + "\n" + OUTCOME_ROW * 32_770)
    batches = list(police_uk_batches([path]))
    rejections = [r for b in batches for r in b.rejections]
    assert sum(b.read for b in batches) == 32_770
    assert sum(b.rows.height for b in batches) == 32_768
    assert [r.line for r in rejections] == [32_770, 32_771]
    assert rejections[0].reason == "occurrence 32768 is outside 0..32767"


@pytest.mark.parametrize("name", ["../x.csv", "a/../../x.csv", "/etc/x.csv", "C:x.csv"])
def test_an_archive_member_named_outside_the_archive_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, "Crime ID,Month\n")
    with pytest.raises(UserInputError, match="a path outside the archive"):
        list(police_uk_batches([path]))


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'[{"a": "[[[[\\"[[", "b": [1, [2]]}]') == 4
    assert json_depth(b"[" * 70 + b"]" * 70) == 70


def test_dates_counts_and_text_are_checked_against_their_declared_bounds() -> None:
    today = date(2025, 6, 1)
    crimes = pl.DataFrame(
        {
            "crime_ref": ["C1", "C2", "C3", "C" * 65, "C\x00"],
            "recorded_date": [
                date(2025, 6, 1),
                date(2025, 6, 2),
                date(1899, 12, 31),
                date(2024, 1, 1),
                date(2024, 1, 1),
            ],
        }
    )
    reasons = crimes.select(first_reason(plausibility_rules(CRIME, crimes.columns, today=today)))
    assert reasons.to_series().to_list() == [
        None,
        "recorded_date 2025-06-02 is outside 1900-01-01..2025-06-01",
        "recorded_date 1899-12-31 is outside 1900-01-01..2025-06-01",
        "crime_ref is 65 characters long, longer than the 64 stored",
        "crime_ref holds a control character (e.g. NUL)",
    ]
    # An order may end years ahead; it may not start ahead.
    orders = pl.DataFrame({"start_date": [date(2030, 1, 1)], "end_date": [date(2030, 1, 1)]})
    order_reasons = orders.select(
        first_reason(plausibility_rules(ORDER, ["end_date"], today=today))
    )
    assert order_reasons.to_series().to_list() == [None]


def test_a_rejection_keeps_nul_and_lone_surrogates_as_escapes() -> None:
    rejection = Rejection("f", 1, "bad \x00", "a\x00b\ud800")
    assert (rejection.reason, rejection.raw) == ("bad \\x00", "a\\x00b\\ud800")
