"""Person and household clusters that resist chaining.

Persons
-------
Connected components of the pairs scored at or above the threshold are only the first step: one wrong pair
would chain two people (and then thousands) together. Every component that holds a cannot-link pair, a
scored pair below the threshold, or more than 12 records is rebuilt by **constrained average-linkage
agglomeration**:

* pairs are merged strongest first;
* two groups are never merged when they hold a *cannot-link* pair: a pair on which one of the named
  rules of :mod:`linkmiskin.clustering.cannot_link` fires (two different trusted NIKs with different dates, two
  members of one KK, twins named in rhyme, a father and a son a generation apart, ...);

* two groups are only merged when the average match probability of all their *scored* cross pairs is at
  least the threshold, so a weak bridge between two dense groups is cut;
* a group that is as close to two groups kept apart as to each other (a BLT-DD row ``USMAN`` with only a
  name and an RT, beside a father and a son both called USMAN) joins neither: the evidence cannot say
  which person it is, and a guess would merge it with the wrong one half of the time
  (:func:`equally_close_to_two_kept_apart`; the rule is recorded in ``kept_apart_by``).

Households are built in :mod:`linkmiskin.clustering.households`.

Confidence
----------
``person_confidence`` of a record = (its strongest match probability to another record of its cluster, 1 for
a singleton) x (1 - its strongest match probability to a record *outside* its cluster). It is high when the
record is firmly attached to its cluster and nothing outside competes for it, and it falls as either
weakens. ``household_confidence`` is described in :mod:`linkmiskin.clustering.households`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS, cannot_link
from linkmiskin.facts import UnionFind


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


#: a component of more records than this is rebuilt by agglomeration even without a conflict
MAX_PLAIN_COMPONENT = 12
#: a rival group within this many bits of match weight (log2 odds) is as close (measured on world A: a margin
#: of one bit held apart more records that the evidence placed rightly than wrongly)
AMBIGUITY_MARGIN_BITS = 0.1
#: ... and only where the group's tie to the target is itself short of this (10 bits): a group tied that firmly
#: to two groups kept apart points at the cannot-link rule's doubt, not at its own
AMBIGUITY_MAX_P = 0.999
#: the rule name recorded on the pairs and records that :func:`equally_close_to_two_kept_apart` held apart
AMBIGUOUS_RULE = "equally_close_to_two_kept_apart"


def _bits(p: float) -> float:
    """Match weight (log2 odds) of a probability, finite at 0 and 1."""
    q = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log2(q / (1 - q)))


def equally_close_to_two_kept_apart(to_target: float, to_rival: float, threshold: float,
                                    margin_bits: float = AMBIGUITY_MARGIN_BITS) -> bool:
    """A group only modestly tied to the target (below ``AMBIGUITY_MAX_P``) whose average match probability
    to a rival group kept apart from the target is above the threshold and within ``margin_bits`` of its
    match weight to the target joins neither: it cannot be told which person it is.

    >>> equally_close_to_two_kept_apart(0.97, 0.97, 0.5), equally_close_to_two_kept_apart(0.99, 0.6, 0.5)
    (True, False)
    """
    return (to_target < AMBIGUITY_MAX_P and to_rival >= threshold
            and _bits(to_rival) >= _bits(to_target) - margin_bits)


def _rival(group: int, target: int, ev: dict[int, dict[int, list[float]]], bad: dict[int, set[int]],
           members: dict[int, list[int]], threshold: float) -> int | None:
    """A group kept apart from ``target`` to which ``group`` is as close as to ``target`` (None if none)."""
    s, c = ev[group].get(target, (0.0, 0))
    to_target = s / c if c else 0.0
    kept = bad.get(target, set())
    for other, (s2, c2) in ev[group].items():
        if other == target or not c2:
            continue
        apart = not kept.isdisjoint(members[other]) or not bad.get(other, set()).isdisjoint(members[target])
        if apart and equally_close_to_two_kept_apart(to_target, s2 / c2, threshold):
            return other
    return None


def _agglomerate(nodes: list[int], el: list[int], er: list[int], ep: list[float], threshold: float,
                 cannot: list[tuple[int, int]], min_avg: float = 0.5,
                 held: list[tuple[int, int]] | None = None) -> dict[int, int]:
    """Constrained average-linkage merge inside one component. Returns node -> representative.

    ``el, er, ep``: every scored pair inside the component (any probability), sorted by descending
    probability. ``cannot``: pairs that must not end up together. ``held`` (if given) receives the scored
    pairs ``(a, b)`` whose groups :func:`equally_close_to_two_kept_apart` held apart.
    """
    uf = UnionFind(nodes)
    frozen: set[int] = set()
    find = uf.find
    members: dict[int, list[int]] = {x: [x] for x in nodes}
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
        if ra in frozen or rb in frozen:
            continue
        # the smaller group first: is it as close to a group kept apart from the larger one (or vice versa)?
        torn = next((g for g, t in ((rb, ra), (ra, rb)) if _rival(g, t, ev, bad, members, min_avg) is not None),
                    None)
        if torn is not None:
            frozen.add(torn)
            if held is not None:
                held.append((a, b))
            continue
        uf.union(ra, rb)
        members[ra].extend(members.pop(rb))
        absorbed = bad.pop(rb, None)   # the absorbed cluster's cannot-link partners (after the swap above)
        if absorbed:
            bad.setdefault(ra, set()).update(absorbed)
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
    return dict(zip(nodes, uf.labels(nodes).tolist()))


def person_clusters(records: pd.DataFrame, pairs: pd.DataFrame, threshold: float, *,
                    cannot_link_off: tuple[str, ...] = (), kept: Any = None) -> pd.DataFrame:
    """Cluster records into persons.

    ``records``: one row per record, positional node ids 0..n-1 in column ``node`` and the model columns.
    ``pairs``: scored pairs with node columns ``l``, ``r``, probability ``p`` (any threshold) and the
    level flags ``name_weak``, ``nik_same``, ``name_alike``. ``cannot_link_off`` names rules of
    :data:`linkmiskin.clustering.cannot_link.RULES` to switch off.
    Returns ``records`` with ``person_node`` (representative node) and ``person_confidence``; the
    cannot-link pairs found (``a, b, rule``) are in ``out.attrs["cannot_link"]``. ``kept``: the components
    whose cannot-link pairs an update takes over from the previous run
    (:class:`linkmiskin.clustering.person_reuse.KeptComponents`), not checked again here.
    """
    n = len(records)
    strong = pairs[pairs["p"] >= threshold]
    comp = components(n, strong["l"].to_numpy(), strong["r"].to_numpy())
    rep = comp.copy()
    # only the columns the cannot-link rules read: indexing the whole model table (lists, 45 columns)
    # by node would copy all of it
    recs = records[[c for c in _RECORD_COLUMNS if c in records] + ["node"]].set_index("node")
    taken = np.zeros(n, dtype=bool) if kept is None else kept.taken
    # (a kept component's records are checked as singletons: none of its pairs is inside a component)
    checked = np.where(taken, comp.max(initial=0) + 1 + np.arange(n), comp) if taken.any() else comp
    cannot = cannot_link(recs, checked, pairs, off=cannot_link_off)
    if taken.any():
        cannot = pd.concat([cannot, kept.cannot], ignore_index=True)
    # components to rebuild: those with a conflict, or with a weak scored pair inside
    cl = pairs["l"].to_numpy()
    cr = pairs["r"].to_numpy()
    inner = comp[cl] == comp[cr]
    weak_inner = inner & (pairs["p"].to_numpy() < threshold)
    size = np.bincount(comp)
    suspicious = set(comp[cannot["a"].to_numpy()]) | set(comp[cl[weak_inner]])
    suspicious |= set(np.flatnonzero(size > MAX_PLAIN_COMPONENT))
    held: list[tuple[int, int]] = []
    if suspicious:
        sus = np.array(sorted(suspicious), dtype=np.int64)
        in_sus = np.isin(comp, sus)
        sel = inner & in_sus[cl]
        ec = comp[cl[sel]]
        ep = pairs["p"].to_numpy(dtype=float)[sel]
        # ties in probability (discrete levels make many) are taken in record order, not in the pairs'
        # row order: Spark hands a component's pairs over in any order, and must give DuckDB's persons
        lo, hi = np.minimum(cl[sel], cr[sel]), np.maximum(cl[sel], cr[sel])
        order = np.lexsort((hi, lo, -ep, ec))
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
                                   min_avg=threshold, held=held)
            for node, r in mapping.items():
                rep[node] = r + n  # representatives of rebuilt clusters live above n
    # make representatives compact and deterministic (smallest member node)
    rep_series = pd.Series(np.arange(n)).groupby(rep).transform("min").to_numpy()
    out = records.copy(deep=False)  # the caller's columns are shared, not copied; two are added
    out["person_node"] = rep_series
    out["person_confidence"] = confidence(n, rep_series, pairs)
    if held:
        h = np.array(held, dtype=np.int64)
        ambiguous = pd.DataFrame({"a": h.min(axis=1), "b": h.max(axis=1), "rule": AMBIGUOUS_RULE})
        cannot = pd.concat([cannot, ambiguous], ignore_index=True).drop_duplicates(["a", "b"])
    out.attrs["cannot_link"] = cannot
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
