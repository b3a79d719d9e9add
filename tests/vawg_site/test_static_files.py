"""Static assets are sent compressed to browsers that accept it (a phone on a slow connection)."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client


@pytest.mark.parametrize("path", ["/static/vawg/vawg.css", "/static/vendor/leaflet/leaflet.js"])
def test_text_assets_are_sent_gzipped_when_accepted(path: str) -> None:
    client = Client()
    plain = client.get(path)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    body = b"".join(plain.streaming_content)

    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    compressed = b"".join(packed.streaming_content)
    assert gzip.decompress(compressed) == body
    assert len(compressed) < len(body) / 3
