"""Golden records: every survivorship rule on its own, the rule engine, persons and households tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkmiskin.clustering import golden
from linkmiskin.clustering.golden import choose

ROOT = Path(__file__).resolve().parents[1]


def _cand(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


# ------------------------------------------------------------------------------ each rule on its own


def test_valid_value_prefers_valid():
    c = _cand(valid=[True, False])
    assert list(golden.valid_value(c)) == [1, 0]


def test_consistent_with_birth_date_prefers_consistent_nik():
    c = _cand(consistent=[False, True])
    assert list(golden.consistent_with_birth_date(c)) == [0, 1]


def test_most_frequent_prefers_more_records():
    c = _cand(n=[3, 1])
    assert np.argmax(golden.most_frequent(c)) == 0


def test_most_recent_snapshot_prefers_latest():
    c = _cand(snapshot=[19000, 19500, -1])
    assert np.argmax(golden.most_recent_snapshot(c)) == 1


def test_trusted_source_prefers_lower_rank():
    c = _cand(trust=[3, 0, 5])
    assert np.argmax(golden.trusted_source(c)) == 1


def test_not_placeholder_prefers_real_date():
    c = _cand(placeholder=[True, False])
    assert np.argmax(golden.not_placeholder(c)) == 1


def test_fullest_name_prefers_more_words():
    c = _cand(words=[2, 3])
    assert np.argmax(golden.fullest_name(c)) == 1


def test_not_a_child_prefers_a_member_not_known_to_be_a_child():
    c = _cand(child=[True, False])
    assert np.argmax(golden.not_a_child(c)) == 1


def test_head_votes_prefers_most_votes():
    c = _cand(head_votes=[0, 2, 1])
    assert np.argmax(golden.head_votes(c)) == 1


def test_written_as_head_prefers_most_kepala_records():
    c = _cand(written_head=[0, 1, 2])
    assert np.argmax(golden.written_as_head(c)) == 2


def test_not_written_otherwise_prefers_a_person_with_no_other_role():
    c = _cand(other_role=[1, 0, 1])
    assert np.argmax(golden.not_written_otherwise(c)) == 1


def test_household_head_written_kepala_beats_blt_dd_recipient_written_as_spouse():
    r = _records()
    r["source"] = ["p3ke", "bpjs_pbi", "p3ke", "blt_dd"]
    r = pd.concat([r, r.iloc[[3]].assign(record_id="5")], ignore_index=True)   # P2 receives BLT-DD twice
    r.loc[3, ["relationship", "relationship_status"]] = ["PASANGAN", "ok"]
    r.loc[4, ["relationship", "relationship_status"]] = [None, "missing"]
    r.loc[3, "relationship"] = "PASANGAN"
    p = golden.persons_table(r)
    h = golden.households_table(r, p).set_index("household_id").loc["H1"]
    assert h["head_person_id"] == p.set_index("name").loc["ASEP SUNANDAR", "person_id"]
    assert h["head_person_id_rule"] == "written_as_head"


def test_eldest_prefers_earliest_birth():
    c = _cand(birth_days=[5000, -3000, 100])
    assert np.argmax(golden.eldest(c)) == 1


def test_from_household_fills_only_missing():
    v, r = golden.from_household(np.array([None, "32.16.01.2001"], dtype=object), np.array(["no_value", "only_value"]),
                                 np.array(["32.16.02.2002", "32.16.02.2002"], dtype=object))
    assert list(v) == ["32.16.02.2002", "32.16.01.2001"]
    assert list(r) == ["from_household", "only_value"]


def test_every_rule_has_a_one_sentence_docstring_and_is_used():
    used = {r for rules in golden.FIELD_RULES.values() for r in rules}
    assert used == set(golden.RULES)
    for name, f in golden.RULES.items():
        doc = " ".join((f.__doc__ or "").split())
        assert doc.endswith(".") and doc.count(". ") == 0, name


# ------------------------------------------------------------------------------ engine


def test_choose_records_the_deciding_rule():
    # entity 0: two values, the valid one wins; entity 1: one value; entity 2: tie on all -> smallest value;
    # entity 3: nothing
    e = np.array([0, 0, 0, 1, 2, 2])
    v = np.array(["A", "B", "B", "X", "M", "K"], dtype=object)
    attrs = {"valid": np.array([True, False, False, True, True, True]), "snapshot": np.zeros(6, int),
             "trust": np.zeros(6, int)}
    ch = choose(e, 4, v, attrs, ("valid_value", "most_frequent", "trusted_source"))
    assert list(ch.value) == ["A", "X", "K", None]
    assert list(ch.rule) == ["valid_value", "only_value", "smallest_value", "no_value"]


def test_choose_most_frequent_after_validity():
    e = np.array([0, 0, 0])
    v = np.array(["B", "A", "B"], dtype=object)
    ch = choose(e, 1, v, {"valid": np.ones(3, bool)}, ("valid_value", "most_frequent"))
    assert ch.value[0] == "B" and ch.rule[0] == "most_frequent"


# ------------------------------------------------------------------------------ persons and households


def _records() -> pd.DataFrame:
    """Three records of one person (two lists) and one of another, in one household."""
    return pd.DataFrame({
        "source": ["dtks", "bpjs_pbi", "p3ke", "blt_dd"],
        "record_id": ["1", "2", "3", "4"],
        "person_id": ["P1", "P1", "P1", "P2"],
        "household_id": ["H1", "H1", "H1", "H1"],
        "person_confidence": [0.99, 0.95, 0.97, 1.0],
        "nik": ["3216011203800001", "3216011203800001", "3216011203800009", "3216014506820002"],
        "nik_status": ["valid", "valid", "valid", "valid"],
        "nik_birth_date": ["1980-03-12", "1980-03-12", "1980-03-12", "1982-06-05"],
        "nik_sex": ["L", "L", "L", "P"],
        "kk": ["3216010101100001", None, None, None],
        "kk_status": ["valid", "missing", "missing", "missing"],
        "name": ["ASEP SUNANDAR", "ASEP SUNANDAR", "ASEP SUNANDAR", "SITI AMINAH"],
        "name_status": ["ok"] * 4,
        "name_phonetic": [["ASP", "SNNTR"]] * 3 + [["ST", "AMN"]],
        "birth_date": ["1980-03-12", "1980-03-12", "1980-07-01", "1982-06-05"],
        "birth_date_status": ["ok", "ok", "placeholder", "ok"],
        "birth_date_placeholder": [False, False, True, False],
        "sex": ["L", "L", "P", "P"],
        "sex_status": ["ok"] * 4,
        "relationship": ["KEPALA", None, "KEPALA", None],
        "relationship_status": ["ok", "missing", "ok", "missing"],
        "desa_code": ["32.16.01.2001", None, "32.16.01.2001", "32.16.01.2002"],
        "desa_name": ["Satu", None, "Satu", "Dua"],
        "kecamatan_code": ["32.16.01", None, "32.16.01", "32.16.01"],
        "kecamatan_name": ["Kec", None, "Kec", "Kec"],
        "region_status": ["resolved", "missing", "resolved", "resolved"],
        "rt": pd.array([1, None, 1, 4], dtype="Int64"),
        "rw": pd.array([2, None, 2, 5], dtype="Int64"),
        "place": ["KP SATU", None, "KP SATU", "KP DUA"],
        "decile": pd.array([None, None, 2, None], dtype="Int64"),
    })


def test_persons_table_fields_rules_and_conflicts():
    p = golden.persons_table(_records()).set_index("person_id")
    a = p.loc["P1"]
    assert a["nik"] == "3216011203800001" and a["nik_rule"] == "most_frequent"
    assert a["birth_date"] == "1980-03-12" and a["birth_date_rule"] == "most_frequent"
    assert a["sex"] == "L" and a["sex_rule"] == "most_frequent"
    assert a["sources"] == "bpjs_pbi, dtks, p3ke" and a["n_records"] == 3
    assert a["person_confidence"] == pytest.approx(0.95)
    assert "several_valid_niks" in a["conflicts"] and "several_sexes" in a["conflicts"]
    assert "several_real_birth_dates" not in a["conflicts"]      # the other date is a placeholder
    # P2 has a desa of its own: it keeps it (and it is in another desa than the household's)
    assert p.loc["P2", "desa_code"] == "32.16.01.2002"
    assert set(p.reset_index().columns) >= set(golden.PERSON_COLUMNS)


def test_person_without_address_takes_household_address():
    r = _records()
    r.loc[3, ["desa_code", "desa_name", "place"]] = None
    r.loc[3, "region_status"] = "missing"
    r["rt"] = r["rt"].where(r.index != 3, pd.NA)
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P2", "desa_code"] == "32.16.01.2001"
    assert p.loc["P2", "desa_code_rule"] == "from_household" and p.loc["P2", "place_rule"] == "from_household"
    assert p.loc["P2", "desa_name"] == "Satu"


def test_newer_household_address_needs_a_strictly_newer_dated_household_address():
    own = np.array([100, 100, -1, 100])
    hh = np.array([200, 100, 200, 200])
    differs = np.array([True, True, True, False])
    assert golden.newer_household_address(own, hh, differs).tolist() == [True, False, False, False]


def test_person_with_only_an_older_address_takes_the_households_newer_one():
    snaps = {"p3ke": "2022-09-30", "dtks": "2023-01-31", "bpjs_pbi": "2023-10-31", "blt_dd": "2024-02-29"}
    p = golden.persons_table(_records(), snapshots=snaps).set_index("person_id")
    a = p.loc["P1"]   # own records (DTKS, P3KE) say desa 2001; the household's newest list (BLT-DD) says 2002
    assert a["desa_code"] == "32.16.01.2002" and a["desa_code_rule"] == "newer_household_address"
    assert a["place"] == "KP DUA" and a["rt"] == 4 and a["place_rule"] == "newer_household_address"
    assert p.loc["P2", "desa_code_rule"] != "newer_household_address"
    # without snapshot dates nothing says which address is newer: each keeps its own
    q = golden.persons_table(_records()).set_index("person_id")
    assert q.loc["P1", "desa_code"] == "32.16.01.2001"


def test_households_table_head_and_address():
    r = _records()
    p = golden.persons_table(r)
    h = golden.households_table(r, p).set_index("household_id").loc["H1"]
    # P1 is KEPALA on two records, P2 is the BLT-DD recipient once
    assert h["head_person_id"] == "P1" and h["head_person_id_rule"] == "written_as_head"
    assert h["head_name"] == "ASEP SUNANDAR"
    assert h["kk"] == "3216010101100001"
    assert h["n_persons"] == 2 and h["programmes"] == ["blt_dd", "bpjs_pbi", "dtks", "p3ke"]
    assert h["decile"] == 2
    assert "several_desas" in h["conflicts"]
    assert sorted(h["member_roles"])[0].startswith("P1:KEPALA")


def test_most_recent_snapshot_decides_address_when_dates_given():
    r = _records()
    r.loc[0, ["desa_code", "place"]] = ["32.16.01.2003", "KP TIGA"]   # dtks says another desa
    snaps = {"dtks": "2025-03-31", "p3ke": "2024-01-31"}
    p = golden.persons_table(r, snapshots=snaps).set_index("person_id")
    assert p.loc["P1", "desa_code"] == "32.16.01.2003" and p.loc["P1", "desa_code_rule"] == "most_recent_snapshot"
    p2 = golden.persons_table(r, snapshots={"dtks": "2023-03-31", "p3ke": "2024-01-31"}).set_index("person_id")
    assert p2.loc["P1", "desa_code"] == "32.16.01.2001"


def test_docs_rule_tables_match_code():
    for doc in ("golden_records_and_updates.md", "golden_records_and_updates_id.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        m = re.search(r"<!-- generated: golden_rules -->\n(.*?)\n<!-- /generated -->", text, re.S)
        assert m, f"{doc}: no generated golden-rules block"
        assert m.group(1).strip() == golden.rules_markdown().strip(), \
            f"{doc} is out of date: run python docs/build_tables.py"


def test_adult_man_prefers_adult_men():
    c = _cand(adult_man=[False, True])
    assert np.argmax(golden.adult_man(c)) == 1


def test_word_consensus_prefers_higher_consensus():
    c = _cand(consensus=[2, 4, -1])
    assert np.argmax(golden.word_consensus(c)) == 1


def test_word_consensus_scores_words_most_records_share():
    # P1: "WULAN SAFITRI" and "WULAN" -> both score 2 (SAFITRI on half the records adds 0); P2: "ADE NABILA
    # AISYA", "NABILA AISYAH", "NABILA AISYA" by sound NBL/AS on all three, ADE on one -> ADE's name scores less
    rec = pd.DataFrame({"name_phonetic": [["WLN", "SPTR"], ["WLN"], ["AT", "NBL", "AS"], ["NBL", "AS"], ["NBL", "AS"],
                                          None]})
    e = np.array([0, 0, 1, 1, 1, 1])
    got = golden._word_consensus(e, rec, np.array([True] * 5 + [False]))
    assert list(got) == [2, 2, 5, 6, 6, 0]


def test_name_keeps_the_word_most_records_share_then_the_fuller_name():
    r = _records()
    r.loc[2, "name"] = "ASEP"
    r.at[2, "name_phonetic"] = ["ASP"]
    r.loc[1, "name"] = "ASEP SUNANDAR SAPUTRA"
    r.at[1, "name_phonetic"] = ["ASP", "SNNTR", "SPTR"]
    # ASP on 3/3 (+3), SNNTR on 2/3 (+1), SPTR on 1/3 (-1): "ASEP SUNANDAR" scores 4, the others 3
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR" and p.loc["P1", "name_rule"] == "word_consensus"


def test_adult_man_counts_age_at_newest_snapshot():
    # a son born 2008 is 16 on 2024-06-30 (not an adult man) but 17+ today: with snapshots the mother heads
    r = _records().iloc[[1, 3]].reset_index(drop=True)
    r["source"] = ["bpjs_pbi", "bpjs_pbi"]
    r["relationship"] = [None, None]
    r["person_id"] = ["P1", "P2"]
    r["birth_date"] = ["2008-01-05", "1980-06-05"]
    r["sex"] = ["L", "P"]
    snaps = {"bpjs_pbi": "2024-06-30"}
    p = golden.persons_table(r, snapshots=snaps)
    h = golden.households_table(r, p, snapshots=snaps).iloc[0]
    assert h["head_person_id"] == "P2" and h["head_person_id_rule"] == "not_a_child"
    assert golden._reference_days(snaps) == (pd.Timestamp("2024-06-30") - pd.Timestamp("1970-01-01")).days


def test_golden_accuracy_counts_all_and_recoverable_persons():
    import linkmiskin as lm
    from linkmiskin.synthetic import generator as synthetic

    data = synthetic.generate(households=60, seed=1)
    res = lm.link(data.sources, region=data.region, progress=False, snapshots=synthetic.SNAPSHOT)
    acc = golden.golden_accuracy(res, data).set_index("field")
    assert list(acc.index) == ["nik", "birth_date", "name", "desa_code", "head_name", "head_person"]
    assert (acc["n_recoverable"] <= acc["n"]).all() and (acc["n_available"] <= acc["n"]).all()
    assert (acc["correct"] <= acc["n"]).all()
    # a person with no record carrying the true NIK counts in n but not in n_recoverable
    assert acc.loc["nik", "n_recoverable"] < acc.loc["nik", "n"]
    for col in ("accuracy", "accuracy_recoverable", "accuracy_when_available"):
        assert acc[col].between(0, 1).all()
    assert acc.loc["nik", "accuracy_recoverable"] >= acc.loc["nik", "accuracy"]
    # the golden rows read only golden.RECORD_COLUMNS (what the Spark backend brings to the driver)
    ids = ["source", "record_id", "person_id", "household_id", "person_confidence"]
    slim = res.records[ids + list(golden.RECORD_COLUMNS)]
    persons = golden.persons_table(slim, snapshots=synthetic.SNAPSHOT)
    pd.testing.assert_frame_equal(persons, res.persons)
    from linkmiskin.linkage import _households_table

    hh_base = _households_table(res.records)
    pd.testing.assert_frame_equal(golden.households_table(slim, persons, hh_base, snapshots=synthetic.SNAPSHOT),
                                  res.households)


def test_common_spelling_prefers_more_common_rarest_word():
    c = _cand(commonness=[1, 40])
    assert np.argmax(golden.common_spelling(c)) == 1


def test_word_commonness_is_the_count_of_the_rarest_word():
    rec = pd.DataFrame({"name_tokens": [["ZAHRA", "AMELIA"], ["ZAHAR", "AMELIA"], ["ZAHRA"], None]})
    got = golden._word_commonness(rec, np.array([True, True, True, False]))
    assert list(got) == [2, 1, 2, 0]


def test_name_typo_loses_to_the_common_spelling():
    # P1 has two records that spell one word differently (same sound); SUNANDAR is also P3's name, SUNANDR
    # is written nowhere else
    r = _records()
    r = pd.concat([r, r.iloc[[3]].assign(record_id="5", person_id="P3", name="ASEP SUNANDAR")], ignore_index=True)
    r["name_tokens"] = [["ASEP", "SUNANDR"], ["ASEP", "SUNANDAR"], ["ASEP", "SUNANDAR"], ["SITI", "AMINAH"],
                        ["ASEP", "SUNANDAR"]]
    r.loc[0, "name"] = "ASEP SUNANDR"
    r = r[r["record_id"] != "2"].reset_index(drop=True)
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR" and p.loc["P1", "name_rule"] == "common_spelling"


def test_household_head_is_not_a_child_first_on_a_list_that_writes_heads_first():
    # the first of HX's rows, on a list proved to write heads first, is a boy of 6: the adult after him heads
    r = _kk_list_records(25, head_first=True)
    r.loc[r["person_id"] == "PXM", ["birth_date", "sex"]] = ["2018-05-05", "L"]
    snaps = {"bpjs_pbi": "2024-06-30", "dtks": "2024-06-30"}
    p = golden.persons_table(r, snapshots=snaps)
    h = golden.households_table(r, p, snapshots=snaps).set_index("household_id").loc["HX"]
    assert h["head_person_id"] == "PXS" and h["head_person_id_rule"] == "not_a_child"


def test_person_without_any_desa_keeps_own_kecamatan():
    r = _records()
    # a BPJS-PBI person alone in a household: no desa anywhere, the record gives the kecamatan
    extra = r.iloc[[1]].assign(record_id="9", person_id="P9", household_id="H9", kecamatan_code="32.16.05",
                               kecamatan_name="Kec Lima")
    p = golden.persons_table(pd.concat([r, extra], ignore_index=True)).set_index("person_id")
    assert pd.isna(p.loc["P9", "desa_code"]) and p.loc["P9", "kecamatan_code"] == "32.16.05"
    assert p.loc["P9", "kecamatan_name"] == "Kec Lima" and p.loc["P9", "kecamatan_code_rule"] == "only_value"
    assert p.loc["P1", "kecamatan_code"] == "32.16.01" and p.loc["P1", "kecamatan_code_rule"] == "of_desa"


def test_source_trust_and_head_recipient_lists_come_from_the_data_file():
    # every kind ranks the same lists, each once; BLT-DD's recipient counts as a head vote
    assert set(golden.SOURCE_TRUST["identity"]) == set(golden.SOURCE_TRUST["address"])
    assert len(set(golden.SOURCE_TRUST["identity"])) == len(golden.SOURCE_TRUST["identity"])
    assert golden.SOURCE_TRUST["identity"][0] == "bpjs_pbi" and golden.SOURCE_TRUST["address"][0] == "posyandu"
    assert golden.HEAD_RECIPIENT_LISTS == frozenset({"blt_dd"})


# ------------------------------------------------------------------- unit_without_address (list neighbours)


def _neighbour_records(bpjs_desa: list[str | None], kec: list[str | None] | None = None) -> pd.DataFrame:
    """One BPJS-like row (no desa) per household, in list order; each household with a desa in
    ``bpjs_desa`` also has a DTKS row giving it; a household given None is known from BPJS only."""
    rows = []
    for i, d in enumerate(bpjs_desa):
        k = (kec[i] if kec else None)
        rows.append({"source": "bpjs_pbi", "row_number": i, "household_id": f"H{i:03d}", "desa_code": None,
                     "kecamatan_code": k, "region_status": "missing"})
        if d is not None:
            rows.append({"source": "dtks", "row_number": i, "household_id": f"H{i:03d}", "desa_code": d,
                         "kecamatan_code": d[:8], "region_status": "resolved"})
    r = pd.DataFrame(rows)
    for c in ("kk", "kk_status", "decile", "rt", "rw", "place"):
        r[c] = None
    return r


def test_unit_without_address_needs_agreeing_neighbours_and_the_same_kecamatan():
    before = np.array(["32.16.01.2001", "32.16.01.2001", None, "32.16.01.2001"], dtype=object)
    after = np.array(["32.16.01.2001", "32.16.01.2002", None, "32.16.01.2001"], dtype=object)
    kec_ok = np.array([True, True, True, False])
    assert golden.unit_without_address(before, after, kec_ok).tolist() == [True, False, False, False]


def test_household_without_desa_takes_the_desa_its_list_neighbours_agree_on():
    desa = ["32.16.01.2001"] * 15 + [None] + ["32.16.01.2001"] * 10 + ["32.16.02.2001"] * 14 + [None] + \
           ["32.16.03.2001"] * 5
    a = golden._household_address(_neighbour_records(desa), None, None)
    assert a.loc["H015", "desa_code"] == "32.16.01.2001" and a.loc["H015", "desa_code_rule"] == "unit_without_address"
    # at a change of desa the neighbours disagree: no desa
    assert pd.isna(a.loc["H040", "desa_code"]) and a.loc["H040", "desa_code_rule"] == "no_value"
    assert a.loc["H000", "desa_code_rule"] == "only_value"
    # the row's own kecamatan contradicts the neighbours' desa: no desa
    kec = [None] * len(desa)
    kec[15] = "32.16.09"
    b = golden._household_address(_neighbour_records(desa, kec), None, None)
    assert pd.isna(b.loc["H015", "desa_code"])


def test_unit_without_address_not_used_in_a_list_not_sorted_by_desa():
    rng = np.random.default_rng(0)
    desa = [f"32.16.0{d}.2001" for d in rng.integers(1, 4, 60)]
    desa[30] = None
    desa[29] = desa[31] = "32.16.01.2001"
    a = golden._household_address(_neighbour_records(desa), None, None)
    assert pd.isna(a.loc["H030", "desa_code"])


def _one_person_households(desa: list) -> pd.DataFrame:
    """:func:`_neighbour_records` with one person per household, named SITI, with no other field."""
    r = _neighbour_records(desa)
    r["person_id"] = "P" + r["household_id"].str[1:]
    r["person_confidence"] = 1.0
    for c, v in (("nik", None), ("nik_status", "missing"), ("name", "SITI"), ("name_status", "ok"),
                 ("birth_date", None), ("birth_date_status", "missing"), ("birth_date_placeholder", False),
                 ("sex", None), ("sex_status", "missing"), ("relationship", None), ("relationship_status", "missing")):
        r[c] = v
    return r


def test_person_of_a_household_placed_by_list_neighbours_names_the_rule():
    desa = ["32.16.01.2001"] * 25 + [None] + ["32.16.01.2001"] * 5
    r = _one_person_households(desa)
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P025", "desa_code"] == "32.16.01.2001" and p.loc["P025", "desa_code_rule"] == "unit_without_address"
    assert p.loc["P024", "desa_code_rule"] != "unit_without_address"


def test_household_desa_is_the_golden_one_even_with_a_base_table():
    desa = ["32.16.01.2001"] * 25 + [None] + ["32.16.01.2001"] * 5
    r = _one_person_households(desa)
    p = golden.persons_table(r)
    base = pd.DataFrame({"household_id": sorted(r["household_id"].unique()), "n_records": 1, "desa_code": None})
    h = golden.households_table(r, p, base).set_index("household_id")
    assert list(h.columns[:2]) == ["n_records", "desa_code"]
    assert h.loc["H025", "desa_code"] == "32.16.01.2001" and h.loc["H025", "desa_code_rule"] == "unit_without_address"


def test_neighbour_desa_of_the_whole_list_places_a_household_recomputed_alone():
    desa = ["32.16.01.2001"] * 25 + [None] + ["32.16.01.2001"] * 5
    r = _neighbour_records(desa)
    fill = golden._list_neighbour_desa(r, golden._household_own_desa(r))
    assert fill["H025"] == "32.16.01.2001" and fill.drop("H025").isna().all()
    alone = r[r["household_id"].isin(["H024", "H025"])]
    assert pd.isna(golden._household_address(alone, None, None).loc["H025", "desa_code"])   # too few rows
    a = golden._household_address(alone, None, None, fill)
    assert a.loc["H025", "desa_code"] == "32.16.01.2001" and a.loc["H025", "desa_code_rule"] == "unit_without_address"
    # a household with a desa of its own keeps it whatever the fill says
    b = golden._household_address(alone, None, None, pd.Series({"H024": "32.16.01.2009"}))
    assert b.loc["H024", "desa_code"] == "32.16.01.2001" and b.loc["H024", "desa_code_rule"] != "unit_without_address"


def test_first_in_family_prefers_the_first_row():
    c = _cand(first_row=[0, 1, 0])
    assert np.argmax(golden.first_in_family(c)) == 1


def _kk_list_records(n_families: int, head_first: bool) -> pd.DataFrame:
    """A BPJS-like list without relationships, family by family (head first when ``head_first``, else every
    other family spouse first), whose heads a DTKS-like list writes as KEPALA with the same KK; then a
    household on the BPJS-like list only: a woman of 1970, then her adult son."""
    rows = []
    for i in range(n_families):
        kk, head, wife = f"32160101011{i:05d}", (f"P{i}H", "1980-01-01", "L"), (f"P{i}W", "1982-01-01", "P")
        fam = [head, wife] if head_first or i % 2 else [wife, head]
        for j, (p, born, sex) in enumerate(fam):
            rows.append(("bpjs_pbi", 10 * i + j, f"H{i}", p, kk, born, sex, None))
        rows.append(("dtks", i, f"H{i}", head[0], kk, head[1], head[2], "KEPALA"))
    rows += [("bpjs_pbi", 10 * n_families, "HX", "PXM", "3216010102000001", "1970-05-05", "P", None),
             ("bpjs_pbi", 10 * n_families + 1, "HX", "PXS", "3216010102000001", "1998-05-05", "L", None)]
    r = pd.DataFrame(rows, columns=["source", "row_number", "household_id", "person_id", "kk", "birth_date", "sex",
                                    "relationship"])
    r["record_id"] = r.index.astype(str)
    r["person_confidence"] = 1.0
    r["kk_status"] = "valid"
    r["relationship_status"] = np.where(r["relationship"].notna(), "ok", "missing")
    r["name"] = r["person_id"]
    r["name_status"] = "ok"
    r["birth_date_status"] = "ok"
    r["birth_date_placeholder"] = False
    r["sex_status"] = "ok"
    for c, v in (("nik", None), ("nik_status", "missing"), ("nik_birth_date", None), ("nik_sex", None),
                 ("desa_code", None), ("kecamatan_code", None), ("region_status", "missing"), ("rt", None),
                 ("rw", None), ("place", None), ("decile", None)):
        r[c] = v
    return r


def test_first_rows_of_families_only_in_a_list_that_writes_heads_first():
    r = _kk_list_records(25, head_first=True)
    first = golden._first_rows_of_families(r)
    assert set(r.loc[first, "person_id"]) == {f"P{i}H" for i in range(25)} | {"PXM"}
    assert not first[(r["source"] == "dtks").to_numpy()].any()   # one row per KK: no family run
    # half the families written spouse first: the list's order is not proved, no first row counts
    assert not golden._first_rows_of_families(_kk_list_records(25, head_first=False)).any()
    # too few families with a known head to prove it
    assert not golden._first_rows_of_families(_kk_list_records(10, head_first=True)).any()


def test_household_head_is_the_first_of_its_kk_rows_in_a_list_that_writes_heads_first():
    for head_first, head, rule in ((True, "PXM", "first_in_family"), (False, "PXS", "adult_man")):
        r = _kk_list_records(25, head_first=head_first)
        p = golden.persons_table(r)
        h = golden.households_table(r, p).set_index("household_id").loc["HX"]
        assert h["head_person_id"] == head and h["head_person_id_rule"] == rule


def test_first_in_family_comes_before_a_blt_dd_recipients_vote():
    r = _kk_list_records(25, head_first=True)
    son = r[r["person_id"] == "PXS"].assign(source="blt_dd", row_number=0, record_id="blt1", kk=None,
                                            kk_status="missing")
    r = pd.concat([r, son], ignore_index=True)
    p = golden.persons_table(r)
    h = golden.households_table(r, p).set_index("household_id").loc["HX"]
    assert h["head_person_id"] == "PXM" and h["head_person_id_rule"] == "first_in_family"


def test_record_columns_hold_what_the_list_neighbour_rules_read():
    """Spark's driver builds the golden rows from ``golden.RECORD_COLUMNS`` alone: the list-neighbour rules'
    ``row_number`` must be among them, or Spark's golden desa would differ from DuckDB's."""
    desa = ["32.16.01.2001"] * 15 + [None] + ["32.16.01.2001"] * 10
    full = _neighbour_records(desa)
    kept = full[[c for c in ("source", "household_id", *golden.RECORD_COLUMNS) if c in full]]
    a = golden._household_address(kept, None, None)
    assert a.loc["H015", "desa_code_rule"] == "unit_without_address"


def test_name_forms_join_spellings_of_the_same_words():
    rec = pd.DataFrame({"name_phonetic": [["YNL", "SPRNTA"], ["YNL", "SPRNTA"], ["YNL"], None, None]})
    v = np.array(["ZAINAL SUPRIANTO", "ZAINAL SUPRIYANTO", "ZAINAL", "ZAINAL S", None], dtype=object)
    f = golden._name_forms(rec, v)
    assert f[0] == f[1] and f[0] != f[2]
    assert not np.isnan(f[3]) and f[3] not in (f[0], f[2])   # a name without sounds is a form of its own
    assert np.isnan(f[4])


def test_name_spelling_is_the_registers_usual_one_among_the_chosen_words():
    # P1 is written ZAINAL SUPRIANTO twice and ZAINAL SUPRIYANTO once (one sound), and once with a word most of
    # its records lack; the words are chosen first, then the spelling of SPRNTA the whole table writes most
    # often (four other persons write SUPRIYANTO, none SUPRIANTO)
    r = _records()
    base = r.iloc[[3]]
    others = pd.concat([base.assign(record_id=f"x{i}", person_id=f"Q{i}", household_id=f"HQ{i}",
                                    name=f"{w} SUPRIYANTO", name_phonetic=[[w[:2], "SPRNTA"]])
                        for i, w in enumerate(["AGUS", "BUDI", "DEDI", "EKO"])], ignore_index=True)
    r = pd.concat([r, r.iloc[[0]].assign(record_id="1b"), others], ignore_index=True)
    names = ["ZAINAL SUPRIANTO", "ZAINAL SUPRIANTO", "ZAINAL SUPRIYANTO", "ZAINAL SUPRIANTO HADI"]
    sounds = [["YNL", "SPRNTA"]] * 3 + [["YNL", "SPRNTA", "HT"]]
    for i, (nm, ph) in zip([0, 1, 2, 4], zip(names, sounds, strict=True), strict=True):
        r.at[i, "name"], r.at[i, "name_phonetic"] = nm, ph
    r["name_tokens"] = r["name"].str.split()
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ZAINAL SUPRIYANTO" and p.loc["P1", "name_rule"] == "common_spelling"
    # with one spelling of the chosen words, the rule that chose the words is named
    r2 = r[r["record_id"] != "3"].reset_index(drop=True)
    r2.loc[r2["record_id"] == "2", ["name"]] = "ZAINAL SUPRIANTO"
    r2["name_tokens"] = r2["name"].str.split()
    p2 = golden.persons_table(r2).set_index("person_id")
    assert p2.loc["P1", "name"] == "ZAINAL SUPRIANTO" and p2.loc["P1", "name_rule"] == "word_consensus"


def test_update_recomputes_a_household_whose_list_lost_its_head_first_proof():
    from linkmiskin.clustering import golden_update
    from linkmiskin.linkage import _households_table

    dates = {"bpjs_pbi": "2025-01-31", "dtks": "2024-12-31"}   # (households are reused only with dates)

    def full(rec):
        p = golden.persons_table(rec, snapshots=dates)
        return p, golden.households_table(rec, p, _households_table(rec), snapshots=dates)

    old = _kk_list_records(25, head_first=True).assign(household_confidence=1.0)
    hz = old.iloc[[0, 1]].assign(source="posyandu", household_id="HZ", person_id=["PZ1", "PZ2"],
                                 record_id=["z1", "z2"], kk=None, kk_status="missing")
    old = pd.concat([old, hz], ignore_index=True)   # a household on another list, reused
    p_old, h_old = full(old)
    assert h_old.set_index("household_id").loc["HX", "head_person_id_rule"] == "first_in_family"
    # three families now written spouse first: 22 of 25 heads first is no proof; HX's own rows did not change
    new = old.copy()
    for i in range(3):
        rows = (new["source"] == "bpjs_pbi") & (new["household_id"] == f"H{i}")
        new.loc[rows, "row_number"] = new.loc[rows, "row_number"].to_numpy()[::-1]
    state = golden_update.GoldenState(
        pd.DataFrame({"source": old["source"], "record_id": old["record_id"],
                      "golden_hash": golden_update.golden_signatures(old, dates)}), p_old, h_old, dates)
    persons, households, _, stats = golden_update.update_tables(new, dates, state, _households_table)
    want_p, want_h = full(new)
    assert want_h.set_index("household_id").loc["HX", "head_person_id"] == "PXS"   # the adult son, not first_in_family
    assert stats["golden_households_reused"] > 0
    pd.testing.assert_frame_equal(households, want_h)
    pd.testing.assert_frame_equal(persons, want_p, check_dtype=False)   # (columns of None only: object or float)


def test_a_tie_between_two_names_does_not_depend_on_the_row_order():
    # P1's two records give two names that tie on every rule (one record each, one word each, each written
    # once): the smallest form decides, and its number must not follow the rows' order (Spark's driver gets
    # them in another order than DuckDB)
    r = _records()
    r = r[r["record_id"] != "3"].reset_index(drop=True)
    r.loc[0, "name"], r.loc[1, "name"] = "AHMAD", "BUDI"
    r.loc[1, "source"] = r.loc[0, "source"]
    r.at[0, "name_phonetic"], r.at[1, "name_phonetic"] = ["AHMT"], ["BT"]
    forward = golden.persons_table(r).set_index("person_id")
    backward = golden.persons_table(r.iloc[::-1].reset_index(drop=True)).set_index("person_id")
    assert forward.loc["P1", "name_rule"] == golden.SMALLEST_VALUE
    assert forward.loc["P1", "name"] == backward.loc["P1", "name"]


# ------------------------------------------------------------------------------ parents' names on children's records


def test_named_by_children_prefers_the_name_closest_to_the_childrens_writing():
    c = _cand(named_by_children=[-1, 0, -3])
    assert np.argmax(golden.named_by_children(c)) == 1


def _father_and_child(father_name: str | None, father_sex: str = "L", child_born: str = "2021-04-02") -> pd.DataFrame:
    """P1 (a man of 1980) written ASEP SUNANDAR on DTKS and ASEP SUNANDAR SAPUTRA on BPJS-PBI (no word consensus,
    one record each), his wife P2, and their child P3 on a posyandu list that writes the father's name."""
    from linkmiskin.standardise.names import parse_name

    r = _records()
    r = r[r["record_id"] != "3"].reset_index(drop=True)
    r.loc[1, "name"] = "ASEP SUNANDAR SAPUTRA"
    r.loc[[0, 1], "sex"] = father_sex
    child = r.iloc[[2]].assign(source="posyandu", record_id="5", person_id="P3", name="AULIA PUTRI",
                               nik=None, nik_status="missing", nik_birth_date=None, nik_sex=None,
                               birth_date=child_born, sex="P", relationship=None)
    r = pd.concat([r, child], ignore_index=True)
    r["father_name"] = [None, None, None, father_name]
    r["mother_name"] = [None, None, None, "SITI AMINAH"]
    r["name_phonetic"] = parse_name(r["name"])["name_phonetic"].to_numpy()
    r["name_tokens"] = r["name"].str.split()
    return r


def test_a_fathers_name_on_his_childs_record_is_one_more_writing_of_his_name():
    # two records, one name each: the child's record writes ASEP SUNANDAR, so two writings of three lack SAPUTRA
    p = golden.persons_table(_father_and_child("ASEP SUNANDAR")).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR" and p.loc["P1", "name_rule"] == "word_consensus"
    p = golden.persons_table(_father_and_child("ASEP SUNANDAR SAPUTRA")).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR SAPUTRA" and p.loc["P1", "name_rule"] == "word_consensus"
    # no father's name: the fuller name, by fullest_name
    p = golden.persons_table(_father_and_child(None)).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR SAPUTRA" and p.loc["P1", "name_rule"] == "fullest_name"
    # the mother's name on the same record is hers: SITI AMINAH's only name, nothing to break
    assert p.loc["P2", "name"] == "SITI AMINAH"


def test_named_by_children_breaks_a_tie_the_writings_leave():
    # ASEP, ASEP SUNANDAR and ASEP SUNANDAR SAPUTRA, and the child's ASEP SUNANDAR SAPUTRA: the last two tie on
    # word_consensus (SAPUTRA on two writings of four adds nothing) and on most_frequent; the child's writing
    # is the fuller one's
    r = _father_and_child("ASEP SUNANDAR SAPUTRA")
    third = r.iloc[[0]].assign(record_id="1c", source="p3ke", name="ASEP", name_phonetic=[["ASP"]],
                               name_tokens=[["ASEP"]])
    r = pd.concat([r, third], ignore_index=True)
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR SAPUTRA" and p.loc["P1", "name_rule"] == "named_by_children"
    # without the child's writing, ASEP SUNANDAR (on two records of three)
    p = golden.persons_table(r.assign(father_name=None)).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR" and p.loc["P1", "name_rule"] == "word_consensus"


def test_named_by_children_chooses_the_spelling_the_child_writes_when_the_register_ties():
    # RIZKY ANDI and RIZKI ANDI: one sound; the table writes RIZKY twice (P1, and another person) and RIZKI twice
    # (P1, and the child's record naming P1 as father): common_spelling ties, the child's spelling is chosen
    r = _father_and_child("RIZKI ANDI")
    r.loc[0, "name"], r.loc[1, "name"] = "RIZKY ANDI", "RIZKI ANDI"
    r.at[0, "name_phonetic"], r.at[1, "name_phonetic"] = ["RSKI", "ANTI"], ["RSKI", "ANTI"]
    other = r.iloc[[2]].assign(record_id="7", person_id="Q1", household_id="HQ", name="RIZKY PRATAMA",
                               name_phonetic=[["RSKI", "PRTMA"]], father_name=None, mother_name=None)
    r = pd.concat([r, other], ignore_index=True)
    r["name_tokens"] = r["name"].str.split()
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "RIZKI ANDI" and p.loc["P1", "name_rule"] == "named_by_children"
    # without the child's writing, RIZKY is the register's usual spelling
    p = golden.persons_table(r.assign(father_name=None)).set_index("person_id")
    assert p.loc["P1", "name"] == "RIZKY ANDI" and p.loc["P1", "name_rule"] == "common_spelling"


def test_word_consensus_counts_the_parents_names_as_writings():
    rec = pd.DataFrame({"name_phonetic": [["ASP", "SNNTR"], ["ASP", "SNNTR", "SPTRA"]]})
    e = np.array([0, 0])
    assert list(golden._word_consensus(e, rec, np.array([True, True]))) == [4, 4]
    also = pd.DataFrame({"p": [0, 0], "w": [7, 7], "word": ["ASP", "SNNTR"]})
    assert list(golden._word_consensus(e, rec, np.array([True, True]), also)) == [6, 5]


def test_a_parents_name_goes_only_to_a_member_of_the_parents_sex_and_age():
    # P1 is a woman: the father's name is nobody's (P2 is a woman too, the child is the child)
    p = golden.persons_table(_father_and_child("ASEP SUNANDAR", father_sex="P")).set_index("person_id")
    assert p.loc["P1", "name_rule"] == "fullest_name"
    # a "child" born before P1 (1980) is not his child
    p = golden.persons_table(_father_and_child("ASEP SUNANDAR", child_born="1979-01-01")).set_index("person_id")
    assert p.loc["P1", "name_rule"] == "fullest_name"


def test_a_parents_name_shared_equally_by_two_members_is_nobodys():
    r = _father_and_child("ASEP SUNANDAR")
    other = r.iloc[[0]].assign(record_id="6", person_id="P4", name="ASEP", name_phonetic=[["ASP"]],
                               name_tokens=[["ASEP"]], nik=None, nik_status="missing", birth_date="1950-01-01")
    r = pd.concat([r, other], ignore_index=True)
    # P4 (ASEP) shares one sound with the written name, P1 two: P1 is named
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR" and p.loc["P1", "name_rule"] == "word_consensus"
    r.loc[r["person_id"] == "P4", "name"] = "ASEP SUNANDAR"
    r.loc[r["person_id"] == "P4", "name_phonetic"] = pd.Series([["ASP", "SNNTR"]], index=r.index[r["person_id"] == "P4"])
    p = golden.persons_table(r).set_index("person_id")
    assert p.loc["P1", "name"] == "ASEP SUNANDAR SAPUTRA" and p.loc["P1", "name_rule"] == "fullest_name"


def test_record_columns_and_update_inputs_hold_the_parents_names():
    """Spark's driver reads ``RECORD_COLUMNS`` only, and an update recomputes a group when a ``GOLDEN_INPUTS``
    column of a record changes: both must hold the parents' names the ``named_by_children`` rule reads."""
    from linkmiskin.clustering import golden_update

    r = _father_and_child("ASEP SUNANDAR")
    kept = r[[c for c in ("source", "record_id", "person_id", "household_id", "person_confidence",
                          *golden.RECORD_COLUMNS) if c in r]]
    assert golden.persons_table(kept).set_index("person_id").loc["P1", "name"] == "ASEP SUNANDAR"
    a = golden_update.golden_signatures(r, None)
    b = golden_update.golden_signatures(r.assign(father_name=[None, None, None, "ASEP SUNANDAR SAPUTRA"]), None)
    assert list(a != b) == [False, False, False, True]


def test_word_commonness_counts_the_parents_names_childrens_records_write():
    # ZAHAR is written once as a name, and twice as a mother's name (once twice in one name: counted once)
    rec = pd.DataFrame({"name_tokens": [["ZAHRA", "AMELIA"], ["ZAHAR", "AMELIA"], ["ZAHRA"], None],
                        "mother_name": [None, None, "ZAHAR ZAHAR", "ZAHAR AMELIA"],
                        "father_name": [None, None, None, "AMELIA"]})
    got = golden._word_commonness(rec, np.array([True, True, True, False]))
    assert list(got) == [2, 3, 2, 0]
