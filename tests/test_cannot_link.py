"""Each cannot-link rule on hand-made pairs: one pair where it fires, one near miss where it does not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkmiskin.clustering.cannot_link import RULES, PairEvidence, cannot_link, pair_frame, rules_table

BASE = {"nik": None, "nik15": None, "nik_consistent": True, "nik_own_date": False, "dob": None,
        "mother_name": None, "desa_code": None, "rt": None, "rw": None, "nik_dob": None,
        "dob_placeholder": False, "source": "a", "kk": None, "name_mask": 1, "dob_year": None, "sex": None,
        "name": "X"}


def _nik(nik: str) -> dict:
    return {"nik": nik, "nik15": nik[:15]}


def fires(rule: str, a: dict, b: dict, scored: dict | None = None) -> bool:
    recs = pd.DataFrame([BASE | a, BASE | b])
    m = pair_frame(recs, np.array([0]), np.array([1]))
    if scored is not None:
        m = m.assign(scored=True, **{k: [v] for k, v in scored.items()})
    return bool(RULES[rule](PairEvidence(m))[0])


def test_every_rule_has_a_name_and_a_one_sentence_description():
    t = rules_table()
    assert list(t["rule"]) == list(RULES)
    assert t["description"].str.endswith(".").all()
    assert (t["description"].str.len() > 30).all()


def test_different_niks_and_dates():
    a = _nik("3216011505800001") | {"dob": "1980-05-15", "name": "BUDI"}
    b = _nik("3216012208750004") | {"dob": "1975-08-22", "name": "BUDI"}
    assert fires("different_niks_and_dates", a, b)
    # one digit apart: may be one NIK mistyped
    assert not fires("different_niks_and_dates", a, b | _nik("3216011505800007"))


def test_different_niks_no_common_name():
    a = _nik("3216011505800001") | {"name": "BUDI SANTOSO", "name_mask": 1}
    b = _nik("3216012208750004") | {"name": "AGUS SALIM", "name_mask": 2}
    assert fires("different_niks_no_common_name", a, b)
    # one name mistyped without a common word (JUNAIDI / JUNAEDI) is not "no common name"
    assert not fires("different_niks_no_common_name", a | {"name": "JUNAIDI"}, b | {"name": "JUNAEDI"})


def test_niks_code_their_own_different_dates():
    a = _nik("3216091412970001") | {"nik_own_date": True, "dob": "1997-12-14"}
    b = _nik("3216091512970001") | {"nik_own_date": True, "dob": "1997-12-15"}
    assert fires("niks_code_their_own_different_dates", a, b)
    assert not fires("niks_code_their_own_different_dates", a, b | {"nik_own_date": False})


def test_twins_named_in_rhyme():
    twin = {"dob": "2019-03-04", "dob_year": 2019, "source": "posyandu", "mother_name": "SITI AMINAH"}
    assert fires("twins_named_in_rhyme", twin | {"name": "PUTRA ALIF"}, twin | {"name": "PUTRI ALIF"})
    # a consonant apart is a typo, not a rhyme
    assert not fires("twins_named_in_rhyme", twin | {"name": "PUTRA ALIF"}, twin | {"name": "PUTRA ALIP"})


def test_same_kk_different_names():
    fam = {"source": "dtks", "kk": "3216010511150001"}
    assert fires("same_kk_different_names", fam | {"name": "PUTRI", "name_mask": 1},
                 fam | {"name": "BAYU", "name_mask": 2})
    assert not fires("same_kk_different_names", fam | {"name": "PUTRI", "name_mask": 1},
                     fam | {"name": "BAYU", "name_mask": 2, "source": "p3ke"})


def test_same_kk_years_apart():
    fam = {"source": "dtks", "kk": "3216010511150001", "name": "ANI"}
    assert fires("same_kk_years_apart", fam | {"dob_year": 1980}, fam | {"dob_year": 1984})
    # two swapped digits of a year are a typo (1973 / 1937 is a generation, 1984 / 1948 too, but the
    # rule spares swaps)
    assert not fires("same_kk_years_apart", fam | {"dob_year": 1973}, fam | {"dob_year": 1937})
    assert not fires("same_kk_years_apart", fam | {"dob_year": 1980}, fam | {"dob_year": 1981})


def test_one_household_generations_apart():
    fam = {"source": "dtks", "kk": "3216010511150001", "name": "USMAN"}
    # a head and his son of one name, neither with a NIK or a birth date
    assert fires("one_household_generations_apart", fam | {"relationship": "KEPALA"}, fam | {"relationship": "ANAK"})
    assert fires("one_household_generations_apart", fam | {"relationship": "ANAK"}, fam | {"relationship": "CUCU"})
    # head and spouse (lists swap them), an unknown role, another list or another KK: no verdict
    assert not fires("one_household_generations_apart", fam | {"relationship": "KEPALA"},
                     fam | {"relationship": "PASANGAN"})
    assert not fires("one_household_generations_apart", fam | {"relationship": "KEPALA"},
                     fam | {"relationship": "FAMILI"})
    assert not fires("one_household_generations_apart", fam | {"relationship": "KEPALA"},
                     fam | {"relationship": "ANAK", "source": "p3ke"})
    assert not fires("one_household_generations_apart", fam | {"relationship": "KEPALA"},
                     fam | {"relationship": "ANAK", "kk": "3216010511150002"})


def test_same_kk_different_niks():
    fam = {"source": "dtks", "kk": "3216010511150001", "name": "ANI"}
    assert fires("same_kk_different_niks", fam | _nik("3216015505800001"), fam | _nik("3216016208750004"))
    assert not fires("same_kk_different_niks", fam | _nik("3216015505800001"), fam | _nik("3216015505800002"))


def test_same_kk_different_sex():
    fam = {"source": "dtks", "kk": "3216010511150001", "name": "ANI"}
    assert fires("same_kk_different_sex", fam | {"sex": "L"}, fam | {"sex": "P"})
    # one person listed twice (one trusted NIK, one real date) with a sex typo
    row = fam | _nik("3216014206100002") | {"dob": "2010-06-02"}
    assert not fires("same_kk_different_sex", row | {"sex": "L"}, row | {"sex": "P"})


def test_same_list_same_nik_code():
    a = _nik("3216094107200001") | {"name": "ANI"}
    b = _nik("3216094107200024") | {"name": "ANA"}
    assert fires("same_list_same_nik_code", a, b)
    assert not fires("same_list_same_nik_code", a, b | {"source": "b"})


def test_same_list_same_day_other_sex():
    a = {"dob": "2001-02-03", "sex": "L", "name": "RIZKI"}
    assert fires("same_list_same_day_other_sex", a, a | {"sex": "P"})
    assert not fires("same_list_same_day_other_sex", a, a | {"sex": "P", "source": "b"})


def test_a_generation_apart():
    father = {"dob_year": 1965, "name": "BUDI"}
    assert fires("a_generation_apart", father, {"dob_year": 1992, "name": "BUDI", "source": "b"})
    # a one-digit typo (1981 / 1991) is not a generation
    assert not fires("a_generation_apart", {"dob_year": 1981}, {"dob_year": 1991, "source": "b"})


def test_a_plain_id_shared_by_both_sides_overrides_the_date_rules():
    father = {"dob_year": 1965, "name": "BUDI", "trusted_id": "5012345"}
    son = {"dob_year": 1992, "name": "BUDI", "source": "b", "trusted_id": "5012345"}
    # the same id where the ids are plain identifiers: corrupted years do not keep the records apart
    assert not fires("a_generation_apart", father, son)
    assert fires("a_generation_apart", father, son | {"trusted_id": "5012346"})
    assert not fires("loose_names_unconfirmed", {"dob": "1990-01-02", "trusted_id": "77"},
                     {"dob": "1991-03-02", "source": "b", "trusted_id": "77"},
                     {"name_weak": True, "nik_same": False, "name_alike": False})


def test_different_niks_loose_names():
    a = _nik("3216011505800001")
    b = _nik("3216012208750004") | {"source": "b"}
    assert fires("different_niks_loose_names", a, b, {"name_weak": True, "nik_same": False, "name_alike": False})
    assert not fires("different_niks_loose_names", a, b,
                     {"name_weak": False, "nik_same": False, "name_alike": False})


def test_loose_names_unconfirmed():
    a = {"dob": "1990-01-02", "source": "a"}
    b = {"dob": "1990-01-02", "source": "b"}
    assert fires("loose_names_unconfirmed", a, b, {"name_weak": True, "nik_same": False, "name_alike": False})
    # the same NIK level and the same real birth date confirm the pair: the score decides
    assert not fires("loose_names_unconfirmed", a, b, {"name_weak": True, "nik_same": True, "name_alike": False})


def test_serial_only_niks_other_names():
    a = _nik("3216094107200001") | {"name": "RIZKI"}
    b = _nik("3216094107200004") | {"name": "DIMAS", "source": "b"}
    assert fires("serial_only_niks_other_names", a, b, {"name_weak": False, "nik_same": False, "name_alike": False})
    assert not fires("serial_only_niks_other_names", a, b,
                     {"name_weak": False, "nik_same": False, "name_alike": True})


def test_serial_only_niks_other_names_spares_a_mistyped_name():
    # GRACE SIHOMBING / GRACE SIHOMBIN, NIKs one serial apart: one girl whose name and serial were mistyped
    flags = {"name_weak": False, "nik_same": False, "name_alike": False}
    a = _nik("1202105104150011") | {"name": "GRACE SIHOMBING"}
    b = _nik("1202105104150012") | {"name": "GRACE SIHOMBIN", "source": "b"}
    assert not fires("serial_only_niks_other_names", a, b, flags)
    assert not fires("serial_only_niks_other_names", a | {"name": "SANGKOT ROY"}, b | {"name": "SANGKOT ROI"}, flags)
    # twins named one vowel apart stay two people, and so do two different names
    assert fires("serial_only_niks_other_names", a | {"name": "PUTRA SIHOMBING"}, b | {"name": "PUTRI SIHOMBING"},
                 flags)
    assert fires("serial_only_niks_other_names", a | {"name": "GRACE SIHOMBING"}, b | {"name": "MONIKA SIHOMBING"},
                 flags)


def test_serial_only_niks_each_on_two_lists():
    # ERNA BR SIHOMBING / ERNA SIHOMBING: one name, one birth date, NIKs one serial apart, each NIK written on
    # two lists and the records in two desa: two women, not a mistyped serial
    a = {"nik": "1202016412710017", "nik15": "120201641271001", "nik_own_date": True, "dob": "1971-12-24",
         "name": "ERNA SIHOMBING", "desa_code": "12.02.10.2011", "nik_lists": 2}
    b = a | {"nik": "1202016412710031", "nik15": "120201641271003", "desa_code": "12.02.14.2002", "source": "b"}
    assert fires("serial_only_niks_each_on_two_lists", a, b)
    assert not fires("serial_only_niks_each_on_two_lists", a, b | {"nik_lists": 1})  # a typo seen once
    assert not fires("serial_only_niks_each_on_two_lists", a, b | {"desa_code": "12.02.10.2011"})
    assert not fires("serial_only_niks_each_on_two_lists", a, b | {"nik": a["nik"]})


def test_different_niks_each_on_two_lists():
    # JOHANNES SIMANJUNTAK born 1980-12-31 in two kecamatan: one name, one date, two NIKs each written on two
    # lists, in two desa: two men
    a = _nik("1202023112800004") | {"dob": "1980-12-31", "name": "JOHANNES SIMANJUNTAK",
                                    "desa_code": "12.02.02.2001", "nik_lists": 2}
    b = a | _nik("1202063112800011") | {"desa_code": "12.02.06.2004", "source": "b"}
    assert fires("different_niks_each_on_two_lists", a, b)
    assert not fires("different_niks_each_on_two_lists", a, b | {"nik_lists": 1})   # a NIK seen once
    assert not fires("different_niks_each_on_two_lists", a, b | _nik("1202023112800014"))  # one typo
    # one man holding two NIKs (his old one from Medan, kept on two lists, and a new local one) at one
    # address: the same desa on both records, so the rule leaves him to the score
    old = b | _nik("1271013112800002") | {"desa_code": a["desa_code"]}
    assert not fires("different_niks_each_on_two_lists", a, old)


def test_different_niks_kks_and_desa():
    # ROSLINA SITOMPUL born 1989-12-06 in two kecamatan, each under her own NIK and KK: two women
    a = _nik("1202124612890009") | {"dob": "1989-12-06", "name": "ROSLINA SITOMPUL", "kk": "1202121007130029",
                                    "desa_code": "12.02.12.2004"}
    b = a | _nik("1202114612890038") | {"kk": "1202110208210035", "desa_code": "12.02.11.2013", "source": "b"}
    assert fires("different_niks_kks_and_desa", a, b)
    assert not fires("different_niks_kks_and_desa", a, b | {"kk": a["kk"]})             # one KK
    assert not fires("different_niks_kks_and_desa", a, b | {"desa_code": a["desa_code"]})  # one desa
    assert not fires("different_niks_kks_and_desa", a, b | {"kk": None})                 # a KK unknown
    assert not fires("different_niks_kks_and_desa", a, b | _nik("1202124612890008"))     # one NIK mistyped


def test_niks_differ_beyond_typo_on_all_16_digits():
    # 3216091412970002 / 3216041412970001: one digit apart in 15, two in 16: two NIKs, not one mistyped
    a = _nik("3216091412970002") | {"nik_lists": 2, "desa_code": "32.16.09.2001"}
    b = _nik("3216041412970001") | {"nik_lists": 2, "desa_code": "32.16.04.2003", "source": "b"}
    assert fires("different_niks_each_on_two_lists", a, b)
    # one side lost its 16th digit in Excel: the 15 digits are one apart, so a typo is possible
    assert not fires("different_niks_each_on_two_lists", a, b | {"nik": None})


def test_a_person_with_two_niks_in_one_desa_is_not_kept_apart():
    # a migrant's old NIK (another kabupaten) on two lists and the new local one on two others, one desa
    man = {"dob": "1975-03-02", "dob_year": 1975, "name": "SAHAT SIREGAR", "desa_code": "12.02.05.2003",
           "sex": "L", "kk": "1202050303150002"}
    old, new = _nik("1271010203750003"), _nik("1202050203750001")
    recs = pd.DataFrame([BASE | man | old | {"source": "a"}, BASE | man | old | {"source": "b"},
                         BASE | man | new | {"source": "c"}, BASE | man | new | {"source": "d"}])
    out = cannot_link(recs, np.zeros(4, dtype=np.int64))
    assert out.empty
    # the same two NIKs in two desa: two men, whatever their names
    recs.loc[2:, "desa_code"] = "12.02.09.2010"
    out = cannot_link(recs, np.zeros(4, dtype=np.int64))
    assert set(out["rule"]) == {"different_niks_each_on_two_lists"} and len(out) == 4


def test_every_rule_is_tested_here():
    import sys

    tested = {n[len("test_"):] for n in dir(sys.modules[__name__]) if n.startswith("test_")}
    assert set(RULES) <= tested, sorted(set(RULES) - tested)


def test_cannot_link_names_the_first_rule_and_rules_switch_off():
    recs = pd.DataFrame([BASE | {"dob_year": 1965, "name": "BUDI"},
                         BASE | {"dob_year": 1992, "name": "BUDI", "source": "b"}])
    out = cannot_link(recs, np.array([0, 0]))
    assert out.to_dict("records") == [{"a": 0, "b": 1, "rule": "a_generation_apart"}]
    assert len(cannot_link(recs, np.array([0, 0]), off=["a_generation_apart"])) == 0
    with pytest.raises(ValueError, match="unknown cannot-link rule"):
        cannot_link(recs, np.array([0, 0]), off=["no_such_rule"])


def test_a_cannot_link_pair_stays_apart_after_both_sides_join_bigger_clusters():
    from linkmiskin.clustering.persons import _agglomerate

    # 0 joins {1, 2} and 3 joins {4, 5}: each is the smaller side, and its cannot-link partner must follow it
    el, er, ep = [1, 4, 0, 3, 2], [2, 5, 1, 4, 5], [0.99, 0.99, 0.98, 0.98, 0.97]
    rep = _agglomerate(list(range(6)), el, er, ep, 0.5, cannot=[(0, 3)])
    assert rep[0] == rep[1] == rep[2] and rep[3] == rep[4] == rep[5]
    assert rep[0] != rep[3]


def test_husband_and_wife_by_name_form():
    wife = {"source": "dtks", "name": None, "sex": "P", "spouse_name": "BUDI SANTOSO", "name_form": "husband",
            "husband_name": "BUDI SANTOSO"}
    assert fires("husband_and_wife_by_name_form", wife, {"source": "bpjs", "name": "BUDI SANTOSO", "sex": "L"})
    # an unclear NY. name and the head her household names, his sex unknown
    unclear = wife | {"name": "BUDI SANTOSO", "name_form": "ambiguous"}
    assert fires("husband_and_wife_by_name_form", {"name": "BUDI SANTOSO", "source": "dtks"}, unclear)
    # NY. SITI AMINAH, unclear, and SITI AMINAH: one woman, not a couple
    siti = {"name": "SITI AMINAH", "sex": "P", "spouse_name": "SITI AMINAH", "name_form": "ambiguous"}
    assert not fires("husband_and_wife_by_name_form", siti, {"name": "SITI AMINAH", "sex": "P", "source": "b"})
    # her own name with a title is not her husband's
    assert not fires("husband_and_wife_by_name_form", wife | {"name_form": "own"},
                     {"source": "bpjs", "name": "BUDI SANTOSO", "sex": "L"})


def _father_son_and_x(to_father: float, to_son: float) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Father {0, 1} and son {2, 3} kept apart; record 4 (a name and an RT only) scored with all four."""
    from linkmiskin.clustering.persons import _agglomerate

    edges = sorted([(0, 1, 0.99999), (2, 3, 0.99999), (4, 0, to_father), (4, 1, to_father), (4, 2, to_son),
                    (4, 3, to_son)], key=lambda e: -e[2])
    held: list[tuple[int, int]] = []
    rep = _agglomerate(list(range(5)), [e[0] for e in edges], [e[1] for e in edges], [e[2] for e in edges], 0.5,
                       cannot=[(0, 2), (0, 3), (1, 2), (1, 3)], min_avg=0.5, held=held)
    return rep, held


def test_equally_close_to_two_kept_apart():
    from linkmiskin.clustering.persons import equally_close_to_two_kept_apart

    # a record that the evidence ties equally to a father and his son joins neither
    rep, held = _father_son_and_x(0.95, 0.95)
    assert rep[0] == rep[1] and rep[2] == rep[3] and rep[0] != rep[2]
    assert rep[4] not in (rep[0], rep[2]) and held
    # clearly closer to the father: it joins him
    rep, held = _father_son_and_x(0.98, 0.6)
    assert rep[4] == rep[0] and not held
    # tied that firmly to both, the doubt is the cannot-link rule's, not the record's: it is not held
    rep, held = _father_son_and_x(0.99995, 0.99995)
    assert rep[4] in (rep[0], rep[2]) and not held
    assert equally_close_to_two_kept_apart(0.9, 0.895, 0.5)      # within AMBIGUITY_MARGIN_BITS
    assert not equally_close_to_two_kept_apart(0.9, 0.8, 0.5)    # a clear difference in odds
    assert not equally_close_to_two_kept_apart(0.9, 0.4, 0.5)    # the rival is below the threshold


def test_persons_do_not_depend_on_the_order_of_the_pair_rows():
    """Two pairs tie at 0.9 and the third is weak: whichever tie is taken first decides the persons, so
    ties are taken in record order (Spark hands pairs over in any order and must give DuckDB's persons)."""
    import warnings

    from linkmiskin.clustering.persons import person_clusters

    recs = pd.DataFrame({"node": np.arange(3)})
    pairs = pd.DataFrame({"l": [0, 1, 0], "r": [1, 2, 2], "p": [0.9, 0.9, 0.1],
                          "name_weak": False, "nik_same": False, "name_alike": True})
    seen = set()
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            out = person_clusters(recs, pairs.iloc[order].reset_index(drop=True), 0.6)
        seen.add(tuple(out["person_node"]))
    assert seen == {(0, 0, 2)}
