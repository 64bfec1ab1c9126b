"""Person clusters an update takes over from the previous run.

A component of the pair graph that was one person in the previous run, and is again, keeps its person
without being checked again.

Person clustering (:func:`linkmiskin.clustering.persons.person_clusters`) decides inside each connected
component of the pairs at or above the threshold. A component is one person, with nothing to decide, when
it is a single record, or when every scored pair inside it is at or above the threshold, it has at most
:data:`~linkmiskin.clustering.persons.MAX_PLAIN_COMPONENT` records and no cannot-link rule fires on a pair
of its records. The rules read only the records' cannot-link columns (with on how many lists each NIK is
written) and which pairs inside were scored with which level flags, not the probabilities. So a component
of an update that has the records, cannot-link columns and scored pairs of a component of the previous
run (:func:`unchanged_component`, compared by :func:`component_signatures`) and whose every pair is at or
above both runs' thresholds (an update chooses its threshold again, and the term frequencies move the
probabilities a little) in both runs (:func:`clear_of_both_thresholds`) is one person in both: it is
taken over, and only the other components are checked by the cannot-link rules and rebuilt. The persons
are those a full clustering gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS, _SCORED_COLUMNS
from linkmiskin.clustering.persons import components

__all__ = ["PersonState", "KeptComponents", "component_signatures", "unchanged_component",
           "clear_of_both_thresholds", "kept_components", "person_state", "record_keys"]


@dataclass
class PersonState:
    """What the next update takes over from a run's person clustering, per record (node order): its key
    (source and record id), its component's signature and lowest inner pair probability
    (:func:`component_signatures`), its person (representative node); and the run's cannot-link pairs
    (``a, b, rule`` in nodes) and threshold."""

    keys: pd.Index
    signature: np.ndarray
    lowest: np.ndarray
    person: np.ndarray
    cannot: pd.DataFrame
    threshold: float


@dataclass
class KeptComponents:
    """The components an update takes over: per node its previous person (a number shared by the records of
    one person; -1 outside the kept components) and their cannot-link pairs (``a, b, rule`` in this run's
    nodes; none for components that are one person)."""

    person: np.ndarray
    cannot: pd.DataFrame

    @property
    def n_records(self) -> int:
        return int((self.person >= 0).sum())


def _hash_frame(cols: dict) -> np.ndarray:
    return pd.util.hash_pandas_object(pd.DataFrame(cols), index=False).to_numpy(dtype=np.uint64)


def record_keys(table: pd.DataFrame) -> pd.Index:
    """Each record's key (source and record id), as one text."""
    return pd.Index(table["source"].astype(str).to_numpy(dtype=object) + "\x1f"
                    + table["record_id"].astype(str).to_numpy(dtype=object))


def component_signatures(recs: pd.DataFrame, keys: pd.Index, pairs: pd.DataFrame, threshold: float,
                         off: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per record (``recs`` by node, with the cannot-link columns), a 64-bit signature of its component of
    the pairs at or above ``threshold``: its records' keys and cannot-link columns, its inner scored pairs
    (by their records' keys, with the level flags) and the rules switched off, in no order; and the lowest
    probability of a scored pair inside the component (1 for a single record)."""
    n = len(recs)
    if not n:
        return np.zeros(0, dtype=np.uint64), np.ones(0)
    l_, r_ = pairs["l"].to_numpy(np.int64), pairs["r"].to_numpy(np.int64)
    p = pairs["p"].to_numpy(dtype=float)
    strong = p >= threshold
    comp = components(n, l_[strong], r_[strong])
    key = _hash_frame({"key": keys.to_numpy(dtype=object)})
    cols = {c: recs[c].to_numpy() for c in _RECORD_COLUMNS if c in recs}
    rec = _hash_frame({"key": key, **cols})
    sig = np.zeros(int(comp.max()) + 1, dtype=np.uint64)
    np.add.at(sig, comp, rec)
    inner = comp[l_] == comp[r_]
    kl, kr = key[l_[inner]], key[r_[inner]]
    flags = {c: pairs[c].to_numpy()[inner] for c in _SCORED_COLUMNS if c in pairs}
    pair = _hash_frame({"a": np.minimum(kl, kr), "b": np.maximum(kl, kr), **flags})
    np.add.at(sig, comp[l_[inner]], pair)
    salt = int(hashlib.sha256(",".join(sorted(off)).encode()).hexdigest()[:15], 16)
    size = np.bincount(comp)
    low = np.ones(len(sig))
    np.minimum.at(low, comp[l_[inner]], p[inner])
    return _hash_frame({"sig": sig, "size": size, "salt": np.full(len(sig), salt, dtype=np.int64)})[comp], low[comp]


def unchanged_component(signature: np.ndarray, prev_signature: np.ndarray) -> np.ndarray:
    """A record whose component's signature is that of its component in the previous run (-1: a new record)
    is in the previous component: the same records, cannot-link columns, scored pairs and rules."""
    return (prev_signature >= 0) & (signature == prev_signature)


def clear_of_both_thresholds(lowest: np.ndarray, lowest_before: np.ndarray, size: np.ndarray,
                             conflict: np.ndarray, thresholds: tuple[float, float]) -> np.ndarray:
    """Per unchanged component: one person in both runs, with nothing to decide, when it is one record, or
    when its lowest inner pair probability now and before (``lowest``, ``lowest_before``) is at or above
    both thresholds, it has at most :data:`~linkmiskin.clustering.persons.MAX_PLAIN_COMPONENT` records and
    no cannot-link ``conflict`` (the rules fired on none of its pairs).

    >>> clear_of_both_thresholds(np.array([1.0, 0.9, 0.6, 0.9, 0.9]), np.array([1.0, 0.8, 0.9, 0.9, 0.6]),
    ...                          np.array([1, 3, 3, 3, 3]), np.array([False, False, False, True, False]),
    ...                          (0.5, 0.7)).tolist()
    [True, True, False, False, False]
    """
    from linkmiskin.clustering.persons import MAX_PLAIN_COMPONENT

    clear = (np.minimum(lowest, lowest_before) >= max(thresholds)) & (size <= MAX_PLAIN_COMPONENT) & ~conflict
    return (size == 1) | clear


def kept_components(prev: PersonState | None, keys: pd.Index, signature: np.ndarray, lowest: np.ndarray,
                    threshold: float) -> KeptComponents | None:
    """The components of this run that :func:`unchanged_component` finds in ``prev`` and that are one
    person in both runs (:func:`clear_of_both_thresholds`), with their previous persons (None without a
    previous state)."""
    if prev is None or not len(keys):
        return None
    at = prev.keys.get_indexer(keys)
    old = np.maximum(at, 0)
    before = np.where(at >= 0, prev.signature.view(np.int64)[old], -1)
    same = unchanged_component(signature.view(np.int64), before)
    comp_codes, _ = pd.factorize(signature)
    n_comp = int(comp_codes.max()) + 1
    bad = np.zeros(n_comp, dtype=bool)
    bad[comp_codes[~same]] = True   # (equal signatures: then every record of the component is the same)
    conflict = np.zeros(n_comp, dtype=bool)
    c = prev.cannot
    if len(c):
        new_of_prev = np.full(len(prev.keys), -1, dtype=np.int64)
        new_of_prev[at[same]] = np.flatnonzero(same)
        a = new_of_prev[c["a"].to_numpy(np.int64)]
        conflict[comp_codes[a[a >= 0]]] = True
    low, low_before = np.ones(n_comp), np.ones(n_comp)
    np.minimum.at(low, comp_codes, lowest)
    np.minimum.at(low_before, comp_codes, np.where(same, prev.lowest[old], 0.0))
    bad |= ~clear_of_both_thresholds(low, low_before, np.bincount(comp_codes, minlength=n_comp), conflict,
                                     (float(threshold), float(prev.threshold)))
    keep = ~bad[comp_codes]
    person = np.where(keep, prev.person[old], -1)
    return KeptComponents(person, pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64),
                                                "rule": np.zeros(0, dtype=object)}))


def person_state(keys: pd.Index, signature: np.ndarray, lowest: np.ndarray, persons: pd.DataFrame,
                 threshold: float) -> PersonState:
    """The :class:`PersonState` of a run from its person clusters (``person_node`` and the cannot-link pairs
    in ``attrs``)."""
    return PersonState(keys, signature, lowest, persons["person_node"].to_numpy(np.int64),
                       persons.attrs["cannot_link"][["a", "b", "rule"]].reset_index(drop=True), float(threshold))
