"""Golden records computed on integer codes (issue #11, memory): the same choices, counts and tables as on
object arrays of Python values, for columns of strings (pyarrow) and nullable integers as the standardiser
writes them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkmiskin.clustering import golden
from test_golden import _records

pytest.importorskip("pyarrow")


def _as_standardised(rec: pd.DataFrame) -> pd.DataFrame:
    """The record table with the dtypes the standardiser gives (NIK, KK and dates as pyarrow strings)."""
    cols = ("nik", "nik_status", "nik_birth_date", "nik_sex", "kk", "kk_status", "birth_date", "birth_date_status")
    return rec.astype({c: "string[pyarrow]" for c in cols})


def _as_objects(rec: pd.DataFrame) -> pd.DataFrame:
    out = rec.copy()
    for c in out.columns:
        if out[c].dtype != object and not pd.api.types.is_float_dtype(out[c]) and out[c].dtype != bool:
            out[c] = golden._col(out, c)
    return out


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "Int64"])
def test_choose_on_a_native_column_equals_choose_on_objects(dtype):
    raw = ["9", "10", None, "10", "9", None, "7", "10"] if dtype != "Int64" else [9, 10, None, 10, 9, None, 7, 10]
    s = pd.Series(raw, dtype=dtype)
    entity = np.array([0, 0, 0, 1, 1, 1, 2, 3])
    attrs = {"valid": s.notna().to_numpy(), "snapshot": np.array([5, 5, 5, 1, 2, 3, 1, 1]),
             "trust": np.array([1, 0, 2, 0, 0, 1, 0, 0])}
    rules = ("valid_value", "most_frequent", "most_recent_snapshot")
    a = golden.choose(entity, 5, s, attrs, rules)
    b = golden.choose(entity, 5, golden._col(pd.DataFrame({"v": s}), "v"), attrs, rules)
    assert list(a.value) == list(b.value) and list(a.rule) == list(b.rule)
    assert [type(x) for x in a.value] == [type(x) for x in b.value]
    # entity 0: a tie between "10" and "9" broken by the smallest value in the column's own order
    assert a.rule[0] == golden.SMALLEST_VALUE and a.rule[4] == golden.NO_VALUE and a.rule[2] == golden.ONLY_VALUE


def test_distinct_count_on_a_native_column_equals_on_objects():
    s = pd.Series(["A", "B", None, "A", "A", None], dtype="string[pyarrow]")
    entity = np.array([0, 0, 0, 1, 1, 2])
    mask = np.array([True, True, True, True, True, True])
    a = golden._distinct_count(entity, 4, s, mask)
    b = golden._distinct_count(entity, 4, golden._col(pd.DataFrame({"v": s}), "v"), mask)
    assert list(a) == list(b) == [2, 1, 0, 0]
    assert list(golden._distinct_count(entity, 4, s, np.array([True, False, True, True, True, True]))) == [1, 1, 0, 0]


def test_sequence_codes_equal_exactly_when_the_joined_words_are():
    lists = pd.Series([["A", "B"], ["A", "B"], [], [""], None, ["A", None], ["B", "A"], ["A"], np.nan,
                       ["", "A"], ["A", "B", "C"]], dtype=object)
    codes = golden._sequence_codes(lists)
    joined = lists.str.join(" ")
    assert list(np.isnan(codes)) == list(joined.isna())
    for i in range(len(lists)):
        for k in range(len(lists)):
            same = pd.notna(joined[i]) and pd.notna(joined[k]) and joined[i] == joined[k]
            assert same == (not np.isnan(codes[i]) and codes[i] == codes[k]), (i, k)


def test_conflict_text_names_only_the_flagged_rows_in_order():
    parts = [(np.array([True, False, True]), "a"), (np.array([False, False, True]), "b"),
             (np.array([True, False, False]), "c")]
    assert list(golden._conflict_text(parts, 3)) == ["a; c", "", "a; b"]


def test_persons_and_households_tables_same_on_native_and_object_columns():
    rec = _records()
    rec = pd.concat([rec, rec.assign(person_id="P3", record_id=["5", "6", "7", "8"],
                                     nik=[None, "3216011203800009", "3216011203800001", None],
                                     birth_date=["1980-07-01", None, "1980-07-01", "1980-03-12"])],
                    ignore_index=True)
    native, objects = _as_standardised(rec), _as_objects(rec)
    snaps = {"dtks": "2025-01-31", "p3ke": "2024-06-30"}
    pn = golden.persons_table(native, snapshots=snaps)
    po = golden.persons_table(objects, snapshots=snaps)
    pd.testing.assert_frame_equal(pn, po, check_exact=True)
    pd.testing.assert_frame_equal(golden.households_table(native, pn, snapshots=snaps),
                                  golden.households_table(objects, po, snapshots=snaps), check_exact=True)
    assert pn["person_id"].is_monotonic_increasing and pn.index.equals(pd.RangeIndex(len(pn)))


def test_nik_consistency_compares_each_record_with_its_persons_chosen_date_and_sex():
    nik_birth = pd.Series(["1980-03-12", "1980-03-12", None, "1982-06-05", "1982-06-05"], dtype="string[pyarrow]")
    nik_sex = pd.Series(["L", "P", "L", "P", "P"], dtype="string[pyarrow]")
    codes = np.array([0, 0, 0, 1, 2])
    dob = np.array(["1980-03-12", "1982-06-05", None], dtype=object)
    sex = np.array(["L", None, "P"], dtype=object)
    got = golden._nik_consistency(nik_birth, nik_sex, codes, dob, sex)
    # record 1: sex differs; record 2: no coded date; record 3: the person has no sex; record 4: no chosen date
    assert list(got) == [True, False, False, True, False]
    objects = golden._nik_consistency(nik_birth.astype(object).to_numpy(), nik_sex.astype(object).to_numpy(),
                                      codes, dob, sex)
    assert list(objects) == list(got)


def test_main_household_is_that_of_most_records_ties_to_the_smallest_id():
    codes = np.array([0, 0, 0, 1, 1, 2])
    hh = pd.Series(["H2", "H1", "H2", "H9", "H3", None], dtype=object)
    assert list(golden._main_household(codes, 4, hh)) == ["H2", "H3", None, None]


def test_main_household_of_no_records_or_none_with_a_household():
    assert list(golden._main_household(np.array([], dtype=np.int64), 0, pd.Series([], dtype=object))) == []
    assert list(golden._main_household(np.array([0, 1]), 2, pd.Series([None, None], dtype=object))) == [None, None]
