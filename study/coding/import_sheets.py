"""Filled coding sheets in: agreement per category, disagreements, final codes merged.

See :mod:`study.coding` for the whole workflow; users import
:func:`import_coding_sheets` as ``study.import_coding_sheets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import cohen_kappa, krippendorff_alpha
from questionnaires.coding import MotiveCodebook, load_motive_codebook
from study.coding.files import ENCODING, CodingSheetError, _read_data, _read_filled, neutralise_formula

PUBLISHABLE, TENTATIVE = 0.80, 0.667  # Krippendorff (2004, p. 241): alpha >= .800; >= .667 tentative
CODE_EXTRAS = ["code_confidence", "code_source", "pk_strategic", "pk_any", "code_evidence"]


def _read_sheet(sheet, name: str, codebook: MotiveCodebook) -> pd.DataFrame:
    """One coder's codes: index unit_id, one float column (1/0/NaN) per category."""
    if isinstance(sheet, pd.DataFrame):
        raw = sheet.astype("string").fillna("")
    else:
        try:
            raw = _read_filled(sheet)
        except FileNotFoundError:
            raise CodingSheetError(f"{name}: coding sheet not found") from None
    if "unit_id" not in raw.columns:
        raise CodingSheetError(f"{name}: no 'unit_id' column; is this a sheet written by 'replylab code export'?")
    unknown = [c for c in raw.columns if c.startswith("code_") and c not in codebook.columns]
    if unknown:
        raise CodingSheetError(
            f"{name}: unknown categories {', '.join(unknown)}; the codebook has {', '.join(codebook.columns)}"
        )
    missing = [c for c in codebook.columns if c not in raw.columns]
    if missing:
        raise CodingSheetError(f"{name}: category columns missing: {', '.join(missing)}")
    ids = raw["unit_id"].str.strip()
    if ids.duplicated().any():
        raise CodingSheetError(f"{name}: unit_id repeated: {', '.join(ids[ids.duplicated()].unique()[:5])}")
    cells = raw[codebook.columns].apply(lambda s: s.str.strip())
    allowed = {"": np.nan, "0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}
    bad = ~cells.isin(list(allowed))
    if bad.any().any():
        row, column = next((r, c) for c in cells.columns for r in cells.index[bad[c]])
        raise CodingSheetError(
            f"{name}: unit {ids[row]}, column {column}: {cells.at[row, column]!r} is not a code; "
            "use 1 (present), 0 or blank (absent)"
        )
    codes = cells.apply(lambda s: s.map(allowed)).astype(float)
    codes.index = ids.to_numpy()
    uncoded = codes.isna().all(axis=1)
    if len(codes) and uncoded.all():
        raise CodingSheetError(f"{name}: no unit is coded yet (every code cell is blank); fill the sheet first")
    return codes.fillna(0.0).mask(uncoded)  # a fully blank row: not coded by this coder


def _agreement_row(category: str, ratings: pd.DataFrame, n_boot: int, seed: int) -> dict:
    row = {"category": category, "n_units": int(ratings.notna().sum(axis=1).ge(2).sum()),
           "n_coders": ratings.shape[1]}
    complete = ratings.dropna()
    row["percent_agreement"] = float((complete.nunique(axis=1) == 1).mean()) if len(complete) else np.nan
    row.update(kappa=np.nan, kappa_ci_low=np.nan, kappa_ci_high=np.nan)
    if ratings.shape[1] == 2:
        try:
            k = cohen_kappa(ratings.iloc[:, 0], ratings.iloc[:, 1]).iloc[0]
            row.update(kappa=k["kappa"], kappa_ci_low=k["ci_low"], kappa_ci_high=k["ci_high"])
        except ValueError:
            pass  # one label only: kappa undefined
    try:
        a = krippendorff_alpha(ratings, "nominal", n_boot=n_boot, seed=seed).iloc[0]
        row.update(alpha=a["alpha"], alpha_ci_low=a["ci_low"], alpha_ci_high=a["ci_high"])
    except ValueError:
        row.update(alpha=np.nan, alpha_ci_low=np.nan, alpha_ci_high=np.nan)
    alpha = row["alpha"]
    row["verdict"] = (
        "undefined (no variation)" if np.isnan(alpha)
        else "publishable" if alpha >= PUBLISHABLE
        else "tentative" if alpha >= TENTATIVE
        else "not publishable"
    )
    return row


def _read_resolution(resolution, codebook, unit_ids) -> dict[tuple[str, str], int]:
    if isinstance(resolution, pd.DataFrame):
        raw, name = resolution.astype("string").fillna(""), "resolution"
    else:
        name = str(resolution)
        try:
            raw = _read_filled(resolution)
        except FileNotFoundError:
            raise CodingSheetError(f"{name}: resolution file not found") from None
    needed = {"unit_id", "category", "code"}
    if not needed <= set(raw.columns):
        raise CodingSheetError(f"{name}: needs columns unit_id, category, code; has {', '.join(raw.columns)}")
    decided = {}
    for i, r in raw.iterrows():
        unit, category, code = r["unit_id"].strip(), r["category"].strip().removeprefix("code_"), r["code"].strip()
        where = f"{name}, row {i + 2}"
        if category not in codebook.ids:
            raise CodingSheetError(f"{where}: unknown category {category!r}; known: {', '.join(codebook.ids)}")
        if unit not in unit_ids:
            raise CodingSheetError(f"{where}: unit {unit!r} is not in the coding sheets")
        if code not in ("0", "1", "0.0", "1.0"):
            raise CodingSheetError(f"{where}: code {code!r} must be 0 or 1")
        decided[(unit, category)] = int(float(code))
    return decided


@dataclass
class CodingImport:
    """What :func:`import_coding_sheets` found.

    ``agreement``: one row per category (``category, n_units, n_coders,
    percent_agreement, kappa, kappa_ci_low, kappa_ci_high, alpha, alpha_ci_low,
    alpha_ci_high, verdict``). ``disagreements``: one row per unit and category on
    which coders differ (``unit_id, category, reason``, one column per coder,
    ``majority``, ``resolved``). ``unresolved``: the subset still open. ``coded``: the
    data with the final codes merged, or None while disagreements are open.
    """

    agreement: pd.DataFrame
    disagreements: pd.DataFrame
    unresolved: pd.DataFrame
    coded: pd.DataFrame | None
    files: list[Path] = field(default_factory=list)


def import_coding_sheets(
    sheets,
    data,
    *,
    key=None,
    resolution=None,
    out_dir=None,
    codebook: MotiveCodebook | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    id_column: str = "participant_id",
    text_column: str = "reason",
) -> CodingImport:
    """Read filled coding sheets: agreement, disagreements and (once resolved) final codes.

    Parameters
    ----------
    sheets : list of paths or DataFrames
        The coders' sheets (at least two for agreement; one is accepted as final codes).
    data : DataFrame or path
        The canonical data set the sheets were exported from.
    key : path or DataFrame, optional
        ``unit_id -> participant_id`` (default: ``key.csv`` beside the first sheet).
    resolution : path or DataFrame, optional
        Decisions on disagreements: columns ``unit_id, category, code`` (0/1). With three
        or more coders, a strict majority settles a disagreement without one.
    out_dir : path, optional
        Write ``agreement.csv``, ``disagreements.csv`` and, once complete, ``coded.csv``.
    n_boot, seed : int
        Bootstrap draws and seed for Krippendorff's alpha interval.

    Returns
    -------
    CodingImport

    Raises
    ------
    CodingSheetError
        Sheets with different units, codes other than 0/1/blank, unknown categories,
        a key or data set that does not match, or a resolution file that leaves
        disagreements open (each is named).

    Notes
    -----
    Within a coder's row a blank means absent (0); a row left blank entirely means
    the coder did not code that unit (missing for agreement). The final code of a
    unit and category is the coders' common value, else the resolution (or majority).
    ``code_confidence`` of a human-coded unit is the share of coder codes that equal
    the final codes. Verdicts use alpha: at least .80 ``publishable``, at least .667
    ``tentative``, below that ``not publishable`` (Krippendorff 2004, p. 241).

    References
    ----------
    Krippendorff, K. (2004). *Content analysis: An introduction to its methodology*
    (2nd ed.). Sage.
    """
    codebook = codebook or load_motive_codebook()
    sheets = list(sheets)
    if not sheets:
        raise CodingSheetError("give at least one coding sheet")
    labels = [f"sheet {i + 1}" if isinstance(s, pd.DataFrame) else str(s) for i, s in enumerate(sheets)]
    coded_by = [_read_sheet(s, label, codebook) for s, label in zip(sheets, labels)]
    units = _common_units(coded_by, labels)
    coded_by = [frame.loc[units] for frame in coded_by]
    frame = _read_data(data)
    key_map, text = _link_units(frame, _read_key(key, sheets, id_column), units, id_column, text_column)
    coder_names = [f"coder_{k}" for k in range(1, len(coded_by) + 1)]
    by_category = {
        c: pd.concat([f[col] for f in coded_by], axis=1, keys=coder_names)
        for c, col in zip(codebook.ids, codebook.columns)
    }
    agreement = pd.DataFrame(
        [_agreement_row(c, ratings, n_boot, seed) for c, ratings in by_category.items()]
    ) if len(coded_by) >= 2 else pd.DataFrame()
    decided = _read_resolution(resolution, codebook, set(units)) if resolution is not None else {}
    final, agree_share, disagreements = _final_codes(by_category, units, decided, text)
    unresolved = disagreements[disagreements["resolved"].isna()]
    if resolution is not None and len(unresolved):
        listed = ", ".join(f"{u}/{c}" for u, c in zip(unresolved["unit_id"], unresolved["category"]))
        raise CodingSheetError(
            f"the resolution leaves {len(unresolved)} disagreement(s) open: {listed}; add a row "
            "(unit_id, category, code) for each"
        )
    coded = None if len(unresolved) else _merge(frame, final, agree_share, key_map, codebook, id_column,
                                                 len(coded_by), decided)
    result = CodingImport(agreement, disagreements, unresolved, coded)
    if out_dir is not None:
        result.files = _write(result, Path(out_dir))
    return result


def _common_units(coded_by, labels) -> pd.Index:
    # sorted, so results do not depend on how a coder sorted the sheet
    units = coded_by[0].index.sort_values()
    for label, frame in zip(labels[1:], coded_by[1:]):
        extra, lacking = sorted(set(frame.index) - set(units)), sorted(set(units) - set(frame.index))
        if extra or lacking:
            problems = ([f"extra {', '.join(extra[:5])}"] if extra else []) + (
                [f"missing {', '.join(lacking[:5])}"] if lacking else [])
            raise CodingSheetError(
                f"{label} does not hold the same units as {labels[0]}: {'; '.join(problems)}. "
                "Were the sheets exported together?"
            )
    return units


def _link_units(frame, key_frame, units, id_column, text_column):
    """unit_id -> participant_id (checked against the data) and unit_id -> reason."""
    key_map = dict(zip(key_frame["unit_id"], key_frame[id_column]))
    lost = [u for u in units if u not in key_map]
    if lost:
        raise CodingSheetError(f"key: units {', '.join(lost[:5])} are not in the key; use the key.csv of this export")
    if id_column not in frame.columns:
        raise CodingSheetError(f"the data have no column {id_column!r}")
    position = {pid: i for i, pid in enumerate(frame[id_column].astype(str))}
    absent = [key_map[u] for u in units if str(key_map[u]) not in position]
    if absent:
        raise CodingSheetError(
            f"participants {', '.join(map(str, absent[:5]))} of the key are not in the data; is this the "
            "data set the sheets were exported from?"
        )
    texts = frame[text_column] if text_column in frame.columns else pd.Series("", index=frame.index)
    return key_map, {u: texts.iloc[position[str(key_map[u])]] for u in units}


def _final_codes(by_category, units, decided, text):
    """Final code per unit and category, the share of coders agreeing with it, and the disagreements."""
    final = pd.DataFrame(index=units, columns=list(by_category), dtype=float)
    agree_share = final.copy()
    rows = []
    for c, values in by_category.items():
        n_coders = values.shape[1]
        for unit, v in values.iterrows():
            given = v.dropna()
            if given.empty:
                continue  # nobody coded this unit
            counts = given.value_counts()
            majority = counts.index[0] if len(counts) == 1 or counts.iloc[0] > counts.iloc[1] else np.nan
            if len(counts) > 1:
                value = decided.get((unit, c), majority if n_coders >= 3 else np.nan)
                rows.append({"unit_id": unit, "category": c, "reason": text[unit], **v.to_dict(),
                             "majority": majority, "resolved": value})
            else:
                value = decided.get((unit, c), given.iloc[0])
            final.at[unit, c] = value
            agree_share.at[unit, c] = np.nan if np.isnan(value) else float((given == value).mean())
    coder_names = list(next(iter(by_category.values())).columns)
    columns = ["unit_id", "category", "reason", *coder_names, "majority", "resolved"]
    return final, agree_share, pd.DataFrame(rows, columns=columns)


def _read_key(key, sheets, id_column) -> pd.DataFrame:
    if isinstance(key, pd.DataFrame):
        frame = key.astype("string")
    else:
        if key is None:
            if isinstance(sheets[0], pd.DataFrame):
                raise CodingSheetError("give the key (unit_id -> participant_id) when sheets are DataFrames")
            key = Path(sheets[0]).parent / "key.csv"
        try:
            frame = _read_filled(key)
        except FileNotFoundError:
            raise CodingSheetError(f"{key}: key file not found; give the key.csv written with the sheets") from None
    if not {"unit_id", id_column} <= set(frame.columns):
        raise CodingSheetError(f"key: needs columns unit_id and {id_column}")
    return frame


def _merge(data, final, agree_share, key_map, codebook, id_column, n_coders, decided) -> pd.DataFrame:
    by_participant = {str(key_map[u]): u for u in final.index}
    units = [by_participant.get(str(pid)) for pid in data[id_column]]
    out = data.drop(columns=[c for c in codebook.columns + CODE_EXTRAS if c in data.columns])
    for c in codebook.categories:
        out[c.column] = pd.array([pd.NA if u is None or np.isnan(final.at[u, c.id]) else int(final.at[u, c.id])
                                  for u in units], dtype="Int64")
    out["code_confidence"] = [np.nan if u is None else float(agree_share.loc[u].mean()) for u in units]
    out["code_source"] = pd.array(["human" if u is not None else pd.NA for u in units], dtype="string")
    strategic = [f"code_{i}" for i in codebook.strategic_ids]
    out["pk_strategic"] = out[strategic].sum(axis=1, skipna=False).astype("Int64")
    out["pk_any"] = (out["pk_strategic"] > 0).astype("Int64")
    evidence = []
    for u in units:
        if u is None:
            evidence.append(pd.NA)
            continue
        settled = sorted(c for (unit, c) in decided if unit == u)
        evidence.append(f"human: {n_coders} coder(s)" + (f"; resolved: {', '.join(settled)}" if settled else ""))
    out["code_evidence"] = pd.array(evidence, dtype="string")
    return out


def _write(result: CodingImport, out: Path) -> list[Path]:
    files = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        if len(result.agreement):
            result.agreement.to_csv(out / "agreement.csv", index=False)
            files.append(out / "agreement.csv")
        disagreements = result.disagreements.assign(reason=result.disagreements["reason"].map(neutralise_formula))
        disagreements.to_csv(out / "disagreements.csv", index=False, encoding=ENCODING)
        files.append(out / "disagreements.csv")
        if result.coded is not None:
            result.coded.to_csv(out / "coded.csv", index=False)
            files.append(out / "coded.csv")
    except OSError as error:
        raise CodingSheetError(f"{out}: cannot write ({error.strerror or error})") from None
    return files
