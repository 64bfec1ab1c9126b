"""Standardise one agency source into linkmiskin's canonical frame.

:func:`standardize` reads the source (a DataFrame or a CSV/Excel/Parquet path), finds its columns
(:mod:`linkmiskin.standardise.columns`), and runs every Indonesian standardiser on it:

* names (:mod:`linkmiskin.standardise.names`): titles removed, old spelling to EYD, Muhammad/Abdul variants unified,
  ``bin``/``binti`` split off, tokens and an Indonesian phonetic key;
* NIK and KK (:mod:`linkmiskin.standardise.nik`): cleaned, classified (valid, missing, placeholder, excel_damaged, ...),
  and the region, birth date and sex coded in the NIK;
* dates (:mod:`linkmiskin.standardise.dates`): Indonesian formats and month names, placeholder dates flagged;
* addresses and regions (:mod:`linkmiskin.standardise.address`, :mod:`linkmiskin.standardise.regions`): kampung/perumahan, RT/RW,
  desa and kecamatan resolved to current Kemendagri codes;
* sex and relationship (:mod:`linkmiskin.standardise.household_roles`).

Nothing is dropped: the output has exactly one row per input row, in the same order, and every field that
could not be trusted carries a status column and a short entry in ``flags``.

>>> import linkmiskin as lm
>>> std = lm.standardize("dtks.csv", region="32.16")              # doctest: +SKIP
>>> std[["record_id", "name", "nik_status", "desa_code", "rt", "rw", "flags"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkmiskin.facts import MISSING_TOKENS
from linkmiskin.standardise.columns import ColumnMapping, detect_columns
from linkmiskin.standardise.read import TableLike, _from_frame, read_table

log = logging.getLogger("linkmiskin")

_MISSING_TEXT = sorted(MISSING_TOKENS)
_ARROW_STR = "string[pyarrow]"
_REGION_COLUMNS = ("desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "region_status")


def _col(raw: pd.DataFrame, cm: ColumnMapping, field: str) -> pd.Series | None:
    c = cm.mapping.get(field)
    return None if c is None else _ranged(raw[c])


def _ranged(obj: Any) -> Any:
    """``obj`` with a 0..n-1 RangeIndex (without the copy ``reset_index`` makes when it already has one)."""
    if isinstance(obj.index, pd.RangeIndex) and obj.index.start == 0 and obj.index.step == 1:
        return obj
    return obj.reset_index(drop=True)


def _arr(s: pd.Series) -> Any:
    """The column's values without a copy: extension arrays as they are, numpy columns as ndarray."""
    return s.array if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else s.to_numpy()


def _const(n: int, value: Any) -> np.ndarray:
    """An object array holding one shared object (``np.full(n, "text", dtype=object)`` makes n strings)."""
    arr = np.empty(n, dtype=object)
    arr[:] = value
    return arr


def _none_series(n: int) -> pd.Series:
    return pd.Series(np.full(n, None, dtype=object), dtype=object)


def _by_unique(values: pd.Series, fn: Callable[[pd.Series], Any]) -> np.ndarray:
    """``fn`` applied once per distinct value (a ``string[pyarrow]`` Series of the uniques, so that ``.str``
    methods run in Arrow); missing cells give None."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    orig = np.asarray(uniques, dtype=object)
    u = pd.Series(orig, dtype=object).astype(_ARROW_STR)
    out = pd.Series(fn(u)).astype(_ARROW_STR)
    res = np.empty(len(orig) + 1, dtype=object)
    res[:-1] = _keep_unchanged(orig, u.array, out.array)
    res[-1] = None
    return res.take(codes)


def _keep_unchanged(orig: np.ndarray, before: Any, after: Any) -> np.ndarray:
    """``after`` as Python objects, reusing the original string object wherever the value did not change
    (so a cleaned column does not hold a second copy of every string)."""
    a = pa.chunked_array(after._pa_array) if hasattr(after, "_pa_array") else pa.array(after)
    b = pa.chunked_array(before._pa_array) if hasattr(before, "_pa_array") else pa.array(before)
    same = pc.fill_null(pc.equal(a, b), False).to_numpy(zero_copy_only=False)
    res = orig.copy()
    changed = np.flatnonzero(~same)
    if len(changed):
        res[changed] = np.asarray(pc.take(a, pa.array(changed)).to_pylist(), dtype=object)
    return res


def _clean_unique(u: pd.Series) -> pd.Series:
    t = u.str.strip()
    return t.where(~t.str.upper().isin(_MISSING_TEXT), None)


def _clean_text(s: pd.Series) -> pd.Series:
    """Stripped text, with the missing markers ("", "-", "0", "BELUM ADA", ...) as None."""
    return pd.Series(_by_unique(s, _clean_unique), dtype=object)


def _numeric_mask(raw: pd.DataFrame, cm: ColumnMapping, field: str) -> np.ndarray:
    mask = np.zeros(len(raw), dtype=bool)
    col = cm.mapping.get(field)
    rows = raw.attrs.get("numeric_cells", {}).get(col, []) if col else []
    if len(rows):
        mask[np.asarray(rows, dtype=int)] = True
    return mask


#: a list whose 16-digit NIKs (or KKs) end in 0 this often went through spreadsheet number cells: the last
#: digit of a NIK's serial is 0 for about one record in twenty, not one in four
_EXCEL_ZERO_SHARE = 0.25


@dataclass
class ListContext:
    """What standardising some rows of a list (an update's new and changed rows) takes from the list's other
    rows, given as their standardised rows (``others``) and raw cells, and what the run learnt from the
    whole list, by row (:data:`ROW_BITS`) and as decisions (``decisions``), for
    :mod:`linkmiskin.standardise.reuse` to check and keep. A fresh standardisation fills it with no others."""

    #: the list's other rows, standardised (their final values)
    others: pd.DataFrame | None = None
    #: their :data:`ROW_BITS`, as the run that standardised them recorded
    others_bits: np.ndarray | None = None
    #: their raw cells (the raw table's rows), for the steps that read a column of the whole list
    others_raw: pd.DataFrame | None = None
    #: filled by the run: these rows' bits, the list-level decisions, the others' placeholder bits now
    bits: np.ndarray | None = None
    decisions: dict = field(default_factory=dict)
    others_bits_now: np.ndarray | None = None

    def n_others(self) -> int:
        return 0 if self.others is None else len(self.others)

    def set_bits(self, n: int, name: str, mask: np.ndarray) -> None:
        if self.bits is None:
            self.bits = np.zeros(n, dtype=np.uint8)
        self.bits[np.asarray(mask, dtype=bool)] |= ROW_BITS[name]


#: what a row contributes to the list-level facts standardisation learns (one bit each): a 16-digit NIK
#: (KK) not from a number cell, and one ending in 0 (:func:`_parse_ids`); a birth date on a fixed
#: placeholder day, read as ordinary, read as heaped (:func:`_learn_placeholder_dates`)
ROW_BITS = {"nik16": 1, "nik0": 2, "kk16": 4, "kk0": 8, "fixed": 16, "ordinary": 32, "heaped": 64}


def _others_count(ctx: ListContext | None, name: str) -> int:
    if ctx is None or ctx.others_bits is None:
        return 0
    return int(((ctx.others_bits & ROW_BITS[name]) > 0).sum())


def _parse_ids(parse: Any, values: pd.Series, from_number: np.ndarray, fld: str = "nik",
               ctx: ListContext | None = None) -> pd.DataFrame:
    out = parse(values)
    # a CSV exported from a sheet with numeric NIK cells carries no type: "3216015808700000" looks valid,
    # but when a quarter or more of the list's 16-digit numbers end in 0, those ending in 0 lost their
    # 16th digit (Excel keeps 15 significant digits)
    digits = out.iloc[:, 0].astype("string")
    sixteen = (digits.str.len() == 16).fillna(False).to_numpy(dtype=bool) & ~from_number
    zero = sixteen & (digits.str[-1] == "0").fillna(False).to_numpy(dtype=bool)
    n16 = int(sixteen.sum()) + _others_count(ctx, f"{fld}16")
    n0 = int(zero.sum()) + _others_count(ctx, f"{fld}0")
    excel = n16 >= 20 and n0 >= _EXCEL_ZERO_SHARE * n16
    if ctx is not None:
        ctx.set_bits(len(values), f"{fld}16", sixteen)
        ctx.set_bits(len(values), f"{fld}0", zero)
        ctx.decisions[f"{fld}_excel_zero"] = excel
    if excel:
        from_number = from_number | zero
    if from_number.any():
        idx = np.flatnonzero(from_number)
        sub = parse(values.iloc[idx].reset_index(drop=True), from_number=True)
        sub.index = idx
        out.loc[idx, sub.columns] = sub
    return out


def _small_int(values: pd.Series, lo: int, hi: int) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Integers written as ``3``, ``003``, ``3.0``, ``RT 03`` (RT, RW, desil) as ``Int64``, and a mask of
    cells that held something that is not a number in ``lo..hi`` (missing markers do not count)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(_ARROW_STR).str.strip()
    t = u.str.upper().str.replace(r"\.0+$", "", regex=True)
    num = pd.to_numeric(t.str.extract(r"^(?:RT|RW|DESIL)?[\s.:]*0*(\d{1,3})$", expand=False),
                        errors="coerce").astype("Int64")
    ok = ((num >= lo) & (num <= hi)).fillna(False).to_numpy(dtype=bool)
    num = num.where(ok)
    missing = (u.isna() | u.str.upper().isin(_MISSING_TEXT)).to_numpy(dtype=bool)
    bad = np.append(~ok & ~missing, False)
    return num.array.take(codes, allow_fill=True), bad.take(np.where(codes < 0, len(u), codes))


def _rt_rw_cells(values: pd.Series) -> tuple[Any, Any, np.ndarray]:
    """An RT or RW column: (number, the RW of an ``RT/RW`` pair such as ``003/014``, invalid mask).

    Accepts ``3``, ``003``, ``3.0``, ``RT 03``, ``RT.003``, ``003/014``, ``03-14``; numbers must be 1..999.
    The caller decides what a pair means in its column.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(_ARROW_STR).str.strip()
    t = u.str.upper().str.replace(r"\.0+$", "", regex=True)
    parts = t.str.extract(r"^(?:RT|RW)?[\s.:]*0*(\d{1,3})(?:\s*[/\-]\s*(?:RW)?[\s.:]*0*(\d{1,3}))?$")
    first = pd.to_numeric(parts[0], errors="coerce").astype("Int64")
    second = pd.to_numeric(parts[1], errors="coerce").astype("Int64")
    pair = second.notna().to_numpy(dtype=bool)
    ok1 = ((first >= 1) & (first <= 999)).fillna(False).to_numpy(dtype=bool)
    ok2 = ((second >= 1) & (second <= 999)).fillna(False).to_numpy(dtype=bool)
    missing = (u.isna() | u.str.upper().isin(_MISSING_TEXT)).to_numpy(dtype=bool)
    bad = ~missing & (~ok1 | (pair & ~ok2))
    first, second = first.where(ok1), second.where(ok2)
    fill = np.where(codes < 0, len(u), codes)
    return (first.array.take(codes, allow_fill=True), second.array.take(codes, allow_fill=True),
            np.append(bad, False).take(fill))


#: a flag column: codes into a list of labels (``None`` = no flag)
_Flag = tuple[np.ndarray, list[Any]]


def _join_flags(parts: list[_Flag], n: int) -> np.ndarray:
    """Row-wise ``;``-join of the flag labels of several flag columns, once per distinct combination."""
    if not parts or n == 0:
        return np.full(n, None, dtype=object)
    combo = np.zeros(n, dtype=np.int64)
    for codes, labels in parts:
        combo = combo * len(labels) + codes
    ccodes, cuniq = pd.factorize(combo)
    texts = []
    for c in np.asarray(cuniq, dtype=np.int64):
        items = []
        for _, labels in reversed(parts):
            c, k = divmod(int(c), len(labels))
            if labels[k] is not None:
                items.append(labels[k])
        texts.append(";".join(reversed(items)) or None)
    return np.asarray(texts, dtype=object).take(ccodes)


def _status_flag(field: str, status: Any, ok: tuple[str, ...]) -> _Flag:
    """``field:status`` for every status not in ``ok`` (missing statuses give no flag)."""
    codes, uniques = pd.factorize(pd.Series(status), use_na_sentinel=True)
    labels = [None if (u is None or u in ok) else f"{field}:{u}" for u in np.asarray(uniques, dtype=object)]
    return np.where(codes < 0, len(labels), codes).astype(np.int64), [*labels, None]


def _mask_flag(mask: np.ndarray, label: str) -> _Flag:
    return np.asarray(mask, dtype=bool).astype(np.int64), [None, label]


def _record_ids(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Record ids stripped, ``12.0`` as ``12``, blanks and missing markers ("-", "0", "BELUM ADA") as None,
    and which ids occur more than once.

    Done in Arrow (ids are nearly all distinct, so there is nothing to gain from working per unique value);
    an id that needs no cleaning keeps its original string object.
    """
    arr = values.to_numpy(dtype=object)
    try:
        before = pa.array(arr, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = np.asarray([None if v is None or v != v else str(v) for v in arr], dtype=object)
        before = pa.array(arr, type=pa.string(), from_pandas=True)
    a = pc.replace_substring_regex(pc.utf8_trim_whitespace(before), pattern=r"\.0$", replacement="")
    missing = pc.is_in(pc.utf8_upper(a), value_set=pa.array(_MISSING_TEXT, type=pa.string()))
    a = pc.if_else(missing, pa.scalar(None, pa.string()), a)
    idx = pc.fill_null(pc.dictionary_encode(a).indices, -1).to_numpy()
    present = idx >= 0
    counts = np.bincount(idx[present]) if present.any() else np.zeros(1, dtype=np.int64)
    dup = present & (counts.take(np.maximum(idx, 0)) > 1)
    return _keep_unchanged(arr, before, a), dup


def _list_dates(raw: pd.DataFrame, cm: ColumnMapping, n: int, list_date: Any, source: str) -> Any:
    """The date each row's age was taken on: the list-date column, else ``list_date``, else today."""
    from linkmiskin.standardise import dates as _dates

    fallback = list_date if list_date is not None else pd.Timestamp.today().strftime("%Y-%m-%d")
    col = _col(raw, cm, "list_date")
    if col is None:
        if list_date is None:
            log.info("source %r: ages are read as of today (%s); pass list_date= for the date the list was "
                     "made", source, fallback)
        return fallback
    d = pd.Series(_dates.parse_date(col)["date"].astype(object).to_numpy(), dtype=object)
    if isinstance(fallback, (int, np.integer)):
        fallback = f"{int(fallback)}-07-01"
    return d.where(d.notna(), str(fallback))


def _names_column(values: Any, n: int) -> np.ndarray:
    """A list column as a writable object array of length ``n`` (the lists themselves are shared)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values.copy()
    out = np.empty(n, dtype=object)
    for i, v in enumerate(values):  # element by element: lists of one length would broadcast
        out[i] = v
    return out


def _empty_lists(n: int) -> np.ndarray:
    one = np.empty(1, dtype=object)
    one[0] = []
    return one.take(np.zeros(n, dtype=np.int64))


def _with_others(values: Any, ctx: ListContext | None, column: str) -> pd.Series:
    """``values`` (these rows) followed by the list's other rows' standardised ``column`` (an update)."""
    mine = np.asarray(values, dtype=object)
    if ctx is None or not ctx.n_others():
        return pd.Series(mine, dtype=object)
    assert ctx.others is not None
    return pd.Series(np.concatenate([mine, ctx.others[column].to_numpy(dtype=object)]), dtype=object)


def _learn_placeholder_dates(cols: dict[str, Any], flags: list[_Flag], source: str,
                             ctx: ListContext | None = None) -> None:
    """Birth dates heaped in this list (per kabupaten) are placeholders too, beside the fixed Dukcapil list
    (flagged ``birth_date:heaped``); a fixed placeholder day that the list shows to be an ordinary day is a
    real date (flagged ``birth_date:placeholder_day_not_heaped``). With ``ctx``, the list is these rows and
    ``ctx.others``."""
    from linkmiskin.standardise import dates as _dates

    n = len(cols["birth_date"])
    dates = _with_others(cols["birth_date"], ctx, "birth_date")
    kab = _with_others(cols["kabupaten_code"], ctx, "kabupaten_code")
    fixed_all = np.asarray(cols["birth_date_placeholder"], dtype=bool)
    if ctx is not None and ctx.n_others():
        assert ctx.others_bits is not None
        fixed_all = np.concatenate([fixed_all, (ctx.others_bits & ROW_BITS["fixed"]) > 0])
    ordinary_all = fixed_all & _dates.placeholder_days_not_heaped(dates, kab)
    heaped_all = _dates.heaped_dates(dates, kab) & ~(fixed_all & ~ordinary_all)
    if ctx is not None:
        ctx.set_bits(n, "fixed", fixed_all[:n])
        ctx.set_bits(n, "ordinary", ordinary_all[:n])
        ctx.set_bits(n, "heaped", heaped_all[:n])
        ctx.others_bits_now = (ordinary_all[n:] * ROW_BITS["ordinary"] + heaped_all[n:] * ROW_BITS["heaped"]
                               ).astype(np.uint8)
    fixed, ordinary = fixed_all[:n], ordinary_all[:n]
    if ordinary.any():
        fixed = fixed & ~ordinary
        cols["birth_date_placeholder"] = fixed
        log.info("source %r: %d birth date(s) on a fixed placeholder day that this list does not heap are read "
                 "as real dates", source, int(ordinary.sum()))
    flags.append(_mask_flag(ordinary, "birth_date:placeholder_day_not_heaped"))
    heaped = heaped_all[:n]
    if heaped.any():
        cols["birth_date_placeholder"] = fixed | heaped
        log.info("source %r: %d birth date(s) on days heaped far above their neighbours are read as "
                 "placeholders", source, int(heaped.sum()))
    flags.append(_mask_flag(heaped, "birth_date:heaped"))


def _other_persons(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], n: int) -> None:
    """The spouse's name from its own column (SUAMI, NAMA_ISTRI) where no NY. form gave it, and the NIKs of
    the mother, father and spouse (NIK_IBU...) as 16 digits (``None`` unless valid)."""
    from linkmiskin.standardise import names as _names
    from linkmiskin.standardise import nik as _nik

    col = _col(raw, cm, "spouse_name")
    if col is not None:
        p = _names.parse_name(col)
        have = pd.notna(np.asarray(cols["spouse_name"], dtype=object))
        take = ~have & p["name"].notna().to_numpy(dtype=bool)
        cols["spouse_name"] = np.where(take, p["name"].to_numpy(dtype=object), cols["spouse_name"])
        tokens = _names_column(cols["spouse_name_tokens"], n)
        tokens[take] = _names_column(_arr(p["name_tokens"]), n)[take]
        cols["spouse_name_tokens"] = tokens
    for fld in ("mother_nik", "father_nik", "spouse_nik"):
        col = _col(raw, cm, fld)
        if col is None:
            cols[fld] = np.full(n, None, dtype=object)
            continue
        p = _nik.parse_nik(col)
        ok = p["nik_status"].astype(str).isin(["valid", "unknown_region"]).to_numpy(dtype=bool)
        cols[fld] = np.where(ok, p["nik"].astype(object).to_numpy(), None)


def standardize(df: TableLike, mapping: dict[str, str] | None = None, region: str | None = None, *,
                source: str | None = None, sheet: str | int | None = None,
                header: int | None = None, list_date: Any = None) -> pd.DataFrame:
    """Standardise one agency list.

    Parameters
    ----------
    df:
        A pandas DataFrame or a path to a CSV, Excel or Parquet file.
    mapping:
        ``{canonical_field: source_column}`` for any column the auto-detection should not guess
        (fields: record_id, nik, kk, name, birth_date, sex, relationship, address, rt, rw, rt_rw, desa,
        kecamatan, kabupaten, mother_name, father_name, decile, household_key). ``household_key`` is a
        list's own family or household id (ID_KELUARGA, ID_RUTA...) used to group members that have no KK.
    region:
        Kemendagri code scoping region resolution, e.g. ``"32.16"`` for Kabupaten Bekasi.
    source:
        The source's name (defaults to the file name, or ``"data"``).
    sheet:
        Excel sheet name or position (first sheet by default).
    header:
        The heading row's number in a CSV or Excel file (1 = first row); found by default, see
        :func:`linkmiskin.standardise.read.read_table`.
    list_date:
        The date (``"2025-03-01"``) or year (``2025``) the list's ages were taken on, for a list with an
        age column (UMUR, USIA) and no visit-date column (TGL_KUNJUNGAN, TGL_PENDATAAN...); today when
        neither is known (logged).

    Returns
    -------
    DataFrame with one row per input row, in input order: ``source, record_id, row_number``, the canonical
    fields (``nik, kk, name, name_tokens, name_phonetic, birth_date, sex, relationship, place, rt, rw,
    desa_code, kecamatan_code, mother_name`` ...), their status columns and ``flags`` (a ``;``-separated
    list of problems such as ``nik:excel_damaged;region:unresolved``, ``None`` when there is none).
    ``birth_year/month/day``, ``rt``, ``rw`` and ``decile`` are nullable ``Int64``; the NIK/KK and date
    columns keep the pandas string dtype of :mod:`linkmiskin.standardise.nik` and :mod:`linkmiskin.standardise.dates`.
    ``result.attrs["column_mapping"]`` holds the :class:`~linkmiskin.standardise.columns.ColumnMapping`.

    An age column (``34 TH``, ``34 THN``, ``34``, ``7 BLN``) gives ``age_years``, ``age_status`` and
    ``birth_year_approx`` (the list or visit date's year minus the age, ± 1 year); a record without a birth
    date gets that year as ``birth_year``, with ``birth_year_approx_from_age`` True and the flag
    ``birth_year:approx_from_age``.

    A name written ``NY. ADITYA PRATAMA`` / ``NYONYA BUDI`` may be a married woman listed under her husband's
    name, or her own name with a title (``NY. SITI AMINAH``). ``name_form`` says how it was read (None on
    other rows), by how often its words belong to women among the list's records of known sex
    (:func:`linkmiskin.standardise.names.nyonya_reading`): ``husband`` leaves her ``name`` (and its tokens)
    missing with ``name_status`` ``"spouse_name"`` and puts the husband's name in ``spouse_name`` /
    ``spouse_name_tokens`` (``None`` / ``[]`` on other rows); ``own`` keeps it as her name without the title;
    ``ambiguous`` keeps it as both. A name written as a teknonym (``OP. GRACE`` "grandparent of Grace",
    ``NAI YOSUA``, ``AMAQ RUDI``: ``data/name_particles.csv``) names the person by a descendant: ``name_form``
    ``"teknonym"``, ``name_status`` ``"teknonym"`` and no own name.
    A relationship column of bare BPS/DTKS codes (1 kepala ... 9 lainnya) is read as such when the data
    prove that scheme; ``result.attrs["relationship_scheme"]`` is then ``"bps"``.

    Separate RT, RW, RT/RW, desa and kecamatan columns win over what the address text says (an RT column
    holding ``003/014`` gives RT 3 and RW 14); where a desa column cannot be resolved but the address text
    can, the address result is kept. ``address_status`` is ``ok`` when the text names a place and RT and
    RW are known from any column.

    Missing markers ("", "-", "0", "BELUM ADA", "TIDAK ADA", "NULL", ...) are missing in every column, also
    in the record id (such rows get ``record_id`` ``row<n>`` and status ``missing``). ``flags`` lists, in
    this order: ``record_id:duplicate``, ``nik:<status>`` and ``kk:<status>`` (not for valid/missing),
    ``name:<status>``, ``birth_date:<status>`` (not for ok/placeholder), ``sex:unknown``,
    ``relationship:unknown`` / ``relationship:numeric_code_unknown_scheme``, ``rw:invalid``,
    ``rt:invalid``, ``region:<status>`` (not for resolved/fuzzy), ``birth_date:heaped`` (a date on a day
    this list heaps far above its neighbours, see :func:`linkmiskin.standardise.dates.heaped_dates`: a placeholder
    like 1 July) and ``decile:invalid`` (not 1..10).
    A field whose column the source does not have is never flagged.
    """
    raw, cm, name, region = _read_source(df, mapping, region, source, sheet, header)
    return standardize_raw(raw, cm, name, region, list_date)


def standardize_raw(raw: pd.DataFrame, cm: ColumnMapping, name: str, region: str | None, list_date: Any,
                    ctx: ListContext | None = None) -> pd.DataFrame:
    """:func:`standardize` of a list already read (``raw``, its text cells) and mapped (``cm``). ``ctx``
    (:class:`ListContext`) receives what the run learnt from the whole list; with ``ctx.others``, ``raw``
    is some rows of a list whose other rows are ``ctx.others`` (standardised), and every fact learnt from
    the whole list is learnt from both."""
    n = len(raw)
    cols: dict[str, Any] = {"source": _const(n, name)}
    flags: list[_Flag] = []
    _record_id_step(raw, cm, cols, flags, n)
    _id_numbers_step(raw, cm, cols, flags, n, ctx)
    _names_step(raw, cm, cols, flags, n, name, ctx)
    _birth_date_step(raw, cm, cols, flags, n)
    _age_step(raw, cm, cols, flags, n, list_date, name)
    _sex_step(raw, cm, cols, flags, n)
    scheme = _relationship_step(raw, cm, cols, flags, n, name, ctx)
    _address_and_region_step(raw, cm, cols, flags, n, region)
    _learn_placeholder_dates(cols, flags, name, ctx)
    _decile_step(raw, cm, cols, flags, n)
    _household_key_step(raw, cm, cols, n)
    return _assemble(cols, flags, n, cm, name, scheme)


def _read_source(df: TableLike, mapping: dict[str, str] | None, region: str | None, source: str | None,
                 sheet: str | int | None, header: int | None
                 ) -> tuple[pd.DataFrame, ColumnMapping, str, str | None]:
    """The source read as a frame, its columns mapped to canonical fields, its name and the checked region."""
    from linkmiskin.standardise import regions as _regions

    if region is not None:
        region = _regions.validate_region(region)
    name = source
    if name is None and not isinstance(df, pd.DataFrame):
        name = Path(df).stem
    name = name or "data"
    # a DataFrame is only read here, so its text columns need not be copied
    if isinstance(df, pd.DataFrame):
        raw = _from_frame(df, name, copy=False)
    else:
        raw = read_table(df, source=name, sheet=sheet, header=header)
    return raw, detect_columns(raw, mapping, source=name), name, region


def _record_id_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag],
                    n: int) -> None:
    """Record ids cleaned (blank ones become ``row<n>``, repeated ones flagged) and the row numbers."""
    rid = _col(raw, cm, "record_id")
    if rid is None:
        cols["record_id"] = np.arange(1, n + 1).astype(str).astype(object)
        cols["record_id_status"] = _const(n, "row_number")
    else:
        r, dup = _record_ids(rid)
        blank = pd.isna(r)
        status = _const(n, "ok")
        status[dup] = "duplicate"
        status[blank] = "missing"
        if blank.any():
            r[blank] = np.char.add("row", (np.flatnonzero(blank) + 1).astype(str)).astype(object)
        cols["record_id"] = r
        cols["record_id_status"] = status
        flags.append(_mask_flag(dup, "record_id:duplicate"))
    cols["row_number"] = np.arange(1, n + 1)


def _kk_typed_as_nik(nik_p: pd.DataFrame, kk_p: pd.DataFrame) -> None:
    """A NIK equal to the record's own KK is a family number, not the person's: its status becomes ``kk_number``."""
    is_kk = (nik_p["nik"].notna() & (nik_p["nik"] == kk_p["kk"])).fillna(False).to_numpy(dtype=bool)
    if is_kk.any():
        st = nik_p["nik_status"].astype(object).to_numpy()
        st[is_kk] = "kk_number"
        nik_p["nik_status"] = pd.array(st, dtype=nik_p["nik_status"].dtype)


def _id_numbers_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag],
                     n: int, ctx: ListContext | None = None) -> None:
    """NIK and KK parsed and classified, with their status flags."""
    from linkmiskin.standardise import nik as _nik

    parsed_ids = {}
    for fld, parse in (("nik", _nik.parse_nik), ("kk", _nik.parse_kk)):
        col = _col(raw, cm, fld)
        parsed_ids[fld] = parse(_none_series(n)) if col is None else _parse_ids(parse, col, _numeric_mask(raw, cm, fld), fld, ctx)
    _kk_typed_as_nik(parsed_ids["nik"], parsed_ids["kk"])
    # an id with letters (a member number, "rec-123-org") is no NIK, but may still be a plain identifier
    col = _col(raw, cm, "nik")
    text = _nik.id_text(col) if col is not None else None
    wrong = parsed_ids["nik"]["nik_status"].astype(str).eq("wrong_length").to_numpy(dtype=bool)
    cols["nik_text"] = (np.where(wrong, _arr(text), None) if text is not None
                        else np.full(n, None, dtype=object))
    for fld in ("nik", "kk"):
        parsed = parsed_ids[fld]
        for c in parsed.columns:
            cols[c] = _arr(parsed[c])
        if _col(raw, cm, fld) is not None:
            flags.append(_status_flag(fld, parsed[f"{fld}_status"], ("valid", "missing")))


def _known_sex(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], n: int) -> np.ndarray:
    """Each record's sex where known: the recorded sex (``L``/``P``), else the sex coded in a valid NIK."""
    from linkmiskin.standardise.household_roles import sex_frame

    col = _col(raw, cm, "sex")
    recorded = sex_frame(col)["sex"].to_numpy(dtype=object) if col is not None else np.full(n, None, dtype=object)
    valid = pd.Series(cols["nik_status"], dtype=object).isin(["valid", "unknown_region"]).to_numpy(dtype=bool)
    coded = np.where(valid, np.asarray(cols["nik_sex"], dtype=object), None)
    return np.where(pd.isna(recorded), coded, recorded)


def _read_nyonya_names(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], form: np.ndarray,
                       n: int, ctx: ListContext | None = None) -> np.ndarray:
    """The reading of each ``NY.``/``NYONYA`` name (``own``/``husband``/``ambiguous``, None elsewhere): from how
    often its words belong to women among this list's other records of known sex (and the seed file); where
    the list also names the husband (SUAMI), a name equal to his is his and any other name is hers."""
    from linkmiskin.standardise import names as _names

    reading = np.full(n, None, dtype=object)
    if not form.any():
        return reading
    tokens = pd.Series(_names_column(cols["name_tokens"], n), dtype=object)
    sex = np.where(form, None, _known_sex(raw, cm, cols, n))      # her own row's sex says nothing of the name
    if ctx is not None and ctx.n_others():   # (the others hold no NY. name: reuse re-reads those rows)
        o = ctx.others
        assert o is not None
        coded = np.where(o["nik_status"].isin(["valid", "unknown_region"]).to_numpy(dtype=bool),
                         o["nik_sex"].to_numpy(dtype=object), None)
        recorded = o["sex"].to_numpy(dtype=object)
        table = _names.name_sex_table(
            pd.concat([tokens, pd.Series(o["name_tokens"].to_numpy(dtype=object), dtype=object)], ignore_index=True),
            np.concatenate([sex, np.where(pd.isna(recorded), coded, recorded)]))
    else:
        table = _names.name_sex_table(tokens, sex)
    idx = np.flatnonzero(form)
    reading[idx] = _names.nyonya_reading(_names.female_probability(tokens.iloc[idx], table))
    husband_col = _col(raw, cm, "spouse_name")
    if husband_col is not None:
        husband = _names.parse_name(husband_col)["name"].to_numpy(dtype=object)
        named = form & pd.notna(husband)
        same = named & (husband == np.asarray(cols["name"], dtype=object))
        reading[same] = "husband"
        reading[named & ~same] = "own"
    return reading


def _wife_under_husbands_name(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], form: np.ndarray,
                              n: int, source: str, ctx: ListContext | None = None) -> None:
    """A name written ``NY. ADITYA PRATAMA`` read as her husband's is kept as ``spouse_name`` with her own left
    missing; one read as her own (``NY. SITI AMINAH``) stays her name; an ambiguous one is kept as both.
    ``name_form`` records the reading (:func:`linkmiskin.standardise.names.nyonya_reading`)."""
    reading = _read_nyonya_names(raw, cm, cols, form, n, ctx)
    cols["name_form"] = reading
    if not form.any():
        return
    as_spouse = np.isin(reading, ["husband", "ambiguous"])
    idx = np.flatnonzero(as_spouse)
    cols["spouse_name"][idx] = np.asarray(cols["name"], dtype=object)[idx]
    cols["spouse_name_tokens"] = _names_column(cols["name_tokens"], n)
    cols["spouse_name_tokens"][~as_spouse] = _empty_lists(int((~as_spouse).sum()))
    hidx = np.flatnonzero(reading == "husband")
    for c in ("name", "name_father"):
        cols[c] = np.asarray(cols[c], dtype=object).copy()
        cols[c][hidx] = None
    for c in ("name_tokens", "name_phonetic", "name_nicknames"):
        cols[c] = _names_column(cols[c], n)
        cols[c][hidx] = _empty_lists(len(hidx))
    cols["name_status"] = np.asarray(cols["name_status"], dtype=object).copy()
    cols["name_status"][hidx] = "spouse_name"
    counts = {k: int((reading == k).sum()) for k in ("own", "husband", "ambiguous")}
    log.info("source %r: %d name(s) written as NY./NYONYA + a name, read by how often their words belong to "
             "women on this list: %d her own name (title dropped), %d her husband's (kept as spouse_name, her "
             "own name missing), %d unclear (kept as both)", source, int(form.sum()), counts["own"],
             counts["husband"], counts["ambiguous"])


def _named_by_a_descendant(cols: dict[str, Any], source: str) -> None:
    """A name written as a teknonym (``OP. GRACE``, ``NAI YOSUA``: grandparent / mother of + a descendant's
    name, :func:`linkmiskin.standardise.names.parse_name` status ``"teknonym"``) is not the person's own:
    ``name_form`` records it as ``"teknonym"``, the own name stays missing and ``name_raw`` keeps it."""
    tek = np.asarray(cols["name_status"], dtype=object) == "teknonym"
    if not tek.any():
        return
    cols["name_form"] = np.asarray(cols["name_form"], dtype=object).copy()
    cols["name_form"][tek] = "teknonym"
    log.info("source %r: %d name(s) written as a teknonym (OP./NAI/AMA/AMAQ/INAQ... + a descendant's name): "
             "kept in name_raw, not compared as the person's own name", source, int(tek.sum()))


def _with_name_flag(flags: Any, flag: str) -> str:
    """A record's ``flags`` with its ``name:`` flag replaced by ``flag``, kept in field order (after the record
    id, NIK and KK flags)."""
    items = [f for f in (flags.split(";") if isinstance(flags, str) else []) if not f.startswith("name:")]
    at = sum(f.split(":", 1)[0] in ("record_id", "nik", "kk") for f in items)
    return ";".join(items[:at] + [flag] + items[at:])


def name_sex_words(std: pd.DataFrame) -> pd.DataFrame:
    """The name words of ``std``'s records of known sex (recorded, else coded in a valid NIK), leaving out
    the ``NY.`` rows (any ``name_form``): an unseeded :func:`linkmiskin.standardise.names.name_sex_table`.
    The tables of lists standardised apart add up to the job's
    (:func:`linkmiskin.standardise.names.combined_name_sex_table`)."""
    from linkmiskin.standardise import names as _names

    form = std["name_form"].to_numpy(dtype=object) if "name_form" in std else np.full(len(std), None, dtype=object)
    tokens = pd.Series(_names_column(std["name_tokens"].to_numpy(dtype=object), len(std)), dtype=object)
    valid = std["nik_status"].astype(object).isin(["valid", "unknown_region"]).to_numpy(dtype=bool)
    recorded = std["sex"].to_numpy(dtype=object)
    sex = np.where(pd.isna(recorded), np.where(valid, std["nik_sex"].to_numpy(dtype=object), None), recorded)
    return _names.name_sex_table(tokens, np.where(pd.isna(form), sex, None), seed=False)


def _job_readings(std: pd.DataFrame, idx: np.ndarray, table: pd.DataFrame | None = None) -> np.ndarray:
    """The readings of the ``NY.`` names at ``idx`` by the name words of every record of known sex in
    ``std`` (:func:`name_sex_words` and the seed file), or by ``table`` (the job's words) when given."""
    from linkmiskin.standardise import names as _names

    if table is None:
        table = _names.combined_name_sex_table([name_sex_words(std)])
    tokens = pd.Series(_names_column(std["name_tokens"].to_numpy(dtype=object)[idx], len(idx)), dtype=object)
    return _names.nyonya_reading(_names.female_probability(tokens, table))


def settle_unclear_nyonya_names(std: pd.DataFrame, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``NY.`` names one list left unclear (``name_form`` ``ambiguous``) read again with the name words of
    every list of the job (all records of known sex): a name now clearly a woman's becomes hers alone
    (``own``), one clearly a man's her husband's alone (``husband``). ``std`` is the concatenated
    standardised lists; a copy is returned (``std`` itself when nothing changes). Counts are logged per source.
    ``table``: the job's words (:func:`linkmiskin.standardise.names.combined_name_sex_table` of every list's
    :func:`name_sex_words`) when ``std`` is only some of the job's lists (the Spark backend settles each list
    on its own task).
    """
    form = std["name_form"].to_numpy(dtype=object) if "name_form" in std else None
    if form is None or not (form == "ambiguous").any():
        return std
    n = len(std)
    cols = {c: std[c].to_numpy(dtype=object) for c in ("name", "name_father", "name_status", "spouse_name")}
    idx = np.flatnonzero(form == "ambiguous")
    reading = _job_readings(std, idx, table)
    out = std.copy(deep=False)
    new_form = form.copy()
    new_form[idx] = reading
    own, husband = idx[reading == "own"], idx[reading == "husband"]
    spouse, spouse_tok = cols["spouse_name"].copy(), _names_column(std["spouse_name_tokens"].to_numpy(dtype=object), n)
    spouse[own] = None
    spouse_tok[own] = _empty_lists(len(own))
    for c in ("name", "name_father"):
        v = cols[c].copy()
        v[husband] = None
        out[c] = v
    for c in ("name_tokens", "name_phonetic", "name_nicknames"):
        v = _names_column(std[c].to_numpy(dtype=object), n)
        v[husband] = _empty_lists(len(husband))
        out[c] = v
    status = cols["name_status"].copy()
    status[husband] = "spouse_name"
    flags = std["flags"].to_numpy(dtype=object).copy()
    flags[husband] = [_with_name_flag(f, "name:spouse_name") for f in flags[husband]]   # a few rows
    out["name_status"], out["spouse_name"], out["spouse_name_tokens"] = status, spouse, spouse_tok
    out["name_form"], out["flags"] = new_form, flags
    src = std["source"].to_numpy(dtype=object)
    for s_ in pd.unique(src[idx]):
        here = src[idx] == s_
        log.info("source %r: %d unclear NY./NYONYA name(s) read again with the name words of every list: %d "
                 "her own, %d her husband's, %d still unclear", s_, int(here.sum()),
                 int((reading[here] == "own").sum()), int((reading[here] == "husband").sum()),
                 int((reading[here] == "ambiguous").sum()))
    return out


def _names_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag], n: int,
                source: str, ctx: ListContext | None = None) -> None:
    """The person's name, the spouse's, mother's and father's names, and the parents' and spouse's NIKs."""
    from linkmiskin.standardise import names as _names

    col = _col(raw, cm, "name")
    parsed = _names.parse_name(col if col is not None else _none_series(n))
    for c in parsed.columns:
        cols[c] = _arr(parsed[c])
    cols["spouse_name"] = np.full(n, None, dtype=object)
    cols["spouse_name_tokens"] = _empty_lists(n)
    cols["name_form"] = np.full(n, None, dtype=object)
    if col is not None:
        _wife_under_husbands_name(raw, cm, cols, _names.spouse_name_form(col) & pd.notna(cols["name"]), n, source,
                                  ctx)
        _named_by_a_descendant(cols, source)
        flags.append(_status_flag("name", cols["name_status"], ("ok",)))
    cols["name_raw"] = _clean_text(col).to_numpy() if col is not None else np.full(n, None, dtype=object)
    for fld in ("mother_name", "father_name"):
        col = _col(raw, cm, fld)
        if col is None:
            cols[fld] = np.full(n, None, dtype=object)
            cols[f"{fld}_tokens"] = _empty_lists(n)
            continue
        p = _names.parse_name(col)
        cols[fld] = _arr(p["name"])
        cols[f"{fld}_tokens"] = _arr(p["name_tokens"])
    _other_persons(raw, cm, cols, n)


def _birth_date_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag],
                     n: int) -> None:
    """The birth date parsed into an ISO date, year, month and day, with its status and placeholder mark."""
    from linkmiskin.standardise import dates as _dates

    col = _col(raw, cm, "birth_date")
    p = _dates.parse_date(col if col is not None else _none_series(n))
    cols["birth_date"] = _arr(p["date"])
    cols["birth_year"] = p["year"].astype("Int64").array
    cols["birth_month"] = p["month"].astype("Int64").array
    cols["birth_day"] = p["day"].astype("Int64").array
    cols["birth_date_status"] = _arr(p["date_status"])
    cols["birth_date_placeholder"] = p["date_placeholder"].fillna(False).astype(bool).to_numpy()
    if col is not None:
        flags.append(_status_flag("birth_date", p["date_status"], ("ok", "placeholder")))


def _age_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag], n: int,
              list_date: Any, source: str) -> None:
    """An age column ("34 TH", "7 BLN") read, and its approximate birth year (± 1) given where no date is."""
    from linkmiskin.standardise import ages as _ages

    col = _col(raw, cm, "age")
    cols["birth_year_approx_from_age"] = np.zeros(n, dtype=bool)
    if col is None:
        cols["age_years"] = np.full(n, np.nan)
        cols["age_status"] = np.full(n, None, dtype=object)
        cols["birth_year_approx"] = pd.array(np.full(n, None, dtype=object), dtype="Int64")
        return
    on: Any = _list_dates(raw, cm, n, list_date, source)
    a = _ages.parse_age(col, on)
    cols["age_years"] = a["age_years"].to_numpy()
    cols["age_status"] = a["age_status"].to_numpy(dtype=object)
    cols["birth_year_approx"] = a["birth_year_approx"].array
    fill = (pd.isna(np.asarray(cols["birth_date"], dtype=object))
            & pd.isna(cols["birth_year"]).astype(bool) & a["birth_year_approx"].notna().to_numpy(dtype=bool))
    if fill.any():
        by = pd.array(cols["birth_year"], dtype="Int64").copy()
        by[fill] = a["birth_year_approx"].array[fill]
        cols["birth_year"] = by
        cols["birth_year_approx_from_age"] = fill
        log.info("source %r: %d record(s) without a birth date get birth_year from their age (± 1 year)",
                 source, int(fill.sum()))
    flags.append(_status_flag("age", a["age_status"], ("ok", "missing")))
    flags.append(_mask_flag(fill, "birth_year:approx_from_age"))


def _sex_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag], n: int) -> None:
    """Sex read as ``L``/``P`` with its status."""
    from linkmiskin.standardise.household_roles import sex_frame

    col = _col(raw, cm, "sex")
    p = sex_frame(col if col is not None else _none_series(n))
    cols["sex"] = p["sex"].to_numpy()
    cols["sex_status"] = p["sex_status"].to_numpy()
    if col is not None:
        flags.append(_status_flag("sex", p["sex_status"], ("ok", "missing")))


def _joined(a: pd.Series, b: pd.Series | None) -> pd.Series:
    """Two columns one after the other (without the read table's attrs)."""
    parts = [a.copy(deep=False), b.copy(deep=False)] if b is not None else [a.copy(deep=False)]
    for p in parts:
        p.attrs = {}
    return pd.concat(parts, ignore_index=True)


def _relationship_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag], n: int,
                       source: str, ctx: ListContext | None = None) -> str | None:
    """The relationship to the head read (as BPS/DTKS codes when the data prove that scheme); the scheme.
    With ``ctx``, the scheme is judged on these rows and ``ctx.others``."""
    from linkmiskin.standardise.household_roles import detect_relationship_scheme, relationship_frame

    col = _col(raw, cm, "relationship")
    scheme = None
    if col is not None:
        family = np.asarray(cols["kk"], dtype=object)
        hk_col = _col(raw, cm, "household_key")
        codes = col
        if ctx is not None and ctx.n_others():
            assert ctx.others is not None and ctx.others_raw is not None
            family = np.concatenate([family, ctx.others["kk"].to_numpy(dtype=object)])
            codes = _joined(col, _col(ctx.others_raw, cm, "relationship"))
            if hk_col is not None:
                hk_col = _joined(hk_col, _col(ctx.others_raw, cm, "household_key"))
        if hk_col is not None and pd.isna(family).all():
            family = hk_col.to_numpy(dtype=object)
        scheme, why = detect_relationship_scheme(codes, family)
        if scheme is not None:
            log.info("source %r: relationship column %r holds BPS/DTKS codes (1 kepala, 2 istri/suami, 3 anak, "
                     "4 menantu, 5 cucu, 6 orang tua/mertua, 7 famili lain, 8 pembantu, 9 lainnya): %s",
                     source, cm.mapping["relationship"], why)
    p = relationship_frame(col if col is not None else _none_series(n), scheme=scheme)
    cols["relationship"] = p["relationship"].to_numpy()
    cols["relationship_status"] = p["relationship_status"].to_numpy()
    if col is not None:
        flags.append(_status_flag("relationship", p["relationship_status"], ("ok", "missing")))
    return scheme


def _address_text_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], n: int, region: str | None
                       ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The address text parsed (place, block, house number...); its result and RT/RW, an RT/RW column first."""
    from linkmiskin.standardise import address as _address

    addr_col = _col(raw, cm, "address")
    addr = _address.parse_address(addr_col if addr_col is not None else _none_series(n), region=region)
    addr = _ranged(addr)
    cols["address_raw"] = _clean_text(addr_col).to_numpy() if addr_col is not None else np.full(n, None, dtype=object)
    for c in ("address_clean", "place_type", "place_name", "block", "house_number", "place"):
        cols[c] = _arr(addr[c]) if c in addr else np.full(n, None, dtype=object)
    rt = pd.Series(addr["rt"].astype("Int64").array)
    rw = pd.Series(addr["rw"].astype("Int64").array)
    rtrw_col = _col(raw, cm, "rt_rw")
    if rtrw_col is not None:
        rtrw_text = pd.Series(_by_unique(rtrw_col, lambda u: "RT/RW " + u.str.strip()), dtype=object)
        pr = _ranged(_address.parse_address(rtrw_text))
        rt = pd.Series(pr["rt"].astype("Int64").array).fillna(rt)
        rw = pd.Series(pr["rw"].astype("Int64").array).fillna(rw)
    return addr, rt, rw


def _rt_rw_columns_step(raw: pd.DataFrame, cm: ColumnMapping, flags: list[_Flag], rt: pd.Series, rw: pd.Series
                        ) -> tuple[pd.Series, pd.Series]:
    """Separate RT and RW columns win over the address text; an RT column holding ``003/014`` gives the RW too."""
    rt_in, rw_in = _col(raw, cm, "rt"), _col(raw, cm, "rw")
    rw_first = rw_pair = None
    if rw_in is not None:
        first, second, bad = _rt_rw_cells(rw_in)
        rw_first = pd.Series(second).fillna(pd.Series(first))  # "003/014" in the RW column: RW 14
        flags.append(_mask_flag(bad, "rw:invalid"))
    if rt_in is not None:
        first, second, bad = _rt_rw_cells(rt_in)
        rt = pd.Series(first).fillna(rt)
        rw_pair = pd.Series(second)
        flags.append(_mask_flag(bad, "rt:invalid"))
    for better_rw in (rw_pair, rw_first):  # the RW column first, then a pair in the RT column, then the rest
        if better_rw is not None:
            rw = better_rw.fillna(rw)
    return rt, rw


def _region_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], addr: pd.DataFrame,
                 region: str | None) -> tuple[pd.Series, pd.Series]:
    """Desa and kecamatan resolved from their own columns, falling back on the address text; their texts."""
    from linkmiskin.standardise import regions as _regions

    desa_in = _col(raw, cm, "desa")
    kec_in = _col(raw, cm, "kecamatan")
    kab_in = _col(raw, cm, "kabupaten")
    addr_desa = pd.Series(addr["desa_text"].to_numpy(dtype=object), dtype=object)
    addr_kec = pd.Series(addr["kecamatan_text"].to_numpy(dtype=object), dtype=object)
    desa_txt = addr_desa if desa_in is None else _clean_text(desa_in)
    kec_txt = addr_kec if kec_in is None else _clean_text(kec_in)
    if desa_in is not None:
        desa_txt = desa_txt.where(desa_txt.notna(), addr_desa)
    if kec_in is not None:
        kec_txt = kec_txt.where(kec_txt.notna(), addr_kec)
    if desa_in is None and kec_in is None and kab_in is None:
        res = addr
    else:
        res = _regions.resolve_regions(
            desa=desa_txt, kecamatan=kec_txt,
            kabupaten=_clean_text(kab_in) if kab_in is not None else None,
            region=region)
        res = _ranged(res)
        # where the separate columns failed but the address text resolved, keep the address result
        better = (res["desa_code"].isna() & addr["desa_code"].notna()).to_numpy(dtype=bool)
        if better.any():
            res = res.copy()
            for c in _REGION_COLUMNS:
                vals = res[c].to_numpy(dtype=object).copy()
                vals[better] = addr[c].to_numpy(dtype=object)[better]
                res[c] = vals
    cols["desa_text"] = desa_txt.to_numpy(dtype=object)
    cols["kecamatan_text"] = kec_txt.to_numpy(dtype=object)
    for c in _REGION_COLUMNS:
        cols[c] = res[c].to_numpy(dtype=object)
    return desa_txt, kec_txt


def _address_status(addr: pd.DataFrame, desa_txt: pd.Series, kec_txt: pd.Series, rt: pd.Series,
                    rw: pd.Series) -> np.ndarray:
    """The address status, ``partial`` when any part is known and ``ok`` when a place, RT and RW all are."""
    addr_status = addr["address_status"].to_numpy(dtype=object).copy()
    has_any = (desa_txt.notna() | kec_txt.notna() | rt.notna() | rw.notna()).to_numpy(dtype=bool)
    addr_status[(addr_status == "missing") & has_any] = "partial"
    # RT and RW given in their own columns complete an address whose text had only the place
    complete = (addr["place"].notna() & rt.notna() & rw.notna()).to_numpy(dtype=bool)
    addr_status[(addr_status == "partial") & complete] = "ok"
    return addr_status


def _address_and_region_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag],
                             n: int, region: str | None) -> None:
    """The address, RT, RW, desa and kecamatan from the address text and their own columns, with flags."""
    addr, rt, rw = _address_text_step(raw, cm, cols, n, region)
    rt, rw = _rt_rw_columns_step(raw, cm, flags, rt, rw)
    cols["rt"] = rt.array
    cols["rw"] = rw.array
    desa_txt, kec_txt = _region_step(raw, cm, cols, addr, region)
    cols["address_status"] = _address_status(addr, desa_txt, kec_txt, rt, rw)
    if any(_col(raw, cm, f) is not None for f in ("address", "desa", "kecamatan", "kabupaten")):
        flags.append(_status_flag("region", cols["region_status"], ("resolved", "fuzzy")))


def _decile_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], flags: list[_Flag], n: int) -> None:
    """The welfare decile as ``Int64``, values outside 1..10 flagged ``decile:invalid``."""
    col = _col(raw, cm, "decile")
    if col is not None:
        dec, bad = _small_int(col, 1, 10)
        cols["decile"] = dec
        flags.append(_mask_flag(bad, "decile:invalid"))
    else:
        cols["decile"] = pd.array(np.full(n, None, dtype=object), dtype="Int64")


def _household_key_step(raw: pd.DataFrame, cm: ColumnMapping, cols: dict[str, Any], n: int) -> None:
    """The list's own family or household id, stripped and upper-cased, missing markers as None."""
    col = _col(raw, cm, "household_key")
    if col is not None:
        hk = col.astype("string").str.strip().str.upper()
        hk = hk.where(~hk.isin(_MISSING_TEXT))
        cols["household_key"] = hk.astype(object).where(hk.notna(), None).to_numpy()
    else:
        cols["household_key"] = np.full(n, None, dtype=object)


def _assemble(cols: dict[str, Any], flags: list[_Flag], n: int, cm: ColumnMapping, source: str,
              scheme: str | None) -> pd.DataFrame:
    """The canonical frame: every column in order, the joined flags, and the mapping, source and scheme as attrs."""
    cols["flags"] = _join_flags(flags, n)  # the record id first, then in field order
    out = pd.DataFrame(cols, index=pd.RangeIndex(n), copy=False)
    out.attrs["column_mapping"] = cm
    out.attrs["source"] = source
    out.attrs["relationship_scheme"] = scheme
    return out
