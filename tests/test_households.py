"""Household rules on small hand-made record sets (generated names and numbers only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkmiskin.clustering.households import household_clusters
from linkmiskin.standardise.names import names_close


def run(rows: list[dict], persons: list[int]) -> np.ndarray:
    base = {"source": "dtks", "kk": None, "kk_status": "missing", "desa_code": "32.16.01.2001", "rt": 1, "rw": 2,
            "kecamatan_code": "32.16.01", "relationship": None, "name": None, "sex": None, "mother_name": None,
            "father_name": None, "place_name": None}
    std = pd.DataFrame([base | r for r in rows])
    std["kk_status"] = np.where(std["kk"].notna(), "valid", "missing")
    per = pd.DataFrame({"person_node": persons, "person_confidence": 1.0})
    return household_clusters(std, per)["household_node"].to_numpy()


KK_A = "3216012506130001"
KK_B = "3216012706130001"  # registered two days later: one digit away from KK_A


def test_neighbours_kks_one_digit_apart_stay_two_households():
    rows = [{"kk": KK_A, "name": "BUDI"}, {"kk": KK_A, "name": "SITI"},
            {"kk": KK_B, "name": "AGUS"}, {"kk": KK_B, "name": "DEWI"}]
    hh = run(rows, [0, 1, 2, 3])
    assert hh[0] == hh[1] and hh[2] == hh[3] and hh[0] != hh[2]


def test_a_kk_written_once_next_to_a_common_one_is_a_typo():
    rows = [{"kk": KK_A, "name": "BUDI"}, {"kk": KK_A, "name": "SITI"}, {"kk": KK_B, "name": "RIZKI"}]
    hh = run(rows, [0, 1, 2])
    assert hh[0] == hh[1] == hh[2]


def test_pecah_kk_two_heads_sharing_members_are_two_households():
    # old KK: head BUDI with his daughter RINA, her husband AGUS and their child
    old = [{"kk": KK_A, "name": n, "relationship": r} for n, r in
           (("BUDI", "KEPALA"), ("RINA", "ANAK"), ("AGUS", "MENANTU"), ("FAJAR", "CUCU"))]
    # the split family on another list, under its own family id, with AGUS as head
    new = [{"source": "p3ke", "household_key": "KEL1", "name": n, "relationship": r, "rt": 3} for n, r in
           (("AGUS", "KEPALA"), ("RINA", "PASANGAN"), ("FAJAR", "ANAK"))]
    hh = run(old + new, [0, 1, 2, 3, 2, 1, 3])
    assert len(set(hh[:4])) == 1 and len(set(hh[4:])) == 1 and hh[0] != hh[4]
    # the same two units with the same head: a family that moved and got a new KK
    new_same_head = [{"source": "p3ke", "household_key": "KEL1", "name": n, "relationship": r, "rt": 3} for n, r in
                     (("BUDI", "KEPALA"), ("RINA", "ANAK"))]
    hh = run(old + new_same_head, [0, 1, 2, 3, 0, 1])
    assert len(set(hh)) == 1


def test_a_lone_record_joins_one_household_and_never_bridges_two():
    old = [{"kk": KK_A, "name": n, "relationship": r} for n, r in
           (("BUDI", "KEPALA"), ("RINA", "ANAK"), ("AGUS", "MENANTU"))]
    new = [{"kk": "3216011508220003", "name": n, "relationship": r, "rt": 3} for n, r in
           (("AGUS", "KEPALA"), ("RINA", "PASANGAN"), ("FAJAR", "ANAK"))]
    lone = [{"source": "bpjs_pbi", "name": "RINA", "desa_code": None, "rt": None, "rw": None}]
    hh = run(old + new + lone, [0, 1, 2, 2, 1, 3, 1])
    assert hh[0] != hh[3]
    assert hh[6] in (hh[0], hh[3])


def test_posyandu_siblings_with_their_mothers_name_written_differently():
    rows = [{"source": "posyandu", "name": "AYU", "mother_name": "FITRI RINI"},
            {"source": "posyandu", "name": "BAYU", "mother_name": "RINI FITRI"},
            {"source": "posyandu", "name": "CICI", "mother_name": "AYU AISAH SALSABILA"},
            {"source": "posyandu", "name": "DEDI", "mother_name": "AYU AISYAH SALSABILA"},
            {"source": "posyandu", "name": "EKA", "mother_name": "DEWI"},
            {"source": "posyandu", "name": "FANI", "mother_name": "DEWI MULYANI"}]
    hh = run(rows, [0, 1, 2, 3, 4, 5])
    assert hh[0] == hh[1]
    assert hh[2] == hh[3]
    assert hh[4] != hh[5]  # a one-word name inside another is not enough
    assert hh[0] != hh[2]


def test_names_close():
    a = pd.Series(["FITRI RINI", "ENI", "AISAH", "DEWI", "SITI AMINAH", None])
    b = pd.Series(["RINI FITRI", "ENI NURHAYATI", "AISYAH", "DEDI", "SITI AMINA", "ENI"])
    assert names_close(a, b).tolist() == [True, True, True, False, True, False]


def test_a_list_without_relationships_does_not_bridge_a_pecah_kk():
    old = [{"kk": KK_A, "name": n, "relationship": r} for n, r in
           (("BUDI", "KEPALA"), ("RINA", "ANAK"), ("AGUS", "MENANTU"), ("FAJAR", "CUCU"))]
    new = [{"source": "p3ke", "household_key": "KEL1", "name": n, "relationship": r, "rt": 3} for n, r in
           (("AGUS", "KEPALA"), ("RINA", "PASANGAN"), ("FAJAR", "ANAK"))]
    # BPJS-PBI: the split family under its new KK, no relationship column
    bpjs = [{"source": "bpjs_pbi", "kk": "3216011508220003", "name": n, "desa_code": None, "rt": None, "rw": None}
            for n in ("AGUS", "RINA", "FAJAR")]
    hh = run(old + new + bpjs, [0, 1, 2, 3, 2, 1, 3, 2, 1, 3])
    assert len(set(hh[:4])) == 1
    assert len(set(hh[4:])) == 1
    assert hh[0] != hh[4]


def test_one_head_written_two_ways_is_one_head():
    # the head's records were left as two persons by the person clustering, but the names are close
    a = [{"kk": KK_A, "name": n, "relationship": r} for n, r in (("SUPRIANTO PURNOMO", "KEPALA"), ("SITI", "PASANGAN"),
                                                                   ("DEWI", "ANAK"))]
    b = [{"source": "p3ke", "household_key": "KEL9", "name": n, "relationship": r, "rt": 3} for n, r in
         (("SUPRIYANTO PURNOMO", "KEPALA"), ("SITI", "PASANGAN"), ("DEWI", "ANAK"))]
    hh = run(a + b, [0, 1, 2, 9, 1, 2])
    assert len(set(hh)) == 1


def _family_rows(k: int, missing: int) -> tuple[list[dict], list[int]]:
    """``k`` families of three listed family by family (head first), each at its own RT; the middle member
    of the first ``missing`` families has no KK."""
    rows = []
    for f in range(k):
        kk = f"32160125061{f:05d}"
        for j, rel in enumerate(("KEPALA", "PASANGAN", "ANAK")):
            rows.append({"kk": None if (f < missing and j == 1) else kk, "name": f"ORANG {f} {j}",
                         "relationship": rel, "rt": 1 + f % 3})
    return rows, list(range(len(rows)))


def test_a_missing_kk_is_taken_from_the_family_rows_around_it():
    rows, persons = _family_rows(12, 3)
    hh = run(rows, persons)
    for f in range(3):
        assert hh[3 * f] == hh[3 * f + 1] == hh[3 * f + 2]


def test_a_shuffled_list_gives_no_neighbour_filling():
    rows, persons = _family_rows(12, 3)
    order = np.random.default_rng(1).permutation(len(rows))
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    for f in range(3):
        # the member without a KK stays a household of one: no neighbour's KK was lent to it
        assert (hh == hh[where[3 * f + 1]]).sum() == 1


def _blocks_world(n_fam: int = 30) -> tuple[list[dict], list[int]]:
    """DTKS lists head and spouse of each family with its KK; a P3KE extract without KK or family id lists
    head, spouse and a child that no other list has, family by family, all in one RT."""
    dtks, p3ke, persons_d, persons_p = [], [], [], []
    for f in range(n_fam):
        kk = f"32160125061300{f:02d}"
        for j, rel in enumerate(("KEPALA", "PASANGAN")):
            dtks.append({"kk": kk, "name": f"ORANG {f} {j}", "relationship": rel})
            persons_d.append(3 * f + j)
        for j, rel in enumerate(("KEPALA", "PASANGAN", "ANAK")):
            p3ke.append({"source": "p3ke", "name": f"ORANG {f} {j}", "relationship": rel})
            persons_p.append(3 * f + j)
    return dtks + p3ke, persons_d + persons_p


def test_a_list_without_kk_sorted_family_by_family_gives_family_blocks():
    rows, persons = _blocks_world()
    hh = run(rows, persons)
    n_d = 60
    for f in range(30):
        child = n_d + 3 * f + 2
        # the child that only P3KE lists joins its parents' household, and nobody else's
        assert hh[child] == hh[2 * f] == hh[2 * f + 1]
        assert (hh == hh[child]).sum() == 5


def test_a_shuffled_or_address_sorted_list_gives_no_family_blocks():
    rows, persons = _blocks_world()
    n_d = 60
    order = np.r_[np.arange(n_d), n_d + np.random.default_rng(3).permutation(90)]
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    for f in range(30):
        # the child only P3KE lists stays alone: one RT is not one family
        assert (hh == hh[where[n_d + 3 * f + 2]]).sum() == 1


def _bpjs_world(n_fam: int = 30) -> tuple[list[dict], list[int]]:
    """DTKS lists head, spouse and an elder child of each family with its KK; a BPJS-PBI extract without
    NO_KK and without address lists, family by family, the head, a baby no other list has, the spouse and
    the elder child."""
    dtks, bpjs, pd_, pb = [], [], [], []
    for f in range(n_fam):
        kk = f"32160125061300{f:02d}"
        for j, rel in ((0, "KEPALA"), (2, "PASANGAN"), (3, "ANAK")):
            dtks.append({"kk": kk, "name": f"ORANG {f} {j}", "relationship": rel})
            pd_.append(4 * f + j)
        for j in (0, 1, 2, 3):
            bpjs.append({"source": "bpjs_pbi", "name": f"ORANG {f} {j}", "desa_code": None, "rt": None,
                         "rw": None})
            pb.append(4 * f + j)
    return dtks + bpjs, pd_ + pb


def test_a_member_listed_between_two_rows_of_one_family_takes_their_kk():
    rows, persons = _bpjs_world()
    hh = run(rows, persons)
    n_d = 90
    for f in range(30):
        baby = n_d + 4 * f + 1
        assert hh[baby] == hh[3 * f]
        assert (hh == hh[baby]).sum() == 7


def test_a_shuffled_list_without_address_lends_no_kk():
    rows, persons = _bpjs_world()
    n_d = 90
    order = np.r_[np.arange(n_d), n_d + np.random.default_rng(5).permutation(120)]
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    for f in range(30):
        assert (hh == hh[where[n_d + 4 * f + 1]]).sum() == 1


def test_head_before_family_needs_an_adult_older_than_a_family_without_a_head():
    from linkmiskin.clustering.households import head_before_family

    adult = np.array([True, True, False, True])
    eldest = np.array([True, True, True, False])
    has_head = np.array([False, True, False, False])
    assert head_before_family(adult, eldest, has_head).tolist() == [True, False, False, False]


def _heads_world(n_fam: int = 40, no_kk_heads: range = range(30, 40), adult_son: int | None = None,
                 spouse_born: dict[int, str] | None = None, son_born: str = "1990-01-01"):
    """A BPJS-PBI-like extract sorted family by family, head first: head (man, 1970), spouse (1975), child
    (2005), baby (2010); the heads of ``no_kk_heads`` lack their KK and are on no other list. Family
    ``adult_son`` has a man born ``son_born`` for its child."""
    rows, persons = [], []
    for f in range(n_fam):
        kk = f"32160125061300{f:02d}"
        members = [("L", "1970-05-01"), ("P", "1975-03-02"), ("L", "2005-01-01"), ("P", "2010-02-02")]
        if f == adult_son:
            members[2] = ("L", son_born)
        if f in (spouse_born or {}):
            members[1] = ("P", spouse_born[f])
        for j, (sex, born) in enumerate(members):
            rows.append({"source": "bpjs_pbi", "kk": None if (j == 0 and f in no_kk_heads) else kk,
                         "name": f"ORANG {f} {j}", "sex": sex, "birth_date": born, "desa_code": None,
                         "rt": None, "rw": None})
            persons.append(4 * f + j)
    return rows, persons


def test_a_head_without_kk_listed_before_his_family_joins_it():
    rows, persons = _heads_world()
    std = pd.DataFrame(rows)
    hh = run(rows, persons)
    for f in range(30, 40):
        assert hh[4 * f] == hh[4 * f + 1] and (hh == hh[4 * f]).sum() == 4
    out = household_clusters(std.assign(kk_status=np.where(std["kk"].notna(), "valid", "missing"),
                                        kecamatan_code=None, relationship=None, place_name=None),
                             pd.DataFrame({"person_node": persons, "person_confidence": 1.0}))
    assert set(out["household_evidence"].to_numpy()[[4 * f for f in range(30, 40)]]) == {"head_before_family"}
    assert out.attrs["row_order"]["bpjs_pbi"]["head_before_family"]["used"]


def test_a_man_without_kk_before_a_family_with_its_own_adult_man_stays_alone():
    rows, persons = _heads_world(adult_son=35, son_born="1978-01-01")
    hh = run(rows, persons)
    assert (hh == hh[4 * 35]).sum() == 1
    assert (hh == hh[4 * 34]).sum() == 4


def test_a_head_without_kk_before_a_family_whose_adult_man_is_a_generation_younger_joins_it():
    rows, persons = _heads_world(adult_son=35, son_born="1992-01-01")
    hh = run(rows, persons)
    assert (hh == hh[4 * 35]).sum() == 4
    # the younger man is the family's eldest: the family has its head, the row before it is a grandfather
    rows, persons = _heads_world(adult_son=35, son_born="1992-01-01", spouse_born={35: "1995-01-01"})
    hh = run(rows, persons)
    assert (hh == hh[4 * 35]).sum() == 1


def test_a_shuffled_list_lends_no_head():
    rows, persons = _heads_world()
    order = np.random.default_rng(3).permutation(len(rows))
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    for f in range(30, 40):
        assert (hh == hh[where[4 * f]]).sum() == 1


def test_lone_parents_needs_the_name_sex_age_and_one_household():
    from linkmiskin.clustering.households import lone_parents

    t = np.array([True, True, True, True, False])
    assert lone_parents(t, np.array([True, False, True, True, True]), np.array([True, True, False, True, True]),
                        np.array([1, 1, 1, 2, 1])).tolist() == [True, False, False, False, False]


def _lone_father_world(father: str = "AGUS SETIAWAN", lone_name: str = "AGUS SETIAWAN",
                       lone_sex: str = "L", lone_born: str = "1985-02-01", second_child_hh: bool = False):
    """A posyandu child (mother and father named) whose mother is on DTKS with a KK, and a BPJS-PBI man with
    no KK and no desa (his kecamatan only), on no other list."""
    rows = [
        {"kk": KK_A, "name": "SITI AMINAH", "sex": "P", "birth_date": "1988-01-01", "relationship": "KEPALA"},
        {"source": "posyandu", "name": "NAYLA PUTRI", "sex": "P", "birth_date": "2022-05-05",
         "mother_name": "SITI AMINAH", "father_name": father},
        {"source": "bpjs_pbi", "name": lone_name, "sex": lone_sex, "birth_date": lone_born, "desa_code": None,
         "rt": None, "rw": None},
    ]
    persons = [0, 1, 2]
    if second_child_hh:   # another family of the kecamatan whose child names a father of the same name
        rows += [{"kk": KK_B, "name": "RINA WATI", "sex": "P", "birth_date": "1990-01-01", "relationship": "KEPALA",
                  "desa_code": "32.16.01.2002"},
                 {"source": "posyandu", "name": "BAYU", "sex": "L", "birth_date": "2021-01-01",
                  "mother_name": "RINA WATI", "father_name": father, "desa_code": "32.16.01.2002"}]
        persons += [3, 4]
    return rows, persons


def _lone_father_evidence(rows: list[dict], persons: list[int]) -> pd.DataFrame:
    """household_clusters on the rows of :func:`_lone_father_world` (its ``household_evidence`` column)."""
    std = pd.DataFrame([{"source": "dtks", "kk": None, "desa_code": "32.16.01.2001", "rt": 1, "rw": 2,
                         "kecamatan_code": "32.16.01", "relationship": None, "mother_name": None,
                         "father_name": None, "place_name": None} | r for r in rows])
    std["kk_status"] = np.where(std["kk"].notna(), "valid", "missing")
    return household_clusters(std, pd.DataFrame({"person_node": persons, "person_confidence": 1.0}))


def test_a_lone_man_named_as_a_childs_father_joins_the_childs_household():
    rows, persons = _lone_father_world()
    hh = run(rows, persons)
    assert hh[2] == hh[1] == hh[0]
    out = _lone_father_evidence(rows, persons)
    assert out["household_evidence"].iloc[2] == "lone_parents"


def test_children_of_one_couple_needs_one_named_parent_and_close_other_parents():
    from linkmiskin.clustering.households import children_of_one_couple

    assert children_of_one_couple(np.array([True, True, False]),
                                  np.array([True, False, True])).tolist() == [True, False, False]


def test_a_lone_man_named_as_father_by_two_households_children_of_one_mother_joins_them_all():
    # the second child names the same father and his wife (a typo of her name), at another RT of the kecamatan
    rows, persons = _lone_father_world()
    rows += [{"source": "posyandu", "name": "BAYU", "sex": "L", "birth_date": "2020-01-01",
              "mother_name": "SITI AMINA", "father_name": "AGUS SETIAWAN", "desa_code": "32.16.01.2001", "rt": 7}]
    persons += [3]
    hh = run(rows, persons)
    assert hh[0] == hh[1] == hh[2] == hh[3]
    out = _lone_father_evidence(rows, persons)
    assert out["household_evidence"].iloc[2] == "lone_parents"
    assert "children_of_one_couple" in set(out["household_evidence"].iloc[[0, 1, 3]])


def test_a_lone_person_that_is_no_parent_stays_alone():
    for kw in ({"lone_sex": "P"}, {"lone_born": "2015-01-01"}, {"father": "AGUS", "lone_name": "AGUS"},
               {"second_child_hh": True}, {"lone_name": "AGUS SETIAWATI"}):
        rows, persons = _lone_father_world(**kw)
        hh = run(rows, persons)
        assert (hh == hh[2]).sum() == 1, kw


def test_a_head_may_be_a_little_younger_than_his_wife_not_than_an_elder_of_his_generation():
    rows, persons = _heads_world(spouse_born={31: "1967-01-01", 32: "1960-01-01", 33: "1950-01-01"})
    hh = run(rows, persons)
    assert (hh == hh[4 * 31]).sum() == 4     # a wife three years older
    assert (hh == hh[4 * 32]).sum() == 1     # a member ten years older: he may be her younger brother, not the head
    assert (hh == hh[4 * 33]).sum() == 4     # a member a generation older: his mother, listed on his KK


def test_couple_rows_needs_a_man_then_a_woman_of_his_age():
    from linkmiskin.clustering.households import couple_rows

    assert couple_rows(np.array([True, True, False]), np.array([True, True, True]),
                       np.array([True, False, True])).tolist() == [True, False, False]


def test_a_couple_without_kk_is_one_household_and_heads_the_family_after_it():
    rows, persons = _heads_world(no_kk_heads=range(30, 40))
    for f in range(30, 35):    # the wives of these heads lack their KK too
        rows[4 * f + 1]["kk"] = None
    for f in (36, 37):         # families whose whole BPJS rows lack a KK, with no children listed
        rows[4 * f + 1]["kk"] = rows[4 * f + 2]["kk"] = rows[4 * f + 3]["kk"] = None
        rows[4 * f + 2]["birth_date"] = rows[4 * f + 3]["birth_date"] = "1940-01-01"
        rows[4 * f + 2]["sex"] = rows[4 * f + 3]["sex"] = "L"
    hh = run(rows, persons)
    for f in range(30, 35):    # head, wife, then the children with the KK: one household of four
        assert (hh == hh[4 * f]).sum() == 4 and hh[4 * f + 1] == hh[4 * f + 3]
    for f in (36, 37):         # the couple alone, not its neighbours
        assert hh[4 * f] == hh[4 * f + 1] and (hh == hh[4 * f]).sum() == 2


def test_a_wife_without_kk_after_her_husband_with_one_takes_his_kk_and_her_children_follow():
    rows, persons = _heads_world(no_kk_heads=range(0))
    for f in range(30, 35):    # the wife and the children lack the KK their husband and father carries
        rows[4 * f + 1]["kk"] = rows[4 * f + 2]["kk"] = rows[4 * f + 3]["kk"] = None
    # a woman fifteen years younger than the man before her is not taken for his wife
    rows[4 * 35 + 1]["kk"] = rows[4 * 35 + 2]["kk"] = rows[4 * 35 + 3]["kk"] = None
    rows[4 * 35 + 1]["birth_date"] = "1985-03-02"
    hh = run(rows, persons)
    for f in range(30, 35):
        assert (hh == hh[4 * f]).sum() == 4
    assert (hh == hh[4 * 35]).sum() == 1 and (hh == hh[4 * 35 + 1]).sum() == 1
    std = pd.DataFrame([{"desa_code": None, "rt": None, "rw": None, "kecamatan_code": None, "relationship": None,
                         "place_name": None} | r for r in rows])
    out = household_clusters(std.assign(kk_status=np.where(std["kk"].notna(), "valid", "missing")),
                             pd.DataFrame({"person_node": persons, "person_confidence": 1.0}))
    assert set(out["household_evidence"].to_numpy()[[4 * f + 1 for f in range(30, 35)]]) == {"couple_rows"}


def test_a_shuffled_list_makes_no_couples():
    rows, persons = _heads_world(no_kk_heads=range(0, 40))
    for f in range(40):
        rows[4 * f + 1]["kk"] = None
    order = np.random.default_rng(4).permutation(len(rows))
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    assert all((hh == hh[where[4 * f]]).sum() == 1 for f in range(40))


def test_child_after_family_needs_a_child_right_after_a_family():
    from linkmiskin.clustering.households import child_after_family

    assert child_after_family(np.array([True, True, False]), np.array([True, False, True])).tolist() == \
        [True, False, False]


def test_children_without_kk_after_their_familys_rows_join_it():
    rows, persons = _heads_world(no_kk_heads=range(0))
    for f in range(30, 40):      # the last two children of these families lack their KK
        rows[4 * f + 2]["kk"] = rows[4 * f + 3]["kk"] = None
    rows[4 * 35 + 2]["birth_date"] = "1980-01-01"     # an adult there: neither row after it is carried
    hh = run(rows, persons)
    for f in range(30, 40):
        if f != 35:
            assert (hh == hh[4 * f]).sum() == 4
    assert (hh == hh[4 * 35]).sum() == 2 and (hh == hh[4 * 35 + 3]).sum() == 1


def test_a_shuffled_list_carries_no_child():
    rows, persons = _heads_world(no_kk_heads=range(0))
    for f in range(40):
        rows[4 * f + 3]["kk"] = None
    order = np.random.default_rng(6).permutation(len(rows))
    hh = run([rows[i] for i in order], [persons[i] for i in order])
    where = {int(o): i for i, o in enumerate(order)}
    assert all((hh == hh[where[4 * f + 3]]).sum() == 1 for f in range(40))


def test_pecah_kk_needs_the_core_outside_a_child_in_law_or_grandchild_inside_and_another_kk():
    from linkmiskin.clustering.households import pecah_kk

    t, f = True, False
    assert pecah_kk(np.array([t, t, f, t]), np.array([t, t, t, f]),
                    np.array([t, f, t, t])).tolist() == [True, False, False, False]


def _pecah_world(new_kk: str, with_wife: bool = False, in_law: bool = True):
    """Parents' KK on DTKS (head, wife, married son, his wife, grandchild); on BPJS-PBI the son's family under
    ``new_kk`` (with the head's wife too when ``with_wife``: the same family, moved under a new KK). Without
    ``in_law`` the DTKS writes the son's wife and child as children of the head."""
    dtks = [("ALI SUTISNA", "L", "1956-02-08", "KEPALA"), ("IPAH", "P", "1958-01-01", "PASANGAN"),
            ("FARHAN DEDI", "L", "1986-05-28", "ANAK"), ("SITI ANISA", "P", "1987-03-03", "MENANTU"),
            ("PUTRI DEWI", "P", "2018-10-09", "CUCU")]
    if not in_law:
        dtks = [(n, x, b, "ANAK" if r in ("MENANTU", "CUCU") else r) for n, x, b, r in dtks]
    rows = [{"kk": KK_A, "name": n, "sex": x, "birth_date": b, "relationship": r} for n, x, b, r in dtks]
    persons = [0, 1, 2, 3, 4]
    for p in ([1] if with_wife else []) + [2, 3, 4]:
        rows.append({"source": "bpjs_pbi", "kk": new_kk, "name": dtks[p][0], "sex": dtks[p][1],
                     "birth_date": dtks[p][2], "desa_code": None, "rt": None, "rw": None})
        persons.append(p)
    return rows, persons


def test_a_married_child_with_a_new_kk_is_a_household_of_its_own():
    rows, persons = _pecah_world("3216019911230005")
    hh = run(rows, persons)
    assert hh[5] == hh[6] == hh[7] and hh[5] != hh[0] and (hh == hh[0]).sum() == 5
    std = pd.DataFrame([{"desa_code": "32.16.01.2001", "rt": 1, "rw": 2, "kecamatan_code": "32.16.01",
                         "relationship": None, "place_name": None, "source": "dtks"} | r for r in rows])
    out = household_clusters(std.assign(kk_status="valid"),
                             pd.DataFrame({"person_node": persons, "person_confidence": 1.0}))
    assert set(out["household_evidence"].iloc[5:]) == {"pecah_kk"}
    # the head's wife on the new KK: the family moved, one household; a KK one typo away: the same KK mistyped;
    # no child-in-law or grandchild shared: children listed under a re-issued KK, not a family of their own
    for kw in ({"new_kk": "3216019911230005", "with_wife": True}, {"new_kk": KK_B},
               {"new_kk": "3216019911230005", "in_law": False}):
        rows, persons = _pecah_world(**kw)
        hh = run(rows, persons)
        assert (hh == hh[0]).sum() == len(rows), kw


def test_kk_typo_of_neighbour_row_needs_a_single_kk_one_typo_from_a_carried_one():
    from linkmiskin.clustering.households import kk_typo_of_neighbour_row

    single = np.array([True, True, False, True])
    one = np.array([True, True, True, False])
    carried = np.array([True, False, True, True])
    assert kk_typo_of_neighbour_row(single, one, carried).tolist() == [True, False, False, False]


def test_a_kk_mistyped_on_one_row_of_a_list_without_address_joins_the_family_next_to_it():
    from linkmiskin.clustering.households import household_clusters

    typo = KK_A[:4] + "3" + KK_A[5:]           # one digit of the head's KK mistyped (no address to check it at)
    other = "3216011907090003"
    rows = [{"kk": typo, "name": "DARMAN"}, {"kk": KK_A, "name": "SITI"}, {"kk": KK_A, "name": "BAYU"},
            {"kk": other, "name": "AGUS"}, {"kk": other[:-1] + "4", "name": "JONI"},   # single next to single
            {"kk": KK_B, "name": "DEDI"}]                                               # a KK of its own
    std = pd.DataFrame([{"source": "bpjs_pbi", "desa_code": None, "rt": None, "rw": None, "relationship": None,
                         "kecamatan_code": None, "place_name": None, "sex": None, "birth_date": None} | r for r in rows])
    std["kk_status"] = "valid"
    std["row_number"] = np.arange(len(std))
    out = household_clusters(std, pd.DataFrame({"person_node": range(len(rows)), "person_confidence": 1.0}))
    hh = out["household_node"].to_numpy()
    assert hh[0] == hh[1] == hh[2]
    assert out["household_evidence"][0] == "kk_typo_of_neighbour_row"
    # a single KK next to another single KK, and a KK one typo from a carried KK in another list, stay apart
    assert len({hh[3], hh[4], hh[5], hh[0]}) == 4
    # the same rows in another list order: the typo row is no longer next to its family
    out2 = household_clusters(std.assign(row_number=[5, 0, 1, 2, 3, 4]),
                              pd.DataFrame({"person_node": range(len(rows)), "person_confidence": 1.0}))
    assert out2["household_node"][0] != out2["household_node"][1]
    # never with use_row_order=False
    off = household_clusters(std, pd.DataFrame({"person_node": range(len(rows)), "person_confidence": 1.0}),
                             use_row_order=False)
    assert off["household_node"][0] != off["household_node"][1]
    assert out.attrs["row_order"]["bpjs_pbi"]["kk_typo_of_neighbour_row"]["used"]


def test_a_head_without_kk_joins_his_family_across_its_rows_without_kk():
    rows, persons = _heads_world()
    for f in range(30, 40):   # the head, his wife and their first child lack their KK; only the baby has it
        for j in (1, 2):
            rows[4 * f + j]["kk"] = None
    std = pd.DataFrame(rows)
    out = household_clusters(std.assign(kk_status=np.where(std["kk"].notna(), "valid", "missing"),
                                        kecamatan_code=None, relationship=None, place_name=None),
                             pd.DataFrame({"person_node": persons, "person_confidence": 1.0}))
    hh = out["household_node"].to_numpy()
    for f in range(30, 40):
        assert (hh == hh[4 * f + 3]).sum() == 4
        assert out["household_evidence"][4 * f] == "head_before_family"


def test_a_man_without_kk_does_not_head_a_family_whose_member_is_written_as_head_on_another_list():
    rows, persons = _heads_world(adult_son=35, son_born="1992-01-01")
    assert (run(rows, persons) == run(rows, persons)[4 * 35]).sum() == 4   # a son a generation younger: joins
    # the same young man is written as KEPALA on DTKS: his family has its head, the man before it stays apart
    rows.append({"source": "dtks", "kk": "3216019901990001", "relationship": "KEPALA", "name": "ORANG 35 2",
                 "sex": "L", "birth_date": "1992-01-01"})
    persons.append(4 * 35 + 2)
    hh = run(rows, persons)
    assert (hh == hh[4 * 35]).sum() == 1


def test_a_lone_head_without_birth_date_joins_his_child_in_his_own_desa_only():
    # a BLT-DD recipient (no birth date, no KK) named as the father of a posyandu child of his desa
    rows = [{"source": "blt_dd", "name": "ISMAIL GUNAWAN", "birth_date": None, "rt": 1, "rw": 8},
            {"source": "posyandu", "name": "DAFFA RISKI", "birth_date": "2022-03-07", "mother_name": "NURJANAH",
             "father_name": "ISMAIL GUNAWAN", "rt": 1, "rw": 8}]
    hh = run(rows, [0, 1])
    assert hh[0] == hh[1]
    # the same man of another desa of the kecamatan: without a birth date nothing says he is the father
    rows[0] = rows[0] | {"desa_code": "32.16.01.2002"}
    hh = run(rows, [0, 1])
    assert hh[0] != hh[1]


def test_a_man_without_kk_does_not_take_an_elder_listed_before_the_family_as_his_parent():
    # a woman a generation older on a row of the family with a KK is his mother (a KK lists parents last) ...
    rows, persons = _heads_world(spouse_born={33: "1950-01-01"})
    assert (run(rows, persons) == run(rows, persons)[4 * 33]).sum() == 4
    # ... but without a KK, between him and the family's first row with a KK, she is no member he heads
    rows[4 * 33 + 1]["kk"] = None
    hh = run(rows, persons)
    assert (hh == hh[4 * 33]).sum() == 1
