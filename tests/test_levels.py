"""Comparison levels by stable key: gammas, a trained model's levels, the meanings table, the pair flags."""

import numpy as np
import pandas as pd
import pytest

from linkmiskin.linkage import PAIR_FLAG_LEVELS, _pair_flags
from linkmiskin.scoring.comparisons import level_keys
from linkmiskin.scoring.levels import LEVEL_MEANINGS, gammas, level_table, levels_by_gamma
from linkmiskin.scoring.model import comparisons, settings


def test_every_level_of_every_comparison_has_a_key_and_a_meaning():
    t = level_table()
    # the default comparisons and the plain ones chosen for data without NIKs or desa codes
    plain = comparisons({"nik": "plain_id", "address": "text"})
    built = {(c.create_output_column_name(), k) for c in [*comparisons(), *plain] for k in level_keys(c)}
    assert len(t) == len(built) and set(zip(t["comparison"], t["key"])) == built
    assert t["key"].notna().all()
    missing = t[t["meaning"] == ""]
    assert missing.empty, f"levels without a meaning in LEVEL_MEANINGS: {missing[['comparison', 'key']].values}"
    assert not t.duplicated(["comparison", "key"]).any()


def test_meanings_name_only_levels_that_exist():
    t = level_table()
    built = set(zip(t["comparison"], t["key"]))
    assert set(LEVEL_MEANINGS) - built == set()


def test_gammas_count_from_the_last_level():
    assert gammas("name", "else", "share_token", "share_token_close", "exact") == [0, 1, 2, 13]
    assert gammas("nik", "exact_consistent", "exact", "excel_15_digits") == [6, 4]  # 'exact' not built
    assert gammas("dob", "counted_by_nik", "null") == [-1, -1]
    with pytest.raises(KeyError, match="no comparison 'nikk'"):
        gammas("nikk", "exact")


def test_levels_by_gamma_adds_keys_and_refuses_another_version():
    model = settings().get_settings("duckdb").as_dict()
    lv = levels_by_gamma(model)
    assert lv["nik"][6]["key"] == "exact_consistent"
    assert lv["nik"][6]["label_for_charts"].startswith("Exact NIK")
    assert lv["address"][0]["key"] == "else"
    assert lv["dob"][-1]["key"] == "null" and "Already counted by the NIK" in lv["dob"][-1]["label_for_charts"]
    model["comparisons"][1]["comparison_levels"].pop(3)
    with pytest.raises(ValueError, match="comparison 'name' of this model has 14 levels, linkmiskin builds 15"):
        levels_by_gamma(model)


def test_pair_flags_read_levels_by_key():
    g_name = gammas("name", "exact", "same_sound", "inside", "share_token_close", "share_token", "else")
    g_nik = gammas("nik", "exact_consistent", "excel_15_digits", "typo", "else", "exact_inconsistent", "typo")
    df = pd.DataFrame({"gamma_name": g_name, "gamma_nik": g_nik})
    f = _pair_flags(None, df)
    assert f["name_alike"].tolist() == [True, True, True, False, False, False]  # one inside the other is alike
    assert f["name_weak"].tolist() == [False, False, False, True, True, True]
    assert f["nik_same"].tolist() == [True, True, False, False, True, False]
    null = _pair_flags(None, pd.DataFrame({"gamma_name": [-1], "gamma_nik": [-1]}))
    assert not any(v[0] for v in null.values())
    absent = _pair_flags(None, pd.DataFrame({"x": [1, 2]}))
    assert all(np.array_equal(v, [False, False]) for v in absent.values())
    assert set(PAIR_FLAG_LEVELS) == {"name_weak", "nik_same", "name_alike"}
