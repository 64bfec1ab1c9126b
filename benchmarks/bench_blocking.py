"""Candidate pairs per blocking rule as the data grow, and the recall of true pairs (issue 11, item 1).

For each size it generates Bekasi-like lists (linkmiskin.synthetic.generator, one kabupaten: the same desa and
kecamatan get denser as the households grow), standardises them into the model table and counts, in
DuckDB, per prediction blocking rule (:func:`linkmiskin.scoring.model.blocking_rules`):

* ``pairs``: the pairs the rule proposes on its own;
* ``new``: the pairs it adds to the rules before it (Splink's marginal count; their sum is what is scored);
* ``largest``: the largest block (records sharing the rule's key);
* ``true``: the true pairs (same person in the generated truth) it proposes, and ``only``: those no other
  rule proposes (what dropping the rule would lose); both printed for the last size.

A rule whose pairs grow with the square of the records (x4 pairs for x2 records) is the superlinear part.

    python benchmarks/bench_blocking.py                          # 20,000 50,000 100,000 households
    python benchmarks/bench_blocking.py --households 2000 5000
    python benchmarks/bench_blocking.py --households 50000 100000 200000 --project 1000000

``--project N`` also prints each rule's pairs extrapolated to N households from the growth between the last
two sizes (a straight line in log records / log pairs; the records per household taken from the last size).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def _rule_sql() -> list[str]:
    from linkmiskin.scoring.model import blocking_rules

    return [r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules()]


def _top_level_and(sql: str) -> list[str]:
    """``sql`` split at its ANDs outside parentheses."""
    import re

    parts, depth, start = [], 0, 0
    for m in re.finditer(r"\(|\)|\bAND\b", sql, flags=re.IGNORECASE):
        if m.group() == "(":
            depth += 1
        elif m.group() == ")":
            depth -= 1
        elif depth == 0:
            parts.append(sql[start:m.start()])
            start = m.end()
    return parts + [sql[start:]]


def _key_and_filters(sql: str) -> tuple[list[str], list[str]]:
    """The left-hand expressions of a rule's equality conditions (its block key) and its other conditions,
    written on one record ``t``; a condition that reads both records otherwise (the NIKs do not differ, the
    dates are one slip apart) is on the pair, not on the block, and is left out."""
    import re

    keys, filters = [], []
    for part in _top_level_and(sql):
        m = re.fullmatch(r"\s*\(?\s*([^()]*?(?:\([^()]*\))?[^()]*?)\s*=\s*(.+?)\s*\)?\s*", part)
        if m and "l." in m.group(1) and "r." in m.group(2) and not re.search(r"\bOR\b", part, re.IGNORECASE):
            keys.append(m.group(1).replace("l.", "t."))
        elif "l." in part and "r." in part:
            continue   # a condition on the pair (two lists, NIKs not differing...), not on the block
        else:
            filters.append(part.replace("l.", "t.").replace("r.", "t."))
    return keys, filters


def _largest_block(con, sql: str) -> int:
    """The largest block the rule compares (after its caps and filters)."""
    keys, filters = _key_and_filters(sql)
    if not keys:
        return 0
    where = " AND ".join([f"({k}) IS NOT NULL" for k in keys] + [f"({f})" for f in filters])
    q = f"SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM lm_records t WHERE {where} GROUP BY {', '.join(keys)})"
    return int(con.execute(q).fetchone()[0])


def measure(households: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """Pairs per rule and recall of true pairs at one size."""
    import linkmiskin as lm
    from linkmiskin.linkage import Linker

    t0 = time.perf_counter()
    data = lm.synthetic.generate(households=households, seed=seed)
    t_gen = time.perf_counter() - t0
    lk = Linker(data.sources, region="32.16", progress=False)
    con = lk._con
    t = lk._table
    # true pairs: records of one person, as unique ids of the model table
    key = pd.Series(np.arange(len(t)), index=pd.MultiIndex.from_arrays([t["source"], t["record_id"].astype(str)]))
    tr = data.truth.assign(record_id=data.truth["record_id"].astype(str))
    uid = key.reindex(pd.MultiIndex.from_arrays([tr["source"], tr["record_id"]])).to_numpy()
    g = pd.DataFrame({"uid": uid, "person": tr["person_id"].to_numpy()}).dropna()
    m = g.merge(g, on="person")
    m = m[m["uid_x"] < m["uid_y"]]
    con.register("__true_df", pd.DataFrame({"a": m["uid_x"].astype(np.int64), "b": m["uid_y"].astype(np.int64)}))
    con.execute("CREATE OR REPLACE TABLE true_pairs AS SELECT * FROM __true_df").fetchall()
    rules = _rule_sql()
    rows = []
    earlier: list[str] = []
    hit_cols = []
    for i, sql in enumerate(rules):
        cond = f"coalesce(({sql}), false)"
        pairs = con.execute(f"SELECT count(*) FROM lm_records l JOIN lm_records r ON {sql} "
                            "AND l.unique_id < r.unique_id").fetchone()[0]
        not_before = " AND ".join(f"NOT coalesce(({e}), false)" for e in earlier) or "true"
        new = con.execute(f"SELECT count(*) FROM lm_records l JOIN lm_records r ON {sql} "
                          f"AND l.unique_id < r.unique_id WHERE {not_before}").fetchone()[0]
        rows.append({"rule": i, "sql": " ".join(sql.split()), "pairs": int(pairs), "new": int(new),
                     "largest": _largest_block(con, sql)})
        earlier.append(sql)
        hit_cols.append(f"{cond} AS r{i}")
    hits = con.execute(f"SELECT {', '.join(hit_cols)} FROM true_pairs p JOIN lm_records l ON l.unique_id = p.a "
                       "JOIN lm_records r ON r.unique_id = p.b").df().to_numpy(dtype=bool)
    any_hit = hits.any(axis=1)
    for i, row in enumerate(rows):
        others = np.delete(hits, i, axis=1).any(axis=1)
        row["true"] = int(hits[:, i].sum())
        row["only"] = int((hits[:, i] & ~others).sum())
    info = {"households": households, "records": len(t), "true_pairs": len(hits),
            "recall": float(any_hit.mean()) if len(hits) else 1.0,
            "scored_pairs": int(sum(r["new"] for r in rows)), "generate_s": round(t_gen, 1),
            "standardise_s": lk.timings.get("standardise")}
    return pd.DataFrame(rows), info


def projected(infos: list[dict], tables: list[pd.DataFrame], households: int) -> pd.DataFrame:
    """Per rule, the pairs and new pairs at ``households`` on the growth exponent between the last two
    sizes measured (pairs ~ records^e)."""
    (i0, t0), (i1, t1) = (infos[-2], tables[-2]), (infos[-1], tables[-1])
    records = i1["records"] * households / i1["households"]
    out = pd.DataFrame({"rule": t1["rule"]})
    for col in ("pairs", "new"):
        a, b = t0[col].clip(lower=1).to_numpy(float), t1[col].clip(lower=1).to_numpy(float)
        e = np.log(b / a) / np.log(i1["records"] / i0["records"])
        out[col] = np.where(t1[col] > 0, b * (records / i1["records"]) ** e, 0).round().astype(np.int64)
        out[f"{col}_exponent"] = e.round(2)
    out.attrs["records"] = round(records)
    return out


def print_projection(infos: list[dict], tables: list[pd.DataFrame], households: int) -> None:
    p = projected(infos, tables, households)
    print(f"\nprojected to {households:,} households (~{p.attrs['records']:,} records) from "
          f"{infos[-2]['households']:,} -> {infos[-1]['households']:,}:")
    print(p.to_string(index=False, formatters={"pairs": "{:,}".format, "new": "{:,}".format}))
    (i0, i1), records = infos[-2:], p.attrs["records"]
    e = np.log(i1["scored_pairs"] / max(i0["scored_pairs"], 1)) / np.log(i1["records"] / i0["records"])
    print(f"candidate pairs scored: {round(i1['scored_pairs'] * (records / i1['records']) ** e):,} on their own "
          f"growth (exponent {e:.2f}; at {i1['households']:,}: {i1['scored_pairs']:,}); the sum of the rules' new "
          f"pairs above, {int(p['new'].sum()):,}, overstates it where a later rule's share of new pairs shrinks")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--project", type=int, nargs="*", default=[],
                    help="also print the pairs per rule extrapolated to these numbers of households")
    args = ap.parse_args()
    tables, infos = [], []
    for n in args.households:
        tab, info = measure(n, args.seed)
        tables.append(tab)
        infos.append(info)
        print(f"{n:,} households: {info['records']:,} records, {info['scored_pairs']:,} candidate pairs, "
              f"recall of true pairs {info['recall']:.4f} ({info['true_pairs']:,} true pairs)", flush=True)
    print()
    print("rule  " + "  ".join(f"{'pairs@' + format(i['households'], ','):>16} {'new':>11} {'largest':>8}"
                              for i in infos) + "  growth  true@last  only@last  sql")
    base = tables[0]
    for k in range(len(base)):
        cells = "  ".join(f"{t.at[k, 'pairs']:>16,} {t.at[k, 'new']:>11,} {t.at[k, 'largest']:>8,}" for t in tables)
        # growth exponent: pairs ~ records^e between the first and the last size (1 linear, 2 quadratic)
        r0, r1 = infos[0]["records"], infos[-1]["records"]
        p0, p1 = tables[0].at[k, "pairs"], tables[-1].at[k, "pairs"]
        e = np.log(max(p1, 1) / max(p0, 1)) / np.log(r1 / r0) if r1 > r0 else float("nan")
        print(f"{k:>4}  {cells}  {e:6.2f}  {tables[-1].at[k, 'true']:>9,}  {tables[-1].at[k, 'only']:>9,}  "
              f"{base.at[k, 'sql'][:90]}")
    print()
    for i in infos:
        print(i)
    for h in args.project if len(infos) >= 2 else []:
        print_projection(infos, tables, h)


if __name__ == "__main__":
    main()
