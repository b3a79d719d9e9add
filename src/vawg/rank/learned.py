"""The learned method: a probability of serious VAWG harm in the next 12 months, from the force's
own history.

At ``as_of`` each man named on a VAWG allegation in the 3 years before is described by what was
recorded on or before ``as_of`` (:data:`FEATURES`: recency, frequency, harm-days, victims and new
victims, escalation, charges for serious offences, orders and breaches, risk markers). The model
is a ridge-penalised logistic regression (:func:`model_fit`), fitted by Newton's method on
standardised features, trained by rolling origin on the same force's earlier years only: at each
training origin ``t = as_of - 365 k`` (and ``as_of - 365 k - 182``) whose next 12 months end on or
before ``as_of``, the features at ``t`` and the label, a recorded VAWG allegation of at least
:data:`SERIOUS_DAYS` harm-days in ``(t, t + 365]``. Nothing recorded after ``as_of`` is read, so
deleting later records changes nothing (tested). Per man the main reasons are the features that
add most to his log-odds (coefficient times standardised value), in words. Method and measured
figures: ``docs/ranking.md``, The learned method.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.extract import extract_files_find, table_scan
from vawg.rank.allegations import Allegations

SERIOUS_DAYS = 365.0
"""A serious VAWG allegation: at least this many CCHI harm-days (strangulation, GBH, rape...)."""

POOL_DAYS = 1095
"""The learned list ranks every man named on a VAWG allegation in the 3 years to ``as_of``."""

TRAINING_YEARS = 3
"""Training origins go back at most this many years before ``as_of``."""

LEARNED_LOOKBACK_DAYS = 365 * TRAINING_YEARS + 182 + POOL_DAYS
"""How far back a fit reads: its earliest training origin and that origin's 3 years."""

MIN_HISTORY_DAYS = 300
"""A training origin needs this many days of records before it."""

HARM_UNIT = 365.0
"""The harm model counts harm-days in years (365 days), to keep its numbers small."""

MARKERS = ("strangulation", "threats_to_kill", "stalking", "weapon", "sexual_violence")
"""Risk markers with a feature of their own; any other marker counts in ``markers_other``."""

FEATURES: tuple[tuple[str, str], ...] = (
    ("recency", "a recent VAWG allegation"),
    ("allegations_365", "many VAWG allegations in the last year"),
    ("allegations_1095", "many VAWG allegations in 3 years"),
    ("harm_365", "high harm-days in the last year"),
    ("harm_1095", "high harm-days in 3 years"),
    ("serious_1095", "serious VAWG allegations in 3 years"),
    ("victims_1095", "several victims in 3 years"),
    ("new_victims_365", "new victims in the last year"),
    ("escalation", "harm rising over the last six months"),
    ("partner_1095", "allegations against a partner or ex-partner"),
    ("charged_serious_730", "charged with a serious offence in the last 2 years"),
    ("charged_365", "charged in the last year"),
    ("orders_active", "a protective order in force"),
    ("breaches_365", "order breaches in the last year"),
    *((f"marker_{m}", f"{m.replace('_', ' ')} recorded") for m in MARKERS),
    ("markers_other", "other risk markers recorded"),
)
"""Feature name and what a high value means, in words, for the reasons."""

FEATURE_NAMES = tuple(name for name, _ in FEATURES)

NAMED_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
"""The weights tried for the probability of being named again in the list's order
(:func:`named_weight_choose`)."""

NAMED_AGAIN_N = 100
"""The tasking places: the first places of the list, ordered for precision as well as harm
(:meth:`Model.order`), as many as the Met's V100 tasks (fewer on a force with under ten times
as many men in the pool, :func:`tasking_places`)."""


def tasking_places(pool: int) -> int:
    """How many of a pool's first places are ordered for precision (:data:`NAMED_AGAIN_N`, or
    a tenth of a small pool, at least 10).

    >>> tasking_places(90_000), tasking_places(400), tasking_places(50)
    (100, 40, 10)
    """
    return min(NAMED_AGAIN_N, max(10, pool // 10))


CALIBRATION_BANDS = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
"""Upper edges of the bands of predicted probability in a model's calibration table."""


class HistoryTooShortError(UserInputError):
    """The records before the date are too short to train the learned model on (under two
    years): ``vawg rank`` then falls back to V100 unless ``--method learned`` was asked for."""


@dataclass(frozen=True)
class Context:
    """What the learned method reads besides the allegations: outcomes, orders, risk markers.

    Attributes
    ----------
    outcomes : pl.DataFrame
        ``crime_ref, outcome_code, outcome_date`` of every crime with an outcome.
    orders : pl.DataFrame
        ``subject_ref, start_date, end_date, breach_date`` (one row per breach; null if none).
    markers : pl.DataFrame
        ``person_ref, marker, recorded_date``.
    """

    outcomes: pl.DataFrame
    orders: pl.DataFrame
    markers: pl.DataFrame


def context_empty() -> Context:
    """A context with no outcomes, orders or markers (an extract without them).

    >>> context_empty().markers.height
    0
    """
    return Context(
        pl.DataFrame(
            schema={"crime_ref": pl.String, "outcome_code": pl.String, "outcome_date": pl.Date}
        ),
        pl.DataFrame(
            schema={
                "subject_ref": pl.String,
                "start_date": pl.Date,
                "end_date": pl.Date,
                "breach_date": pl.Date,
            }
        ),
        pl.DataFrame(
            schema={"person_ref": pl.String, "marker": pl.String, "recorded_date": pl.Date}
        ),
    )


def context_load(
    *, folder: Path, end: date, cache: bool = False, recorded_from: date | None = None
) -> Context:
    """Read outcomes, orders and ``risk_markers.csv`` (optional) up to ``end`` from ``folder``.

    Only what is dated on or before ``end`` is kept: an outcome assigned later, an order that
    starts later, a breach or marker recorded later are dropped. ``recorded_from``: read only
    the outcomes of crimes recorded on or after it (the features of a date look at the crimes
    of its look-back only; a list needs three years of outcomes, not the whole extract's).
    """
    files = extract_files_find(folder=folder, cache=cache)
    empty = context_empty()
    crimes = table_scan(
        files=files,
        table="crimes",
        columns=("crime_ref", "recorded_date", "outcome_code", "outcome_date"),
    )
    if recorded_from is not None:
        crimes = crimes.filter(pl.col("recorded_date") >= recorded_from)
    outcomes = (
        crimes.filter(pl.col("outcome_date") <= end, pl.col("outcome_code").is_not_null())
        .select("crime_ref", "outcome_code", "outcome_date")
        .collect()
    )
    orders = empty.orders
    if "orders" in files.files:
        orders = (
            table_scan(
                files=files,
                table="orders",
                columns=("subject_ref", "start_date", "end_date", "breach_dates"),
            )
            .filter(pl.col("start_date") <= end)
            .with_columns(pl.col("breach_dates").str.split(";"))
            .explode("breach_dates")
            .with_columns(
                pl.col("breach_dates")
                .str.strip_chars()
                .str.to_date("%Y-%m-%d", strict=False)
                .alias("breach_date")
            )
            .with_columns(
                pl.when(pl.col("breach_date") <= end).then(pl.col("breach_date")),
            )
            .select("subject_ref", "start_date", "end_date", "breach_date")
            .collect()
        )
    markers = empty.markers
    for suffix in (".csv", ".csv.gz", ".parquet"):
        path = Path(folder) / f"risk_markers{suffix}"
        if path.is_file():
            frame = (
                pl.read_parquet(path)
                if suffix == ".parquet"
                else pl.read_csv(path, infer_schema=False)
            )
            markers = frame.select(
                pl.col("person_ref").cast(pl.String),
                pl.col("marker").cast(pl.String).str.strip_chars().str.to_lowercase(),
                pl.col("recorded_date").cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            ).filter(pl.col("recorded_date") <= end)
            break
    return Context(outcomes=outcomes, orders=orders, markers=markers)


def features_at(
    allegations: Allegations, context: Context, *, as_of: date, lookback_days: int = POOL_DAYS
) -> pl.DataFrame:
    """The features of every man named on a VAWG allegation in ``[as_of - lookback_days,
    as_of]`` (the "3 years" features look back ``lookback_days``, 1,095 unless the history is
    shorter).

    Only records on or before ``as_of`` are used. Returns ``person_ref`` and
    :data:`FEATURE_NAMES` (floats), sorted by ``person_ref``.
    """
    start = as_of - timedelta(days=lookback_days)
    year = as_of - timedelta(days=365)
    half = as_of - timedelta(days=182)
    rows = allegations.suspects.lazy().filter(
        pl.col("is_vawg") & pl.col("recorded_date").is_between(start, as_of)
    )
    date_col = pl.col("recorded_date")
    harm = pl.col("harm_days")
    base = rows.group_by("person_ref").agg(
        ((pl.lit(as_of) - date_col.max()).dt.total_days() / -182.0).exp().alias("recency"),
        pl.col("crime_ref").filter(date_col > year).n_unique().log1p().alias("allegations_365"),
        pl.col("crime_ref").n_unique().log1p().alias("allegations_1095"),
        harm.filter(date_col > year).sum().log1p().alias("harm_365"),
        harm.sum().log1p().alias("harm_1095"),
        (harm >= SERIOUS_DAYS).sum().cast(pl.Float64).log1p().alias("serious_1095"),
        (
            harm.filter(date_col > half).sum().log1p()
            - harm.filter((date_col > year) & (date_col <= half)).sum().log1p()
        ).alias("escalation"),
        pl.col("relationship")
        .is_in(["partner", "ex-partner"])
        .sum()
        .cast(pl.Float64)
        .log1p()
        .alias("partner_1095"),
    )
    victims = (
        rows.select("person_ref", "crime_ref", "recorded_date")
        .join(allegations.victims.lazy(), on="crime_ref")
        .group_by("person_ref", "victim_ref")
        .agg(date_col.min().alias("first_seen"))
        .group_by("person_ref")
        .agg(
            pl.len().cast(pl.Float64).log1p().alias("victims_1095"),
            (pl.col("first_seen") > year).sum().cast(pl.Float64).log1p().alias("new_victims_365"),
        )
    )
    charged = (
        rows.select("person_ref", "crime_ref", "harm_days")
        .join(context.outcomes.lazy(), on="crime_ref")
        .filter((pl.col("outcome_code") == "1") & (pl.col("outcome_date") <= as_of))
        .group_by("person_ref")
        .agg(
            ((harm >= SERIOUS_DAYS) & (pl.col("outcome_date") > as_of - timedelta(days=730)))
            .sum()
            .cast(pl.Float64)
            .alias("charged_serious_730"),
            (pl.col("outcome_date") > year).sum().cast(pl.Float64).alias("charged_365"),
        )
    )
    orders = (
        context.orders.lazy()
        .filter(pl.col("start_date") <= as_of)
        .group_by("subject_ref")
        .agg(
            pl.struct("start_date", "end_date")
            .filter((pl.col("end_date").is_null()) | (pl.col("end_date") >= as_of))
            .n_unique()
            .cast(pl.Float64)
            .alias("orders_active"),
            pl.col("breach_date")
            .filter(pl.col("breach_date").is_between(year, as_of))
            .n_unique()
            .cast(pl.Float64)
            .log1p()
            .alias("breaches_365"),
        )
        .rename({"subject_ref": "person_ref"})
    )
    marks = context.markers.lazy().filter(pl.col("recorded_date").is_between(start, as_of))
    marker_cols = [
        (pl.col("marker") == m).sum().cast(pl.Float64).log1p().alias(f"marker_{m}") for m in MARKERS
    ]
    marker_frame = marks.group_by("person_ref").agg(
        *marker_cols,
        (~pl.col("marker").is_in(MARKERS)).sum().cast(pl.Float64).log1p().alias("markers_other"),
    )
    frame = base
    for other in (victims, charged, orders, marker_frame):
        frame = frame.join(other, on="person_ref", how="left")
    return (
        frame.select(
            "person_ref",
            *(pl.col(name).cast(pl.Float64).fill_null(0.0) for name in FEATURE_NAMES),
        )
        .sort("person_ref")
        .collect()
    )


def labels_after(allegations: Allegations, *, as_of: date, horizon_days: int = 365) -> pl.DataFrame:
    """``person_ref, serious, future_harm, named``: who is named on a serious VAWG allegation
    recorded in ``(as_of, as_of + horizon_days]``, everyone's recorded VAWG harm-days in it, and
    who is named on any (``named`` true for every row: the men not named have no row)."""
    end = as_of + timedelta(days=horizon_days)
    return (
        allegations.suspects.filter(
            pl.col("is_vawg") & (pl.col("recorded_date") > as_of) & (pl.col("recorded_date") <= end)
        )
        .group_by("person_ref")
        .agg(
            (pl.col("harm_days") >= SERIOUS_DAYS).any().alias("serious"),
            pl.col("harm_days").sum().alias("future_harm"),
            pl.lit(True).alias("named"),
        )
    )


@dataclass(frozen=True)
class Model:
    """A fitted model (plain floats: scoring a list needs Polars only, not NumPy).

    Attributes
    ----------
    coef : tuple of float
        Per feature of :data:`FEATURE_NAMES`, on the standardised scale.
    intercept : float
    mean, scale : tuple of float
        The training features' means and standard deviations (1 where constant).
    origins : tuple of date
        The training origins used.
    rows : int
        Training rows (man x origin).
    base_rate : float
        Share of training rows with the label.
    harm_coef, harm_intercept
        The ridge Poisson regression of the next 12 months' recorded harm-days (in units of
        :data:`HARM_UNIT`), which orders the list.
    lookback_days : int
        How far back the "3 years" features look (:func:`model_lookback`).
    """

    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    origins: tuple[date, ...]
    rows: int
    base_rate: float
    harm_coef: tuple[float, ...]
    harm_intercept: float
    lookback_days: int = POOL_DAYS
    calibration: tuple[tuple[str, int, float, float], ...] = ()
    """On the training rows, per band of predicted probability (:data:`CALIBRATION_BANDS`):
    the band, its rows, their mean probability and the share with the label."""
    named_coef: tuple[float, ...] = ()
    named_intercept: float = 0.0
    """The ridge logistic regression of being named on any recorded VAWG allegation in the next
    12 months."""
    named_weight: float = 0.0
    """The tasking places' order: expected harm times the probability of being named again to
    this power (:func:`named_weight_choose`)."""

    def _parts(self, coef: tuple[float, ...]) -> list[pl.Expr]:
        return [
            ((pl.col(name) - m) / s) * c
            for name, m, s, c in zip(FEATURE_NAMES, self.mean, self.scale, coef, strict=True)
        ]

    def harm_parts(self) -> list[pl.Expr]:
        """Each feature's part of the log expected harm, as expressions on the features."""
        return self._parts(self.harm_coef)

    def expected_harm(self) -> pl.Expr:
        """The modelled recorded VAWG harm-days in the next 12 months."""
        z = pl.lit(self.harm_intercept) + pl.sum_horizontal(self.harm_parts())
        return HARM_UNIT * z.clip(upper_bound=30.0).exp()

    def named_probability(self) -> pl.Expr:
        """The modelled probability of being named on any recorded VAWG allegation in the next
        12 months."""
        z = pl.lit(self.named_intercept) + pl.sum_horizontal(self._parts(self.named_coef))
        return 1.0 / (1.0 + (-z).exp())

    def order(self) -> pl.Expr:
        """The order of the tasking places: expected harm-days times the probability of being
        named again to the power :attr:`named_weight`."""
        if not self.named_weight:
            return self.expected_harm()
        return self.expected_harm() * self.named_probability() ** self.named_weight

    def probability(self) -> pl.Expr:
        """The modelled probability of a serious recorded VAWG allegation in the next 12
        months."""
        z = pl.lit(self.intercept) + pl.sum_horizontal(self._parts(self.coef))
        return 1.0 / (1.0 + (-z).exp())


def _reasons(scored: pl.DataFrame, model: Model) -> pl.DataFrame:
    # ``_row, reasons``: per row of ``scored`` (the features), the three features that raise
    # the expected harm most (ties to the earlier feature), kept when above 0.05, in words.
    words = {i: w for i, (_, w) in enumerate(FEATURES)}
    parts = (
        scored.select(
            pl.col("_row"),
            *(e.alias(n) for e, n in zip(model.harm_parts(), FEATURE_NAMES, strict=True)),
        )
        .unpivot(index="_row", variable_name="_feature", value_name="_part")
        .with_columns(
            pl.col("_feature").replace_strict(
                {n: i for i, n in enumerate(FEATURE_NAMES)}, return_dtype=pl.Int32
            )
        )
        .filter(pl.col("_part") > 0.05)
        .sort(["_row", "_part", "_feature"], descending=[False, True, False])
    )
    return parts.group_by("_row", maintain_order=True).agg(
        pl.col("_feature")
        .head(3)
        .replace_strict(words, return_dtype=pl.String)
        .str.join("; ")
        .alias("reasons")
    )


def learned_scores(
    allegations: Allegations,
    context: Context,
    *,
    as_of: date,
    model: Model | None = None,
    explain: int | None = None,
) -> tuple[pl.DataFrame, Model]:
    """Score the pool at ``as_of``: ``person_ref, priority`` (the tasking places' order,
    :meth:`Model.order`), ``expected_harm, probability`` (of a serious allegation),
    ``named_probability`` (of any), ``reasons``, and the model (``model``, or one fitted at
    ``as_of``). The reasons are the three features that raise the man's expected harm most (by
    more than 0.05 on the log scale), in words.

    ``explain``: give reasons only to the men who can be in a list of that length (the
    tasking places' by priority, the rest by expected harm, ties included; the others' reasons
    are null). Default: everyone."""
    if model is None:
        from vawg.rank.learned_fit import model_fit

        model = model_fit(allegations, context, as_of=as_of)
    feats = features_at(allegations, context, as_of=as_of, lookback_days=model.lookback_days)
    scored = feats.with_columns(
        # Rounded so that the list does not depend on the last bits of the arithmetic.
        model.order().round(3).alias("priority"),
        model.expected_harm().round(3).alias("expected_harm"),
        model.named_probability().round(6).alias("named_probability"),
        model.probability().round(6).alias("probability"),
    ).with_row_index("_row")
    chosen = scored
    if explain is not None and scored.height > explain:
        places = min(explain, tasking_places(scored.height))
        by_priority = scored["priority"].top_k(places).min()
        by_harm = scored["expected_harm"].top_k(explain).min()
        chosen = scored.filter(
            (pl.col("priority") >= by_priority) | (pl.col("expected_harm") >= by_harm)
        )
    reasons = _reasons(chosen, model)
    explained = chosen.select("_row").join(reasons, on="_row", how="left")
    out = scored.join(
        explained.with_columns(pl.col("reasons").fill_null("no strong reason")),
        on="_row",
        how="left",
    ).select(
        "person_ref", "priority", "expected_harm", "probability", "named_probability", "reasons"
    )
    return out, model


def learned_list(
    allegations: Allegations,
    context: Context,
    *,
    as_of: date,
    window: pl.DataFrame,
    model: Model | None = None,
    explain: int | None = None,
) -> pl.DataFrame:
    """The learned pool at ``as_of``, best first, with ``window`` (the window's figures per man:
    ``harm_days, offences, victims, last_offence_date, recent_harm_days, earlier_harm_days``)
    beside each man (0 when none; the last date then from the whole look-back), ``score`` the
    expected harm-days, ``rank``, ``priority``, ``probability``, ``named_probability`` and
    ``reasons``. The first :func:`tasking_places` places go by priority (expected harm weighted
    towards the men likely to be named again, :meth:`Model.order`), the rest by expected harm;
    so ``score`` falls place by place except across the last tasking place. ``model`` and
    ``explain``: as for :func:`learned_scores`."""
    learned, model = learned_scores(allegations, context, as_of=as_of, model=model, explain=explain)
    last = (
        allegations.suspects.filter(
            pl.col("is_vawg")
            & pl.col("recorded_date").is_between(as_of - timedelta(days=model.lookback_days), as_of)
        )
        .group_by("person_ref")
        .agg(pl.col("recorded_date").max().alias("_last"))
    )
    counts = ("harm_days", "offences", "victims", "recent_harm_days", "earlier_harm_days")
    listed = (
        learned.join(window, on="person_ref", how="left")
        .join(last, on="person_ref", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0) for c in counts),
            pl.col("last_offence_date").fill_null(pl.col("_last")),
        )
        .drop("_last")
    )
    ties = ["harm_days", "offences", "last_offence_date", "person_ref"]
    down = [True, True, True, False]
    by_priority = listed.sort(["priority", *ties], descending=[True, *down])
    places = tasking_places(listed.height)
    rest = by_priority.slice(places).sort(["expected_harm", *ties], descending=[True, *down])
    return (
        pl.concat([by_priority.head(places), rest])
        .with_columns(pl.col("expected_harm").alias("score"))
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
