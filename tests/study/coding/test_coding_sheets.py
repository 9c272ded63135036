"""Blind coding sheets out, agreement and final codes in; the ``replylab code`` command."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import cohen_kappa, krippendorff_alpha
from questionnaires import load_motive_codebook
from study.cli import main
from study.coding.export_sheets import export_coding_sheets
from study.coding.files import CodingSheetError
from study.coding.import_sheets import import_coding_sheets

VALIDATION = Path(__file__).resolve().parents[2] / "data" / "reasons_validation.csv"
BOOK = load_motive_codebook()
TRICKY = ["=HYPERLINK(\"http://evil\")", "+31 6 1234", "-weet niet", "@provider hides it", "\tTab first"]
ACCENTED = "Privé gegevens, logisch — één-op-één 🙄"


def _source():
    return pd.read_csv(VALIDATION).iloc[::4].reset_index(drop=True)


@pytest.fixture
def data():
    """A canonical-looking data set: 55 hand-coded reasons (both languages) plus
    formula-like, accented and empty ones."""
    source = _source()
    frame = pd.DataFrame({
        "participant_id": [f"P{n:03d}" for n in source["id"]],
        "condition": source["condition"],
        "channel": source["condition"],
        "lang": source["lang"],
        "attitude": np.linspace(1, 7, len(source)),
        "reason": source["reason"],
    })
    extra = pd.DataFrame({
        "participant_id": [f"X{k}" for k in range(len(TRICKY) + 2)],
        "condition": "public", "channel": "public", "lang": "nl", "attitude": 4.0,
        "reason": TRICKY + [ACCENTED, ""],
    })
    return pd.concat([frame, extra], ignore_index=True)


@pytest.fixture
def truth(data):
    """Hand codes per participant (the validation set's), 0 for the extra rows."""
    source = _source()
    codes = pd.DataFrame(0, index=data["participant_id"], columns=BOOK.columns)
    codes.iloc[: len(source)] = source[BOOK.columns].to_numpy()
    codes.loc[[f"X{k}" for k in range(len(TRICKY) + 1)], "code_no_motive"] = 1
    return codes


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _fill(export, truth, flips=()):
    """Fill every sheet with the true codes; ``flips`` = (coder index, row number, column)."""
    key = dict(zip(_read(export.key)["unit_id"], _read(export.key)["participant_id"]))
    changed = []
    for k, path in enumerate(export.sheets):
        sheet = _read(path)
        for column in BOOK.columns:
            sheet[column] = [str(truth.at[key[u], column]) for u in sheet["unit_id"]]
        for coder, row, column in flips:
            if coder == k:
                unit = sorted(sheet["unit_id"])[row]
                at = sheet.index[sheet["unit_id"] == unit][0]
                sheet.at[at, column] = "0" if sheet.at[at, column] == "1" else "1"
                changed.append((unit, column.removeprefix("code_")))
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
    return key, changed


# --- export ----------------------------------------------------------------------------


def test_sheets_are_blind_shuffled_with_bom_and_formulas_neutralised(data, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=11)
    assert [p.name for p in export.sheets] == ["coder_1.csv", "coder_2.csv"]
    assert export.n_units == len(data) - 1  # the empty reason is left out
    for path in export.sheets:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        sheet = _read(path)
        assert list(sheet.columns) == ["unit_id", "lang", "reason", *BOOK.columns, "notes"]
        assert (sheet[BOOK.columns + ["notes"]] == "").all().all()
        text = path.read_text(encoding="utf-8-sig")
        assert not any(pid in text for pid in data["participant_id"])
        assert "private" not in sheet.columns and "attitude" not in sheet.columns
        reasons = set(sheet["reason"])
        for tricky in TRICKY:
            assert "'" + tricky in reasons
        assert ACCENTED in reasons  # accents and emoji survive the round trip
    first, second = (_read(p)["unit_id"].tolist() for p in export.sheets)
    assert sorted(first) == sorted(second) and first != second  # same units, own order per coder
    key = _read(export.key)
    assert sorted(key["unit_id"]) == sorted(first)
    participant_order = key.set_index("participant_id").loc[data["participant_id"].iloc[:-1], "unit_id"]
    assert list(participant_order) != sorted(participant_order)  # ids do not follow the data order
    manual = export.codebook.read_text(encoding="utf-8")
    assert all(f"`{c}`" in manual for c in BOOK.columns) and "Voorbeelden" in manual and "Examples" in manual


def test_same_seed_same_files_other_seed_other_order(data, tmp_path):
    a = export_coding_sheets(data, tmp_path / "a", coders=2, seed=5)
    b = export_coding_sheets(data, tmp_path / "b", coders=2, seed=5)
    c = export_coding_sheets(data, tmp_path / "c", coders=2, seed=6)
    for x, y in zip(a.sheets + [a.key], b.sheets + [b.key]):
        assert x.read_bytes() == y.read_bytes()
    assert a.sheets[0].read_bytes() != c.sheets[0].read_bytes()


def test_export_refuses_to_overwrite_and_bad_arguments(data, tmp_path):
    export_coding_sheets(data, tmp_path, coders=2, seed=1)
    with pytest.raises(CodingSheetError, match="already exist"):
        export_coding_sheets(data, tmp_path, coders=2, seed=1)
    export_coding_sheets(data, tmp_path, coders=3, seed=1, overwrite=True)
    with pytest.raises(CodingSheetError, match="coders must be"):
        export_coding_sheets(data, tmp_path / "x", coders=0, seed=1)
    with pytest.raises(CodingSheetError, match="no column 'reason'"):
        export_coding_sheets(data.drop(columns="reason"), tmp_path / "y", seed=1)
    with pytest.raises(CodingSheetError, match="unique"):
        export_coding_sheets(pd.concat([data, data.head(1)]), tmp_path / "z", seed=1)


# --- import ----------------------------------------------------------------------------

FLIPS = [(1, 0, "code_reputation_protection"), (1, 3, "code_image_showcase"),
         (1, 7, "code_customer_help"), (1, 8, "code_reputation_protection"),
         (1, 20, "code_no_motive")]


def test_round_trip_agreement_equals_independent_computations(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path / "sheets", coders=2, seed=3)
    _, changed = _fill(export, truth, FLIPS)
    result = import_coding_sheets(export.sheets, data, out_dir=tmp_path / "out", n_boot=300, seed=9)
    sheets = [_read(p).set_index("unit_id").sort_index() for p in export.sheets]
    metrics = pytest.importorskip("sklearn.metrics")
    for _, row in result.agreement.iterrows():
        column = f"code_{row['category']}"
        one, two = (s[column].astype(int) for s in sheets)
        expected = cohen_kappa(one, two).iloc[0]
        assert row["kappa"] == pytest.approx(expected["kappa"], abs=1e-12)
        assert row["kappa"] == pytest.approx(metrics.cohen_kappa_score(one, two), abs=1e-12)
        alpha = krippendorff_alpha(pd.concat([one, two], axis=1, keys=["a", "b"]), "nominal", n_boot=300, seed=9).iloc[0]
        assert row["alpha"] == pytest.approx(alpha["alpha"], abs=1e-12)
        assert row["alpha_ci_low"] == pytest.approx(alpha["ci_low"], abs=1e-12)
        assert row["percent_agreement"] == pytest.approx((one == two).mean())
    assert set(zip(result.disagreements["unit_id"], result.disagreements["category"])) == set(changed)
    assert result.disagreements["reason"].str.len().gt(0).all()
    assert result.coded is None
    assert sorted(p.name for p in result.files) == ["agreement.csv", "disagreements.csv"]


def test_resolution_merges_final_codes_into_the_data(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path / "sheets", coders=2, seed=3)
    key, changed = _fill(export, truth, FLIPS)
    decisions = pd.DataFrame({"unit_id": [u for u, _ in changed], "category": [c for _, c in changed],
                              "code": ["1"] * len(changed)})
    with pytest.raises(CodingSheetError, match=rf"leaves 1 disagreement\(s\) open: {changed[-1][0]}/"):
        import_coding_sheets(export.sheets, data, resolution=decisions.iloc[:-1], n_boot=0)
    result = import_coding_sheets(export.sheets, data, resolution=decisions, out_dir=tmp_path / "out", n_boot=0)
    coded = result.coded
    assert len(coded) == len(data)
    assert list(coded.columns[: len(data.columns)]) == list(data.columns)
    pd.testing.assert_frame_equal(coded[data.columns], data)
    expected = truth.copy()
    for unit, category in changed:
        expected.at[key[unit], f"code_{category}"] = 1
    by_id = coded.set_index("participant_id")
    done = by_id.index[by_id["code_source"].eq("human").fillna(False)]
    assert (by_id.loc[done, BOOK.columns].astype(int) == expected.loc[done]).all().all()
    assert by_id.loc["X6", BOOK.columns].isna().all()  # the empty reason was never coded
    assert (by_id.loc[done, "pk_strategic"] == expected.loc[done, BOOK.columns[:2]].sum(axis=1)).all()
    flipped_pid = key[changed[0][0]]
    assert by_id.at[flipped_pid, "code_confidence"] == pytest.approx(1 - 0.5 / len(BOOK.ids))
    assert (tmp_path / "out" / "coded.csv").exists()


def test_three_coders_majority_settles_disagreements(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=3, seed=2)
    _fill(export, truth, FLIPS)  # only coder 2 differs: the other two form the majority
    result = import_coding_sheets(export.sheets, data, n_boot=0)
    assert np.isnan(result.agreement["kappa"]).all()  # kappa is for two coders
    assert len(result.disagreements) == len(FLIPS) and result.unresolved.empty
    by_id = result.coded.set_index("participant_id")
    done = by_id.index[by_id["code_source"].eq("human").fillna(False)]
    assert (by_id.loc[done, BOOK.columns].astype(int) == truth.loc[done]).all().all()


def test_verdicts_follow_krippendorffs_thresholds(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=4)
    rng = np.random.default_rng(0)
    flips = [(1, int(r), "code_customer_help") for r in rng.choice(61, size=25, replace=False)]
    _fill(export, truth, flips)
    agreement = import_coding_sheets(export.sheets, data, n_boot=0).agreement.set_index("category")
    assert agreement.at["customer_help", "alpha"] < 0.667
    assert agreement.at["customer_help", "verdict"] == "not publishable"
    assert agreement.at["privacy_data", "verdict"] == "publishable"
    tentative = agreement[(agreement["alpha"] >= 0.667) & (agreement["alpha"] < 0.8)]
    assert (tentative["verdict"] == "tentative").all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.drop(index=s.index[0]), "does not hold the same units"),
        (lambda s: s.assign(code_image_showcase=["2"] + [""] * (len(s) - 1)), "'2' is not a code"),
        (lambda s: s.assign(code_image_showcase=["ja"] * len(s)), "'ja' is not a code"),
        (lambda s: s.assign(code_greed="1"), "unknown categories code_greed"),
        (lambda s: s.drop(columns="code_privacy_data"), "category columns missing: code_privacy_data"),
    ],
)
def test_bad_sheets_are_refused(data, truth, tmp_path, change, message):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=1)
    _fill(export, truth)
    change(_read(export.sheets[1])).to_csv(export.sheets[1], index=False, encoding="utf-8-sig")
    with pytest.raises(CodingSheetError, match=message):
        import_coding_sheets(export.sheets, data, n_boot=0)


def test_bad_resolution_and_unfilled_sheets_are_refused(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=1)
    with pytest.raises(CodingSheetError, match="no unit is coded yet"):
        import_coding_sheets(export.sheets, data, n_boot=0)
    _fill(export, truth, FLIPS)
    unit = _read(export.sheets[0])["unit_id"][0]
    with pytest.raises(CodingSheetError, match="unknown category 'greed'"):
        import_coding_sheets(export.sheets, data, n_boot=0,
                             resolution=pd.DataFrame({"unit_id": [unit], "category": ["greed"], "code": ["1"]}))
    with pytest.raises(CodingSheetError, match="must be 0 or 1"):
        import_coding_sheets(export.sheets, data, n_boot=0,
                             resolution=pd.DataFrame({"unit_id": [unit], "category": ["no_motive"], "code": ["5"]}))
    with pytest.raises(CodingSheetError, match="not in the data"):
        import_coding_sheets(export.sheets, data.iloc[5:], n_boot=0)


# --- the command -----------------------------------------------------------------------


def test_code_auto_keeps_rows_and_columns(data, tmp_path, capsys):
    source = tmp_path / "data.csv"
    data.to_csv(source, index=False)
    assert main(["code", "auto", str(source), "--study", "tilburg", "--out", str(tmp_path / "coded.csv")]) == 0
    printed = capsys.readouterr().out
    assert "reputation_protection" in printed and "n public" in printed
    before = pd.read_csv(source, dtype=str, keep_default_na=False)
    after = pd.read_csv(tmp_path / "coded.csv", dtype=str, keep_default_na=False)
    assert list(after.columns[: len(before.columns)]) == list(before.columns)
    pd.testing.assert_frame_equal(after[before.columns], before)
    assert set(after.columns) - set(before.columns) == set(BOOK.columns) | {
        "code_confidence", "code_source", "pk_strategic", "pk_any", "code_evidence"}
    assert after.loc[after["participant_id"] == "X6", BOOK.columns].eq("").all().all()  # empty reason
    assert main(["code", "auto", str(source), "--study", "nope", "--out", str(tmp_path / "x.csv")]) == 2


def test_code_export_and_import_commands(data, truth, tmp_path, capsys):
    source = tmp_path / "data.csv"
    data.to_csv(source, index=False)
    sheets = tmp_path / "sheets"
    assert main(["code", "export", str(source), "--coders", "2", "--out", str(sheets), "--seed", "8"]) == 0
    assert main(["code", "export", str(source), "--out", str(sheets)]) == 2  # refuses to overwrite
    assert "already exist" in capsys.readouterr().err
    export = type("E", (), {"sheets": [sheets / "coder_1.csv", sheets / "coder_2.csv"], "key": sheets / "key.csv"})
    _, changed = _fill(export, truth, FLIPS)
    out = tmp_path / "coding"
    args = ["code", "import", *map(str, export.sheets), "--data", str(source), "--out", str(out), "--n-boot", "100"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Agreement" in printed and f"{len(FLIPS)} disagreement(s) to resolve" in printed
    pd.DataFrame({"unit_id": [u for u, _ in changed], "category": [c for _, c in changed],
                  "code": 0}).to_csv(tmp_path / "res.csv", index=False)
    assert main(args + ["--resolution", str(tmp_path / "res.csv")]) == 0
    coded = pd.read_csv(out / "coded.csv", dtype=str, keep_default_na=False)
    assert len(coded) == len(data) and (coded["code_source"].isin(["human", ""])).all()
    assert pd.read_csv(out / "agreement.csv")["verdict"].notna().all()


def test_results_do_not_depend_on_how_a_coder_sorted_the_sheet(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=3)
    _fill(export, truth, FLIPS)
    before = import_coding_sheets(export.sheets, data, n_boot=200, seed=1)
    resorted = _read(export.sheets[1]).sort_values("reason", ascending=False)
    resorted.to_csv(export.sheets[1], index=False, encoding="utf-8-sig")
    after = import_coding_sheets(export.sheets, data, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(before.agreement, after.agreement)
    pd.testing.assert_frame_equal(before.disagreements, after.disagreements)


def test_sheets_saved_with_semicolons_by_a_dutch_spreadsheet_are_read(data, truth, tmp_path):
    export = export_coding_sheets(data, tmp_path, coders=2, seed=3)
    _fill(export, truth, FLIPS)
    before = import_coding_sheets(export.sheets, data, n_boot=0)
    _read(export.sheets[0]).to_csv(export.sheets[0], index=False, sep=";", encoding="utf-8")  # no BOM either
    after = import_coding_sheets(export.sheets, data, n_boot=0)
    pd.testing.assert_frame_equal(before.agreement, after.agreement)
