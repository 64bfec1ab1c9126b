"""Ages written instead of a birth date (health and school lists): ``34 TH``, ``34 THN``, ``34``, ``7 BLN``.

An age says the person was born within one year: someone aged 34 on a visit or list date in 2025 was born
in 1990 or 1991. :func:`parse_age` reads the age (years, or months/weeks/days for babies) and gives the
year in which the middle of that one-year window falls, ``birth_year_approx``: the true birth year is that
year or one next to it (± 1).

>>> from linkmiskin.standardise.ages import parse_age
>>> r = parse_age(pd.Series(["34 TH", "7 BLN", "2 th 3 bln", "abc"]), pd.Series(["2025-03-01"] * 4))
>>> r["age_years"].round(2).tolist(), r["birth_year_approx"].tolist(), r["age_status"].tolist()
([34.0, 0.58, 2.25, nan], [1990, 2024, 2022, <NA>], ['ok', 'ok', 'ok', 'invalid'])
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.facts import MISSING_TOKENS, ZERO_TOKENS

#: unit words -> years per unit
_UNITS = {
    "TAHUN": 1.0, "THN": 1.0, "TH": 1.0, "T": 1.0, "THUN": 1.0, "YR": 1.0, "YRS": 1.0, "YEARS": 1.0, "Y": 1.0,
    "BULAN": 1 / 12, "BLN": 1 / 12, "BL": 1 / 12, "BLAN": 1 / 12, "BUL": 1 / 12, "BN": 1 / 12, "M": 1 / 12,
    "MINGGU": 7 / 365.25, "MGG": 7 / 365.25, "MG": 7 / 365.25,
    "HARI": 1 / 365.25, "HR": 1 / 365.25, "H": 1 / 365.25,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([A-Z]*)\.?")
#: missing cells of an age column: the shared missing tokens, except zero (a baby's age is 0)
_MISSING = MISSING_TOKENS - ZERO_TOKENS
#: the oldest age read as real
MAX_AGE = 120


def _one(text: Any) -> tuple[float | None, float, str]:
    """(age in years, half the width of the unit it was written in, status) for one cell."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None, 0.0, "missing"
    t = str(text).strip().upper()
    if t in _MISSING:
        return None, 0.0, "missing"
    t = re.sub(r"^(?:UMUR|USIA)\s*[:.]?\s*", "", t)
    pos, total, finest = 0, 0.0, None
    for m in _PART.finditer(t):
        if t[pos:m.start()].strip(" ,;/+&"):
            return None, 0.0, "invalid"
        unit = m.group(2) or ("TAHUN" if finest is None else "")
        if unit not in _UNITS:
            return None, 0.0, "invalid"
        size = _UNITS[unit]
        total += float(m.group(1).replace(",", ".")) * size
        finest = size if finest is None else min(finest, size)
        pos = m.end()
    if finest is None or t[pos:].strip(" ,;/+&"):
        return None, 0.0, "invalid"
    if not 0 <= total <= MAX_AGE:
        return None, 0.0, "invalid"
    return total, finest / 2, "ok"


def parse_age(values: pd.Series, on: Any) -> pd.DataFrame:
    """Ages and the approximate birth year they give, once per distinct (age, date) pair.

    ``values``: the age column (``34``, ``34 TH``, ``34 THN``, ``34 TAHUN``, ``7 BLN``, ``2 TH 3 BLN``,
    ``10 HARI``; a bare number is years). ``on``: the date each age was taken on (a Series of ISO dates
    ``YYYY-MM-DD`` or a single date or year); a row without it gets no birth year.

    Returns a DataFrame with the index of ``values``: ``age_years`` (float), ``age_status`` (``ok``,
    ``missing``, ``invalid``: not an age in 0..120) and ``birth_year_approx`` (``Int64``, ± 1 year).
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    n = len(s)
    if isinstance(on, pd.Series):
        dates = pd.to_datetime(pd.Series(on.to_numpy(dtype=object), dtype=object), errors="coerce")
    else:
        one = pd.Timestamp(f"{on}-07-01") if isinstance(on, (int, np.integer)) else pd.to_datetime(on)
        dates = pd.Series(pd.DatetimeIndex([one] * n))
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    parsed = [_one(u) for u in uniques] + [(None, 0.0, "missing")]
    take = np.where(codes < 0, len(uniques), codes)
    age = np.array([np.nan if p[0] is None else p[0] for p in parsed], dtype=float).take(take)
    half = np.array([p[1] for p in parsed], dtype=float).take(take)
    status = np.array([p[2] for p in parsed], dtype=object).take(take)
    # the middle of the window the age allows: aged 34 (years) means born between 35 and 34 years ago
    days = np.round((age + half) * 365.25)
    ok = ~np.isnan(days) & dates.notna().to_numpy()
    year = pd.array(np.full(n, None, dtype=object), dtype="Int64")
    if ok.any():
        born = dates[ok].to_numpy() - pd.to_timedelta(days[ok], unit="D").to_numpy()
        year[np.flatnonzero(ok)] = pd.DatetimeIndex(born).year.to_numpy()
    return pd.DataFrame({"age_years": age, "age_status": status, "birth_year_approx": year}, index=s.index)
