"""The Splink comparisons, evaluated level by level in DuckDB as Splink would, plus the training and
clustering rules that sit around them. Generated values only."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from linkmiskin.clustering.cannot_link import cannot_link
from linkmiskin.scoring.comparisons import IndonesianNameComparison, NikComparison
from linkmiskin.scoring.model import _u_without_matches, model_table
from linkmiskin.standardise.records import standardize


def level_of(creator, left: dict, right: dict) -> str:
    """Label of the first level of ``creator`` whose SQL condition holds for the pair (left, right)."""
    comp = creator.get_comparison("duckdb")
    row = {f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()}
    df = pd.DataFrame(row)
    con = duckdb.connect()
    con.register("df_in", df)
    con.execute("CREATE TABLE p AS SELECT * FROM df_in")
    for lvl in comp.comparison_levels:
        cond = lvl.sql_condition
        if cond.strip().upper() == "ELSE":
            return lvl.label_for_charts
        if con.execute(f"SELECT COALESCE(({cond}), false) FROM p").fetchone()[0]:
            return lvl.label_for_charts
    raise AssertionError("no level matched")


def nik_pair(a: str, b: str, *, own: tuple[bool, bool] = (True, True), consistent: bool = True):
    creator = NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="cons", own_date_col_name="own")
    return level_of(creator, {"nik": a, "nik15": a[:15], "cons": consistent, "own": own[0]},
                    {"nik": b, "nik15": b[:15], "cons": consistent, "own": own[1]})


def test_nik_typo_counts_all_sixteen_digits():
    # one typo in the kecamatan digits
    assert nik_pair("3216091412970001", "3216041412970001", own=(False, False)).startswith("One typo")
    # a typo in the kecamatan AND a different serial is two edits: not "one typo"
    assert nik_pair("3216091412970002", "3216041412970001", own=(False, False)) == "All other comparisons"


def test_nik_excel_damaged_side_compares_fifteen_digits():
    creator = NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="cons")
    left = {"nik": None, "nik15": "321609141297000", "cons": True}
    assert level_of(creator, left, {"nik": "3216091412970001", "nik15": "321609141297000", "cons": True}).startswith(
        "First 15 digits")
    assert level_of(creator, left, {"nik": "3216041412970001", "nik15": "321604141297000", "cons": True}).startswith(
        "One typo")


def test_nik_one_digit_apart_but_each_codes_its_own_date():
    # 14-12-97 and 15-12-97, each NIK agrees with its own record: two people, a separate (weak) level
    assert nik_pair("3216091412970001", "3216091512970001").startswith("One digit apart, but each NIK")
    # the same digits when one record's date disagrees with its NIK: a clerk's typo
    assert nik_pair("3216091412970001", "3216091512970001", own=(True, False)).startswith("One typo")
    # a typo in the region part is not about dates
    assert nik_pair("3216091412970001", "3216081412970001").startswith("One typo")


def test_nik_same_code_other_serial_and_exact_levels():
    assert nik_pair("3216091412970001", "3216091412970002").startswith("Same region and birth code")
    assert nik_pair("3216091412970001", "3216091412970001") == "Exact NIK, consistent with both records"
    assert nik_pair("3216091412970001", "3216091412970001", consistent=False).startswith("Exact NIK, but")


def name_level(a: str, b: str, sex: tuple[str | None, str | None] = (None, None)) -> str:
    std = standardize(pd.DataFrame({"NAMA": [a, b], "JK": list(sex)}), {"name": "NAMA", "sex": "JK"}, source="t")
    std.insert(0, "unique_id", np.arange(len(std), dtype=np.int64))
    t = model_table(std)
    cols = ["name", "name_tokens", "name_phon_key", "name_nick", "name_nick_phon", "name_rarity", "name_mask",
            "name_phon", "name_phon_mask", "sex", "name_last"]
    rec = [{c: (list(t[c].iloc[i]) if isinstance(t[c].iloc[i], (list, np.ndarray)) else t[c].iloc[i])
            for c in cols} for i in range(2)]
    for r in rec:
        for c in ("name_rarity",):
            r[c] = float(r[c])
        for c in ("name_mask", "name_phon_mask"):
            r[c] = int(r[c])
    return level_of(IndonesianNameComparison("name"), rec[0], rec[1])


@pytest.mark.parametrize(("a", "b"), [("NOVI", "OOVI"), ("RAFA YLHAM", "RAPA ILHAM")])
def test_name_typo_that_jaro_winkler_misses(a, b):
    assert name_level(a, b).startswith("Typo anywhere")


def test_name_inside_the_other_with_a_typo():
    assert name_level("HASANUDKN", "HASANUDIN HASAN") == "One name inside the other, with a typo"
    # short words must be equal: ANI is not a typo of ANA
    assert name_level("ANI", "ANA SUSANTI") == "All other comparisons"
    assert name_level("HASANUDIN", "HASANUDIN HASAN").startswith("One name inside the other")
    assert name_level("HASANUDIN", "HASANUDIN HASAN") != "One name inside the other, with a typo"


def test_nickname_of_a_spelling_variant():
    # IKI is a call name of RIZKI; the other list writes RIZKY
    assert name_level("IKI", "BUDI RIZKY") == "Nickname of the other's name"
    assert name_level("IKI", "BUDI RIZKI") == "Nickname of the other's name"
    assert name_level("IKI", "BUDI SANTOSO") == "All other comparisons"


def test_name_levels_keep_their_order():
    assert name_level("Siti Aminah", "SITI AMINAH") == "Exact canonical name"
    assert name_level("Soekarno", "Sukarno") == "Exact canonical name"
    assert name_level("Aminah", "Siti Aminah").startswith("One name inside the other")
    assert name_level("DIMAS FARHAN AKBAR", "DIMAS FARHAN SAPUTRA").startswith("Share a token")
    # short names two edits apart are not a typo (ANI / ANTO)
    assert name_level("ANI", "ANTO") == "All other comparisons"
    assert name_level("BUDI", "WATI") == "All other comparisons"


def test_u_without_matches_removes_the_matches_of_a_random_sample():
    prior = 1e-5
    # exact-NIK u observed in a random sample is made of true duplicates only: it falls to the floor
    u = _u_without_matches([5e-6, 1 - 5e-6], [0.8, 0.2], prior, floor=2.5e-7)
    assert u[0] == pytest.approx(2.5e-7, rel=1e-3)
    assert sum(u) == pytest.approx(1.0)
    # a common level is left as it was
    u2 = _u_without_matches([0.3, 0.7], [0.9, 0.1], prior, floor=2.5e-7)
    assert u2[0] == pytest.approx(0.3, rel=1e-4)


def _recs(rows: list[dict]) -> pd.DataFrame:
    base = {"nik": None, "nik15": None, "nik_consistent": True, "nik_own_date": False, "dob": None,
            "mother_name": None, "desa_code": None, "rt": None, "rw": None, "nik_dob": None,
            "dob_placeholder": False, "source": "a", "kk": None, "name_mask": 1, "dob_year": None, "sex": None,
            "name": "X"}
    return pd.DataFrame([base | r for r in rows])


def test_cannot_link_two_niks_each_coding_their_own_different_date():
    recs = _recs([
        {"nik": "3216091412970001", "nik15": "321609141297000", "nik_own_date": True, "dob": "1997-12-14",
         "dob_year": 1997, "source": "dtks"},
        {"nik": "3216091512970001", "nik15": "321609151297000", "nik_own_date": True, "dob": "1997-12-15",
         "dob_year": 1997, "source": "p3ke"},
    ])
    out = cannot_link(recs, np.array([0, 0]))
    assert len(out) == 1
    # the same NIK digits when one record's date disagrees with its NIK: may be a typo, no constraint
    recs.loc[1, "nik_own_date"] = False
    assert len(cannot_link(recs, np.array([0, 0]))) == 0


def test_cannot_link_twins_on_one_list_named_one_vowel_apart():
    twin = {"dob": "2019-03-04", "dob_year": 2019, "source": "posyandu", "mother_name": "SITI AMINAH",
            "desa_code": "32.16.01.2001", "rt": 1, "rw": 2}
    recs = _recs([twin | {"name": "PUTRA ALIF"}, twin | {"name": "PUTRI ALIF"}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 1
    # on two different lists, or a consonant typo (ALIF / ALIP), or two birth dates: no constraint
    assert len(cannot_link(recs.assign(source=["posyandu", "dtks"]), np.array([0, 0]))) == 0
    recs2 = _recs([twin | {"name": "PUTRA ALIF"}, twin | {"name": "PUTRA ALIP"}])
    assert len(cannot_link(recs2, np.array([0, 0]))) == 0
    recs3 = _recs([twin | {"name": "PUTRA ALIF"}, twin | {"name": "PUTRI ALIF", "mother_name": "DEWI",
                                                          "desa_code": "32.16.02.2001"}])
    assert len(cannot_link(recs3, np.array([0, 0]))) == 0


def test_cannot_link_twins_whose_mother_is_written_two_ways_without_an_address():
    twin = {"dob": "2019-03-04", "dob_year": 2019, "source": "posyandu"}
    recs = _recs([twin | {"name": "DIMAS FADIL", "mother_name": "SITI AMINAH"},
                  twin | {"name": "DIMAS FADAL", "mother_name": "AMINAH"}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 1
    recs.loc[1, "mother_name"] = "DEWI LESTARI"
    assert len(cannot_link(recs, np.array([0, 0]))) == 0


def test_cannot_link_spares_one_person_listed_twice_in_a_family():
    row = {"nik": "3216012504770001", "nik15": "321601250477000", "nik_own_date": True, "dob": "1977-04-25",
           "dob_year": 1977, "source": "dtks", "kk": "3216012009150002", "sex": "L"}
    # the same trusted NIK and date under one KK, names written two ways (and no common word): one person
    recs = _recs([row | {"name": "JUNAIDI", "name_mask": 1}, row | {"name": "JUNAEDI", "name_mask": 2}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 0
    # two members of the family: different NIKs and names
    other = row | {"nik": "3216014101800003", "nik15": "321601410180000", "dob": "1980-01-01",
                   "dob_year": 1980, "name": "SITI", "name_mask": 4, "sex": "P"}
    assert len(cannot_link(_recs([row | {"name": "JUNAIDI"}, other]), np.array([0, 0]))) == 1


def test_cannot_link_mistyped_names_without_a_common_word():
    base = {"source": "dtks", "kk": "3216010511150001", "dob": "2015-03-25", "dob_year": 2015}
    recs = _recs([base | {"name": "PUTRI", "name_mask": 1}, base | {"name": "FUTRI", "name_mask": 2,
                                                                   "dob": "2015-03-23"}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 0
    recs = _recs([base | {"name": "PUTRI", "name_mask": 1}, base | {"name": "BAYU", "name_mask": 2}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 1


def test_generation_rule_spares_a_year_typo_that_the_nik_corrects():
    a = {"dob": "1990-08-30", "dob_year": 1990, "source": "dtks", "name": "ANISA"}
    b = {"dob": "1909-08-30", "dob_year": 1909, "source": "p3ke", "name": "ANNISA",
         "nik_dob": "1990-08-30", "nik": "3216017008900001", "nik15": "321601700890000", "nik_consistent": False}
    assert len(cannot_link(_recs([a, b]), np.array([0, 0]))) == 0
    # a son's row that carries his father's NIK: his own date is nowhere near the NIK's
    son = {"dob": "1992-02-11", "dob_year": 1992, "source": "p3ke", "name": "BUDI",
           "nik_dob": "1965-08-30", "nik": "3216013008650001", "nik15": "321601300865000", "nik_consistent": False}
    father = {"dob": "1965-08-30", "dob_year": 1965, "source": "dtks", "name": "BUDI"}
    assert len(cannot_link(_recs([father, son]), np.array([0, 0]))) == 1


def test_cannot_link_spares_swapped_year_digits_and_a_sex_typo_under_one_nik():
    a = {"dob": "1973-05-01", "dob_year": 1973, "source": "dtks", "name": "NURDIN MUKHLIS"}
    b = {"dob": "1937-05-01", "dob_year": 1937, "source": "p3ke", "name": "NURDIN MUKHLIS"}
    assert len(cannot_link(_recs([a, b]), np.array([0, 0]))) == 0
    c = b | {"dob": "1941-05-01", "dob_year": 1941}  # a generation apart, no typo explains it
    assert len(cannot_link(_recs([a, c]), np.array([0, 0]))) == 1
    row = {"nik": "3216014206100002", "nik15": "321601420610000", "nik_own_date": True, "dob": "2010-06-02",
           "dob_year": 2010, "source": "dtks", "kk": "3216011304110001", "name": "FITRI DINDA"}
    assert len(cannot_link(_recs([row | {"sex": "P"}, row | {"sex": "L"}]), np.array([0, 0]))) == 0


def test_cannot_link_serial_only_niks_unless_the_names_are_alike():
    # two trusted NIKs of one day and kecamatan, different serials: two babies, unless the names are one
    # name (exactly, by sound or mistyped: then a serial typo is as likely, and the score decides)
    a = {"nik": "3216094107200001", "nik15": "321609410720000", "nik_own_date": True, "dob": "2020-07-01",
         "dob_year": 2020, "source": "dtks", "name": "RIZKI"}
    b = a | {"nik": "3216094107200004", "source": "p3ke", "name": "DIMAS"}
    comp = np.array([0, 0])

    def scored(alike: bool) -> pd.DataFrame:
        return pd.DataFrame({"l": [0], "r": [1], "name_weak": [False], "nik_same": [False],
                             "name_alike": [alike]})

    assert len(cannot_link(_recs([a, b]), comp, scored(alike=False))) == 1
    assert len(cannot_link(_recs([a, b]), comp, scored(alike=True))) == 0
    # RIZKI / RISKI: one name mistyped, whatever the model's level
    assert len(cannot_link(_recs([a, b | {"name": "RISKI"}]), comp, scored(alike=False))) == 0


def test_cannot_link_loose_names_leaves_one_trusted_nik_to_the_score():
    # a call name on one list (MAMAT for MUHAMMAD NUGRAHA): names "all other", no recorded date on one side
    a = {"nik": "3216020107160001", "nik15": "321602010716000", "nik_own_date": True, "dob": "2016-07-01",
         "dob_year": 2016, "source": "dtks", "name": "MUHAMMAD NUGRAHA"}
    b = a | {"source": "bpjs_pbi", "name": "MAMAT", "dob": None, "dob_year": None}
    scored = pd.DataFrame({"l": [0], "r": [1], "name_weak": [True], "nik_same": [True], "name_alike": [False]})
    comp = np.array([0, 0])
    assert len(cannot_link(_recs([a, b]), comp, scored)) == 0
    # a NIK that disagrees with its record (a family member's NIK copied) confirms nothing
    assert len(cannot_link(_recs([a, b | {"nik_consistent": False}]), comp, scored)) == 1
    # two different NIKs with loose names: two people
    c = b | {"nik": "3216020107160002", "nik15": "321602010716000"}
    assert len(cannot_link(_recs([a, c]), comp, scored.assign(nik_same=False))) == 1


def test_address_other_kecamatan_but_nik_issued_there():
    from linkmiskin.scoring.comparisons import IndonesianAddressComparison

    creator = IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec")
    left = {"desa_code": "32.16.19.2007", "kecamatan_code": "32.16.19", "rt": 1, "rw": 2, "place": None,
            "nik_kec": None}
    right = {"desa_code": None, "kecamatan_code": "32.16.09", "rt": None, "rw": None, "place": None,
             "nik_kec": "32.16.19"}
    assert level_of(creator, left, right).startswith("Another kecamatan, but a NIK")
    assert level_of(creator, left, right | {"nik_kec": "32.16.09"}) == "All other comparisons"
    assert level_of(creator, left, right | {"kecamatan_code": "32.16.19"}) == "Same kecamatan, a desa unknown"
    assert level_of(creator, left, right | {"kecamatan_code": "32.16.19", "desa_code": "32.16.19.2001"}) == "Same kecamatan"


def test_birth_date_year_mistyped_level():
    from linkmiskin.scoring.comparisons import BirthDateComparison

    creator = BirthDateComparison("dob", nik_date_col_name=None, nik_col_name=None)

    def lvl(a: str, b: str, ph: bool = False) -> str:
        return level_of(creator, {"dob": a, "dob_placeholder": ph}, {"dob": b, "dob_placeholder": ph})

    for a, b in (("1985-03-12", "1986-03-12"), ("1985-03-12", "1995-03-12"), ("1973-03-12", "1937-03-12")):
        assert lvl(a, b) == "Same day and month, year mistyped", (a, b)
    assert lvl("1985-03-12", "1975-04-12").startswith("All other")
    # 1 July is a placeholder: the same day and month one year apart says little
    assert lvl("1985-07-01", "1986-07-01", ph=True).startswith("Same year, or same day and month")


def test_date_m_combines_the_full_and_recorded_only_anchor_estimates():
    from linkmiskin.scoring.model import _combine_date_m

    full = {"exact_real": 0.80, "others_nik_date": 0.15, "year_mistyped": 0.0, "else": 0.05}
    rec = {"exact_real": 0.80, "year_mistyped": 0.10, "else": 0.10}
    m = _combine_date_m(full, rec)
    assert (m["exact_real"], m["others_nik_date"]) == (0.80, 0.15)
    assert m["year_mistyped"] == pytest.approx(0.025)  # half of the remaining 0.05, as on the recorded-only anchors
    assert m["else"] == pytest.approx(0.05)   # never below the full estimate


def test_family_rule_spares_a_year_typo_under_one_kk():
    row = {"nik": "3216020504780001", "nik15": "321602050478000", "source": "dtks", "kk": "3216020310200001",
           "name": "AHMAD BUDI"}
    recs = _recs([row | {"dob": "1978-04-05", "dob_year": 1978}, row | {"dob": "1987-04-05", "dob_year": 1987}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 0
    recs = _recs([row | {"dob": "1978-04-05", "dob_year": 1978},
                  row | {"dob": "1983-04-05", "dob_year": 1983, "nik": None, "nik15": None}])
    assert len(cannot_link(recs, np.array([0, 0]))) == 1


def test_every_level_has_a_unique_stable_key():
    from linkmiskin.scoring.comparisons import gamma_of, level_keys
    from linkmiskin.scoring.model import comparisons

    for c in comparisons():
        keys = level_keys(c)
        assert None not in keys, c.create_output_column_name()
        null = [getattr(lv, "is_null_level", False) is True for lv in c.create_comparison_levels()]
        non_null = [k for k, n in zip(keys, null, strict=True) if not n]
        assert len(non_null) == len(set(non_null)), keys
        # Splink numbers the non-null levels downwards from the first; "else" is always gamma 0
        assert gamma_of(c, "else") == 0
        assert gamma_of(c, non_null[0]) == len(non_null) - 1
        assert gamma_of(c, "null") == -1


def test_gamma_of_an_unknown_key_names_the_levels():
    import pytest

    from linkmiskin.scoring.comparisons import NikComparison, gamma_of

    with pytest.raises(KeyError, match="exact_consistent"):
        gamma_of(NikComparison("nik"), "no_such_level")


def _role(rel: str | None, kk: str | None, desa: str | None) -> dict:
    return {"relationship": rel, "kk": kk, "desa_code": desa}


@pytest.mark.parametrize(("left", "right", "key"), [
    # a grown child who married: ANAK under her parents' card, KEPALA of her own card in another desa
    (_role("ANAK", "3216010101100001", "32.16.01.2001"), _role("KEPALA", "3216020202200002", "32.16.02.2002"),
     "other_household"),
    # another card in the same desa (a family that split its card): the KK alone says two households
    (_role("ANAK", "3216010101100001", "32.16.01.2001"), _role("PASANGAN", "3216010101100009", "32.16.01.2001"),
     "other_household"),
    # another desa, a KK missing: the desas alone say two households
    (_role("ANAK", None, "32.16.01.2001"), _role("KEPALA", "3216020202200002", "32.16.02.2002"),
     "other_household"),
    # one card, another role: a father and his son of one name
    (_role("ANAK", "3216010101100001", "32.16.01.2001"), _role("KEPALA", "3216010101100001", "32.16.01.2001"),
     "else"),
    # nothing says two households (a KK and a desa missing): the roles count
    (_role("ANAK", None, "32.16.01.2001"), _role("KEPALA", "3216010101100001", None), "else"),
    (_role("KEPALA", None, "32.16.01.2001"), _role("PASANGAN", None, "32.16.01.2001"), "head_spouse"),
    # the same role stays evidence in two households
    (_role("KEPALA", "3216010101100001", "32.16.01.2001"), _role("KEPALA", "3216020202200002", "32.16.02.2002"),
     "same"),
    (_role(None, "3216010101100001", "32.16.01.2001"), _role("KEPALA", "3216020202200002", "32.16.02.2002"),
     "null"),
])
def test_relationship_in_another_household_is_no_evidence(left, right, key):
    from linkmiskin.scoring.comparisons import RelationshipComparison, level_keys

    creator = RelationshipComparison("relationship", kk_col_name="kk", desa_col_name="desa_code")
    labels = [lv.label_for_charts for lv in creator.get_comparison("duckdb").comparison_levels]
    assert level_keys(creator)[labels.index(level_of(creator, left, right))] == key


def test_relationship_without_household_columns_keeps_its_levels():
    from linkmiskin.scoring.comparisons import RelationshipComparison, level_keys

    assert level_keys(RelationshipComparison("relationship")) == ["null", "same", "head_spouse", "else"]
    left, right = _role("ANAK", "3216010101100001", "32.16.01.2001"), _role("KEPALA", "3216020202200002", "32.16.02.2002")
    assert level_of(RelationshipComparison("relationship"), left, right) == "All other comparisons"
