"""Parse dates of birth as they appear in Indonesian lists.

Indonesian dates are written day first (D-M-Y). The lists mix every spelling of that, spreadsheet
numbers and timestamps::

    >>> from linkmiskin.standardise.dates import parse_date
    >>> parse_date("BEKASI, 17-08-1985")
    {'date': '1985-08-17', 'year': 1985, 'month': 8, 'day': 17, 'date_status': 'ok', 'date_placeholder': False}
    >>> parse_date("45-03-1987")["date_status"]
    'impossible_day'

A pandas Series gives a DataFrame with the same index (``parse_date(df["TGL_LAHIR"])``): ``date`` and
``date_status`` as ``string[pyarrow]``, ``year``/``month``/``day`` as ``Int64``, ``date_placeholder`` as
``bool``; missing values are ``<NA>`` in a DataFrame and ``None`` in a dict.

Output columns (dict keys for a scalar)
---------------------------------------

``date``
    ISO ``'YYYY-MM-DD'`` when a real, in-range date was read, else ``None``.
``year``, ``month``, ``day``
    pandas nullable ``Int64``. Parts that were read are kept even when the whole date is not usable:
    ``'45-03-1987'`` gives year 1987, month 3, day NA; ``'1985'`` gives year 1985 only.
``date_status``
    One of the statuses below.
``date_placeholder``
    ``True`` for a real date on a Dukcapil placeholder: 1 January, 1 July, 31 December, or **any 15th**
    (Permendagri 19/2010 prescribes 1 July for an unknown birth date and the 15th when only the month
    is known; SIMDUK used 31 December; 1 January is a popular "don't know"). Exact agreement on such a
    date says little; compare the year instead.

Statuses
--------

``ok``
    A real date between 1900-01-01 and the reference date (today).
``placeholder``
    A real date on 01-01, 01-07 or 31-12. ``date`` and the parts are filled, as for ``ok``. The 15th
    does not get this status (most people recorded on a 15th really were born then, and the day alone
    cannot tell them apart); it only sets ``date_placeholder``.
``missing``
    ``None``, NaN, NaT, ``""``, ``"-"``, ``"0"``, ``"BELUM ADA"``, ``"TIDAK ADA"``, ``"NULL"``, ``"N/A"``,
    ``"TIDAK TAHU"``, ..., or a date made only of zeros (``"00-00-0000"``, ``"0000-00-00"``).
``year_only``
    Only a year: ``"1985"``, ``1985.0``, ``"THN 1985"``, ``"BEKASI, 1985"``, or a date whose month is
    ``00`` (``"00-00-1985"``: day and month unknown).
``impossible_day``
    Year and month are known, the day is not: impossible (``"45-03-1987"``, ``"31-02-1990"``,
    ``"29-02-1991"``), zero (``"00-07-1960"``), or not written (``"AGUSTUS 1985"``, ``"08-1985"``).
``out_of_range``
    Year before 1900 or a date after the reference date. ``date`` is ``None``; the parts read are kept
    for inspection (``"17-08-2085"`` gives year 2085, month 8, day 17).
``unparseable``
    Nothing date-like was found (``"abc"``, ``"17-08"``, a 7-digit number), or the month cannot be a
    month (``"17-13-1985"``: 13 cannot be the month and 17 cannot either). The year is kept when one was
    read.

Formats read
------------

* Day first with ``-``, ``/``, ``.`` or spaces: ``17-08-1985``, ``17/8/1985``, ``7-8-1985``,
  ``17.08.1985``, ``17 - 08 - 1985``, two-digit years ``17-08-85``.
  With ``dayfirst=False`` the first number is the month (US order).
  When the month position holds 13-31 and the day position 1-12, the two are swapped (``08-17-1985``
  is read as 17 August 1985 even with ``dayfirst=True``: a US-ordered export). The swap is silent
  (status ``ok``); a swap between two values that are both 12 or less cannot be detected.
* Year first: ``1985-08-17``, ``1985/08/17``; with a time: ``1985-08-17 00:00:00``,
  ``1985-08-17T00:00:00``, ``17/08/1985 00:00``.
* Eight digits: ``19850817`` (YYYYMMDD) or ``17081985`` (DDMMYYYY). A value cannot be a real date both
  ways (digits 5-6 would have to be 19 or 20 and a month at once), so the real reading is used.
  Six digits: ``170885`` (DDMMYY).
* Month names in Indonesian, old spelling, abbreviations, English and Dutch, from
  ``data/month_names.csv``: ``17 Agustus 1985``, ``17-Agt-1985``, ``17 AGUSTUS 85``,
  ``3 Pebruari 1960``, ``9 Nop 1971``, ``5 Sept. 1990``, ``August 17, 1985``, ``Agustus 1985``.
* A place before the date, as in the KTP field *Tempat/Tgl Lahir*: ``BEKASI, 17-08-1985``,
  ``Kab. Bekasi 17 Agustus 1985``.
* Excel serial day numbers (days since 1899-12-30) with five digits: ``31276`` or ``31276.0`` is
  1985-08-17 (10000-99999, i.e. 1927 onwards; four-digit numbers are years).
* ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` objects and
  datetime64 columns.

Century of two-digit years
--------------------------

``YY`` is ``20YY`` when that date is not after the reference date, else ``19YY``: ages come out between
0 and 99, the right bet for people alive (the same rule as :func:`linkmiskin.standardise.nik.parse_nik`).
``17-08-85`` is 1985; ``17-08-15`` is 2015; on 2025-06-01, ``17-08-25`` is 1925.

Speed: the Series form factorizes the values and runs a few pyarrow regular expressions and numpy
operations on the unique values only (each pattern only on the values no earlier pattern matched). One
million rows take about half a second to a second when dates repeat, as birth dates do, and about two
seconds when every value is distinct (a place name before each date). The scalar form runs the same code
on a one-element Series.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkmiskin.facts import MISSING_TOKENS

# Shared vectorised helpers (factorize to unique texts, arrow masking, calendar arithmetic).
from linkmiskin.standardise.nik import _STR, _as_series, _flag, _iso_dates, _real_date, _unique_text

__all__ = ["DATE_COLUMNS", "DATE_STATUSES", "PLACEHOLDER_DAY_MONTHS", "heaped_dates", "is_placeholder", "month_names",
           "placeholder_days_not_heaped",
           "parse_date"]

DATE_STATUSES = ("ok", "missing", "placeholder", "impossible_day", "year_only", "unparseable", "out_of_range")
DATE_COLUMNS = ("date", "year", "month", "day", "date_status", "date_placeholder")

#: (day, month) pairs that Dukcapil used or people choose for an unknown birth date.
PLACEHOLDER_DAY_MONTHS = ((1, 1), (1, 7), (31, 12))
#: Day used when only the month of birth is known (Permendagri 19/2010).
PLACEHOLDER_DAY = 15

_MISSING_TOKENS = tuple(sorted(MISSING_TOKENS))

_TIME = (
    r"(?:T|\s)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AP]M)?"
    r"(?:\s?(?:WIB|WITA|WIT|UTC|GMT|Z|[+-]\d{2}:?\d{2}))?$"
)
_SEP = r"(?:\s*[-/.]\s*|\s+)"
# Tried in this order on the upper-case text; the first that matches (and, for month names, whose word is a
# month) wins. Patterns are anchored at the end only, so any place name may precede the date.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("ymd", rf"(?:^|[^0-9])(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<d>\d{{1,2}})$"),
    ("dmy", rf"(?:^|[^0-9])(?P<a>\d{{1,2}}){_SEP}(?P<b>\d{{1,2}}){_SEP}(?P<y>\d{{4}}|\d{{2}})$"),
    ("named_dmy", r"(?:^|[^0-9])(?P<d>\d{1,2})\s*[-/.,]?\s*(?P<w>[A-Z]{3,10})\.?\s*[-/.,]?\s*(?P<y>\d{4}|\d{2})$"),
    ("named_mdy", r"(?:^|[^A-Z])(?P<w>[A-Z]{3,10})\.?\s*(?P<d>\d{1,2})(?:ST|ND|RD|TH)?\s*,?\s*(?P<y>\d{4})$"),
    ("named_my", r"(?:^|[^A-Z])(?P<w>[A-Z]{3,10})\.?\s*[-/.,]?\s*(?P<y>\d{4})$"),
    ("my", rf"(?:^|[^0-9])(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})$"),
    ("ym", rf"^(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}})$"),
    ("serial", r"^(?P<n>\d{5})(?:[.,]\d+)?$"),
    ("digits", r"(?:^|[^0-9])(?P<n>\d{4}|\d{6}|\d{8})$"),
)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_TRIM = " \t\r\n'\"`.,;"


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Month names and abbreviations (upper case) -> month number, from ``data/month_names.csv``."""
    text = resources.files("linkmiskin").joinpath("data", "month_names.csv").read_text(encoding="utf-8")
    return {
        row["name"].strip().upper(): int(row["month"])
        for row in csv.DictReader(io.StringIO(text))
        if row.get("name")
    }


def is_placeholder(month: Any, day: Any) -> bool:
    """True when (day, month) is a Dukcapil placeholder birth day: 01-01, 01-07, 31-12 or any 15th."""
    try:
        m, d = int(month), int(day)
    except (TypeError, ValueError):
        return False
    return (d, m) in PLACEHOLDER_DAY_MONTHS or d == PLACEHOLDER_DAY


#: a day of the year is heaped when it holds this many times the typical count of its neighbours ...
HEAP_RATIO = 4.0
#: ... and at least this many records (so that a small list's chance coincidences are not heaps)
HEAP_MIN_COUNT = 8
#: a day of the month (every 1st, every 15th) is heaped at this ratio to the other days and this count
DAY_HEAP_RATIO = 2.5
DAY_HEAP_MIN_COUNT = 30
#: neighbours looked at on each side of a day of the year
HEAP_WINDOW = 15
_MONTH_START = np.array([0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335])  # leap-year day of year


def _day_of_year_counts(g: np.ndarray, doy: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Records per (group, day of the year) and the typical count of the ``HEAP_WINDOW`` days either side."""
    counts = np.bincount(g * 366 + doy, minlength=n_groups * 366).reshape(n_groups, 366).astype(float)
    w = HEAP_WINDOW
    padded = np.concatenate([counts[:, -w:], counts, counts[:, :w]], axis=1)      # the year wraps around
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * w + 1, axis=1)  # (groups, 366, 2w+1)
    neighbours = np.delete(windows, w, axis=2)
    typical = np.maximum(np.median(neighbours, axis=2), neighbours.mean(axis=2) / 2)
    return counts, typical


def _day_of_month_rates(g: np.ndarray, day: np.ndarray, month: np.ndarray,
                        n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (group, day of the month): a typical month's count (the median over the months that have the day),
    the typical day's rate, and the records over all months."""
    counts = np.bincount((g * 12 + month - 1) * 31 + day - 1, minlength=n_groups * 372).reshape(n_groups, 12, 31)
    exists = np.arange(31)[None, :] < np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[:, None]
    per_month = np.where(exists[None], counts.astype(float), np.nan)
    rate = np.nanmedian(per_month, axis=1)                       # (groups, 31): a typical month's count
    typical = np.median(rate, axis=1, keepdims=True)
    return rate, typical, counts.sum(axis=1)


def _day_month_heaps(g: np.ndarray, doy: np.ndarray, n_groups: int) -> np.ndarray:
    """Per record: its day of the year is far more frequent in its group than the neighbouring days."""
    counts, typical = _day_of_year_counts(g, doy, n_groups)
    heap = (counts >= HEAP_MIN_COUNT) & (counts >= HEAP_RATIO * np.maximum(typical, 0.5))
    return heap[g, doy]


def _day_of_month_heaps(g: np.ndarray, day: np.ndarray, month: np.ndarray, n_groups: int) -> np.ndarray:
    """Per record: its day of the month (every 1st...) is far more frequent in its group than the other days,
    month by month (the median over the months, so one heaped day of the year does not make a monthly heap)."""
    rate, typical, total = _day_of_month_rates(g, day, month, n_groups)
    heap = (total >= DAY_HEAP_MIN_COUNT) & (rate >= DAY_HEAP_RATIO * np.maximum(typical, 0.5))
    return heap[g, day - 1]


#: a fixed placeholder day is judged only where a typical day of the year holds this many records ...
NOT_HEAPED_MIN_TYPICAL = 4.0
#: ... and it is a real day when it holds less than this many times the typical count
NOT_HEAPED_RATIO = 1.5


def _iso_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mask of ISO ``YYYY-MM-DD`` strings, and their month and day (each distinct value read once)."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    iso_u = u.astype("string").str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    text = u[iso_u].astype(str)
    month_u = np.zeros(len(u), dtype=np.int64)
    day_u = np.zeros(len(u), dtype=np.int64)
    month_u[iso_u] = text.str[5:7].astype(int).to_numpy()
    day_u[iso_u] = text.str[8:10].astype(int).to_numpy()
    iso = np.zeros(len(s), dtype=bool)
    known = codes >= 0
    iso[known] = iso_u[codes[known]]
    return iso, month_u[codes[iso]], day_u[codes[iso]]


def _group_codes(groups: Any, n: int) -> np.ndarray:
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    if len(groups) != n:
        raise ValueError(f"date groups: {len(groups)} group labels for {n} dates")
    return pd.factorize(pd.Series(groups, dtype=object).fillna("").to_numpy(dtype=object))[0]


def _grouped_days(dates: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """An all-False result array, the mask of ISO dates, and for those dates their group codes, the number of
    groups, month, day and day of the year (None when no date is ISO)."""
    s = pd.Series(dates, dtype=object) if not isinstance(dates, pd.Series) else dates
    out = np.zeros(len(s), dtype=bool)
    grp = _group_codes(groups, len(s))
    iso, month, day = _iso_parts(s)
    if not iso.any():
        return out, iso, None
    g = grp[iso]
    return out, iso, (g, int(g.max()) + 1, month, day, _MONTH_START[month - 1] + day - 1)


def placeholder_days_not_heaped(dates: Any, groups: Any = None) -> np.ndarray:
    """True for dates on a fixed Dukcapil placeholder day that this data shows to be an ordinary day.

    The fixed list (1 January, 1 July, 31 December, any 15th) is a prior from Indonesian registers. Where a
    group holds enough dates to see it (a typical day of the year has ``NOT_HEAPED_MIN_TYPICAL`` records) and
    the day holds less than ``NOT_HEAPED_RATIO`` times its typical count (for the 15th: a typical month's 15th
    against a typical day of the month), nobody piled unknown birth days on it here: the date is real
    (a list from outside Dukcapil's habits, a clean register). Small groups keep the prior.

    >>> days = pd.Series([f"19{y}-{m:02d}-{d:02d}" for y in range(70, 80) for m in range(1, 13) for d in range(1, 29)])
    >>> ordinary = placeholder_days_not_heaped(days)
    >>> bool(ordinary[days.eq("1975-06-15").to_numpy()][0]), int(ordinary.sum())    # every 15th, 1 January, 1 July
    (True, 140)
    >>> bool(placeholder_days_not_heaped(days[:300]).any())                    # too few dates to judge
    False
    """
    out, iso, parts = _grouped_days(dates, groups)
    if parts is None:
        return out
    g, n_groups, month, day, doy = parts
    counts, typical = _day_of_year_counts(g, doy, n_groups)
    enough = typical[g, doy] >= NOT_HEAPED_MIN_TYPICAL
    ordinary_doy = counts[g, doy] < NOT_HEAPED_RATIO * typical[g, doy]
    rate, typical_dom, _ = _day_of_month_rates(g, day, month, n_groups)
    ordinary_dom = rate[g, day - 1] < NOT_HEAPED_RATIO * typical_dom[g, 0]
    yearly = np.zeros(len(day), dtype=bool)
    for d_, m_ in PLACEHOLDER_DAY_MONTHS:
        yearly |= (day == d_) & (month == m_)
    monthly = day == PLACEHOLDER_DAY
    ordinary = np.where(yearly, ordinary_doy, True) & np.where(monthly, ordinary_dom, True)
    out[iso] = (yearly | monthly) & enough & ordinary
    return out


def heaped_dates(dates: Any, groups: Any = None) -> np.ndarray:
    """True for dates that are placeholders in *this* data: heaps far above their neighbours.

    Lists where the birth day was unknown pile people on one day (1 January, 1 July, 31 December, 17 August,
    or the 1st or 15th of every month), and how much depends on the region and the agency. Within each
    group (a source's kabupaten, say), a day of the year is heaped when it holds at least
    ``HEAP_MIN_COUNT`` records and ``HEAP_RATIO`` times the typical (median) count of the
    ``HEAP_WINDOW`` days on either side; a day of the month is heaped when it holds ``DAY_HEAP_RATIO``
    times the typical day's share (per month that has it) and ``DAY_HEAP_MIN_COUNT`` records. The fixed
    Dukcapil list (``date_placeholder`` of :func:`parse_date`) stays as the prior; this adds to it.

    ``dates``: ISO ``YYYY-MM-DD`` strings (others are never heaped); ``groups``: a label per date (None:
    one group).

    >>> d = pd.Series(["1980-07-01"] * 9 + [f"1980-{m:02d}-{x:02d}" for m in range(1, 13) for x in (3, 9, 20)])
    >>> h = heaped_dates(d)
    >>> bool(h[0]), bool(h[-1])
    (True, False)
    """
    out, iso, parts = _grouped_days(dates, groups)
    if parts is None:
        return out
    g, n_groups, month, day, doy = parts
    out[iso] = _day_month_heaps(g, doy, n_groups) | _day_of_month_heaps(g, day, month, n_groups)
    return out


def _reference(reference_date: Any) -> _dt.date:
    if reference_date is None:
        return _dt.date.today()
    if isinstance(reference_date, _dt.datetime):
        return reference_date.date()
    if isinstance(reference_date, _dt.date):
        return reference_date
    if isinstance(reference_date, str):
        return _dt.date.fromisoformat(reference_date)
    raise TypeError("reference_date must be a date, an ISO date string or None")


def _ints(arr: pa.Array) -> np.ndarray:
    """Digit strings -> int64 numpy array; ``""``/null -> -1."""
    arr = pc.fill_null(arr, "")
    arr = pc.if_else(pc.equal(arr, ""), "-1", arr)
    return pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)


def _field(parts: pa.Array, name: str) -> pa.Array:
    return pc.fill_null(pc.struct_field(parts, name), "")


def _on_subset(mask: np.ndarray, arr: pa.Array, fn: Any) -> pa.Array:
    """``fn(arr)`` where ``mask`` (computed on those rows only), ``arr`` elsewhere."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return arr
    n = len(arr)
    done = fn(arr.take(pa.array(idx)))
    index = np.arange(n)
    index[idx] = n + np.arange(len(idx))
    return pc.take(pa.concat_arrays([arr, done]), pa.array(index))


_Ymd = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _unique_texts(x: Any) -> tuple[pd.Series, bool, np.ndarray, pa.Array]:
    """The input as a Series, whether it was a scalar, each row's code and the distinct texts (datetimes as ISO)."""
    s, is_scalar = _as_series(x)
    if s.dtype.kind == "M":  # datetime64 column: its ISO text, formatted in C
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        day_codes, uniq = pd.factorize(s.to_numpy(dtype="datetime64[D]"))
        iso = pd.Categorical.from_codes(day_codes, categories=np.datetime_as_string(uniq))
        s = pd.Series(iso, index=s.index)
    codes, raw, _ = _unique_text(s)
    return s, is_scalar, codes, raw.cast(_STR)


def _clean_date_text(raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The texts upper-cased and trimmed, a time of day and a ``.0`` dropped; which are missing markers."""
    text = pc.utf8_upper(pc.utf8_normalize(pc.fill_null(raw, ""), "NFKC"))
    text = pc.utf8_trim(text, characters=_TRIM)
    text = _on_subset(
        _flag(pc.match_substring(text, ":")), text,
        lambda t: pc.utf8_trim(pc.replace_substring_regex(t, _TIME, ""), characters=_TRIM),
    )
    text = _on_subset(
        _flag(pc.match_substring(text, ".")) | _flag(pc.match_substring(text, ",")), text,
        lambda t: pc.replace_substring_regex(t, r"^(\d+)[.,]0+$", r"\1"),  # 1985.0, 31236.0
    )
    zeros_only = _flag(pc.match_substring_regex(text, r"^[0\s\-/.:]+$"))
    missing = _flag(pc.is_in(text, value_set=pa.array(_MISSING_TOKENS, type=_STR))) | zeros_only
    return text, missing


def _named_fields(name: str, parts: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day and two-digit-year mark of ``17 AGUSTUS 1985`` / ``AGUSTUS 1985``; which name a month."""
    names = month_names()
    name_month = np.array([*names.values(), -1], dtype=np.int64)
    word = pc.index_in(_field(parts, "w"), value_set=pa.array(list(names), type=_STR))
    m = name_month[pc.fill_null(word, len(names)).to_numpy(zero_copy_only=False)]
    ytxt = _field(parts, "y")
    y = _ints(ytxt)
    yy = _flag(pc.equal(pc.utf8_length(ytxt), 2))
    d = np.full(len(parts), -1, dtype=np.int64) if name == "named_my" else _ints(_field(parts, "d"))
    ok = m > 0  # "BEKASI 1985": not a month name, leave it to the year pattern
    return ok, y, m, d, yy


def _dmy_fields(parts: pa.Array, dayfirst: bool) -> _Ymd:
    """Year, month, day and two-digit-year mark of ``17-08-1985``; a month above 12 means month first."""
    a, b = _ints(_field(parts, "a")), _ints(_field(parts, "b"))
    d, m = (a, b) if dayfirst else (b, a)
    swap = (m > 12) & (d >= 1) & (d <= 12)  # 08-17-1985: a month-first export
    d, m = np.where(swap, m, d), np.where(swap, d, m)
    ytxt = _field(parts, "y")
    return _ints(ytxt), m, d, _flag(pc.equal(pc.utf8_length(ytxt), 2))


def _serial_fields(parts: pa.Array) -> _Ymd:
    """Year, month and day of an Excel day number (``31236``)."""
    when = _EXCEL_EPOCH + _ints(_field(parts, "n")).astype("timedelta64[D]")
    y = when.astype("datetime64[Y]").astype(np.int64) + 1970
    m = when.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (when - when.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d, np.zeros(len(parts), dtype=bool)


def _digit_fields(parts: pa.Array, dayfirst: bool) -> _Ymd:
    """Year, month and day of bare digits: 4 = year, 6 = DDMMYY, 8 = YYYYMMDD or DDMMYYYY (the real date wins)."""
    ntxt = _field(parts, "n")
    length = pc.utf8_length(ntxt).to_numpy(zero_copy_only=False)
    num = _ints(ntxt)
    none = np.full(len(parts), -1, dtype=np.int64)
    # six digits: DDMMYY (MMDDYY when not dayfirst)
    p6, q6 = num // 10000, num // 100 % 100
    d6, m6 = (p6, q6) if dayfirst else (q6, p6)
    # eight digits: YYYYMMDD, or DDMMYYYY (MMDDYYYY when not dayfirst)
    y1, m1, d1 = num // 10000, num // 100 % 100, num % 100
    p8, q8, y2 = num // 1000000, num // 10000 % 100, num % 10000
    d2, m2 = (p8, q8) if dayfirst else (q8, p8)
    real1 = (y1 >= 1800) & _real_date(y1, m1, d1)
    real2 = (y2 >= 1800) & _real_date(y2, m2, d2)
    plausible1 = (y1 >= 1800) & (y1 <= 2200) & (m1 >= 1) & (m1 <= 12)
    first_way = real1 | (~real2 & plausible1)
    y = np.select([length == 4, length == 6, first_way], [num, num % 100, y1], y2)
    m = np.select([length == 4, length == 6, first_way], [none, m6, m1], m2)
    d = np.select([length == 4, length == 6, first_way], [none, d6, d1], d2)
    return y, m, d, length == 6


def _pattern_fields(name: str, parts: pa.Array, dayfirst: bool
                    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day and two-digit-year mark read by the pattern ``name``; which rows it keeps (None: all)."""
    if name.startswith("named"):
        return _named_fields(name, parts)
    if name in ("ymd", "my", "ym"):
        y, m = _ints(_field(parts, "y")), _ints(_field(parts, "m"))
        d = _ints(_field(parts, "d")) if name == "ymd" else np.full(len(parts), -1, dtype=np.int64)
        return None, y, m, d, np.zeros(len(parts), dtype=bool)
    if name == "dmy":
        return None, *_dmy_fields(parts, dayfirst)
    if name == "serial":
        return None, *_serial_fields(parts)
    return None, *_digit_fields(parts, dayfirst)


def _match_patterns(text: pa.Array, missing: np.ndarray, dayfirst: bool) -> tuple[_Ymd, np.ndarray]:
    """Year, month, day (-1 when absent) and two-digit-year mark from the first pattern that fits; rows none fit."""
    n = len(text)
    year = np.full(n, -1, dtype=np.int64)
    month = np.full(n, -1, dtype=np.int64)
    day = np.full(n, -1, dtype=np.int64)
    two_digit = np.zeros(n, dtype=bool)
    todo = ~missing
    for name, regex in _PATTERNS:
        idx = np.flatnonzero(todo)
        if len(idx) == 0:
            break
        hit = _flag(pc.match_substring_regex(text.take(pa.array(idx)), regex))
        idx = idx[hit]
        if len(idx) == 0:
            continue
        parts = pc.extract_regex(text.take(pa.array(idx)), regex)
        ok, y, m, d, yy = _pattern_fields(name, parts, dayfirst)
        if ok is not None:
            idx, y, m, d, yy = idx[ok], y[ok], m[ok], d[ok], yy[ok]
        year[idx], month[idx], day[idx], two_digit[idx] = y, m, d, yy
        todo[idx] = False
    return (year, month, day, two_digit), todo


def _full_year(year: np.ndarray, month: np.ndarray, day: np.ndarray, two_digit: np.ndarray,
               ref: _dt.date) -> np.ndarray:
    """Two-digit years as 20YY unless that is after the reference date, then 19YY."""
    ref_int = ref.year * 10000 + ref.month * 100 + ref.day
    mm_for = np.where((month >= 1) & (month <= 12), month, 1)
    dd_for = np.where(day >= 1, np.minimum(day, 31), 1)
    y20 = 2000 + year
    return np.where(two_digit, np.where(y20 * 10000 + mm_for * 100 + dd_for <= ref_int, y20, y20 - 100), year)


def _date_status(year: np.ndarray, month: np.ndarray, day: np.ndarray, found: np.ndarray, missing: np.ndarray,
                 ref: _dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each date's status (an index into DATE_STATUSES), its placeholder mark, and which year/month/day to keep."""
    ref_int = ref.year * 10000 + ref.month * 100 + ref.day
    has_year = found & ~missing & (year >= 0)
    has_month = has_year & (month >= 1) & (month <= 12)
    bad_month = has_year & (month > 12)
    has_day = has_month & _real_date(year, month, day)
    month_zero = has_year & ((month == 0) | (month < 0))
    too_old = year < 1900
    future = np.where(
        has_day,
        year * 10000 + month * 100 + day > ref_int,
        np.where(has_month, year * 100 + month > ref.year * 100 + ref.month, year > ref.year),
    )
    placeholder_dm = np.zeros(len(year), dtype=bool)
    for d_, m_ in PLACEHOLDER_DAY_MONTHS:
        placeholder_dm |= (day == d_) & (month == m_)

    status = np.select(
        [
            missing,
            ~has_year,
            has_year & (too_old | future) & ~bad_month,
            bad_month,
            month_zero,
            ~has_day,
            placeholder_dm,
        ],
        [1, 5, 6, 5, 4, 3, 2],
        default=0,
    )  # indexes into DATE_STATUSES
    usable = (status == 0) | (status == 2)
    flag = usable & (placeholder_dm | (day == PLACEHOLDER_DAY))
    return status, flag, has_year, has_month & (status != 4), has_day


def _parse_core(x: Any, *, dayfirst: bool, reference_date: Any) -> tuple[pd.DataFrame, bool]:
    """Dates parsed once per distinct text (clean, match a pattern, complete the year, classify), per row."""
    ref = _reference(reference_date)
    s, is_scalar, codes, raw = _unique_texts(x)
    text, missing = _clean_date_text(raw)
    (year, month, day, two_digit), todo = _match_patterns(text, missing, dayfirst)
    year = _full_year(year, month, day, two_digit, ref)
    status, flag, keep_year, keep_month, keep_day = _date_status(year, month, day, ~todo, missing, ref)
    usable = (status == 0) | (status == 2)
    cols: dict[str, Any] = {
        "date": pd.arrays.ArrowStringArray(pc.take(_iso_dates(year, month, day, usable), pa.array(codes))),
        "year": pd.arrays.IntegerArray(year[codes], ~keep_year[codes]),
        "month": pd.arrays.IntegerArray(np.where(keep_month, month, 0)[codes], ~keep_month[codes]),
        "day": pd.arrays.IntegerArray(np.where(keep_day, day, 0)[codes], ~keep_day[codes]),
        "date_status": pd.arrays.ArrowStringArray(
            pc.take(pa.array(DATE_STATUSES, type=_STR), pa.array(status[codes]))
        ),
        "date_placeholder": flag[codes],
    }
    return pd.DataFrame(cols, index=s.index, copy=False), is_scalar

def parse_date(x: Any, *, dayfirst: bool = True, reference_date: Any = None) -> Any:
    """Parse dates (of birth) written in any of the forms found in Indonesian lists.

    ``x`` is one value (returns a dict) or a pandas Series (returns a DataFrame with the same index: a
    list or array gives a RangeIndex). ``dayfirst=False`` reads ``08-17-1985`` as month first.
    ``reference_date`` (default today) is the latest allowed date and anchors the century of two-digit
    years. See the module documentation for columns, statuses and formats.

    >>> parse_date("17 Agt 85")["date"]
    '1985-08-17'
    """
    df, is_scalar = _parse_core(x, dayfirst=dayfirst, reference_date=reference_date)
    if not is_scalar:
        return df
    row = df.iloc[0]
    out: dict[str, Any] = {}
    for c in df.columns:
        v = row[c]
        if v is pd.NA or v is None:
            out[c] = None
        elif isinstance(v, (bool, np.bool_)):
            out[c] = bool(v)
        elif isinstance(v, (int, np.integer)):
            out[c] = int(v)
        else:
            out[c] = v
    return out
