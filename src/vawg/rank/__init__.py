"""Perpetrator prioritisation (V100-style harm, RFGV) and its backtests.

The public API is re-exported here, so ``from vawg.rank import ranking_run`` works whatever the
module layout: :mod:`vawg.rank.allegations` reads and classifies, :mod:`vawg.rank.score` ranks,
:mod:`vawg.rank.backtest` tests a ranking against what followed. Methods, weights and figures are
in ``docs/ranking.md``.
"""

from vawg.rank.allegations import (
    SUSPECT_ROLES,
    Allegations,
    RecordedSpan,
    allegations_load,
    recorded_span,
)
from vawg.rank.backtest import (
    BACKTEST_COLUMNS,
    Backtest,
    backtest_compute,
    backtest_run,
    backtests_mean,
    held_out_as_of,
    truth_load,
)
from vawg.rank.run import ranking_run
from vawg.rank.score import (
    DEFAULT_METHOD,
    METHODS,
    OUTPUT_COLUMNS,
    SERIAL_DAYS,
    Ranking,
    RfgvWeights,
    person_scores,
    ranking_compute,
)

__all__ = [
    "BACKTEST_COLUMNS",
    "DEFAULT_METHOD",
    "METHODS",
    "OUTPUT_COLUMNS",
    "SERIAL_DAYS",
    "SUSPECT_ROLES",
    "Allegations",
    "Backtest",
    "Ranking",
    "RecordedSpan",
    "RfgvWeights",
    "allegations_load",
    "backtest_compute",
    "backtest_run",
    "backtests_mean",
    "held_out_as_of",
    "person_scores",
    "ranking_compute",
    "ranking_run",
    "recorded_span",
    "truth_load",
]
