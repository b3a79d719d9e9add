"""``vawg hotspots grid|areal|evaluate``: thin shells over :mod:`vawg.spatial`.

Only ``argparse`` is imported here at module level, so that ``vawg --help`` stays fast; each
handler imports the core when it runs. Handlers return the exit code and raise
:class:`vawg.errors.UserInputError` for input the user can fix (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

LARGE_CELL_M = 1000.0
"""A default cell at least this wide (metres) is pointed out: wider than a neighbourhood."""


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
        "row per cell of the study area (CSV, or GeoJSON in WGS84 by the .geojson suffix). "
        "Files from several forces are refused unless --force keeps one or --all-forces "
        "grids them together; the line printed gives the cell size and the data's extent.",
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
    _force_options(ev)
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
    _force_options(p)


def _force_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        help="keep one force's police.uk records: its police.uk slug (as in the file names, "
        "e.g. city-of-london, btp) or its name as in the files' Reported by column",
    )
    p.add_argument(
        "--all-forces",
        action="store_true",
        help="use the records of every force in the files together (without it, files from "
        "several forces are refused)",
    )


def _events_read(args: argparse.Namespace, *, month_from: str | None, month_to: str | None) -> Any:
    """Read the events, keep --force's, and refuse several forces mixed without --all-forces."""
    from vawg.errors import UserInputError
    from vawg.spatial.forces import forces_text
    from vawg.spatial.readers import read_events

    if args.force is not None and args.all_forces:
        raise UserInputError("give --force or --all-forces, not both")
    ev = read_events(
        list(args.paths),
        category=args.category,
        month_from=month_from,
        month_to=month_to,
        force=args.force,
    )
    named = ev.named_forces()
    command = f"hotspots {getattr(args, 'hotspots_command', 'grid')}"
    if args.force is None and len(named) > 1:
        what = forces_text(ev.forces)
        if not args.all_forces:
            raise UserInputError(
                f"{command}: {what}. One map over several forces mixes their areas and their "
                f"recording (together they span {_extent_text(ev.frame)}); give --force with "
                "one of the slugs above to keep one force's records, or --all-forces to use "
                "them all together"
            )
        print(f"vawg: warning: {command} --all-forces: {what}, used together", file=sys.stderr)
    elif args.force is None and named and ev.unnamed_events():
        print(f"vawg: note: {forces_text(ev.forces)}, used together", file=sys.stderr)
    if ev.frame.is_empty():
        raise UserInputError(
            f"{command}: no events with a location left after the filters "
            f"(read {ev.read:,}, {ev.no_location:,} without a location); "
            "check --category, --from, --to and --force against the files"
        )
    return ev


def _extent(frame: Any) -> tuple[float, float]:
    if frame.is_empty():
        return (0.0, 0.0)
    return (
        float(frame["x"].max() - frame["x"].min()),
        float(frame["y"].max() - frame["y"].min()),
    )


def _extent_text(frame: Any) -> str:
    width, height = _extent(frame)
    return f"{width / 1000:,.0f} km east-west by {height / 1000:,.0f} km north-south"


def _outliers_text(frame: Any) -> str:
    """A clause for when a few far-off events set the extent: the central 99% span under half."""
    import numpy as np

    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    width, height = _extent(frame)
    core_w, core_h = (float(np.diff(np.percentile(v, [0.5, 99.5]))[0]) for v in (x, y))
    if min(core_w, core_h) * 2 > min(width, height):
        return ""
    return (
        f"; 99% of the events lie within {core_w / 1000:,.0f} km by {core_h / 1000:,.0f} km, so "
        "a few far-off records set it"
    )


def _forces_setting(ev: Any, force: str | None) -> dict[str, Any]:
    named = ev.named_forces()
    if not named:
        return {}
    if force is not None:
        from vawg.spatial.forces import force_match

        return {"force": force_match(ev.forces, force)}
    return {"forces": dict(named)}


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


def _events_in_grid(grid: Any, x: Any, y: Any) -> int:
    """Events in a cell of the grid's study area (whatever the weight)."""
    import numpy as np

    col = np.floor((x - grid.x_min) / grid.cell_size_m).astype(np.int64)
    row = np.floor((y - grid.y_min) / grid.cell_size_m).astype(np.int64)
    ok = (col >= 0) & (col < grid.n_cols) & (row >= 0) & (row < grid.n_rows)
    return int(grid.in_area[row[ok], col[ok]].sum())


def grid_command(args: argparse.Namespace) -> int:
    """Handler of ``vawg hotspots grid``."""
    from vawg.spatial.run import grid_hotspots, table_write

    _check_permutations(args.permutations)
    ev = _events_read(args, month_from=args.month_from, month_to=args.month_to)
    frame = ev.frame
    grid = _grid_for(frame["x"].to_numpy(), frame["y"].to_numpy(), args.area, args.cell_size)
    width, height = _extent(frame)
    if args.cell_size is None and args.area is None and grid.cell_size_m >= LARGE_CELL_M:
        print(
            f"vawg: note: cells are {grid.cell_size_m:,.0f} m across: the default is a fiftieth "
            f"of the shorter side of the data's extent ({_extent_text(frame)}"
            f"{_outliers_text(frame)}); give --cell-size or --area for smaller cells",
            file=sys.stderr,
        )
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
    if args.area is not None:
        inside = _events_in_grid(grid, frame["x"].to_numpy(), frame["y"].to_numpy())
        _outside_check(args, inside=inside, events=frame.height, areas=args.area)
    table_write(run.table, args.out, cell_size_m=grid.cell_size_m)
    _report(
        {
            **run.settings,
            "extent_m": [round(width), round(height)],
            "read": ev.read,
            "no_location": ev.no_location,
            "duplicates": ev.duplicates,
            **_forces_setting(ev, args.force),
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
        if not months:
            from vawg.errors import UserInputError

            _, every, _ = ward_counts_mps(paths[0], areas=areas, month_from=None, month_to=None)
            held = f"{every[0]}..{every[-1]}" if every else "no months"
            raise UserInputError(
                f"no month of {paths[0]} lies in --from..--to "
                f"({args.month_from or ''}..{args.month_to or ''}); "
                f"it holds {held}"
            )
        if args.force is not None:
            from vawg.errors import UserInputError

            raise UserInputError(f"--force applies to police.uk files, not {paths[0]}")
        return counts, months
    ev = _events_read(args, month_from=args.month_from, month_to=args.month_to)
    frame = ev.frame
    months = sorted(set(frame["month"].to_list()))
    idx = area_index(areas=areas, x=frame["x"].to_numpy(), y=frame["y"].to_numpy())
    month_of = {m: i for i, m in enumerate(months)}
    t = np.array([month_of[m] for m in frame["month"].to_list()], dtype=np.int64)
    w = frame["harm_days"].to_numpy() if args.weight == "harm" else np.ones(frame.height)
    ok = idx >= 0
    _outside_check(args, inside=int(ok.sum()), events=frame.height, areas=args.areas)
    counts = np.zeros((areas.n, max(1, len(months))))
    np.add.at(counts, (idx[ok], t[ok]), w[ok])
    return counts, months


def _outside_check(args: argparse.Namespace, *, inside: int, events: int, areas: Path) -> None:
    """Refuse events none of which lie in the areas; note the share that lies outside."""
    from vawg.errors import UserInputError

    command = f"hotspots {getattr(args, 'hotspots_command', 'areal')}"
    if inside == 0:
        raise UserInputError(
            f"{command}: none of the {events:,} events lies in an area of {areas}, so "
            "every count would be 0: give the areas that the files cover, or the files of "
            "the force that polices these areas (--force)"
        )
    if inside < events:
        level = "warning" if 2 * inside < events else "note"
        print(
            f"vawg: {level}: {events - inside:,} of the {events:,} events lie outside the areas of "
            f"{areas} and are not counted",
            file=sys.stderr,
        )


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
            raise UserInputError(f"evaluation needs at least two months; the data holds {months}")
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
        frame = _events_read(args, month_from=None, month_to=None).frame
        months = sorted(set(frame["month"].to_list()))
        if len(months) < 2:
            raise UserInputError(f"evaluation needs at least two months; the files hold {months}")
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
