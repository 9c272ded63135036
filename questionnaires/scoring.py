"""Score the scales of a questionnaire: one column per scale, one row per participant.

Examples
--------
>>> import pandas as pd
>>> from questionnaires import load_questionnaire
>>> q = load_questionnaire("realism")
>>> data = pd.DataFrame({"participant_id": ["p1", "p2"], "real_1": [7, 2],
...                      "real_2": [6, None], "real_3": [5, None]})
>>> score(data, q)["realism"].tolist()
[6.0, nan]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .models import Item, Questionnaire, Scale

__all__ = ["ScoringError", "score", "item_scores"]


class ScoringError(ValueError):
    """A value that cannot be scored, or data that do not fit the questionnaire.

    The message names the participant (``participant_id``, else the row index
    label), the item and the value. Attributes: ``participant``, ``item_id``,
    ``value`` (``None`` when the problem is not about one cell).
    """

    def __init__(self, message: str, *, participant=None, item_id: str | None = None, value=None):
        self.participant = participant
        self.item_id = item_id
        self.value = value
        super().__init__(message)


def _participant_label(data: pd.DataFrame, position: int):
    if "participant_id" in data.columns:
        return data["participant_id"].iloc[position]
    return data.index[position]


def item_scores(data: pd.DataFrame, item: Item) -> np.ndarray:
    """One rating item's answers as floats after reverse keying (NaN when missing).

    Parameters
    ----------
    data : DataFrame
        Holds a column named ``item.id`` with answers ``1..points`` as presented
        (numbers, or numeric strings as read from a CSV file).
    item : Item
        A likert or semantic-differential item.

    Returns
    -------
    numpy.ndarray of float
        ``points + 1 - answer`` for a reverse-keyed item, else the answer.

    Raises
    ------
    ScoringError
        The column is missing or repeated, or a value is not a whole number
        from 1 to ``points``; the message names the first such participant
        and how many values are wrong.

    Examples
    --------
    >>> import pandas as pd
    >>> from questionnaires import load_questionnaire
    >>> att_2 = load_questionnaire("attitude").item("att_2")   # reverse-keyed, 7 points
    >>> item_scores(pd.DataFrame({"att_2": [1, 7, None]}), att_2).tolist()
    [7.0, 1.0, nan]
    """
    if item.id not in data.columns:
        raise ScoringError(
            f"column {item.id!r} is not in the data; score with the questionnaire the data were "
            f"collected with, or add the column (empty where unanswered)",
            item_id=item.id,
        )
    if int((data.columns == item.id).sum()) > 1:
        raise ScoringError(f"column {item.id!r} appears more than once in the data; keep one", item_id=item.id)
    column = data[item.id]
    missing = column.isna().to_numpy()
    if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
        blank = column.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        missing = missing | blank
    numeric = pd.to_numeric(column.where(~missing), errors="coerce")
    values = numeric.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~missing & (np.isnan(values) | (values % 1 != 0) | (values < 1) | (values > item.points))
    if bad.any():
        positions = np.flatnonzero(bad)
        first = int(positions[0])
        participant = _participant_label(data, first)
        value = column.iloc[first]
        value = value.item() if isinstance(value, np.generic) else value
        others = f" ({len(positions) - 1} more wrong values in this column)" if len(positions) > 1 else ""
        raise ScoringError(
            f"participant {participant!r}, item {item.id!r}: value {value!r} is not a whole number "
            f"from 1 to {item.points}{others}; correct it or leave it empty before scoring",
            participant=participant,
            item_id=item.id,
            value=value,
        )
    if item.reverse:
        values = item.points + 1 - values
    return values


def _scale_score(data: pd.DataFrame, questionnaire: Questionnaire, scale: Scale) -> np.ndarray:
    matrix = np.column_stack([item_scores(data, questionnaire.item(item_id)) for item_id in scale.items])
    answered = (~np.isnan(matrix)).sum(axis=1)
    total = np.nansum(matrix, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / answered
    result = mean * len(scale.items) if scale.scoring == "sum" else mean
    return np.where(answered >= scale.min_valid, result, np.nan)


def score(data: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Add one column per scale of the questionnaire to a copy of the data.

    Parameters
    ----------
    data : DataFrame
        One row per participant, one column per item (named by item id) holding
        the raw answers as presented (``1..points``). Columns that are not items
        of a scale are carried along untouched.
    questionnaire : Questionnaire
        The questionnaire the data were collected with.

    Returns
    -------
    DataFrame
        A copy of ``data``, same rows and index, with a float column per scale
        (named by scale id, in declared order; an existing column of that name is
        replaced in place).

    Raises
    ------
    ScoringError
        A scale item's column is missing, or holds a value that is not a whole
        number from 1 to ``points`` (the message names participant and item).
    TypeError
        ``data`` is not a DataFrame or ``questionnaire`` not a Questionnaire.

    Notes
    -----
    Reverse-keyed items are recoded as :math:`points + 1 - x`. A ``mean`` scale
    is the mean of the answered items; a ``sum`` scale is that mean times the
    number of items (a prorated sum, so that a missing item does not lower the
    total). Either is missing (NaN) when fewer than ``min_valid`` items are
    answered.

    Examples
    --------
    >>> import pandas as pd
    >>> from questionnaires import load_questionnaire
    >>> q = load_questionnaire("attitude")            # att_2 and att_4 are reverse-keyed
    >>> data = pd.DataFrame({"att_1": [7], "att_2": [1], "att_3": [7], "att_4": [1], "att_5": [4]})
    >>> float(score(data, q).loc[0, "attitude"])      # (7 + 7 + 7 + 7 + 4) / 5
    6.4
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"score(): data must be a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(questionnaire, Questionnaire):
        raise TypeError(f"score(): questionnaire must be a Questionnaire, got {type(questionnaire).__name__}")
    result = data.copy()
    for scale in questionnaire.scales:
        result[scale.id] = pd.Series(_scale_score(data, questionnaire, scale), index=data.index, dtype=float)
    return result
