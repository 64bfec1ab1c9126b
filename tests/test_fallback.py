"""Issue 15 (and item 4 of issue 14): training without NIK anchors, desa codes or duplicates.

Lists that give little to learn from (one clean list, a one- or two-row list, lists without NIKs or
addresses) link without error, and ``result.metadata["training"]`` says how each comparison was trained.
"""

from __future__ import annotations

import warnings

import duckdb
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.scoring import model as M
from linkmiskin.synthetic import generator as synthetic

REGION = "32.16"


@pytest.fixture(scope="module")
def data():
    return synthetic.generate(households=60, seed=1)


@pytest.fixture(scope="module")
def clean(data):
    dt = data.sources["dtks"]
    return dt.drop_duplicates("NIK").dropna(subset=["NIK"])


def _link(sources, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = lm.link(sources, progress=False, **kw)
    return res, [str(w.message) for w in caught]


# --- issue 14 item 4: no crash on clean or tiny lists -----------------------------------------------------

def test_clean_list_is_each_record_its_own_person(clean):
    res, msgs = _link({"p3ke": clean}, region=REGION)
    assert len(res.records) == len(clean)
    assert res.records["person_id"].nunique() == len(clean)
    assert any("'p3ke'" in m and "its own person" in m for m in msgs)


@pytest.mark.parametrize("rows", [1, 2])
def test_tiny_list_with_a_bigger_one(clean, rows):
    res, msgs = _link({"a": clean.head(rows), "b": clean.iloc[rows:]}, region=REGION)
    assert len(res.records) == len(clean)
    assert res.records["person_id"].nunique() == len(clean)
    assert any("'a', 'b'" in m for m in msgs)


@pytest.mark.parametrize("rows", [1, 2])
def test_tiny_list_alone(clean, rows):
    res, _ = _link({"a": clean.head(rows)}, region=REGION)
    assert res.records["person_id"].nunique() == rows


def test_prior_never_zero():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT range AS unique_id, range AS k FROM range(4)").fetchall()
    rules = (("same_k", ("l.k = r.k",)),)
    got = M.estimate_prior(con, "t", rules, recall=1.0)
    assert got == {"probability": 0.5 / 6, "method": "floor", "rule": None, "pairs": 0}
    con.execute("CREATE TABLE one AS SELECT 0 AS unique_id, 1 AS k").fetchall()
    assert M.estimate_prior(con, "one", rules)["method"] == "default"
    assert M.estimate_prior(con, "one", rules)["probability"] == M.DEFAULT_PRIOR
    # two records that are surely one person: capped at 0.5, not above 1
    con.execute("CREATE TABLE two AS SELECT range AS unique_id, 1 AS k FROM range(2)").fetchall()
    assert M.estimate_prior(con, "two", rules)["probability"] == 0.5


# --- issue 15: lists without NIKs, with ids that are not NIKs, without addresses ----------------------------

#: eight people; list B has six of them (with a name typo, rewritten addresses, a mistyped id) and two
#: others: SITI RAHAYU's brother (same family name and address, another name and date) and a stranger
PEOPLE = [
    # key, name, birth date, address, id
    ("p1", "Ahmad Fauzi", "1980-03-12", "Jl. Melati 12 Cibitung 17520", "58213904"),
    ("p2", "Siti Rahayu", "1985-07-21", "Jl. Mawar 3 Tambun 17510", "30917462"),
    ("p3", "Budi Santoso", "1972-11-02", "Kp. Bojong 5 Setu 17320", "84420175"),
    ("p4", "Dewi Lestari", "1990-01-30", "Perum Griya Asri Blok C2 Cikarang 17530", "12659038"),
    ("p5", "Joko Widodo Saputra", "1968-05-05", "Jl. Kenanga 40 Babelan 17610", "67301289"),
    ("p6", "Rina Marlina", "2001-09-14", "Jl. Anggrek 7 Tarumajaya 17215", "95128740"),
    ("p7", "Hendra Gunawan", "1978-12-25", "Jl. Dahlia 21 Cibarusah 17340", "46872513"),
    ("p8", "Yuni Kartika", "1995-04-08", "Jl. Flamboyan 9 Karangbahagia 17535", "21094867"),
]
LIST_B = [
    ("p1", "Ahmad Fauzi", "1980-03-12", "Jl Melati No 12, Cibitung 17520", "58213904"),
    ("p2", "Siti Rahayu", "1985-07-21", "Jl. Mawar 3 Tambun 17510", "30917426"),       # id digits swapped
    ("p3", "Budi Santosa", "1972-11-02", "Kp Bojong 5 Setu 17320", "84420175"),       # name typo
    ("p4", "Dewi Lestari", "1990-01-30", "Griya Asri C2 Cikarang 17530", "12659038"),
    ("p5", "Joko Widodo Saputra", "1968-05-05", "Jl. Kenanga 40 Babelan 17610", "67301289"),
    ("p7", "Hendra Gunawan", "1978-12-25", "Jl. Dahlia 21 Cibarusah 17340", "46872513"),
    ("q1", "Agus Rahayu", "1983-02-17", "Jl. Mawar 3 Tambun 17510", "73650241"),
    ("q2", "Lukman Hakim", "1964-06-30", "Jl. Cempaka 2 Serang Baru 17330", "39482016"),
]


def _lists(*, with_id: bool, with_address: bool = True, id_col: str = "NIK"):
    out = {}
    for src, rows in (("a", PEOPLE), ("b", LIST_B)):
        df = pd.DataFrame(rows, columns=["KEY", "NAMA", "TGL_LAHIR", "ALAMAT", id_col])
        df.insert(0, "NO", [f"{src}{i}" for i in range(1, len(df) + 1)])
        drop = ["KEY"] + ([] if with_id else [id_col]) + ([] if with_address else ["ALAMAT"])
        out[src] = df.drop(columns=drop)
    return out


def _truth_groups() -> set[frozenset[tuple[str, str]]]:
    groups: dict[str, set[tuple[str, str]]] = {}
    for src, rows in (("a", PEOPLE), ("b", LIST_B)):
        for i, row in enumerate(rows, start=1):
            groups.setdefault(row[0], set()).add((src, f"{src}{i}"))
    return {frozenset(g) for g in groups.values()}


def _groups(res) -> set[frozenset[tuple[str, str]]]:
    r = res.records
    return {frozenset(zip(g["source"], g["record_id"], strict=True)) for _, g in r.groupby("person_id")}


def _columns(with_id: bool, with_address: bool = True) -> dict[str, dict[str, str]]:
    cols = {"record_id": "NO", "name": "NAMA", "birth_date": "TGL_LAHIR"}
    if with_address:
        cols["address"] = "ALAMAT"
    if with_id:
        cols["nik"] = "NIK"
    return {"a": cols, "b": cols}


def test_no_nik_column_links_by_name_date_and_address_text():
    res, msgs = _link(_lists(with_id=False), columns=_columns(False), region=None)
    assert _groups(res) == _truth_groups()
    tr = res.metadata["training"]
    assert tr["comparisons"]["address"] == "AddressTextComparison"
    assert tr["m"]["nik"] == {"method": "prior", "reason": "no data"}
    assert tr["m"]["name"]["method"] == "prior"          # 16 records: too few anchors and pairs for EM
    assert any("little to learn from" in m and "valid NIKs" in m for m in msgs)


def test_ids_that_are_not_niks_are_plain_identifiers():
    res, _ = _link(_lists(with_id=True), columns=_columns(True), region=None)
    assert _groups(res) == _truth_groups()
    tr = res.metadata["training"]
    assert tr["kinds"] == {"nik": "plain_id", "address": "text"}
    assert tr["comparisons"]["nik"] == "PlainIdComparison"
    levels = res.pairs.set_index(["record_id_l", "record_id_r"])["nik_level"]
    # (either way round: the pair's orientation follows the records' content-derived order)
    level = levels.get(("a2", "b2"), levels.get(("b2", "a2")))
    assert level == "One typo in the id"   # 30917462 / 30917426: a transposition


def test_no_address_and_no_desa():
    res, msgs = _link(_lists(with_id=True, with_address=False), columns=_columns(True, False), region=None)
    assert _groups(res) == _truth_groups()
    assert res.metadata["training"]["m"]["address"] == {"method": "prior", "reason": "no data"}


@pytest.fixture(scope="module")
def without_nik(data):
    """The generated lists with every NIK column dropped and no region (desa names do not resolve)."""
    return {s: df.drop(columns=[c for c in df.columns if c in ("NIK", "NO_KK", "ID_KELUARGA_P3KE")])
            for s, df in data.sources.items()}


def test_generated_lists_without_niks_train_on_fallback_anchors(data, without_nik):
    res, _ = _link(without_nik, region=None)
    tr = res.metadata["training"]
    assert tr["records_with"]["nik"] == 0
    assert tr["prior"]["rule"] == "same_nik_or_name_dob_desa"    # its name+date+desa half
    m = tr["m"]
    assert m["nik"] == {"method": "prior", "reason": "no data"}
    # each of the three ways of the fallback order is taken by some comparison
    assert m["name"] == {"method": "anchors", "anchors": "same_dob_address", "pairs": 21}
    assert (m["address"]["method"], m["address"]["anchors"]) == ("anchors", "same_name_dob")
    assert (m["dob"]["method"], m["dob"]["blocking"]) == ("em", "same_name")
    assert m["mother_name"]["method"] == "prior"
    ev = lm.evaluate(res.records, data.truth, level="person").person
    assert ev["pairwise_precision"] >= 0.95 and ev["pairwise_f1"] > 0.6


def test_training_metadata_is_saved(tmp_path, without_nik):
    import json

    res, _ = _link({"a": _lists(with_id=True)["a"], "b": _lists(with_id=True)["b"]}, columns=_columns(True),
                   region=None)
    res.save(tmp_path / "out")
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["metadata"]["training"]["comparisons"]["nik"] == "PlainIdComparison"
    assert meta["metadata"]["training"]["m"]["name"]["method"] == "prior"


def test_plain_model_file_loads_back(tmp_path):
    lk = lm.Linker(_lists(with_id=True), columns=_columns(True), region=None, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lk.train()
        path = lk.save_model(tmp_path / "model.json")
    again = lm.Linker.load(path, sources=_lists(with_id=True), columns=_columns(True))
    assert again.metadata["training"]["kinds"] == {"nik": "plain_id", "address": "text"}
    assert again.model["comparisons"][0]["comparison_description"] == "PlainIdComparison"


def test_every_level_of_the_plain_comparisons_has_a_key():
    from linkmiskin.scoring.comparisons import gamma_of, level_keys

    for c in M.comparisons({"nik": "plain_id", "address": "text"}):
        keys = level_keys(c)
        assert None not in keys
        assert gamma_of(c, "else") == 0
        name = c.create_output_column_name()
        assert all(k in M.PRIOR_M[name] for k in keys if gamma_of(c, k) != -1), name  # null levels carry no m


def test_choose_comparisons_from_what_the_data_holds():
    base = {"nik": 0, "id": 0, "desa": 0, "address_text": 0}
    assert M.choose_comparisons(base) == M.DEFAULT_KINDS                        # nothing: the defaults
    assert M.choose_comparisons({**base, "id": 100, "nik": 4})["nik"] == "plain_id"   # 4% valid NIKs
    assert M.choose_comparisons({**base, "id": 100, "nik": 5})["nik"] == "nik"        # 5%: Indonesian
    assert M.choose_comparisons({**base, "address_text": 100, "desa": 4})["address"] == "text"
    assert M.choose_comparisons({**base, "address_text": 100, "desa": 60})["address"] == "desa"


def test_kinds_round_trip_through_a_model_dict():
    for kinds in ({"nik": "plain_id", "address": "text"}, {"nik": "nik", "address": "text"}, M.DEFAULT_KINDS):
        model = M.settings(kinds=kinds).get_settings("duckdb").as_dict()
        assert M.kinds_of_model(model) == kinds
    assert M.kinds_of_model({"comparisons": "junk"}) == M.DEFAULT_KINDS


def test_unseen_placeholder_date_level_borrows_the_exact_date_u():
    u = {"exact_real": 0.02, "exact_placeholder": None, "else": 0.9}
    assert M._u_for_unseen_exact_levels("dob", u)["exact_placeholder"] == 0.02
    seen = {**u, "exact_placeholder": 0.001}
    assert M._u_for_unseen_exact_levels("dob", seen) == seen
    assert M._u_for_unseen_exact_levels("name", u) == u


def test_anchor_rules_name_only_known_comparisons_and_never_train_their_own():
    names = {c.create_output_column_name() for c in M.comparisons()}
    for rule in M.ANCHOR_RULES:
        assert rule.fields <= names, rule.name
    # the first two rules are the Indonesian ones, unchanged
    assert [r.name for r in M.ANCHOR_RULES[:2]] == ["same_nik", "same_name_dob_desa"]
    assert M.ANCHOR_RULES[0].conditions == (M.ANCHOR_SAME_PERSON_BY_NIK,)


def test_plain_blocking_rules_only_for_plain_data():
    assert M.fallback_blocking_rules(M.DEFAULT_KINDS) == []
    assert len(M.fallback_blocking_rules({"nik": "plain_id", "address": "text"})) == 10


def test_an_age_level_the_anchors_never_show_gets_its_documented_bayes_factor():
    keys, u = ["exact_real", "approx_year", "else"], [0.01, 0.02, 0.97]
    m = M.m_for_unshown_levels("dob", keys, [0.9, 0.0001, 0.0999], u, learned={"approx_year": 0.0})
    assert m[1] == 0.02 * M.UNSHOWN_LEVEL_BAYES_FACTOR["dob"]["approx_year"]
    assert abs(sum(m) - 1) < 1e-12 and m[0] / m[2] == 0.9 / 0.0999
    # a level the anchors did show keeps its learnt m
    assert M.m_for_unshown_levels("dob", keys, [0.9, 0.05, 0.05], u, learned={"approx_year": 0.05}) == [0.9, 0.05, 0.05]


def test_an_age_list_without_niks_links_to_the_dated_register():
    """A posyandu-like list with ages and no NIK: its people link to their register rows by name, age and
    address, although no NIK anchor pair can show the age level."""
    import linkmiskin as lm

    d = lm.synthetic.generate(households=150, seed=5)
    dtks = d.sources["dtks"]
    adults = dtks[dtks["TGL_LAHIR"].astype(str).str.match(r"^\d\d-\d\d-19[5-8]\d$", na=False)]
    adults = adults.drop_duplicates("ID_DTKS").head(40)
    years = adults["TGL_LAHIR"].str[-4:].astype(int)
    # a health list: name, sex, age and desa only
    ages = adults[["ID_DTKS", "NAMA", "JENIS_KELAMIN", "DESA_KELURAHAN", "KECAMATAN"]].assign(
        UMUR=(2024 - years).astype(str) + " TH", ID_DTKS="U" + adults["ID_DTKS"].astype(str))
    res = lm.link({"dtks": dtks, "umur": ages}, region="32.16", progress=False,
                  columns={"umur": {"record_id": "ID_DTKS", "age": "UMUR"}}, list_date={"umur": "2024-06-30"})
    r = res.records
    pid = r.set_index(["source", "record_id"])["person_id"]
    same = [pid[("dtks", str(i))] == pid[("umur", "U" + str(i))] for i in adults["ID_DTKS"]]
    assert sum(same) >= 0.7 * len(same), f"{sum(same)} of {len(same)} age records linked to their register row"
