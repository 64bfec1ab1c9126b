"""The household-context pass (clustering.household_context), on hand-made rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkmiskin.clustering.household_context import RULE, join_same_name_in_household, reference_rates

_COLS = ("name", "source", "nik", "dob", "sex", "relationship", "approx")


def _rows(rows: list[dict], reference: int = 30, reference_nik_apart: bool = False):
    """``reference`` households of two records of one name from two lists, both with a trusted NIK (one NIK,
    or with ``reference_nik_apart`` two different NIKs), then ``rows`` (each a dict with ``hh`` and the
    fields of :data:`_COLS`). Every record is a person of its own unless ``person`` says otherwise."""
    recs: list[dict] = []
    for i in range(reference):
        nik_a = f"32160101018{i:05d}"
        nik_b = f"32160202029{i:05d}" if reference_nik_apart else nik_a
        recs.append({"hh": 1000 + i, "name": f"REF {i}", "source": "a", "nik": nik_a, "person": f"r{i}"})
        recs.append({"hh": 1000 + i, "name": f"REF {i}", "source": "b", "nik": nik_b,
                     "person": f"r{i}" + ("x" if reference_nik_apart else "")})
    recs.extend(rows)
    df = pd.DataFrame(recs)
    for c in _COLS:
        if c not in df:
            df[c] = None
    n = len(df)
    person = df["person"].fillna(pd.Series([f"p{i}" for i in range(n)])) if "person" in df else \
        pd.Series([f"p{i}" for i in range(n)])
    node = np.arange(n)
    rep = pd.Series(node).groupby(person.to_numpy()).transform("min").to_numpy()
    dob = df["dob"].astype(object)
    persons = pd.DataFrame({
        "name": df["name"], "source": df["source"], "nik": df["nik"],
        "nik15": df["nik"].str[:15], "nik_consistent": df["nik"].notna(), "dob": dob,
        "dob_year": pd.to_numeric(dob.str[:4], errors="coerce").astype("Int64"),
        "dob_placeholder": False, "sex": df["sex"], "relationship": df["relationship"],
        "node": node, "person_node": rep, "person_confidence": 0.9})
    # person_clusters leaves its cannot-link pairs in attrs (a DataFrame pandas compares at each concat)
    persons.attrs["cannot_link"] = pd.DataFrame({"a": [0], "b": [1], "rule": ["x"]})
    approx = pd.to_numeric(df["approx"], errors="coerce").astype("Int64")
    pairs = pd.DataFrame({"l": np.zeros(0, np.int64), "r": np.zeros(0, np.int64), "p": np.zeros(0)})
    return persons, df["hh"].to_numpy(np.int64), pairs, approx


def _joined(rows: list[dict], **kw) -> tuple[bool, pd.DataFrame]:
    persons, hh, pairs, approx = _rows(rows, **kw)
    out = join_same_name_in_household(persons, hh, pairs, approx_year=approx)
    k = len(persons) - len(rows)
    mine = out.iloc[k:]
    return bool(mine["person_node"].nunique() < len(rows)), out


def test_one_name_in_one_household_without_nik_or_date_is_one_person():
    joined, out = _joined([{"hh": 1, "name": "SITI AMINAH", "source": "dtks"},
                           {"hh": 1, "name": "SITI AMINAH", "source": "bpjs", "dob": "1980-02-03"},
                           {"hh": 1, "name": "BUDI", "source": "bpjs"},
                           {"hh": 2, "name": "SITI AMINAH", "source": "p3ke"}])
    assert joined
    tail = out.iloc[-4:]
    assert tail["person_node"].iloc[0] == tail["person_node"].iloc[1]
    assert tail["person_node"].iloc[3] != tail["person_node"].iloc[0]   # another household
    assert tail["person_node"].iloc[2] != tail["person_node"].iloc[0]   # another name
    assert tail["joined_by"].tolist() == [RULE, RULE, "", ""]
    assert (tail["person_confidence"].iloc[:2] <= 1.0).all()
    assert out.attrs["household_context"]["two_lists"]["on"]


def test_records_that_tell_them_apart_keep_them_apart():
    two = [{"hh": 1, "name": "AGUS", "source": "dtks"}, {"hh": 1, "name": "AGUS", "source": "bpjs"}]
    assert _joined(two)[0]
    # two sexes, dates years apart, an age a generation off, a head and a child, two NIKs
    assert not _joined([{**two[0], "sex": "L"}, {**two[1], "sex": "P"}])[0]
    assert not _joined([{**two[0], "dob": "1960-01-02"}, {**two[1], "dob": "1990-05-06"}])[0]
    assert not _joined([{**two[0], "dob": "1960-01-02"}, {**two[1], "approx": 1990}])[0]
    assert not _joined([{**two[0], "relationship": "KEPALA"}, {**two[1], "relationship": "ANAK"}])[0]
    assert not _joined([{**two[0], "nik": "3216010101600001"}, {**two[1], "nik": "3216015505900002"}])[0]
    # a date one typo apart or an age a year off does not tell them apart
    assert _joined([{**two[0], "dob": "1960-01-02"}, {**two[1], "dob": "1960-01-03"}])[0]
    assert _joined([{**two[0], "dob": "1960-01-02"}, {**two[1], "approx": 1961}])[0]


def test_dates_a_slip_apart_in_both_year_and_day_tell_them_apart():
    # NUR FITRI born 2023-02-17 and NUR FITRI born 2024-02-27 on a health list: sisters, not one girl
    two = [{"hh": 1, "name": "NUR FITRI", "source": "bpjs", "dob": "2023-02-17"},
           {"hh": 1, "name": "NUR FITRI", "source": "posyandu", "dob": "2024-02-27"}]
    assert not _joined(two)[0]
    assert _joined([two[0], {**two[1], "dob": "2023-02-27"}])[0]   # one slip in the day
    assert _joined([two[0], {**two[1], "dob": "2024-02-17"}])[0]   # one slip in the year


def test_a_third_person_of_the_name_told_apart_leaves_the_household_as_it_is():
    rows = [{"hh": 1, "name": "USMAN", "source": "dtks", "dob": "1950-03-04"},
            {"hh": 1, "name": "USMAN", "source": "p3ke", "dob": "1985-07-08"},
            {"hh": 1, "name": "USMAN", "source": "bpjs"}]
    joined, out = _joined(rows)
    assert not joined
    assert (out["joined_by"] == "").all()


def test_one_list_writing_the_name_twice_is_left_apart_without_reference_pairs_of_its_kind():
    rows = [{"hh": 1, "name": "USMAN", "source": "dtks"}, {"hh": 1, "name": "USMAN", "source": "dtks"}]
    joined, out = _joined(rows)
    assert not joined
    assert out.attrs["household_context"]["one_list"]["pairs"] == 0


def test_the_rule_is_off_where_the_datas_own_nik_pairs_say_one_name_is_often_two_people():
    two = [{"hh": 1, "name": "AGUS", "source": "dtks"}, {"hh": 1, "name": "AGUS", "source": "bpjs"}]
    joined, out = _joined(two, reference_nik_apart=True)
    assert not joined
    ctx = out.attrs["household_context"]["two_lists"]
    assert ctx["pairs"] == 30 and ctx["one_person"] == 0 and not ctx["on"]
    assert not _joined(two, reference=10)[0]   # too few reference pairs to say


def test_reference_rates_count_only_pairs_nothing_but_the_nik_tells_apart():
    other = np.array([False] * 35 + [True] * 5)
    nik_apart = np.array([False] * 30 + [True] * 10)
    one_nik = ~nik_apart
    r = reference_rates(other, nik_apart, one_nik, np.zeros(40, dtype=bool))["two_lists"]
    assert (r["pairs"], r["one_person"]) == (35, 30)


def test_the_rule_is_named_in_link_reason_of_the_records_it_joined():
    from linkmiskin.linkage import _assemble_records

    std = pd.DataFrame({"source": ["a", "b", "b"], "record_id": ["1", "2", "3"], "name": ["AGUS", "AGUS", "SITI"],
                        "nik": [None, None, None]})
    persons = pd.DataFrame({"person_node": [0, 0, 2], "person_confidence": [0.9, 0.9, 1.0],
                            "joined_by": [RULE, RULE, ""]})
    hh = pd.DataFrame({"household_node": [0, 0, 0], "household_confidence": [1.0] * 3,
                       "household_evidence": ["alone"] * 3})
    out = _assemble_records(std, persons, hh)
    assert out["link_reason"].tolist() == [f"linked: {RULE}", f"linked: {RULE}", "no match found"]


def test_a_person_in_two_households_does_not_chain_two_persons_no_group_compared():
    # person X has a record in household 1 and one in household 2; Y (household 1) and Z (household 2)
    # carry X's name but were never compared with each other: Y's date and Z's date are decades apart
    rows = [{"hh": 1, "name": "AGUS", "source": "dtks", "person": "X"},
            {"hh": 2, "name": "AGUS", "source": "dtks", "person": "X"},
            {"hh": 1, "name": "AGUS", "source": "bpjs", "dob": "1950-01-02"},
            {"hh": 2, "name": "AGUS", "source": "p3ke", "dob": "1990-03-04"}]
    joined, out = _joined(rows)
    tail = out.iloc[-4:]
    assert tail["person_node"].iloc[2] != tail["person_node"].iloc[3]
    assert not joined or (tail["joined_by"] == "").all()
