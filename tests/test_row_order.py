"""use_row_order: the household rules that read a list's row order are an explicit, reported choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.clustering.households import ROW_ORDER_RULES, household_clusters


@pytest.fixture(scope="module")
def data():
    return lm.synthetic.generate(households=150, seed=5)


def _partition(records: pd.DataFrame, col: str) -> set[frozenset]:
    keys = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    return {frozenset(g) for g in keys.groupby(records[col]).groups.values() for g in [keys[g]]}


def test_auto_reports_each_list_order_rule_and_false_switches_them_off(data):
    auto = lm.link(data.sources, region="32.16", progress=False)
    report = auto.metadata["row_order"]
    assert report, "lists lacking KKs are checked for family order"
    rules = {r for per in report.values() for r in per}
    assert rules <= set(ROW_ORDER_RULES)
    assert any(v["used"] for per in report.values() for v in per.values())
    off = lm.link(data.sources, region="32.16", progress=False, use_row_order=False)
    assert off.metadata["use_row_order"] is False
    assert not any(v["used"] for per in off.metadata["row_order"].values() for v in per.values())
    assert (off.records["household_evidence"] != "family rows in list order").all()
    with pytest.raises(ValueError, match="use_row_order"):
        lm.link(data.sources, region="32.16", progress=False, use_row_order="yes")


def test_a_shuffled_list_does_not_prove_its_order(data):
    auto = lm.link(data.sources, region="32.16", progress=False)
    used = [s for s, per in auto.metadata["row_order"].items() if any(v["used"] for v in per.values())]
    assert used
    src = used[0]
    shuffled = dict(data.sources)
    shuffled[src] = data.sources[src].sample(frac=1.0, random_state=1).reset_index(drop=True)
    res = lm.link(shuffled, region="32.16", progress=False)
    per = res.metadata["row_order"].get(src, {})
    assert not any(v["used"] for v in per.values()), per


def test_rules_read_row_numbers_not_array_positions(data):
    res = lm.link(data.sources, region="32.16", progress=False)
    lk = res._linker
    std = lk.standardized
    persons = pd.DataFrame({"person_node": pd.factorize(res.records["person_id"])[0],
                            "person_confidence": res.records["person_confidence"].to_numpy()})
    base = household_clusters(std, persons)
    perm = np.random.default_rng(0).permutation(len(std))
    moved = household_clusters(std.iloc[perm].reset_index(drop=True), persons.iloc[perm].reset_index(drop=True))
    a = pd.Series(base["household_node"].to_numpy()[perm])
    b = pd.Series(moved["household_node"].to_numpy())
    # the same partition: each group of one maps to exactly one group of the other
    assert a.groupby(b).nunique().max() == 1 and b.groupby(a).nunique().max() == 1
