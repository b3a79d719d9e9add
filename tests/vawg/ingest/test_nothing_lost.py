"""Property: whatever is done to valid rows, every row read is kept, a duplicate, or rejected
with a reason and its line; nothing read is silently lost."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.ingest.police_uk import police_uk_batches
from vawg.schemas import POLICE_UK_STREET_FILE

HEADER = list(POLICE_UK_STREET_FILE.names)
_VALID_TEXT = """\
id-1,2023-03,CoLP,CoLP,-0.09,51.51,On or near A,E01000001,A,Drugs,,
,2023-03,CoLP,CoLP,,,No location,,,Anti-social behaviour,,
id-2,2023-03,CoLP,CoLP,-0.10,51.52,On or near B,E01000002,B,Robbery,Open,
id-1,2023-03,CoLP,CoLP,-0.09,51.51,On or near A,E01000001,A,Drugs,Closed,
"""
VALID = list(csv.reader(io.StringIO(_VALID_TEXT)))

# Text a field may be replaced with: anything but NUL (which CSV cannot carry) and surrogates.
FIELD_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.sampled_from(["nan", "inf", "-1e400", "2023-13", "51,5", "  ", '"', "\r\n", "90.0001"]),
)


@st.composite
def mutated_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = [list(draw(st.sampled_from(VALID))) for _ in range(draw(st.integers(1, 12)))]
    for row in rows:
        for _ in range(draw(st.integers(0, 3))):
            action = draw(st.sampled_from(["replace", "drop", "add"]))
            position = draw(st.integers(0, len(row) - 1))
            if action == "replace":
                row[position] = draw(FIELD_TEXT)
            elif action == "drop" and len(row) > 2:
                del row[position]
            elif action == "add":
                row.insert(position, draw(FIELD_TEXT))
    return rows


def _visible(row: list[str]) -> bool:
    """Whether a row is a row at all (a CSV line of blanks is skipped, not read)."""
    return not (len(row) == 1 and not row[0].strip()) and bool(row)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=mutated_rows(), crlf=st.booleans(), bom=st.booleans())
def test_every_row_is_kept_a_duplicate_or_rejected_with_a_reason(
    rows: list[list[str]], crlf: bool, bom: bool
) -> None:
    buffer = io.StringIO()
    end = "\r\n" if crlf else "\n"
    writer = csv.writer(buffer, lineterminator=end)
    # The csv module quotes a field holding its own line terminator but not a lone CR, which
    # a CSV reader takes as a line break: such a row is two physical rows, both read. Quote
    # it, so that every row written is one row read.
    quoted = csv.writer(buffer, lineterminator=end, quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    for row in rows:
        (quoted if any("\r" in field for field in row) else writer).writerow(row)
    data = (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.csv"
        path.write_bytes(data)
        batches = list(police_uk_batches([path]))
    read = sum(b.read for b in batches)
    kept = sum(b.rows.height for b in batches)
    duplicates = sum(b.duplicates for b in batches)
    rejections = [r for b in batches for r in b.rejections]
    assert read == sum(1 for row in rows if _visible(row))
    assert read == kept + duplicates + len(rejections)
    last_line = data.count(b"\n") + 1
    for rejection in rejections:
        assert rejection.file == str(path)
        assert 2 <= rejection.line <= last_line
        assert rejection.reason
