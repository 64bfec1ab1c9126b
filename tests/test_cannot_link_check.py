"""Cannot-link rules checked against the data at hand (issue 15): a rule that fires on too many pairs the data
shows to be one person by other evidence is switched off for the job, and the result says so."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.clustering.cannot_link import (
    MIN_REFERENCE_PAIRS,
    REFERENCES,
    RULES,
    check_rules,
    check_warning,
    references_table,
    rule_contradicted_by_reference_pairs,
    wilson_lower_bound,
)

GIVEN = ["AHMAD", "SITI", "BUDI", "DEWI", "JOKO", "RINA", "HENDRA", "YUNI", "AGUS", "LUKMAN", "FITRI", "RUDI",
         "WATI", "EKO", "NUR", "SRI", "TONO", "INDAH", "BAYU", "MAYA", "DONI", "LINA", "ARIF", "TUTI",
         "HADI", "YANTI", "IWAN", "RATNA", "FAJAR", "ANI", "GILANG", "NINA", "RIZKI", "SARI", "DIMAS", "LIA",
         "YOGA", "MEGA", "ANDI", "PUTRI"]
FAMILY = ["SANTOSO", "RAHAYU", "WIBOWO", "LESTARI", "SAPUTRA", "MARLINA", "GUNAWAN", "KARTIKA", "HAKIM",
          "SETIAWAN", "HIDAYAT", "PRATAMA", "KURNIAWAN", "WIJAYA", "NUGROHO", "HARTONO", "SUSANTO", "HALIM",
          "PURNOMO", "SIREGAR", "NASUTION", "LUBIS", "SIMANJUNTAK", "TAMBUNAN", "SITORUS", "PANJAITAN",
          "HUTAGALUNG", "SINAGA", "PANGGABEAN", "GINTING", "SEMBIRING", "TARIGAN", "PERANGIN", "KARO",
          "BARUS", "SURBAKTI", "MANURUNG", "SILALAHI", "SIAHAAN", "PARDEDE"]


# ------------------------------------------------------------------------------------------ the decision


def test_a_few_pairs_prove_nothing():
    assert not rule_contradicted_by_reference_pairs(2, 3)        # 67% of 3 pairs: too few to judge
    assert not rule_contradicted_by_reference_pairs(10, MIN_REFERENCE_PAIRS - 1)


def test_a_rule_firing_on_many_reference_pairs_is_contradicted():
    assert rule_contradicted_by_reference_pairs(30, 200)          # 15%, lower bound ~10.7%
    assert not rule_contradicted_by_reference_pairs(10, 1478)     # 0.7%: consistent
    # judged on the lower bound, not the point estimate: 6% of 100 pairs is not enough
    assert not rule_contradicted_by_reference_pairs(6, 100)
    assert rule_contradicted_by_reference_pairs(6, 100, max_share=0.01)


def test_wilson_lower_bound():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(0, 50) == 0.0
    assert 0.5 < wilson_lower_bound(80, 100) < 0.8


def test_every_checked_rule_is_a_rule_with_a_described_reference():
    t = references_table()
    assert set(t["rule"]) <= set(RULES)
    assert {"a_generation_apart", "loose_names_unconfirmed"} <= set(t["rule"])
    assert t["description"].str.endswith(".").all()
    assert all(r.name != r.rule for r in REFERENCES.values())


# ------------------------------------------------------------------------------- check_rules on pairs


def _pairs_table(dob_b: list[str | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records 2i and 2i+1 are one person: one full name, one address; the second's birth date is dob_b[i]."""
    rows = []
    for i, d in enumerate(dob_b):
        name = f"{GIVEN[i % 40]} {FAMILY[i // 40 % 40]}"
        for src, dob in (("a", "1970-05-12"), ("b", d)):
            rows.append({"source": src, "name": name, "dob": dob, "dob_year": int(dob[:4]) if dob else None,
                         "dob_placeholder": False, "addr_text": f"JL MELATI {i}", "sex": None,
                         "nik": None, "nik15": None, "nik_consistent": False})
    recs = pd.DataFrame(rows)
    n = len(dob_b)
    scored = pd.DataFrame({"l": np.arange(n) * 2, "r": np.arange(n) * 2 + 1, "p": 0.99,
                           "name_weak": False, "nik_same": False, "name_alike": True})
    return recs, scored


def test_date_rule_contradicted_by_corrupted_dates():
    recs, scored = _pairs_table(["1970-05-12"] * 30 + ["1948-05-12"] * 10)
    rep = check_rules(recs, scored)
    row = next(r for r in rep["rules"] if r["rule"] == "a_generation_apart")
    assert (row["pairs"], row["fired"], row["on"]) == (40, 10, False)
    assert row["reference"] == "same_name_and_address"
    assert rep["switched_off"] == ["a_generation_apart"]
    text = check_warning(rep)
    assert "a_generation_apart" in text and "10 of 40" in text


def test_date_rule_kept_where_the_data_agrees():
    recs, scored = _pairs_table(["1970-05-12"] * 39 + ["1948-05-12"])
    rep = check_rules(recs, scored)
    row = next(r for r in rep["rules"] if r["rule"] == "a_generation_apart")
    assert (row["pairs"], row["fired"], row["on"]) == (40, 1, True)
    assert rep["switched_off"] == [] and check_warning(rep) is None


def test_the_users_choice_wins_and_the_check_can_be_skipped():
    recs, scored = _pairs_table(["1970-05-12"] * 30 + ["1948-05-12"] * 10)
    rep = check_rules(recs, scored, off=("a_generation_apart",))
    row = next(r for r in rep["rules"] if r["rule"] == "a_generation_apart")
    assert not row["on"] and "user" in row["why"] and rep["switched_off"] == []
    rep = check_rules(recs, scored, check=False)
    assert rep == {**rep, "checked": False, "rules": [], "switched_off": []}


def _two_nik_people(n: int, miswritten: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n people on lists a, b, c, d under one KK, one name and one birth date. The first ``miswritten``
    have on lists c and d another NIK and another desa (a pair of lists that writes both wrongly, the same
    way): lists a and b carry each NIK's right value, so every NIK is on two lists."""
    rows = []
    for i in range(n):
        name = f"{GIVEN[i % 40]} {FAMILY[i // 40 % 40]}"
        right, wrong = f"12020{i % 10}0101{70 + i % 30:02d}{i:04d}", f"12710{i % 10}0101{70 + i % 30:02d}{i:04d}"
        for src in "abcd":
            bad = src in "cd" and i < miswritten
            nik = wrong if bad else right
            rows.append({"source": src, "name": name, "dob": f"19{70 + i % 30:02d}-01-01", "dob_year": 1970 + i % 30,
                         "dob_placeholder": False, "sex": "L", "kk": f"1202{i:012d}", "nik": nik,
                         "nik15": nik[:15], "nik_consistent": True,
                         "desa_code": "12.02.09.2010" if bad else "12.02.01.2001"})
    recs = pd.DataFrame(rows)
    a = np.arange(n) * 4
    scored = pd.DataFrame({"l": np.r_[a, a, a + 1], "r": np.r_[a + 2, a + 1, a + 3], "p": 0.99,
                           "name_weak": False, "nik_same": False, "name_alike": True})
    return recs, scored


def test_niks_written_wrongly_alike_on_two_lists_switch_the_two_lists_rule_off():
    recs, scored = _two_nik_people(40, miswritten=20)
    rep = check_rules(recs, scored)
    row = next(r for r in rep["rules"] if r["rule"] == "different_niks_each_on_two_lists")
    assert row["reference"] == "same_name_date_and_kk_or_mother"
    assert (row["pairs"], row["fired"], row["on"]) == (120, 40, False)
    assert "different_niks_each_on_two_lists" in rep["switched_off"]
    # one person among 40 with two NIKs says nothing against the rule
    recs, scored = _two_nik_people(40, miswritten=1)
    row = next(r for r in check_rules(recs, scored)["rules"] if r["rule"] == "different_niks_each_on_two_lists")
    assert (row["pairs"], row["fired"], row["on"]) == (120, 2, True)


def test_people_given_new_niks_and_kks_where_they_moved_switch_the_kk_and_desa_rule_off():
    # the first 20 of 40 children moved with their mothers: a new NIK, KK and desa on lists c and d, and
    # the mother's name on every list says it is one child
    recs, scored = _two_nik_people(40, miswritten=20)
    moved = recs["source"].isin(["c", "d"]) & (recs.index // 4 < 20)
    recs.loc[moved, "kk"] = recs.loc[moved, "kk"].str.replace("1202", "1271", n=1)
    recs = recs.assign(mother_name=[f"IBU {i // 4}" for i in range(len(recs))])
    rep = check_rules(recs, scored)
    row = next(r for r in rep["rules"] if r["rule"] == "different_niks_kks_and_desa")
    assert row["reference"] == "same_name_date_and_mother"
    assert (row["pairs"], row["fired"], row["on"]) == (120, 40, False)
    # without the mother's name nothing in the data contradicts the rule: it stays on
    row = next(r for r in check_rules(recs.drop(columns="mother_name"), scored)["rules"]
               if r["rule"] == "different_niks_kks_and_desa")
    assert (row["pairs"], row["on"]) == (0, True)


# --------------------------------------------------------------------------------- end to end (link)


def _people(n: int) -> list[tuple[str, str, str]]:
    return [(f"{GIVEN[i % 40]} {FAMILY[(i * 7) % 40]}", f"19{50 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}",
             f"Jl. {FAMILY[(i * 3) % 40].title()} No {i + 1} Cikarang") for i in range(n)]


def _link(sources, **kw):
    cols = {"record_id": "NO", "name": "NAMA", "birth_date": "TGL_LAHIR", "address": "ALAMAT"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = lm.link(sources, columns={s: cols for s in sources}, region=None, progress=False, **kw)
    return res, [str(w.message) for w in caught]


def _frame(rows: list[tuple[str, str, str]], prefix: str) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["NAMA", "TGL_LAHIR", "ALAMAT"])
    df.insert(0, "NO", [f"{prefix}{i}" for i in range(len(df))])
    return df


def _a_generation_off(year: str) -> str:
    """A year mistyped in two digits, 20 or more years off (1965 -> 1987)."""
    y = int(year)
    return str(y + 22 if y < 1980 else y - 22)


@pytest.fixture(scope="module")
def noisy_dates():
    """Two lists of the same 60 people; a third of list b's birth years are garbled a generation away."""
    people = _people(60)
    b = [(n, (_a_generation_off(d[:4]) + d[4:]) if i % 3 == 0 else d, a) for i, (n, d, a) in enumerate(people)]
    return {"a": _frame(people, "a"), "b": _frame(b, "b")}


def _same_person(res, a: str, b: str) -> bool:
    pid = res.records.set_index(["source", "record_id"])["person_id"]
    return pid[("a", a)] == pid[("b", b)]


def test_noisy_dates_switch_the_date_rule_off_and_link_the_duplicates(noisy_dates):
    res, msgs = _link(noisy_dates)
    meta = res.metadata["cannot_link"]
    row = next(r for r in meta["rules"] if r["rule"] == "a_generation_apart")
    assert row["pairs"] >= MIN_REFERENCE_PAIRS and row["fired"] >= 15 and not row["on"]
    assert "a_generation_apart" in meta["switched_off"] and "a_generation_apart" in res.metadata["cannot_link_off"]
    assert any("a_generation_apart" in m and "contradicts" in m for m in msgs)
    garbled = [i for i in range(60) if i % 3 == 0]
    assert all(_same_person(res, f"a{i}", f"b{i}") for i in garbled)
    assert not (res.pairs["cannot_link_rule"] == "a_generation_apart").any()
    assert res.explain(("a", "a0"), ("b", "b0")).cannot_link_rule == ""     # explain agrees: the rule is off


def test_forcing_the_rules_on_keeps_the_garbled_duplicates_apart(noisy_dates):
    res, msgs = _link(noisy_dates, cannot_link_check=False)
    assert res.metadata["cannot_link"]["checked"] is False
    assert not any("contradicts" in m for m in msgs)
    assert not any(_same_person(res, f"a{i}", f"b{i}") for i in range(0, 60, 3))
    assert all(_same_person(res, f"a{i}", f"b{i}") for i in range(1, 60, 3))
    assert res.explain(("a", "a0"), ("b", "b0")).cannot_link_rule == "a_generation_apart"


def test_where_the_rule_is_right_it_stays_on_and_keeps_father_and_son_apart():
    people = _people(50)
    a, b = _frame(people, "a"), _frame(people, "b")
    # one list holds a father and his son of one name at one address, born 28 years apart
    family = pd.DataFrame({"NO": ["f1", "f2"], "NAMA": ["SLAMET RIYADI", "SLAMET RIYADI"],
                           "TGL_LAHIR": ["1952-04-10", "1980-09-03"], "ALAMAT": ["Jl. Mawar No 3 Tambun"] * 2})
    res, msgs = _link({"a": pd.concat([a, family], ignore_index=True), "b": b})
    row = next(r for r in res.metadata["cannot_link"]["rules"] if r["rule"] == "a_generation_apart")
    assert row["on"] and row["pairs"] >= MIN_REFERENCE_PAIRS and row["fired"] <= 1
    assert res.metadata["cannot_link"]["switched_off"] == []
    pid = res.records.set_index(["source", "record_id"])["person_id"]
    assert pid[("a", "f1")] != pid[("a", "f2")]
    assert not any("contradicts" in m for m in msgs)


# ----------------------------------------------------------------------------------- ids with letters


def test_ids_with_letters_are_plain_identifiers_whatever_their_case_and_spacing():
    people = _people(12)
    a = _frame(people, "a").assign(ID=[f"KIS-{i:04d}-A" for i in range(12)])
    b = _frame(people, "b").assign(ID=[f"kis {i:04d} a" for i in range(12)])
    b.loc[3, "ID"] = "kis 0003 b"                                  # one letter mistyped
    cols = {"record_id": "NO", "name": "NAMA", "birth_date": "TGL_LAHIR", "address": "ALAMAT", "nik": "ID"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = lm.link({"a": a, "b": b}, columns={"a": cols, "b": cols}, region=None, progress=False)
    assert res.metadata["training"]["kinds"]["nik"] == "plain_id"
    pr = res.pairs
    levels = dict(zip(map(frozenset, zip(pr["record_id_l"], pr["record_id_r"], strict=True)), pr["nik_level"],
                      strict=True))
    assert levels[frozenset({"a1", "b1"})] == "Exact id"                  # KIS-0001-A / kis 0001 a
    assert levels[frozenset({"a3", "b3"})] == "One typo in the id"
    assert all(_same_person(res, f"a{i}", f"b{i}") for i in range(12))


# ------------------------------------------------------------------------------------------ speed, same result


def test_only_possible_reference_pairs_are_checked():
    """The check builds its evidence only over pairs that can be reference pairs: every reference pair of
    every rule passes that filter, so the rates are those of all scored pairs."""
    from linkmiskin.clustering.cannot_link import PairEvidence, _may_be_reference, pair_frame

    rng = np.random.default_rng(3)
    n = 400

    def pick(values: list) -> np.ndarray:
        return np.array(values, dtype=object)[rng.integers(0, len(values), n)]

    recs = pd.DataFrame({
        "name": pick(["SITI AMINAH", "BUDI SANTOSO", "ANI", None]), "dob": pick(["1980-01-01", "1990-05-05", None]),
        "dob_placeholder": pick([False, False, True]), "source": pick(["a", "b"]), "kk": pick(["K1", "K2", None]),
        "sex": pick(["L", "P", None]), "addr_text": pick(["JL MAWAR 1", None, None]),
        "mother_name": pick(["SARAH", None, None]),
        "desa_code": pick(["32.16.01.2001", "32.16.01.2002", None]), "rt": pd.array(rng.integers(1, 3, n), "Int64"),
        "rw": pd.array(rng.integers(1, 3, n), "Int64")}, index=pd.Index(np.arange(n)[::-1], name="node"))
    a, b = np.triu_indices(n, 1)
    ev = PairEvidence(pair_frame(recs, a, b).assign(scored=True))
    passes = _may_be_reference(recs, a, b)
    for ref in REFERENCES.values():
        hit = ref(ev)
        assert hit.any() and not (hit & ~passes).any(), ref.name
    assert not passes.all()


# ------------------------------------------------------------------------- one person with two NIKs (link)


def test_a_person_with_two_niks_in_one_desa_stays_one_and_namesakes_in_two_desa_stay_two():
    """End to end: a man holding his old NIK (Medan, on two lists) and a new local one (on two others) in one
    desa is left to the score (no rule keeps his records apart); two men of one name and birth date, each
    with his NIK on two lists in two desa, are kept apart by the rule even when a row without NIK (a
    kecamatan-only list) looks like both."""
    from linkmiskin.synthetic import generator as synthetic

    data = synthetic.generate(households=150, seed=5)
    cols = {"record_id": "NO", "nik": "NIK", "name": "NAMA", "birth_date": "TGL_LAHIR", "sex": "JK",
            "desa": "DESA", "kecamatan": "KEC"}
    man = {"NAMA": "BONAR HASIBUAN", "TGL_LAHIR": "1975-03-02", "JK": "L", "DESA": "SETIA MULYA",
           "KEC": "TARUMAJAYA"}
    one = {"NAMA": "AGUS SALIM", "TGL_LAHIR": "1981-06-19", "JK": "L", "DESA": "BAHAGIA", "KEC": "BABELAN"}
    two = one | {"DESA": "KEDUNG PENGAWAS"}
    old, new = "1271010203750003", "3216010203750007"
    nik_one, nik_two = "3216041906810002", "3216021906810005"
    # the man on every list; the first namesake on prog1 and prog3, the second on prog0 and prog2
    lists = {f"prog{i}": pd.DataFrame([man | {"NO": f"m{i}", "NIK": old if i < 2 else new},
                                       one | {"NO": f"a{i}", "NIK": nik_one} if i % 2 else
                                       two | {"NO": f"b{i}", "NIK": nik_two}]) for i in range(4)}
    lists["lansia"] = pd.DataFrame([{"NO": "x", "NIK": None, "NAMA": "AGUS SALIM", "TGL_LAHIR": "1981-06-19",
                                     "JK": "L", "DESA": None, "KEC": "BABELAN"}])
    sources = dict(data.sources) | lists
    res = lm.link(sources, columns={s: cols for s in lists}, region="32.16", progress=False)
    pid = res.records.set_index(["source", "record_id"])["person_id"]
    pr = res.pairs.assign(a=res.pairs["record_id_l"].astype(str).str[0], b=res.pairs["record_id_r"].astype(str).str[0])
    # the man's two NIKs: no rule keeps his records apart, the score alone decides
    his = pr[(pr["a"] == "m") & (pr["b"] == "m")]
    assert len(his) == 6 and (his["cannot_link_rule"] == "").all()
    assert res.explain(("prog0", "m0"), ("prog2", "m2")).cannot_link_rule == ""
    # the namesakes: the rule keeps them apart
    assert res.explain(("prog1", "a1"), ("prog0", "b0")).cannot_link_rule == "different_niks_each_on_two_lists"
    ones = {pid[(s, r)] for s, r in (("prog1", "a1"), ("prog3", "a3"))}
    twos = {pid[(s, r)] for s, r in (("prog0", "b0"), ("prog2", "b2"))}
    assert len(ones) == 1 and len(twos) == 1 and ones != twos
    rules = {r["rule"]: r for r in res.metadata["cannot_link"]["rules"]}
    assert rules["different_niks_each_on_two_lists"]["on"]
