"""Issue 13, items 2 and 3: the KK with a close name as person evidence, and Excel-damaged NIKs whose 15 digits
several people's NIKs share. Hand-made rows (on a small generated world for training in the end-to-end test)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.scoring.comparisons import KkComparison, NikComparison, level_keys
from linkmiskin.scoring.model import kk_name_unique, kk_u_probabilities, nik15_shared, token_mask
from linkmiskin.synthetic import generator as synthetic

KK = "3216091203150007"


def level_key(creator, left: dict, right: dict) -> str:
    """Stable key of the first level of ``creator`` whose SQL condition holds for the pair (left, right)."""
    comp = creator.get_comparison("duckdb")
    row = {f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()}
    con = duckdb.connect()
    con.register("df_in", pd.DataFrame(row))
    con.execute("CREATE TABLE p AS SELECT * FROM df_in")
    for key, lvl in zip(level_keys(creator), comp.comparison_levels, strict=True):
        cond = lvl.sql_condition
        if cond.strip().upper() == "ELSE" or con.execute(f"SELECT COALESCE(({cond}), false) FROM p").fetchone()[0]:
            return key
    raise AssertionError("no level matched")


def person(kk: str | None, name: str | None, unique: bool = True) -> dict:
    toks = name.split() if name else []
    return {"kk": kk, "name": name, "name_tokens": toks, "name_phon_key": " ".join(sorted(toks)) if name else None,
            "name_mask": int(token_mask(pd.Series([toks]))[0]), "kk_name_unique": unique}


@pytest.mark.parametrize(("left", "right", "key"), [
    (person(KK, "SITI AMINAH"), person(KK, "SITI AMINAH"), "exact"),
    (person(KK, "SITI AMINAH"), person(KK, "AMINAH"), "exact"),                  # one name inside the other
    (person(KK, "NURHAYATI"), person(KK, "NURHAYATY"), "exact"),                 # a typo
    (person(KK, "NUR AINI"), person(KK, "NUR AZIZAH"), "names_differ"),          # sisters: a shared word only
    (person(KK, "PUTRI ANISA"), person(KK, "PUTRA ANISA"), "names_differ"),      # twins named in rhyme
    (person(KK, "ISMAIL", unique=False), person(KK, "ISMAIL"), "names_differ"),  # father and son of one name
    (person(KK, "SITI AMINAH"), person("3216091203150008", "SITI AMINAH"), "typo"),
    (person(KK, "SITI AMINAH"), person("3216101510180001", "SITI AMINAH"), "else"),
    (person(None, "SITI AMINAH"), person(KK, "SITI AMINAH"), "null"),
])
def test_kk_levels(left, right, key):
    assert level_key(KkComparison("kk"), left, right) == key


def test_kk_name_unique_spares_one_person_listed_twice():
    t = pd.DataFrame({"source": ["a", "a", "a", "a", "a", "b"],
                      "kk": [KK, KK, "K2", "K2", "K3", KK],
                      "name_phon_key": ["ISMAIL", "ISMAIL", "ANI", "ANI", "ANI", "ISMAIL"],
                      "nik15": ["321609120590000", "321609120515000", "1", "1", None, None]})
    # two ISMAILs with other NIKs under one KK in list a: father and son; ANI twice under one NIK: a duplicate
    assert kk_name_unique(t).tolist() == [False, False, True, True, True, False]


def test_kk_u_counts_household_members_not_the_person():
    # two families of three; each person also on a second list under the same KK and name
    rows = []
    for kk, names in ((KK, ["BUDI SANTOSO", "ROHAYATI", "NUR AINI"]), ("3216091203150099", ["ASEP", "ENAH", "DEDE"])):
        for src in ("a", "b"):
            rows += [person(kk, n) | {"source": src} for n in names]
    t = pd.DataFrame(rows).assign(unique_id=lambda d: np.arange(len(d)))
    con = duckdb.connect()
    con.register("t_in", t)
    con.execute("CREATE TABLE t AS SELECT * FROM t_in")
    u = kk_u_probabilities(con, "t", KkComparison("kk"))
    pairs = 12 * 11 / 2
    # per family 15 pairs under one KK, 3 of them one person: 12 pairs of household members each
    assert u["exact"] == pytest.approx(24 / pairs)
    assert u["typo"] == pytest.approx(0.5 / pairs)        # floored at half a pair
    assert sum(u.values()) == pytest.approx(1.0)


# --- item 2: Excel-damaged NIKs -----------------------------------------------------------------------------

def test_nik15_shared_when_two_full_niks_have_those_digits():
    t = pd.DataFrame({"nik15": ["321609120590000", "321609120590000", "321609120590000", "321609150590000"],
                      "nik": ["3216091205900001", "3216091205900002", None, "3216091505900001"]})
    assert nik15_shared(t).tolist() == [True, True, True, False]


def test_damaged_nik_shared_by_several_people_is_no_evidence():
    creator = NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="cons",
                            shared15_col_name="shared")
    damaged = {"nik": None, "nik15": "321609120590000", "cons": True}
    full = {"nik": "3216091205900002", "nik15": "321609120590000", "cons": True}
    assert level_key(creator, damaged | {"shared": True}, full | {"shared": True}) == "excel_15_digits_ambiguous"
    assert level_key(creator, damaged | {"shared": False}, full | {"shared": False}) == "excel_15_digits"
    assert "excel_15_digits_ambiguous" not in level_keys(NikComparison("nik"))


# --- end to end: hand-made rows on a small generated world --------------------------------------------------

def _dtks_row(template: dict, i: int, nik: str, kk: str, name: str, dob: str, sex: str, rel: str) -> dict:
    return template | {"ID_DTKS": f"HAND{i:03d}", "NIK": nik, "NO_KK": kk, "NAMA": name, "TGL_LAHIR": dob,
                       "JENIS_KELAMIN": sex, "HUB_KELUARGA": rel}


@pytest.fixture(scope="module")
def linked():
    data = synthetic.generate(households=150, seed=5)
    dtks = data.sources["dtks"]
    home = dtks.iloc[0].to_dict()
    family = [("3216095507780001", "ROHAYATI", "15-07-1978", "PEREMPUAN", "ISTRI"),
              ("3216094101010003", "NUR AINI", "01-01-2001", "PEREMPUAN", "ANAK"),
              ("3216094403030002", "NUR AZIZAH", "04-03-2003", "PEREMPUAN", "ANAK"),
              ("3216091205750004", "BUDIMAN SANTOSO", "12-05-1975", "LAKI-LAKI", "KEPALA KELUARGA")]
    # two men born on one day in one kecamatan: their NIKs share the first 15 digits
    strangers = [("3216091205900001", "AHMAD FAUZI", "3216091111110001"),
                 ("3216091205900002", "DEDI SUPRIADI", "3216092222220002")]
    rows = [_dtks_row(home, i, nik, KK, n, d, s, r) for i, (nik, n, d, s, r) in enumerate(family)]
    rows += [_dtks_row(home, 10 + i, nik, kk, n, "12-05-1990", "LAKI-LAKI", "KEPALA KELUARGA")
             for i, (nik, n, kk) in enumerate(strangers)]
    sources = dict(data.sources)
    sources["dtks"] = pd.concat([dtks, pd.DataFrame(rows)], ignore_index=True)
    # a programme's member rows: the KK and the name, no NIK, no birth date, no address
    sources["anggota"] = pd.DataFrame({"ID": ["M1", "M2"], "NO_KK": [KK, KK], "NAMA": ["NUR AINI", "Rohayati"],
                                       "JK": ["P", "P"]})
    # a BLT-DD row whose NIK went through an Excel number cell: it could be either man's NIK
    blt = data.sources["blt_dd"]
    sources["blt_dd"] = pd.concat([blt, pd.DataFrame([blt.iloc[0].to_dict() | {
        "NO": 9999, "NIK": 3216091205900000.0, "NAMA_KPM": "RUDI HARTONO"}])], ignore_index=True)
    columns = {"anggota": {"record_id": "ID", "kk": "NO_KK", "name": "NAMA", "sex": "JK"}}
    res = lm.link(sources, columns=columns, region="32.16", progress=False)
    return res.records.set_index(["source", "record_id"])["person_id"]


def test_member_row_without_nik_or_date_links_to_its_register_row_by_kk_and_name(linked):
    assert linked[("anggota", "M1")] == linked[("dtks", "HAND001")]       # NUR AINI
    assert linked[("anggota", "M2")] == linked[("dtks", "HAND000")]       # ROHAYATI


def test_sisters_in_one_kk_stay_apart(linked):
    assert linked[("dtks", "HAND001")] != linked[("dtks", "HAND002")]
    assert linked[("anggota", "M1")] != linked[("dtks", "HAND002")]
    assert linked[("anggota", "M2")] != linked[("dtks", "HAND001")]       # mother and daughter


def test_damaged_nik_shared_by_two_men_joins_neither_under_another_name(linked):
    rudi = linked[("blt_dd", "9999")]
    assert rudi not in (linked[("dtks", "HAND010")], linked[("dtks", "HAND011")])
    assert linked[("dtks", "HAND010")] != linked[("dtks", "HAND011")]


def test_kk_u_counts_an_over_large_kk_without_comparing_names(monkeypatch):
    from linkmiskin.scoring import model as M

    # one KK typed on five rows of one name (a dummy number): counted as household pairs, not as one person
    t = pd.DataFrame([person(KK, "ANI") | {"unique_id": i} for i in range(5)]
                     + [person("3216091203150099", "BUDI") | {"unique_id": 5}])
    con = duckdb.connect()
    con.register("t_in", t)
    con.execute("CREATE TABLE t AS SELECT * FROM t_in")
    assert kk_u_probabilities(con, "t", KkComparison("kk"))["exact"] == pytest.approx(0.5 / 15)
    monkeypatch.setattr(M, "KK_GROUP_CAP", 4)
    assert kk_u_probabilities(con, "t", KkComparison("kk"))["exact"] == pytest.approx(10 / 15)


def test_kk_typo_pairs_counted_without_comparing_pairs_match_pair_by_pair():
    """The KK typo count (one substituted digit or two neighbouring digits swapped, first 12 digits shared)
    built from group sizes equals the count over every pair compared one by one."""
    from itertools import combinations

    from linkmiskin.scoring.model import _kk_typo_pairs

    rng = np.random.default_rng(7)
    kks = [f"32160912031{rng.integers(4, 6)}{rng.integers(0, 4)}{rng.integers(0, 3)}{rng.integers(0, 3)}"
           f"{rng.integers(0, 3)}" for _ in range(300)]

    def one_typo(a: str, b: str) -> bool:
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])

    expected = sum(a[:12] == b[:12] and a != b and one_typo(a, b) for a, b in combinations(kks, 2))
    con = duckdb.connect()
    con.register("k", pd.DataFrame({"kk": kks}))
    assert expected > 100
    assert _kk_typo_pairs(con, "k") == expected


def _mover(kk: str | None, desa: str | None, nik: str | None, consistent: bool = True, kec: str | None = None) -> dict:
    return person(kk, "SITI AMINAH") | {"nik": nik, "nik_consistent": consistent, "desa_code": desa,
                                         "kecamatan_code": kec or (desa[:8] if desa else None)}


_NIK = "3216094101800003"


@pytest.mark.parametrize(("left", "right", "key"), [
    # one NIK, a new card in another desa: the move is the address's to count
    (_mover(KK, "32.16.09.2001", _NIK), _mover("3216101510180001", "32.16.10.2004", _NIK), "moved_one_nik"),
    # a desa unknown, the kecamatans differ: two desas all the same
    (_mover(KK, "32.16.09.2001", _NIK), _mover("3216101510180001", None, _NIK, kec="32.16.10"), "moved_one_nik"),
    # another card in the same desa (a split family): the KK still speaks
    (_mover(KK, "32.16.09.2001", _NIK), _mover("3216101510180001", "32.16.09.2001", _NIK), "else"),
    # a NIK that disagrees with its record's birth date or sex (a head's NIK in a member's row) says nothing
    (_mover(KK, "32.16.09.2001", _NIK), _mover("3216101510180001", "32.16.10.2004", _NIK, consistent=False), "else"),
    # another NIK, or none: the KK speaks
    (_mover(KK, "32.16.09.2001", _NIK), _mover("3216101510180001", "32.16.10.2004", "3216094101800004"), "else"),
    (_mover(KK, "32.16.09.2001", None), _mover("3216101510180001", "32.16.10.2004", _NIK), "else"),
    # the same KK stays the same KK
    (_mover(KK, "32.16.09.2001", _NIK), _mover(KK, "32.16.10.2004", _NIK), "exact"),
])
def test_kk_of_a_person_who_moved_under_one_nik_is_no_evidence(left, right, key):
    creator = KkComparison("kk", nik_col_name="nik", nik_consistent_col_name="nik_consistent",
                           desa_col_name="desa_code", kecamatan_col_name="kecamatan_code")
    assert level_key(creator, left, right) == key
    # without the NIK and desa columns the level is not there
    assert level_key(KkComparison("kk"), left, right) == ("exact" if key == "exact" else "else")


def test_kk_moved_level_is_left_out_of_the_anchor_comparisons():
    from linkmiskin.scoring.comparisons import level_keys
    from linkmiskin.scoring.model import _anchor_comparisons, by_output_name, comparisons

    # NIK anchors are one NIK: the movers among them must teach the KK's "else" level, not vanish into a null
    assert "moved_one_nik" in level_keys(by_output_name(comparisons(), "kk"))
    assert "moved_one_nik" not in level_keys(by_output_name(_anchor_comparisons(), "kk"))
