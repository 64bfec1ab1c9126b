"""The five agency lists (DTKS, P3KE, BPJS PBI, BLT DD, Posyandu): who is on each, in its own columns and formats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkmiskin.synthetic.arrays import (
    _PAD2,
    _apply_templates,
    _days,
    _days_in_month,
    _fill_template,
    _fixed,
    _ostr,
    _rtrw_values,
    _ymd,
)
from linkmiskin.synthetic.damage import _Damager, _Log, _region_strings
from linkmiskin.synthetic.population import _Pop, _sample_names
from linkmiskin.synthetic.rates import (
    _MONTHS_ID,
    R_ANAK,
    R_CUCU,
    R_FAMILI,
    R_HEAD,
    R_ISTRI,
    R_ORTU,
    ROLES,
    SNAPSHOT,
    DamageRates,
)
from linkmiskin.synthetic.tables import _formats, _Geo

# ============================================================================================ sources


@dataclass
class _Records:
    person: np.ndarray
    us: np.ndarray
    role: np.ndarray
    dup: np.ndarray  # bool: a within-list duplicate


def _select(rng: np.random.Generator, pop: _Pop, rates: DamageRates, source: str) -> _Records:
    H = pop.n_households
    P = len(pop.hh)
    snap = _days(SNAPSHOT[source])
    new = rng.random(H) < rates.new_state[source]
    state_new = new[pop.hh]
    us = np.where(state_new, pop.us_b, pop.us_a)
    role = np.where(state_new, pop.role_b, pop.role_a)
    alive = pop.birth <= snap
    cov = np.asarray(rates.coverage[source], dtype=float)
    n_lab = int(pop.us_hhidx.max()) + 1
    lab_u = rng.random(n_lab)
    lab = pop.us_hhidx[us]
    in_unit = lab_u[lab] < cov[pop.us_decile[us] - 1]
    u = rng.random(P)
    if source == "dtks":
        head_only = (rng.random(n_lab) < 0.05)[lab]
        keep = in_unit & alive & ((role == R_HEAD) | (~head_only & (u < 0.92)))
    elif source in ("p3ke", "bpjs_pbi"):
        keep = in_unit & alive & (u < (0.9 if source == "p3ke" else 0.93))
    elif source == "blt_dd":
        # the KPM is the head; sometimes the wife is listed instead
        wife_kpm = (rng.random(n_lab) < 0.08)[lab]
        has_wife = np.zeros(len(pop.us_label), dtype=bool)
        has_wife[us[(role == R_ISTRI) & alive]] = True
        keep = in_unit & alive & np.where(wife_kpm & has_wife[us], role == R_ISTRI, role == R_HEAD)
    elif source == "posyandu":
        under5 = (pop.birth > snap - int(5 * 365.25)) & alive
        keep = in_unit & under5 & (u < 0.9)
    else:  # pragma: no cover
        raise ValueError(source)
    person = np.flatnonzero(keep)
    us_k, role_k = us[person], role[person]
    # within-list duplicates: another record of the same person, sometimes with the other state
    dup = rng.random(len(person)) < rates.duplicate.get(source, 0.0)
    dp = person[dup]
    other = rng.random(len(dp)) < 0.5
    dus = np.where(other, np.where(us_k[dup] == pop.us_a[dp], pop.us_b[dp], pop.us_a[dp]), us_k[dup])
    drole = np.where(dus == pop.us_a[dp], pop.role_a[dp], pop.role_b[dp])
    if source == "blt_dd":  # keep a duplicate KPM a head/wife
        drole = role_k[dup]
        dus = us_k[dup]
    return _Records(
        person=np.r_[person, dp], us=np.r_[us_k, dus], role=np.r_[role_k, drole],
        dup=np.r_[np.zeros(len(person), bool), np.ones(len(dp), bool)],
    )


def _order(rng: np.random.Generator, pop: _Pop, rec: _Records, geo: _Geo, by_decile: bool = False) -> np.ndarray:
    """Row order of a list: by kecamatan, desa, RW, RT, household; duplicates half next to the original."""
    n = len(rec.person)
    desa = pop.us_desa[rec.us]
    kec = geo.desa_kec[desa]
    scatter = rec.dup & (rng.random(n) < 0.5)
    desa = np.where(scatter, rng.integers(0, len(geo.desa_code), n), desa)
    kec = np.where(scatter, geo.desa_kec[desa], kec)
    keys = [rng.random(n), rec.role, rec.us, pop.us_rt[rec.us], pop.us_rw[rec.us], desa, kec]
    if by_decile:
        keys.append(pop.us_decile[rec.us])
    return np.lexsort(tuple(keys))


def _sequence_ids(rng: np.random.Generator, n: int, start: int, prefix: str, width: int) -> np.ndarray:
    seq = start + np.cumsum(rng.integers(1, 40, n))
    return _fixed(seq, width, prefix)


def _street(rng: np.random.Generator, dmg: _Damager, pop: _Pop, us: np.ndarray, house: int | None = None,
            share: float = 0.0) -> np.ndarray:
    n = len(us)
    place = pop.us_place[us]
    pname = pop.place_name[place]
    pname = dmg.text_typo(pname, dmg.rates.kampung_typo, "kampung")
    perum = pop.place_perum[place]
    out = np.empty(n, dtype=object)
    kp = np.flatnonzero(~perum)
    if len(kp):
        out[kp], _ = _apply_templates(rng, "kampung", {"name": pname[kp]}, len(kp), house, share)
    pr = np.flatnonzero(perum)
    if len(pr):
        out[pr], _ = _apply_templates(rng, "perum", {"name": pname[pr], "blok": pop.us_blok[us[pr]],
                                                     "no": _ostr(pop.us_no[us[pr]])}, len(pr), house, share)
    return out


def _rtrw(rng: np.random.Generator, dmg: _Damager, pop: _Pop, us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rt = pop.us_rt[us].copy()
    rw = pop.us_rw[us].copy()
    err = np.flatnonzero(dmg.bern(len(us), dmg.rates.rtrw_error))
    if len(err):
        k = rng.choice(3, size=len(err), p=[0.5, 0.25, 0.25])
        new_rt = np.where(k == 0, rng.integers(1, 16, len(err)), np.where(k == 2, rw[err], rt[err]))
        new_rw = np.where(k == 1, rng.integers(1, 13, len(err)), np.where(k == 2, rt[err], rw[err]))
        new_rt = np.where((k == 0) & (new_rt == rt[err]), rt[err] % 15 + 1, new_rt)
        new_rw = np.where((k == 1) & (new_rw == rw[err]), rw[err] % 12 + 1, new_rw)
        changed = (new_rt != rt[err]) | (new_rw != rw[err])
        rt[err], rw[err] = new_rt, new_rw
        dmg.log.add(err[changed], "rtrw", "error")
    return rt, rw


def _rt_rw_columns(rng: np.random.Generator, rt: np.ndarray, rw: np.ndarray, house: int, share: float) -> tuple[np.ndarray, np.ndarray]:
    """RT and RW cells; the combined shape (RT cell '003/005') leaves RW empty."""
    vals = _rtrw_values(rt, rw)
    rt_s, choice = _apply_templates(rng, "rt_col", vals, len(rt), house, share)
    templates, _ = _formats()["rt_col"]
    rw_vals = {"rt": vals["rw"], "rt2": vals["rw2"], "rt3": vals["rw3"], "rw": vals["rw"], "rw2": vals["rw2"], "rw3": vals["rw3"]}
    rw_s = np.empty(len(rt), dtype=object)
    for k, tpl in enumerate(templates):
        m = np.flatnonzero(choice == k)
        if not len(m):
            continue
        if "{rw" in tpl:
            rw_s[m] = ""
        else:
            rw_tpl = tpl.replace("RT ", "RW ")
            rw_s[m] = _fill_template(rw_tpl, {key: v[m] for key, v in rw_vals.items()}, len(m))
    return rt_s, rw_s


def _prefixed(rng: np.random.Generator, ctx: str, values: np.ndarray) -> np.ndarray:
    templates, p = _formats()[ctx]
    pref = np.array(templates, dtype=object)[rng.choice(len(templates), size=len(values), p=p)]
    isnull = np.array([v is None or v == "-" for v in values], dtype=bool)
    return np.where(isnull, values, pref + np.where(isnull, "", values).astype(object))


def _fmt_dmy(y: np.ndarray, m: np.ndarray, d: np.ndarray, sep: str) -> np.ndarray:
    s = _PAD2[np.clip(d, 0, 99)] + sep + _PAD2[np.clip(m, 0, 99)] + sep + _ostr(y)
    return np.where(y > 0, s, None)


def _fmt_iso(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    s = _ostr(y) + "-" + _PAD2[np.clip(m, 0, 99)] + "-" + _PAD2[np.clip(d, 0, 99)]
    return np.where(y > 0, s, None)


def _fmt_long(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = np.array(("",) + _MONTHS_ID, dtype=object)
    s = _ostr(d) + " " + months[np.clip(m, 0, 12)] + " " + _ostr(y)
    return np.where((y > 0) & (m >= 1) & (m <= 12), s, None)


@dataclass
class _ListDraft:
    """One list being built: its records, damager and log, and the fields every list format starts from."""

    rng: np.random.Generator
    pop: _Pop
    geo: _Geo
    rates: DamageRates
    source: str
    rec: _Records
    n: int
    log: _Log
    dmg: _Damager
    p: np.ndarray                 # person of each record
    us: np.ndarray                # unit state (household and address) of each record
    kab4: str
    snap: int                     # snapshot date (day number)
    age: np.ndarray
    by: np.ndarray                # birth year
    desa: np.ndarray
    kec: np.ndarray
    sex: np.ndarray
    nik_s: np.ndarray | None      # damaged NIK column (None for Posyandu, which has no NIK)
    name: np.ndarray              # damaged name column

    def sex_col(self, codes: tuple[str, str]) -> np.ndarray:
        """The sex column in the list's codes, with ``sex_error`` of them wrong."""
        s = self.sex.copy()
        flip = np.flatnonzero(self.dmg.bern(self.n, self.rates.sex_error))
        s[flip] = 1 - s[flip]
        self.log.add(flip, "sex", "error")
        return np.array(codes, dtype=object)[s]

    def relationship(self) -> np.ndarray:
        """The relationship to the head (role codes), with ``relationship_error`` of the non-heads wrong."""
        rel = self.rec.role.copy()
        err = np.flatnonzero(self.dmg.bern(self.n, self.rates.relationship_error) & (rel != R_HEAD))
        # head (never changed), istri, suami, anak, menantu, cucu, orang tua, mertua, famili lain
        wrong = np.array([R_HEAD, R_FAMILI, R_FAMILI, R_CUCU, R_ANAK, R_ANAK, R_FAMILI, R_ORTU, R_ANAK])
        rel[err] = wrong[rel[err]]
        self.log.add(err[self.rec.role[err] != rel[err]], "relationship", "error")
        return rel

    def held(self, values: np.ndarray) -> np.ndarray:
        """``values`` where the list carries its household identifier, else empty."""
        keep = self.rng.random(self.n) < self.rates.household_id_share.get(self.source, 0.0)
        return np.where(keep, values, None)


def _upper_noise(rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    """A leading or trailing space on 1% of the values."""
    m = rng.random(len(a)) < 0.01
    a = a.copy()
    a[m] = np.array([str(x) + " " if i % 2 else " " + str(x) for i, x in enumerate(a[m])], dtype=object)
    return a


def _draft(rng: np.random.Generator, pop: _Pop, geo: _Geo, rates: DamageRates, source: str) -> _ListDraft:
    """Select and order the list's records, then damage the NIK and name columns every format shares."""
    rec = _select(rng, pop, rates, source)
    o = _order(rng, pop, rec, geo, by_decile=(source == "p3ke"))
    rec = _Records(rec.person[o], rec.us[o], rec.role[o], rec.dup[o])
    n = len(rec.person)
    log = _Log()
    dmg = _Damager(rng, rates, source, log)
    p = rec.person
    us = rec.us
    kab4 = geo.kab_code.replace(".", "")
    snap = _days(SNAPSHOT[source])
    age = (snap - pop.birth[p]) / 365.25
    by = _ymd(pop.birth[p])[0]
    desa = pop.us_desa[us]
    kec = geo.desa_kec[desa]
    true_nik = pop.nik[p].copy()
    alt = pop.nik_alt[p] > 0
    use_alt = alt & (rng.random(n) < 0.5)
    true_nik[use_alt] = pop.nik_alt[p][use_alt]
    head = pop.us_head[us]
    head_nik = np.where(head >= 0, pop.nik[np.maximum(head, 0)], 0)
    sex = pop.sex[p]
    nik_s = None
    if source in ("dtks", "p3ke", "bpjs_pbi", "blt_dd"):
        nik_s = dmg.nik(true_nik, head_nik, pop.us_kk[us], rec.role == R_HEAD, kab4)
    name = _upper_noise(rng, dmg.name(pop.name[p], sex, by, age))
    return _ListDraft(rng, pop, geo, rates, source, rec, n, log, dmg, p, us, kab4, snap, age, by, desa, kec, sex,
                      nik_s, name)


def _dtks_list(draft: _ListDraft) -> pd.DataFrame:
    """DTKS (Kemensos): ids, NIK, KK, name, dd-mm-yyyy date, sex and relationship in words, address columns."""
    rng, pop, geo, rates, n, dmg, p, us, kab4, desa, kec, nik_s, name = (
        draft.rng, draft.pop, draft.geo, draft.rates, draft.n, draft.dmg, draft.p, draft.us,
        draft.kab4, draft.desa, draft.kec, draft.nik_s, draft.name)
    y, m, d = dmg.dob(pop.birth[p])
    kk_s = dmg.kk(pop.us_kk[us], kab4)
    rel = draft.relationship()
    rt, rw = _rtrw(rng, dmg, pop, us)
    rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=0, share=0.75)
    desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
    kec_s = _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant, rates.kecamatan_typo, rates.kecamatan_missing)
    ids = _sequence_ids(rng, n, int(rng.integers(10**6, 10**7)), kab4, 9)
    df = pd.DataFrame({
        "ID_DTKS": ids, "NIK": nik_s, "NO_KK": kk_s, "NAMA": name, "TGL_LAHIR": _fmt_dmy(y, m, d, "-"),
        "JENIS_KELAMIN": draft.sex_col(("LAKI-LAKI", "PEREMPUAN")), "HUB_KELUARGA": np.array(ROLES, dtype=object)[rel],
        "ALAMAT": _street(rng, dmg, pop, us, house=0, share=0.6), "RT": rt_s, "RW": rw_s,
        "DESA_KELURAHAN": desa_s, "KECAMATAN": kec_s,
    })
    return df


def _p3ke_list(draft: _ListDraft) -> pd.DataFrame:
    """P3KE: ids, NIK, full name, relationship, mixed date styles, one free-text address line, DESIL."""
    rng, pop, geo, rates, n, log, dmg, p, us, kab4, desa, kec, nik_s, name = (
        draft.rng, draft.pop, draft.geo, draft.rates, draft.n, draft.log, draft.dmg, draft.p,
        draft.us, draft.kab4, draft.desa, draft.kec, draft.nik_s, draft.name)
    y, m, d = dmg.dob(pop.birth[p])
    style = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    tgl = np.where(style == 0, _fmt_long(y, m, d), np.where(style == 1, _fmt_iso(y, m, d), _fmt_dmy(y, m, d, "/")))
    rt, rw = _rtrw(rng, dmg, pop, us)
    street = _street(rng, dmg, pop, us)
    rtrw_s, _ = _apply_templates(rng, "rtrw_text", _rtrw_values(rt, rw), n)
    desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
    desa_s = np.where(geo.desa_is_kel[desa], _prefixed(rng, "kel_prefix", desa_s), _prefixed(rng, "desa_prefix", desa_s))
    kec_s = _prefixed(rng, "kec_prefix", _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant,
                                                         rates.kecamatan_typo, rates.kecamatan_missing))
    kab_pref = "KAB. " if geo.kab_type == "kabupaten" else "KOTA "
    kab_s = np.where(rng.random(n) < 0.35, " " + np.array([kab_pref], dtype=object) + geo.kab_name, "")
    sep = np.where(rng.random(n) < 0.5, ", ", " ")
    parts = []
    for part in (street, rtrw_s, desa_s, kec_s):
        parts.append(np.where(pd.isna(part), "", part).astype(object))
    swap_order = rng.random(n) < 0.1
    a1 = np.where(swap_order, parts[0] + sep + parts[2] + sep + parts[1], parts[0] + " " + parts[1] + sep + parts[2])
    alamat = a1 + sep + parts[3] + kab_s
    alamat = pd.Series(alamat).str.replace(r"\s*,\s*(,\s*)+", ", ", regex=True).str.strip(" ,").to_numpy(dtype=object)
    desil = pop.us_decile[us].copy()
    err = np.flatnonzero(rng.random(n) < rates.desil_error)  # survey noise, not a clerk's error
    desil[err] = np.clip(desil[err] + rng.choice([-1, 1], len(err)), 1, 10)
    log.add(err, "desil", "off_by_one")
    ids = _sequence_ids(rng, n, int(rng.integers(10**7, 10**8)), "P3KE" + kab4, 10)
    units, unit_of = np.unique(us, return_inverse=True)
    fam = _sequence_ids(rng, len(units), int(rng.integers(10**6, 10**7)), "KEL" + kab4, 9)[unit_of]
    rel = draft.relationship()
    hub = np.array([r.title() for r in ROLES], dtype=object)[rel]
    df = pd.DataFrame({"ID_P3KE": ids, "ID_KELUARGA_P3KE": draft.held(fam), "NIK": nik_s, "NAMA_LENGKAP": name,
                       "HUBUNGAN_DENGAN_KEPALA_KELUARGA": hub, "TANGGAL_LAHIR": tgl,
                       "JK": draft.sex_col(("L", "P")), "ALAMAT": alamat, "DESIL": desil})
    return df


def _bpjs_pbi_list(draft: _ListDraft) -> pd.DataFrame:
    """BPJS PBI JK: card number, NIK, NO_KK (sometimes), name, ISO date, sex 1/2 or L/P, kecamatan."""
    rng, pop, geo, rates, n, dmg, p, us, kab4, kec, nik_s, name = (
        draft.rng, draft.pop, draft.geo, draft.rates, draft.n, draft.dmg, draft.p, draft.us,
        draft.kab4, draft.kec, draft.nik_s, draft.name)
    y, m, d = dmg.dob(pop.birth[p])
    jk = draft.sex_col(("1", "2"))
    lp = rng.random(n) < 0.15
    jk = np.where(lp, np.where(jk == "1", "L", "P"), jk)
    kec_s = _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant, rates.kecamatan_typo, rates.kecamatan_missing)
    ids = _sequence_ids(rng, n, int(rng.integers(10**9, 3 * 10**9)), "000", 10)
    kk_s = draft.held(dmg.kk(pop.us_kk[us], kab4))
    df = pd.DataFrame({"NO_KARTU": ids, "NIK": nik_s, "NO_KK": kk_s, "NAMA_PESERTA": name,
                       "TGL_LAHIR": _fmt_iso(y, m, d), "JENIS_KELAMIN": jk, "KECAMATAN": kec_s})
    return df


def _blt_dd_list(draft: _ListDraft) -> pd.DataFrame:
    """BLT Dana Desa: running number, NIK (often an Excel number), name of the KPM, address, RT, RW, desa."""
    rng, pop, geo, rates, n, log, dmg, us, desa, nik_s, name = (
        draft.rng, draft.pop, draft.geo, draft.rates, draft.n, draft.log, draft.dmg, draft.us,
        draft.desa, draft.nik_s, draft.name)
    # NIK typed into Excel number cells: 15 significant digits kept, then a float
    num = np.array([isinstance(v, str) and len(v) == 16 and v.isdigit() for v in nik_s], dtype=bool)
    to_num = np.flatnonzero(num & (rng.random(n) < rates.nik_excel_number_share))
    nik_out = nik_s.copy()
    nik_out[to_num] = np.array([float(int(v[:15]) * 10) for v in nik_s[to_num]], dtype=object)
    log.add(to_num, "nik", "excel_number")
    rt, rw = _rtrw(rng, dmg, pop, us)
    rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=1, share=0.5)
    desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
    df = pd.DataFrame({"NO": np.arange(1, n + 1), "NIK": nik_out, "NAMA_KPM": name,
                       "ALAMAT": _street(rng, dmg, pop, us, house=1, share=0.5), "RT": rt_s, "RW": rw_s, "DESA": desa_s})
    return df


def _posyandu_list(draft: _ListDraft) -> pd.DataFrame:
    """Posyandu: running number, child's name (unnamed babies), date, sex, mother's and father's names, address."""
    rng, pop, geo, rates, source, n, log, dmg, p, us, snap, age, desa, name = (
        draft.rng, draft.pop, draft.geo, draft.rates, draft.source, draft.n, draft.log, draft.dmg,
        draft.p, draft.us, draft.snap, draft.age, draft.desa, draft.name)
    y, m, d = dmg.dob(pop.birth[p])
    valid = (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= _days_in_month(np.maximum(y, 1970), np.clip(m, 1, 12)))
    tgl = pd.to_datetime(pd.Series(np.where(valid, _fmt_iso(y, m, d), None)), format="%Y-%m-%d", errors="coerce")
    mother = pop.mother[p]
    mname = np.empty(n, dtype=object)
    has_m = mother >= 0
    mi = np.flatnonzero(has_m)
    mname[mi] = pop.name[mother[mi]]
    no_m = np.flatnonzero(~has_m)
    if len(no_m):
        mname[no_m] = _sample_names(rng, np.ones(len(no_m), np.int64), np.full(len(no_m), 1990), pop.group[p[no_m]])
    m_age = np.where(has_m, (snap - pop.birth[np.maximum(mother, 0)]) / 365.25, 30.0)
    m_by = np.where(has_m, _ymd(pop.birth[np.maximum(mother, 0)])[0], 1990)
    sub = _Damager(rng, rates, source, _Log())
    mname = sub.name(mname, np.ones(n, np.int64), m_by, m_age, fld="mother_name")
    for rows, k in zip(sub.log.rows, sub.log.kinds, strict=True):
        log.add(rows, "mother_name", k)
    father = pop.father[p]
    fname = np.where((father >= 0) & (rng.random(n) < 0.6), pop.name[np.maximum(father, 0)], None)
    baby = np.flatnonzero((age < 0.25) & dmg.bern(n, rates.baby_unnamed))
    first_tok = np.array([str(s).split()[0] for s in mname[baby]], dtype=object)
    name[baby] = np.where(rng.random(len(baby)) < 0.5, "BY. NY. ", "BY NY ") + first_tok
    log.add(baby, "name", "baby_unnamed")
    rt, rw = _rtrw(rng, dmg, pop, us)
    rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=2, share=0.7)
    desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
    title = np.vectorize(lambda s: s.title() if isinstance(s, str) else s, otypes=[object])
    df = pd.DataFrame({"NO": np.arange(1, n + 1), "NAMA_ANAK": title(name), "TGL_LAHIR": tgl.to_numpy(),
                       "JK": draft.sex_col(("L", "P")), "NAMA_IBU": title(mname), "NAMA_AYAH": title(fname),
                       "ALAMAT": title(_street(rng, dmg, pop, us, house=0, share=0.5)), "RT": rt_s, "RW": rw_s,
                       "DESA": title(desa_s)})
    return df


#: the five list formats, by source
_LIST_FORMATS = {"dtks": _dtks_list, "p3ke": _p3ke_list, "bpjs_pbi": _bpjs_pbi_list, "blt_dd": _blt_dd_list,
                 "posyandu": _posyandu_list}


def _build_source(rng: np.random.Generator, pop: _Pop, geo: _Geo, rates: DamageRates, source: str,
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One agency list in its own columns and formats, its truth rows and its damage log."""
    if source not in _LIST_FORMATS:  # pragma: no cover
        raise ValueError(source)
    draft = _draft(rng, pop, geo, rates, source)
    df = _LIST_FORMATS[source](draft)
    p, us, log = draft.p, draft.us, draft.log

    rid_col = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU", "blt_dd": "NO", "posyandu": "NO"}[source]
    record_id = df[rid_col].astype(str).to_numpy(dtype=object)
    truth = pd.DataFrame({
        "source": source, "record_id": record_id, "person_id": _person_ids(p),
        "household_id": pop.us_label[us], "hard_negative_group": pop.hn_group[p],
    })
    return df, truth, log.frame(source, record_id)


def _person_ids(p: np.ndarray) -> np.ndarray:
    return _fixed(p, 7, "P")
