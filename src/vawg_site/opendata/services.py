"""Writes of the opendata app's reference tables that are not loads of published counts.

* :func:`postcode_load`: the ONS Postcode Directory's postcodes in the boroughs of the boundary
  files, replacing what was stored (a new ONSPD release supersedes the old one whole).

The published counts are loaded by :mod:`vawg_site.ingest.services`, which records each load.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from vawg.errors import UserInputError
from vawg.postcodes import onspd_read
from vawg_site.opendata.models import Postcode

BATCH_ROWS = 5000


@dataclass(frozen=True)
class PostcodeLoad:
    """What a postcode load kept: postcodes stored, how many of them are terminated, how many
    have no grid point, and the seconds it took."""

    stored: int
    terminated: int
    without_point: int
    seconds: float


def postcode_load(*, path: Path, lad_codes: Collection[str]) -> PostcodeLoad:
    """Replace the stored postcodes by those of the ONSPD CSV ``path`` in ``lad_codes``.

    Raises :class:`~vawg.errors.UserInputError` when the file is not an ONSPD file or holds no
    postcode in those local authorities (the stored postcodes are then left as they were).
    """
    started = time.monotonic()
    if not lad_codes:
        raise UserInputError(
            "no boroughs to keep postcodes for: the boundary files are not in the data folder"
        )
    table = onspd_read(path, lad_codes=lad_codes)
    if table.is_empty():
        raise UserInputError(
            f"{path}: no postcode in the {len(lad_codes)} boroughs of the boundary files"
        )
    with transaction.atomic():
        Postcode.objects.all().delete()
        batch: list[Postcode] = []
        for row in table.iter_rows(named=True):
            batch.append(Postcode(**row))
            if len(batch) >= BATCH_ROWS:
                Postcode.objects.bulk_create(batch)
                batch = []
        Postcode.objects.bulk_create(batch)
    return PostcodeLoad(
        stored=table.height,
        terminated=int(table["terminated"].is_not_null().sum()),
        without_point=int(table["latitude"].is_null().sum()),
        seconds=time.monotonic() - started,
    )
