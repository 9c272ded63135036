"""load_study: shipped names, paths, hashes, and file:line: field: message errors."""

import hashlib
from pathlib import Path

import pytest

from study.design.loader import Problem, StudyFileError, load_study, shipped_studies
from study.errors import UserError
from tests.study._study_variants import line_number, shipped_text, variant


def test_shipped_studies_are_listed_and_load_by_name_path_and_folder():
    shipped = shipped_studies()
    assert set(shipped) == {"tilburg", "tone-of-reply", "webcare-2x2"}
    by_name = load_study("tilburg")
    by_path = load_study(shipped["tilburg"])
    by_folder = load_study(str(shipped["tilburg"].parent))
    assert by_name.path == by_path.path == by_folder.path == shipped["tilburg"].resolve()
    assert by_name.model_dump() == by_path.model_dump()


def test_file_hash_is_the_sha256_of_the_file_bytes():
    study = load_study("webcare-2x2")
    assert study.file_hash == hashlib.sha256(study.path.read_bytes()).hexdigest()


def test_hash_changes_with_the_file(tmp_path):
    path, _ = variant(tmp_path, "target_n: 140", "target_n: 150")
    changed = load_study(path)
    assert changed.target_n == 150
    assert changed.file_hash != load_study("tilburg").file_hash


def test_error_text_is_one_file_line_field_message_per_line():
    error = StudyFileError([Problem("a.yaml", 3, "target_n", "too small"),
                            Problem("a.yaml", None, "(file)", "file not found")])
    assert str(error).splitlines() == ["a.yaml:3: target_n: too small", "a.yaml: (file): file not found"]
    assert isinstance(error, UserError)


def _single(error_info, field):
    matches = [p for p in error_info.value.problems if p.field == field]
    assert matches, f"no problem for {field!r} in:\n{error_info.value}"
    return matches[0]


def test_schema_error_points_at_the_field_line(tmp_path):
    path, text = variant(tmp_path, "target_n: 140", "target_n: 0")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = _single(error, "target_n")
    assert problem.file == str(path)
    assert problem.line == line_number(text, "target_n: 0")
    assert "greater than or equal to 1" in problem.message


def test_simulated_motives_must_be_motives_of_the_codebook(tmp_path):
    # The motive ids come from the motive codebook file, not from a list in the schema.
    path, text = variant(tmp_path, "    reputation_protection:\n      intercept: -1.2",
                         "    greed:\n      intercept: -1.2")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = _single(error, "simulation.motives.greed")
    assert problem.line == line_number(text, "greed:")
    assert "unknown motive 'greed'" in problem.message and "reputation_protection" in problem.message
    assert "no_motive" not in problem.message  # the exclusive code is never simulated


def test_unknown_field_is_reported_as_a_typo(tmp_path):
    path, text = variant(tmp_path, "target_n: 140", "target_n: 140\ntarget_size: 140")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = _single(error, "target_size")
    assert problem.line == line_number(text, "target_size")
    assert "unknown field" in problem.message


def test_hypothesis_field_path_leaves_out_the_union_tag(tmp_path):
    path, text = variant(tmp_path, "      dv: attitude\n", "")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = _single(error, "analysis.hypotheses[0].dv")
    assert problem.message == "required field is missing"
    assert problem.line == line_number(text, "    - kind: anova")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    path, _ = variant(tmp_path, "      x_coding: {private: 0, public: 1}",
                      "      x_coding: {privat: 0, public: 1}\n      m: [pk_strategic, nonsense]")
    text = path.read_text().replace("      m: pk_strategic\n", "", 1)
    path.write_text(text)
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    fields = {p.field for p in error.value.problems}
    assert {"analysis.hypotheses[1].x_coding.privat", "analysis.hypotheses[1].m[1]"} <= fields


def test_unknown_name_lists_the_shipped_studies():
    with pytest.raises(StudyFileError, match="tilburg, tone-of-reply, webcare-2x2"):
        load_study("tilburgg")


def test_missing_file_not_utf8_and_not_a_mapping(tmp_path):
    with pytest.raises(StudyFileError, match="file not found"):
        load_study(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(StudyFileError, match="UTF-8"):
        load_study(binary)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(StudyFileError, match="expected a mapping"):
        load_study(listing)


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = shipped_text().replace("target_n: 140", "target_n: [140")
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    (problem,) = error.value.problems
    assert problem.field == "(yaml)" and "invalid YAML" in problem.message
    assert problem.line is not None and problem.line >= line_number(text, "target_n: [140")


def test_repeated_key_is_an_error(tmp_path):
    path, text = variant(tmp_path, "target_n: 140", "target_n: 140\ntarget_n: 150")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    (problem,) = error.value.problems
    assert problem.line == line_number(text, "target_n: 150")
    assert "appears twice" in problem.message


def test_a_study_can_use_a_questionnaire_file_of_its_own(tmp_path):
    from questionnaires import load_questionnaire

    library_file = Path(__file__).parents[3] / "questionnaires" / "library" / "realism.yaml"
    own_file = tmp_path / "materials" / "my_realism.yaml"
    own_file.parent.mkdir()
    own_file.write_text(library_file.read_text(encoding="utf-8"), encoding="utf-8")
    path, _ = variant(tmp_path, "  - realism\n", "  - materials/my_realism.yaml\n")
    study = load_study(path)
    assert study.questionnaire_sources[5] == own_file
    realism_ids = [item.id for item in load_questionnaire("realism").items]
    assert [item.id for item in study.questionnaire.items if item.id in realism_ids] == realism_ids


def test_a_missing_questionnaire_file_is_reported_with_its_line(tmp_path):
    path, text = variant(tmp_path, "  - realism\n", "  - materials/absent.yaml\n")
    with pytest.raises(StudyFileError) as caught:
        load_study(path)
    message = str(caught.value)
    assert f"{path}:{line_number(text, 'materials/absent.yaml')}: questionnaire_modules[5]:" in message
    assert "not found" in message




def test_an_analysis_only_study_may_leave_out_what_only_serving_needs(tmp_path, capsys):
    from study.cli import main

    block = "completion:\n  code: FIBR2021\n  redirect_url: \"https://app.prolific.com/submissions/complete?cc={code}\"\n"
    text = shipped_text()
    assert text.count(block) == 1
    path = tmp_path / "study.yaml"
    path.write_text(text.replace(block, ""), encoding="utf-8")
    with pytest.raises(StudyFileError) as error:  # a study to be served needs it
        load_study(path)
    assert _single(error, "completion").message.startswith("required field is missing")
    path.write_text("purpose: analysis\n" + text.replace(block, ""), encoding="utf-8")
    assert load_study(path).completion is None
    assert main(["validate", str(path)]) == 0
    assert "for analysis only: to serve it, add completion" in capsys.readouterr().out
    assert main(["serve", str(path)]) == 2
    assert "is for analysis only" in capsys.readouterr().err


H3 = ("      model: 8\n      x: channel\n      x_coding: {private: 0, public: 1}\n      m: pk_scale\n"
      "      w: empathy\n      w_coding: {neutral: 0, empathic: 1}\n      y: attitude\n")


@pytest.mark.parametrize(
    "new,field,message",
    [
        (H3.replace("model: 8", "model: 4"), "w", "model 4 has no moderator W; leave w out"),
        (H3.replace("      w: empathy\n      w_coding: {neutral: 0, empathic: 1}\n", ""), "w", "model 8 has moderator W"),
        (H3.replace("      m: pk_scale\n", ""), "m", "model 8 is a mediation model"),
        (H3.replace("model: 8", "model: 1").replace("      m: pk_scale\n", "      m: pk_scale\n"), "m", "model 1 has no mediators"),
        (H3.replace("model: 8", "model: 6").replace("      w: empathy\n      w_coding: {neutral: 0, empathic: 1}\n", ""),
         "m", "two or more mediators"),
        (H3.replace("model: 8", "model: 2"), "z", "model 2 has moderator Z"),
        (H3 + "      w_values: []\n", "w_values", "give one or more values of w"),
        (H3 + "      z_values: [1.0]\n", "z_values", "model 8 has no moderator Z; leave z_values out"),
        (H3.replace("w: empathy", "w: channel"), "w", "'channel' already has the role x"),
        (H3 + "      covariates: [pk_scale]\n", "covariates[0]", "'pk_scale' already has the role m"),
        (H3.replace("{private: 0, public: 1}", "{private: 0, public: 0}"), "x_coding", "the same number"),
        (H3.replace("w: empathy\n      w_coding: {neutral: 0, empathic: 1}", "w: age\n      w_coding: {young: 0, old: 1}"),
         "w_coding", "'age' is a column, not a factor"),
    ],
    ids=["w for model 4", "no w for model 8", "no m for model 8", "m for model 1", "one mediator for model 6",
         "no z for model 2", "no w_values", "z_values without z", "w is x", "a covariate is m", "x codes all equal", "a coding of a column"],
)
def test_a_process_hypothesis_whose_roles_do_not_fit_its_model_is_refused_at_its_line(tmp_path, new, field, message):
    path, text = variant(tmp_path, H3, new, name="webcare-2x2")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = _single(error, f"analysis.hypotheses[2].{field}")
    assert message in problem.message
    assert problem.line is not None
