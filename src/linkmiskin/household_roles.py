"""Sex (jenis kelamin) and relationship to the household head (SHDK / hubungan keluarga).

Both are small code lists kept in ``data/sex_codes.csv`` and ``data/relationship_codes.csv``.

>>> from linkmiskin.household_roles import normalize_sex, normalize_relationship
>>> normalize_sex("Laki-Laki"), normalize_sex("PR"), normalize_sex("2")
('L', 'P', 'P')
>>> normalize_relationship("Kepala Keluarga"), normalize_relationship("ISTRI")
('KEPALA', 'PASANGAN')
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

_MISSING = {"", "-", "0", "NAN", "NONE", "NULL", "N/A", "NA", "BELUM ADA", "TIDAK ADA", "TDK ADA", "?"}


@cache
def _table(name: str) -> dict[str, str]:
    with resources.files("linkmiskin").joinpath(f"data/{name}").open(encoding="utf-8") as f:
        df = pd.read_csv(f, comment="#", dtype=str, keep_default_na=False)
    return dict(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))


def _uniques(values: object) -> tuple[np.ndarray, pd.Series]:
    """Factorize: codes (missing -> the extra last unique) and the distinct values as a string Series."""
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    u = pd.concat([u, pd.Series([None], dtype=object)], ignore_index=True)
    codes = np.where(codes < 0, len(u) - 1, codes)
    return codes, u.astype("string").str.strip()


def _missing(u: pd.Series) -> np.ndarray:
    return (u.isna() | u.str.upper().isin(_MISSING)).to_numpy(dtype=bool)


def _expand(codes: np.ndarray, index: pd.Index, **columns: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({k: v.take(codes) for k, v in columns.items()}, index=index)


def _index_of(values: object) -> pd.Index:
    return values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))  # type: ignore[arg-type]


def sex_frame(values: pd.Series) -> pd.DataFrame:
    """Vectorised sex normalisation: columns ``sex`` (L/P/None) and ``sex_status`` (ok/missing/unknown).

    Works once per distinct value. Accepted: ``L``/``P``, ``LK``/``PR``, ``Laki-laki``, ``Laki2``,
    ``Perempuan``, ``Pria``/``Wanita``, ``M``/``F``, ``1``/``2`` (Dukcapil/BPS: 1 laki-laki, 2 perempuan),
    ``1.0``/``2.0`` and coded labels such as ``1. Laki-laki``; the list is ``data/sex_codes.csv``.
    """
    codes, u = _uniques(values)
    key = u.str.upper().str.replace(r"^(\d)\.0$", r"\1", regex=True)
    key = key.str.replace(r"^\d+\s*[.)\-:]\s*(?=\D)", "", regex=True)  # "1. LAKI-LAKI", "2 - PEREMPUAN"
    key = key.str.replace(r"\s*\(.*\)\s*$", "", regex=True)  # "L (LAKI-LAKI)"
    key = key.str.replace(r"[\s.\-_/]+", "", regex=True)
    sex = key.map(_table("sex_codes.csv")).astype(object)
    sex = sex.where(sex.notna(), None)
    status = np.where(sex.isna().to_numpy(), "unknown", "ok").astype(object)
    missing = _missing(u)
    status[missing] = "missing"
    sex_arr = sex.to_numpy(dtype=object)
    sex_arr[missing] = None
    return _expand(codes, _index_of(values), sex=sex_arr, sex_status=status)


def relationship_frame(values: pd.Series) -> pd.DataFrame:
    """Vectorised relationship normalisation: ``relationship`` and ``relationship_status``.

    Statuses: ``ok``, ``missing``, ``unknown`` (text not in ``data/relationship_codes.csv``) and
    ``numeric_code_unknown_scheme`` (a bare code other than 1: Dukcapil SHDK and BDT/DTKS number the roles
    differently). Works once per distinct value.
    """
    codes, u = _uniques(values)
    key = u.str.upper().str.replace(r"\.0$", "", regex=True)
    key = key.str.replace(r"^\d+\s*(?:[.):\-]\s*|\s+)(?=\D)", "", regex=True)  # "1. KEPALA", "03 ANAK"
    key = key.str.replace(r"\s*/\s*", "/", regex=True).str.replace(r"[\s_]+", " ", regex=True)
    key = key.str.strip(" .")
    rel = key.map(_table("relationship_codes.csv")).astype(object)
    rel = rel.where(rel.notna(), None)
    numeric = key.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    unknown = rel.isna().to_numpy()
    status = np.where(unknown, "unknown", "ok").astype(object)
    status[unknown & numeric] = "numeric_code_unknown_scheme"
    missing = _missing(u)
    status[missing] = "missing"
    rel_arr = rel.to_numpy(dtype=object)
    rel_arr[missing] = None
    return _expand(codes, _index_of(values), relationship=rel_arr, relationship_status=status)


def normalize_sex(x: object) -> str | None:
    """``L``, ``P`` or ``None`` for one value."""
    return sex_frame(pd.Series([x], dtype=object))["sex"].iloc[0]


def normalize_relationship(x: object) -> str | None:
    """Canonical relationship role for one value (``KEPALA``, ``PASANGAN``, ``ANAK``, ...)."""
    return relationship_frame(pd.Series([x], dtype=object))["relationship"].iloc[0]


