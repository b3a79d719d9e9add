"""Benchmarks of the hotspot engine against its anchors (esda, KDEpy), run side by side.

Each case runs in a fresh subprocess so that its peak memory (``ru_maxrss``) is its own; timings
exclude interpreter start-up and imports (one warm-up call on a small input loads the lazy
imports) but include building weights (esda) or offsets (ours).
Usage::

    uv run python bench/bench_hotspots.py            # ours + KDEpy + esda at 100k (about 1 min)
    uv run python bench/bench_hotspots.py --esda-1m  # also esda analytic at 1M cells

Figures are recorded in docs/PERFORMANCE.md (## Hotspots).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASE = r"""
import json, resource, sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
name, side, perms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
out = {"case": name, "cells": side * side, "permutations": perms}
if name in ("ours-gistar", "esda-gistar"):
    values = rng.poisson(0.7, size=(side, side)).astype(float)
if name == "ours-gistar":
    from vawg.spatial.gistar import gistar_grid
    from vawg.spatial.grid import grid_from_bounds
    g = grid_from_bounds(x_min=0, y_min=0, x_max=side * 100 - 1, y_max=side * 100 - 1,
                         cell_size_m=100)
    gistar_grid(grid=g, values=values, permutations=0)  # warm-up: lazy imports
    t = time.perf_counter()
    r = gistar_grid(grid=g, values=values, permutations=perms, seed=1)
    out["seconds"] = time.perf_counter() - t
elif name == "esda-gistar":
    from esda.getisord import G_Local
    from libpysal.weights import lat2W
    t = time.perf_counter()
    w = lat2W(side, side, rook=False)  # queen = distance band of one cell diagonal
    r = G_Local(values.ravel(), w, transform="B", star=True, permutations=perms, seed=1,
                n_jobs=1)
    out["seconds"] = time.perf_counter() - t
elif name in ("ours-kde", "kdepy-kde"):
    n_points = perms
    x = np.clip(rng.normal(51200, 15000, n_points), 1000, 101000)
    y = np.clip(rng.normal(51200, 15000, n_points), 1000, 101000)
    from vawg.spatial.grid import grid_from_bounds
    g = grid_from_bounds(x_min=0, y_min=0, x_max=side * 100 - 1, y_max=side * 100 - 1,
                         cell_size_m=100)
    cx, cy = g.centres()
    out["points"] = n_points
    out["cells"] = side * side
    if name == "ours-kde":
        from vawg.spatial.kde import kde_grid
        kde_grid(grid=g, x=x[:10], y=y[:10], bandwidth_m=1500)  # warm-up: lazy imports
        t = time.perf_counter()
        kde_grid(grid=g, x=x, y=y, bandwidth_m=1500)
    else:
        from KDEpy import FFTKDE
        pts = np.column_stack([cx.T.ravel(), cy.T.ravel()])
        warm = np.column_stack([x, y])[:10]
        FFTKDE(kernel="biweight", bw=1500 / np.sqrt(7)).fit(warm).evaluate(pts)
        t = time.perf_counter()
        FFTKDE(kernel="biweight", bw=1500 / np.sqrt(7)).fit(np.column_stack([x, y])).evaluate(pts)
    out["seconds"] = time.perf_counter() - t
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run(name: str, side: int, perms: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CASE, name, str(side), str(perms)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--esda-1m", action="store_true", help="also esda analytic at 1M cells")
    parser.add_argument("--skip-esda", action="store_true", help="ours and KDEpy only")
    args = parser.parse_args()
    ours_100k = run("ours-gistar", 317, 999)
    run("ours-gistar", 1000, 999)
    run("ours-gistar", 1000, 0)
    run("ours-gistar", 317, 0)
    for n_points in (1_000_000, 10_000_000):
        run("ours-kde", 1024, n_points)
        run("kdepy-kde", 1024, n_points)
    if not args.skip_esda:
        esda_100k = run("esda-gistar", 317, 999)
        run("esda-gistar", 317, 0)
        print(
            f"speed-up at 100k cells, 999 permutations: "
            f"{esda_100k['seconds'] / ours_100k['seconds']:.0f}x"
        )
    if args.esda_1m:
        run("esda-gistar", 1000, 0)


if __name__ == "__main__":
    main()
