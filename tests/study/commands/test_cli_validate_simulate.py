"""`replylab validate` and `replylab simulate`: exit codes, file:line: field: message, files written."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from study.cli import main
from study.dataset.codebook import canonical_columns
from study.design.loader import load_study
from tests.study._study_variants import line_number, shipped_text, variant

REPO = Path(__file__).resolve().parents[3]


def _validate(capsys, target):
    code = main(["validate", str(target)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


@pytest.mark.parametrize("name", ["tilburg", "webcare-2x2", "tone-of-reply"])
def test_shipped_study_validates_with_a_one_line_summary(capsys, name):
    code, out, err = _validate(capsys, name)
    assert code == 0 and err == []
    assert out.count("\n") == 1 and out.startswith(f"OK {name} (")


def _expect(capsys, path, text, field, needle, words):
    """validate exits 2 and reports `path:line: field: ...` with line of `needle`."""
    code, out, err = _validate(capsys, path)
    assert code == 2 and out == ""
    expected_start = f"{path}:{line_number(text, needle)}: {field}: "
    hits = [line for line in err if line.startswith(expected_start)]
    assert hits, f"expected a line starting {expected_start!r}, got:\n" + "\n".join(err)
    assert all(word in hits[0] for word in words), hits[0]
    assert not any("Traceback" in line for line in err)


def test_bad_yaml(capsys, tmp_path):
    path, text = variant(tmp_path, "target_n: 140\n", "target_n: 140\n  oops: [\n")
    code, _, err = _validate(capsys, path)
    assert code == 2
    (line,) = err
    assert line.startswith(f"{path}:") and ": (yaml): invalid YAML" in line


def test_unknown_questionnaire_module(capsys, tmp_path):
    path, text = variant(tmp_path, "  - realism\n", "  - realisme\n")
    _expect(capsys, path, text, "questionnaire_modules[5]", "  - realisme",
            ["unknown questionnaire module 'realisme'", "realism"])


def test_unknown_scale_in_a_hypothesis(capsys, tmp_path):
    path, text = variant(tmp_path, "      dv: attitude\n", "      dv: atitude\n")
    _expect(capsys, path, text, "analysis.hypotheses[0].dv", "dv: atitude", ["unknown column 'atitude'"])


def test_unknown_scale_in_the_simulation(capsys, tmp_path):
    path, text = variant(tmp_path, "  pk_scales: [pk_scale]", "  pk_scales: [pk]")
    _expect(capsys, path, text, "simulation.pk_scales[0]", "pk_scales: [pk]", ["unknown scale 'pk'"])


def test_missing_translation(capsys, tmp_path):
    old = ("      You chose not to take part. That is perfectly fine; nothing about you has been stored.\n"
           "      You can close this window now.\n")
    path, text = variant(tmp_path, "    en: |\n" + old, "")
    _expect(capsys, path, text, "texts.decline", "  decline:", ["missing the 'en' translation"])


def test_missing_translation_of_a_thread(capsys, tmp_path):
    text = shipped_text()
    start = text.index("      en:\n", text.index("    private:\n      nl:\n"))
    end = text.index("\n\n# Order as in")
    text = text[:start] + text[end + 1:]
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    _expect(capsys, path, text, "vignette.threads.private", "    private:\n      nl:",
            ["missing the 'en' translation"])


def test_duplicate_ids(capsys, tmp_path):
    path, text = variant(tmp_path, "      id: h2\n", "      id: h1\n")
    _expect(capsys, path, text, "analysis.hypotheses[1].id", "id: h1\n      description:\n        nl: >-\n          Het kanaal",
            ["duplicate hypothesis id 'h1'"])


def test_duplicate_level(capsys, tmp_path):
    path, text = variant(tmp_path, "      - name: private\n", "      - name: public\n")
    _expect(capsys, path, text, "factors[0].levels[1].name", "      - name: public\n        label:\n          nl: Verplaatst",
            ["duplicate level id 'public'"])


def test_unknown_factor_level_in_x_coding(capsys, tmp_path):
    path, text = variant(tmp_path, "x_coding: {private: 0, public: 1}", "x_coding: {privat: 0, public: 1}")
    _expect(capsys, path, text, "analysis.hypotheses[1].x_coding.privat", "x_coding: {privat",
            ["unknown level 'privat' of factor 'channel'", "public, private"])


def test_unknown_factor_level_in_checks_and_simulation(capsys, tmp_path):
    path, text = variant(tmp_path, "        public: public\n        private: private\n",
                         "        public: public\n        privte: private\n")
    _expect(capsys, path, text, "checks.manipulation[0].expected.privte", "privte: private",
            ["unknown level 'privte'"])
    path, text = variant(tmp_path, "    channel: {public: 0.3, private: 0.0}", "    channel: {pubic: 0.3, private: 0.0}")
    _expect(capsys, path, text, "simulation.c_prime.channel.pubic", "{pubic: 0.3", ["unknown level 'pubic'"])


def test_simulation_choices_checked_against_the_item(capsys, tmp_path):
    old = '    complaint_exp: {"yes": 0.3, "no": 0.62, unsure: 0.08}'
    path, text = variant(tmp_path, old, '    complaint_exp: {"yes": 0, "no": 0, maybe: 0.08}')
    _expect(capsys, path, text, "simulation.choices.complaint_exp.maybe", "maybe: 0.08",
            ["'maybe' is not an option of 'complaint_exp'"])
    _expect(capsys, path, text, "simulation.choices.complaint_exp", "complaint_exp: {",
            ["at least one option a weight above 0"])


def test_thread_for_an_unknown_condition_and_condition_without_thread(capsys, tmp_path):
    path, text = variant(tmp_path, "    private:\n      nl:\n", "    privat:\n      nl:\n")
    _expect(capsys, path, text, "vignette.threads.privat", "    privat:", ["no condition 'privat'"])
    _expect(capsys, path, text, "vignette.threads", "  threads:", ["condition 'private' has no thread"])


def test_attention_item_not_in_the_questionnaire(capsys, tmp_path):
    path, text = variant(tmp_path, "    item: attn_1\n", "    item: attn_9\n")
    _expect(capsys, path, text, "checks.attention.item", "item: attn_9", ["'attn_9' is not in the questionnaire"])


def test_missing_file_and_not_yaml(capsys, tmp_path):
    code, _, err = _validate(capsys, tmp_path / "absent.yaml")
    assert code == 2 and err == [f"{tmp_path / 'absent.yaml'}: (file): file not found; check the path"]
    picture = tmp_path / "study.yaml"
    picture.write_bytes(bytes(range(256)))
    code, _, err = _validate(capsys, picture)
    assert code == 2 and len(err) == 1 and err[0].startswith(str(picture))


def test_validate_as_a_subprocess_exits_2_without_traceback(tmp_path):
    path, text = variant(tmp_path, "  - realism\n", "  - realisme\n")
    result = subprocess.run([sys.executable, "-m", "study.cli", "validate", str(path)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:{line_number(text, '  - realisme')}: questionnaire_modules[5]: ")
    assert "Traceback" not in result.stderr


def test_simulate_writes_csv_and_codebooks(capsys, tmp_path):
    out = tmp_path / "sim" / "tilburg.csv"
    assert main(["simulate", "tilburg", "--n", "30", "--seed", "5", "--out", str(out), "--lang", "nl"]) == 0
    data = pd.read_csv(out)
    assert len(data) == 30
    assert list(data.columns) == canonical_columns(load_study("tilburg"), simulated=True)
    assert set(data["lang"]) == {"nl"}
    book = json.loads((out.parent / "codebook.json").read_text(encoding="utf-8"))
    assert {column["name"] for column in book["columns"]} >= set(data.columns)
    assert (out.parent / "codebook.md").read_text(encoding="utf-8").startswith("# Codebook: ")
    assert "wrote 30 simulated participants" in capsys.readouterr().out


def test_simulate_same_seed_same_bytes_through_the_cli(tmp_path):
    first, second = tmp_path / "a" / "s.csv", tmp_path / "b" / "s.csv"
    for out in (first, second):
        assert main(["simulate", "webcare-2x2", "--n", "40", "--seed", "11", "--out", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_simulate_rejects_bad_input(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "tilburg", "--n", "0", "--seed", "1", "--out", str(tmp_path / "x.csv")])
    assert exit_info.value.code == 2
    assert "expected at least 1" in capsys.readouterr().err
    assert main(["simulate", "tilburg", "--n", "5", "--seed", "1", "--out", str(tmp_path / "x.txt")]) == 2
    assert "ending in .csv" in capsys.readouterr().err
    assert main(["simulate", "no-such-study", "--n", "5", "--seed", "1", "--out", str(tmp_path / "x.csv")]) == 2
    assert "not a shipped study" in capsys.readouterr().err
