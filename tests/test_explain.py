"""result.explain(): a linked pair, a pair kept apart by a rule, a pair never compared, two households."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import linkmiskin as lm


@pytest.fixture(scope="module")
def result():
    d = lm.synthetic.generate(households=250, seed=3)
    return lm.link(d.sources, region="32.16", progress=False)


def _key(row, side):
    return (row[f"source_{side}"], row[f"record_id_{side}"])


def _no_full_nik(text: str) -> bool:
    return re.search(r"(?<!\d)\d{16}(?!\d)", text) is None


def test_explain_a_linked_pair_adds_up_to_the_pairs_score(result):
    pr = result.pairs
    row = pr[(pr["match_probability"] >= result.threshold) & (pr["nik_level_key"] == "exact_consistent")].iloc[0]
    ex = result.explain(_key(row, "l"), _key(row, "r"))
    assert ex.match_probability == pytest.approx(row["match_probability"], abs=1e-9)
    comps = ex.table[ex.table["step"] == "comparison"]
    assert ex.table["match_weight"].iloc[:-1].sum() == pytest.approx(ex.match_weight, abs=1e-6)
    assert set(comps["comparison"]) >= {"nik", "name", "dob", "address"}
    assert comps.set_index("comparison").loc["name", "level"] == row["name_level"]
    assert comps.set_index("comparison").loc["nik", "level_key"] == "exact_consistent"
    assert comps.set_index("comparison").loc["name", "level_key"] == row["name_level_key"]
    assert ex.candidate and ex.in_pairs and ex.same_person and ex.cannot_link_rule == ""
    assert "one person" in ex.person_decision
    text = ex.summary() + ex.table.to_string()
    assert _no_full_nik(text)
    assert "****" in comps.set_index("comparison").loc["nik", "value_a"]


def test_explain_a_pair_kept_apart_by_a_rule(result):
    pr = result.pairs
    kept = pr[pr["cannot_link_rule"] != ""]
    assert len(kept), "the generated set has look-alikes that a cannot-link rule keeps apart"
    row = kept.iloc[0]
    ex = result.explain(_key(row, "l"), _key(row, "r"))
    assert ex.cannot_link_rule == row["cannot_link_rule"]
    assert not ex.same_person
    assert row["cannot_link_rule"] in ex.summary()


def test_explain_a_pair_never_compared_and_in_two_households(result):
    rec = result.records
    a = rec.iloc[0]
    other = rec[(rec["household_id"] != a["household_id"]) & (rec["desa_code"] != a["desa_code"])
                & (rec["kecamatan_code"] != a["kecamatan_code"])].iloc[0]
    ex = result.explain((a["source"], a["record_id"]), (other["source"], other["record_id"]))
    assert not ex.candidate and not ex.in_pairs
    assert ex.blocking_rules == []
    assert "Never compared" in ex.summary()
    assert not ex.same_household and ex.household_decision.startswith("two households")
    assert ex.match_probability < result.threshold


def test_explain_chart_is_offline_svg(result):
    pr = result.pairs
    row = pr.iloc[0]
    chart = result.explain(_key(row, "l"), _key(row, "r")).chart()
    root = ET.fromstring(chart.svg)
    assert root.tag.endswith("svg")
    assert "http" not in chart.svg.replace("http://www.w3.org/2000/svg", "")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) >= 9
    assert _no_full_nik(chart.svg)


def test_explain_unknown_record_is_a_clear_error(result):
    with pytest.raises(KeyError, match="no record"):
        result.explain(("dtks", "nope"), ("p3ke", "x"))
    with pytest.raises(ValueError, match="source, record_id"):
        result.explain("dtks", ("p3ke", "x"))
