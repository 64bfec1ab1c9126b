"""Masking of NIK and KK numbers (UU PDP).

NIK and KK numbers are never shown in full in logs, exceptions, warnings, reprs, charts, reports or the
review workbook. They are masked as the first four digits (province + kabupaten/kota), eight asterisks and
the last four digits (``3216********0001``): enough to see the region and tell rows apart, not enough to
identify a person.

The masking pass
----------------
Every text linkmiskin shows goes through :func:`mask_text`, which masks **every run of 15 or more digits**
(a NIK or KK, also one with a digit too many), wherever it stands: a column heading, a record id, a cell.

* log records of the ``"linkmiskin"`` logger are masked by :class:`MaskingFilter` (installed on import, so
  also DEBUG records and records formatted by any handler);
* the package's exceptions (``LinkError``, ``SourceError``, ``ColumnMappingError``, ``ReviewError``) derive
  from :class:`MaskedError`, which masks its message when it is raised;
* warnings go through :func:`warn`;
* reprs, the HTML report, charts and the review workbook call :func:`mask_text` / :func:`mask_series`.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import Any

import pandas as pd

_DIGITS = re.compile(r"\D")
#: a NIK or KK inside text: any run of 15 or more digits (not the decimals of a number: 0.004258717061485228)
_ID_RUN = re.compile(r"(?<!\d\.)(?<!\d)\d{15,}")


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


def mask_text(text: Any) -> str:
    """Mask every run of 15 or more digits (a NIK or KK) inside free text, e.g. an error message.
    The decimals of a number (``0.004258717061485228``) are left alone.

    >>> mask_text("kolom 3216064508850003 tidak dipakai")
    'kolom 3216********0003 tidak dipakai'
    """
    text = text if isinstance(text, str) else str(text)
    return _ID_RUN.sub(lambda m: mask_id(m.group(0)), text)


def looks_like_id(value: Any) -> bool:
    """True when ``value`` holds a run of 15 or more digits (a NIK or KK, or an id made of one)."""
    return value is not None and bool(_ID_RUN.search(str(value)))


class MaskedError(ValueError):
    """Base of linkmiskin's exceptions: the message is masked (:func:`mask_text`) when it is made, so a
    NIK in a column heading or a record id never reaches a traceback."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(mask_text(a) if isinstance(a, str) else a for a in args))


class MaskingFilter(logging.Filter):
    """A logging filter that masks NIK and KK numbers in a record's message and arguments.

    It formats the message once (``record.getMessage()``), masks it, and keeps the masked text with no
    arguments, so every handler (also a DEBUG file handler) sees only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string: mask what there is
            msg = f"{record.msg} {record.args}"
        record.msg = mask_text(msg)
        record.args = None
        return True


def install_log_masking(logger_name: str = "linkmiskin") -> None:
    """Put a :class:`MaskingFilter` on the package logger (done once, on import)."""
    lg = logging.getLogger(logger_name)
    if not any(isinstance(f, MaskingFilter) for f in lg.filters):
        lg.addFilter(MaskingFilter())


def warn(message: str, category: type[Warning] = UserWarning, stacklevel: int = 2) -> None:
    """:func:`warnings.warn` with the message masked."""
    warnings.warn(mask_text(message), category, stacklevel=stacklevel + 1)


install_log_masking()
