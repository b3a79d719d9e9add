"""``vawg fetch postcodes`` against a local HTTP server on 127.0.0.1 (no test reaches the
internet): an ONSPD-style zip is downloaded, its UK CSV extracted and the zip deleted."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.vawg.test_postcodes import ONSPD_HEADER

from vawg.cli import main
from vawg.postcodes import onspd_read
from vawg_site.ingest.fetch import FetchError, postcodes_fetch

UK_CSV = (
    ONSPD_HEADER
    + "\nE1 6AN,E1 6AN,E1 6AN,198001,,,,E09000030,E05009333,,0,1,2,1,E,E,51.5,-0.07,,\n"
)


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        body = body if body is not None else b"not found"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    Handler.files = {
        "/items/abc/data": _zip(
            {
                "Data/ONSPD_NOV_2026_UK.csv": UK_CSV,
                "Data/multi_csv/ONSPD_NOV_2026_UK_E.csv": ONSPD_HEADER + "\n",
                "User Guide/readme.txt": "not data",
            }
        ),
        "/items/bad/data": _zip({"readme.txt": "no csv here"}),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_uk_csv_is_extracted_and_the_zip_deleted(server: str, tmp_path: Path) -> None:
    [path] = postcodes_fetch(url=f"{server}/items/abc/data", out=tmp_path, quiet=True)
    assert path == tmp_path / "ONSPD_NOV_2026_UK.csv"
    assert onspd_read(path, lad_codes={"E09000030"})["postcode"].to_list() == ["E1 6AN"]
    assert not list((tmp_path / "archives").iterdir())


def test_a_zip_without_the_csv_is_refused(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="not an ONSPD release"):
        postcodes_fetch(url=f"{server}/items/bad/data", out=tmp_path, quiet=True)


def test_fetch_postcodes_command(
    server: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.delenv("VAWG_ONSPD_URL", raising=False)
    assert main(["fetch", "postcodes", "--out", str(tmp_path)]) == 2
    assert "--url" in capsys.readouterr().err
    monkeypatch.setenv("VAWG_ONSPD_URL", f"{server}/items/abc/data")
    assert main(["fetch", "postcodes", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith("ONSPD_NOV_2026_UK.csv")
    assert main(["fetch", "postcodes", "--out", str(tmp_path), "--url", f"{server}/nope"]) == 1
