"""Keyed pseudonyms (lm.pseudonymise): tokens, parsing, and linking pseudonymised lists.

The 2,000-household measurement of the accuracy cost is in ``benchmarks/bench_pseudonym.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import warnings

import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.pseudonym import is_token
from linkmiskin.standardise.nik import parse_kk, parse_nik
from linkmiskin.synthetic import generator as synthetic

KEY = b"a test key that is not a secret!"


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "NIK": ["3216064508850003", "'3216.0645.0885.0003", "0000000000000000", None, "32160645088500",
                "3216061203800001"],
        "NO_KK": ["3216020202120001"] * 3 + [None, "3216020202120001", "-"],
        "NAMA": ["SITI AMINAH", "SITI AMINAH", "BUDI", "ANI", "AGUS", "BUDI SANTOSO"],
    })


def test_tokens_are_keyed_hmacs_of_the_clean_nik():
    out = lm.pseudonymise(_frame(), key=KEY)
    want = "PSN-" + hmac.new(KEY, b"3216064508850003", hashlib.sha256).hexdigest()[:32]
    assert out["NIK"].iloc[0] == want
    assert out["NIK"].iloc[1] == want                     # the same NIK written another way
    assert out["NIK"].iloc[2] is None                     # a placeholder never becomes a token
    assert out["NIK"].iloc[3] is None and out["NIK"].iloc[4] is None   # missing, wrong length
    assert out["NO_KK"].iloc[0] == out["NO_KK"].iloc[4] and is_token(out["NO_KK"].iloc[0])
    assert out["NO_KK"].iloc[5] is None
    assert out["NAMA"].tolist() == _frame()["NAMA"].tolist()
    assert out.attrs["pseudonymised"]["columns"] == {"NIK": "nik", "NO_KK": "kk"}
    assert out.attrs["pseudonymised"]["emptied"] == {"NIK": 2, "NO_KK": 0}
    assert not any("3216" in str(v) for v in out[["NIK", "NO_KK"]].to_numpy().ravel())
    # another key, other tokens; twice, the same
    other = lm.pseudonymise(_frame(), key=b"another key that is also long")
    assert other["NIK"].iloc[0] != out["NIK"].iloc[0]
    assert lm.pseudonymise(out, key=KEY)["NIK"].tolist() == out["NIK"].tolist()


def test_region_and_birth_code_only_when_asked():
    out = lm.pseudonymise(_frame(), key=KEY, keep_region=True, keep_birth_code=True)
    tok = out["NIK"].iloc[0]
    assert tok.startswith("PSN-R321606-B450885-") and is_token(tok)
    p = parse_nik(tok)
    assert p["nik"] == tok and p["nik_status"] == "valid"
    assert (p["nik_kecamatan"], p["nik_birth_date"], p["nik_sex"]) == ("32.16.06", "1985-08-05", "P")
    assert p["nik_serial"] is None and p["nik_prefix15"] is None and p["nik_digits"] is None
    plain = lm.pseudonymise(_frame(), key=KEY)["NIK"].iloc[0]
    assert parse_nik(plain)["nik_birth_date"] is None and parse_nik(plain)["nik_region"] is None


def test_tokens_are_not_repaired_as_damaged_niks():
    tok = lm.pseudonymise(_frame(), key=KEY)["NIK"].iloc[0]
    s = pd.Series([tok, " " + tok, tok.upper(), "PSN-123"])
    p = parse_nik(s)
    assert p["nik"].iloc[0] == tok and p["nik"].iloc[1] == tok
    assert p["nik_status"].tolist()[:2] == ["valid", "valid"]
    assert p["nik_status"].iloc[2] != "valid" and p["nik_status"].iloc[3] != "valid"   # not a token
    assert parse_kk(pd.Series([tok]))["kk"].iloc[0] == tok
    std = lm.standardize(lm.pseudonymise(_frame(), key=KEY), source="x")
    assert std["nik"].iloc[0] == tok and std["nik_status"].iloc[0] == "valid"


def test_columns_and_key_checks():
    df = _frame().assign(ID=["3216064508850003", "a", "b", "c", "d", "e"])
    out = lm.pseudonymise(df, key=KEY, columns=["NIK", "ID"])
    assert out["NO_KK"].tolist() == df["NO_KK"].tolist()           # not named, not touched
    assert is_token(out["ID"].iloc[0]) and out["ID"].nunique() == 6
    with pytest.raises(ValueError, match="16 bytes"):
        lm.pseudonymise(df, key=b"short")
    with pytest.raises(ValueError, match="no column"):
        lm.pseudonymise(df, key=KEY, columns=["NOPE"])
    with pytest.warns(UserWarning, match="no NIK or KK column"):
        same = lm.pseudonymise(pd.DataFrame({"NAMA": ["A"]}), key=KEY)
    assert same["NAMA"].tolist() == ["A"]


@pytest.fixture(scope="module")
def data():
    return synthetic.generate(households=300, seed=4)


@pytest.fixture(scope="module")
def both(data):
    raw = lm.link(data.sources, region="32.16", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shared = {n: lm.pseudonymise(df, key=KEY) for n, df in data.sources.items()}
    return raw, lm.link(shared, region="32.16", progress=False)


def test_linking_pseudonymised_lists(data, both):
    raw, psn = both
    assert raw.metadata["pseudonymised_sources"] == []
    assert psn.metadata["pseudonymised_sources"] == ["blt_dd", "bpjs_pbi", "dtks", "p3ke"]   # posyandu has none
    assert len(psn.records) == len(raw.records)
    # equal tokens are NIK evidence: the exact-NIK level applies to pairs of one token
    assert psn.pairs["nik_level_key"].isin(["exact_consistent", "exact_inconsistent"]).sum() > 0
    e_raw = lm.evaluate(raw, data.truth).person
    e_psn = lm.evaluate(psn, data.truth).person
    assert e_psn["pairwise_precision"] >= 0.98
    # a token cannot be one digit off: only the pairs raw linked through mistyped or damaged NIKs are lost
    assert e_psn["pairwise_f1"] >= e_raw["pairwise_f1"] - 0.04
    key = psn.records["source"] + ":" + psn.records["record_id"]
    rp = dict(zip(raw.records["source"] + ":" + raw.records["record_id"], raw.records["person_id"]))
    same_raw = key.map(rp)
    # nearly every person of the pseudonymised run is one person of the raw run
    pure = pd.DataFrame({"p": psn.records["person_id"], "r": same_raw}).groupby("p")["r"].nunique()
    assert (pure == 1).mean() >= 0.98


def test_saved_pseudonymised_result_says_so(both, tmp_path):
    import json

    _, psn = both
    out = psn.save(tmp_path / "o", formats=("parquet",))
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["pseudonymised_sources"] == ["blt_dd", "bpjs_pbi", "dtks", "p3ke"]
