"""Household clusters from all the evidence.

A household is built in steps, strongest evidence first:

1. **Units.** Inside one source, records that share a valid KK number form a unit. A record without a KK
   is a unit of its own.
2. **Same KK across sources.** Units of different sources with the same valid KK number are one household
   (a KK is strong evidence of co-residence at the date it was printed).
3. **Shared people.** Two units that hold the same *person* (from the person clusters) are joined when
   that is consistent with a household: when they share two or more people (a family that moved and got a
   new KK), or when one unit is only that person (a head-only list such as BLT-DD, or a list without KK).
   A unit of several people that shares a single person with another unit of several people is *not*
   joined: that is a married child who left to form a new KK (pecah KK), or a person counted in two homes.
4. **Mother's name.** A child on a list without KK (posyandu) whose unit is still alone joins the
   household of the one woman in the same desa (and RT/RW when known) whose canonical name is the
   child's mother's name; if several women qualify, the child stays alone.
5. Anything else is a household of its own.

``household_confidence`` of a record: 1.0 when it shares a KK with another member inside its source; the
record's person confidence when it joined through a shared person or a KK in another source; the person
confidence times the mother-name evidence share (1 / number of candidate mothers) for a mother link; and for
a record alone in its household, its person confidence (how sure we are that it has no other record).
``household_evidence`` says which rule attached the record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clustering import components


def household_clusters(std: pd.DataFrame, persons: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Return one row per record (same order as ``std``) with ``household_node``, ``household_confidence``
    and ``household_evidence``."""
    n = len(std)
    src = std["source"].astype(str).to_numpy()
    kk_ok = std["kk_status"].astype(str).isin(["valid", "unknown_region"]).to_numpy()
    kk = np.where(kk_ok, std["kk"].astype(object).to_numpy(), None)
    person = persons["person_node"].to_numpy()
    pconf = persons["person_confidence"].to_numpy(dtype=float)

    # 1. units -----------------------------------------------------------------------------------------
    unit_key = np.where(kk_ok, pd.Series(src).str.cat(pd.Series(kk).astype(str), sep="|kk|").to_numpy(),
                        pd.Series(np.arange(n)).astype(str).radd("rec|").to_numpy())
    unit, unit_keys = pd.factorize(unit_key)
    n_units = len(unit_keys)
    unit_size = np.bincount(unit, minlength=n_units)
    # persons per unit
    up = pd.DataFrame({"unit": unit, "person": person}).drop_duplicates()
    unit_persons = up.groupby("unit")["person"].nunique().reindex(range(n_units), fill_value=0).to_numpy()

    edges_l: list[np.ndarray] = []
    edges_r: list[np.ndarray] = []
    evidence = np.array(["alone"] * n, dtype=object)
    conf = pconf.copy()
    shares_kk_in_source = unit_size[unit] > 1
    evidence[shares_kk_in_source] = "same KK in source"

    # 2. same KK across sources ---------------------------------------------------------------------------
    kdf = pd.DataFrame({"unit": unit, "kk": kk})[kk_ok].drop_duplicates()
    first_unit = kdf.groupby("kk")["unit"].transform("first").to_numpy()
    edges_l.append(kdf["unit"].to_numpy())
    edges_r.append(first_unit)

    # 3. shared persons ---------------------------------------------------------------------------------
    # for each person, the units it appears in; join unit pairs where allowed
    pu = up.merge(up, on="person", suffixes=("_a", "_b"))
    pu = pu[pu["unit_a"] < pu["unit_b"]]
    if len(pu):
        shared = pu.groupby(["unit_a", "unit_b"]).size().rename("shared").reset_index()
        a_small = unit_persons[shared["unit_a"].to_numpy()] <= 1
        b_small = unit_persons[shared["unit_b"].to_numpy()] <= 1
        ok = (shared["shared"].to_numpy() >= 2) | a_small | b_small
        edges_l.append(shared["unit_a"].to_numpy()[ok])
        edges_r.append(shared["unit_b"].to_numpy()[ok])

    L = np.concatenate(edges_l) if edges_l else np.zeros(0, dtype=np.int64)
    R = np.concatenate(edges_r) if edges_r else np.zeros(0, dtype=np.int64)
    hh_unit = components(n_units, L.astype(np.int64), R.astype(np.int64))
    hh = hh_unit[unit]

    # 4. mother's name for children still alone ---------------------------------------------------------
    hsize = np.bincount(hh, minlength=hh.max() + 1 if n else 1)
    alone = hsize[hh] == 1
    mother = std.get("mother_name")
    if mother is not None:
        child = alone & mother.notna().to_numpy()
        if child.any():
            women = pd.DataFrame({
                "name": std["name"].to_numpy(), "desa": std["desa_code"].to_numpy(),
                "rt": pd.array(std["rt"], dtype="Int64"), "rw": pd.array(std["rw"], dtype="Int64"),
                "sex": std["sex"].where(std["sex"].notna(), std.get("nik_sex")).to_numpy(),
                "hh": hh, "idx": np.arange(n)})
            women = women[(women["sex"] != "L") & women["name"].notna() & women["desa"].notna()]
            kids = pd.DataFrame({"name": std["mother_name"].to_numpy(), "desa": std["desa_code"].to_numpy(),
                                 "rt": pd.array(std["rt"], dtype="Int64"), "rw": pd.array(std["rw"], dtype="Int64"),
                                 "kid": np.arange(n)})[child]
            kids = kids[kids["desa"].notna()]
            m = kids.merge(women, on=["name", "desa"], suffixes=("", "_w"))
            rt_ok = (m["rt"].isna() | m["rt_w"].isna() | (m["rt"] == m["rt_w"])) & \
                    (m["rw"].isna() | m["rw_w"].isna() | (m["rw"] == m["rw_w"]))
            m = m[rt_ok.fillna(True).to_numpy()]
            m = m[m["idx"] != m["kid"]]
            cand = m.groupby("kid")["hh"].nunique()
            unique_kids = cand.index[cand == 1]
            target = m[m["kid"].isin(unique_kids)].groupby("kid")["hh"].first()
            for kid, h in target.items():
                hh[kid] = h
                evidence[kid] = "mother's name and address"
                conf[kid] = pconf[kid]
            amb = cand.index[cand > 1]
            if len(amb):
                conf[amb.to_numpy()] = pconf[amb.to_numpy()] / cand[amb].to_numpy()
    # evidence labels for records that joined through other sources
    hsize = np.bincount(hh, minlength=hh.max() + 1 if n else 1)
    joined = (hsize[hh] > unit_size[unit]) & (evidence == "alone")
    evidence[joined] = "same person or KK in another list"
    conf[shares_kk_in_source] = 1.0
    return pd.DataFrame({"household_node": hh.astype(np.int64), "household_confidence": np.round(conf, 6),
                         "household_evidence": evidence})
