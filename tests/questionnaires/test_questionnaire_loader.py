"""Loading questionnaire files: every problem reported as file:line: field: message."""

import textwrap

import pydantic
import pytest
import yaml

from questionnaires import (
    Item,
    Questionnaire,
    QuestionnaireFileError,
    combine,
    library_names,
    load_questionnaire,
)
from questionnaires import yamlsource
from questionnaires.yamlsource import YamlSourceError, load_yaml_with_lines

# A valid two-language module; tests break one thing at a time. Line numbers matter below.
VALID = textwrap.dedent(
    """\
    id: demo
    title: {nl: Demo, en: Demo}
    source: Written for the tests (2026).
    languages: [nl, en]
    items:
      - id: q1
        type: likert
        text: {nl: Ik vind het goed., en: I think it is good.}
        points: 5
        anchors: {nl: [Oneens, Eens], en: [Disagree, Agree]}
      - id: q2
        type: likert
        text: {nl: Ik vind het slecht., en: I think it is bad.}
        points: 5
        reverse: true
        anchors: {nl: [Oneens, Eens], en: [Disagree, Agree]}
      - id: q3
        type: single_choice
        text: {nl: Welke keuze, en: Which choice}
        options:
          - {value: a, label: {nl: A, en: A}}
          - {value: b, label: {nl: B, en: B}}
    scales:
      - id: liking
        label: {nl: Waardering, en: Liking}
        items: [q1, q2]
    pages:
      - id: p1
        title: {nl: Pagina, en: Page}
        items: [q1, q2, q3]
    """
)


def load_text(tmp_path, text, name="demo.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, load_questionnaire(path)


def errors_of(tmp_path, text):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireFileError) as info:
        load_questionnaire(path)
    assert info.value.path == str(path)
    return [message.replace(str(path), "FILE") for message in info.value.messages]


def test_valid_file_loads(tmp_path):
    _, q = load_text(tmp_path, VALID)
    assert q.item_ids == ["q1", "q2", "q3"]
    assert q.scale("liking").min_valid == 2  # defaults to every item
    assert [i.id for i in q.items_on_page("p1")] == ["q1", "q2", "q3"]
    assert q.scale_of("q2").id == "liking" and q.scale_of("q3") is None


def test_bad_yaml_syntax_gives_file_and_line(tmp_path, yaml_parser):
    text = VALID.replace("    points: 5\n    reverse: true", "    points: 5\n   reverse: true")
    [message] = errors_of(tmp_path, text)
    assert message.startswith("FILE:15: invalid YAML:")


def test_repeated_key_is_refused(tmp_path, yaml_parser):
    text = VALID.replace("    points: 5\n    reverse", "    points: 5\n    points: 7\n    reverse")
    assert errors_of(tmp_path, text) == [
        "FILE:15: key 'points' appears twice in the same mapping (first on line 14); keep one"
    ]


def test_missing_translation_names_the_field(tmp_path):
    text = VALID.replace("text: {nl: Welke keuze, en: Which choice}", "text: {en: Which choice}")
    assert errors_of(tmp_path, text) == ["FILE:19: items[2].text.nl: missing the 'nl' translation"]


def test_missing_option_translation(tmp_path):
    text = VALID.replace("{value: b, label: {nl: B, en: B}}", "{value: b, label: {en: B}}")
    assert errors_of(tmp_path, text) == ["FILE:22: items[2].options[1].label.nl: missing the 'nl' translation"]


def test_undeclared_language(tmp_path):
    text = VALID.replace("label: {nl: Waardering, en: Liking}", "label: {nl: Waardering, en: Liking, de: Gefallen}")
    assert errors_of(tmp_path, text) == [
        "FILE:25: scales[0].label.de: language 'de' is not declared in languages (nl, en)"
    ]


def test_duplicate_item_ids(tmp_path):
    text = VALID.replace("  - id: q2\n", "  - id: q1\n")
    messages = errors_of(tmp_path, text)
    assert messages[0] == "FILE:11: items[1].id: item id 'q1' is already used at items[0].id"


def test_scale_id_may_not_repeat_an_item_id(tmp_path):
    text = VALID.replace("  - id: liking", "  - id: q3")
    assert errors_of(tmp_path, text) == ["FILE:24: scales[0].id: scale id 'q3' is already used at items[2].id"]


def test_unknown_scale_item(tmp_path):
    text = VALID.replace("items: [q1, q2]", "items: [q1, q9]")
    assert errors_of(tmp_path, text) == ["FILE:26: scales[0].items[1]: unknown item 'q9'; define it under items"]


def test_scale_of_a_choice_item_is_refused(tmp_path):
    text = VALID.replace("items: [q1, q2]", "items: [q1, q3]")
    [message] = errors_of(tmp_path, text)
    assert message.startswith("FILE:26: scales[0].items[1]: item 'q3' is single_choice")


def test_page_problems(tmp_path, yaml_parser):
    text = VALID.replace("items: [q1, q2, q3]", "items: [q1, q2, q2, q7]")
    assert errors_of(tmp_path, text) == [
        "FILE:30: pages[0].items[2]: item 'q2' is already on pages[0]; put each item on one page",
        "FILE:30: pages[0].items[3]: unknown item 'q7'; define it under items",
        "FILE:17: items[2].id: item 'q3' is on no page; add it to a page",
    ]


def test_rating_item_needs_points_and_anchors(tmp_path):
    text = VALID.replace(
        "    points: 5\n    anchors: {nl: [Oneens, Eens], en: [Disagree, Agree]}\n  - id: q2",
        "    anchors: {nl: [Oneens], en: [Disagree, Agree]}\n  - id: q2",
    )
    assert errors_of(tmp_path, text) == [
        "FILE:6: items[0].points: likert items need points (2 to 11)",
        "FILE:9: items[0].anchors.nl: give exactly 2 labels (left, right), not 1",
    ]


def test_points_out_of_range_is_a_schema_error(tmp_path):
    text = VALID.replace("points: 5\n    anchors", "points: 12\n    anchors", 1)
    assert errors_of(tmp_path, text) == ["FILE:9: items[0].points: Input should be less than or equal to 11"]


def test_unknown_field_and_wrong_type(tmp_path):
    text = VALID.replace("reverse: true", "revers: true").replace("type: single_choice", "type: choice")
    messages = errors_of(tmp_path, text)
    assert "FILE:15: items[1].revers: Extra inputs are not permitted" in messages
    assert any(m.startswith("FILE:18: items[2].type: Input should be 'likert'") for m in messages)


def test_single_choice_rules(tmp_path):
    text = VALID.replace("{value: b, label:", "{value: a, label:").replace(
        "    options:", "    reverse: true\n    correct: c\n    options:"
    )
    assert errors_of(tmp_path, text) == [
        "FILE:20: items[2].reverse: only applies to likert and semantic_differential items, not single_choice",
        "FILE:24: items[2].options[1].value: option value 'a' is used twice",
        "FILE:21: items[2].correct: the correct answer 'c' is not an option value (a, a)",
    ]


def test_correct_answer_must_be_a_point(tmp_path):
    text = VALID.replace("    points: 5\n    anchors", "    points: 5\n    correct: 6\n    anchors", 1)
    assert errors_of(tmp_path, text) == [
        "FILE:10: items[0].correct: the correct answer must be a point from 1 to 5, not 6"
    ]


def test_top_level_must_be_a_mapping(tmp_path):
    assert errors_of(tmp_path, "- just\n- a list\n") == [
        "FILE:1: (top level): expected a mapping with id, title, source, languages, items, pages"
    ]


def test_missing_required_field_points_at_its_parent(tmp_path):
    text = VALID.replace("    text: {nl: Welke keuze, en: Which choice}\n", "")
    assert errors_of(tmp_path, text) == ["FILE:17: items[2].text: Field required"]


def test_unknown_library_name_and_missing_file(tmp_path):
    with pytest.raises(QuestionnaireFileError, match="no shipped questionnaire module.*attitude"):
        load_questionnaire("atitude")
    with pytest.raises(QuestionnaireFileError, match=r"nothere\.yaml: file not found"):
        load_questionnaire(tmp_path / "nothere.yaml")


def test_models_built_in_code_are_checked_too():
    with pytest.raises(pydantic.ValidationError, match="points: likert items need points"):
        Item(id="q", type="likert", text={"en": "Q"}, anchors={"en": ["a", "b"]})
    item = Item(id="q", type="free_text", text={"en": "Why?"})
    with pytest.raises(pydantic.ValidationError, match=r"items\[0\]\.text\.nl: missing the 'nl' translation"):
        Questionnaire(
            id="x", title={"en": "X", "nl": "X"}, source="s", languages=["nl", "en"], items=[item],
            pages=[{"id": "p", "title": {"en": "P", "nl": "P"}, "items": ["q"]}],
        )  # fmt: skip


def test_reserved_column_names_are_refused(tmp_path):
    text = VALID.replace("  - id: q3\n", "  - id: condition\n").replace("[q1, q2, q3]", "[q1, q2, condition]")
    assert errors_of(tmp_path, text) == [
        "FILE:17: items[2].id: 'condition' is a reserved column name of the data set; choose another id"
    ]


def test_combine_keeps_order_and_refuses_clashes(tmp_path):
    q = combine(["attitude", "persuasion_knowledge", "reason"], id="tilburg")
    assert q.item_ids == [f"att_{k}" for k in range(1, 6)] + [f"pk_{k}" for k in range(1, 6)] + ["reason"]
    assert q.scale_ids == ["attitude", "pk_scale"]
    assert q.languages == ["nl", "en"]
    assert "Spears" in q.source and "Campbell" in q.source
    everything = combine(library_names(), id="everything")
    assert len(everything.pages) == len(library_names())

    _, demo = load_text(tmp_path, VALID)
    clash = load_text(tmp_path, VALID.replace("id: demo", "id: other").replace("- id: p1", "- id: p2"), "o.yaml")[1]
    with pytest.raises(ValueError, match="item id 'q1' is in both module 'demo' and module 'other'"):
        combine([demo, clash])
    english_only = Questionnaire(
        id="en_only", title={"en": "E"}, source="s", languages=["en"],
        items=[Item(id="z", type="free_text", text={"en": "Why?"})],
        pages=[{"id": "pz", "title": {"en": "P"}, "items": ["z"]}],
    )  # fmt: skip
    with pytest.raises(ValueError, match="same languages"):
        combine([demo, english_only])
    with pytest.raises(ValueError, match="no questionnaire modules"):
        combine([])


def test_lookups_name_the_known_ids():
    q = load_questionnaire("realism")
    with pytest.raises(KeyError, match="real_1, real_2, real_3"):
        q.item("real_4")
    with pytest.raises(KeyError, match="scales: realism"):
        q.scale("attitude")


def test_models_are_frozen():
    q = load_questionnaire("reason")
    with pytest.raises(pydantic.ValidationError):
        q.item("reason").min_length = 0


# ---------------------------------------------------------------- yamlsource, for other loaders


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request, monkeypatch):
    """Run a test with libyaml's parser (the default when installed) and with PyYAML's own."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlsource, "_SafeLoader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    return request.param


def test_line_of_follows_keys_indices_and_aliases(yaml_parser):
    text = "a: &x\n  b: 1\nc:\n  - 1\n  - d: *x\n"
    data, line_of = load_yaml_with_lines("t.yaml", text=text)
    assert data == {"a": {"b": 1}, "c": [1, {"d": {"b": 1}}]}
    assert line_of(("a", "b")) == 2
    assert line_of(("c", 1, "d")) == 5
    assert line_of(("c", 1, "d", "b")) == 2  # inside an alias: the anchor's line
    assert line_of(("c", 7)) == 3
    assert line_of(()) is None


def test_yaml_source_error_parts(yaml_parser):
    with pytest.raises(YamlSourceError) as info:
        load_yaml_with_lines("t.yaml", text="a: [1,\n")
    assert info.value.path == "t.yaml" and info.value.line == 2
    assert str(info.value).startswith("t.yaml:2: invalid YAML")


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("    items: [q1, q2]\n", "    items: [q1, q2]\n    min_valid: 3\n",
         "FILE:27: scales[0].min_valid: min_valid (3) exceeds the number of items (2)"),
        ("    points: 5\n    reverse", "    points: 7\n    reverse",
         "FILE:26: scales[0].items: items have different numbers of points ([5, 7]); a scale needs one"),
        ("    points: 5\n    reverse", "    points: 5\n    labels: {nl: [a, b], en: [a, b, c, d, e]}\n    reverse",
         "FILE:15: items[1].labels.nl: give one label per point (5), not 2"),
        ("  - id: p1\n", "  - id: p1\n    intro: {en: Read this.}\n",
         "FILE:29: pages[0].intro.nl: missing the 'nl' translation"),
        ("languages: [nl, en]", "languages: [nl, en, nl]", "FILE:4: languages: a language is listed twice"),
    ],
)  # fmt: skip
def test_more_cross_checks(tmp_path, old, new, expected):
    assert old in VALID
    assert errors_of(tmp_path, VALID.replace(old, new, 1)) == [expected]
