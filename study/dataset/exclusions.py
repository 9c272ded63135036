"""Flag participants who fail the study's attention or manipulation checks.

>>> from study import load_study, simulate
>>> tilburg = load_study("tilburg")
>>> flagged = flag_exclusions(simulate(tilburg, n=20, seed=4), tilburg)
>>> flagged[["attention_passed", "manipulation_passed", "exclude"]].dtypes.unique().tolist()
[dtype('bool')]
"""

from __future__ import annotations

import pandas as pd

from study.design.schema import Study
from study.errors import UserError

__all__ = ["flag_exclusions"]


def _matches(answers: pd.Series, expected: pd.Series | object) -> pd.Series:
    """Whether each answer equals the expected one; a missing answer never matches.

    Numbers and their text forms compare equal ("5" from a CSV matches 5).
    """
    as_text = answers.astype("string").str.strip().str.removesuffix(".0")
    target = (expected.astype("string") if isinstance(expected, pd.Series)
              else pd.Series(str(expected), index=answers.index, dtype="string"))
    return (as_text == target).fillna(False).astype(bool)


def _require_columns(data: pd.DataFrame, columns: list[str], what: str):
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise UserError(f"flag_exclusions: the data lack the column(s) {', '.join(missing)} "
                        f"needed for {what}; pass the canonical data set of this study")


def flag_exclusions(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Add ``attention_passed``, ``manipulation_passed`` and ``exclude`` to a copy of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical data set (one row per participant) of ``study``.
    study : Study
        Supplies ``checks.attention`` {item, correct}, ``checks.manipulation``
        (per check: factor, item, expected option per level) and
        ``analysis.exclude_on``.

    Returns
    -------
    pandas.DataFrame
        A copy with three boolean columns appended (replaced if present):

        - ``attention_passed``: the attention item holds the instructed answer.
          True for everyone when the study declares no attention check.
        - ``manipulation_passed``: every manipulation check holds the option
          expected for the participant's level of its factor. True for everyone
          when the study declares none.
        - ``exclude``: a check named in ``analysis.exclude_on`` failed.

        A missing answer counts as a failed check.

    Raises
    ------
    UserError
        A column the checks need (the check items, the factors) is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")       # attn_1: instructed answer 5; exclude_on: [attention]
    >>> data = pd.DataFrame({"channel": ["public", "private", "public"],
    ...                      "attn_1": [5, 2, None],
    ...                      "mc_channel": ["public", "private", "private"]})
    >>> flag_exclusions(data, tilburg)[["attention_passed", "manipulation_passed", "exclude"]]
       attention_passed  manipulation_passed  exclude
    0              True                 True    False
    1             False                 True     True
    2             False                False     True
    """
    if not isinstance(data, pd.DataFrame):
        raise UserError(f"flag_exclusions needs a pandas DataFrame, got {type(data).__name__}")
    flagged = data.copy()
    everyone = pd.Series(True, index=data.index)

    attention = study.checks.attention
    if attention is None:
        flagged["attention_passed"] = everyone
    else:
        _require_columns(data, [attention.item], "the attention check")
        flagged["attention_passed"] = _matches(data[attention.item], attention.correct)

    passed = everyone.copy()
    for check in study.checks.manipulation:
        _require_columns(data, [check.factor, check.item], f"the manipulation check of {check.factor!r}")
        expected = data[check.factor].astype("string").map(check.expected).astype("string")
        passed &= _matches(data[check.item], expected)
    flagged["manipulation_passed"] = passed

    exclude = ~everyone
    for check in study.analysis.exclude_on:
        exclude |= ~flagged[f"{check}_passed"]
    flagged["exclude"] = exclude
    return flagged
