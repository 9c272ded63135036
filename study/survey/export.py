"""Export a survey's data: the canonical table and everything that describes it.

``export_data(db_url, study, out_dir)`` reads the survey database and writes

=========================  ====================================================
``data.csv``               the canonical wide table (one row per participant),
                           scored scales, exclusion flags, the survey block
``answers.csv``            one row per stored answer (long), with page and time
``pages.csv``              page timings (first shown, submitted, seconds)
``codebook.json``, ``.md``  ``study.codebook(study)``
``data.sav``               SPSS file with variable and value labels (pyreadstat)
``dataset_description.json``  Psych-DS / schema.org metadata
=========================  ====================================================

Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'`` in the
CSV files; the SPSS file keeps the text as typed.

>>> neutralise_formulas(["=1+1", "fine", "-3 is bad", None])
["'=1+1", 'fine', "'-3 is bad", None]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from questionnaires import score
from study.dataset.codebook import codebook
from study.dataset.exclusions import flag_exclusions
from study.design.loader import load_study
from study.errors import UserError
from study.survey.db import SurveyDatabase, SurveyDatabaseError
from study.survey.frames import (
    SURVEY_COLUMNS,
    answers_long,
    page_timings,
    survey_dataframe,
)
from study.survey.spss import column_labels, write_spss

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(values):
    """Prefix ``'`` to strings a spreadsheet would evaluate as a formula (None stays None)."""
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for value in values
    ]


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]) or safe[column].dtype == object:
            safe[column] = pd.array(
                neutralise_formulas([None if pd.isna(v) else v for v in safe[column]]),
                dtype=safe[column].dtype,
            )
    return safe


def _resolve(db_url, study):
    if isinstance(study, (str, os.PathLike)):
        study = load_study(study)
    if isinstance(db_url, SurveyDatabase):
        return db_url, study
    try:
        return SurveyDatabase(db_url), study
    except SurveyDatabaseError as error:
        raise UserError(str(error)) from error


def build_export_table(db, study, *, include_partial: bool = False) -> pd.DataFrame:
    """The scored, flagged canonical table from the survey database (no files written)."""
    raw = survey_dataframe(db, study, include_partial=include_partial)
    survey_block = raw[list(SURVEY_COLUMNS)]
    scored = score(raw.drop(columns=list(SURVEY_COLUMNS)), study.questionnaire)
    # the quality flags read the survey block (durations, paradata, Prolific ids); it stays last
    flagged = flag_exclusions(pd.concat([scored, survey_block], axis=1), study)
    return pd.concat([flagged.drop(columns=list(SURVEY_COLUMNS)), survey_block], axis=1)


def export_data(db_url, study, out_dir, include_partial: bool = False) -> pd.DataFrame:
    """Write the survey's data and its descriptions to ``out_dir``.

    Parameters
    ----------
    db_url : str or study.survey.db.SurveyDatabase
        The survey database (``sqlite:///replylab.db``, ``postgresql+psycopg://...``).
    study : study.design.schema.Study or str or path
        The study served (a loaded study, a shipped name or a study file).
    out_dir : str or path
        Created if missing; files in it are overwritten.
    include_partial : bool
        Also participants who did not finish (``in_progress``, ``timed_out``).

    Returns
    -------
    pandas.DataFrame
        The table written to ``data.csv`` (before formula neutralising).

    Raises
    ------
    study.errors.UserError
        The database cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from study import load_study
    >>> out = tempfile.mkdtemp()
    >>> data = export_data("sqlite://", load_study("tilburg"), out)
    >>> len(data), sorted(p.name for p in Path(out).iterdir())[:3]
    (0, ['answers.csv', 'codebook.json', 'codebook.md'])
    """
    db, study = _resolve(db_url, study)
    db.ensure_study(study.id, study.file_hash or "")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = build_export_table(db, study, include_partial=include_partial)
    ids = data["participant_id"].tolist()
    _csv_safe(data).to_csv(out / "data.csv", index=False)
    _csv_safe(answers_long(db, study, ids)).to_csv(out / "answers.csv", index=False)
    page_timings(db, study, ids).to_csv(out / "pages.csv", index=False)
    book = codebook(study)
    (out / "codebook.json").write_text(book.to_json(), encoding="utf-8")
    (out / "codebook.md").write_text(book.to_markdown(), encoding="utf-8")
    write_spss(data, study, out / "data.sav")
    description = dataset_description(study, data)
    (out / "dataset_description.json").write_text(
        json.dumps(description, indent=2, ensure_ascii=False), encoding="utf-8")
    return data


def dataset_description(study, data: pd.DataFrame) -> dict:
    """Psych-DS metadata (schema.org ``Dataset``) describing ``data.csv``.

    Psych-DS requires ``@context``, ``@type``, ``name``, ``description`` and
    ``variableMeasured``; each variable is a ``PropertyValue`` with its label.
    """
    labels = column_labels(study, list(data.columns))
    lang = "en" if "en" in study.title else next(iter(study.title))
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": study.title[lang],
        "description": (
            f"Responses to the between-subjects vignette study '{study.id}' "
            f"({', '.join(study.condition_names)}), collected with the replylab survey. "
            f"One row per participant in data.csv; see codebook.md."
        ),
        "citation": study.source or "",
        "version": study.file_hash or "",
        "keywords": ["vignette experiment", "between subjects", *study.factor_names],
        "variableMeasured": [
            {"@type": "PropertyValue", "name": column, "description": labels.get(column, column)}
            for column in data.columns
        ],
    }
