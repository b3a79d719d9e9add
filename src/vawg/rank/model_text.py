"""A fitted learned model in words: what ``vawg rank fit`` prints."""

from __future__ import annotations

import math
from datetime import timedelta

from vawg.rank.learned import FEATURES, HARM_UNIT
from vawg.rank.model_store import StoredModel


def model_summary(stored: StoredModel) -> str:
    """The training window, both models' coefficients with what a high value means, and the
    calibration on the training rows.

    >>> from datetime import date
    >>> from vawg.rank.learned import FEATURE_NAMES, Model
    >>> z = (0.0,) * len(FEATURE_NAMES)
    >>> m = Model(z, -2.0, z, (1.0,) * len(z), (date(2024, 8, 31),), 10, 0.1, z, -1.0, 730,
    ...           (("0.00-0.05", 10, 0.01, 0.02),))
    >>> print(model_summary(StoredModel(m, date(2025, 8, 31), "h", "t")).splitlines()[0])
    learned model fitted on the records up to 2025-08-31 (harm table h, taxonomy t)
    """
    model = stored.model
    origins = ", ".join(str(o) for o in model.origins)
    first = min(model.origins) - timedelta(days=model.lookback_days) if model.origins else None
    lines = [
        f"learned model fitted on the records up to {stored.fitted_as_of} (harm table "
        f"{stored.harm_table}, taxonomy {stored.taxonomy_version})",
        f"training origins: {origins} (each described by the {model.lookback_days} days "
        f"before it, from {first}, and labelled by the 12 months after it)",
        f"training rows (man x origin): {model.rows:,}; share with a serious recorded VAWG "
        f"allegation in the next 12 months: {model.base_rate:.4f}",
        "",
        "coefficients on standardised features (log scale; + raises, - lowers)",
        f"{'feature':24s} {'harm':>8s} {'serious':>8s}  a high value means",
    ]
    order = sorted(range(len(FEATURES)), key=lambda i: -abs(float(model.harm_coef[i])))
    for i in order:
        name, words = FEATURES[i]
        lines.append(
            f"{name:24s} {float(model.harm_coef[i]):+8.3f} {float(model.coef[i]):+8.3f}  {words}"
        )
    base_harm = HARM_UNIT * math.exp(min(model.harm_intercept, 30.0))
    lines += [
        f"{'intercept':24s} {model.harm_intercept:+8.3f} {model.intercept:+8.3f}  (harm: "
        f"{base_harm:,.1f} expected harm-days for an average man)",
        "",
        "calibration on the training rows (probability of a serious recorded VAWG allegation; "
        "`vawg rank backtest` scores it on later years)",
        f"{'band':10s} {'rows':>9s} {'mean p':>8s} {'observed':>9s}",
    ]
    for band, rows, mean_p, observed in model.calibration:
        lines.append(f"{band:10s} {rows:9,d} {mean_p:8.3f} {observed:9.3f}")
    return "\n".join(lines)
