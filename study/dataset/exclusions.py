"""Flag participants: the study's attention and manipulation checks, the data-quality flags, ``exclude``.

>>> from study import load_study, simulate
>>> tilburg = load_study("tilburg")
>>> flagged = flag_exclusions(simulate(tilburg, n=20, seed=4), tilburg)
>>> flagged[["attention_passed", "manipulation_passed", "exclude"]].dtypes.unique().tolist()
[dtype('bool')]
>>> str(flagged["flag_speeding"].dtype)
'boolean'
"""

from __future__ import annotations

import pandas as pd

from study.dataset.quality import missing_inputs, quality_flags
from study.design.schema import Study
from study.design.validity import (
    EXCLUSION_CHECKS,
    FLAG_NAMES,
    answer_matches,
    manipulation_passed,
)
from study.errors import UserError

__all__ = ["flag_exclusions", "exclusion_flow", "rule_fired", "EXCLUSION_COLUMNS"]

#: The columns :func:`flag_exclusions` adds, in order.
EXCLUSION_COLUMNS = ["attention_passed", "manipulation_passed", *FLAG_NAMES, "exclude"]


def _require_columns(data: pd.DataFrame, columns: list[str], what: str):
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise UserError(f"flag_exclusions: the data lack the column(s) {', '.join(missing)} "
                        f"needed for {what}; pass the canonical data set of this study")


def _require_flag_inputs(data: pd.DataFrame, study: Study) -> None:
    missing = missing_inputs(data, study)
    problems = [f"  {rule}: needs {', '.join(missing[rule])}"
                for rule in study.analysis.exclude_on if rule in missing]
    if problems:
        raise UserError("analysis.exclude_on names data-quality flags that cannot be computed from these data:\n"
                        + "\n".join(problems)
                        + "\nAdd the column(s) (the survey's export has them) or remove the rule from "
                          "analysis.exclude_on in the study file.")


def rule_fired(flagged: pd.DataFrame, rule: str) -> pd.Series:
    """Whether exclusion rule ``rule`` fires for each participant of a flagged data set.

    ``attention`` and ``manipulation`` fire when the check failed (never ``<NA>``); a
    flag fires when it is True and is ``<NA>`` when it could not be judged.

    >>> import pandas as pd
    >>> flagged = pd.DataFrame({"attention_passed": [True, False],
    ...                         "flag_speeding": pd.array([pd.NA, True], dtype="boolean")})
    >>> rule_fired(flagged, "attention").tolist(), rule_fired(flagged, "flag_speeding").tolist()
    ([False, True], [<NA>, True])
    """
    if rule in EXCLUSION_CHECKS:
        return (~flagged[f"{rule}_passed"].astype(bool)).astype("boolean")
    return flagged[rule].astype("boolean")


def flag_exclusions(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Add the check columns, the data-quality flags and ``exclude`` to a copy of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical data set (one row per participant) of ``study``, with the
        survey's paradata columns when it has them (``duration_seconds``,
        ``paste_count``, ``prolific_pid``, ...).
    study : Study
        Supplies ``checks.attention`` {item, correct}, ``checks.manipulation``
        (per check: factor, item, expected option per level), the ``quality:``
        thresholds and ``analysis.exclude_on``.

    Returns
    -------
    pandas.DataFrame
        A copy with these columns appended (replaced if present), in this order:

        - ``attention_passed`` (bool): the attention item holds the instructed answer.
          True for everyone when the study declares no attention check.
        - ``manipulation_passed`` (bool): every manipulation check holds the option
          expected for the participant's level of its factor. True for everyone
          when the study declares none.
        - the data-quality flags ``flag_speeding``, ``flag_straightlining``,
          ``flag_text_short``, ``flag_text_pasted``, ``flag_text_from_vignette``,
          ``flag_text_duplicate``, ``flag_text_language``,
          ``flag_repeated_prolific_id`` (nullable boolean; ``<NA>`` when the flag
          could not be judged): see :func:`study.dataset.quality.quality_flags`.
        - ``exclude`` (bool): a rule named in ``analysis.exclude_on`` fired. A
          missing check answer counts as a failed check; a flag that is ``<NA>``
          does not exclude (nothing is known against the participant).

        The checks follow :func:`study.design.validity.passes_declared_checks`,
        the same rule the survey uses to count valid completes.

    Raises
    ------
    UserError
        A column the checks need (the check items, the factors) is missing, or
        ``exclude_on`` names a flag whose columns the data lack.

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
    flagged = data.drop(columns=[c for c in EXCLUSION_COLUMNS if c in data.columns])

    attention = study.checks.attention
    if attention is None:
        flagged["attention_passed"] = True
    else:
        _require_columns(data, [attention.item], "the attention check")
        flagged["attention_passed"] = [answer_matches(answer, attention.correct)
                                       for answer in data[attention.item].astype("object")]
    flagged["attention_passed"] = flagged["attention_passed"].astype(bool)

    checks = study.checks.manipulation
    for check in checks:
        _require_columns(data, [check.factor, check.item], f"the manipulation check of {check.factor!r}")
    needed = sorted({c.factor for c in checks} | {c.item for c in checks})
    rows = data[needed].astype("object").to_dict("records") if checks else [{}] * len(data)
    flagged["manipulation_passed"] = pd.Series([manipulation_passed(row, study) for row in rows],
                                               index=data.index, dtype=bool)

    _require_flag_inputs(data, study)
    flags = quality_flags(data, study)
    for name in FLAG_NAMES:
        flagged[name] = flags[name]

    exclude = pd.Series(False, index=data.index)
    for rule in study.analysis.exclude_on:
        exclude |= rule_fired(flagged, rule).fillna(False).astype(bool)
    flagged["exclude"] = exclude
    return flagged


def exclusion_flow(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Participants at each stage, and what each rule of ``analysis.exclude_on`` did.

    Only completed participants are flagged or excluded. Rules are applied in the
    order ``exclude_on`` lists them.

    Parameters
    ----------
    data : pandas.DataFrame
        Flagged data (:func:`flag_exclusions`) with a ``status`` column.
    study : Study

    Returns
    -------
    pandas.DataFrame
        Columns ``stage`` and ``n``, with the stages in this order:

        - ``started``, ``completed``;
        - ``flagged_<rule>`` per rule: completed participants the rule fires for,
          whatever the other rules say (a participant can count under several);
        - ``unjudged_<rule>`` per data-quality flag, only when it is above zero:
          completed participants the flag could not judge (``<NA>``: no paradata,
          a text too short to judge), who are not excluded by it;
        - ``excluded`` (``exclude`` among the completed) and ``excluded_<rule>``
          per rule: those excluded at that rule's step, i.e. not by an earlier
          rule; these add up to ``excluded``;
        - ``analysed``: completed and not excluded.

    Examples
    --------
    >>> import pandas as pd
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> tilburg = tilburg.model_copy(update={"analysis": tilburg.analysis.model_copy(
    ...     update={"exclude_on": ["attention", "flag_speeding"]})})
    >>> data = pd.DataFrame({"status": ["complete"] * 4 + ["in_progress"], "channel": "public",
    ...                      "attn_1": [5, 5, 1, 1, 5], "mc_channel": "public",
    ...                      "duration_seconds": [600.0, 500.0, 100.0, 550.0, None]})
    >>> exclusion_flow(flag_exclusions(data, tilburg), tilburg).set_index("stage")["n"].to_dict()
    {'started': 5, 'completed': 4, 'flagged_attention': 2, 'flagged_flag_speeding': 1, 'excluded': 2, 'excluded_attention': 2, 'excluded_flag_speeding': 0, 'analysed': 2}
    """
    completed = (data["status"].astype("string") == "complete").fillna(False).astype(bool)
    exclude = data["exclude"].astype("boolean").fillna(True).astype(bool) & completed
    rules = list(study.analysis.exclude_on)
    fired = {rule: rule_fired(data, rule) for rule in rules}
    rows = [("started", len(data)), ("completed", int(completed.sum()))]
    rows += [(f"flagged_{rule}", int((fired[rule].fillna(False).astype(bool) & completed).sum())) for rule in rules]
    for rule in rules:
        unjudged = int((fired[rule].isna() & completed).sum())
        if unjudged:
            rows.append((f"unjudged_{rule}", unjudged))
    rows.append(("excluded", int(exclude.sum())))
    earlier = pd.Series(False, index=data.index)
    for rule in rules:
        now = fired[rule].fillna(False).astype(bool) & completed
        rows.append((f"excluded_{rule}", int((now & ~earlier).sum())))
        earlier |= now
    rows.append(("analysed", int((completed & ~exclude).sum())))
    return pd.DataFrame(rows, columns=["stage", "n"])
