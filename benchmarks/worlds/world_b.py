"""World B: a held-out synthetic world in Kabupaten Grobogan (Jawa Tengah, Kemendagri 33.15).

Written independently of ``linkmiskin.synthetic.generator`` (world A, Bekasi) to test whether linkmiskin generalises.
It differs in structure, not only in rates:

* population: Javanese naming (many mononyms such as SLAMET, PAINEM, SUPARMI; SRI/SITI/MUHAMMAD forms;
  old spellings OE/DJ/TJ/J/CH; titles H./HJ./DRS./S.PD; SU- dropping nicknames; BIN/BINTI), strongly heaped
  birth dates for older people (01-01, 31-12, 01-07, year only), twins, sons with their father's name,
  strangers with the same name and birth date, migrants whose NIK region is another kabupaten/province,
  three-generation households (menantu, cucu, orang tua/mertua);
* two snapshots: PKH and BLT-DD see the *old* state (2023/24), DTSEN, school and health lists the *new*
  one (2025); between them households move (RT, desa or kecamatan; a new KK when the kecamatan changes),
  renew their KK, and married children with their own children split off into a new household;
* five lists in formats unlike a clean CSV (see :data:`LIST_FORMATS`).

``generate(households, seed)`` returns a :class:`WorldB` with ``sources`` (DataFrames as written),
``truth`` (``source, record_id, person_id, household_id, hard_negative_group``), ``population``,
``columns`` (the mapping a user would give ``lm.link``) and ``write(dir)``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"
REGION = "33.15"
KABUPATEN = "GROBOGAN"
TITLE = "DATA TERPADU SOSIAL EKONOMI NASIONAL (DTSEN) KABUPATEN GROBOGAN TAHUN 2025"

#: list -> (file name, format note, snapshot)
LIST_FORMATS = {
    "dtsen": ("dtsen.xlsx", "xlsx; title row + blank row above the header; BPS relationship codes 1-9, "
              "sex 1/2; DESA a name or a 10-digit BPS code", "new"),
    "sekolah": ("sekolah.csv", "UTF-8 comma CSV; children 6-18 with NISN, NIK_SISWA for some, parents' "
                "names, address as free text", "new"),
    "kesehatan": ("kesehatan.xlsx", "xlsx; age only ('34 TH', '34 THN', '34', '7 BLN'), visit date, "
                  "mother's name for children, free-text address; repeat visits", "new"),
    "pkh": ("pkh.xlsx", "xlsx; one row per member under the recipient's NIK_PENGURUS and NO_KK; members have "
            "no NIK and no birth date", "old"),
    "blt_dd": ("blt_dd.csv", "cp1252 ';' CSV; NIK through Excel number cells (16th digit 0, some 3.31501E+15); "
               "wives as 'NY. <HUSBAND>'; TTL 'PLACE, dd-mm-yyyy'", "old"),
}

#: BPS relationship codes (Regsosek/DTSEN)
REL_TEXT = {1: "KEPALA KELUARGA", 2: "ISTRI", 3: "ANAK", 4: "MENANTU", 5: "CUCU", 6: "ORANG TUA",
            7: "FAMILI LAIN"}
_ROLES = ("head", "spouse", "child", "mchild", "menantu", "cucu", "parent", "famili", "twin")
_MUHAMMAD = np.array(["MUHAMMAD", "MUHAMAD", "MOHAMMAD", "MOH.", "MOCH.", "M.", "MUH.", "MOCHAMAD"], dtype=object)
_PLACES = np.array(["GROBOGAN", "PURWODADI", "DEMAK", "BLORA", "SEMARANG", "KUDUS", "PATI", "SRAGEN",
                    "GODONG", "WIROSARI"], dtype=object)

#: The column mapping a user would give lm.link (linkmiskin field -> list column).
COLUMNS = {
    "dtsen": {"record_id": "ID_ART", "nik": "NIK", "kk": "NO_KK", "name": "NAMA_ART", "birth_date": "TGL_LHR",
              "sex": "JNS_KEL", "relationship": "HUB_KRT", "desa": "DESA", "kecamatan": "KECAMATAN",
              "rt": "RT", "rw": "RW", "address": "ALAMAT", "decile": "DESIL"},
    "sekolah": {"record_id": "NO", "nik": "NIK_SISWA", "name": "NAMA_SISWA", "birth_date": "TGL_LAHIR_SISWA",
                "sex": "JK", "mother_name": "NAMA_IBU", "father_name": "NAMA_AYAH", "address": "ALAMAT"},
    "kesehatan": {"record_id": "NO", "nik": "NIK", "name": "NAMA", "sex": "JK", "mother_name": "NAMA_IBU",
                  "address": "ALAMAT"},
    "pkh": {"record_id": "ID_ANGGOTA", "kk": "NO_KK", "name": "NAMA_ANGGOTA", "relationship": "STATUS_ANGGOTA",
            "household_key": "ID_KELUARGA_PKH", "address": "ALAMAT", "desa": "DESA", "kecamatan": "KECAMATAN"},
    "blt_dd": {"record_id": "NO", "nik": "NIK", "name": "NAMA_KPM", "birth_date": "TTL", "address": "ALAMAT",
               "desa": "DESA"},
}


@dataclass
class WorldB:
    """A generated world: lists as written, truth, population and the column mapping a user would give."""

    sources: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    population: pd.DataFrame
    columns: dict[str, dict[str, str]]
    region: str = REGION
    seed: int = 0
    households: int = 0
    files: dict[str, str] = field(default_factory=lambda: {k: v[0] for k, v in LIST_FORMATS.items()})

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write each list in its native format plus ``truth.csv``; returns ``{source: path}``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out: dict[str, Path] = {}
        for src, df in self.sources.items():
            p = d / self.files[src]
            if src == "dtsen":
                _write_xlsx(df, p, title=TITLE)
            elif p.suffix == ".xlsx":
                _write_xlsx(df, p)
            elif src == "blt_dd":
                df.to_csv(p, sep=";", index=False, encoding="cp1252", quoting=csv.QUOTE_MINIMAL)
            else:
                df.to_csv(p, index=False, encoding="utf-8")
            out[src] = p
        self.truth.to_csv(d / "truth.csv", index=False)
        out["truth"] = d / "truth.csv"
        return out


def _write_xlsx(df: pd.DataFrame, path: Path, title: str | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    if title:
        ws.append([title])
        ws.append([])
    ws.append(list(df.columns))
    cols = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns]
    for row in zip(*cols):
        ws.append(list(row))
    wb.save(path)


# ------------------------------------------------------------------------------------------- vocabulary


def _vocab() -> dict:
    given = pd.read_csv(DATA / "given_names.csv", dtype={"weight": float}, keep_default_na=False)
    nick = pd.read_csv(DATA / "nicknames.csv", dtype=str, keep_default_na=False)
    nick = nick[nick["name"] != nick["nickname"]]
    desa = pd.read_csv(DATA / "grobogan_desa.csv", dtype=str)
    mig = pd.read_csv(DATA / "migrant_kecamatan.csv", dtype=str)
    dusun = pd.read_csv(DATA / "dusun.csv", dtype=str)["dusun"].to_numpy(object)
    return {"given": given, "nick": dict(zip(nick["name"], nick["nickname"])), "desa": desa,
            "migrant": mig["kecamatan_code"].str.replace(".", "", regex=False).to_numpy(object), "dusun": dusun}


_PREFIXES = {"SRI", "SITI", "MUHAMMAD", "AHMAD", "ABDUL", "NUR"}


def _names(rng: np.random.Generator, female: np.ndarray, by: np.ndarray, given: pd.DataFrame) -> np.ndarray:
    """Javanese-weighted names: older people mostly mononyms, younger two or three tokens."""
    n = len(female)
    old = by < 1975
    tok = [np.full(n, "", dtype=object) for _ in range(3)]
    u = rng.random(n)
    ntok = np.where(old, np.where(u < 0.78, 1, 2), np.where(u < 0.15, 1, np.where(u < 0.9, 2, 3)))
    for fem in (False, True):
        for is_old in (False, True):
            m = (female == fem) & (old == is_old)
            k = int(m.sum())
            if not k:
                continue
            pool = given[(given["sex"] == ("P" if fem else "L"))
                         & given["era"].isin(["old" if is_old else "young", "any"])]
            names = pool["name"].to_numpy(object)
            w = pool["weight"].to_numpy(float)
            tok[0][m] = rng.choice(names, size=k, p=w / w.sum())
            later = pool[~pool["name"].isin(_PREFIXES)]
            ln, lw = later["name"].to_numpy(object), later["weight"].to_numpy(float)
            tok[1][m] = rng.choice(ln, size=k, p=lw / lw.sum())
            tok[2][m] = rng.choice(ln, size=k, p=lw / lw.sum())
    first = tok[0]
    force2 = np.isin(first, ["MUHAMMAD", "AHMAD", "ABDUL"]) & (ntok == 1)
    ntok = np.where(force2, 2, ntok)
    same = tok[1] == first
    tok[1][same] = np.where(female[same], "LESTARI", "SANTOSO")
    s = pd.Series(first)
    s = s.where(ntok < 2, s + " " + pd.Series(tok[1]))
    s = s.where(ntok < 3, s + " " + pd.Series(tok[2]))
    return s.to_numpy(object)


def _old_spelling(s: pd.Series) -> pd.Series:
    """EYD -> pre-1972 spelling (J->DJ, Y->J, C->TJ, KH->CH, U->OE)."""
    return (s.str.replace("J", "DJ", regex=False).str.replace("Y", "J", regex=False)
            .str.replace("C", "TJ", regex=False).str.replace("KH", "CH", regex=False)
            .str.replace("U", "OE", regex=False))


# ------------------------------------------------------------------------------------------- population


def _population(rng: np.random.Generator, H: int, vocab: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    desa = vocab["desa"]
    nd = len(desa)
    # ---- households (old state)
    dw = rng.lognormal(0, 0.5, nd)
    hh = pd.DataFrame({
        "desa": rng.choice(nd, size=H, p=dw / dw.sum()),
        "dusun": rng.integers(0, len(vocab["dusun"]), H),
        "rt": rng.geometric(0.22, H).clip(1, 15),
        "rw": rng.geometric(0.35, H).clip(1, 9),
        "decile": rng.choice(np.arange(1, 11), size=H, p=np.array([16, 15, 14, 12, 10, 9, 8, 6, 5, 5]) / 100),
    })
    head_age = (21 + rng.gamma(4.0, 8.0, H)).astype(int).clip(21, 92)
    head_female = rng.random(H) < np.where(head_age > 60, 0.3, 0.1)
    has_spouse = ~head_female & (rng.random(H) < np.where(head_age > 70, 0.6, 0.9))
    n_child = rng.poisson(np.where(head_age < 35, 1.3, np.where(head_age < 55, 2.0, 0.6))).clip(0, 6)
    three = (head_age >= 48) & (rng.random(H) < 0.16)
    n_cucu = np.where(three, rng.integers(1, 4, H), 0)
    has_parent = (head_age < 60) & (rng.random(H) < 0.10)
    has_famili = rng.random(H) < 0.03

    blocks = []
    idx = np.arange(H)

    def block(hidx, role, rel, age, female):
        blocks.append(pd.DataFrame({"hh": hidx, "role": role, "rel": rel, "age": age, "female": female}))

    block(idx, "head", 1, head_age, head_female)
    s = idx[has_spouse]
    block(s, "spouse", 2, (head_age[s] + rng.integers(-10, 4, len(s))).clip(18, 95), True)
    c = np.repeat(idx, n_child)
    cmax = np.maximum(np.minimum(head_age[c] - 19, 28), 1)
    block(c, "child", 3, (rng.random(len(c)) * cmax).astype(int), rng.random(len(c)) < 0.5)
    t = idx[three]
    mage = (head_age[t] - 21 - rng.integers(0, 10, len(t))).clip(19, 60)
    mfem = rng.random(len(t)) < 0.5
    block(t, "mchild", 3, mage, mfem)
    block(t, "menantu", 4, (mage + rng.integers(-4, 5, len(t))).clip(18, 70), ~mfem)
    cu = np.repeat(idx, n_cucu)
    cucu_max = np.maximum(np.repeat(mage, n_cucu[three]) - 19, 1)
    block(cu, "cucu", 5, (rng.random(len(cu)) * np.minimum(cucu_max, 15)).astype(int), rng.random(len(cu)) < 0.5)
    p = idx[has_parent]
    block(p, "parent", 6, (head_age[p] + rng.integers(20, 33, len(p))).clip(40, 98), rng.random(len(p)) < 0.7)
    f = idx[has_famili]
    block(f, "famili", 7, rng.integers(8, 70, len(f)), rng.random(len(f)) < 0.5)
    pop = pd.concat(blocks, ignore_index=True)

    # ---- twins: a copy of some children/cucu with the same birth date
    kids = np.flatnonzero(pop["role"].isin(["child", "cucu"]).to_numpy())
    tw = kids[rng.random(len(kids)) < 0.015]
    twins = pop.iloc[tw].copy()
    twins["role"] = "twin"
    twins["female"] = np.where(rng.random(len(tw)) < 0.55, twins["female"], ~twins["female"].astype(bool))
    twins["twin_of"] = tw
    pop["twin_of"] = -1
    pop = pd.concat([pop, twins], ignore_index=True)
    pop = pop.sort_values(["hh", "rel"], kind="stable").reset_index(drop=True)
    n = len(pop)
    female = pop["female"].to_numpy(bool)

    # ---- birth dates (with heaping for older people)
    by = 2025 - pop["age"].to_numpy(int)
    doy = rng.integers(0, 365, n)
    dates = (by - 1970).astype("datetime64[Y]").astype("datetime64[D]") + doy
    # reorder by new twin positions: twins share the date of their sibling
    tw_new = np.flatnonzero(pop["twin_of"].to_numpy() >= 0)
    orig_pos = pd.Series(np.arange(n), index=pop.index)
    # after sort, find each twin's sibling: same hh, same age, role child/cucu, twin_of points to old index
    sib_key = pop.loc[tw_new, ["hh", "age"]]
    nontwin = pop[(pop["role"].isin(["child", "cucu"]))]
    sib_first = nontwin.reset_index().drop_duplicates(["hh", "age"]).set_index(["hh", "age"])["index"]
    sib = sib_first.reindex(pd.MultiIndex.from_frame(sib_key)).to_numpy()
    ok = ~np.isnan(sib.astype(float))
    dates[tw_new[ok]] = dates[sib[ok].astype(int)]
    del orig_pos
    ymd = pd.DatetimeIndex(dates)
    y, m, d = ymd.year.to_numpy(), ymd.month.to_numpy(), ymd.day.to_numpy()
    heap_p = np.select([y < 1960, y < 1980, y < 2000], [0.5, 0.22, 0.06], 0.01)
    heaped = rng.random(n) < heap_p
    kind = rng.choice(3, size=n, p=[0.5, 0.25, 0.25])
    m = np.where(heaped, np.array([1, 12, 7])[kind], m)
    d = np.where(heaped, np.array([1, 31, 1])[kind], d)
    heaped[tw_new[ok]] = heaped[sib[ok].astype(int)]
    m[tw_new[ok]] = m[sib[ok].astype(int)]
    d[tw_new[ok]] = d[sib[ok].astype(int)]
    year_only = heaped & (kind == 0) & (rng.random(n) < 0.4)
    pop["by"], pop["bm"], pop["bd"], pop["heaped"], pop["year_only"] = y, m, d, heaped, year_only

    # ---- names
    pop["name"] = _names(rng, female, y, vocab["given"])
    hn = np.full(n, "", dtype=object)
    hh_arr = pop["hh"].to_numpy()
    rel = pop["rel"].to_numpy()
    role = pop["role"].to_numpy(object)
    head_pos = np.flatnonzero(role == "head")
    head_of = np.full(H, -1)
    head_of[hh_arr[head_pos]] = head_pos
    hpos = head_of[hh_arr]
    # twins: rhyming or sibling-sharing names, labelled
    if ok.any():
        a, b = sib[ok].astype(int), tw_new[ok]
        names = pop["name"].to_numpy(object)
        last = pd.Series(names[a]).str.split(" ").str[-1].to_numpy(object)
        multi = pd.Series(names[a]).str.contains(" ").to_numpy()
        first_b = pd.Series(names[b]).str.split(" ").str[0].to_numpy(object)
        shared = np.where(multi & (first_b != last), first_b + " " + last, names[b])
        names[b] = np.where(shared == names[a], names[b], shared)     # twins never share a full name
        clash = names[b] == names[a]
        names[b[clash]] = names[b[clash]] + np.where(female[b[clash]], " LESTARI", " SAPUTRA")
        pop["name"] = names
        hn[a] = "twin:" + pd.Series(a).astype(str).to_numpy(object)
        hn[b] = hn[a]
    # sons named after their father
    names = pop["name"].to_numpy(object)
    fs = np.flatnonzero((role == "child") & ~female & ~female[hpos] & (rng.random(n) < 0.03) & (hn == ""))
    names[fs] = names[hpos[fs]]
    hn[fs] = "father_son:" + pd.Series(hpos[fs]).astype(str).to_numpy(object)
    hn[hpos[fs]] = hn[fs]
    # deliberate strangers: same name, sex and birth date as someone in another household
    cand = np.flatnonzero((hn == "") & (rng.random(n) < 0.006))
    donor = rng.integers(0, n, len(cand))
    good = (female[donor] == female[cand]) & (hh_arr[donor] != hh_arr[cand]) & (hn[donor] == "")
    cand, donor = cand[good], donor[good]
    names[cand] = names[donor]
    for col in ("by", "bm", "bd", "heaped", "year_only"):
        arr = pop[col].to_numpy().copy()
        arr[cand] = arr[donor]
        pop[col] = arr
    pop["name"] = names
    # natural and injected look-alikes: same name and birth date, different households
    key = pd.DataFrame({"n": names, "y": pop["by"], "m": pop["bm"], "d": pop["bd"]})
    g = key.groupby(["n", "y", "m", "d"], sort=False).ngroup().to_numpy()
    size = np.bincount(g)
    free = hn == ""
    look = free & (size[g] > 1)
    # only groups with >= 2 free members
    fsize = np.bincount(g[free], minlength=len(size))
    look &= fsize[g] > 1
    hn[look] = "same_name_same_dob:" + pd.Series(g[look]).astype(str).to_numpy(object)
    pop["hard_negative_group"] = hn

    # ---- register spelling, parents' names
    old_sp = (pop["by"].to_numpy() < 1965) & (rng.random(n) < 0.4)
    pop["old_spelling"] = old_sp
    spouse_pos = np.full(H, -1)
    sp = np.flatnonzero(role == "spouse")
    spouse_pos[hh_arr[sp]] = sp
    mch_pos = np.full(H, -1)
    mp = np.flatnonzero(role == "mchild")
    mch_pos[hh_arr[mp]] = mp
    men_pos = np.full(H, -1)
    mn = np.flatnonzero(role == "menantu")
    men_pos[hh_arr[mn]] = mn
    random_mother = _names(rng, np.ones(n, bool), np.full(n, 1940), vocab["given"])
    random_father = _names(rng, np.zeros(n, bool), np.full(n, 1940), vocab["given"])
    mother = random_mother.copy()
    father = random_father.copy()
    is_child = np.isin(role, ["child", "twin", "mchild"]) & (rel == 3)
    hp, spp = hpos, spouse_pos[hh_arr]
    # mother: female head or spouse; father: male head
    mom = np.where(female[hp], hp, spp)
    dad = np.where(~female[hp], hp, -1)
    cm = is_child & (mom >= 0)
    mother[cm] = names[mom[cm]]
    cd = is_child & (dad >= 0)
    father[cd] = names[dad[cd]]
    cu = np.isin(role, ["cucu", "twin"]) & (rel == 5)
    mc, me = mch_pos[hh_arr], men_pos[hh_arr]
    cmom = np.where(female[np.maximum(mc, 0)], mc, me)
    cdad = np.where(female[np.maximum(mc, 0)], me, mc)
    ok2 = cu & (cmom >= 0)
    mother[ok2] = names[cmom[ok2]]
    ok2 = cu & (cdad >= 0)
    father[ok2] = names[cdad[ok2]]
    pop["mother_name"], pop["father_name"] = mother, father
    pop["person_id"] = "B" + pd.Series(np.arange(n)).astype(str).str.zfill(7).to_numpy(object)
    return pop, hh


def _nik(rng: np.random.Generator, pop: pd.DataFrame, kec6: np.ndarray, vocab: dict) -> np.ndarray:
    """NIK = region of first registration + DDMMYY (+40 women) + serial per 12-digit prefix."""
    n = len(pop)
    role = pop["role"].to_numpy(object)
    p_mig = np.select([role == "menantu", role == "parent", np.isin(role, ["head", "spouse", "famili"])],
                      [0.4, 0.15, 0.08], 0.02)
    mig = rng.random(n) < p_mig
    region = np.where(mig, rng.choice(vocab["migrant"], n), kec6)
    d, m, y = pop["bd"].to_numpy(), pop["bm"].to_numpy(), pop["by"].to_numpy()
    shift = rng.random(n) < 0.02  # NIK codes another date (not re-issued when the date was corrected)
    d = np.where(shift, rng.integers(1, 29, n), d)
    dd = d + np.where(pop["female"].to_numpy(bool), 40, 0)
    pre = (pd.Series(region) + pd.Series(dd).astype(str).str.zfill(2) + pd.Series(m).astype(str).str.zfill(2)
           + pd.Series(y % 100).astype(str).str.zfill(2))
    order = rng.permutation(n)
    serial = np.empty(n, dtype=np.int64)
    serial[order] = pd.Series(pre.to_numpy()[order]).groupby(pre.to_numpy()[order]).cumcount().to_numpy() + 1
    nik = (pre + pd.Series(serial).astype(str).str.zfill(4)).to_numpy(object)
    age = pop["age"].to_numpy()
    none = rng.random(n) < np.select([age < 1, age < 6], [0.4, 0.1], 0.01)
    nik[none] = None
    return nik


def _kk(rng: np.random.Generator, kec6: np.ndarray) -> np.ndarray:
    n = len(kec6)
    reg = np.datetime64("2008-01-01") + rng.integers(0, 16 * 365, n)
    r = pd.DatetimeIndex(reg)
    pre = (pd.Series(kec6) + pd.Series(r.day).astype(str).str.zfill(2) + pd.Series(r.month).astype(str).str.zfill(2)
           + pd.Series(r.year % 100).astype(str).str.zfill(2))
    serial = pre.groupby(pre).cumcount() + 1
    return (pre + serial.astype(str).str.zfill(4)).to_numpy(object)


def _states(rng, pop: pd.DataFrame, hh: pd.DataFrame, vocab: dict) -> pd.DataFrame:
    """Old and new state per person: household id, KK, relationship, desa, dusun, RT, RW."""
    H = len(hh)
    desa = vocab["desa"]
    kec_of_desa = desa["kecamatan_code"].str.replace(".", "", regex=False).to_numpy(object)
    kec_idx = pd.factorize(desa["kecamatan_code"])[0]
    hh["kk"] = _kk(rng, kec_of_desa[hh["desa"].to_numpy()])
    # moves
    new = hh.copy()
    u = rng.random(H)
    mv = u < 0.06
    kind = rng.choice(3, size=H, p=[0.5, 0.3, 0.2])
    new.loc[mv, "rt"] = rng.geometric(0.22, H)[mv].clip(1, 15)
    new.loc[mv, "rw"] = rng.geometric(0.35, H)[mv].clip(1, 9)
    # desa within the same kecamatan
    same_kec = mv & (kind == 1)
    for i in np.flatnonzero(same_kec):
        opts = np.flatnonzero(kec_idx == kec_idx[hh.at[i, "desa"]])
        new.at[i, "desa"] = rng.choice(opts)
        new.at[i, "dusun"] = rng.integers(0, len(vocab["dusun"]))
    other = mv & (kind == 2)
    new.loc[other, "desa"] = rng.integers(0, len(desa), int(other.sum()))
    new.loc[other, "dusun"] = rng.integers(0, len(vocab["dusun"]), int(other.sum()))
    renew = other | (rng.random(H) < 0.03)
    new.loc[renew, "kk"] = _kk(rng, kec_of_desa[new.loc[renew, "desa"].to_numpy()])
    # splits: married child + menantu + cucu form a new household
    role = pop["role"].to_numpy(object)
    hh_arr = pop["hh"].to_numpy()
    has3 = np.zeros(H, bool)
    has3[hh_arr[role == "mchild"]] = True
    split = has3 & (rng.random(H) < 0.35)
    sidx = np.flatnonzero(split)
    ns = len(sidx)
    sh = hh.iloc[sidx].copy().reset_index(drop=True)
    sh.index = np.arange(H, H + ns)
    far = rng.random(ns) < 0.4
    sh.loc[far, "desa"] = rng.integers(0, len(desa), int(far.sum()))
    sh["rt"] = rng.geometric(0.22, ns).clip(1, 15)
    sh["kk"] = _kk(rng, kec_of_desa[sh["desa"].to_numpy()])
    new = pd.concat([new, sh])
    new_id = np.full(H, -1)
    new_id[sidx] = np.arange(H, H + ns)
    moves = np.isin(role, ["mchild", "menantu", "cucu"]) | ((role == "twin") & (pop["rel"].to_numpy() == 5))
    goes = moves & split[hh_arr]
    hh_new = np.where(goes, new_id[hh_arr], hh_arr)
    rel_old = pop["rel"].to_numpy()
    rel_new = rel_old.copy()
    rel_new[goes & (role == "mchild")] = 1
    rel_new[goes & (role == "menantu")] = 2
    rel_new[goes & (rel_old == 5)] = 3
    st = pd.DataFrame(index=pop.index)
    for tag, hid, table, relv in (("old", hh_arr, hh, rel_old), ("new", hh_new, new, rel_new)):
        st[f"hh_{tag}"] = "HB" + pd.Series(hid).astype(str).str.zfill(7).to_numpy(object)
        t = table.loc[hid]
        st[f"rel_{tag}"] = relv
        for c in ("desa", "dusun", "rt", "rw", "kk", "decile"):
            st[f"{c}_{tag}"] = t[c].to_numpy()
    st["moved"] = mv[hh_arr]
    st["split"] = goes
    return st


# ------------------------------------------------------------------------------------------- damage


def _typo(rng: np.random.Generator, s: np.ndarray) -> np.ndarray:
    out = s.copy()
    letters = "AIUEOKGNMRSTDBPLHJYW"
    for i, v in enumerate(out):
        if not isinstance(v, str) or len(v) < 4:
            continue
        j = int(rng.integers(1, len(v) - 1))
        op = rng.integers(0, 4)
        if op == 0:
            v = v[:j] + letters[rng.integers(0, len(letters))] + v[j + 1:]
        elif op == 1:
            v = v[:j] + v[j + 1:]
        elif op == 2:
            v = v[:j] + v[j] + v[j:]
        else:
            v = v[:j - 1] + v[j] + v[j - 1] + v[j + 1:]
        out[i] = v
    return out


def _render_names(rng, pop_rows: pd.DataFrame, vocab: dict, r: dict) -> np.ndarray:
    """Write the register name as a list would: spelling flips, Muhammad forms, SRI/SITI drop,
    nicknames, titles, BIN/BINTI, typos."""
    n = len(pop_rows)
    base = pd.Series(pop_rows["name"].to_numpy(object))
    old = pd.Series(pop_rows["old_spelling"].to_numpy(bool))
    flip = pd.Series(rng.random(n) < r.get("spelling_flip", 0.15))
    older = pd.Series(pop_rows["by"].to_numpy() < 1975)
    use_old = (old & ~flip) | (~old & flip & older)
    s = base.where(~use_old, _old_spelling(base))
    mu = s.str.startswith("MUHAMMAD ") & (rng.random(n) < r.get("muhammad", 0.5))
    s = s.where(~mu, pd.Series(rng.choice(_MUHAMMAD, n)) + s.str.slice(8))
    drop = s.str.match(r"^(SRI|SITI) \w") & (rng.random(n) < r.get("sri_drop", 0.15))
    s = s.where(~drop, s.str.split(" ", n=1).str[1])
    nk = rng.random(n) < r.get("nickname", 0.04)
    su = nk & s.str.match(r"^SU[A-Z]{4,}$")
    s = s.where(~su, s.str.slice(2))
    nick = s.map(vocab["nick"])
    tbl = nk & ~su & nick.notna()
    s = s.where(~tbl, nick)
    age = 2025 - pop_rows["by"].to_numpy()
    fem = pop_rows["female"].to_numpy(bool)
    haji = (age >= 45) & (rng.random(n) < r.get("title", 0.04))
    s = s.where(~haji, pd.Series(np.where(fem, "HJ. ", "H. ")) + s)
    deg = (age >= 25) & (rng.random(n) < r.get("title", 0.04) / 4)
    s = s.where(~deg, s + pd.Series(rng.choice(np.array([", S.PD", ", S.PD.I", " DRS."], dtype=object), n)))
    fix = deg & s.str.endswith(" DRS.")
    s = s.where(~fix, "DRS. " + s.str.slice(0, -5))
    bb = rng.random(n) < r.get("bin", 0.0)
    father = pd.Series(pop_rows["father_name"].to_numpy(object)).str.split(" ").str[0]
    s = s.where(~bb, s + pd.Series(np.where(fem, " BINTI ", " BIN ")) + father)
    out = s.to_numpy(object)
    ty = np.flatnonzero(rng.random(n) < r.get("typo", 0.03))
    out[ty] = _typo(rng, out[ty])
    return out


def _render_nik(rng, nik: np.ndarray, r: dict, kk: np.ndarray | None = None) -> np.ndarray:
    out = nik.copy()
    n = len(out)
    has = pd.notna(out)
    u = rng.random(n)
    tr = has & (u < r.get("transpose", 0.015))
    ty = has & (u >= 0.5) & (u < 0.5 + r.get("typo", 0.01))
    for i in np.flatnonzero(tr | ty):
        v = out[i]
        j = int(rng.integers(6, 15))
        if tr[i]:
            v = v[:j] + v[j + 1] + v[j] + v[j + 2:]
        else:
            v = v[:j] + str((int(v[j]) + int(rng.integers(1, 10))) % 10) + v[j + 1:]
        out[i] = v
    if kk is not None:
        kn = has & (rng.random(n) < r.get("kk_as_nik", 0.0))
        out[kn] = kk[kn]
    miss = rng.random(n) < r.get("missing", 0.03)
    out[miss] = None
    return out


def _render_date(rng, rows: pd.DataFrame, r: dict, fmt: str) -> np.ndarray:
    n = len(rows)
    y, m, d = rows["by"].to_numpy().copy(), rows["bm"].to_numpy().copy(), rows["bd"].to_numpy().copy()
    sw = (rng.random(n) < r.get("swap", 0.025)) & (d <= 12) & (d != m)
    m, d = np.where(sw, d, m), np.where(sw, m, d)
    yt = rng.random(n) < r.get("year_typo", 0.02)
    y = np.where(yt, y + rng.choice([-1, 1], n), y)
    Y = pd.Series(y).astype(str)
    M = pd.Series(m).astype(str).str.zfill(2)
    D = pd.Series(d).astype(str).str.zfill(2)
    if fmt == "dmy/":
        s = D + "/" + M + "/" + Y
    elif fmt == "dmy-":
        s = D + "-" + M + "-" + Y
    elif fmt == "iso":
        s = Y + "-" + M + "-" + D
    else:  # mixed iso / dmy-
        s = (Y + "-" + M + "-" + D).where(rng.random(n) < 0.6, D + "-" + M + "-" + Y)
    out = s.to_numpy(object)
    yo = rows["year_only"].to_numpy(bool) & (rng.random(n) < r.get("year_only", 0.0))
    out[yo] = Y.to_numpy(object)[yo]
    ph = rng.random(n) < r.get("placeholder", 0.02)
    out[ph] = rng.choice(np.array(["01-01-1900", "00-00-0000"], dtype=object), int(ph.sum()))
    miss = rng.random(n) < r.get("missing", 0.02)
    out[miss] = None
    return out


def _rtrw_text(rng, rt: np.ndarray, rw: np.ndarray) -> np.ndarray:
    RT, RW = pd.Series(rt).astype(str), pd.Series(rw).astype(str)
    v = [("RT " + RT.str.zfill(3) + "/RW " + RW.str.zfill(3)), ("Rt." + RT + " Rw." + RW),
         ("RT.0" + RT.str.zfill(2).str.slice(-2) + " RW.0" + RW.str.zfill(2).str.slice(-2)),
         ("RT " + RT + " RW " + RW), (RT.str.zfill(3) + "/" + RW.str.zfill(3))]
    arr = np.stack([x.to_numpy(object) for x in v], axis=1)
    k = rng.choice(len(v), size=len(rt), p=[0.35, 0.2, 0.15, 0.2, 0.1])
    return arr[np.arange(len(rt)), k]


def _address(rng, dusun: np.ndarray, rt, rw, desa_name: np.ndarray | None, with_rtrw: bool = True) -> np.ndarray:
    n = len(dusun)
    pre = rng.choice(np.array(["DK. ", "DUSUN ", "DSN. ", "", "DK "], dtype=object), n, p=[0.35, 0.2, 0.15, 0.2, 0.1])
    s = pd.Series(pre) + pd.Series(dusun)
    if with_rtrw:
        s = s + " " + pd.Series(_rtrw_text(rng, rt, rw))
    if desa_name is not None:
        dp = rng.choice(np.array([" DS. ", " DESA ", " ", " KEL. "], dtype=object), n, p=[0.4, 0.3, 0.2, 0.1])
        s = s + pd.Series(dp) + pd.Series(desa_name)
    return s.to_numpy(object)


def _dups(rng, idx: np.ndarray, rate: float) -> np.ndarray:
    extra = idx[rng.random(len(idx)) < rate]
    return np.sort(np.concatenate([idx, extra]), kind="stable")


# ------------------------------------------------------------------------------------------- lists


def _bps_desa_code(desa: pd.DataFrame) -> np.ndarray:
    """A BPS-style 10-digit desa code: prov(2) kab(2) kec(3 = Kemendagri kec x 10) desa(3)."""
    parts = desa["desa_code"].str.split(".", expand=True)
    return (parts[0] + parts[1] + (parts[2].astype(int) * 10).astype(str).str.zfill(3)
            + parts[3].str.slice(1).str.zfill(3)).to_numpy(object)


def generate(households: int = 2000, seed: int = 0) -> WorldB:
    """Generate world B: a Grobogan population and five damaged lists drawn from it (deterministic)."""
    rng = np.random.default_rng([seed, 20250])
    vocab = _vocab()
    pop, hh = _population(rng, households, vocab)
    desa = vocab["desa"]
    st = _states(rng, pop, hh, vocab)
    kec6 = desa["kecamatan_code"].str.replace(".", "", regex=False).to_numpy(object)[st["desa_old"].to_numpy()]
    pop["nik"] = _nik(rng, pop, kec6, vocab)
    pop = pd.concat([pop, st], axis=1)
    desa_name = desa["desa_name"].to_numpy(object)
    kec_name = desa["kecamatan_name"].to_numpy(object)
    bps = _bps_desa_code(desa)
    dusun = vocab["dusun"]
    age = pop["age"].to_numpy()
    sources: dict[str, pd.DataFrame] = {}
    truth: list[pd.DataFrame] = []

    def add_truth(src, rid, rows, tag):
        truth.append(pd.DataFrame({"source": src, "record_id": pd.Series(rid).astype(str).to_numpy(object),
                                   "person_id": rows["person_id"].to_numpy(object),
                                   "household_id": rows[f"hh_{tag}"].to_numpy(object),
                                   "hard_negative_group": rows["hard_negative_group"].to_numpy(object)}))

    # ---- DTSEN (new state): most households, family-ordered, title row
    hh_new = pop["hh_new"].to_numpy(object)
    uh = pd.unique(hh_new)
    dec_new = pop.groupby("hh_new")["decile_new"].first()
    p_in = np.where(dec_new.reindex(uh).to_numpy() <= 4, 0.95, 0.75)
    keep_hh = set(uh[rng.random(len(uh)) < p_in])
    head_only = set(uh[rng.random(len(uh)) < 0.03])
    inh = pd.Series(hh_new).isin(keep_hh).to_numpy()
    ho = pd.Series(hh_new).isin(head_only).to_numpy() & (pop["rel_new"].to_numpy() != 1)
    drop = (rng.random(len(pop)) < 0.02) & (pop["rel_new"].to_numpy() != 1)
    sel = np.flatnonzero(inh & ~ho & ~drop)
    sel = _dups(rng, sel, 0.01)
    rows = pop.iloc[sel].sort_values(["hh_new", "rel_new"], kind="stable")
    n = len(rows)
    dn = rows["desa_new"].to_numpy()
    rel = rows["rel_new"].to_numpy().copy()
    rel[rng.random(n) < 0.01] = 9
    desa_col = np.where(rng.random(n) < 0.2, bps[dn], desa_name[dn])
    kec_col = np.where(rng.random(n) < 0.3, "KEC. " + kec_name[dn].astype(object), kec_name[dn])
    kk = rows["kk_new"].to_numpy(object).copy()
    kk[rng.random(n) < 0.02] = None
    kk_ty = np.flatnonzero(rng.random(n) < 0.01)
    kk[kk_ty] = _render_nik(rng, kk[kk_ty], {"typo": 1.0, "transpose": 0.0, "missing": 0.0})
    rid = "DT" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(8).to_numpy(object)
    dt = pd.DataFrame({
        "NO": np.arange(1, n + 1), "ID_ART": rid, "NO_KK": kk,
        "NIK": _render_nik(rng, rows["nik"].to_numpy(object), {"missing": 0.03, "kk_as_nik": 0.005}, kk=rows["kk_new"].to_numpy(object)),
        "NAMA_ART": _render_names(rng, rows, vocab, {"bin": 0.03, "title": 0.03, "typo": 0.02}),
        "HUB_KRT": rel, "JNS_KEL": np.where(rows["female"].to_numpy(bool), 2, 1),
        "TGL_LHR": _render_date(rng, rows, {"year_only": 0.6}, "dmy/"),
        "KECAMATAN": kec_col, "DESA": desa_col,
        "RT": pd.Series(rows["rt_new"].to_numpy()).astype(str).str.zfill(3).to_numpy(object),
        "RW": pd.Series(rows["rw_new"].to_numpy()).astype(str).str.zfill(3).to_numpy(object),
        "ALAMAT": _address(rng, dusun[rows["dusun_new"].to_numpy()], None, None, None, with_rtrw=False),
        "DESIL": rows["decile_new"].to_numpy(),
    })
    sources["dtsen"] = dt
    add_truth("dtsen", rid, rows, "new")

    # ---- school list (new state): children 6-18, sorted by school, NISN, NIK for some
    sel = np.flatnonzero((age >= 6) & (age <= 18) & (rng.random(len(pop)) < 0.85))
    sel = _dups(rng, sel, 0.01)
    rows = pop.iloc[sel]
    n = len(rows)
    school = rng.choice(np.array(["SD N 1", "SD N 2", "SD N 3", "MI MUHAMMADIYAH", "SMP N 1", "SMP N 2",
                                  "MTS NU", "SMA N 1", "SMK N 1", "MA AL HIKMAH"], dtype=object), n)
    dn = rows["desa_new"].to_numpy()
    school = school + " " + kec_name[dn].astype(object)
    order = np.lexsort((rng.random(n), school))
    rows, school = rows.iloc[order], school[order]
    dn = rows["desa_new"].to_numpy()
    nik = rows["nik"].to_numpy(object).copy()
    nik[rng.random(n) < 0.45] = None
    fr = rows.assign(name=rows["father_name"], old_spelling=False, female=False, by=rows["by"] - 28)
    mr = rows.assign(name=rows["mother_name"], old_spelling=False, female=True, by=rows["by"] - 25)
    fathers = _render_names(rng, fr, vocab, {"typo": 0.03, "nickname": 0.1, "title": 0.05})
    fathers[rng.random(n) < 0.08] = None
    sk = pd.DataFrame({
        "NO": np.arange(1, n + 1),
        "NISN": ("00" + pd.Series(rng.integers(10**7, 10**8, n)).astype(str)).to_numpy(object),
        "NIK_SISWA": _render_nik(rng, nik, {"missing": 0.0}),
        "NAMA_SISWA": _render_names(rng, rows, vocab, {"typo": 0.02, "nickname": 0.02, "title": 0.0}),
        "JK": np.where(rows["female"].to_numpy(bool), "P", "L"),
        "TEMPAT_LAHIR": rng.choice(_PLACES, n),
        "TGL_LAHIR_SISWA": _render_date(rng, rows, {"placeholder": 0.005}, "mixed"),
        "NAMA_AYAH": fathers,
        "NAMA_IBU": _render_names(rng, mr, vocab, {"typo": 0.03, "sri_drop": 0.3}),
        "ALAMAT": _address(rng, dusun[rows["dusun_new"].to_numpy()], rows["rt_new"].to_numpy(),
                           rows["rw_new"].to_numpy(), desa_name[dn]),
        "NAMA_SEKOLAH": school,
    })
    sources["sekolah"] = sk
    add_truth("sekolah", sk["NO"], rows, "new")

    # ---- health list (new state): age only, visit dates, repeat visits
    fem = pop["female"].to_numpy(bool)
    p = np.select([age < 5, fem & (age >= 18) & (age <= 45), age >= 60], [0.7, 0.15, 0.35], 0.0)
    sel = np.flatnonzero(rng.random(len(pop)) < p)
    sel = _dups(rng, sel, 0.2)
    rows = pop.iloc[sel]
    n = len(rows)
    visit = np.datetime64("2025-01-02") + rng.integers(0, 300, n)
    vd = pd.DatetimeIndex(visit)
    born = pd.to_datetime(pd.DataFrame({"year": rows["by"].to_numpy(), "month": rows["bm"].to_numpy(),
                                        "day": rows["bd"].to_numpy()}))
    months = ((vd.year - born.dt.year) * 12 + (vd.month - born.dt.month) - (vd.day < born.dt.day)).to_numpy()
    years = months // 12
    a = age_n = years.copy()
    a = np.where(rng.random(n) < 0.12, a + rng.choice([-1, 1], n), a).clip(0)
    heap5 = (age_n >= 50) & (rng.random(n) < 0.3)
    a = np.where(heap5, (np.round(a / 5) * 5).astype(int), a)
    A = pd.Series(a).astype(str)
    fmt = rng.choice(4, n, p=[0.35, 0.25, 0.3, 0.1])
    umur = np.stack([(A + " TH").to_numpy(object), (A + " THN").to_numpy(object), A.to_numpy(object),
                     (A + " TAHUN").to_numpy(object)], axis=1)[np.arange(n), fmt]
    baby = years < 1
    umur[baby] = (pd.Series(months[baby]).clip(0).astype(str) + " BLN").to_numpy(object)
    nik = rows["nik"].to_numpy(object).copy()
    nik[rng.random(n) < np.where(age[sel] < 5, 0.9, 0.6)] = None
    mom = _render_names(rng, rows.assign(name=rows["mother_name"], female=True, by=rows["by"] - 25), vocab,
                        {"typo": 0.03, "sri_drop": 0.3})
    mom[(age[sel] >= 12) & (rng.random(n) < 0.85)] = None
    dn = rows["desa_new"].to_numpy()
    order = np.argsort(visit, kind="stable")
    ks = pd.DataFrame({
        "NO": np.arange(1, n + 1),
        "TGL_KUNJUNGAN": pd.Series(vd.strftime("%d-%m-%Y")).to_numpy(object)[order],
        "NAMA": _render_names(rng, rows, vocab, {"typo": 0.04, "nickname": 0.06})[order],
        "UMUR": umur[order], "JK": np.where(rows["female"].to_numpy(bool), "P", "L")[order],
        "NIK": _render_nik(rng, nik, {"missing": 0.0, "transpose": 0.02})[order],
        "NAMA_IBU": mom[order],
        "ALAMAT": _address(rng, dusun[rows["dusun_new"].to_numpy()], rows["rt_new"].to_numpy(),
                           rows["rw_new"].to_numpy(), desa_name[dn])[order],
    })
    sources["kesehatan"] = ks
    add_truth("kesehatan", ks["NO"], rows.iloc[order], "new")

    # ---- PKH (old state, 2023): poor families with children/elderly; members under the pengurus
    alive23 = pop["by"].to_numpy() <= 2023
    hh_old = pop["hh_old"].to_numpy(object)
    elig = pd.Series((age < 18) | (age >= 70)).groupby(hh_old).any()
    poor = pop.groupby("hh_old")["decile_old"].first() <= 3
    fam = elig.index[(elig & poor).to_numpy() & (rng.random(len(elig)) < 0.7)]
    sel = np.flatnonzero(pd.Series(hh_old).isin(set(fam)).to_numpy() & alive23 & (rng.random(len(pop)) > 0.03))
    sel = _dups(rng, sel, 0.005)
    rows = pop.iloc[sel].sort_values(["hh_old", "rel_old"], kind="stable")
    n = len(rows)
    fem = rows["female"].to_numpy(bool)
    relo = rows["rel_old"].to_numpy()
    h = rows["hh_old"].to_numpy(object)
    # pengurus: the wife if there is one, else the head
    cand = np.where((relo == 2) & fem, 0, np.where(relo == 1, 1, 9))
    pr = pd.DataFrame({"h": h, "c": cand, "i": np.arange(n)}).sort_values(["h", "c"]).drop_duplicates("h")
    pidx = pd.Series(pr["i"].to_numpy(), index=pr["h"].to_numpy())[h].to_numpy()
    is_p = pidx == np.arange(n)
    pnik_one = _render_nik(rng, rows["nik"].to_numpy(object)[pr["i"].to_numpy()], {"missing": 0.02})
    pnik = pd.Series(pnik_one, index=pr["h"].to_numpy())[h].to_numpy(object)
    pname_one = _render_names(rng, rows.iloc[pr["i"].to_numpy()], vocab, {"typo": 0.02})
    pname = pd.Series(pname_one, index=pr["h"].to_numpy())[h].to_numpy(object)
    names = _render_names(rng, rows, vocab, {"typo": 0.03, "nickname": 0.05})
    names[is_p] = pname[is_p]
    status = pd.Series(relo).map(REL_TEXT).to_numpy(object)
    status[(relo == 2) & ~fem] = "SUAMI"
    status[is_p] = "PENGURUS"
    age_o = 2023 - rows["by"].to_numpy()
    komp = np.select([age_o < 6, age_o < 13, age_o < 16, age_o < 19, age_o >= 70],
                     ["BALITA", "ANAK SD", "ANAK SMP", "ANAK SMA", "LANSIA"], "")
    dn = rows["desa_old"].to_numpy()
    fam_id = "PKH" + pd.Series(pd.factorize(h)[0] + 1).astype(str).str.zfill(7)
    rid = (fam_id + "-" + (pd.Series(h).groupby(h).cumcount() + 1).astype(str).str.zfill(2)).to_numpy(object)
    kk = rows["kk_old"].to_numpy(object).copy()
    kk[rng.random(n) < 0.03] = None
    pk = pd.DataFrame({
        "ID_ANGGOTA": rid, "ID_KELUARGA_PKH": fam_id.to_numpy(object), "NIK_PENGURUS": pnik,
        "NAMA_PENGURUS": pname, "NO_KK": kk, "NAMA_ANGGOTA": names, "STATUS_ANGGOTA": status,
        "KOMPONEN": komp,
        "ALAMAT": _address(rng, dusun[rows["dusun_old"].to_numpy()], rows["rt_old"].to_numpy(),
                           rows["rw_old"].to_numpy(), None),
        "DESA": desa_name[dn], "KECAMATAN": kec_name[dn],
    })
    sources["pkh"] = pk
    add_truth("pkh", rid, rows, "old")

    # ---- BLT-DD (old state, 2024): one recipient per poor household; cp1252 ';' CSV; Excel-damaged NIKs
    dec = pop.groupby("hh_old")["decile_old"].first()
    fam = dec.index[(dec <= 4).to_numpy() & (rng.random(len(dec)) < 0.55)]
    relo = pop["rel_old"].to_numpy()
    inf = pd.Series(hh_old).isin(set(fam)).to_numpy() & (pop["by"].to_numpy() <= 2024)
    wife = inf & (relo == 2) & pop["female"].to_numpy(bool)
    hw = set(hh_old[wife][rng.random(int(wife.sum())) < 0.3])
    in_hw = pd.Series(hh_old).isin(hw).to_numpy()
    take = (inf & (relo == 1) & ~in_hw) | (wife & in_hw)
    sel = _dups(rng, np.flatnonzero(take), 0.02)
    rows = pop.iloc[sel]
    n = len(rows)
    names = _render_names(rng, rows, vocab, {"typo": 0.03, "title": 0.05, "nickname": 0.03})
    is_w = rows["rel_old"].to_numpy() == 2
    head_name = pd.Series(pop["name"].to_numpy(object)[pop.index[relo == 1]],
                          index=hh_old[relo == 1])
    ny = is_w & (rng.random(n) < 0.5)
    names[ny] = "NY. " + head_name.reindex(rows["hh_old"].to_numpy(object)[ny]).to_numpy(object)
    names = pd.Series(names).str.replace("'", "\u2019", regex=False).to_numpy(object)
    nik = _render_nik(rng, rows["nik"].to_numpy(object), {"missing": 0.04, "transpose": 0.02})
    u = rng.random(n)
    has = pd.notna(nik)
    xl = has & (u < 0.35)
    nik[xl] = pd.Series(nik[xl]).str.slice(0, 15).add("0").to_numpy(object)
    sci = has & (u >= 0.35) & (u < 0.40)
    nik[sci] = np.array([f"{int(v):.5E}" for v in nik[sci]], dtype=object)
    dn = rows["desa_old"].to_numpy()
    ttl = _render_date(rng, rows, {"placeholder": 0.03, "year_only": 0.3, "missing": 0.03}, "dmy-")
    place = rng.choice(_PLACES, n)
    ttl = np.where(pd.isna(ttl), None, pd.Series(place) + ", " + pd.Series(ttl).fillna(""))
    desa_txt = pd.Series(desa_name[dn])
    desa_txt = desa_txt.where(rng.random(n) > 0.2, "DS. " + desa_txt)
    dtyp = np.flatnonzero(rng.random(n) < 0.03)
    dv = desa_txt.to_numpy(object)
    dv[dtyp] = _typo(rng, dv[dtyp])
    # Excel's autocorrect en dash (cp1252 0x96) and curly apostrophes make the file cp1252, not UTF-8
    ket = np.select([rows["age"].to_numpy() >= 65, is_w, rng.random(n) < 0.5],
                    ["LANSIA", "ISTRI KPM", "KPM LAMA \u2013 2023"], "")
    bl = pd.DataFrame({
        "NO": np.arange(1, n + 1), "NIK": nik, "NAMA_KPM": names, "TTL": ttl,
        "ALAMAT": _address(rng, dusun[rows["dusun_old"].to_numpy()], rows["rt_old"].to_numpy(),
                           rows["rw_old"].to_numpy(), None),
        "DESA": dv, "KETERANGAN": ket,
    })
    sources["blt_dd"] = bl
    add_truth("blt_dd", bl["NO"], rows, "old")

    tr = pd.concat(truth, ignore_index=True)
    return WorldB(sources=sources, truth=tr, population=pop, columns={k: dict(v) for k, v in COLUMNS.items()}, seed=seed, households=households)
