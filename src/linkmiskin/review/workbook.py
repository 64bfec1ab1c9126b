"""The Excel review workbook: writing it for reviewers, reading their labels back, simulated labels.

See :mod:`linkmiskin.review.calibration` for the whole review workflow.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import mask_text
from linkmiskin.review.sampling import (
    _META_COLUMNS,
    _REVIEW_ID_COLUMNS,
    LABELS,
    ReviewError,
    _id_str,
    _set_design,
    design_of,
)

__all__ = ['write_review_workbook', 'read_review', 'simulate_labels']


# ===================================================================================== the workbook

_INSTRUCTIONS = [
    ("PETUNJUK PEMERIKSAAN (Bahasa Indonesia)", True),
    ("Setiap baris di lembar 'review' adalah sepasang data: data A dan data B, berdampingan.", False),
    ("Isi kolom 'label' untuk setiap baris dengan salah satu pilihan dari daftar:", False),
    ("   match      = A dan B adalah ORANG YANG SAMA.", False),
    ("   non-match  = A dan B adalah ORANG YANG BERBEDA (misalnya anggota keluarga, tetangga, kembar).", False),
    ("   unsure     = ragu-ragu; datanya tidak cukup untuk memutuskan.", False),
    ("Biarkan kosong jika belum diperiksa. Kolom 'note' boleh diisi catatan bebas.", False),
    ("Sel berwarna jingga: isian A dan B berbeda. Sel abu-abu: salah satu kosong.", False),
    ("Perbedaan kecil ejaan nama (Muhamad/Muhammad), gelar (H., Hj.) atau singkatan alamat bukan berarti "
     "orang yang berbeda.", False),
    ("JANGAN mengubah, menghapus atau menambah baris, dan jangan mengubah kolom review_id, source dan "
     "record_id. Baris boleh diurutkan atau difilter.", False),
    ("Putuskan dari datanya sendiri. Kerjakan dari atas ke bawah: urutan baris sudah diacak.", False),
    ("NIK dan KK disamarkan (3216********0003) kecuali file ini dibuat untuk pemeriksa yang berwenang.", False),
    ("", False),
    ("REVIEW INSTRUCTIONS (English)", True),
    ("Each row of the 'review' sheet is a pair of records, A and B, side by side.", False),
    ("Fill in the 'label' column of each row with one choice from the list:", False),
    ("   match      = A and B are the SAME PERSON.", False),
    ("   non-match  = A and B are DIFFERENT PEOPLE (e.g. family members, neighbours, twins).", False),
    ("   unsure     = the records do not allow a decision.", False),
    ("Leave it blank if not reviewed yet. The 'note' column is free text.", False),
    ("Orange cells: A and B differ. Grey cells: one of them is empty.", False),
    ("Small differences in name spelling (Muhamad/Muhammad), titles (H., Hj.) or address abbreviations do "
     "not by themselves mean different people.", False),
    ("Do NOT change, delete or add rows, and do not edit review_id, source or record_id. Sorting and "
     "filtering are fine.", False),
    ("Decide from the records themselves. Work from the top down: the rows are in random order.", False),
    ("NIK and KK are masked (3216********0003) unless this file was made for authorised reviewers.", False),
]


def write_review_workbook(sample: pd.DataFrame, path: str | os.PathLike, *, show_scores: bool = False) -> Path:
    """Write a review sample (from :func:`review_sample`) to an Excel workbook.

    Sheets: ``review`` (frozen header and label columns, a drop-down list ``match / non-match / unsure`` on
    ``label``, differing fields filled orange and one-sided blanks grey), ``instructions`` (Bahasa Indonesia
    and English), and hidden, protected ``meta`` (the sample ids, strata and weights) and ``design`` (the
    strata and the population's match weights) from which :func:`read_review` rebuilds the design.
    """
    from openpyxl import Workbook

    from linkmiskin.safe_cells import neutralise_sheet

    design = design_of(sample)
    if design is None:
        raise ReviewError("the sample has no review design in .attrs: make it with review_sample()")
    fields = list(design["info"].get("fields", []))
    show_ids = bool(design["info"].get("show_ids", False))

    def rid(v: Any) -> str:
        # a record id that is a NIK or KK (many lists have no other id) is masked like the NIK column;
        # read_review matches rows by review_id, and read_review(path, sample=...) gives the full ids back
        return str(v) if show_ids else mask_text(str(v))

    wb = Workbook()
    _review_sheet(wb, sample, fields, show_scores, rid)
    _instructions_sheet(wb, sample, design, show_ids)
    _design_sheets(wb, sample, design, rid)
    for sheet in wb.worksheets:  # a name, id or source starting with = + - @ is text, never a formula
        neutralise_sheet(sheet)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return p


def _review_sheet(wb: Any, sample: pd.DataFrame, fields: list[str], show_scores: bool,
                  rid: Callable[[Any], str]) -> None:
    """The ``review`` sheet: one row per pair, the label drop-down, differing fields coloured."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.active
    ws.title = "review"
    header = ["review_id", "label", "note", "source_A", "record_id_A", "source_B", "record_id_B"]
    for f in fields:
        header += [f"{f}_A", f"{f}_B"]
    level_cols = [c for c in sample.columns if c.endswith("_level")] if show_scores else []
    if show_scores:
        header += ["match_probability", "match_weight", *level_cols]
    ws.append(header)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="FFD9E1F2")
    for c in ws[1]:
        c.font = bold
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
    differ = PatternFill("solid", fgColor="FFF8CBAD")
    missing = PatternFill("solid", fgColor="FFE7E6E6")
    label_fill = PatternFill("solid", fgColor="FFFFF2CC")
    first_field_col = 8
    for i, r in enumerate(sample.itertuples(index=False), start=2):
        rd = r._asdict()
        row = [int(rd["review_id"]), rd.get("label") or None, rd.get("note") or None, rd["source_l"],
               rid(rd["record_id_l"]), rd["source_r"], rid(rd["record_id_r"])]
        for f in fields:
            row += [rd.get(f"{f}_l") or None, rd.get(f"{f}_r") or None]
        if show_scores:
            row += [float(rd["match_probability"]), float(rd["match_weight"]),
                    *[rd.get(c) for c in level_cols]]
        ws.append(row)
        for j in (4, 5, 6, 7):
            ws.cell(i, j).number_format = "@"
        ws.cell(i, 2).fill = label_fill
        for k, f in enumerate(fields):
            st = rd.get(f"differs_{f}", "")
            fill = differ if st == "differ" else (missing if st == "one missing" else None)
            if fill is not None:
                for j in (first_field_col + 2 * k, first_field_col + 2 * k + 1):
                    ws.cell(i, j).fill = fill
            for j in (first_field_col + 2 * k, first_field_col + 2 * k + 1):
                ws.cell(i, j).number_format = "@"
    last = len(sample) + 1
    dv = DataValidation(type="list", formula1='"' + ",".join(LABELS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="label",
                        error="Pilih / choose: match, non-match, unsure (atau kosong / or blank)",
                        promptTitle="label", prompt="match / non-match / unsure", showInputMessage=True)
    ws.add_data_validation(dv)
    dv.add(f"B2:B{max(last, 2)}")
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(last, 1)}"
    widths = {"review_id": 9, "label": 12, "note": 24, "source_A": 10, "source_B": 10,
              "record_id_A": 18, "record_id_B": 18}
    for j, h in enumerate(header, start=1):
        base = h.rsplit("_", 1)[0]
        wdt = widths.get(h, 30 if base in ("name", "address", "mother_name", "father_name") else 16)
        ws.column_dimensions[get_column_letter(j)].width = wdt


def _instructions_sheet(wb: Any, sample: pd.DataFrame, design: dict, show_ids: bool) -> None:
    """The ``instructions`` sheet (Bahasa Indonesia and English), with a warning when ids are shown in full."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    ins = wb.create_sheet("instructions")
    lines = list(_INSTRUCTIONS)
    if show_ids:
        lines = [("RAHASIA / CONFIDENTIAL: file ini berisi NIK dan KK lengkap / this file shows full NIK and KK.",
                  True), ("", False), *lines]
    for text, is_head in lines:
        ins.append([text])
        if is_head:
            ins.cell(ins.max_row, 1).font = bold
    ins.column_dimensions["A"].width = 120
    ins.append([])
    ins.append([f"{len(sample)} pasangan / pairs; dibuat / created {design['info'].get('created', '')}"])


def _design_sheets(wb: Any, sample: pd.DataFrame, design: dict, rid: Callable[[Any], str]) -> None:
    """The hidden, protected ``meta`` (sample ids, strata, weights) and ``design`` (strata and the
    population's match weights) sheets that :func:`read_review` rebuilds the design from."""
    meta = wb.create_sheet("meta")
    meta.append(list(_META_COLUMNS))
    for r in sample[list(_META_COLUMNS)].itertuples(index=False):
        meta.append([int(r.review_id), r.source_l, rid(r.record_id_l), r.source_r, rid(r.record_id_r),
                     int(r.stratum), float(r.stratum_weight), float(r.match_probability), float(r.match_weight)])
    des = wb.create_sheet("design")
    des.append(["stratum", "mw_low", "mw_high", "band", "population_pairs", "sampled_pairs", "mean_probability",
                None, "pop_stratum", "pop_match_weight", "pop_pairs", None, "key", "value"])
    strata = design["strata"]
    pop = design["population"]
    info_items = [(k, _json_value(v)) for k, v in design["info"].items()]
    nrows = max(len(strata), len(pop["stratum"]), len(info_items))
    for i in range(nrows):
        row: list[Any] = [None] * 14
        if i < len(strata):
            s = strata[i]
            row[0:7] = [s["stratum"], _inf_str(s["mw_low"]), _inf_str(s["mw_high"]), s["band"],
                        s["population_pairs"], s["sampled_pairs"], s["mean_probability"]]
        if i < len(pop["stratum"]):
            row[8:11] = [pop["stratum"][i], pop["match_weight"][i], pop["pairs"][i]]
        if i < len(info_items):
            row[12:14] = list(info_items[i])
        des.append(row)
    for sheet in (meta, des):
        sheet.sheet_state = "hidden"
        sheet.protection.sheet = True
    for sheet in (meta, des):
        sheet.sheet_state = "hidden"
        sheet.protection.sheet = True


def _inf_str(x: float) -> Any:
    return "-inf" if x == -np.inf else ("inf" if x == np.inf else float(x))


def _from_inf(x: Any) -> float:
    if isinstance(x, str):
        return {"-inf": -np.inf, "inf": np.inf}.get(x.strip(), float("nan"))
    return float(x)


def _json_value(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    return v


def _cell_name(ws_title: str, row: int, col: int | None, header: str | None = None) -> str:
    from openpyxl.utils import get_column_letter

    if col is None:
        return f"sheet {ws_title!r}, row {row}"
    h = f" ({header!r})" if header else ""
    return f"sheet {ws_title!r}, row {row}, column {get_column_letter(col)}{h}"


def _norm_label(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    s = str(v).strip().lower()
    if s == "":
        return None
    s = s.replace("_", "-").replace(" ", "-")
    if s in ("nonmatch", "non--match"):
        s = "non-match"
    return s


def read_review(path: str | os.PathLike, sample: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a filled-in review workbook back, checking it thoroughly.

    Returns one row per reviewed pair (``review_id, source_l, record_id_l, source_r, record_id_r, stratum,
    stratum_weight, match_probability, match_weight, label, note``), ``label`` one of ``match``,
    ``non-match``, ``unsure`` or ``None`` (blank), with the design in ``.attrs`` for
    :func:`estimate_from_labels`. Rows may have been sorted or filtered in Excel.

    Labels are matched to pairs by ``review_id``. Record ids that are NIK or KK numbers are masked in the
    workbook (unless it was made with ``show_ids=True``), so they come back masked; pass the ``sample``
    that :func:`review_sample` returned to get the full record ids back (its review ids must be the
    workbook's).

    Raises :class:`ReviewError` naming the sheet, row and column when the workbook is not a review
    workbook, a required sheet or column is missing, a label is not one of the allowed values, or the
    pair ids were edited, deleted, duplicated or added.
    """
    p = Path(path)
    wb = _open_review_workbook(p)
    meta = _read_meta_sheet(wb, p)
    labels, notes = _read_review_sheet(wb, p, meta)
    out = meta.copy()
    if sample is not None:
        out = _restore_ids(out, sample, p)
    out["label"] = pd.Series([labels.get(int(i)) for i in out["review_id"]], dtype=object)
    out["note"] = pd.Series([notes.get(int(i)) for i in out["review_id"]], dtype=object)
    out = out.sort_values("review_id").reset_index(drop=True)
    design = _read_design(wb, p) if "design" in wb.sheetnames else None
    if design is not None:
        _set_design(out, design)
    return out


def _open_review_workbook(p: Path) -> Any:
    """The workbook at ``p``, with its ``review`` and ``meta`` sheets; a :class:`ReviewError` otherwise."""
    from openpyxl import load_workbook

    if not p.exists():
        raise ReviewError(f"review workbook not found: {p}")
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ReviewError(f"{p} is not a readable Excel workbook (.xlsx): {exc}") from None
    for name in ("review", "meta"):
        if name not in wb.sheetnames:
            raise ReviewError(f"{p}: sheet {name!r} is missing (sheets: {wb.sheetnames}); "
                              f"use a workbook written by review_sample(path=...)")
    return wb


def _read_meta_sheet(wb: Any, p: Path) -> pd.DataFrame:
    """The sample as drawn, from the hidden ``meta`` sheet (one row per pair, typed)."""
    mws = wb["meta"]
    mrows = list(mws.iter_rows(values_only=True))
    if not mrows:
        raise ReviewError(f"{p}: sheet 'meta' is empty")
    mhead = [str(h) if h is not None else "" for h in mrows[0]]
    miss = [c for c in _META_COLUMNS if c not in mhead]
    if miss:
        raise ReviewError(f"{p}: sheet 'meta', row 1: column(s) {miss} are missing")
    mi = {c: mhead.index(c) for c in _META_COLUMNS}
    meta_recs = [r for r in mrows[1:] if r is not None and any(v is not None for v in r)]
    meta = pd.DataFrame({c: [r[mi[c]] if mi[c] < len(r) else None for r in meta_recs] for c in _META_COLUMNS})
    try:
        meta["review_id"] = meta["review_id"].astype(np.int64)
        meta["stratum"] = meta["stratum"].astype(np.int64)
        for c in ("stratum_weight", "match_probability", "match_weight"):
            meta[c] = meta[c].astype(float)
    except (TypeError, ValueError) as exc:
        raise ReviewError(f"{p}: sheet 'meta' was edited and cannot be read ({exc})") from None
    for c in ("record_id_l", "record_id_r"):
        meta[c] = _id_str(meta[c])
    for c in ("source_l", "source_r"):
        meta[c] = meta[c].astype(str)
    return meta


def _read_review_sheet(wb: Any, p: Path, meta: pd.DataFrame) -> tuple[dict[int, str | None], dict[int, Any]]:
    """Labels and notes by review id from the ``review`` sheet, checked against ``meta``; one
    :class:`ReviewError` listing every problem (edited, added, copied or deleted rows, unknown labels)."""
    by_id = {int(r): i for i, r in enumerate(meta["review_id"])}
    # --- review sheet
    ws = wb["review"]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise ReviewError(f"{p}: sheet 'review' is empty (no header row)")
    head = [str(h).strip() if h is not None else "" for h in rows[0]]
    required = ["review_id", "label", *(_REVIEW_ID_COLUMNS)]
    for c in required:
        if c not in head:
            raise ReviewError(f"{p}: sheet 'review', row 1: required column {c!r} is missing "
                              f"(header has {[h for h in head if h]})")
    dup = sorted({h for h in head if h and head.count(h) > 1})
    if dup:
        raise ReviewError(f"{p}: sheet 'review', row 1: column(s) {dup} appear more than once")
    col = {h: i for i, h in enumerate(head) if h}
    errors: list[str] = []
    labels: dict[int, str | None] = {}
    notes: dict[int, Any] = {}
    seen_row: dict[int, int] = {}
    for rno, r in enumerate(rows[1:], start=2):
        if r is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue

        def get(c: str, _r: tuple = r) -> Any:
            i = col[c]
            return _r[i] if i < len(_r) else None

        rid_raw = get("review_id")
        try:
            rid = int(float(str(rid_raw).strip()))
            if float(str(rid_raw).strip()) != rid:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: "
                          f"{mask_text(str(rid_raw))!r} is not a review id (the ids must not be edited)")
            continue
        if rid not in by_id:
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: review id {rid} "
                          f"is not in the sample (row added or id edited)")
            continue
        if rid in seen_row:
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: review id {rid} "
                          f"also on row {seen_row[rid]} (row copied?)")
            continue
        seen_row[rid] = rno
        m = meta.iloc[by_id[rid]]
        for c, mc in _REVIEW_ID_COLUMNS.items():
            got = _id_str([get(c)])[0]
            want = str(m[mc])
            if got != want:
                errors.append(f"{_cell_name('review', rno, col[c] + 1, c)}: {mask_text(got)!r} but review id "
                              f"{rid} was drawn as {mask_text(want)!r} (ids must not be edited)")
        lab = _norm_label(get("label"))
        if lab is not None and lab not in LABELS:
            errors.append(f"{_cell_name('review', rno, col['label'] + 1, 'label')}: "
                          f"{mask_text(str(get('label')))!r} is not a valid label; use match, non-match or "
                          f"unsure (or leave it blank)")
            continue
        labels[rid] = lab
        if "note" in col:
            notes[rid] = get("note")
    missing_ids = sorted(set(by_id) - set(seen_row))
    if missing_ids:
        ex = ", ".join(map(str, missing_ids[:10])) + (" ..." if len(missing_ids) > 10 else "")
        errors.append(f"sheet 'review': {len(missing_ids)} pair(s) of sheet 'meta' are missing, review id(s) "
                      f"{ex} (rows deleted?)")
    if errors:
        shown = errors[:12]
        more = f"\n... and {len(errors) - len(shown)} more problem(s)" if len(errors) > len(shown) else ""
        raise ReviewError(f"{p}: the review workbook has {len(errors)} problem(s):\n  - "
                          + "\n  - ".join(shown) + more)
    return labels, notes


def _restore_ids(meta: pd.DataFrame, sample: pd.DataFrame, p: Path) -> pd.DataFrame:
    """The full record ids of ``sample`` in place of the (masked) ids read from the workbook."""
    need = ("review_id", *_REVIEW_ID_COLUMNS.values())
    if not isinstance(sample, pd.DataFrame) or any(c not in sample.columns for c in need):
        raise ReviewError("sample must be the DataFrame that review_sample() returned")
    s = sample.set_index(sample["review_id"].astype(np.int64))
    missing = sorted(set(meta["review_id"]) - set(s.index))
    if missing or len(s) != len(meta):
        raise ReviewError(f"{p}: the workbook's review ids do not belong to this sample "
                          f"(e.g. review id(s) {missing[:5]} are not in it)")
    out = meta.copy()
    for c in ("record_id_l", "record_id_r"):
        full = _id_str(s[c].reindex(out["review_id"]).to_numpy())
        shown = np.array([mask_text(v) for v in full], dtype=object)
        ok = (shown == out[c].to_numpy(dtype=object)) | (full == out[c].to_numpy(dtype=object))
        if not ok.all():
            bad = int(out["review_id"].to_numpy()[~ok][0])
            raise ReviewError(f"{p}: review id {bad} was drawn for another pair than in this sample")
        out[c] = full
    return out


def _read_design(wb: Any, p: Path) -> dict[str, Any] | None:
    ws = wb["design"]
    rows = list(ws.iter_rows(values_only=True))[1:]
    strata, pop_s, pop_w, pop_n, info = [], [], [], [], {}
    try:
        for r in rows:
            r = list(r) + [None] * (14 - len(r))
            if r[0] is not None:
                strata.append({"stratum": int(r[0]), "mw_low": _from_inf(r[1]), "mw_high": _from_inf(r[2]),
                               "band": str(r[3]), "population_pairs": int(r[4]), "sampled_pairs": int(r[5]),
                               "mean_probability": float(r[6])})
            if r[8] is not None:
                pop_s.append(int(r[8]))
                pop_w.append(float(r[9]))
                pop_n.append(int(r[10]))
            if r[12] is not None:
                v = r[13]
                if isinstance(v, str) and v[:1] in "[{":
                    try:
                        v = json.loads(v)
                    except ValueError:
                        pass
                info[str(r[12])] = v
    except (TypeError, ValueError) as exc:
        raise ReviewError(f"{p}: sheet 'design' was edited and cannot be read ({exc})") from None
    if not strata:
        return None
    return {"strata": strata, "population": {"stratum": pop_s, "match_weight": pop_w, "pairs": pop_n},
            "info": info}


# =============================================================================== simulated labels


def simulate_labels(sample: pd.DataFrame, truth: Any, *, error_rate: float = 0.0, unsure_rate: float = 0.0,
                    seed: int = 0) -> pd.DataFrame:
    """Fill ``label`` from a known truth (``source, record_id, person_id``; e.g. ``generate(...).truth``):
    same ``person_id`` -> ``match``, otherwise ``non-match``. For notebooks and tests.

    ``error_rate`` flips that share of labels (a fallible reviewer) and ``unsure_rate`` marks that share
    ``unsure``. The design in ``.attrs`` is kept.
    """
    if not isinstance(truth, pd.DataFrame) and isinstance(getattr(truth, "truth", None), pd.DataFrame):
        truth = truth.truth
    if not isinstance(truth, pd.DataFrame):
        raise TypeError("truth must be a DataFrame with source, record_id, person_id (or SyntheticData)")
    miss = [c for c in ("source", "record_id", "person_id") if c not in truth.columns]
    if miss:
        raise ValueError(f"truth is missing column(s) {miss}")
    key = pd.Series(truth["person_id"].to_numpy(),
                    index=truth["source"].astype(str).to_numpy() + "\x1f" + _id_str(truth["record_id"]))
    key = key[~key.index.duplicated()]
    kl = sample["source_l"].astype(str).to_numpy() + "\x1f" + _id_str(sample["record_id_l"])
    kr = sample["source_r"].astype(str).to_numpy() + "\x1f" + _id_str(sample["record_id_r"])
    pl = key.reindex(kl).to_numpy()
    pr = key.reindex(kr).to_numpy()
    unknown = pd.isna(pl) | pd.isna(pr)
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} sampled record(s) are not in the truth")
    same = pl == pr
    rng = np.random.default_rng(int(seed))
    flip = rng.random(len(same)) < error_rate
    same = np.where(flip, ~same, same)
    lab = np.where(same, "match", "non-match").astype(object)
    lab[rng.random(len(lab)) < unsure_rate] = "unsure"
    out = sample.copy()
    out["label"] = lab
    out.attrs = dict(sample.attrs)
    return out
