"""The ``vawg rank`` command: perpetrator prioritisation straight from a force extract folder.

``vawg rank PATH --as-of DATE --out FILE`` writes the ranked list (``docs/ranking.md``, Output);
``vawg rank backtest PATH ...``, ``vawg rank precursors PATH ...`` and ``vawg rank fairness
PATH ...`` print the backtest, precursor and disproportionality tables. Only argparse is imported
here; the handlers import the core when they run.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from vawg.errors import UserInputError

ACTIONS = ("fit", "backtest", "precursors", "fairness")


def register(subparsers: Any) -> None:
    """Add the ``rank`` command to the ``vawg`` sub-command parsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="vawg")
    >>> register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["rank", "x", "--as-of", "2025-01-01", "--out", "o.csv"])
    >>> args.target, args.window_days, args.top
    ('x', 365, None)
    """
    rank = subparsers.add_parser(
        "rank",
        help="rank VAWG suspects by harm (V100, RFGV), backtest, precursors, fairness",
        description="Rank the people named as suspects in VAWG allegations in a force extract "
        "folder, using only records on or before --as-of. `vawg rank PATH --as-of DATE --out "
        "FILE` writes the ranked list (rank, person_ref, score, harm_days, offences, victims, "
        "last_offence_date, explanation); by default with the learned model of the month, "
        "fitted on the records up to the last month end on or before --as-of and kept in "
        "PATH/.vawg-cache/models/ (fitted on first use); `vawg rank fit PATH --as-of DATE` "
        "fits it ahead and prints its training window, coefficients and calibration. `vawg "
        "rank backtest PATH --as-of DATE` prints how much "
        "of the following harm each method's list covered; `vawg rank precursors PATH --as-of "
        "DATE` prints the lift of non-VAWG offences as precursors and writes a watch list with "
        "--out; `vawg rank fairness PATH --as-of DATE` prints the list's make-up by ethnicity, "
        "age band and sex against the suspect pool. An --as-of outside the data's span, or data "
        "too short for the method (precursors need three years), is refused with the span (exit "
        "2). Method and limits: docs/ranking.md.",
    )
    rank.add_argument(
        "target",
        metavar="PATH | ACTION",
        help="a force extract folder, or one of fit, backtest, precursors, fairness followed by it",
    )
    rank.add_argument("path", nargs="?", metavar="PATH", help="the folder, after an ACTION")
    rank.add_argument(
        "--as-of",
        required=True,
        help="the ranking date, YYYY-MM-DD; for backtest a comma list of dates (e.g. four "
        "year-ends), each backtested on the records before it, then their mean",
    )
    rank.add_argument(
        "--out",
        type=Path,
        help="CSV file to write (the list; for precursors the watch list; for fit a copy of "
        "the model file)",
    )
    rank.add_argument(
        "--model",
        type=Path,
        help="the list: score with this model file (from `vawg rank fit ... --out FILE`) "
        "instead of the month's; refused when fitted after --as-of or with another harm table",
    )
    rank.add_argument(
        "--window-days", type=int, default=365, help="scoring window in days (default 365)"
    )
    rank.add_argument(
        "--top",
        default=None,
        help="list length (default 100); for backtest a comma list of lengths "
        "(default 10,100,1000)",
    )
    rank.add_argument(
        "--method",
        default=None,
        help="learned (expected VAWG harm in the next 12 months and the probability of a "
        "serious allegation, from a model trained on the force's own earlier years; needs two "
        "years of records before --as-of), v100 (CCHI harm-days), rfgv (recency, frequency, "
        "gravity, victims) or count (default learned, or v100 with a note when the records "
        "are too short to train on; docs/ranking.md); for backtest a comma list (default all)",
    )
    rank.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="backtest: a generator's truth/offences.csv, to score against every offence "
        "committed rather than those recorded (default PATH/truth/offences.csv when present)",
    )
    rank.add_argument(
        "--harm-table",
        default="default",
        help="default (CCHI, shipped), ons-css (partial ONS severity), or a .csv "
        "(offence_code, harm_days) or the official CCHI .xlsx workbook",
    )
    rank.add_argument(
        "--horizon-days",
        type=int,
        default=365,
        help="backtest: days after --as-of whose harm is counted (default 365)",
    )
    rank.add_argument(
        "--min-lift",
        type=float,
        default=3.0,
        help="precursors: the lowest lift of an offence type or pattern on the watch list "
        "(default 3)",
    )
    rank.add_argument(
        "--survival-out",
        type=Path,
        help="precursors: CSV file for the Kaplan-Meier curves of the days from a flag to a "
        "first VAWG allegation, per offence type",
    )
    rank.add_argument(
        "--evaluate",
        action="store_true",
        help="precursors: also print how the watch list did over the --horizon-days after "
        "--as-of (its lift), from the records after it",
    )
    rank.add_argument(
        "--ethnic-groups",
        choices=("codes", "broad"),
        default="codes",
        help="fairness: test ethnicity as the force's codes (default) or as the five ONS broad "
        "groups (White, Mixed, Asian, Black, Other; fewer, larger groups, so smaller "
        "disparities can be found)",
    )
    rank.add_argument(
        "--no-cache",
        action="store_true",
        help="read the CSV files every time instead of through the Parquet copy that the list "
        "and the backtest keep in PATH/.vawg-cache/ (built on first use, rebuilt when a CSV "
        "changes)",
    )
    rank.set_defaults(handler=rank_handle)


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise UserInputError(f"--as-of must be a date YYYY-MM-DD, not {text!r}") from error


def _tops(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if text is None:
        return default
    try:
        tops = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise UserInputError(
            f"--top must be a whole number or a comma list, not {text!r}"
        ) from error
    if not tops or min(tops) < 1:
        raise UserInputError(f"--top must be positive, not {text!r}")
    return tops


def rank_handle(args: argparse.Namespace) -> int:
    """Run ``vawg rank`` (or one of its actions) and return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        From the parser built by :func:`register`.

    Returns
    -------
    int
        0 when done; bad input raises :class:`vawg.errors.UserInputError` (exit 2).

    Examples
    --------
    >>> ns = argparse.Namespace(target="backtest", path=None, as_of="2025-01-01")
    >>> try:
    ...     rank_handle(ns)
    ... except UserInputError as e:
    ...     print(e)
    vawg rank backtest: give the extract folder after the action
    """
    action = args.target if args.target in ACTIONS else None
    folder_text = args.path if action else args.target
    if action and not folder_text:
        raise UserInputError(f"vawg rank {action}: give the extract folder after the action")
    if not action and args.path:
        raise UserInputError(
            f"unexpected {args.path!r}: the action goes first, e.g. rank backtest PATH"
        )
    folder = Path(str(folder_text))
    dates = [part.strip() for part in str(args.as_of).split(",") if part.strip()]
    if len(dates) > 1 and action != "backtest":
        raise UserInputError(f"--as-of takes one date here, not {args.as_of!r}")
    as_ofs = [_as_of(text) for text in dates] or [_as_of(str(args.as_of))]
    as_of = as_ofs[0]
    if args.window_days < 1:
        raise UserInputError(f"--window-days must be at least 1, not {args.window_days}")
    if getattr(args, "horizon_days", 1) < 1:
        raise UserInputError(f"--horizon-days must be at least 1, not {args.horizon_days}")
    from vawg.harm import harm_table_named

    harm = harm_table_named(spec=args.harm_table)
    for day in as_ofs:
        _span_check(args, folder=folder, as_of=day, action=action)
    if action == "fit":
        return _fit(args, folder=folder, as_of=as_of, harm=harm)
    if action == "backtest":
        return _backtest(args, folder=folder, as_ofs=as_ofs, harm=harm)
    if action == "precursors":
        return _precursors(args, folder=folder, as_of=as_of, harm=harm)
    if action == "fairness":
        return _fairness(args, folder=folder, as_of=as_of, harm=harm)
    return _rank(args, folder=folder, as_of=as_of, harm=harm)


def _span_check(args: argparse.Namespace, *, folder: Path, as_of: date, action: str | None) -> None:
    """Refuse an --as-of that leaves the command nothing to compute, naming the data's span;
    note on standard error when the data ends before --as-of."""
    from datetime import timedelta

    from vawg.rank import recorded_span

    # Only the list and the backtest keep the Parquet copy (--no-cache); the others read CSV.
    cached = action in (None, "backtest") and not getattr(args, "no_cache", False)
    span = recorded_span(folder=folder, cache=cached)
    command = f"rank {action}" if action else "rank"
    if span.first is None or span.last is None:
        raise UserInputError(f"{command}: {folder} holds {span.text()}; nothing to rank")
    if as_of < span.first:
        raise UserInputError(
            f"{command}: --as-of {as_of} is before the data ({folder} holds {span.text()}); "
            f"give an --as-of from {span.first} to {span.last}"
        )
    window_start = as_of - timedelta(days=args.window_days)
    if action != "precursors" and window_start > span.last:
        raise UserInputError(
            f"{command}: --as-of {as_of} is after the data ({folder} holds {span.text()}), so "
            f"its {args.window_days}-day window {window_start}..{as_of} holds no crime; give an "
            f"--as-of from {span.first} to {span.last}"
        )
    if action == "backtest" and as_of >= span.last:
        raise UserInputError(
            f"{command}: a backtest scores the list against the crimes after --as-of, and "
            f"{folder} holds {span.text()}; give an --as-of before {span.last}, ideally "
            f"{args.horizon_days} days before it (--horizon-days)"
        )
    if action == "backtest" and as_of + timedelta(days=args.horizon_days) > span.last:
        short = (as_of + timedelta(days=args.horizon_days) - span.last).days
        print(
            f"vawg: note: the data ends {span.last}, so the last {short} of the "
            f"{args.horizon_days} horizon days hold no crime: future harm is undercounted",
            file=sys.stderr,
        )
    elif action != "precursors" and as_of > span.last:
        print(
            f"vawg: note: the data ends {span.last}, {(as_of - span.last).days} days before "
            f"--as-of {as_of}: the window's last days hold no crime and recency is measured "
            "from --as-of",
            file=sys.stderr,
        )
    if action == "precursors":
        from vawg.precursors import precursors_coverage

        note = precursors_coverage(span=span, as_of=as_of, folder=folder)
        if note:
            print(f"vawg: note: {note}", file=sys.stderr)


def _default_method(run: Any, *, as_of: date) -> Any:
    """``run(method=...)`` with the default method, or with V100 and a note when the records
    are too short to train the learned default on."""
    from vawg.rank import DEFAULT_METHOD
    from vawg.rank.learned import HistoryTooShortError
    from vawg.rank.model_store import fit_date

    try:
        return run(method=DEFAULT_METHOD)
    except HistoryTooShortError:
        if DEFAULT_METHOD != "learned":
            raise
    print(
        f"vawg: note: the learned default trains on the force's own history and needs two "
        f"years of VAWG records before {fit_date(as_of)} (a year to describe each man, a year "
        "to see what followed); this extract has less, so the list is ranked by v100",
        file=sys.stderr,
    )
    return run(method="v100")


def _notes(ranking_like: Any) -> None:
    unknown = ranking_like.unknown_codes
    if unknown.height:
        shown = ", ".join(f"{c} ({n})" for c, n in unknown.head(10).iter_rows())
        print(
            f"note: {unknown.height} offence code(s) not in the taxonomy, kept as non-VAWG "
            f"unless flagged domestic abuse: {shown}",
            file=sys.stderr,
        )
    unweighted = ranking_like.unweighted_codes
    if unweighted.height:
        shown = ", ".join(f"{c} ({n})" for c, n in unweighted.head(10).iter_rows())
        print(
            f"note: {unweighted.height} VAWG offence code(s) have no weight in the harm table "
            f"(counted, 0 harm-days): {shown}",
            file=sys.stderr,
        )


def _rank(args: argparse.Namespace, *, folder: Path, as_of: date, harm: Any) -> int:
    from vawg.rank import DEFAULT_METHOD, ranking_run

    if args.out is None:
        raise UserInputError("vawg rank: --out FILE is required")
    top = _tops(args.top, (100,))[0]
    model_file = getattr(args, "model", None)
    method = args.method or ("learned" if model_file else DEFAULT_METHOD)
    if model_file is not None and method != "learned":
        raise UserInputError(f"--model is a learned model; it cannot score --method {method}")
    run = partial(
        ranking_run,
        folder=folder,
        as_of=as_of,
        window_days=args.window_days,
        top=top,
        harm=harm,
        cache=not getattr(args, "no_cache", False),
        model_file=model_file,
    )
    if args.method or model_file:
        ranking = run(method=method)
    else:
        ranking = _default_method(partial(run, model_file=None), as_of=as_of)
    for note in ranking.notes:
        print(f"vawg: note: {note}", file=sys.stderr)
    _notes(ranking)
    if ranking.table.is_empty():
        raise UserInputError(
            f"rank: no one is named as suspect on a VAWG crime in the {ranking.window_days} "
            f"days to {as_of} ({ranking.pool_size:,} people in the pool); nothing written to "
            f"{args.out}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ranking.table.write_csv(args.out)
    print(
        f"wrote {ranking.table.height} of {ranking.pool_size:,} ranked people to {args.out} "
        f"(method {ranking.method}, as of {as_of}, window {ranking.window_days} days, "
        f"harm table {ranking.harm_table}, taxonomy {ranking.taxonomy_version})"
    )
    return 0


def _backtest(args: argparse.Namespace, *, folder: Path, as_ofs: list[date], harm: Any) -> int:
    from vawg.rank import METHODS, backtest_run, backtests_mean

    methods = tuple(m.strip() for m in (args.method or ",".join(METHODS)).split(",") if m.strip())
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise UserInputError(
            f"--method must list some of {', '.join(METHODS)}, not {args.method!r}"
        )
    results = []
    watched: list[float | None] = []
    for as_of in as_ofs:
        result = backtest_run(
            folder=folder,
            as_of=as_of,
            horizon_days=args.horizon_days,
            tops=_tops(args.top, (10, 100, 1000)),
            window_days=args.window_days,
            harm=harm,
            cache=not getattr(args, "no_cache", False),
            truth=getattr(args, "truth", None),
            methods=methods,
        )
        if result.future_harm_days <= 0:
            raise UserInputError(
                f"rank backtest: the {args.horizon_days} days after --as-of {as_of} hold no "
                "VAWG harm to test the list against; give an earlier --as-of"
            )
        print(result.text())
        results.append(result)
        watched.append(_watch_line(args, folder=folder, as_of=as_of, harm=harm))
    table = results[0].table
    if len(results) > 1:
        import polars as pl

        table = backtests_mean(results)
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=200,
        ):
            print(
                f"mean over {len(results)} dates ({', '.join(str(d) for d in as_ofs)}), "
                f"{results[0].harm_basis} harm:\n{table}"
            )
        shares = [share for share in watched if share is not None]
        if shares:
            print(
                f"watch list (precursors): mean share of the harm by men with no VAWG record "
                f"{100 * sum(shares) / len(shares):.1f}% over the {len(shares)} date(s) it "
                "could be made for"
            )
    if args.out is not None:
        table.write_csv(args.out)
    return 0


def _watch_line(args: argparse.Namespace, *, folder: Path, as_of: date, harm: Any) -> float | None:
    """Print the watch list's share of the harm by men with no VAWG record after ``as_of``;
    return the share (None when the watch list cannot be made)."""
    from vawg.precursors_backtest import watch_harm
    from vawg.rank.backtest import truth_find, truth_load

    truth_path = truth_find(folder=folder, truth=getattr(args, "truth", None))
    found = watch_harm(
        folder=folder,
        as_of=as_of,
        horizon_days=args.horizon_days,
        truth=truth_load(path=truth_path) if truth_path is not None else None,
        harm=harm,
    )
    if found is None:
        print(
            f"watch list (precursors) as of {as_of}: not made, the records before the date are "
            "too short (`vawg rank precursors` says what it needs)"
        )
        return None
    print(found.text())
    return found.share


def _precursors(args: argparse.Namespace, *, folder: Path, as_of: date, harm: Any) -> int:
    from vawg.precursors import precursors_run
    from vawg.precursors_backtest import precursors_evaluate

    top = _tops(args.top, (100,))[0]
    min_lift = getattr(args, "min_lift", 3.0)
    evaluation = None
    if getattr(args, "evaluate", False):
        from datetime import timedelta

        from vawg.rank import recorded_span

        span = recorded_span(folder=folder)
        if span.last is None or span.last <= as_of:
            raise UserInputError(
                f"rank precursors --evaluate: the watch list is scored against the crimes "
                f"after --as-of, and {folder} holds {span.text()}; give an --as-of before "
                f"{span.last}"
            )
        if as_of + timedelta(days=args.horizon_days) > span.last:
            print(
                f"vawg: note: the data ends {span.last}, before the {args.horizon_days} "
                "horizon days do: the list's lift is measured on fewer days",
                file=sys.stderr,
            )
        result, evaluation = precursors_evaluate(
            folder=folder,
            as_of=as_of,
            horizon_days=args.horizon_days,
            min_lift=min_lift,
            top=top,
            harm=harm,
        )
    else:
        result = precursors_run(folder=folder, as_of=as_of, harm=harm, min_lift=min_lift, top=top)
    if result.lifts.is_empty():
        raise UserInputError(
            f"rank precursors: no one in {folder} is named for a non-VAWG offence with "
            f"index dates {result.study_start}..{result.study_end} and no earlier VAWG "
            "allegation, so no lift can be computed"
            + ("; nothing written to " + str(args.out) if args.out is not None else "")
        )
    print(result.text())
    if evaluation is not None:
        print(evaluation.text())
    if result.watch_list.is_empty():
        print(f"vawg: note: the watch list is empty: {result.empty_reason()}", file=sys.stderr)
    if args.out is not None:
        result.watch_list.write_csv(args.out)
        print(f"wrote a watch list of {result.watch_list.height} people to {args.out}")
    survival_out = getattr(args, "survival_out", None)
    if survival_out is not None:
        result.curves.write_csv(survival_out)
        print(
            f"wrote the time-to-VAWG curves of {result.curves['precursor'].n_unique()} types "
            f"to {survival_out}"
        )
    return 0


def _fairness(args: argparse.Namespace, *, folder: Path, as_of: date, harm: Any) -> int:
    from vawg.fairness import fairness_run

    run = partial(
        fairness_run,
        folder=folder,
        as_of=as_of,
        top=_tops(args.top, (100,))[0],
        window_days=args.window_days,
        harm=harm,
        ethnic_groups=getattr(args, "ethnic_groups", "codes"),
    )
    result = run(method=args.method) if args.method else _default_method(run, as_of=as_of)
    if result.table.is_empty():
        raise UserInputError(
            f"rank fairness: no one is named as suspect on a VAWG crime in the "
            f"{args.window_days} days to {as_of}, so the list has no make-up to compare"
        )
    print(result.text())
    if args.out is not None:
        result.table.write_csv(args.out)
    return 0


def _fit(args: argparse.Namespace, *, folder: Path, as_of: date, harm: Any) -> int:
    import time

    from vawg.rank.model_store import fit_date, model_fit_folder, model_keep, model_write
    from vawg.rank.model_text import model_summary
    from vawg.taxonomy import taxonomy_load

    taxonomy = taxonomy_load()
    fitted_as_of = fit_date(as_of)
    started = time.perf_counter()
    written = []
    if getattr(args, "no_cache", False):
        stored = model_fit_folder(
            folder=folder, fitted_as_of=fitted_as_of, harm=harm, taxonomy=taxonomy
        )
    else:
        stored, kept = model_keep(
            folder=folder, fitted_as_of=fitted_as_of, harm=harm, taxonomy=taxonomy
        )
        written.append(kept)
    seconds = time.perf_counter() - started
    if args.out is not None:
        written.append(model_write(stored, args.out))
    print(model_summary(stored))
    where = " and ".join(str(path) for path in written) or "nowhere (--no-cache and no --out)"
    print(f"fitted in {seconds:.1f} s on the records up to {fitted_as_of}; written to {where}")
    return 0
