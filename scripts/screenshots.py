"""Phone screenshots of the public site for reviewers: home, dashboard, "my area" for a borough
and a ward, the ward map and the street map, 390 px wide, into ``docs/screenshots/``.

Run it against a running site (``vawg demo --port 8013``, or any copy of the site)::

    uv run python scripts/screenshots.py http://127.0.0.1:8013
    uv run python scripts/screenshots.py http://127.0.0.1:8013 --borough E09000033 --ward E05013806

It drives the system's chromium (``$VAWG_CHROMIUM``, default ``/usr/bin/chromium``) with
Playwright. Only the site's own address is loaded: every other request (map tiles included) is
refused, so the maps are drawn on a blank background and no third party sees the run. Each image
is the whole page, cut to its top part when the whole page would be larger than ``--max-kb``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 390, 844
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def _pages(borough: str, ward: str) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("dashboard", "/data/"),
        ("my-area-borough", f"/area/{borough}/"),
        ("my-area-ward", f"/area/{ward}/"),
        ("ward-map", "/data/maps/wards/"),
        ("street-map", "/data/maps/street/"),
    ]


def _shoot(page: Any, path: Path, *, max_bytes: int) -> int:
    """A full-page PNG, or the tallest top part of the page that fits in ``max_bytes``."""
    page.screenshot(path=str(path), full_page=True)
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    while path.stat().st_size > max_bytes and height > HEIGHT:
        height = max(HEIGHT, int(height * 0.8))
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height}
        )
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the running site, e.g. http://127.0.0.1:8013")
    parser.add_argument("--borough", default="E09000007", help="borough code (default Camden)")
    parser.add_argument("--ward", default="E05013660", help="ward code (default Haverstock)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default docs/screenshots)")
    parser.add_argument("--max-kb", type=int, default=300, help="largest image, KB (default 300)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    base = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("VAWG_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(base) else route.abort()
            ),
        )
        failed = 0
        for name, address in _pages(args.borough, args.ward):
            response = page.goto(base + address, wait_until="networkidle")
            status = response.status if response is not None else 0
            if status != 200:
                print(f"{address}: HTTP {status}", file=sys.stderr)
                failed += 1
                continue
            size = _shoot(page, args.out / f"{name}-390.png", max_bytes=args.max_kb * 1024)
            print(f"{name}-390.png  {address}  {size / 1024:.0f} KB")
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
