"""Stop-and-search files: the force from the file name, UTC times, flags that may be blank."""

from __future__ import annotations

from pathlib import Path

from vawg.ingest.police_uk import STOP_SEARCH, STOP_SEARCH_CSV_COLUMNS, police_uk_batches


def test_a_stop_and_search_file_is_read_into_its_own_table(tmp_path: Path) -> None:
    (tmp_path / "2023-03-x-stop-and-search.csv").write_text(
        ",".join(STOP_SEARCH_CSV_COLUMNS) + "\n"
        "Person search,2023-03-01T10:18:00+00:00,False,,51.5,-0.1,Male,25-34,,White,"
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False\n"
        "Person search,2023-03-31T23:30:00+00:00,,,,,Male,25-34,,White,,Controlled drugs,"
        "Arrest,,\n"
        "Person search,2023-03-31T23:30:00+00:00,Maybe,,,,Male,25-34,,White,,Controlled drugs,"
        "Arrest,,\n"
    )
    [searches] = list(police_uk_batches([tmp_path]))
    assert (searches.kind, searches.read) == (STOP_SEARCH, 3)
    assert searches.rows["force"].to_list() == ["x", "x"]
    assert searches.rows["part_of_operation"].to_list() == [False, None]
    assert searches.rows["month"].dt.strftime("%Y-%m").to_list() == ["2023-03", "2023-03"]
    assert [(r.line, r.reason) for r in searches.rejections] == [
        (4, "Part of a policing operation 'Maybe' is not True or False")
    ]
