"""Cannot-link pairs an update takes over from the previous run.

Person clustering (:func:`linkmiskin.clustering.persons.person_clusters`) checks the cannot-link rules
(:mod:`linkmiskin.clustering.cannot_link`) on the record pairs inside each connected component of the pairs
at or above the threshold, which is most of its time, and then rebuilds the components with a conflict or
a weak pair by agglomeration. The rules read only the records' cannot-link columns (with on how many lists
each NIK is written, counted over all records), which pairs inside the component were scored with which
level flags, and which rules are on; not the match probabilities, and not the order of the two records
(each rule reads a pair both ways). So a component of an update whose records, cannot-link columns and
inner scored pairs are those of a component of the previous run, with the same rules on
(:func:`unchanged_component`, compared by :func:`component_signatures`), has the previous run's
cannot-link pairs: they are taken over and only the other components are checked. The components are then
clustered as in a fresh run (with this run's threshold and probabilities), so the persons are those a full
clustering gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS, _SCORED_COLUMNS
from linkmiskin.clustering.persons import AMBIGUOUS_RULE, components

__all__ = ["PersonState", "KeptComponents", "component_signatures", "unchanged_component", "kept_components",
           "person_state", "record_keys", "save_person_state", "load_person_state", "PERSON_STATE_FILE",
           "CANNOT_LINK_FILE"]


@dataclass
class PersonState:
    """What the next update takes over from a run's person clustering: per record (node order) its key
    (source and record id) and its component's signature (:func:`component_signatures`), and the run's
    cannot-link pairs (``a, b, rule`` in nodes)."""

    keys: pd.Index
    signature: np.ndarray
    cannot: pd.DataFrame


@dataclass
class KeptComponents:
    """The components whose cannot-link pairs an update takes over: per node whether it is in one
    (``taken``), and their cannot-link pairs (``a, b, rule`` in this run's nodes, ``a < b``)."""

    taken: np.ndarray
    cannot: pd.DataFrame

    @property
    def n_records(self) -> int:
        return int(self.taken.sum())


def _hash_frame(cols: dict) -> np.ndarray:
    return pd.util.hash_pandas_object(pd.DataFrame(cols, copy=False), index=False).to_numpy(dtype=np.uint64)


def record_keys(table: pd.DataFrame) -> pd.Index:
    """Each record's key (source and record id), as one text."""
    return pd.Index(table["source"].astype(str).to_numpy(dtype=object) + "\x1f"
                    + table["record_id"].astype(str).to_numpy(dtype=object))


def component_signatures(recs: pd.DataFrame, keys: pd.Index, pairs: pd.DataFrame, threshold: float,
                         off: tuple[str, ...]) -> np.ndarray:
    """Per record (``recs`` by node, with the cannot-link columns), a 64-bit signature of its component of
    the pairs at or above ``threshold``: its records' keys and cannot-link columns, its inner scored pairs
    (by their records' keys, either way round, with the level flags) and the rules switched off."""
    n = len(recs)
    if not n:
        return np.zeros(0, dtype=np.uint64)
    l_, r_ = pairs["l"].to_numpy(np.int64), pairs["r"].to_numpy(np.int64)
    strong = pairs["p"].to_numpy(dtype=float) >= threshold
    comp = components(n, l_[strong], r_[strong])
    key = _hash_frame({"key": keys.to_numpy(dtype=object)})
    cols = {c: recs[c].to_numpy() for c in _RECORD_COLUMNS if c in recs}
    sig = np.zeros(int(comp.max()) + 1, dtype=np.uint64)
    np.add.at(sig, comp, _hash_frame({"key": key, **cols}))
    inner = comp[l_] == comp[r_]
    kl, kr = key[l_[inner]], key[r_[inner]]
    flags = {c: pairs[c].to_numpy()[inner] for c in _SCORED_COLUMNS if c in pairs}
    np.add.at(sig, comp[l_[inner]], _hash_frame({"a": np.minimum(kl, kr), "b": np.maximum(kl, kr), **flags}))
    salt = int(hashlib.sha256(",".join(sorted(off)).encode()).hexdigest()[:15], 16)
    size = np.bincount(comp)
    return _hash_frame({"sig": sig, "size": size, "salt": np.full(len(sig), salt, dtype=np.int64)})[comp]


def unchanged_component(signature: np.ndarray, prev_signature: np.ndarray, was_there: np.ndarray) -> np.ndarray:
    """A record that was there before (``was_there``) and whose component's signature is that of its
    component in the previous run is in the previous component: the same records, cannot-link columns,
    scored pairs and rules.

    >>> unchanged_component(np.array([5, 5, 7]), np.array([5, 5, 8]), np.array([True, False, True])).tolist()
    [True, False, False]
    """
    return was_there & (signature == prev_signature)


def kept_components(prev: PersonState | None, keys: pd.Index, signature: np.ndarray) -> KeptComponents | None:
    """The components of this run that :func:`unchanged_component` finds in ``prev``, with their previous
    cannot-link pairs in this run's nodes (the pairs that the rules kept apart, not those that
    agglomeration held apart, which is done again); None without a previous state."""
    if prev is None or not len(keys):
        return None
    at = prev.keys.get_indexer(keys)
    same = unchanged_component(signature, prev.signature[np.maximum(at, 0)], at >= 0)
    codes, _ = pd.factorize(signature)
    bad = np.zeros(int(codes.max()) + 1, dtype=bool)
    bad[codes[~same]] = True   # (equal signatures: every record of the component is the same)
    taken = ~bad[codes]
    new_of_prev = np.full(len(prev.keys), -1, dtype=np.int64)
    new_of_prev[at[taken]] = np.flatnonzero(taken)
    c = prev.cannot[prev.cannot["rule"].to_numpy(dtype=object) != AMBIGUOUS_RULE]
    a, b = new_of_prev[c["a"].to_numpy(np.int64)], new_of_prev[c["b"].to_numpy(np.int64)]
    inside = (a >= 0) & (b >= 0)
    a, b = a[inside], b[inside]
    cannot = pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b),
                           "rule": c["rule"].to_numpy(dtype=object)[inside]})
    return KeptComponents(taken, cannot)


def person_state(keys: pd.Index, signature: np.ndarray, persons: pd.DataFrame) -> PersonState:
    """The :class:`PersonState` of a run from its person clusters (the cannot-link pairs in ``attrs``)."""
    return PersonState(keys, signature, persons.attrs["cannot_link"][["a", "b", "rule"]].reset_index(drop=True))


#: the files of a run's :class:`PersonState` a saved folder holds for the next update (parquet)
PERSON_STATE_FILE = "person_state.parquet"
CANNOT_LINK_FILE = "person_cannot_link.parquet"
#: version of the saved person state (another version of it, or of the library: not read)
PERSON_STATE_FORMAT = 1


def person_state_options() -> dict:
    """What a saved person state holds for: its format and the library version (the cannot-link rules and
    the signatures are the library's code)."""
    from linkmiskin import __version__

    return {"format": PERSON_STATE_FORMAT, "version": __version__}


def save_person_state(state: PersonState | None, directory: Path) -> dict | None:
    """Write ``state`` next to a saved result; returns what :func:`load_person_state` needs (None: none)."""
    if state is None or len(state.keys) != len(state.signature):
        return None
    pd.DataFrame({"key": state.keys.to_numpy(dtype=object),
                  "signature": np.asarray(state.signature, dtype=np.uint64).view(np.int64)}).to_parquet(
        directory / PERSON_STATE_FILE, index=False)
    c = state.cannot
    pd.DataFrame({"a": c["a"].to_numpy(np.int64), "b": c["b"].to_numpy(np.int64),
                  "rule": c["rule"].astype(str).to_numpy(dtype=object)}).to_parquet(
        directory / CANNOT_LINK_FILE, index=False)
    return {**person_state_options(), "files": [PERSON_STATE_FILE, CANNOT_LINK_FILE]}


def load_person_state(directory: Path, entry: dict | None) -> PersonState | None:
    """The :class:`PersonState` :func:`save_person_state` wrote; None when the folder holds none or holds
    one of another format or library version (the update then checks every component's pairs)."""
    if not entry or {k: entry.get(k) for k in person_state_options()} != person_state_options():
        return None
    p, c = directory / PERSON_STATE_FILE, directory / CANNOT_LINK_FILE
    if not p.is_file() or not c.is_file():
        return None
    nodes, cannot = pd.read_parquet(p), pd.read_parquet(c)
    if not {"key", "signature"} <= set(nodes.columns) or not {"a", "b", "rule"} <= set(cannot.columns):
        return None
    return PersonState(pd.Index(nodes["key"].to_numpy(dtype=object)),
                       nodes["signature"].to_numpy(dtype=np.int64).view(np.uint64),
                       cannot[["a", "b", "rule"]].astype({"rule": object}).reset_index(drop=True))
