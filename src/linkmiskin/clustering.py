"""Person and household clusters that resist chaining.

Persons
-------
Connected components of the pairs scored at or above the threshold are only the first step: one wrong pair
would chain two people (and then thousands) together. Every component that holds a cannot-link pair, a
scored pair below the threshold, or more than 12 records is rebuilt by **constrained average-linkage
agglomeration**:

* pairs are merged strongest first;
* two groups are never merged when they hold a *cannot-link* pair:

  - two different valid NIKs whose records have different real birth dates, or
  - two records of the same source listed as distinct members of one KK (different name or birth year);

* two groups are only merged when the average match probability of all their *scored* cross pairs is at
  least the threshold, so a weak bridge between two dense groups is cut.

Households are built in :mod:`linkmiskin.households`.

Confidence
----------
``person_confidence`` of a record = (its strongest match probability to another record of its cluster, 1 for
a singleton) x (1 - its strongest match probability to a record *outside* its cluster). It is high when the
record is firmly attached to its cluster and nothing outside competes for it, and it falls as either
weakens. ``household_confidence`` is described in :mod:`linkmiskin.households`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .names import names_close


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected component label for each of ``n`` nodes given edges (left[i], right[i])."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return labels.astype(np.int64)


def stable_id(prefix: str, keys: pd.Series) -> pd.Series:
    """Deterministic, short ids from the sorted member keys of each cluster."""
    return keys.map(lambda k: prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12])


def _differ_beyond_typo(a: pd.Series, b: pd.Series) -> np.ndarray:
    """True where two NIK strings (both present, same length) differ by more than one substitution or
    one swap of neighbouring digits."""
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    out = np.zeros(len(a), dtype=bool)
    ok = a.notna() & b.notna() & (a.str.len() == b.str.len())
    if not ok.any():
        return out
    for length in a[ok].str.len().unique():
        sel = (ok & (a.str.len() == length)).to_numpy()
        x = np.frombuffer("".join(a[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, int(length))
        y = np.frombuffer("".join(b[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, int(length))
        neq = x != y
        cnt = neq.sum(axis=1)
        swap = np.zeros(len(x), dtype=bool)
        two = np.flatnonzero(cnt == 2)
        if len(two):
            pos = np.argsort(~neq[two], axis=1, kind="stable")[:, :2]
            i, j = pos[:, 0], pos[:, 1]
            r = np.arange(len(two))
            swap[two] = (j == i + 1) & (x[two][r, i] == y[two][r, j]) & (x[two][r, j] == y[two][r, i])
        out[np.flatnonzero(sel)] = (cnt > 1) & ~swap
    return out


_VOWELS = np.frombuffer(b"AEIOU", dtype=np.uint8)


def _date_chars(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """ISO date strings as an (n, 10) byte matrix and a mask of rows that hold one."""
    b = s.astype(object).where(s.notna(), "").to_numpy(dtype="S10")
    mat = b.view(np.uint8).reshape(-1, 10) if len(b) else np.zeros((0, 10), dtype=np.uint8)
    ok = (mat[:, 4] == ord("-")) & (mat[:, 7] == ord("-"))
    return mat, ok


def _same_chars(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], k: int) -> np.ndarray:
    """Both dates present and equal in their first ``k`` characters."""
    return a[1] & b[1] & (a[0][:, :k] == b[0][:, :k]).all(axis=1)


def _near_chars(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Both dates present and at most two characters apart."""
    return a[1] & b[1] & ((a[0] != b[0]).sum(axis=1) <= 2)


def _one_vowel_apart(a: pd.Series, b: pd.Series) -> np.ndarray:
    """True where two names (both present) have the same length and differ in exactly one letter, a vowel
    for a vowel: ILHAM / ILHIM, PUTRA / PUTRI, AMELIA / AMELII (the way Indonesian twins are named)."""
    # Y and I are one sound (RIZKY / RIZKI): RIZKY ALIF BAYU / RIZKI ALIF BAYI are one vowel apart
    a = a.reset_index(drop=True).str.replace("Y", "I", regex=False)
    b = b.reset_index(drop=True).str.replace("Y", "I", regex=False)
    out = np.zeros(len(a), dtype=bool)
    ok = (a.notna() & b.notna()).to_numpy()
    if not ok.any():
        return out
    la = a.str.len().to_numpy(dtype=float, na_value=-1)
    lb = b.str.len().to_numpy(dtype=float, na_value=-2)
    ok &= la == lb
    for length in np.unique(la[ok]).astype(int):
        sel = ok & (la == length)
        try:
            x = np.frombuffer("".join(a[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, length)
            y = np.frombuffer("".join(b[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, length)
        except (UnicodeEncodeError, ValueError):
            continue
        neq = x != y
        one = neq.sum(axis=1) == 1
        pos = neq.argmax(axis=1)
        r = np.arange(len(x))
        out[np.flatnonzero(sel)] = one & np.isin(x[r, pos], _VOWELS) & np.isin(y[r, pos], _VOWELS)
    return out


def cannot_link(recs: pd.DataFrame, comp: np.ndarray, scored: pd.DataFrame | None = None,
                max_component: int = 400) -> pd.DataFrame:
    """All cannot-link record pairs inside the components ``comp`` (vectorised).

    ``recs`` is indexed by node 0..n-1 with columns ``nik15, nik_consistent, dob, dob_placeholder, source,
    kk, name_mask, dob_year, sex``. Only NIKs that agree with their own record's birth date are used. Two
    records cannot be one person when:

    * both have a NIK, the NIKs differ by more than one typo or swap, and their real (non-placeholder)
      recorded birth dates differ while the NIKs code different dates;
    * both have a NIK, the NIKs differ by more than one typo or swap, and the names share no token;
    * each NIK codes exactly its own record's real birth date, and those dates differ (even one digit
      apart: a clerk's typo in a NIK would make it disagree with its own record);
    * they are in the same source under the same valid KK and their names share no token (and are not one
      name mistyped), or their birth years are two or more apart (and not a year typo, see below), or
      their NIKs or sexes differ (two members of one family), unless they carry the same trusted NIK and
      the same real birth date (one person listed twice);
    * they are in the same source with different names and NIKs that share region and birth code but
      differ in the serial, or with the same birth date and different sex and not one trusted NIK (twins
      listed by one agency);
    * they are in the same source with the same birth date, in one family (same KK, the same or a
      close mother's name, or same desa + RT/RW), not the same trusted NIK, and their names are one vowel apart (PUTRA /
      PUTRI: twins);
    * their recorded birth years are ten or more years apart in more than one digit (a father and a son
      with one name, even when the son's row carries the father's NIK; a one-digit typo such as
      1981 / 1991 is still allowed, and so is any year when both rows carry the same self-consistent NIK
      or one row's NIK codes the other row's recorded year and its own date is that date mistyped, or the
      two years are one another with two digits swapped, 1973 / 1937);
    * ``scored`` (pairs with ``l, r, name_gamma, nik_same``) says the NIKs differ and the names are only
      loosely related (name level "share a token and Jaro-Winkler >= 0.8" or lower);
    * ``scored`` says two trusted NIKs differ only in the serial and the names are neither the same nor
      the same by sound (``name_alike``);
    * ``scored`` says the names are loosely related at best and the pair is not confirmed by both the same
      NIK and the same real birth date: a pair whose common ground is a date and an address is two
      siblings or neighbours, and a NIK copied onto a family member's row does not carry the date (a NIK
      that agrees with both records' own birth dates is left to the score).

    Components larger than ``max_component`` are checked on their scored pairs only.
    """
    size = np.bincount(comp)
    nodes = np.flatnonzero((size[comp] >= 2) & (size[comp] <= max_component))
    out = []
    if len(nodes):
        cols = ["nik", "nik15", "nik_consistent", "dob", "dob_placeholder", "source", "kk", "name_mask",
                "dob_year", "sex", "name"]
        cols += [c for c in ("mother_name", "desa_code", "rt", "rw", "nik_dob") if c in recs]
        d = recs.loc[nodes, cols].copy()
        for c in ("mother_name", "desa_code", "rt", "rw", "nik_dob"):
            if c not in d:
                d[c] = None
        d["own"] = (recs.loc[nodes, "nik_own_date"].astype(bool) if "nik_own_date" in recs
                    else pd.Series(False, index=nodes))
        # only NIKs that agree with their own record's birth date count (a copied head's NIK does not)
        trusted = d["nik_consistent"].astype(bool)
        d["nik15"] = d["nik15"].where(trusted)
        d["nik"] = d["nik"].where(trusted)
        d["c"] = comp[nodes]
        d["node"] = nodes
        m = d.merge(d, on="c", suffixes=("_a", "_b"))
        m = m[m["node_a"] < m["node_b"]]
        full = m["nik_a"].notna() & m["nik_b"].notna()
        nik_diff = (m["nik15_a"].notna() & m["nik15_b"].notna() & (m["nik15_a"] != m["nik15_b"])) | (
            full & (m["nik_a"] != m["nik_b"]))
        # NIKs one typo or one swapped pair of digits apart may be one person's NIK mistyped
        beyond_typo = pd.Series(_differ_beyond_typo(m["nik15_a"], m["nik15_b"]), index=m.index)
        same_nik_code = m["nik15_a"].notna() & (m["nik15_a"].str[:12] == m["nik15_b"].str[:12])
        same_trusted_nik = full & (m["nik_a"] == m["nik_b"])
        real = ~m["dob_placeholder_a"].astype(bool) & ~m["dob_placeholder_b"].astype(bool)
        dob_diff = m["dob_a"].notna() & m["dob_b"].notna() & (m["dob_a"] != m["dob_b"]) & real
        no_shared = (m["name_mask_a"].to_numpy() & m["name_mask_b"].to_numpy()) == 0
        both_named = (m["name_mask_a"] != 0) & (m["name_mask_b"] != 0)
        no_shared = pd.Series(no_shared, index=m.index) & both_named
        same_src = m["source_a"] == m["source_b"]
        same_kk = same_src & m["kk_a"].notna() & (m["kk_a"] == m["kk_b"])
        # names without a common word may still be one name mistyped (JUNAIDI / JUNAEDI, PUTRI / FUTRI);
        # checked only where it decides a rule below, and only for names of similar length
        need = (no_shared & (same_kk | (nik_diff & beyond_typo))).to_numpy()
        if need.any():
            la = m["name_a"].str.len().to_numpy(dtype=float, na_value=0)
            lb = m["name_b"].str.len().to_numpy(dtype=float, na_value=0)
            need &= (np.abs(la - lb) <= 2) & (np.minimum(la, lb) >= 4)
            idx = np.flatnonzero(need)
            no_shared.iloc[idx] = ~names_close(m["name_a"].iloc[idx], m["name_b"].iloc[idx], contained=False)
        # one agency listing two NIKs born the same day in the same kecamatan: two people (twins)
        same_12 = nik_diff & same_nik_code & (m["name_a"] != m["name_b"]).fillna(True)
        sex_diff = m["sex_a"].notna() & m["sex_b"].notna() & (m["sex_a"] != m["sex_b"])
        same_day = m["dob_a"].notna() & (m["dob_a"] == m["dob_b"])
        ya = m["dob_year"  + "_a"].astype("Float64")
        yb = m["dob_year" + "_b"].astype("Float64")
        year_far = ((ya - yb).abs() >= 2).fillna(False)
        # birth years a generation apart, and not a one-digit typo (1981 / 1991): parent and child
        yai = ya.fillna(-1).to_numpy(dtype=float).astype(np.int64)
        ybi = yb.fillna(-1).to_numpy(dtype=float).astype(np.int64)
        both_y = (yai >= 0) & (ybi >= 0)
        ndig = pd.Series(sum(((yai // 10**k) % 10 != (ybi // 10**k) % 10).astype(int) for k in range(4)) * both_y,
                         index=m.index)
        # (not when one row's NIK codes the other row's recorded date: ANISA 1990 / ANNISA 1909 with a NIK
        # coding 1990 is one woman with a mistyped year)
        # ... and whose own recorded date is that date mistyped (a son's row carrying his father's NIK is not)
        nda, da_, ndb, db_ = (_date_chars(m[c]) for c in ("nik_dob_a", "dob_a", "nik_dob_b", "dob_b"))
        nik_dates_other = pd.Series(
            (_same_chars(nda, db_, 4) & _near_chars(nda, da_)) | (_same_chars(ndb, da_, 4) & _near_chars(ndb, db_)),
            index=m.index)
        # two digits of a year swapped (1973 / 1937, 1982 / 1928) is a typo too
        swapped = pd.Series(both_y & (yai // 100 == ybi // 100) & (yai % 10 == (ybi // 10) % 10)
                            & ((yai // 10) % 10 == ybi % 10), index=m.index)
        generation = ((((ya - yb).abs() >= 10).fillna(False) & (ndig >= 2)).astype(bool) & ~same_trusted_nik
                      & ~nik_dates_other & ~swapped.fillna(False).astype(bool))
        # recorded dates that differ while the NIKs code the same date: one recorded date is mistyped
        dob_conflict = dob_diff & ~same_nik_code
        # two NIKs that each spell out their own record's real birth date, and the dates differ: a typo in
        # one NIK would have made it disagree with its record, so these are two people born days apart
        own_dates = m["own_a"].astype(bool) & m["own_b"].astype(bool) & dob_diff & (
            m["nik15_a"].str[6:12] != m["nik15_b"].str[6:12]).fillna(False)
        # twins on one list: the same real birth date in one family (same KK, the same mother, or the same
        # desa + RT/RW) and names one vowel apart. A clerk's vowel typo on a duplicate row is much rarer
        # than twins named in rhyme (PUTRA / PUTRI), which is how Indonesian twins are usually named.
        family = ((m["kk_a"].notna() & (m["kk_a"] == m["kk_b"]))
                  | (m["mother_name_a"].notna() & (m["mother_name_a"] == m["mother_name_b"]))
                  | (m["desa_code_a"].notna() & (m["desa_code_a"] == m["desa_code_b"])
                     & (m["rt"  + "_a"] == m["rt_b"]).fillna(False) & (m["rw_a"] == m["rw_b"]).fillna(False)))
        rhyme = same_src & same_day & ~same_trusted_nik & pd.Series(_one_vowel_apart(m["name_a"], m["name_b"]),
                                                                       index=m.index)
        family = family.fillna(False)
        # ... or mothers' names written differently (SITI AMINAH / AMINAH), where the address cannot tell
        ask = np.flatnonzero((rhyme & ~family & m["mother_name_a"].notna() & m["mother_name_b"].notna()).to_numpy())
        if len(ask):
            family.iloc[ask] = names_close(m["mother_name_a"].iloc[ask], m["mother_name_b"].iloc[ask])
        twins = rhyme & family
        # one person listed twice in a family: the same trusted NIK and the same real birth date
        duplicate_row = same_trusted_nik & same_day & real
        bad = ((nik_diff & beyond_typo & (dob_conflict | no_shared)) | own_dates | twins
               | (same_kk & ~duplicate_row & (no_shared | (year_far & ~swapped & ~nik_dates_other)
                                              | (nik_diff & beyond_typo) | sex_diff))
               | (same_src & (same_12 | (same_day & sex_diff & ~same_trusted_nik))) | generation)
        out.append(m.loc[bad.fillna(False).to_numpy(), ["node_a", "node_b"]].to_numpy())
    if scored is not None and len(scored):
        sc = scored[comp[scored["l"].to_numpy()] == comp[scored["r"].to_numpy()]]
        if len(sc):
            ok = recs["nik_consistent"].astype(bool)
            t15 = recs["nik15"].where(ok).to_numpy()
            t16 = recs["nik"].where(ok).to_numpy()
            li, ri = sc["l"].to_numpy(), sc["r"].to_numpy()
            diff = (pd.notna(t15[li]) & pd.notna(t15[ri]) & (t15[li] != t15[ri])) | (
                pd.notna(t16[li]) & pd.notna(t16[ri]) & (t16[li] != t16[ri]))
            diff = diff & _differ_beyond_typo(pd.Series(t15[li], dtype=object), pd.Series(t15[ri], dtype=object))
            g = sc["name_gamma"].to_numpy()
            weak = (g >= 0) & (g <= 2)
            # names no closer than "share a token": two people, unless the NIKs agree *and* the recorded
            # birth dates agree (a NIK copied onto a family member's row agrees, but its date does not)
            dob = recs["dob"].to_numpy()
            ph = recs["dob_placeholder"].to_numpy(dtype=bool)
            da, db = dob[li], dob[ri]
            dob_same = pd.notna(da) & pd.notna(db) & (da == db) & ~ph[li]
            confirmed = sc["nik_same"].to_numpy(dtype=bool) & dob_same
            # two trusted NIKs that differ only in the serial, with names that are neither the same nor
            # the same by sound: twins or two babies of one day in one kecamatan, not a serial typo (with
            # names alike, the model's score decides)
            f16 = t16
            same12 = pd.notna(f16[li]) & pd.notna(f16[ri]) & (f16[li] != f16[ri]) & (
                pd.Series(f16[li]).str[:12].to_numpy() == pd.Series(f16[ri]).str[:12].to_numpy())
            not_same_name = ~sc["name_alike"].to_numpy(dtype=bool) if "name_alike" in sc else False
            # one NIK that agrees with both records' birth dates is strong evidence of its own: with
            # loosely related names (a call name, a damaged name) the model's score decides
            same_trusted = pd.notna(f16[li]) & (f16[li] == f16[ri])
            pick = (diff & weak) | (weak & ~confirmed & ~same_trusted) | (same12 & not_same_name)
            out.append(np.column_stack([sc["l"].to_numpy()[pick], sc["r"].to_numpy()[pick]]))
    if not out:
        return pd.DataFrame({"a": [], "b": []}, dtype=np.int64)
    arr = np.concatenate(out).astype(np.int64)
    arr = np.column_stack([arr.min(axis=1), arr.max(axis=1)])
    return pd.DataFrame(arr, columns=["a", "b"]).drop_duplicates()


def _agglomerate(nodes: list[int], el: list[int], er: list[int], ep: list[float], threshold: float,
                 cannot: list[tuple[int, int]], min_avg: float = 0.5) -> dict[int, int]:
    """Constrained average-linkage merge inside one component. Returns node -> representative.

    ``el, er, ep``: every scored pair inside the component (any probability), sorted by descending
    probability. ``cannot``: pairs that must not end up together.
    """
    parent = {x: x for x in nodes}
    members: dict[int, list[int]] = {x: [x] for x in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # cross evidence between current clusters: ev[a][b] = [sum of p, number of scored pairs]
    ev: dict[int, dict[int, list[float]]] = {x: {} for x in nodes}
    for a, b, p in zip(el, er, ep):
        ev[a][b] = [p, 1]
        ev[b][a] = [p, 1]
    bad: dict[int, set[int]] = {}
    for a, b in cannot:
        bad.setdefault(a, set()).add(b)
        bad.setdefault(b, set()).add(a)
    for a, b, p in zip(el, er, ep):
        if p < threshold:
            break
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ba, bb = bad.get(ra), bad.get(rb)
        if (ba and not ba.isdisjoint(members[rb])) or (bb and not bb.isdisjoint(members[ra])):
            continue
        s, c = ev[ra].get(rb, (0.0, 0))
        if c == 0 or s / c < min_avg:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra].extend(members.pop(rb))
        if bb:
            bad.setdefault(ra, set()).update(bb)
        for other, (s2, c2) in ev.pop(rb).items():
            if other == ra:
                continue
            cur = ev[ra].setdefault(other, [0.0, 0])
            cur[0] += s2
            cur[1] += c2
            back = ev[other]
            back.pop(rb, None)
            back[ra] = [cur[0], cur[1]]
        ev[ra].pop(rb, None)
    return {x: find(x) for x in nodes}


def person_clusters(records: pd.DataFrame, pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Cluster records into persons.

    ``records``: one row per record, positional node ids 0..n-1 in column ``node`` and the model columns.
    ``pairs``: scored pairs with node columns ``l``, ``r``, probability ``p`` (any threshold) and
    ``name_gamma`` (the name comparison level).
    Returns ``records`` with ``person_node`` (representative node) and ``person_confidence``.
    """
    n = len(records)
    strong = pairs[pairs["p"] >= threshold]
    comp = components(n, strong["l"].to_numpy(), strong["r"].to_numpy())
    rep = comp.copy()
    recs = records.set_index("node")
    cannot = cannot_link(recs, comp, pairs)
    # components to rebuild: those with a conflict, or with a weak scored pair inside
    cl = pairs["l"].to_numpy()
    cr = pairs["r"].to_numpy()
    inner = comp[cl] == comp[cr]
    weak_inner = inner & (pairs["p"].to_numpy() < threshold)
    size = np.bincount(comp)
    suspicious = set(comp[cannot["a"].to_numpy()]) | set(comp[cl[weak_inner]])
    suspicious |= set(np.flatnonzero(size > 12))
    if suspicious:
        sus = np.array(sorted(suspicious), dtype=np.int64)
        in_sus = np.isin(comp, sus)
        sel = inner & in_sus[cl]
        ec = comp[cl[sel]]
        ep = pairs["p"].to_numpy(dtype=float)[sel]
        order = np.lexsort((-ep, ec))
        ec, el_, er_, ep = ec[order], cl[sel][order], cr[sel][order], ep[order]
        ca = cannot["a"].to_numpy(np.int64)
        cb = cannot["b"].to_numpy(np.int64)
        cc = comp[ca]
        co = np.argsort(cc, kind="stable")
        cc, ca, cb = cc[co], ca[co], cb[co]
        nodes_all = np.flatnonzero(in_sus)
        nc = comp[nodes_all]
        no = np.argsort(nc, kind="stable")
        nodes_all, nc = nodes_all[no], nc[no]
        for c in sus:
            n0, n1 = np.searchsorted(nc, [c, c + 1])
            e0, e1 = np.searchsorted(ec, [c, c + 1])
            c0, c1 = np.searchsorted(cc, [c, c + 1])
            mapping = _agglomerate(nodes_all[n0:n1].tolist(), el_[e0:e1].tolist(), er_[e0:e1].tolist(),
                                   ep[e0:e1].tolist(), threshold, list(zip(ca[c0:c1].tolist(), cb[c0:c1].tolist())),
                                   min_avg=threshold)
            for node, r in mapping.items():
                rep[node] = r + n  # representatives of rebuilt clusters live above n
    # make representatives compact and deterministic (smallest member node)
    rep_series = pd.Series(np.arange(n)).groupby(rep).transform("min").to_numpy()
    out = records.copy()
    out["person_node"] = rep_series
    out["person_confidence"] = confidence(n, rep_series, pairs)
    return out


def confidence(n: int, rep: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """(strongest tie inside the cluster, 1 for singletons) x (1 - strongest tie outside)."""
    if len(pairs) == 0:
        return np.ones(n)
    l_ = pairs["l"].to_numpy()
    r_ = pairs["r"].to_numpy()
    p = pairs["p"].to_numpy(dtype=float)
    same = rep[l_] == rep[r_]
    best_in = np.zeros(n)
    best_out = np.zeros(n)
    np.maximum.at(best_in, l_[same], p[same])
    np.maximum.at(best_in, r_[same], p[same])
    np.maximum.at(best_out, l_[~same], p[~same])
    np.maximum.at(best_out, r_[~same], p[~same])
    size = np.bincount(rep, minlength=n)[rep]
    best_in = np.where(size <= 1, 1.0, best_in)
    return np.round(best_in * (1.0 - best_out), 6)
