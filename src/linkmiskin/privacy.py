"""Masking of NIK and KK numbers (UU PDP).

NIK and KK numbers are never shown in full in logs, exceptions, reprs, charts or reports. They are masked
as the first four digits (province + kabupaten/kota), eight asterisks and the last four digits
(``3216********0001``): enough to see the region and tell rows apart, not enough to identify a person.
"""

from __future__ import annotations

import re

import pandas as pd

_DIGITS = re.compile(r"\D")


def mask_id(value: object) -> str:
    """Mask one NIK or KK number: ``"3216064508850003"`` -> ``"3216********0003"``.

    Anything that is not a number of at least 9 characters is masked whole, so the function is safe to call
    on any raw cell (``"3.21601E+15"`` -> ``"***********"``).

    >>> mask_id("3216064508850003")
    '3216********0003'
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    s = str(value).strip()
    if not s:
        return ""
    if s.isdigit() and len(s) >= 9:
        return s[:4] + "*" * (len(s) - 8) + s[-4:]
    return "*" * len(s)


def mask_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`mask_id` for a pandas Series."""
    s = values.astype("string").str.strip()
    is_num = s.str.fullmatch(r"\d{9,}").fillna(False)
    out = pd.Series("*", index=s.index, dtype="string").str.repeat(s.str.len().fillna(0).astype(int))
    lens = s.str.len().fillna(0).astype(int)
    masked_num = s.str[:4] + pd.Series("*", index=s.index, dtype="string").str.repeat((lens - 8).clip(lower=0)) + s.str[-4:]
    out = out.where(~is_num, masked_num)
    return out.fillna("")


def mask_text(text: str) -> str:
    """Mask every run of 15-16 digits (a NIK or KK) inside free text, e.g. an error message."""
    return re.sub(r"\d{15,16}", lambda m: mask_id(m.group(0)), text)
