"""``vawg hotspots grid|areal|evaluate``: thin shells over :mod:`vawg.spatial`.

Only ``argparse`` is imported here at module level, so that ``vawg --help`` stays fast; each
handler imports the core when it runs. Handlers return the exit code and raise
:class:`vawg.errors.UserInputError` for input the user can fix (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``hotspots`` command (``grid``, ``areal``, ``evaluate``) to ``vawg``'s subparsers.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="vawg")
    >>> register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["hotspots", "grid", "a.csv", "--out", "h.csv"])
    >>> args.cell_size, args.permutations, args.method
    (None, 999, 'recency')
    """
    hot = subparsers.add_parser(
        "hotspots",
        help="hotspots on grids and areas, and their evaluation on the future",
        description="Hotspots straight from files (no database): counts, a score of where "
        "events will concentrate next, Getis-Ord Gi* with permutation inference and "
        "Benjamini-Hochberg FDR, emerging-hotspot classes; see docs/hotspots.md.",
    )
    sub = hot.add_subparsers(dest="hotspots_command", required=True, metavar="SUBCOMMAND")

    grid = sub.add_parser(
        "grid",
        help="hotspots on a square EPSG:27700 grid",
        description="Grid hotspots from police.uk CSV/JSON or a force extract folder. Writes one "
        "row per cell of the study area (CSV, or GeoJSON in WGS84 by the .geojson suffix).",
    )
    _common(grid)
    grid.add_argument(
        "--area", type=Path, help="study area GeoJSON (default: the data's bounding box)"
    )
    grid.add_argument(
        "--cell-size",
        type=float,
        help="cell side in metres (default: a fiftieth of the shorter side, rounded down)",
    )
    grid.add_argument(
        "--distance-m",
        type=float,
        help="Gi* neighbourhood: cells whose centres lie within this distance, itself included "
        "(default one cell diagonal)",
    )
    grid.add_argument(
        "--method",
        choices=["recency", "kde", "gistar", "counts", "emerging"],
        default="recency",
        help="what the score column ranks by (default recency, the best in evaluation)",
    )
    grid.add_argument(
        "--bandwidth-m", type=float, help="KDE bandwidth in metres (default nrd rule)"
    )
    grid.add_argument(
        "--kernel",
        choices=["quartic", "gaussian"],
        default="quartic",
        help="KDE kernel (default quartic)",
    )
    grid.set_defaults(handler=grid_command)

    areal = sub.add_parser(
        "areal",
        help="hotspots over areas (wards, LSOAs)",
        description="Hotspots over areas with queen contiguity, from events (police.uk, force "
        "extract) or the Met's ward VAWG series (mps/vawg-offences.parquet).",
    )
    _common(areal)
    areal.add_argument("--areas", type=Path, required=True, help="area polygons, GeoJSON")
    areal.add_argument("--code-field", help="area code property (default: first ending in CD)")
    areal.add_argument("--name-field", help="area name property (default: first ending in NM)")
    areal.add_argument(
        "--method",
        choices=["recency", "gistar", "counts", "emerging"],
        default="recency",
        help="what the score column ranks by (default recency)",
    )
    areal.set_defaults(handler=areal_command)

    ev = sub.add_parser(
        "evaluate",
        help="hit rate and PAI of each method on the months that follow",
        description="Rolling-origin evaluation: for each of the last --test-months months, every "
        "method sees only the --train-months before it; prints hit rate and PAI at 1, 5 and 10 "
        "percent of the area. Grids from events; wards with --areas and the Met's ward series.",
    )
    ev.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ev.add_argument("--areas", type=Path, help="area polygons (evaluate on areas, not a grid)")
    ev.add_argument("--area", type=Path, help="grid study area GeoJSON (default bounding box)")
    ev.add_argument("--category", help="police.uk category (label or slug), or vawg")
    ev.add_argument("--cell-size", type=float, help="cell side in metres (default as grid)")
    ev.add_argument("--train-months", type=int, default=12, help="history per test (default 12)")
    ev.add_argument("--test-months", type=int, default=6, help="last months tested (default 6)")
    ev.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ev.add_argument("--out", type=Path, help="also write the table as CSV")
    ev.set_defaults(handler=evaluate_command)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--out", type=Path, required=True, help="output .csv or .geojson")
    p.add_argument(
        "--category",
        help="police.uk category, CSV label or API slug (e.g. 'Violence and sexual offences' or "
        "violent-crime); vawg for a force extract's VAWG offences (its default)",
    )
    p.add_argument("--from", dest="month_from", metavar="YYYY-MM", help="first month")
    p.add_argument("--to", dest="month_to", metavar="YYYY-MM", help="last month")
    p.add_argument(
        "--weight",
        choices=["count", "harm"],
        default="count",
        help="count events, or sum CCHI harm-days (default count)",
    )
    p.add_argument(
        "--permutations",
        type=int,
        default=999,
        help="Gi* conditional permutations; 0 for the analytic p-value (default 999)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--alternative",
        choices=["two-sided", "greater", "less", "folded"],
        default="two-sided",
        help="permutation p-value (default two-sided)",
    )
    p.add_argument(
        "--no-fdr",
        action="store_true",
        help="classes from raw p-values instead of Benjamini-Hochberg q-values",
    )
    p.add_argument("--json", action="store_true", help="print the settings used as one JSON object")


def _report(settings: dict[str, Any], as_json: bool, out: Path) -> None:
    import json

    if as_json:
        print(json.dumps({"out": str(out), **settings}))
    else:
        shown = ", ".join(f"{k} {v}" for k, v in settings.items())
        print(f"wrote {out}: {shown}")


def _check_permutations(n: int) -> None:
    from vawg.errors import UserInputError

    if n < 0:
        raise UserInputError("--permutations must be 0 or more")


def _grid_for(points_x: Any, points_y: Any, area: Path | None, cell_size: float | None) -> Any:
    from vawg.errors import UserInputError
    from vawg.spatial.grid import grid_from_area, grid_from_bounds

    if cell_size is not None and cell_size <= 0:
        raise UserInputError("--cell-size must be positive")
    if area is not None:
        import shapely

        from vawg.spatial.areal import areas_read

        polys = areas_read(area)
        return grid_from_area(area=shapely.union_all(polys.geometries), cell_size_m=cell_size)
    if len(points_x) == 0:
        raise UserInputError("no events with a location were read")
    return grid_from_bounds(
        x_min=float(points_x.min()),
        y_min=float(points_y.min()),
        x_max=float(points_x.max()),
        y_max=float(points_y.max()),
        cell_size_m=cell_size,
    )


def grid_command(args: argparse.Namespace) -> int:
    """Handler of ``vawg hotspots grid``."""
    from vawg.spatial.readers import read_events
    from vawg.spatial.run import grid_hotspots, table_write

    _check_permutations(args.permutations)
    ev = read_events(
        list(args.paths),
        category=args.category,
        month_from=args.month_from,
        month_to=args.month_to,
    )
    frame = ev.frame
    grid = _grid_for(frame["x"].to_numpy(), frame["y"].to_numpy(), args.area, args.cell_size)
    if grid.n_cells > 4_000_000:
        from vawg.errors import UserInputError

        raise UserInputError(f"{grid.n_cells:,} cells is too many: use a larger --cell-size")
    run = grid_hotspots(
        events=frame,
        grid=grid,
        method=args.method,
        weight=args.weight,
        distance_m=args.distance_m,
        permutations=args.permutations,
        seed=args.seed,
        alternative=args.alternative,
        fdr=not args.no_fdr,
        bandwidth_m=args.bandwidth_m,
        kernel=args.kernel,
    )
    table_write(run.table, args.out, cell_size_m=grid.cell_size_m)
    _report(
        {
            **run.settings,
            "read": ev.read,
            "no_location": ev.no_location,
            "duplicates": ev.duplicates,
            # What the site counts of these records: the force area only (docs/hotspots.md).
            "in_force_area": ev.in_force_area,
        },
        args.json,
        args.out,
    )
    return 0


def _area_counts(args: argparse.Namespace, areas: Any) -> tuple[Any, list[str]]:
    import numpy as np

    from vawg.spatial.areal import area_index, ward_counts_mps

    paths = list(args.paths)
    if len(paths) == 1 and paths[0].suffix.lower() == ".parquet":
        counts, months, _ = ward_counts_mps(
            paths[0], areas=areas, month_from=args.month_from, month_to=args.month_to
        )
        return counts, months
    from vawg.spatial.readers import read_events

    ev = read_events(
        paths, category=args.category, month_from=args.month_from, month_to=args.month_to
    )
    frame = ev.frame
    months = sorted(set(frame["month"].to_list()))
    idx = area_index(areas=areas, x=frame["x"].to_numpy(), y=frame["y"].to_numpy())
    month_of = {m: i for i, m in enumerate(months)}
    t = np.array([month_of[m] for m in frame["month"].to_list()], dtype=np.int64)
    w = frame["harm_days"].to_numpy() if args.weight == "harm" else np.ones(frame.height)
    ok = idx >= 0
    counts = np.zeros((areas.n, max(1, len(months))))
    np.add.at(counts, (idx[ok], t[ok]), w[ok])
    return counts, months


def areal_command(args: argparse.Namespace) -> int:
    """Handler of ``vawg hotspots areal``."""
    from vawg.spatial.areal import areas_read
    from vawg.spatial.run import areal_hotspots, table_write

    _check_permutations(args.permutations)
    areas = areas_read(args.areas, code_field=args.code_field, name_field=args.name_field)
    counts, months = _area_counts(args, areas)
    run = areal_hotspots(
        areas=areas,
        counts=counts,
        months=months,
        method=args.method,
        permutations=args.permutations,
        seed=args.seed,
        alternative=args.alternative,
        fdr=not args.no_fdr,
    )
    table_write(run.table, args.out, geometries=areas.geometries)
    _report(run.settings, args.json, args.out)
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    """Handler of ``vawg hotspots evaluate``."""
    import json

    import numpy as np

    from vawg.errors import UserInputError
    from vawg.spatial.evaluate import evaluate_areas, evaluate_grid

    if args.train_months < 1 or args.test_months < 1:
        raise UserInputError("--train-months and --test-months must be at least 1")
    if args.areas is not None:
        from scipy import sparse

        from vawg.spatial.areal import areas_read

        areas = areas_read(args.areas)
        args.month_from = args.month_to = None
        args.weight = "count"
        counts, months = _area_counts(args, areas)
        # Areas with no events in the whole series lie outside the data's coverage.
        keep = counts.sum(axis=1) > 0
        w = sparse.csr_matrix(areas.neighbours)[keep][:, keep]
        if len(months) < 2:
            raise UserInputError("evaluation needs at least two months")
        result = evaluate_areas(
            counts=counts[keep],
            months=months,
            area_m2=areas.area_m2[keep],
            neighbours=w,
            x=areas.x[keep],
            y=areas.y[keep],
            test_months=months[-args.test_months :],
            train_months=args.train_months,
        )
    else:
        from vawg.spatial.readers import read_events

        frame = read_events(list(args.paths), category=args.category).frame
        months = sorted(set(frame["month"].to_list()))
        if len(months) < 2:
            raise UserInputError("evaluation needs at least two months")
        grid = _grid_for(frame["x"].to_numpy(), frame["y"].to_numpy(), args.area, args.cell_size)
        tests = months[-min(args.test_months, len(months) - 1) :]
        result = evaluate_grid(
            grid=grid, events=frame, test_months=tests, train_months=args.train_months
        )
    table = result.table()
    header = {
        "units": result.units,
        "n_units": result.n_units,
        "test_months": list(result.test_months),
        "train_months": result.train_months,
        "test_events": float(np.round(result.events, 3)),
    }
    if args.out is not None:
        table.write_csv(args.out)
    if args.json:
        print(json.dumps({**header, "rows": table.to_dicts()}))
    else:
        print(", ".join(f"{k} {v}" for k, v in header.items()))
        _print_table(table)
    return 0


def _print_table(table: Any) -> None:
    cols = table.columns
    widths = [max(len(c), *(len(f"{v}") for v in table[c].to_list())) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for row in table.iter_rows():
        print("  ".join(f"{v}".ljust(w) for v, w in zip(row, widths, strict=True)))
