"""``import_survey_file``: a survey tool's export to the canonical table and a draft study.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "export.csv").write_text(
...     "ResponseId,Finished,cond,Q1\\nR_1,1,a,5\\nR_2,0,b,3\\nR_3,1,b,2\\n", encoding="utf-8")
>>> result = import_survey_file(folder / "export.csv", folder / "out")
>>> result.data[["participant_id", "condition", "q1"]].to_dict("list")
{'participant_id': ['R_1', 'R_3'], 'condition': ['a', 'b'], 'q1': [5, 2]}
>>> sorted(p.name for p in (folder / "out").iterdir())
['data.csv', 'import-report.md', 'mapping.yaml', 'questionnaire.yaml', 'study.yaml']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from study.dataset.importers.detection import detect_format
from study.dataset.importers.limesurvey import load_lss
from study.dataset.importers.plan import ImportPlan, plan_import
from study.dataset.importers.qualtrics import load_qsf
from study.dataset.importers.readers import read_table
from study.dataset.importers.writer import write_outputs
from study.errors import UserError

__all__ = ["ImportResult", "import_survey_file", "load_definition"]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the canonical table, the plan behind it, the rows dropped."""

    data: pd.DataFrame
    plan: ImportPlan
    dropped: list
    out: Path


def load_definition(survey):
    """The parsed survey definition at ``survey`` (``None`` when not given).

    Raises
    ------
    UserError
        A file that is not a survey definition replylab reads.
    """
    if survey is None:
        return None
    kind = detect_format(Path(survey))
    if kind == "qsf":
        return load_qsf(survey)
    if kind == "lss":
        return load_lss(survey)
    raise UserError(f"--survey {survey}: not a survey definition replylab reads (a Qualtrics .qsf), nor a "
                    "LimeSurvey .lss.")


def import_survey_file(path, out, *, survey=None, condition: list[str] | None = None,
                       command: str | None = None) -> ImportResult:
    """Import ``path`` into the folder ``out`` (see ``docs/import.md``).

    Parameters
    ----------
    path : path
        The export: Qualtrics CSV/TSV, LimeSurvey CSV, SPSS ``.sav``, Stata ``.dta`` or Excel ``.xlsx``.
    out : path
        The folder for ``data.csv``, ``mapping.yaml``, ``study.yaml``, ``questionnaire.yaml``
        and ``import-report.md``.
    survey : path, optional
        The survey definition (Qualtrics ``.qsf`` or LimeSurvey ``.lss``).
    condition : list of str, optional
        The column(s) holding the condition (one per factor), when detection should not guess.

    Raises
    ------
    UserError
        A file that cannot be read, or a definition of a kind replylab does not read.
    """
    path = Path(path)
    definition = load_definition(survey)
    table = read_table(path)
    if table.frame.empty:
        raise UserError(f"{path}: no participants under the header row(s).")
    plan = plan_import(table, survey=definition, condition=condition)
    words = ["replylab", "import", str(path)] + (["--survey", str(survey)] if survey else []) \
        + (["--condition", ",".join(condition)] if condition else []) + ["--out", str(out)]
    written = write_outputs(plan, Path(out), command=command or " ".join(words))
    dropped = [entry for entry in written["log"] if entry["rule"] in ("keep", "drop")]
    return ImportResult(written["data"], plan, dropped, Path(out))
