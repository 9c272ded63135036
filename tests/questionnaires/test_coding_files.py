"""Broken codebook and rule files are reported as ``file:line: field: message``, one per line."""

import pytest

from questionnaires.coding import CodebookError, RuleFileError, load_motive_codebook, load_rules

CODEBOOK = """\
id: motives
question: reason
title: {nl: Motieven, en: Motives}
instructions: {nl: Lees elke reden., en: Read each reason.}
categories:
  - id: image_showcase
    strategic: true
    label: {nl: Imago, en: Image}
    definition: {nl: Laten zien., en: Showing off.}
    include: {nl: [reclame], en: [advertising]}
    exclude: {nl: [hulp], en: [help]}
    examples: {nl: [gratis reclame], en: [free advertising]}
    counter_examples: {nl: [om te helpen], en: [to help]}
  - id: no_motive
    exclusive: true
    label: {nl: Geen motief, en: No motive}
    definition: {nl: Geen reden., en: No reason.}
    include: {nl: [weet niet], en: [no idea]}
    exclude: {nl: [imago], en: [image]}
    examples: {nl: [geen idee], en: [no clue]}
    counter_examples: {nl: [reclame], en: [advertising]}
"""

RULES = """\
lang: en
function_words: [the, a, an, to, of, and, they, it, that, this]
negators: [not, never]
sarcasm_flips: [image_showcase]
codes:
  image_showcase:
    - free advertising
    - {p: show ... off, weight: 0.5}
  no_motive:
    - no idea
"""


def _write(tmp_path, text, name="file.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_texts_of_these_tests_are_valid(tmp_path):
    assert load_motive_codebook(_write(tmp_path, CODEBOOK)).ids == ["image_showcase", "no_motive"]
    assert load_rules(_write(tmp_path, RULES, "en.yaml"), categories=["image_showcase", "no_motive"]).lang == "en"


def test_codebook_schema_errors_name_file_line_and_field(tmp_path):
    text = CODEBOOK.replace("exclusive: true", "exclusive: maybe").replace(
        "examples: {nl: [geen idee], en: [no clue]}", "examples: {nl: [geen idee]}"
    )
    path = _write(tmp_path, text)
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert str(error.value).splitlines() == [
        f"{path}:15: categories[1].exclusive: Input should be a valid boolean, unable to interpret input",
        f"{path}:20: categories[1].examples: examples needs a text for every language; missing: en",
    ]


def test_codebook_cross_checks_point_at_the_offending_key(tmp_path):
    text = CODEBOOK.replace("id: no_motive", "id: image_showcase").replace("strategic: true", "exclusive: true")
    path = _write(tmp_path, text)
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert str(error.value).splitlines() == [
        f"{path}:14: categories[1].id: category ids must be unique; repeated: image_showcase",
        f"{path}:15: categories[1].exclusive: at most one category may be `exclusive: true` (the 'no motive' "
        "code); categories[0] already is",
        f"{path}:5: categories: at least one category must be marked `strategic: true`",
    ]


def test_codebook_with_bad_yaml_or_a_repeated_key_names_the_line(tmp_path):
    path = _write(tmp_path, CODEBOOK.replace("label: {nl: Geen motief", "label: {nl: [Geen motief"))
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert str(error.value).startswith(f"{path}:16: invalid YAML: while parsing a flow sequence")
    path = _write(tmp_path, CODEBOOK.replace("    exclusive: true\n", "    label: {nl: X, en: X}\n"))
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert str(error.value) == f"{path}:16: key 'label' appears twice in the same mapping (first on line 15); keep one"


def test_codebook_that_is_not_a_mapping_is_refused_at_line_one(tmp_path):
    path = _write(tmp_path, "- just\n- a list\n")
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert str(error.value).startswith(f"{path}:1: (top level): expected a mapping")


def test_rule_file_schema_errors_name_file_line_and_field(tmp_path):
    text = RULES.replace("show ... off, weight: 0.5", "show ..., weight: 5").replace("negators: [not, never]", "")
    path = _write(tmp_path, text, "en.yaml")
    with pytest.raises(RuleFileError) as error:
        load_rules(path)
    assert str(error.value).splitlines() == [
        f"{path}: negators: Field required",
        f"{path}:8: codes.image_showcase[1].p: pattern 'show ...' must start and end with a word, not '...'",
        f"{path}:8: codes.image_showcase[1].weight: Input should be less than or equal to 3",
    ]


def test_rule_file_naming_unknown_categories_points_at_each_place(tmp_path):
    text = RULES.replace("- free advertising", "- {p: free advertising, on_negation: hiding}")
    path = _write(tmp_path, text, "en.yaml")
    with pytest.raises(RuleFileError) as error:
        load_rules(path, categories=["customer_help", "no_motive"])
    known = "known: customer_help, no_motive"
    assert str(error.value).splitlines() == [
        f"{path}:6: codes.image_showcase: names a category not in the codebook: image_showcase; {known}",
        f"{path}:7: codes.image_showcase[0].on_negation: names a category not in the codebook: hiding; {known}",
        f"{path}:4: sarcasm_flips[0]: names a category not in the codebook: image_showcase; {known}",
    ]


def test_rule_file_missing_or_with_bad_yaml(tmp_path):
    with pytest.raises(RuleFileError, match=r"nope\.yaml: rule file not found$"):
        load_rules(tmp_path / "nope.yaml")
    path = _write(tmp_path, RULES.replace("  no_motive:", "  no_motive: ["), "en.yaml")
    with pytest.raises(RuleFileError) as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:10: invalid YAML")
