"""Memory savings keep the outputs identical: blocking one rule at a time scores the pairs Splink's own
blocking scores, with the same probabilities and levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkmiskin import linkage
from linkmiskin.linkage import Linker, rule_pairs_sql
from linkmiskin.memory import release_memory
from linkmiskin.synthetic import generator as synthetic


@pytest.fixture(scope="module")
def trained():
    data = synthetic.generate(households=300, seed=5)
    lk = Linker(data.sources, region="32.16", progress=False)
    lk.train()
    return lk


def test_rule_pairs_sql_excludes_earlier_rules():
    first = rule_pairs_sql(["l.a = r.a", "l.b = r.b"], 0, "t")
    assert "NOT" not in first and "'0' AS match_key" in first
    second = rule_pairs_sql(["l.a = r.a", "l.b = r.b"], 1, "t")
    assert second.endswith("AND NOT (coalesce((l.a = r.a), false))") and "ON (l.b = r.b)" in second


def test_blocking_rule_by_rule_gives_splinks_pairs(trained, monkeypatch):
    calls = []
    real = Linker._register_blocked_pairs
    monkeypatch.setattr(Linker, "_register_blocked_pairs", lambda self, lk: calls.append(1) or real(self, lk))
    ours = trained.predict().copy()
    assert calls == [1]                       # blocked rule by rule
    tables = trained._con.execute("SELECT table_name FROM duckdb_tables()").fetchnumpy()["table_name"].tolist()
    assert "lm_blocked_pairs" not in tables   # the blocked pairs do not stay in DuckDB
    monkeypatch.setattr(Linker, "_register_blocked_pairs", lambda self, lk: None)   # Splink blocks
    splinks = trained.predict()
    assert len(ours) > 100
    assert ours.equals(splinks)


def test_release_memory_collects_what_the_steps_dropped():
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a            # a reference cycle: only the garbage collector frees it
    gone = weakref.ref(a)
    gc.disable()
    try:
        del a, b
        assert gone() is not None
        release_memory()
        assert gone() is None
    finally:
        gc.enable()
    assert linkage.release_memory is release_memory   # the pipeline calls this one between its steps


def test_model_table_lists_shared_with_the_same_values(trained):
    t, std = trained._table, trained._std
    text = t["addr_text"]
    expected = [v.split() if isinstance(v, str) else [] for v in text]
    assert t["addr_tokens"].tolist() == expected
    assert len({id(v) for v in t["addr_tokens"]}) <= text.nunique() + 1    # one list per distinct text
    mothers = [list(v) if isinstance(v, (list, tuple)) or hasattr(v, "__array__") else []
               for v in std["mother_name_tokens"]]
    assert t["mother_tokens"].tolist() == mothers
    empty = [id(v) for v in t["mother_tokens"] if not v]
    assert len(empty) > 10 and len(set(empty)) == 1                       # one [] for all without


def test_scored_pairs_come_ordered_with_one_byte_levels(trained, monkeypatch):
    seen = {}
    real = Linker._scored

    def scored(self, lk):
        df = real(self, lk)
        seen["df"] = df
        return df

    monkeypatch.setattr(Linker, "_scored", scored)
    monkeypatch.setattr(pd.DataFrame, "sort_values", lambda *a, **k: pytest.fail("pairs sorted in pandas"))
    pairs = trained.predict()
    df = seen["df"]
    gammas = [c for c in df.columns if c.startswith("gamma_")]
    assert gammas and all(df[c].dtype == np.int8 for c in gammas)
    ul, ur = pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy()
    assert len(pairs) > 100 and np.array_equal(np.lexsort((ur, ul)), np.arange(len(pairs)))


def test_pairs_out_of_order_are_sorted():
    from linkmiskin.linkage import _pairs_in_order

    assert _pairs_in_order(np.array([0, 0, 1, 3]), np.array([1, 5, 2, 4]))
    assert not _pairs_in_order(np.array([0, 1, 0]), np.array([1, 2, 3]))
    assert not _pairs_in_order(np.array([0, 0]), np.array([1, 1]))   # a pair twice


def test_training_gives_duckdbs_working_memory_back():
    # (the limit is lowered after training, so DuckDB's cached buffers do not add to the peak of scoring)
    lk = Linker(synthetic.generate(households=200, seed=6).sources, region="32.16", progress=False)
    lk.train()
    limit = lk._con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper() in ("256.0MIB", "244.1MIB", "256MB", "244.1MB"), limit


def test_model_table_spilled_once_duckdb_holds_it_reads_back_the_same(monkeypatch):
    from linkmiskin.memory import SpilledColumns

    seen = {}

    class Capture(SpilledColumns):
        def __init__(self, table, keep):
            seen["table"] = table.copy(deep=True)
            super().__init__(table, keep)

    monkeypatch.setattr(linkage, "SpilledColumns", Capture)
    lk = Linker(synthetic.generate(households=300, seed=5).sources, region="32.16", progress=False)
    kept = lk._kept_table
    assert "unique_id" in kept and "block_nik15" not in kept and len(kept.columns) < len(seen["table"].columns)
    full = lk._table
    pd.testing.assert_frame_equal(full, seen["table"])
    for c in ("name_tokens", "addr_tokens", "mother_tokens"):   # word lists come back as lists
        assert all(isinstance(v, list) for v in full[c] if v is not None)
    assert lk._model_rows.table.equals(full)
    assert lk._model_rows.table.equals(full)   # (read again from the same file)


def test_spilled_columns_keep_types_and_order():
    from linkmiskin.memory import SpilledColumns

    t = pd.DataFrame({"a": [1, 2, 3], "w": [["X", "Y"], [], None], "s": ["p", None, "q"],
                      "y": pd.array([None, 3, 4], dtype="Int64"), "b": pd.array([True, None, False], dtype="boolean")})
    s = SpilledColumns(t, keep=("s",))
    assert list(s.kept.columns) == ["s"] and s.list_columns == ["w"]
    pd.testing.assert_frame_equal(s.full(), t)
    pd.testing.assert_frame_equal(s.full(), t)   # read again


def test_spilled_columns_leave_no_file_behind(tmp_path, monkeypatch):
    import tempfile

    from linkmiskin.memory import SpilledColumns

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    s = SpilledColumns(pd.DataFrame({"a": [1, 2], "b": ["x", None]}), keep=("a",))
    assert list(tmp_path.iterdir()) == []   # held open, already unlinked: nothing stays if the process dies
    assert s.full()["b"].tolist() == ["x", None]


def test_spilled_columns_give_string_pyarrow_columns_back_as_such():
    from linkmiskin.memory import SpilledColumns

    t = pd.DataFrame({"a": [1, 2], "n": pd.array(["3216", None], dtype="string[pyarrow]")})
    back = SpilledColumns(t, keep=("a",)).full()
    assert back["n"].dtype == t["n"].dtype   # (the file's metadata alone gives the python storage)
    pd.testing.assert_frame_equal(back, t)


def test_shared_strings_one_object_per_text_same_values():
    from linkmiskin.memory import shared_strings, with_shared_strings

    values = np.array(["".join(["o", "k"]) for _ in range(6)] + [None, float("nan"), "bad"], dtype=object)
    out = shared_strings(values)
    assert len({id(v) for v in out[:6]}) == 1 and len({id(v) for v in values[:6]}) == 6
    assert out[:7].tolist() == values[:7].tolist() and out[7] is values[7]   # None and NaN stay as they were
    ids = np.array([str(i) for i in range(100)], dtype=object)
    assert shared_strings(ids) is ids                               # mostly distinct (record ids): unchanged
    mixed = np.array(["a", "a", 1, "a"], dtype=object)
    assert shared_strings(mixed) is mixed                           # not all text: unchanged
    t = pd.DataFrame({"s": values, "x": np.arange(9)})
    assert with_shared_strings(t.copy()).equals(t)


@pytest.fixture(scope="module")
def clustered():
    data = synthetic.generate(households=300, seed=7)
    lk = Linker(data.sources, region="32.16", progress=False)
    std = lk._std
    return lk, std, lk.cluster()


def test_standardised_records_wait_in_a_file_then_in_the_records(clustered):
    lk, std, res = clustered
    assert std.columns[0] == "unique_id" and (std["unique_id"].to_numpy() == np.arange(len(std))).all()
    assert lk._std_frame is None and lk._std_spilled is None      # neither a frame nor a file after clustering
    held = lk._std_in_records[0]
    assert np.shares_memory(held["name"].to_numpy(), res.records["name"].to_numpy())   # the records' arrays
    pd.testing.assert_frame_equal(lk._std, std)
    pd.testing.assert_frame_equal(lk.standardized, std.iloc[lk._input_rank()].reset_index(drop=True))
    assert lk._std_ids.equals(std[["unique_id", "source", "record_id"]])
    again = lk.cluster()                                          # clustering again reads them back
    pd.testing.assert_frame_equal(again.records, res.records)


def test_scoring_drops_duckdbs_copy_of_the_model_table_and_loads_it_when_asked(clustered):
    lk, _, res = clustered

    def tables() -> list[str]:
        return lk._con.execute("SELECT table_name FROM duckdb_tables()").fetchnumpy()["table_name"].tolist()

    assert "lm_records" not in tables() and not lk._records_in_duckdb
    pairs = lk._pairs.copy()
    assert lk._sdf is not None and "lm_records" in tables()       # explaining a pair or scoring loads it
    again = lk.predict()
    assert "lm_records" not in tables()
    pd.testing.assert_frame_equal(again, pairs)
