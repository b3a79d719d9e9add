"""``vawg fetch``: download the public sources for users with internet, safely.

* ``vawg fetch police-uk --force metropolitan --from YYYY-MM --to YYYY-MM [--out DIR]``: the
  data.police.uk monthly archive (``https://data.police.uk/data/archive/YYYY-MM.zip``, every force,
  one to two gigabytes) holds the 36 months up to its own month, so the months asked for are covered
  with the fewest archives (:func:`archives_for`); from each, only the force's street, outcomes and
  stop-and-search CSV files of those months are extracted, then the archive is deleted (unless
  ``--keep-archives``).
* ``vawg fetch mps-vawg [--out DIR] [--url URL ...]``: the Met's VAWG offences and victims extracts.
  The Met publishes them on the London Datastore (:data:`MPS_VAWG_DATASET`) as Excel workbooks
  whose resources are replaced every month, so there is no stable file URL, and the reader takes
  Parquet or CSV. The defaults (:data:`MPS_VAWG_URLS`) are therefore the Parquet copies that
  fenneh/london-crime-data refreshes monthly from that dataset (its README's "Direct download";
  the files in the shared data folder come from the same repository).
  ``--url`` or the environment variable ``VAWG_MPS_VAWG_URLS`` (space-separated) overrides them.
* ``vawg fetch postcodes --url URL [--out DIR]``: the ONS Postcode Directory (ONSPD, Open
  Government Licence), published on the ONS Open Geography Portal (:data:`ONSPD_SEARCH`) as one zip
  per release (about 250 MB) under a new item each quarter, so there is no default URL: ``--url``
  or ``VAWG_ONSPD_URL`` names the release's download. From the zip only the single UK CSV
  (``Data/ONSPD_<MON>_<YEAR>_UK.csv``) is extracted, then the zip is deleted (unless
  ``--keep-archives``); load it with ``vawg ingest postcodes``.

Every download goes to ``NAME.part`` and is resumed with an HTTP ``Range`` request after a dropped
connection; failures are retried with exponential backoff (:data:`RETRIES`, :data:`BACKOFF_S`); a
finished file is checked (its size against ``Content-Length``; a zip or Parquet file by its magic
bytes; an HTML page served with status 200 is rejected) before it is renamed into place. Only the
standard library's ``urllib`` is used. Network code lives here, never in the core ``vawg``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from datetime import date
from http.client import HTTPException
from pathlib import Path

from tqdm import tqdm

from vawg.periods import month_after, month_key, month_parse, months_between, months_shift

POLICE_UK_ARCHIVE_URL = "https://data.police.uk/data/archive/"
"""Where the monthly archives are: ``{base}YYYY-MM.zip``."""

ARCHIVE_MONTHS = 36
"""Months in one data.police.uk archive: the archive of month M holds M-35 .. M."""

MPS_VAWG_DATASET = (
    "https://data.london.gov.uk/dataset/mps-violence-against-women-and-girls-dashboard-data-2yod5"
)
"""The London Datastore page of the Met's VAWG dashboard data (dataset id ``2yod5``)."""

MPS_VAWG_URLS = (
    "https://raw.githubusercontent.com/fenneh/london-crime-data/main/data/vawg-offences.parquet",
    "https://raw.githubusercontent.com/fenneh/london-crime-data/main/data/vawg-victims.parquet",
)
"""Default URLs of the VAWG extracts as Parquet: fenneh/london-crime-data's monthly copies of
:data:`MPS_VAWG_DATASET` (Open Government Licence v2.0). Written without internet access: the
URLs follow that repository's README and were not fetched from here."""

ONSPD_SEARCH = "https://geoportal.statistics.gov.uk/search?q=PRD_ONSPD"
"""Where the ONSPD releases are listed ("ONS Postcode Directory (<month> <year>) for the UK")."""
ONSPD_URL_ENV = "VAWG_ONSPD_URL"
_ONSPD_MEMBER = re.compile(r"(?:^|/)Data/ONSPD_[^/]*\.csv$", re.IGNORECASE)

RETRIES = 5
BACKOFF_S = 1.0
"""Retries after a failed request, waiting ``BACKOFF_S * 2**attempt`` seconds between them."""
TIMEOUT_S = 60.0
CHUNK_BYTES = 1 << 20
KINDS = ("street", "outcomes", "stop-and-search")


class FetchError(Exception):
    """A download failed for good (after retries) or gave something that is not the data."""


def month_arg(text: str) -> date:
    """The first day of the month a ``--from``/``--to`` value names (``YYYY-MM``, spaces around
    it ignored); ValueError with the message the command prints otherwise.

    >>> month_arg(" 2023-03 ")
    datetime.date(2023, 3, 1)
    >>> month_arg("2023-13")
    Traceback (most recent call last):
    ValueError: month '2023-13' is not YYYY-MM
    """
    try:
        return month_parse(text.strip())
    except ValueError:
        raise ValueError(f"month '{text}' is not YYYY-MM") from None


def archives_for(start: date, end: date) -> list[date]:
    """The fewest archives that cover the months ``start``..``end`` (first days of months):
    greedily, the latest archive whose 36 months still include the first month not yet
    covered, never later than ``end`` (later archives may not be published yet).

    >>> [month_key(m) for m in archives_for(month_parse("2020-01"), month_parse("2023-06"))]
    ['2022-12', '2023-06']
    >>> [month_key(m) for m in archives_for(month_parse("2023-01"), month_parse("2023-03"))]
    ['2023-03']
    """
    chosen: list[date] = []
    current = start
    while current <= end:
        archive = min(months_shift(current, ARCHIVE_MONTHS - 1), end)
        chosen.append(archive)
        current = month_after(archive)
    return chosen


def _is_html(head: bytes) -> bool:
    text = head[:1024].lstrip().lower()
    return text.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in text[:200]


def check_format(path: Path, *, expect: str) -> None:
    """Check a downloaded file by its first bytes: ``zip`` (``PK\\x03\\x04``), ``parquet``
    (``PAR1`` at both ends) or ``csv`` (text, not HTML); raises :class:`FetchError`."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
        if expect == "parquet":
            handle.seek(max(path.stat().st_size - 4, 0))
            tail = handle.read(4)
    if _is_html(head):
        raise FetchError(f"{path.name}: the server sent an HTML page, not the data")
    if expect == "zip" and not head.startswith(b"PK\x03\x04"):
        raise FetchError(f"{path.name}: not a zip archive (bad magic bytes)")
    if expect == "parquet" and not (head.startswith(b"PAR1") and tail == b"PAR1"):
        raise FetchError(f"{path.name}: not a Parquet file (bad magic bytes)")
    if expect == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()
        except zipfile.BadZipFile as error:
            raise FetchError(f"{path.name}: damaged zip archive ({error})") from error


def download(
    url: str,
    destination: Path,
    *,
    expect: str,
    retries: int = RETRIES,
    backoff_s: float = BACKOFF_S,
    timeout_s: float = TIMEOUT_S,
    quiet: bool = False,
) -> Path:
    """Download ``url`` to ``destination`` through ``destination.part``, resuming with HTTP
    ``Range`` after a dropped connection and retrying with exponential backoff; check the size and
    the format (``expect``: ``zip``, ``parquet`` or ``csv``). Returns ``destination``; an existing
    ``destination`` is kept (delete it to download again)."""
    if destination.exists():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    last_error: Exception | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff_s * 2 ** (attempt - 1))
        try:
            _download_once(url, part, timeout_s=timeout_s, quiet=quiet)
        except FetchError:
            part.unlink(missing_ok=True)
            raise
        except (urllib.error.URLError, HTTPException, OSError, _IncompleteError) as error:
            permanent = isinstance(error, urllib.error.HTTPError) and error.code < 500
            if permanent and getattr(error, "code", 0) != 429:  # 429: too many requests, retry
                raise FetchError(f"{url}: {error}") from error
            last_error = error
            continue
        try:
            check_format(part, expect=expect)
        except FetchError:
            part.unlink(missing_ok=True)
            raise
        part.replace(destination)
        return destination
    raise FetchError(f"{url}: failed after {retries + 1} attempts ({last_error})")


class _IncompleteError(Exception):
    """The connection closed before the announced length arrived (resumed on the next try)."""


def _download_once(url: str, part: Path, *, timeout_s: float, quiet: bool) -> None:
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "vawg-fetch/1"})  # noqa: S310
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # asked past the end: the part is complete
            return
        raise
    with response:
        status = response.status
        if status == 200 and have:
            have = 0  # the server ignored Range: start again
        elif status not in (200, 206):
            raise FetchError(f"{url}: HTTP {status}")
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        mode = "ab" if have else "wb"
        received = have
        with (
            open(part, mode) as out,
            tqdm(
                total=total,
                initial=have,
                unit="B",
                unit_scale=True,
                desc=part.name.removesuffix(".part"),
                disable=quiet or None,
                file=sys.stderr,
            ) as bar,
        ):
            while True:
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        if total is not None and received < total:
            raise _IncompleteError(f"{received} of {total} bytes")
        if total is not None and received > total:
            raise FetchError(f"{url}: more bytes than announced ({received} > {total})")


_MEMBER = re.compile(r"(?:^|/)(\d{4}-\d{2})-(.+)-(street|outcomes|stop-and-search)\.csv$")


def police_uk_fetch(
    *,
    force: str,
    start: date,
    end: date,
    out: Path,
    base_url: str = POLICE_UK_ARCHIVE_URL,
    keep_archives: bool = False,
    quiet: bool = False,
) -> list[Path]:
    """Download the fewest archives for the months ``start``..``end`` (first days of months) and
    extract ``force``'s street, outcomes and stop-and-search files of those months into
    ``out/YYYY-MM/``. Returns the files written (files already there are kept)."""
    wanted = {month_key(m) for m in months_between(start, end)}
    written: list[Path] = []
    done: set[tuple[str, str]] = set()
    for archive_month in map(month_key, archives_for(start, end)):
        archive = download(
            f"{base_url.rstrip('/')}/{archive_month}.zip",
            out / "archives" / f"{archive_month}.zip",
            expect="zip",
            quiet=quiet,
        )
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                match = _MEMBER.search(info.filename)
                if not match or match.group(2) != force:
                    continue
                month, kind = match.group(1), match.group(3)
                if month not in wanted or (month, kind) in done:
                    continue
                target = out / month / Path(info.filename).name
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(info) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink, CHUNK_BYTES)
                done.add((month, kind))
                written.append(target)
        if not keep_archives:
            archive.unlink()
    missing = sorted(wanted - {month for month, _ in done})
    if missing:
        print(
            f"vawg fetch: no {force} files in the archives for {', '.join(missing)}",
            file=sys.stderr,
        )
    return sorted(written)


def mps_vawg_fetch(*, out: Path, urls: Sequence[str], quiet: bool = False) -> list[Path]:
    """Download the Met's VAWG extracts to ``out`` (format checked by the file name's suffix)."""
    paths = []
    for url in urls:
        name = url.rstrip("/").rsplit("/", 1)[-1] or "download"
        expect = "parquet" if name.endswith(".parquet") else "csv"
        paths.append(download(url, out / name, expect=expect, quiet=quiet))
    return paths


def postcodes_fetch(
    *, url: str, out: Path, keep_archives: bool = False, quiet: bool = False
) -> list[Path]:
    """Download an ONSPD release (its zip, or the CSV itself when ``url`` ends in ``.csv``) and
    return the UK CSV in ``out``. Raises :class:`FetchError` when the zip has no
    ``Data/ONSPD_*.csv``."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "onspd"
    if name.lower().endswith(".csv"):
        return [download(url, out / name, expect="csv", quiet=quiet)]
    archive = download(
        url, out / "archives" / f"{name.removesuffix('.zip')}.zip", expect="zip", quiet=quiet
    )
    with zipfile.ZipFile(archive) as zipped:
        members = [i for i in zipped.infolist() if _ONSPD_MEMBER.search(i.filename)]
        if not members:
            raise FetchError(f"{url}: no Data/ONSPD_*.csv in the zip: not an ONSPD release")
        member = max(members, key=lambda i: i.file_size)  # the UK file, not a per-area one
        target = out / Path(member.filename).name
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        with zipped.open(member) as source, open(part, "wb") as sink:
            shutil.copyfileobj(source, sink, CHUNK_BYTES)
    check_format(part, expect="csv")
    part.replace(target)
    if not keep_archives:
        archive.unlink()
    return [target]


def run(args: argparse.Namespace) -> int:
    """``vawg fetch``: 0 when done, 2 for a bad month, 1 when a download fails (one line)."""
    try:
        if args.source == "police-uk":
            try:
                start, end = month_arg(args.start), month_arg(args.end)
            except ValueError as error:
                print(f"vawg: {error}", file=sys.stderr)
                return 2
            if not start <= end:
                print("vawg: --from is after --to", file=sys.stderr)
                return 2
            files = police_uk_fetch(
                force=args.force,
                start=start,
                end=end,
                out=args.out,
                base_url=args.base_url,
                keep_archives=args.keep_archives,
            )
        elif args.source == "postcodes":
            url = args.url or os.environ.get(ONSPD_URL_ENV, "")
            if not url:
                print(
                    f"vawg: give the ONSPD release's download URL with --url (or ${ONSPD_URL_ENV});"
                    f" the releases are listed at {ONSPD_SEARCH}",
                    file=sys.stderr,
                )
                return 2
            files = postcodes_fetch(url=url, out=args.out, keep_archives=args.keep_archives)
        else:
            urls = args.url or os.environ.get("VAWG_MPS_VAWG_URLS", "").split() or MPS_VAWG_URLS
            files = mps_vawg_fetch(out=args.out, urls=urls)
    except FetchError as error:
        print(f"vawg: {error}", file=sys.stderr)
        return 1
    for path in files:
        print(path)
    return 0
