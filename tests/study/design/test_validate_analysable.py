"""`replylab validate` refuses a study whose plan has nothing to analyse, before `analyze` runs.

The study comes from a real export (tests/data/imports/pyreadstat_sample.sav) through
`replylab import`; its draft questionnaire is stripped of its scale, which once passed
validate and then stopped `analyze` with "No objects to concatenate".
"""

from pathlib import Path

import pytest
import yaml

from study.cli import main

SAV = Path(__file__).resolve().parents[2] / "data" / "imports" / "pyreadstat_sample.sav"


@pytest.fixture
def imported(tmp_path, capsys):
    assert main(["import", str(SAV), "--condition", "mylabl", "--out", str(tmp_path / "imp")]) == 0
    capsys.readouterr()
    return tmp_path / "imp"


def _questionnaire(folder: Path, change) -> None:
    path = folder / "questionnaire.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_study_without_a_scale_is_refused_with_the_line_and_a_scale_that_would_do(imported, capsys):
    study = imported / "study.yaml"
    # the draft study names its one-item scale as the outcome; point it at a number item instead
    text = study.read_text(encoding="utf-8").replace("dv: myord_score", "dv: mynum")
    study.write_text(text, encoding="utf-8")
    _questionnaire(imported, lambda q: q.pop("scales"))
    code, out, err = _run(capsys, "validate", study)
    line = text.splitlines().index("questionnaire_modules:") + 1
    assert code == 2 and out == ""
    assert err == (f"{study}:{line}: questionnaire_modules: the questionnaire has no scale, so the analysis has "
                   "nothing to describe and test; declare at least one scale in a questionnaire module (one item "
                   "is enough: `scales: [{id: myord_score, label: {en: myord}, items: [myord]}]`)\n")
    # analyze refuses it the same way, not with a crash inside the descriptive statistics
    code, _, err = _run(capsys, "analyze", imported / "data.csv", "--study", study, "--out", imported / "r1")
    assert code == 2 and "no scale" in err and "concatenate" not in err and "Traceback" not in err

    # the scale the message suggests makes the study valid, and the analysis runs
    suggested = yaml.safe_load(err.split("`")[1])
    _questionnaire(imported, lambda q: q.update(suggested))
    code, out, _ = _run(capsys, "validate", study)
    assert code == 0 and ", 1 scales, " in out
    code, _, err = _run(capsys, "analyze", imported / "data.csv", "--study", study, "--out", imported / "r2",
                        "--n-boot", 200, "--no-progress")
    assert code == 0, err
    assert (imported / "r2" / "tables" / "descriptives.csv").exists()


def test_without_a_rating_item_the_message_says_none_can_make_a_scale(imported, capsys):
    def numbers_only(q):
        q.pop("scales")
        q["items"] = [i for i in q["items"] if i["type"] != "likert"]
        for page in q["pages"]:
            page["items"] = [i for i in page["items"] if i != "myord"]
    _questionnaire(imported, numbers_only)
    study = imported / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("dv: myord_score", "dv: mynum"), encoding="utf-8")
    code, _, err = _run(capsys, "validate", study)
    assert code == 2 and err.count("\n") == 1
    assert err.endswith("declare at least one scale in a questionnaire module (of likert or semantic_differential "
                        "items; it has none to build one from)\n")
