"""Issue 15 (and item 4 of issue 14): training without NIK anchors, desa codes or duplicates.

Lists that give little to learn from (one clean list, a one- or two-row list, lists without NIKs or
addresses) link without error, and ``result.metadata["training"]`` says how each comparison was trained.
"""

from __future__ import annotations

import warnings

import duckdb
import pytest

import linkmiskin as lm
from linkmiskin import model as M
from linkmiskin import synthetic

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
