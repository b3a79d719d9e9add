"""Small hand-written police.uk rows shared by the reader's tests."""

from __future__ import annotations

import pytest

COLP = "City of London Police,City of London Police"


ROWS = [
    f"id1,2023-03,{COLP},-0.100000,51.510000,On or near A Street,E01000001,City of London 001A,"
    "Violence and sexual offences,Under investigation,",
    f",2023-03,{COLP},-0.100000,51.510000,On or near A Street,E01000001,City of London 001A,"
    "Anti-social behaviour,,",
    f",2023-03,{COLP},-0.100000,51.510000,On or near A Street,E01000001,City of London 001A,"
    "Anti-social behaviour,,",
    f"id2,2023-03,{COLP},,,No Location,,,Theft from the person,Status update unavailable,",
    f"id1,2023-03,{COLP},-0.100000,51.510000,On or near B Street,E01000001,City of London 001A,"
    "Violence and sexual offences,Unable to prosecute suspect,",
]


@pytest.fixture
def street_rows() -> list[str]:
    """Five street rows of one month: a Crime ID repeated with a later outcome and place, two
    identical anti-social behaviour rows (no Crime ID) and a No Location row."""
    return list(ROWS)
