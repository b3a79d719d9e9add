"""Rows the load tests share: one month of City of London street records."""

from __future__ import annotations

import pytest

COLP = "City of London Police,City of London Police"


ROWS = [
    f"id1,2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Violence and sexual offences,Open,",
    f",2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Anti-social behaviour,,",
    f",2023-03,{COLP},-0.1,51.51,On or near A,E1,C 001A,Anti-social behaviour,,",
    f"id1,2023-03,{COLP},-0.1,51.51,On or near B,E1,C 001A,Violence and sexual offences,Closed,",
    f"id2,2023-03,{COLP},,,No Location,,,Drugs,Open,",
    f"id3,2023-3x,{COLP},,,No Location,,,Drugs,Open,",
]


@pytest.fixture
def street_rows() -> list[str]:
    """Six rows: a Crime ID repeated with a later place and outcome, two identical anti-social
    behaviour rows, a No Location row and a row whose month is wrong (rejected, line 7)."""
    return list(ROWS)
