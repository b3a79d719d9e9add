"""``vawg fetch`` against a local HTTP server on 127.0.0.1 only (no test reaches the internet).

The server serves files from the real data folder and a data.police.uk-style archive the test
builds from them; ``/drop/...`` closes the connection half-way through the first response and
``/error/...`` answers 200 with an HTML error page.
"""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vawg.cli import main
from vawg.periods import month_key, month_parse, months_between, months_shift
from vawg_site.ingest.fetch import FetchError, archives_for, download

FILES = (
    "2023-03-city-of-london-street.csv.gz",
    "2023-03-city-of-london-outcomes.csv.gz",
    "2023-03-city-of-london-stop-and-search.csv.gz",
    "2023-04-city-of-london-street.csv.gz",
    "2023-03-bedfordshire-street.csv.gz",
)


class Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    dropped: ClassVar[set[str]] = set()
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append((self.path, self.headers.get("Range")))
        if self.path.startswith("/error/"):
            page = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
            self._send(200, page, {"Content-Type": "text/html"})
            return
        name = self.path.removeprefix("/drop")
        data = self.files.get(name)
        if data is None:
            self._send(404, b"not found", {})
            return
        start = 0
        status = 200
        headers = {"Accept-Ranges": "bytes"}
        if self.headers.get("Range"):
            start = int(self.headers["Range"].removeprefix("bytes=").split("-")[0])
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        if self.path.startswith("/drop/") and self.path not in self.dropped:
            self.dropped.add(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.close()  # the connection drops half-way
            return
        self._send(status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _archive(folder: Path) -> bytes:
    """A data.police.uk-style archive: ``YYYY-MM/YYYY-MM-force-kind.csv`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            member = f"{name[:7]}/{name.removesuffix('.gz')}"
            archive.writestr(member, gzip.decompress((folder / name).read_bytes()))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(real_data_dir: Path) -> Iterator[str]:
    police = real_data_dir / "police_uk"
    Handler.files = {
        "/data/archive/2023-04.zip": _archive(police),
        "/mps/vawg-offences.parquet": (
            real_data_dir / "mps" / "vawg-offences.parquet"
        ).read_bytes(),
        "/police_uk/2023-03-city-of-london-street.csv.gz": (
            police / "2023-03-city-of-london-street.csv.gz"
        ).read_bytes(),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_fewest_archives_cover_the_months() -> None:
    plan = archives_for(month_parse("2019-01"), month_parse("2023-06"))
    assert [month_key(m) for m in plan] == ["2021-12", "2023-06"]
    assert [month_key(m) for m in archives_for(month_parse("2023-03"), month_parse("2023-04"))] == [
        "2023-04"
    ]
    for start, end in (("2010-12", "2016-11"), ("2020-02", "2020-02"), ("2015-01", "2024-12")):
        first, last = month_parse(start), month_parse(end)
        covered = {months_shift(a, -k) for a in archives_for(first, last) for k in range(36)}
        assert set(months_between(first, last)) <= covered


def test_a_dropped_connection_resumes_to_a_byte_identical_file(server: str, tmp_path: Path) -> None:
    Handler.requests.clear()
    url = f"{server}/drop/mps/vawg-offences.parquet"
    path = download(url, tmp_path / "vawg-offences.parquet", expect="parquet", backoff_s=0.01)
    assert path.read_bytes() == Handler.files["/mps/vawg-offences.parquet"]
    ranges = [r for p, r in Handler.requests if p.endswith("vawg-offences.parquet")]
    assert ranges[0] is None
    assert str(ranges[1]).startswith("bytes=")  # the second request resumed
    assert not (tmp_path / "vawg-offences.parquet.part").exists()


def test_an_html_error_page_served_with_200_is_rejected(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="HTML page"):
        download(f"{server}/error/2023-04.zip", tmp_path / "a.zip", expect="zip", backoff_s=0.01)
    assert not list(tmp_path.iterdir())  # nothing half-written is left
    with pytest.raises(FetchError, match="404"):
        download(f"{server}/missing.zip", tmp_path / "b.zip", expect="zip", backoff_s=0.01)
    with pytest.raises(FetchError, match="not a zip"):
        download(
            f"{server}/police_uk/2023-03-city-of-london-street.csv.gz",
            tmp_path / "c.zip",
            expect="zip",
            backoff_s=0.01,
        )


def test_fetch_police_uk_extracts_one_force_for_the_months(
    server: str, tmp_path: Path, real_data_dir: Path, capsys: Any
) -> None:
    out = tmp_path / "police_uk"
    code = main(
        [
            "fetch",
            "police-uk",
            "--force",
            "city-of-london",
            "--from",
            "2023-03",
            "--to",
            "2023-04",
            "--out",
            str(out),
            "--base-url",
            f"{server}/data/archive/",
        ]
    )
    assert code == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.csv"))
    assert written == [
        "2023-03/2023-03-city-of-london-outcomes.csv",
        "2023-03/2023-03-city-of-london-stop-and-search.csv",
        "2023-03/2023-03-city-of-london-street.csv",
        "2023-04/2023-04-city-of-london-street.csv",
    ]
    original = gzip.decompress(
        (real_data_dir / "police_uk" / "2023-03-city-of-london-street.csv.gz").read_bytes()
    )
    assert (out / "2023-03" / "2023-03-city-of-london-street.csv").read_bytes() == original
    assert not (out / "archives" / "2023-04.zip").exists()  # deleted once extracted
    assert capsys.readouterr().out.count("\n") == 4


def test_fetch_exit_codes(server: str, tmp_path: Path, capsys: Any) -> None:
    base = ["fetch", "police-uk", "--force", "x", "--out", str(tmp_path)]
    assert main([*base, "--from", "2023-13", "--to", "2023-04"]) == 2
    assert main([*base, "--from", "2023-05", "--to", "2023-04"]) == 2
    error = f"{server}/error/vawg.parquet"
    assert main(["fetch", "mps-vawg", "--out", str(tmp_path), "--url", error]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("vawg: ")
