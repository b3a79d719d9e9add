"""Fitted learned models, kept between runs: ``vawg rank fit`` writes one, ``vawg rank`` reads it.

Fitting the learned model (:func:`vawg.rank.learned_fit.model_fit`) reads six and a half years and
fits two GLMs on every man at up to six origins: seconds at a large force's scale. Scoring a list
with a fitted model reads three years and takes a fraction of that. So the model is fitted once
per **fit date** (the last day of the month on or before the list's date: every list of a month
uses the model of the month's start, fitted on the records up to that day only) and kept as a
small JSON file in the extract's cache folder (``PATH/.vawg-cache/models/``), keyed by the
extract's files (name, size and modification time), the harm table and the taxonomy: a new or
changed extract, or another harm table, gets a model of its own.

Nothing recorded after the fit date enters the model, and nothing after the list's date enters
its features, so a list depends only on the records up to its date (tested by deleting the later
records). Method and figures: ``docs/ranking.md``, The learned method.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vawg.errors import UserInputError
from vawg.extract import CACHE_FOLDER
from vawg.rank.learned import FEATURE_NAMES, Model
from vawg.rank.prepared import inputs_key

if TYPE_CHECKING:
    from vawg.harm import HarmTable
    from vawg.taxonomy import Taxonomy

FORMAT = "vawg-learned-model/2"
"""The model file's format; a file of another format is refused (refit it)."""

MODEL_FOLDER = "models"
"""Models live in ``PATH/.vawg-cache/models/``."""

STALE_DAYS = 92
"""A model given with ``--model`` that is older than this against the list's date is noted."""

_SOURCES = ("crimes", "involvements", "people", "orders", "risk_markers")


@dataclass(frozen=True)
class StoredModel:
    """A fitted model with what it was fitted on.

    Attributes
    ----------
    model : Model
    fitted_as_of : date
        The last day of records the model was trained on.
    harm_table, taxonomy_version : str
        Those of the allegations it was trained on.
    key : str
        The extract fingerprint it was fitted on (empty when unknown).
    """

    model: Model
    fitted_as_of: date
    harm_table: str
    taxonomy_version: str
    key: str = ""


def fit_date(as_of: date) -> date:
    """The model's date for a list as of ``as_of``: the last month end on or before it.

    >>> fit_date(date(2025, 8, 31)), fit_date(date(2025, 9, 17)), fit_date(date(2024, 3, 1))
    (datetime.date(2025, 8, 31), datetime.date(2025, 8, 31), datetime.date(2024, 2, 29))
    """
    if (as_of + timedelta(days=1)).month != as_of.month:
        return as_of
    return as_of.replace(day=1) - timedelta(days=1)


def extract_key(*, folder: Path, harm: HarmTable, taxonomy: Taxonomy) -> str:
    """A short fingerprint of what a model depends on: the extract's files (name, size and
    modification time), the harm table's weights, the taxonomy and the features."""
    sources = [
        entry
        for entry in sorted(Path(folder).iterdir())
        if entry.is_file() and entry.name.split(".", 1)[0] in _SOURCES
    ]
    salt = f"{FORMAT}|{','.join(FEATURE_NAMES)}"
    return inputs_key(paths=sources, harm=harm, taxonomy=taxonomy, salt=salt)


def model_path(*, folder: Path, fitted_as_of: date, key: str) -> Path:
    """Where the model of ``fitted_as_of`` for this extract is kept."""
    return Path(folder) / CACHE_FOLDER / MODEL_FOLDER / f"learned-{fitted_as_of}-{key}.json"


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values]


def model_dict(stored: StoredModel) -> dict[str, Any]:
    """The stored model as plain JSON values (floats written in full, so they read back
    exactly).

    >>> z = (0.0,) * len(FEATURE_NAMES)
    >>> m = Model(z, -2.0, z, (1.0,) * len(z), (date(2024, 8, 31),), 10, 0.1, z, -1.0, 730)
    >>> d = model_dict(StoredModel(m, date(2025, 8, 31), "h", "t"))
    >>> model_read_dict(d).model.lookback_days, d["format"]
    (730, 'vawg-learned-model/2')
    """
    model = stored.model
    return {
        "format": FORMAT,
        "fitted_as_of": stored.fitted_as_of.isoformat(),
        "harm_table": stored.harm_table,
        "taxonomy_version": stored.taxonomy_version,
        "extract_key": stored.key,
        "features": list(FEATURE_NAMES),
        "origins": [o.isoformat() for o in model.origins],
        "lookback_days": model.lookback_days,
        "rows": model.rows,
        "base_rate": model.base_rate,
        "mean": _floats(model.mean),
        "scale": _floats(model.scale),
        "serious": {"intercept": model.intercept, "coef": _floats(model.coef)},
        "harm": {"intercept": model.harm_intercept, "coef": _floats(model.harm_coef)},
        "named": {
            "intercept": model.named_intercept,
            "coef": _floats(model.named_coef),
            "weight": model.named_weight,
        },
        "calibration": [list(row) for row in model.calibration],
    }


def model_read_dict(data: dict[str, Any]) -> StoredModel:
    """The inverse of :func:`model_dict`.

    Raises
    ------
    UserInputError
        Another format, or features other than this version's.
    """
    if data.get("format") != FORMAT:
        raise UserInputError(
            f"the model file is of format {data.get('format')!r}, not {FORMAT!r}: fit it again "
            "with `vawg rank fit`"
        )
    if tuple(data.get("features", ())) != FEATURE_NAMES:
        raise UserInputError(
            "the model file was fitted on other features than this version's: fit it again "
            "with `vawg rank fit`"
        )

    def array(values: list[float]) -> tuple[float, ...]:
        return tuple(float(v) for v in values)

    model = Model(
        coef=array(data["serious"]["coef"]),
        intercept=float(data["serious"]["intercept"]),
        mean=array(data["mean"]),
        scale=array(data["scale"]),
        origins=tuple(date.fromisoformat(o) for o in data["origins"]),
        rows=int(data["rows"]),
        base_rate=float(data["base_rate"]),
        harm_coef=array(data["harm"]["coef"]),
        harm_intercept=float(data["harm"]["intercept"]),
        lookback_days=int(data["lookback_days"]),
        calibration=tuple(
            (str(band), int(n), float(p), float(o)) for band, n, p, o in data["calibration"]
        ),
        named_coef=array(data["named"]["coef"]),
        named_intercept=float(data["named"]["intercept"]),
        named_weight=float(data["named"]["weight"]),
    )
    return StoredModel(
        model=model,
        fitted_as_of=date.fromisoformat(data["fitted_as_of"]),
        harm_table=str(data["harm_table"]),
        taxonomy_version=str(data["taxonomy_version"]),
        key=str(data.get("extract_key", "")),
    )


def model_write(stored: StoredModel, path: Path) -> Path:
    """Write the model to ``path`` atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(model_dict(stored), out, indent=1)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def model_read(path: Path) -> StoredModel:
    """Read a model file written by :func:`model_write`.

    Raises
    ------
    UserInputError
        The file is missing, not JSON, or not a model of this version.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise UserInputError(f"no model file {path}") from error
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path} is not a model file: {error}") from error
    if not isinstance(data, dict):
        raise UserInputError(f"{path} is not a model file")
    try:
        return model_read_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise UserInputError(f"{path} is not a complete model file ({error!r})") from error


def model_check(stored: StoredModel, *, as_of: date, harm_table: str, taxonomy_version: str) -> str:
    """Refuse a model that could not have been made for a list as of ``as_of`` with this harm
    table and taxonomy; return a note when it is old (empty otherwise).

    Raises
    ------
    UserInputError
        The model was fitted after ``as_of`` (it would carry later records into the list), or
        on another harm table or taxonomy.
    """
    if stored.fitted_as_of > as_of:
        raise UserInputError(
            f"the model was fitted on records up to {stored.fitted_as_of}, after --as-of "
            f"{as_of}: a list may use only what was recorded by its date; fit one with `vawg "
            f"rank fit PATH --as-of {as_of}`"
        )
    if stored.harm_table != harm_table or stored.taxonomy_version != taxonomy_version:
        raise UserInputError(
            f"the model was fitted with harm table {stored.harm_table!r} and taxonomy "
            f"{stored.taxonomy_version}, not {harm_table!r} and {taxonomy_version}: fit one "
            "with the same --harm-table"
        )
    age = (as_of - stored.fitted_as_of).days
    if age > STALE_DAYS:
        return (
            f"the model was fitted on records up to {stored.fitted_as_of}, {age} days before "
            f"--as-of {as_of}: fit a newer one with `vawg rank fit`"
        )
    return ""


def model_fit_folder(
    *,
    folder: Path,
    fitted_as_of: date,
    harm: HarmTable,
    taxonomy: Taxonomy,
    cache: bool = False,
) -> StoredModel:
    """Fit the learned model on the records of ``folder`` up to ``fitted_as_of`` (what ``vawg
    rank fit`` runs).

    Raises
    ------
    UserInputError
        Less than two years of records before ``fitted_as_of``.
    """
    from vawg.rank.allegations import allegations_load
    from vawg.rank.learned import LEARNED_LOOKBACK_DAYS, context_load
    from vawg.rank.learned_fit import model_fit

    allegations = allegations_load(
        folder=folder,
        start=fitted_as_of - timedelta(days=LEARNED_LOOKBACK_DAYS),
        end=fitted_as_of,
        taxonomy=taxonomy,
        harm=harm,
        vawg_only=True,
        cache=cache,
    )
    context = context_load(folder=folder, end=fitted_as_of, cache=cache)
    return StoredModel(
        model=model_fit(allegations, context, as_of=fitted_as_of),
        fitted_as_of=fitted_as_of,
        harm_table=harm.name,
        taxonomy_version=taxonomy.version,
        key=extract_key(folder=folder, harm=harm, taxonomy=taxonomy),
    )


def model_obtain(
    *,
    folder: Path,
    as_of: date,
    harm: HarmTable,
    taxonomy: Taxonomy,
    cache: bool = False,
    model_file: Path | None = None,
) -> tuple[StoredModel, str]:
    """The model for a list as of ``as_of``, and a note for the user (empty when none).

    ``model_file`` given: that file, checked (:func:`model_check`). Otherwise the model of
    :func:`fit_date` for this extract: read from the cache folder when ``cache`` and it is
    there; else fitted now (and kept there when ``cache``, where the models of an older
    version of the extract are then deleted).
    """
    if model_file is not None:
        stored = model_read(model_file)
        note = model_check(
            stored, as_of=as_of, harm_table=harm.name, taxonomy_version=taxonomy.version
        )
        return stored, note
    fitted_as_of = fit_date(as_of)
    key = extract_key(folder=folder, harm=harm, taxonomy=taxonomy)
    path = model_path(folder=folder, fitted_as_of=fitted_as_of, key=key)
    if cache and path.is_file():
        try:
            return model_read(path), ""
        except UserInputError:
            pass  # a damaged or older file: fitted again below, and replaced
    if not cache:
        stored = model_fit_folder(
            folder=folder, fitted_as_of=fitted_as_of, harm=harm, taxonomy=taxonomy
        )
        return stored, f"fitted the learned model on the records up to {fitted_as_of}"
    stored, path = model_keep(
        folder=folder, fitted_as_of=fitted_as_of, harm=harm, taxonomy=taxonomy
    )
    return stored, (
        f"fitted the learned model on the records up to {fitted_as_of} and kept it in {path} "
        "for the lists of this month (`vawg rank fit` does this ahead)"
    )


def model_keep(
    *, folder: Path, fitted_as_of: date, harm: HarmTable, taxonomy: Taxonomy
) -> tuple[StoredModel, Path]:
    """Fit the model of ``fitted_as_of`` (reading through the cache folder) and keep it there,
    where :func:`model_obtain` finds it, deleting the models of an older version of the
    extract; returns the model and its file. What ``vawg rank fit`` and the monthly job run:
    fitted again, the file is the same."""
    stored = model_fit_folder(
        folder=folder, fitted_as_of=fitted_as_of, harm=harm, taxonomy=taxonomy, cache=True
    )
    path = model_write(stored, model_path(folder=folder, fitted_as_of=fitted_as_of, key=stored.key))
    for stale in path.parent.glob("learned-*.json"):  # models of an older extract
        if not stale.name.endswith(f"-{stored.key}.json"):
            stale.unlink(missing_ok=True)
    return stored, path
