"""Self-diagnosis checks on hand-made records (no generator)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from linkmiskin.report import diagnostics as dg
from linkmiskin.standardise.columns import detect_columns


def _std(source: str, n: int, **cols) -> pd.DataFrame:
    base = {"source": [source] * n, "name": [f"ORANG {source} {i}" for i in range(n)],
            "nik_status": ["valid"] * n, "region_status": ["resolved"] * n}
    return pd.DataFrame(base | cols)


def test_damaged_niks_per_source() -> None:
    std = pd.concat([_std("pkh", 10, nik_status=["excel_damaged"] * 3 + ["valid"] * 5 + ["missing"] * 2),
                     _std("dtks", 10, nik_status=["excel_damaged"] + ["valid"] * 9)], ignore_index=True)
    f = dg.damaged_niks(std)
    assert [(x["source"], x["value"]) for x in f] == [("pkh", 0.375)]  # 3 of the 8 NIKs given
    assert "lost their last digit to Excel" in f[0]["message"]


def test_repeated_names_against_the_other_sources() -> None:
    mono = _std("posyandu", 20, name=["SLAMET"] * 6 + ["SUGENG"] * 6 + [f"N{i}" for i in range(8)])
    std = pd.concat([mono, _std("dtks", 200), _std("pkh", 100)], ignore_index=True)
    f = dg.repeated_names(std)
    assert [x["source"] for x in f] == ["posyandu"]
    assert f[0]["value"] == pytest.approx(round(2 * 6 * 5 / (20 * 19), 4))
    # a list whose names repeat no more than the others' is not reported
    assert dg.repeated_names(pd.concat([_std("a", 50), _std("b", 50)], ignore_index=True)) == []


def test_repeated_names_count_named_rows_only() -> None:
    # rows without a name do not count, whatever their other columns hold (and the index is not 0..n-1)
    mono = _std("posyandu", 20, name=["SLAMET"] * 6 + ["SUGENG"] * 6 + [f"N{i}" for i in range(8)])
    std = pd.concat([mono, _std("posyandu", 5, name=[None] * 5), _std("dtks", 200), _std("pkh", 100)],
                    ignore_index=True)
    std.index = std.index * 3 + 7
    f = dg.repeated_names(std)
    assert [x["source"] for x in f] == ["posyandu"]
    assert f[0]["value"] == pytest.approx(round(2 * 6 * 5 / (20 * 19), 4))


def test_empty_mapped_fields() -> None:
    std = _std("sekolah", 10, birth_date_status=["missing"] * 9 + ["ok"], nik_status=["missing"] * 5 + ["valid"] * 5)
    cm = detect_columns(pd.DataFrame(columns=["NIK", "NAMA", "TGL_LAHIR"]), source="sekolah")
    f = dg.empty_mapped_fields(std, {"sekolah": cm})
    assert [(x["source"], x["value"]) for x in f] == [("sekolah", 0.9)]
    assert "the birth_date column 'TGL_LAHIR' is empty on 90% of the rows" in f[0]["message"]


def _table(rows: list[dict]) -> pd.DataFrame:
    cols = {"unique_id": 0, "nik": None, "nik_consistent": True, "name": None, "dob": None, "dob_placeholder": False,
            "desa_code": None, "nik15": None, "name_tokens": []}
    return pd.DataFrame([cols | {"unique_id": i} | r for i, r in enumerate(rows)])


def test_few_anchor_pairs() -> None:
    rows = [{"nik": "3216015505900003", "nik15": "321601550590000"}] * 3  # 3 pairs by NIK
    f = dg.few_anchor_pairs(_table(rows))
    assert [(x["value"], x["limit"]) for x in f] == [(3, dg.FEW_ANCHORS), (0, dg.FEW_ANCHORS)]
    assert "uses prior weights" in f[0]["message"]


def test_unresolved_desa() -> None:
    std = pd.concat([_std("a", 4, region_status=["unresolved", "ambiguous", "resolved", "missing"]),
                     _std("b", 4)], ignore_index=True)
    assert [(x["source"], x["value"]) for x in dg.unresolved_desa(std)] == [("a", 0.6667)]


def test_diagnose_warns_in_plain_words_and_masks_niks() -> None:
    std = _std("pkh 3216015505900003", 4, nik_status=["excel_damaged"] * 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = dg.diagnose(std)
    assert [x["check"] for x in found] == ["damaged_niks"]
    assert len(caught) == 1 and "3216015505900003" not in str(caught[0].message)
    assert "3216********0003" in str(caught[0].message)


def test_link_records_the_diagnostics_in_the_metadata() -> None:
    import linkmiskin as lm

    data = lm.synthetic.generate(households=60, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = lm.link(data.sources, region=data.region, progress=False)
    found = res.metadata["diagnostics"]
    assert {"check", "source", "value", "limit", "message"} <= set(found[0])
    # 60 households give far fewer than FEW_ANCHORS sure pairs: reported, and warned
    assert "few_anchor_pairs" in [f["check"] for f in found]
    assert any("pairs of records share a NIK" in str(w.message) for w in caught)
