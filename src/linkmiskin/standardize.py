"""Standardise one agency source into linkmiskin's canonical frame.

:func:`standardize` reads the source (a DataFrame or a CSV/Excel/Parquet path), finds its columns
(:mod:`linkmiskin.columns`), and runs every Indonesian standardiser on it:

* names (:mod:`linkmiskin.names`): titles removed, old spelling to EYD, Muhammad/Abdul variants unified,
  ``bin``/``binti`` split off, tokens and an Indonesian phonetic key;
* NIK and KK (:mod:`linkmiskin.nik`): cleaned, classified (valid, missing, placeholder, excel_damaged, ...),
  and the region, birth date and sex coded in the NIK;
* dates (:mod:`linkmiskin.dates`): Indonesian formats and month names, placeholder dates flagged;
* addresses and regions (:mod:`linkmiskin.address`, :mod:`linkmiskin.regions`): kampung/perumahan, RT/RW,
  desa and kecamatan resolved to current Kemendagri codes;
* sex and relationship (:mod:`linkmiskin.household_roles`).

Nothing is dropped: the output has exactly one row per input row, in the same order, and every field that
could not be trusted carries a status column and a short entry in ``flags``.

>>> import linkmiskin as lm
>>> std = lm.standardize("dtks.csv", region="32.16")              # doctest: +SKIP
>>> std[["record_id", "name", "nik_status", "desa_code", "rt", "rw", "flags"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .columns import ColumnMapping, detect_columns
from .io import TableLike, read_table

log = logging.getLogger("linkmiskin")

_MISSING_TEXT = {"", "-", "--", "0", "NAN", "NONE", "NULL", "N/A", "NA", "BELUM ADA", "TIDAK ADA", "TDK ADA"}


def _col(raw: pd.DataFrame, cm: ColumnMapping, field: str) -> pd.Series | None:
    c = cm.mapping.get(field)
    return None if c is None else raw[c]


def _none_series(n: int) -> pd.Series:
    return pd.Series([None] * n, dtype=object)


def _clean_text(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    t = t.where(~t.str.upper().isin(_MISSING_TEXT), None)
    return t.astype(object).where(t.notna(), None)


def _numeric_mask(raw: pd.DataFrame, cm: ColumnMapping, field: str) -> np.ndarray:
    mask = np.zeros(len(raw), dtype=bool)
    col = cm.mapping.get(field)
    rows = raw.attrs.get("numeric_cells", {}).get(col, []) if col else []
    if len(rows):
        mask[np.asarray(rows, dtype=int)] = True
    return mask


def _parse_ids(parse: Any, values: pd.Series, from_number: np.ndarray) -> pd.DataFrame:
    out = parse(values.reset_index(drop=True))
    if from_number.any():
        idx = np.flatnonzero(from_number)
        sub = parse(values.iloc[idx].reset_index(drop=True), from_number=True)
        sub.index = idx
        out.loc[idx, sub.columns] = sub
    return out


def _int_or_na(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    num = pd.to_numeric(t.str.extract(r"^0*(\d{1,3})$", expand=False), errors="coerce")
    return num.astype("Int64")


def standardize(df: TableLike, mapping: dict[str, str] | None = None, region: str | None = None, *,
                source: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Standardise one agency list.

    Parameters
    ----------
    df:
        A pandas DataFrame or a path to a CSV, Excel or Parquet file.
    mapping:
        ``{canonical_field: source_column}`` for any column the auto-detection should not guess
        (fields: record_id, nik, kk, name, birth_date, sex, relationship, address, rt, rw, rt_rw, desa,
        kecamatan, kabupaten, mother_name, father_name, decile).
    region:
        Kemendagri code scoping region resolution, e.g. ``"32.16"`` for Kabupaten Bekasi.
    source:
        The source's name (defaults to the file name, or ``"data"``).

    Returns
    -------
    DataFrame with one row per input row: ``source, record_id, row_number``, the canonical fields
    (``nik, kk, name, name_tokens, name_phonetic, birth_date, sex, relationship, place, rt, rw, desa_code,
    kecamatan_code, mother_name`` ...), their status columns and ``flags`` (a ``;``-separated list of
    problems). ``result.attrs["column_mapping"]`` holds the :class:`~linkmiskin.columns.ColumnMapping`.
    """
    from . import address as _address
    from . import dates as _dates
    from . import names as _names
    from . import nik as _nik
    from . import regions as _regions
    from .household_roles import relationship_frame, sex_frame

    if region is not None:
        region = _regions.validate_region(region)
    name = source or (getattr(df, "stem", None) if not isinstance(df, pd.DataFrame) else None)
    if name is None and isinstance(df, (str,)):
        from pathlib import Path
        name = Path(df).stem
    name = name or "data"
    raw = read_table(df, source=name, sheet=sheet)
    cm = detect_columns(raw, mapping, source=name)
    n = len(raw)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["source"] = name
    flags: list[pd.Series] = []

    # record id --------------------------------------------------------------------------------------
    rid = _col(raw, cm, "record_id")
    if rid is None:
        out["record_id"] = [str(i + 1) for i in range(n)]
        out["record_id_status"] = "row_number"
    else:
        r = rid.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        status = pd.Series("ok", index=out.index, dtype=object)
        blank = r.isna() | (r == "")
        dup = r.duplicated(keep=False) & ~blank
        status[dup.to_numpy()] = "duplicate"
        status[blank.to_numpy()] = "missing"
        r = r.where(~blank, "row" + pd.Series(np.arange(1, n + 1), index=r.index).astype(str))
        out["record_id"] = r.astype(object).to_numpy()
        out["record_id_status"] = status.to_numpy()
    out["row_number"] = np.arange(1, n + 1)

    # NIK / KK -----------------------------------------------------------------------------------------
    for fld, parse in (("nik", _nik.parse_nik), ("kk", _nik.parse_kk)):
        col = _col(raw, cm, fld)
        if col is None:
            parsed = parse(_none_series(n))
        else:
            parsed = _parse_ids(parse, col.reset_index(drop=True), _numeric_mask(raw, cm, fld))
        for c in parsed.columns:
            out[c] = parsed[c].to_numpy()
        if col is not None:
            st = out[f"{fld}_status"]
            flags.append(pd.Series(np.where(st.isin(["valid", "missing"]), None, fld + ":" + st.astype(str)),
                                   index=out.index))

    # names ------------------------------------------------------------------------------------------
    col = _col(raw, cm, "name")
    parsed = _names.parse_name(col.reset_index(drop=True) if col is not None else _none_series(n))
    for c in parsed.columns:
        out[c] = parsed[c].to_numpy()
    if col is not None:
        flags.append(pd.Series(np.where(out["name_status"].isin(["ok"]), None, "name:" + out["name_status"].astype(str)),
                               index=out.index))
    out["name_raw"] = _clean_text(col.reset_index(drop=True)).to_numpy() if col is not None else None
    for fld in ("mother_name", "father_name"):
        col = _col(raw, cm, fld)
        if col is None:
            out[fld] = None
            out[f"{fld}_tokens"] = [[] for _ in range(n)]
            continue
        p = _names.parse_name(col.reset_index(drop=True))
        out[fld] = p["name"].to_numpy()
        out[f"{fld}_tokens"] = p["name_tokens"].to_numpy()

    # birth date -------------------------------------------------------------------------------------
    col = _col(raw, cm, "birth_date")
    p = _dates.parse_date(col.reset_index(drop=True) if col is not None else _none_series(n))
    out["birth_date"] = p["date"].to_numpy()
    out["birth_year"] = p["year"].astype("Int64").to_numpy()
    out["birth_month"] = p["month"].astype("Int64").to_numpy()
    out["birth_day"] = p["day"].astype("Int64").to_numpy()
    out["birth_date_status"] = p["date_status"].to_numpy()
    out["birth_date_placeholder"] = p["date_placeholder"].astype(bool).to_numpy()
    if col is not None:
        flags.append(pd.Series(np.where(out["birth_date_status"].isin(["ok", "placeholder"]), None,
                                        "birth_date:" + out["birth_date_status"].astype(str)), index=out.index))

    # sex, relationship ------------------------------------------------------------------------------
    col = _col(raw, cm, "sex")
    p = sex_frame(col.reset_index(drop=True) if col is not None else _none_series(n))
    out["sex"] = p["sex"].to_numpy()
    out["sex_status"] = p["sex_status"].to_numpy()
    col = _col(raw, cm, "relationship")
    p = relationship_frame(col.reset_index(drop=True) if col is not None else _none_series(n))
    out["relationship"] = p["relationship"].to_numpy()
    out["relationship_status"] = p["relationship_status"].to_numpy()

    # address and region -----------------------------------------------------------------------------
    addr_col = _col(raw, cm, "address")
    pa = _address.parse_address(addr_col.reset_index(drop=True) if addr_col is not None else _none_series(n),
                                region=region)
    out["address_raw"] = _clean_text(addr_col.reset_index(drop=True)).to_numpy() if addr_col is not None else None
    for c in ("address_clean", "place_type", "place_name", "block", "house_number", "place"):
        out[c] = pa[c].to_numpy() if c in pa else None
    rt = pa["rt"].astype("Int64").reset_index(drop=True)
    rw = pa["rw"].astype("Int64").reset_index(drop=True)
    rtrw_col = _col(raw, cm, "rt_rw")
    if rtrw_col is not None:
        pr = _address.parse_address(("RT/RW " + rtrw_col.astype("string").fillna("")).reset_index(drop=True))
        rt = pr["rt"].astype("Int64").reset_index(drop=True).fillna(rt)
        rw = pr["rw"].astype("Int64").reset_index(drop=True).fillna(rw)
    for fld, cur in (("rt", rt), ("rw", rw)):
        col = _col(raw, cm, fld)
        if col is not None:
            val = _int_or_na(col.reset_index(drop=True))
            val = val.where(val > 0)
            cur = val.fillna(cur)
        if fld == "rt":
            rt = cur
        else:
            rw = cur
    out["rt"] = rt.to_numpy()
    out["rw"] = rw.to_numpy()

    desa_in = _col(raw, cm, "desa")
    kec_in = _col(raw, cm, "kecamatan")
    kab_in = _col(raw, cm, "kabupaten")
    desa_txt = (_clean_text(desa_in.reset_index(drop=True)) if desa_in is not None
                else pd.Series(pa["desa_text"].to_numpy(), dtype=object))
    kec_txt = (_clean_text(kec_in.reset_index(drop=True)) if kec_in is not None
               else pd.Series(pa["kecamatan_text"].to_numpy(), dtype=object))
    if desa_in is not None:
        desa_txt = desa_txt.where(desa_txt.notna(), pd.Series(pa["desa_text"].to_numpy(), dtype=object))
    if kec_in is not None:
        kec_txt = kec_txt.where(kec_txt.notna(), pd.Series(pa["kecamatan_text"].to_numpy(), dtype=object))
    if desa_in is None and kec_in is None and kab_in is None:
        res = pa.reset_index(drop=True)
    else:
        res = _regions.resolve_regions(
            desa=desa_txt, kecamatan=kec_txt,
            kabupaten=_clean_text(kab_in.reset_index(drop=True)) if kab_in is not None else None,
            region=region)
        res = res.reset_index(drop=True)
        # where the separate columns failed but the address text resolved, keep the address result
        better = res["desa_code"].isna() & pd.Series(pa["desa_code"].to_numpy()).notna()
        if better.any():
            for c in ("desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "region_status"):
                res.loc[better, c] = pa[c].to_numpy()[better.to_numpy()]
    out["desa_text"] = desa_txt.to_numpy()
    out["kecamatan_text"] = kec_txt.to_numpy()
    for c in ("desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "region_status"):
        out[c] = res[c].to_numpy()
    addr_status = pa["address_status"].reset_index(drop=True).astype(object)
    has_any = (desa_txt.notna() | kec_txt.notna() | out["rt"].notna())
    addr_status = addr_status.where(~((addr_status == "missing") & has_any.to_numpy()), "partial")
    out["address_status"] = addr_status.to_numpy()
    if any(c is not None for c in (addr_col, desa_in, kec_in)):
        flags.append(pd.Series(np.where(out["region_status"].isin(["resolved", "fuzzy"]), None,
                                        "region:" + out["region_status"].astype(str)), index=out.index))

    col = _col(raw, cm, "decile")
    out["decile"] = _int_or_na(col.reset_index(drop=True)).to_numpy() if col is not None else pd.array([pd.NA] * n, dtype="Int64")

    # flags ------------------------------------------------------------------------------------------
    if flags:
        fl = pd.concat(flags, axis=1)
        joined = fl.apply(lambda col: col.astype("string"), axis=0).fillna("")
        s = joined.iloc[:, 0]
        for i in range(1, joined.shape[1]):
            s = s.str.cat(joined.iloc[:, i], sep=";")
        s = s.str.replace(r";{2,}", ";", regex=True).str.strip(";")
        out["flags"] = s.where(s != "", None).astype(object).to_numpy()
    else:
        out["flags"] = None
    dup = out["record_id_status"] == "duplicate"
    if dup.any():
        out.loc[dup, "flags"] = ("record_id:duplicate;" + out.loc[dup, "flags"].fillna("")).str.strip(";")
    out.attrs["column_mapping"] = cm
    out.attrs["source"] = name
    return out
