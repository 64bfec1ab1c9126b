"""Person clusters and the threshold do not depend on the order of the rows or of the sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.linkage import canonical_order
from linkmiskin.scoring.model import m_with_prior

ID_COLUMN = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU", "blt_dd": "NO", "posyandu": "NO"}


def _persons(res: lm.LinkResult) -> set[frozenset]:
    r = res.records
    keys = pd.Series(list(zip(r["source"], r["record_id"])))
    return {frozenset(v) for v in keys.groupby(r["person_id"].to_numpy()).agg(list)}


@pytest.fixture(scope="module")
def runs():
    sources = lm.synthetic.generate(households=60, seed=1).sources
    rng = np.random.default_rng(3)
    shuffled = {name: df.sample(frac=1.0, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)
                for name, df in reversed(list(sources.items()))}
    base = lm.link(sources, region="32.16", progress=False)
    moved = lm.link(shuffled, region="32.16", progress=False)
    return sources, shuffled, base, moved


def test_shuffled_rows_and_sources_give_the_same_persons_and_threshold(runs):
    sources, shuffled, base, moved = runs
    assert list(shuffled) != list(sources)
    assert any((shuffled[k][ID_COLUMN[k]].to_numpy() != sources[k][ID_COLUMN[k]].to_numpy()).any() for k in sources)
    assert moved.threshold == base.threshold
    assert _persons(moved) == _persons(base)
    assert len(_persons(base)) < len(base.records)   # some records were linked


def test_records_come_back_in_input_order(runs):
    _, shuffled, _, moved = runs
    r = moved.records
    expected = pd.concat([pd.DataFrame({"source": k, "record_id": v[ID_COLUMN[k]].astype(str)})
                          for k, v in shuffled.items()], ignore_index=True)
    assert r["source"].tolist() == expected["source"].tolist()
    assert r["record_id"].tolist() == expected["record_id"].tolist()
    std = moved._linker.standardized
    assert std["record_id"].astype(str).tolist() == expected["record_id"].tolist()


def test_canonical_order_follows_content_not_position():
    t = pd.DataFrame({"unique_id": range(4), "source": ["b", "a", "a", "b"], "record_id": ["1", "2", "1", "2"],
                      "name": ["ANI", "BUDI", "ANI", None], "name_tokens": [["ANI"], ["BUDI"], ["ANI"], []]})
    perm = np.array([2, 0, 3, 1])
    a = t.iloc[canonical_order(t)][["source", "record_id"]].to_numpy().tolist()
    moved = t.iloc[perm].reset_index(drop=True)
    b = moved.iloc[canonical_order(moved)][["source", "record_id"]].to_numpy().tolist()
    assert a == b and sorted(map(tuple, a)) == [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2")]


def test_m_with_prior_weighs_the_prior_as_min_anchors_pairs():
    assert m_with_prior([1.0, 0.0], [0.5, 0.5], n=20) == pytest.approx([0.75, 0.25])
    # thousands of anchors: the learnt m stands
    assert m_with_prior([0.9, 0.1], [0.5, 0.5], n=20_000)[0] == pytest.approx(0.9, abs=1e-3)


def test_row_hashes_are_those_of_the_rows_made_python_objects():
    """The canonical order's hash factorises each column in its own dtype: the same hashes as hashing every
    row converted to Python objects (missing values None), for every kind of column the model table holds."""
    from linkmiskin.linkage import row_hashes

    t = pd.DataFrame({
        "unique_id": [0, 1, 2, 3], "record_id": ["1", "2", "3", "4"],
        "text": ["ANI", None, "ANI", "BUDI"], "arrow": pd.array(["A", None, "B", "A"], dtype="string[pyarrow]"),
        "ints": pd.array([1970, None, 1970, 3], dtype="Int64"), "plain": [5, 6, 5, 7],
        "flag": [True, False, True, True], "nullable_flag": pd.array([True, None, False, True], dtype="boolean"),
        "share": [0.25, np.nan, 0.0, -0.0], "mixed": [1, "1", None, 2.5], "tokens": [["A"], [], ["B"], None]})
    content = [c for c in t.columns if c not in ("unique_id", "record_id", "tokens")]
    objects = pd.DataFrame({c: t[c].astype(object).where(t[c].notna(), None) for c in content})
    expected = pd.util.hash_pandas_object(objects, index=False).to_numpy(dtype=np.uint64).view(np.int64)
    assert np.array_equal(row_hashes(t), expected)
    assert len(set(expected.tolist())) == 4
