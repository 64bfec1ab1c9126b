"""The true population: households, persons, names, NIKs and KKs, living units and look-alikes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkmiskin.synthetic.arrays import _cat_choice, _days, _fixed, _ostr, _rank_within, _to_days, _ymd
from linkmiskin.synthetic.rates import (
    R_ANAK,
    R_CUCU,
    R_FAMILI,
    R_HEAD,
    R_ISTRI,
    R_MENANTU,
    R_MERTUA,
    R_ORTU,
    R_SUAMI,
    REFERENCE_DATE,
    DamageRates,
)
from linkmiskin.synthetic.tables import _Geo, _names, _places

# ========================================================================================== population


@dataclass
class _Pop:
    """Person arrays (index = person) and unit-state arrays (index = us).

    Unit-states: rows 0..H-1 are the old state of every household, H..2H-1 the new state, 2H.. the new
    state of households that split off.
    """

    # persons
    hh: np.ndarray
    role_a: np.ndarray
    role_b: np.ndarray
    us_a: np.ndarray
    us_b: np.ndarray
    sex: np.ndarray  # 0 L, 1 P
    birth: np.ndarray  # days since 1970 (register date)
    name: np.ndarray
    nik: np.ndarray
    nik_alt: np.ndarray  # 0 = none
    nik_kind: np.ndarray  # object
    mother: np.ndarray
    father: np.ndarray
    group: np.ndarray
    hn_group: np.ndarray  # object or None
    # unit-states
    us_label: np.ndarray  # object household id
    us_desa: np.ndarray
    us_place: np.ndarray
    us_rt: np.ndarray
    us_rw: np.ndarray
    us_blok: np.ndarray  # object ('' for kampung)
    us_no: np.ndarray
    us_kk: np.ndarray
    us_head: np.ndarray  # person index of the head
    us_decile: np.ndarray
    us_hhidx: np.ndarray  # household label index (0..H+S-1)
    # places
    place_name: np.ndarray
    place_perum: np.ndarray
    n_households: int
    moved: np.ndarray  # per original household
    split_of: np.ndarray  # per person: True if member of a split-off family


def _make_places(rng: np.random.Generator, geo: _Geo) -> tuple[np.ndarray, ...]:
    """Kampung and perumahan per desa: names, perum flag, RW range and RT count per place."""
    pl = _places()
    n_desa = len(geo.desa_code)
    n_kp = rng.integers(3, 9, n_desa)
    urban = rng.random(len(geo.kec_code)) < 0.45
    n_pr = np.where(urban[geo.desa_kec], rng.integers(1, 5, n_desa), rng.integers(0, 2, n_desa))
    total = n_kp + n_pr
    start = np.r_[0, np.cumsum(total)[:-1]]
    n_places = int(total.sum())
    desa_of = np.repeat(np.arange(n_desa), total)
    k_in = np.arange(n_places) - start[desa_of]
    is_perum = k_in >= n_kp[desa_of]
    heads = _cat_choice(rng, *pl["kampung_head"], n_places)
    tails = _cat_choice(rng, *pl["kampung_tail"], n_places)
    kname = np.where(heads == "CI", "CI" + tails, heads + " " + tails)
    pname = _cat_choice(rng, *pl["perum_head"], n_places) + " " + _cat_choice(rng, *pl["perum_tail"], n_places)
    name = np.where(is_perum, pname, kname).astype(object)
    # RW numbering inside the desa: 1-2 RW per place, consecutive
    rw_n = rng.integers(1, 3, n_places)
    rw_cum = np.cumsum(rw_n)
    desa_rw0 = np.r_[0, rw_cum[:-1]][start]  # rw count before the desa's first place
    rw_first = np.r_[0, rw_cum[:-1]] - desa_rw0[desa_of] + 1
    rt_n = rng.integers(3, 13, n_places)
    return start, n_kp, n_pr, name, is_perum, rw_first, rw_n, rt_n


def _place_households(rng: np.random.Generator, desa: np.ndarray, decile: np.ndarray, places: tuple) -> tuple:
    start, n_kp, n_pr, name, is_perum, rw_first, rw_n, rt_n = places
    n = len(desa)
    want_perum = (rng.random(n) < np.where(decile >= 6, 0.45, 0.12)) & (n_pr[desa] > 0)
    u = rng.random(n)
    idx = np.where(want_perum, start[desa] + n_kp[desa] + np.floor(u * np.maximum(n_pr[desa], 1)),
                   start[desa] + np.floor(u * n_kp[desa])).astype(np.int64)
    rw = rw_first[idx] + np.floor(rng.random(n) * rw_n[idx]).astype(np.int64)
    rt = 1 + np.floor(rng.random(n) * rt_n[idx]).astype(np.int64)
    blok_letter = np.array(list("ABCDEFGH"), dtype=object)[rng.integers(0, 8, n)]
    blok = np.where(is_perum[idx], blok_letter + _ostr(rng.integers(1, 13, n)), "").astype(object)
    no = rng.integers(1, 41, n)
    return idx, rt, rw, blok, no


def _sample_names(rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray, group: np.ndarray) -> np.ndarray:
    nm = _names()
    n = len(sex)
    era = np.digitize(birth_year, [1965, 1985, 2005])
    shape_p = np.array([[0.62, 0.36, 0.02], [0.35, 0.57, 0.08], [0.12, 0.63, 0.25], [0.03, 0.52, 0.45]])
    cum = np.cumsum(shape_p, axis=1)[era]
    ntok = 1 + (rng.random(n)[:, None] > cum).sum(axis=1)
    ntok = np.where((birth_year >= 2022) & (ntok == 1), 2, ntok)  # Permendagri 73/2022: at least 2 words
    T = len(nm.token)

    def draw(slot: int, rows: np.ndarray) -> np.ndarray:
        out = np.empty(len(rows), dtype=np.int64)
        cell = (sex[rows] * 4 + era[rows]) * 4 + group[rows]
        for c in np.unique(cell):
            m = np.flatnonzero(cell == c)
            s, rest = divmod(int(c), 16)
            e, g = divmod(rest, 4)
            out[m] = rng.choice(T, size=len(m), p=nm.prob[s, e, g, slot])
        return out

    name = np.empty(n, dtype=object)
    one = np.flatnonzero(ntok == 1)
    name[one] = nm.token[draw(0, one)]
    multi = np.flatnonzero(ntok >= 2)
    first = draw(1, multi)
    last = draw(3, multi)
    same = first == last
    if same.any():
        last[same] = draw(3, multi[same])
    name[multi] = nm.token[first] + " " + nm.token[last]
    three = np.flatnonzero(ntok[multi] == 3)
    if len(three):
        mid = draw(2, multi[three])
        ok = (mid != first[three]) & (mid != last[three])
        rows = multi[three][ok]
        name[rows] = nm.token[first[three][ok]] + " " + nm.token[mid[ok]] + " " + nm.token[last[three][ok]]
    return name


_VOWEL_SWAP = {"A": "I", "I": "A", "O": "I", "U": "I", "E": "A"}


def _rhyme(name: str) -> str:
    """Twin name: change the last vowel of the last token (RINA -> RINI, HASAN -> HASIN)."""
    for i in range(len(name) - 1, -1, -1):
        if name[i] in _VOWEL_SWAP:
            return name[:i] + _VOWEL_SWAP[name[i]] + name[i + 1:]
    return name + "A"


def _hard_negative_labels(
        desa: np.ndarray, rt: np.ndarray, rw: np.ndarray, twin_hh: np.ndarray, names_b: list[str], P: int,
        kind: np.ndarray, hh_p: np.ndarray, father: np.ndarray, ck: np.ndarray, name: np.ndarray,
        key: np.ndarray, us_label: np.ndarray, fs_son: np.ndarray,
) -> np.ndarray:
    """Hard-negative group labels: twins, father and son of one name, same name in one RT, same NIK prefix."""
    hn = np.full(P, None, dtype=object)
    # twins
    tw_hh = np.flatnonzero(twin_hh)
    if len(tw_hh):
        m = np.isin(hh_p, tw_hh) & (kind == names_b.index("anak")) & (ck <= 1)
        hn[m] = "twin:" + us_label[hh_p[m]]
    # father and son
    if len(fs_son):
        lab = "father_son:" + us_label[hh_p[fs_son]]
        hn[fs_son] = np.where(hn[fs_son] == None, lab, hn[fs_son])  # noqa: E711
        fa = father[fs_son]
        hn[fa] = np.where(hn[fa] == None, lab, hn[fa])  # noqa: E711
    # same name in the same RT (old state address), different households
    hn = _label_groups(hn, "same_name_neighbour", pd.DataFrame({
        "d": desa[hh_p], "rw": rw[hh_p], "rt": rt[hh_p], "n": name, "h": hh_p}), ["d", "rw", "rt", "n"], "h")
    # same NIK prefix (kecamatan of registration + coded date + sex)
    hn = _label_groups(hn, "same_day_kecamatan", pd.DataFrame({"k": key, "h": hh_p}), ["k"], None)

    return hn


def _inject_same_names(
        rng: np.random.Generator, H: int, rates: DamageRates, nb_i: np.ndarray, nb_j: np.ndarray, P: int,
        head_i: np.ndarray, hh_p: np.ndarray, father: np.ndarray, role_a: np.ndarray, sex: np.ndarray,
        twin2: np.ndarray, name: np.ndarray,
) -> np.ndarray:
    """Copy the head's name to the same-name neighbour's head and a father's name to some first sons."""
    name[head_i[nb_j]] = name[head_i[nb_i]]

    # father and son with exactly the same name (after the neighbour copy, so the names stay equal)
    son = (role_a == R_ANAK) & (sex == 0) & (father >= 0) & (father == head_i[hh_p]) & ~twin2
    son_first = np.zeros(P, dtype=bool)
    son_idx = np.flatnonzero(son)
    if len(son_idx):
        firsts = np.r_[True, hh_p[son_idx][1:] != hh_p[son_idx][:-1]]
        son_first[son_idx[firsts]] = True
    fs_hh = rng.random(H) < rates.father_son_same_name
    fs_son = np.flatnonzero(son_first & fs_hh[hh_p])
    name[fs_son] = name[father[fs_son]]

    return fs_son


def _kk_numbers(
        rng: np.random.Generator, H: int, geo: _Geo, rates: DamageRates, kec: np.ndarray, moved: np.ndarray,
        split_hh: np.ndarray, n_us: int, us_desa: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """KK numbers of the living units (old KK 2006-2022, new KK 2022-2024 after a move, change or split) and unit labels."""
    kk_new = np.zeros(n_us, dtype=bool)
    kk_new[H:2 * H] = (moved & (geo.desa_kec[us_desa[H:2 * H]] != kec)) | (rng.random(H) < rates.kk_change)
    kk_new[2 * H:] = True
    old_date = _days("2006-01-01") + np.floor(rng.random(n_us) * (_days("2022-06-30") - _days("2006-01-01"))).astype(np.int64)
    new_date = _days("2022-07-01") + np.floor(rng.random(n_us) * (_days("2024-01-31") - _days("2022-07-01"))).astype(np.int64)
    kk_date = np.where(kk_new, new_date, old_date)
    ky, km, kd = _ymd(kk_date)
    kk_reg = geo.kec_nik6[geo.desa_kec[us_desa]]
    kk_key = kk_reg * 1_000_000 + kd * 10000 + km * 100 + ky % 100
    issued = np.r_[np.ones(H, bool), kk_new[H:]]
    rank_kk = _rank_within(np.where(issued, kk_key, -1 - np.arange(n_us)), rng)
    us_kk = kk_key * 10_000 + 1 + rank_kk
    us_kk[H:2 * H] = np.where(kk_new[H:2 * H], us_kk[H:2 * H], us_kk[:H])

    labels_main = _fixed(np.arange(H), 7, "H")
    us_label = np.r_[labels_main, labels_main, labels_main[split_hh] + "-1"].astype(object)

    return us_kk, us_label


def _person_states(
        H: int, P: int, mc_i: np.ndarray, hh_p: np.ndarray, role_a: np.ndarray, sex: np.ndarray,
        split: np.ndarray, split_hh: np.ndarray, S: int, n_us: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each person's unit before and after (split-off families), their role there and each unit's head."""
    us_a = hh_p.copy()
    us_b = H + hh_p
    split_idx = np.full(H, -1, dtype=np.int64)
    split_idx[split_hh] = np.arange(S)
    in_split = split[hh_p] & ((np.isin(np.arange(P), mc_i[split_hh])) | (role_a == R_MENANTU) | (role_a == R_CUCU))
    us_b = np.where(in_split, 2 * H + split_idx[hh_p], us_b)
    role_b = role_a.copy()
    couple_male = in_split & ((role_a == R_ANAK) | (role_a == R_MENANTU)) & (sex == 0)
    couple_fem = in_split & ((role_a == R_ANAK) | (role_a == R_MENANTU)) & (sex == 1)
    role_b = np.where(couple_male, R_HEAD, np.where(couple_fem, R_ISTRI, np.where(in_split & (role_a == R_CUCU), R_ANAK, role_b)))

    us_head = np.full(n_us, -1, dtype=np.int64)
    us_head[us_a[role_a == R_HEAD]] = np.flatnonzero(role_a == R_HEAD)
    us_head[us_b[role_b == R_HEAD]] = np.flatnonzero(role_b == R_HEAD)

    return us_a, us_b, in_split, role_b, us_head


def _unit_states(
        rng: np.random.Generator, H: int, geo: _Geo, rates: DamageRates, n_desa: int, decile: np.ndarray,
        desa: np.ndarray, kec: np.ndarray, places: tuple, blok: np.ndarray, hno: np.ndarray,
        place: np.ndarray, rt: np.ndarray, rw: np.ndarray, ext: np.ndarray, hh_all: np.ndarray,
) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
        np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:
    """Living units: each household now and later (moved to another RT, desa or kecamatan) and split-off families."""
    moved = rng.random(H) < rates.move
    split = ext & (rng.random(H) < rates.split)
    split_hh = np.flatnonzero(split)
    S = len(split_hh)
    n_us = 2 * H + S
    us_desa = np.empty(n_us, dtype=np.int64)
    us_place = np.empty(n_us, dtype=np.int64)
    us_rt = np.empty(n_us, dtype=np.int64)
    us_rw = np.empty(n_us, dtype=np.int64)
    us_blok = np.empty(n_us, dtype=object)
    us_no = np.empty(n_us, dtype=np.int64)
    us_decile = np.r_[decile, decile, decile[split_hh]]
    us_hhidx = np.r_[hh_all, hh_all, H + np.arange(S)]
    for arr, a in ((us_desa, desa), (us_place, place), (us_rt, rt), (us_rw, rw), (us_blok, blok), (us_no, hno)):
        arr[:H] = a
        arr[H:2 * H] = a
    # movers: another RT (same desa), another desa (same kecamatan) or another kecamatan
    mv = np.flatnonzero(moved)
    mkind = rng.choice(3, size=len(mv), p=[0.3, 0.35, 0.35])
    new_desa = desa[mv].copy()
    same_kec_desa = _random_desa_in_kec(rng, geo, kec[mv])
    any_desa = rng.integers(0, n_desa, len(mv))
    new_desa = np.where(mkind == 1, same_kec_desa, np.where(mkind == 2, any_desa, new_desa))
    pl2, rt2, rw2, bl2, no2 = _place_households(rng, new_desa, decile[mv], places)
    us_desa[H + mv], us_place[H + mv], us_rt[H + mv], us_rw[H + mv], us_blok[H + mv], us_no[H + mv] = (
        new_desa, pl2, rt2, rw2, bl2, no2)
    # split-off families: 60% stay in the desa
    sp_desa = np.where(rng.random(S) < 0.6, desa[split_hh], rng.integers(0, n_desa, S))
    pl3, rt3, rw3, bl3, no3 = _place_households(rng, sp_desa, decile[split_hh], places)
    sl = slice(2 * H, 2 * H + S)
    us_desa[sl], us_place[sl], us_rt[sl], us_rw[sl], us_blok[sl], us_no[sl] = sp_desa, pl3, rt3, rw3, bl3, no3

    return moved, split, split_hh, S, n_us, us_desa, us_place, us_rt, us_rw, us_blok, us_no, us_decile, us_hhidx


def _niks(
        rng: np.random.Generator, geo: _Geo, rates: DamageRates, n_kec: int, kec: np.ndarray, P: int,
        hh_p: np.ndarray, sex: np.ndarray, t_first: np.ndarray, t_second: np.ndarray, tw_map: np.ndarray,
        pgroup: np.ndarray, bd: np.ndarray, bm: np.ndarray, by: np.ndarray, twin2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NIKs: kecamatan of registration, coded birth date (sometimes another one), serials, re-issued NIKs."""
    kec_p = kec[hh_p]
    adult = by < 2006
    r = rng.random(P)
    else_p = np.where(adult, rates.nik_region_elsewhere, rates.nik_region_elsewhere * 0.3)
    other_kab_share = np.where(pgroup == 2, 0.6, 0.4)
    nik_kind = np.full(P, "current", dtype=object)
    reg6 = geo.kec_nik6[kec_p].copy()
    m_else = r < else_p
    m_kab = m_else & (rng.random(P) < other_kab_share)
    m_kec = m_else & ~m_kab
    other_kec = rng.integers(0, n_kec, P)
    reg6 = np.where(m_kec, geo.kec_nik6[other_kec], reg6)
    nik_kind[m_kec & (other_kec != kec_p)] = "other_kecamatan"
    orig = np.zeros(P, dtype=np.int64)
    for g in range(4):
        m = np.flatnonzero(m_kab & (pgroup == g))
        if len(m):
            in_prov = rng.random(len(m)) < 0.35
            pool_o, pool_p = geo.origin_nik6[g], geo.same_prov_nik6
            orig[m] = np.where(in_prov, pool_p[rng.integers(0, len(pool_p), len(m))],
                               pool_o[rng.integers(0, len(pool_o), len(m))])
    reg6 = np.where(m_kab, orig, reg6)
    nik_kind[m_kab] = "other_kabupaten"
    # newest kecamatan (highest codes) were split off: older residents keep the parent's code
    if n_kec >= 8:
        n_new = max(1, n_kec // 6)
        parent = rng.integers(0, n_kec - n_new, n_kec)
        is_new = np.arange(n_kec) >= n_kec - n_new
        pre = (nik_kind == "current") & is_new[kec_p] & (by < 1990) & (rng.random(P) < 0.5)
        reg6 = np.where(pre, geo.kec_nik6[parent[kec_p]], reg6)
        nik_kind[pre] = "pre_split"
    # twins registered together
    reg6[t_second] = reg6[tw_map[hh_p[t_second]]]
    nik_kind[t_second] = nik_kind[tw_map[hh_p[t_second]]]
    # coded date: register date, sometimes another one (corrected later)
    cy, cm, cd = by.copy(), bm.copy(), bd.copy()
    twin_any = twin2.copy()
    twin_any[t_first] = True
    diff = (rng.random(P) < rates.nik_dob_differs) & ~twin_any  # twins keep identical NIK prefixes
    alt_kind = rng.random(P) < 0.5
    cm = np.where(diff & alt_kind, 7, cm)
    cd = np.where(diff & alt_kind, 1, np.where(diff, np.clip(cd + rng.choice([-2, -1, 1, 2], P), 1, 28), cd))
    same_as = diff & alt_kind & (bm == 7) & (bd == 1)
    cd = np.where(same_as, 2, cd)
    code_date = (cd + 40 * sex) * 10000 + cm * 100 + (cy % 100)
    key = reg6 * 1_000_000 + code_date
    # re-issued NIK for a few people: another kecamatan of the kabupaten, same coded date
    reiss = np.flatnonzero(rng.random(P) < rates.nik_reissued)
    alt_reg = geo.kec_nik6[rng.integers(0, n_kec, len(reiss))]
    alt_reg = np.where(alt_reg == reg6[reiss], geo.kec_nik6[(np.searchsorted(geo.kec_nik6, alt_reg) + 1) % n_kec], alt_reg)
    alt_key = alt_reg * 1_000_000 + code_date[reiss]
    all_keys = np.r_[key, alt_key]
    rank = _rank_within(all_keys, rng)
    uk, kinv = np.unique(all_keys, return_inverse=True)
    offset = np.where(rng.random(len(uk)) < 0.6, 0, rng.geometric(0.08, len(uk)))
    serial = np.minimum(1 + rank + offset[kinv], 9999)
    nik_all = all_keys * 10_000 + serial
    nik = nik_all[:P]
    nik_alt = np.zeros(P, dtype=np.int64)
    nik_alt[reiss] = nik_all[P:]

    return nik_kind, key, nik, nik_alt


def _person_names(
        rng: np.random.Generator, hh_p: np.ndarray, sex: np.ndarray, t_second: np.ndarray, tw_map: np.ndarray,
        pgroup: np.ndarray, by: np.ndarray,
) -> np.ndarray:
    """Names by sex, birth year and ethnic group; the second twin often gets a rhyming name."""
    name = _sample_names(rng, sex, by, pgroup)
    # twins: the second twin often gets a rhyming name
    rh = t_second[rng.random(len(t_second)) < 0.4]
    if len(rh):
        src = tw_map[hh_p[rh]]
        name[rh] = np.array([_rhyme(s) for s in name[src]], dtype=object)

    return name


def _register_birth_dates(
        rng: np.random.Generator, H: int, rates: DamageRates, P: int, hh_p: np.ndarray, birth: np.ndarray,
        t_second: np.ndarray, tw_map: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Register birth dates with the Dukcapil placeholders (01-07, 31-12, 01-01, day 15), more often for the old."""
    by, bm, bd = _ymd(birth)
    u = rng.random(P)
    p_ph = np.where(by < 1960, rates.register_placeholder_dob,
                    np.where(by < 1975, rates.register_placeholder_dob * 0.5,
                             np.where(by < 1990, rates.register_placeholder_dob * 0.2, rates.register_placeholder_dob * 0.05)))
    ph = u < p_ph
    kind_ph = rng.choice(4, size=P, p=[0.5, 0.28, 0.14, 0.08])  # 01-07, 31-12, 01-01, day 15
    fam_ph = (rng.random(H) < rates.family_placeholder_dob)[hh_p] & (by < 1995)
    kind_ph = np.where(fam_ph, 0, kind_ph)
    ph |= fam_ph
    bm = np.where(ph, np.choose(kind_ph, [7, 12, 1, bm]), bm)
    bd = np.where(ph, np.choose(kind_ph, [1, 31, 1, 15]), bd)
    twin2 = np.zeros(P, dtype=bool)
    twin2[t_second] = True
    birth = _to_days(by, bm, bd)
    birth[t_second] = birth[tw_map[hh_p[t_second]]]
    by, bm, bd = _ymd(birth)

    return bm, bd, by, twin2, birth


def _order_persons(
        rng: np.random.Generator, H: int, ref: int, group: np.ndarray, twin_hh: np.ndarray,
        names_b: list[str], P: int, cat: dict[str, np.ndarray], kind: np.ndarray, head_i: np.ndarray,
        mc_i: np.ndarray, mt_i: np.ndarray, sp_i: np.ndarray, hh_p: np.ndarray, mother: np.ndarray,
        father: np.ndarray,
) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:
    """Order persons as on a KK (household, role, age) and give them birth dates (twins share one) and ethnic groups."""
    role_order = np.array([0, 1, 1, 2, 3, 4, 5, 5, 6])
    order = np.lexsort((-cat["age"], role_order[cat["role"]], hh_p))
    inv = np.empty(P, dtype=np.int64)
    inv[order] = np.arange(P)

    def remap(a: np.ndarray) -> np.ndarray:
        return np.where(a >= 0, inv[np.maximum(a, 0)], -1)[order]

    mother, father = remap(mother), remap(father)
    head_i, sp_i, mc_i, mt_i = (np.where(x >= 0, inv[np.maximum(x, 0)], -1) for x in (head_i, sp_i, mc_i, mt_i))
    hh_p = hh_p[order]
    role_a = cat["role"][order]
    sex = cat["sex"][order].astype(np.int64)
    age = cat["age"][order]
    kind = kind[order]
    ck = cat["k"][order]
    birth = ref - np.floor(age * 365.25).astype(np.int64) - 1
    # twins share the date of birth exactly
    t_first = np.flatnonzero((kind == names_b.index("anak")) & twin_hh[hh_p] & (ck == 0))
    t_second = np.flatnonzero((kind == names_b.index("anak")) & twin_hh[hh_p] & (ck == 1))
    tw_map = np.full(H, -1, dtype=np.int64)
    tw_map[hh_p[t_first]] = t_first
    birth[t_second] = birth[tw_map[hh_p[t_second]]]
    pgroup = group[hh_p].copy()
    in_law = (role_a == R_ISTRI) | (role_a == R_SUAMI) | (role_a == R_MENANTU)
    pgroup = np.where(in_law & (rng.random(P) < 0.2), rng.integers(0, 4, P), pgroup)

    return mother, father, mc_i, head_i, hh_p, role_a, sex, kind, ck, birth, t_first, t_second, tw_map, pgroup


def _person_blocks(
        rng: np.random.Generator, H: int, head_age: np.ndarray, head_sex: np.ndarray, has_sp: np.ndarray,
        sp_age: np.ndarray, c_age: np.ndarray, present: np.ndarray, c_sex: np.ndarray, ext: np.ndarray,
        mc_age: np.ndarray, mc_sex: np.ndarray, mt_age: np.ndarray, fem_age: np.ndarray, n_cucu: np.ndarray,
        has_ortu: np.ndarray, ortu_age: np.ndarray, ortu_sex: np.ndarray, ortu_role: np.ndarray,
        has_fam: np.ndarray, fam_age: np.ndarray, fam_sex: np.ndarray,
) -> tuple[
        np.ndarray, list[str], int, dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray,
        np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:
    """Persons of every household in blocks (head, spouse, children, married child and family, parents, others) and their parents."""
    hh_all = np.arange(H)
    blocks: dict[str, dict[str, np.ndarray]] = {}
    blocks["head"] = {"hh": hh_all, "role": np.full(H, R_HEAD), "sex": head_sex, "age": head_age, "k": np.zeros(H, np.int64)}
    sp = np.flatnonzero(has_sp)
    blocks["spouse"] = {"hh": sp, "role": np.where(head_sex[sp] == 0, R_ISTRI, R_SUAMI), "sex": 1 - head_sex[sp],
                        "age": sp_age[sp], "k": np.zeros(len(sp), np.int64)}
    ch_h, ch_k = np.nonzero(present)
    blocks["anak"] = {"hh": ch_h, "role": np.full(len(ch_h), R_ANAK), "sex": c_sex[ch_h, ch_k], "age": c_age[ch_h, ch_k], "k": ch_k}
    ex = np.flatnonzero(ext)
    blocks["mchild"] = {"hh": ex, "role": np.full(len(ex), R_ANAK), "sex": mc_sex[ex], "age": mc_age[ex], "k": np.zeros(len(ex), np.int64)}
    blocks["menantu"] = {"hh": ex, "role": np.full(len(ex), R_MENANTU), "sex": 1 - mc_sex[ex], "age": mt_age[ex], "k": np.zeros(len(ex), np.int64)}
    cu_h = np.repeat(hh_all, n_cucu)
    cu_age = rng.random(len(cu_h)) * np.minimum(10.0, np.maximum(fem_age[cu_h] - 19, 0.5))
    blocks["cucu"] = {"hh": cu_h, "role": np.full(len(cu_h), R_CUCU), "sex": (rng.random(len(cu_h)) < 0.5).astype(np.int64),
                      "age": cu_age, "k": np.zeros(len(cu_h), np.int64)}
    ot = np.flatnonzero(has_ortu)
    blocks["ortu"] = {"hh": ot, "role": ortu_role[ot], "sex": ortu_sex[ot], "age": ortu_age[ot], "k": np.zeros(len(ot), np.int64)}
    fm = np.flatnonzero(has_fam)
    blocks["famili"] = {"hh": fm, "role": np.full(len(fm), R_FAMILI), "sex": fam_sex[fm], "age": fam_age[fm], "k": np.zeros(len(fm), np.int64)}

    # clipped ages would pile up on one birthday: spread adults over the year
    for b in ("head", "spouse", "mchild", "menantu", "ortu", "famili"):
        blocks[b]["age"] = blocks[b]["age"] + rng.random(len(blocks[b]["age"]))
    names_b = list(blocks)
    offs = np.cumsum([0] + [len(blocks[b]["hh"]) for b in names_b])
    P = int(offs[-1])
    cat = {key: np.concatenate([blocks[b][key] for b in names_b]) for key in ("hh", "role", "sex", "age", "k")}
    kind = np.repeat(np.arange(len(names_b)), np.diff(offs))
    # pre-sort person index of special members per household
    def pos_of(block: str) -> np.ndarray:
        out = np.full(H, -1, dtype=np.int64)
        out[blocks[block]["hh"]] = offs[names_b.index(block)] + np.arange(len(blocks[block]["hh"]))
        return out

    head_i, sp_i, mc_i, mt_i = pos_of("head"), pos_of("spouse"), pos_of("mchild"), pos_of("menantu")
    hh_p = cat["hh"]
    mother = np.full(P, -1, dtype=np.int64)
    father = np.full(P, -1, dtype=np.int64)
    is_anak = kind == names_b.index("anak")
    hs = head_sex[hh_p]
    mother = np.where(is_anak, np.where(hs == 1, head_i[hh_p], sp_i[hh_p]), mother)
    father = np.where(is_anak, np.where(hs == 0, head_i[hh_p], sp_i[hh_p]), father)
    is_mc = kind == names_b.index("mchild")
    mother = np.where(is_mc, np.where(hs == 1, head_i[hh_p], sp_i[hh_p]), mother)
    father = np.where(is_mc, np.where(hs == 0, head_i[hh_p], sp_i[hh_p]), father)
    is_cucu = kind == names_b.index("cucu")
    fem_i = np.where(mc_sex[hh_p] == 1, mc_i[hh_p], mt_i[hh_p])
    mal_i = np.where(mc_sex[hh_p] == 0, mc_i[hh_p], mt_i[hh_p])
    mother = np.where(is_cucu, fem_i, mother)
    father = np.where(is_cucu, mal_i, father)

    return hh_all, names_b, P, cat, kind, mt_i, mc_i, head_i, sp_i, hh_p, mother, father


def _extended_family(
        rng: np.random.Generator, H: int, head_age: np.ndarray, has_sp: np.ndarray,
) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:
    """Extended family: a married child with spouse and children, a parent or parent-in-law, another relative."""
    ext = (head_age >= 46) & (rng.random(H) < 0.16)
    mc_age = np.clip(head_age - 24 - rng.gamma(2, 2.5, H), 19, 60)
    mc_sex = (rng.random(H) < 0.5).astype(np.int64)
    mt_age = np.clip(mc_age + np.where(mc_sex == 0, -3, 3) + rng.normal(0, 3, H), 17, 70)
    fem_age = np.where(mc_sex == 1, mc_age, mt_age)
    n_cucu = np.where(ext, np.minimum(rng.poisson(1.3, H), 4), 0)
    has_ortu = (head_age < 60) & (rng.random(H) < 0.08)
    ortu_age = np.clip(head_age + 24 + rng.gamma(2, 3, H), 50, 99)
    ortu_sex = (rng.random(H) < 0.7).astype(np.int64)
    ortu_role = np.where(has_sp & (rng.random(H) < 0.4), R_MERTUA, R_ORTU)
    has_fam = rng.random(H) < 0.04
    fam_age = 5 + rng.random(H) * 55
    fam_sex = (rng.random(H) < 0.5).astype(np.int64)

    return ext, mc_age, mc_sex, mt_age, fem_age, n_cucu, has_ortu, ortu_age, ortu_sex, ortu_role, has_fam, fam_age, fam_sex


def _children(
        rng: np.random.Generator, H: int, rates: DamageRates, decile: np.ndarray, mother_age: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Up to 7 births per household by decile, twins, and which children still live at home."""
    K = 7
    lam = np.where(decile <= 3, 3.0, np.where(decile <= 6, 2.6, 2.2))
    n_birth = np.minimum(rng.poisson(lam), K)
    a1 = 19 + rng.gamma(2.0, 2.5, H)
    gaps = 1.5 + rng.gamma(2.0, 1.2, (H, K))
    gaps[:, 0] = 0.0
    twin_hh = (n_birth >= 2) & (rng.random(H) < rates.twin)
    gaps[twin_hh, 1] = 0.0
    mage_at = a1[:, None] + np.cumsum(gaps, axis=1)
    c_age = mother_age[:, None] - mage_at
    exists = np.arange(K)[None, :] < n_birth[:, None]
    stay_u = rng.random((H, K))
    stay_u[:, 1] = np.where(twin_hh, stay_u[:, 0], stay_u[:, 1])
    stay = (c_age >= 0) & ((c_age < 18) | ((c_age < 30) & (stay_u < 0.45)) | ((c_age < 40) & (stay_u < 0.08)))
    present = exists & stay
    twin_hh &= present[:, 0] & present[:, 1]
    c_sex = (rng.random((H, K)) < 0.5).astype(np.int64)
    c_sex[:, 1] = np.where(twin_hh & (rng.random(H) < 0.6), c_sex[:, 0], c_sex[:, 1])

    return twin_hh, c_age, present, c_sex


def _same_name_neighbours(
        rng: np.random.Generator, H: int, geo: _Geo, rates: DamageRates, desa: np.ndarray, blok: np.ndarray,
        hno: np.ndarray, place: np.ndarray, rt: np.ndarray, rw: np.ndarray, head_sex: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick households that get a neighbour in the same RT whose head will get the same name, and move them there."""
    nb_i = np.flatnonzero(rng.random(H) < rates.same_name_neighbour)
    nb_j = np.empty(len(nb_i), dtype=np.int64)
    for sx in (0, 1):
        pool = np.flatnonzero(head_sex == sx)
        m = head_sex[nb_i] == sx
        nb_j[m] = pool[rng.integers(0, len(pool), int(m.sum()))] if len(pool) else nb_i[m]
    ok = nb_j != nb_i
    nb_i, nb_j = nb_i[ok], nb_j[ok]
    desa[nb_j], place[nb_j], rt[nb_j], rw[nb_j], blok[nb_j] = desa[nb_i], place[nb_i], rt[nb_i], rw[nb_i], blok[nb_i]
    hno[nb_j] = hno[nb_i] % 40 + 1
    kec = geo.desa_kec[desa]

    return nb_i, nb_j, kec


def _households(
        rng: np.random.Generator, H: int, geo: _Geo, n_kec: int, n_desa: int,
) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:
    """Households: decile, desa, ethnic group, place and address, head and spouse."""
    decile = rng.integers(1, 11, H)
    desa_w = rng.lognormal(0.0, 0.5, n_desa)
    desa = rng.choice(n_desa, size=H, p=desa_w / desa_w.sum())
    kec = geo.desa_kec[desa]
    kec_mix = rng.dirichlet(np.array([0.42, 0.25, 0.28, 0.05]) * 20, n_kec)
    group = (rng.random(H)[:, None] > np.cumsum(kec_mix, axis=1)[kec][:, :-1]).sum(axis=1)
    places = _make_places(rng, geo)
    place, rt, rw, blok, hno = _place_households(rng, desa, decile, places)

    head_age = np.minimum(20 + rng.gamma(3.2, 8.0, H) + (5 - decile) * 0.8, 92)
    head_sex = (rng.random(H) < np.where(head_age > 60, 0.25, 0.08)).astype(np.int64)
    spouse_p = np.where(head_sex == 0, np.where(head_age < 60, 0.9, 0.62), 0.03)
    has_sp = rng.random(H) < spouse_p
    sp_age = np.clip(np.where(head_sex == 0, head_age - 3 - rng.normal(0, 4, H), head_age + 3 + rng.normal(0, 3, H)), 17, 95)
    mother_age = np.where(head_sex == 1, head_age, np.where(has_sp, sp_age, head_age - 3))

    return decile, desa, kec, group, places, blok, place, rt, rw, hno, head_age, head_sex, has_sp, sp_age, mother_age


def _make_population(rng: np.random.Generator, H: int, geo: _Geo, rates: DamageRates) -> _Pop:
    ref = _days(REFERENCE_DATE)
    n_kec = len(geo.kec_code)
    n_desa = len(geo.desa_code)

    # ---------------------------------------------------------------- households
    (
        decile, desa, kec, group, places, blok, place, rt, rw, hno, head_age, head_sex, has_sp, sp_age,
        mother_age,
    ) = _households(
        rng, H, geo, n_kec, n_desa,
    )

    # same-name neighbours: some households get a neighbour (same RT) whose head will get the same name
    nb_i, nb_j, kec = _same_name_neighbours(rng, H, geo, rates, desa, blok, hno, place, rt, rw, head_sex)

    # children: up to 7 potential births per household
    twin_hh, c_age, present, c_sex = _children(rng, H, rates, decile, mother_age)

    # extended family: a married child with spouse and children
    (
        ext, mc_age, mc_sex, mt_age, fem_age, n_cucu, has_ortu, ortu_age, ortu_sex, ortu_role, has_fam,
        fam_age, fam_sex,
    ) = _extended_family(
        rng, H, head_age, has_sp,
    )

    # ---------------------------------------------------------------- persons (blocks)
    hh_all, names_b, P, cat, kind, mt_i, mc_i, head_i, sp_i, hh_p, mother, father = _person_blocks(
        rng, H, head_age, head_sex, has_sp, sp_age, c_age, present, c_sex, ext, mc_age, mc_sex, mt_age,
        fem_age, n_cucu, has_ortu, ortu_age, ortu_sex, ortu_role, has_fam, fam_age, fam_sex,
    )

    # order persons as on a KK: by household, role, age descending
    (
        mother, father, mc_i, head_i, hh_p, role_a, sex, kind, ck, birth, t_first, t_second, tw_map, pgroup,
    ) = _order_persons(
        rng, H, ref, group, twin_hh, names_b, P, cat, kind, head_i, mc_i, mt_i, sp_i, hh_p, mother, father,
    )

    # ---------------------------------------------------------------- register birth dates (placeholders)
    bm, bd, by, twin2, birth = _register_birth_dates(rng, H, rates, P, hh_p, birth, t_second, tw_map)

    # ---------------------------------------------------------------- names
    name = _person_names(rng, hh_p, sex, t_second, tw_map, pgroup, by)

    # ---------------------------------------------------------------- NIK
    nik_kind, key, nik, nik_alt = _niks(
        rng, geo, rates, n_kec, kec, P, hh_p, sex, t_first, t_second, tw_map, pgroup, bd, bm, by, twin2,
    )

    # ---------------------------------------------------------------- unit states, moves, splits, KK
    (
        moved, split, split_hh, S, n_us, us_desa, us_place, us_rt, us_rw, us_blok, us_no, us_decile,
        us_hhidx,
    ) = _unit_states(
        rng, H, geo, rates, n_desa, decile, desa, kec, places, blok, hno, place, rt, rw, ext, hh_all,
    )

    # person states
    us_a, us_b, in_split, role_b, us_head = _person_states(
        H, P, mc_i, hh_p, role_a, sex, split, split_hh, S, n_us,
    )

    # KK numbers: old KK registered 2006..2022; new KK (moved kecamatan, KK change, split) 2022-07..2024-01
    us_kk, us_label = _kk_numbers(rng, H, geo, rates, kec, moved, split_hh, n_us, us_desa)

    # ---------------------------------------------------------------- same-name neighbours (injected)
    fs_son = _inject_same_names(
        rng, H, rates, nb_i, nb_j, P, head_i, hh_p, father, role_a, sex, twin2, name,
    )

    # ---------------------------------------------------------------- hard negative labels
    hn = _hard_negative_labels(
        desa, rt, rw, twin_hh, names_b, P, kind, hh_p, father, ck, name, key, us_label, fs_son,
    )

    return _Pop(
        hh=hh_p, role_a=role_a, role_b=role_b, us_a=us_a, us_b=us_b, sex=sex, birth=birth, name=name,
        nik=nik, nik_alt=nik_alt, nik_kind=nik_kind, mother=mother, father=father, group=pgroup, hn_group=hn,
        us_label=us_label, us_desa=us_desa, us_place=us_place, us_rt=us_rt, us_rw=us_rw, us_blok=us_blok,
        us_no=us_no, us_kk=us_kk, us_head=us_head, us_decile=us_decile, us_hhidx=us_hhidx,
        place_name=places[3], place_perum=places[4], n_households=H, moved=moved, split_of=in_split,
    )


def _random_desa_in_kec(rng: np.random.Generator, geo: _Geo, kec: np.ndarray) -> np.ndarray:
    order = np.argsort(geo.desa_kec, kind="stable")
    counts = np.bincount(geo.desa_kec, minlength=len(geo.kec_code))
    start = np.r_[0, np.cumsum(counts)[:-1]]
    pick = start[kec] + np.floor(rng.random(len(kec)) * counts[kec]).astype(np.int64)
    return order[pick]


def _label_groups(hn: np.ndarray, kind: str, df: pd.DataFrame, keys: list[str], distinct: str | None) -> np.ndarray:
    """Label unlabelled persons that share ``keys`` with another unlabelled person (and, if ``distinct``
    is given, with at least two different values of that column)."""
    free = np.flatnonzero(hn == None)  # noqa: E711
    sub = df.iloc[free]
    g = sub.groupby(keys, sort=False, observed=True)
    size = g[keys[0]].transform("size").to_numpy()
    ok = size >= 2
    if distinct is not None:
        ok &= g[distinct].transform("nunique").to_numpy() >= 2
    rows = free[ok]
    if len(rows):
        gid = g.ngroup().to_numpy()[ok]
        _, dense = np.unique(gid, return_inverse=True)
        hn[rows] = kind + ":" + _ostr(dense)
    return hn
