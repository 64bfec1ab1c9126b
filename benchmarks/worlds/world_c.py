"""World C: Kabupaten Tapanuli Utara (Sumatera Utara, Kemendagri ``12.02``), a development world.

Written independently of world A (``linkmiskin.synthetic``) and world B, from knowledge of Batak Toba naming
and of how a kabupaten outside Java keeps its lists. Rules tuned on worlds A and C together should carry
over to lists nobody has seen. Everything is generated; no real person is in it.

**Population.** Households sit in the 252 desa/kelurahan of Tapanuli Utara (``data/c_desa.csv``), in a
numbered *dusun* (I-VI) and a *huta* (hamlet) name; RT/RW are not used there. 86% of households are Batak
Toba, 10% are Batak families who came back from Medan, Siantar, Pekanbaru or Jakarta (their adults' NIKs
were issued there), 4% are Javanese transmigrant families (NIKs from Klaten, names often one word).

* **Marga** (clan surname, ``data/c_marga.csv``) is patrilineal: children carry the father's marga, a wife
  keeps her own (``ROSMA BR SIREGAR``, *boru* = daughter of). About 60 marga, each concentrated in its home
  kecamatan, so hundreds of unrelated people in one desa share a surname, and full names such as
  ``JOHANNES SIMANJUNTAK`` repeat among strangers.
* **Given names** (``data/c_given_names.csv``) by birth cohort: Batak names (SAHAT, TIURMA) for the old,
  baptismal and modern names (JOHANNES, YOSUA, GRACE) for the young; half the people have two given names
  (``JONNER PARLINDUNGAN SIMANJUNTAK``), and lists show the baptismal name, the call name, both swapped, or
  an initial (``J. SIMANJUNTAK``). Spellings of baptismal names differ (JOHANNES / YOHANES / JOHANES).
* **Teknonyms**: grandparents are known as *Ompu* + a grandchild's name (``OP. GRACE``), parents as
  *Ama* / *Nai* + their first child's name (``NAI YOSUA``); some lists write these instead of the name.
* **Birth dates** heaped on 31 December, 1 July and 1 January (40% of people born before 1960, 15% of
  1960-1979, 5% of 1980-1999, 1% later); 3% of people have a NIK whose coded date is not their recorded one
  (the date was corrected, the NIK never is).
* **Look-alikes** (``truth.hard_negative_group``): twins (1.5% of second and later children), sons given
  their father's names (4% of Batak sons), strangers with the same full name and birth date (1% of adults
  are given a stranger's name and birth date from another kecamatan, on top of the coincidences heaping
  and shared marga produce; the group is one first given name + marga + birth date, because lists that
  show only ``JOHANNES PANGGABEAN`` cannot tell such people apart by name), namesakes in one desa (same
  first given name and marga, another birth date).

**Two epochs.** Lists of mid-2024 (epoch 0) and early 2025 (epoch 1) see different households:
between them people die (10% of those 80+, 5% at 70-79, 2% at 60-69, 0.3% younger; a widow becomes
head), babies are born (6% of couples with a wife of 19-42), children marry (5% of unmarried adult children:
half of the brides move into the husband's parents' KK as *menantu*, half of the couples get their own KK),
grandparents and adult children split off into a KK of their own at the same address (15% / 8%), 1.5% of
households move to another desa (new KK), and 1% new households arrive from outside. The truth gives each
record the household it belonged to **at its list's date**.

**Lists** (``LIST_FORMATS``; rates in ``RATES``):

| list | epoch | who | format | damage |
|---|---|---|---|---|
| ``pbi_jk_2024_06`` | 0 | BPJS-PBI members of 45% poorest households (+5% better off), each member 93% | CSV ``,`` UTF-8 | dates ``12-AGU-1978``, NIK missing 6%, with dots 8%, one digit wrong 3%, a member with the head's NIK 4%; women's ``BR`` written 3 ways; relationship as BPJS words (``PESERTA``) |
| ``pbi_jk_2025_01`` | 1 | the same programme seven months later (5% of households dropped, new KKs of listed families 60%) | TSV | dates ``12/08/1978``, relationship as BPS codes (1-6), NIK as in 2024 without dots, call names 10% |
| ``kpm_sembako_2024`` | 0 | one row per household (the wife as *pengurus* in 70%, else the head) + number of members; 30% poorest | Excel: title block + two-row merged header; no KK | NIK missing 8%, typed as a number (Excel damage, 15%), with spaces (10%); dates ``17 Agustus 1980``; ``NAI``/``AMA`` teknonyms 6%; a wife under her husband's marga 15% |
| ``lansia_2024`` | 0 | people 60+ of 60% poorest households, 70% | CSV with a title line; no NIK, no KK | mixed and lower case, two-digit years ``12-08-48``, age only (30%), ``OP.`` teknonyms 12%, a wife under her husband's marga 15%, another placeholder date for 30% of the heaped |
| ``dkb_2024s2`` | 1 | Dukcapil extract (DKB) of the members of 80% of the 50% poorest households, with a NIK | ``|``-separated TXT | clean NIK/KK, ISO dates, RT/RW ``000`` |
| ``eppgbm_2025`` | 1 | children under five of every household (85%), with mother and father | Excel, title row; child's NIK 40% | title case, mother's NIK as a number (25%) and under her husband's marga (10%), babies under three months as ``By. Ny.`` + mother (50%), ``dd/mm/yyyy``, KK on 50% |

Desa are written officially, upper case, with Arabic for Roman numerals (``HUTATORUAN 5``), run together or
split (``SIATASBARITA``), with ``DESA``/``KEL.`` prefixes, and the kecamatan as ``SIBORONG-BORONG``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
REGION = "12.02"
T0 = np.datetime64("2024-06-30", "D")
T1 = np.datetime64("2025-01-31", "D")

#: list -> (file name, epoch, snapshot date)
LIST_FORMATS: dict[str, tuple[str, int, str]] = {
    "pbi_jk_2024_06": ("pbi_jk_2024_06.csv", 0, "2024-06-30"),
    "kpm_sembako_2024": ("kpm_sembako_2024.xlsx", 0, "2024-08-31"),
    "lansia_2024": ("lansia_2024.csv", 0, "2024-07-01"),
    "dkb_2024s2": ("dkb_2024s2.txt", 1, "2025-01-15"),
    "pbi_jk_2025_01": ("pbi_jk_2025_01.tsv", 1, "2025-01-31"),
    "eppgbm_2025": ("eppgbm_2025.xlsx", 1, "2025-02-28"),
}
SNAPSHOTS = {src: v[2] for src, v in LIST_FORMATS.items()}
#: the date a list's ages were taken on (``lm.link(list_date=...)``)
LIST_DATE = {"lansia_2024": "2024-07-01"}
#: heading rows a user has to give because the list's own heading is not found (two-row merged header)
HEADER = {"kpm_sembako_2024": 5}

_PBI = {"record_id": "NO_KARTU", "nik": "NIK", "kk": "NO_KK", "name": "NAMA_PESERTA", "birth_date": "TGL_LAHIR",
        "sex": "JENIS_KELAMIN", "relationship": "HUB_KELUARGA", "address": "ALAMAT", "desa": "DESA",
        "kecamatan": "KECAMATAN"}
#: the mapping a user gives ``lm.link`` (canonical field -> heading)
COLUMNS: dict[str, dict[str, str]] = {
    "pbi_jk_2024_06": dict(_PBI),
    "pbi_jk_2025_01": dict(_PBI),
    "kpm_sembako_2024": {"record_id": "ID DTKS", "nik": "NIK PENGURUS", "name": "NAMA PENGURUS",
                         "birth_date": "TGL LAHIR", "sex": "L/P", "address": "ALAMAT", "desa": "DESA/KEL",
                         "kecamatan": "KECAMATAN"},
    "lansia_2024": {"record_id": "NO_REG", "name": "NAMA", "birth_date": "TGL_LAHIR", "age": "UMUR", "sex": "L/P",
                    "address": "ALAMAT", "desa": "DESA", "kecamatan": "KECAMATAN"},
    "dkb_2024s2": {"record_id": "NO", "nik": "NIK", "kk": "NO_KK", "name": "NAMA_LGKP", "birth_date": "TGL_LHR",
                   "sex": "JENIS_KLMIN", "relationship": "STAT_HBKEL", "address": "ALAMAT", "rt": "NO_RT",
                   "rw": "NO_RW", "desa": "KEL_NAME", "kecamatan": "KEC_NAME"},
    "eppgbm_2025": {"record_id": "ID_ANAK", "nik": "NIK_ANAK", "kk": "NO_KK", "name": "NAMA_ANAK",
                    "birth_date": "TGL_LAHIR", "sex": "JK", "mother_name": "NAMA_IBU", "mother_nik": "NIK_IBU",
                    "father_name": "NAMA_AYAH", "address": "ALAMAT", "desa": "DESA", "kecamatan": "KECAMATAN"},
}

#: every rate of the world, by name (see the module docstring)
RATES: dict = {
    "kind": {"batak": 0.86, "batak_returned": 0.10, "javanese": 0.04},
    "male_head": 0.84, "spouse_of_male_head": 0.90, "children_mean": {"batak": 2.6, "javanese": 1.8},
    "grandparent_in_household": 0.12, "grandchild_in_household": 0.06,
    "two_given_names": 0.5, "home_marga": 0.55, "father_son_same_name": 0.04, "twin": 0.015,
    "heaped_dob": {1960: 0.40, 1980: 0.15, 2000: 0.05, 9999: 0.01},
    "heaped_days": {"12-31": 0.45, "07-01": 0.35, "01-01": 0.20},
    "nik_date_differs": 0.03, "stranger_copy": 0.01,
    "has_nik": {"adult": 0.96, "child": 0.85, "under5": 0.65, "newborn": 0.5},
    "nik_issued_elsewhere_in_kabupaten": 0.08, "nik_issued_outside": {"batak_returned": 0.8, "javanese": 0.9},
    "death": {80: 0.10, 70: 0.05, 60: 0.02, 0: 0.003}, "birth": 0.06, "marriage": 0.05, "bride_moves_in": 0.5,
    "grandparent_split": 0.15, "adult_child_split": 0.08, "move": 0.015, "arrive": 0.01,
    "lists": {
        "pbi_jk_2024_06": {"welfare": 0.45, "outside": 0.05, "member": 0.93},
        "pbi_jk_2025_01": {"dropped": 0.05, "new_kk_listed": 0.6, "arrived_listed": 0.3},
        "kpm_sembako_2024": {"welfare": 0.30, "household": 0.85, "wife_is_pengurus": 0.7},
        "lansia_2024": {"welfare": 0.60, "person": 0.70, "age": 60},
        "dkb_2024s2": {"welfare": 0.50, "household": 0.80},
        "eppgbm_2025": {"child": 0.85, "age": 5},
    },
    "damage": {  # per list: name, date and NIK damage
        "pbi_jk_2024_06": dict(typo=0.03, given_variant=0.08, marga_variant=0.06, call_name=0.06, swap=0.03,
                               initial=0.02, br=(0.5, 0.2, 0.1), case="upper", dob_missing=0.01,
                               dob_error=0.03, nik_missing=0.06, nik_typo=0.03, nik_dots=0.08, nik_head=0.04,
                               date_fmt="dd-MON-yyyy"),
        "pbi_jk_2025_01": dict(typo=0.03, given_variant=0.08, marga_variant=0.06, call_name=0.10, swap=0.03,
                               initial=0.02, br=(0.5, 0.2, 0.1), case="upper", dob_missing=0.01,
                               dob_error=0.03, nik_missing=0.06, nik_typo=0.03, nik_head=0.04,
                               date_fmt="dd/mm/yyyy"),
        "kpm_sembako_2024": dict(typo=0.04, given_variant=0.10, marga_variant=0.08, call_name=0.12, swap=0.05,
                                 initial=0.03, br=(0.6, 0.1, 0.05), case="upper", teknonym=0.06, husband_marga=0.15,
                                 dob_missing=0.05, dob_error=0.04, nik_missing=0.08, nik_typo=0.03,
                                 nik_excel=0.15, nik_spaces=0.10, date_fmt="d Month yyyy"),
        "lansia_2024": dict(typo=0.05, given_variant=0.12, marga_variant=0.10, call_name=0.15, swap=0.05,
                            initial=0.02, br=(0.5, 0.2, 0.1), case="mixed", teknonym=0.12, husband_marga=0.15,
                            dob_missing=0.05,
                            dob_error=0.05, other_placeholder=0.3, age_only=0.3, date_fmt="dd-mm-yy"),
        "dkb_2024s2": dict(typo=0.0, given_variant=0.0, marga_variant=0.0, call_name=0.0, swap=0.0,
                           initial=0.0, br=(0.0, 0.0, 0.0), case="upper", dob_missing=0.0, dob_error=0.0,
                           nik_missing=0.0, date_fmt="yyyy-mm-dd"),
        "eppgbm_2025": dict(typo=0.04, given_variant=0.08, marga_variant=0.06, call_name=0.08, swap=0.04,
                            initial=0.0, br=(0.4, 0.1, 0.1), case="title", dob_missing=0.01, dob_error=0.03,
                            nik_missing=0.60, nik_typo=0.02, date_fmt="dd/mm/yyyy"),
    },
    "parent_nik_excel": 0.25, "mother_husband_marga": 0.10, "unnamed_baby": 0.5, "ppgbm_kk": 0.5, "desa_style": {"official": 0.35, "upper": 0.3, "arabic": 0.15,
                                                             "joined": 0.1, "prefix": 0.1},
}

KEPALA, PASANGAN, ANAK, ORANG_TUA, CUCU, MENANTU = "KEPALA", "PASANGAN", "ANAK", "ORANG_TUA", "CUCU", "MENANTU"


@dataclass
class WorldC:
    """A generated world C: ``sources`` as written, ``truth`` per record, ``population`` per person."""

    sources: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    population: pd.DataFrame
    households: int
    seed: int
    columns: dict[str, dict[str, str]] = field(default_factory=lambda: {k: dict(v) for k, v in COLUMNS.items()})
    region: str = REGION

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write every list in its own format and ``truth.csv``; returns ``{name: path}``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for src, df in self.sources.items():
            path = out / LIST_FORMATS[src][0]
            _WRITERS[src](df, path)
            paths[src] = path
        self.truth.to_csv(out / "truth.csv", index=False)
        paths["truth"] = out / "truth.csv"
        return paths


# ------------------------------------------------------------------------------------------ vocabulary


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, comment="#", dtype=str, keep_default_na=False)


def _vocab() -> dict:
    desa = _csv("c_desa.csv")
    desa["weight"] = desa["weight"].astype(float)
    desa["dusun_count"] = desa["dusun_count"].astype(int)
    marga = _csv("c_marga.csv")
    marga["weight"] = marga["weight"].astype(float)
    given = _csv("c_given_names.csv")
    given["weight"] = given["weight"].astype(float)
    jav = _csv("c_javanese_names.csv")
    jav["weight"] = jav["weight"].astype(float)
    origins = _csv("c_migrant_origins.csv")
    origins["weight"] = origins["weight"].astype(float)
    return {"desa": desa, "marga": marga, "given": given, "jav": jav, "origins": origins,
            "huta": _csv("c_places.csv")["huta"].to_numpy(dtype=object)}


def _variants(df: pd.DataFrame, key: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in zip(df[key], df["variants"]):
        vs = [x for x in str(v).split("|") if x and x != k]
        if vs:
            out.setdefault(k, [])
            out[k] += [x for x in vs if x not in out[k]]
    return out


def _pick(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


# ------------------------------------------------------------------------------------------ households


def _households(rng: np.random.Generator, n: int, v: dict) -> pd.DataFrame:
    """Epoch-0 households (and those arriving before epoch 1): place, kind, welfare, head."""
    desa = v["desa"]
    d = _pick(rng, n, desa["weight"].to_numpy())
    kinds = np.array(list(RATES["kind"]))
    kind = kinds[_pick(rng, n, np.array(list(RATES["kind"].values())))]
    hh = pd.DataFrame({"hid": np.arange(n), "desa": d, "kind": kind, "welfare": rng.random(n)})
    hh["dusun"] = 1 + (rng.random(n) * desa["dusun_count"].to_numpy()[d]).astype(int)
    hh["huta"] = rng.integers(0, len(v["huta"]), n)
    hh["arrives"] = rng.random(n) < RATES["arrive"]
    hh.loc[hh["arrives"], "kind"] = "batak_returned"
    return hh


def _members(rng: np.random.Generator, hh: pd.DataFrame) -> pd.DataFrame:
    """Every person of every household at epoch 0: role, sex, age in years at T0."""
    n = len(hh)
    male_head = rng.random(n) < RATES["male_head"]
    head_age = np.clip(rng.normal(50, 14, n), 22, 92)
    has_sp = male_head & (rng.random(n) < RATES["spouse_of_male_head"])
    sp_age = np.clip(head_age - rng.normal(3, 3, n), 18, 95)
    mother_age = np.where(has_sp, sp_age, head_age)
    lam = np.where(hh["kind"].eq("javanese"), RATES["children_mean"]["javanese"], RATES["children_mean"]["batak"])
    lam = lam * np.clip((mother_age - 18) / 15, 0.2, 1.3)
    n_child = np.minimum(rng.poisson(lam), 7)
    gp = (rng.random(n) < RATES["grandparent_in_household"]) & (head_age < 65)
    gc = (rng.random(n) < RATES["grandchild_in_household"]) & (head_age > 50)

    parts = [pd.DataFrame({"hh": hh["hid"], "role": KEPALA, "male": male_head, "age": head_age, "k": 0})]
    parts.append(pd.DataFrame({"hh": hh["hid"][has_sp], "role": PASANGAN, "male": False, "age": sp_age[has_sp],
                               "k": 0}))
    # children: the first born when the mother was 19-30, then every 1.2-4 years; those over 35 moved out
    cidx = np.repeat(np.arange(n), n_child)
    k = np.arange(len(cidx)) - np.repeat(np.cumsum(n_child) - n_child, n_child)
    gaps = np.where(k == 0, rng.uniform(19, 30, len(cidx)), rng.uniform(1.2, 4.0, len(cidx)))
    cum = pd.Series(gaps).groupby(cidx).cumsum().to_numpy()
    c_age = mother_age[cidx] - cum
    keep = (c_age > 0.05) & (c_age < 35)
    parts.append(pd.DataFrame({"hh": hh["hid"].to_numpy()[cidx[keep]], "role": ANAK,
                               "male": rng.random(keep.sum()) < 0.51, "age": c_age[keep], "k": k[keep]}))
    parts.append(pd.DataFrame({"hh": hh["hid"][gp], "role": ORANG_TUA, "male": rng.random(gp.sum()) < 0.3,
                               "age": np.minimum(head_age[gp] + rng.uniform(22, 35, gp.sum()), 99), "k": 0}))
    parts.append(pd.DataFrame({"hh": hh["hid"][gc], "role": CUCU, "male": rng.random(gc.sum()) < 0.5,
                               "age": rng.uniform(0.1, 12, gc.sum()), "k": 0}))
    p = pd.concat(parts, ignore_index=True)
    p["ro"] = p["role"].map({KEPALA: 0, PASANGAN: 1, ANAK: 2, ORANG_TUA: 3, CUCU: 4})
    return p.sort_values(["hh", "ro", "k"], kind="stable").drop(columns="ro").reset_index(drop=True)


# ------------------------------------------------------------------------------------------ names and dates


def _draw_given(rng: np.random.Generator, male: np.ndarray, cohort: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    out = np.empty(len(male), dtype=object)
    for sex in ("L", "P"):
        for c in ("old", "mid", "young"):
            m = (male == (sex == "L")) & (cohort == c)
            t = table[(table["sex"] == sex) & (table["cohort"] == c)]
            if m.any():
                out[m] = t["name"].to_numpy(dtype=object)[_pick(rng, int(m.sum()), t["weight"].to_numpy())]
    return out


def _marga_for(rng: np.random.Generator, kec: np.ndarray, v: dict, home_share: float) -> np.ndarray:
    """A marga per row: from the kecamatan's home marga with ``home_share``, else by overall weight."""
    marga = v["marga"]
    names = marga["marga"].to_numpy(dtype=object)
    out = names[_pick(rng, len(kec), marga["weight"].to_numpy())]
    home = rng.random(len(kec)) < home_share
    for kname in np.unique(kec[home]):
        local = marga["home"].str.split(";").map(lambda xs, k=kname: k in xs).to_numpy()
        m = home & (kec == kname)
        if local.any():
            out[m] = names[local][_pick(rng, int(m.sum()), marga["weight"].to_numpy()[local])]
    return out


def _names(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> None:
    """given1, given2 and marga of every person (in place)."""
    n = len(p)
    hk = hh.set_index("hid")
    kind = hk["kind"].to_numpy()[p["hh"]]
    kec = v["desa"]["kecamatan_name"].to_numpy(dtype=object)[hk["desa"].to_numpy()[p["hh"]]]
    byear = p["dob"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
    cohort = np.where(byear < 1965, "old", np.where(byear < 1995, "mid", "young"))
    male = p["male"].to_numpy()
    g1 = _draw_given(rng, male, cohort, v["given"])
    g2 = _draw_given(rng, male, cohort, v["given"])
    g2 = np.where((rng.random(n) < RATES["two_given_names"]) & (g2 != g1), g2, "")
    # marga: the household's line (the head's if a man, else the late husband's), a wife's own, a grandmother's
    line = _marga_for(rng, kec[p.groupby("hh").cumcount().to_numpy() == 0], v, RATES["home_marga"])
    line_of_hh = pd.Series(line, index=p.loc[p.groupby("hh").cumcount() == 0, "hh"].to_numpy())
    own = _marga_for(rng, kec, v, 0.2)
    clash = own == line_of_hh.reindex(p["hh"]).to_numpy()
    own[clash] = _marga_for(rng, kec[clash], v, 0.0)
    role = p["role"].to_numpy()
    head_male = p.groupby("hh")["male"].transform("first").to_numpy()
    takes_line = np.isin(role, [ANAK, CUCU]) | ((role == KEPALA) & male) | ((role == ORANG_TUA) & male & head_male)
    marga = np.where(takes_line, line_of_hh.reindex(p["hh"]).to_numpy(), own)
    # Javanese families: one or two words of their own, no marga
    jav = kind == "javanese"
    if jav.any():
        full = _draw_given(rng, male[jav], cohort[jav], v["jav"])
        parts = pd.Series(full).str.split(" ", n=1)
        g1[jav] = parts.str[0].to_numpy()
        g2[jav] = parts.str[1].fillna("").to_numpy()
        marga[jav] = ""
    # parents do not give two of their children one name: a repeated first given name is drawn again
    for _ in range(4):
        dup = pd.DataFrame({"hh": p["hh"].to_numpy(), "g": g1}).duplicated(["hh", "g"]).to_numpy()
        if not dup.any():
            break
        g1[dup] = _draw_given(rng, male[dup], cohort[dup], v["given"])
    g2 = np.where(g2 == g1, "", g2)
    p["given1"], p["given2"], p["marga"] = g1, g2, marga


def _heap(rng: np.random.Generator, dob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Placeholder birth dates (31 Dec, 1 Jul, 1 Jan of the true year) by birth cohort."""
    year = dob.astype("datetime64[Y]")
    byear = year.astype(int) + 1970
    share = np.select([byear < 1960, byear < 1980, byear < 2000], list(RATES["heaped_dob"].values())[:3],
                      list(RATES["heaped_dob"].values())[3])
    heaped = rng.random(len(dob)) < share
    days = np.array(list(RATES["heaped_days"]))
    pick = days[_pick(rng, len(dob), np.array(list(RATES["heaped_days"].values())))]
    md = pd.Series(pick)
    hd = (year.astype(str).astype(object) + "-" + md.to_numpy(dtype=object)).astype("datetime64[D]")
    return np.where(heaped, hd, dob), heaped


# ------------------------------------------------------------------------------------------ NIK and KK


def _digits(code: np.ndarray) -> np.ndarray:
    return pd.Series(code, dtype=object).str.replace(".", "", regex=False).to_numpy(dtype=object)


def _serials(rng: np.random.Generator, prefix: np.ndarray) -> np.ndarray:
    """A serial unique within each prefix: a per-prefix start plus the position in the prefix."""
    codes, uniq = pd.factorize(prefix)
    start = rng.integers(0, 40, len(uniq))
    pos = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    return pd.Series(start[codes] + pos + 1).astype(str).str.zfill(4).to_numpy(dtype=object)


def _nik(rng: np.random.Generator, kec6: np.ndarray, date: np.ndarray, male: np.ndarray) -> np.ndarray:
    d = pd.to_datetime(date)
    dd = (d.day.to_numpy() + np.where(male, 0, 40)).astype(str)
    ddmmyy = (pd.Series(dd).str.zfill(2) + pd.Series(d.month.to_numpy().astype(str)).str.zfill(2)
              + pd.Series((d.year.to_numpy() % 100).astype(str)).str.zfill(2)).to_numpy(dtype=object)
    prefix = kec6 + ddmmyy
    return prefix + _serials(rng, prefix)


def _kk(rng: np.random.Generator, kec6: np.ndarray, lo: str, hi: str) -> np.ndarray:
    lo_d, hi_d = np.datetime64(lo, "D"), np.datetime64(hi, "D")
    date = lo_d + rng.integers(0, (hi_d - lo_d).astype(int), len(kec6)).astype("timedelta64[D]")
    s = pd.to_datetime(date)
    ddmmyy = (pd.Series(s.strftime("%d%m%y"))).to_numpy(dtype=object)
    prefix = kec6 + ddmmyy
    return prefix + _serials(rng, prefix)


# ------------------------------------------------------------------------------------------ people


def _lookalikes(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> None:
    """Twins, fathers and sons of one name, strangers given another's name and birth date, and the
    ``hard_negative_group`` of each (in place; one group per person, in that order of priority)."""
    n = len(p)
    pid = p["pid"].to_numpy()
    hid = p["hh"].to_numpy()
    role = p["role"].to_numpy()
    group = np.full(n, "", dtype=object)
    # twins: a later child born on its older sibling's day (recorded date too)
    prev = np.r_[False, (hid[1:] == hid[:-1]) & (role[1:] == ANAK) & (role[:-1] == ANAK)]
    twin = prev & (rng.random(n) < RATES["twin"])
    twin &= ~np.r_[twin[1:], False]          # no triplets: a twin's younger sibling is not a twin too
    twin &= ~np.r_[False, twin[:-1]]
    ti = np.flatnonzero(twin)
    p.loc[ti, "dob"] = p["dob"].to_numpy()[ti - 1]
    group[ti] = group[ti - 1] = "twin:" + pd.Series(pid[ti - 1]).astype(str).to_numpy(dtype=object)
    # sons with their father's names (Batak households with a male head)
    kind = hh.set_index("hid")["kind"].to_numpy()[hid]
    head_row = p.groupby("hh").cumcount().to_numpy() == 0
    head_idx = np.flatnonzero(head_row)[pd.factorize(hid)[0]]
    son = ((role == ANAK) & p["male"].to_numpy() & p["male"].to_numpy()[head_idx] & (kind != "javanese")
           & (group == "") & (rng.random(n) < RATES["father_son_same_name"]))
    si = np.flatnonzero(son)
    si = si[group[head_idx[si]] == ""]
    for c in ("given1", "given2"):
        p.loc[si, c] = p[c].to_numpy()[head_idx[si]]
    fs = "father_son:" + pd.Series(pid[head_idx[si]]).astype(str).to_numpy(dtype=object)
    group[si] = fs
    group[head_idx[si]] = fs
    # strangers: an adult given the name and birth date of an adult of the same sex in another kecamatan
    kec = hh.set_index("hid")["desa"].to_numpy()[hid]
    kec = v["desa"]["kecamatan_code"].to_numpy(dtype=object)[kec]
    adult = (p["age"].to_numpy() >= 20) & (group == "")
    takers = np.flatnonzero(adult & (rng.random(n) < RATES["stranger_copy"]))
    pool = np.flatnonzero(adult)
    donors = pool[rng.integers(0, len(pool), len(takers))] if len(pool) else takers
    ok = (kec[donors] != kec[takers]) & (p["male"].to_numpy()[donors] == p["male"].to_numpy()[takers])
    takers, donors = takers[ok], donors[ok]
    for c in ("given1", "given2", "marga", "dob"):
        p.loc[takers, c] = p[c].to_numpy()[donors]
    # every set of ungrouped people with one first given name, one marga and one birth date (copied, or by
    # coincidence: lists that write only the first given name and the marga show them as one name)
    full = (p["given1"] + " " + p["given2"] + " " + p["marga"]).str.split().str.join(" ")
    p["full_name"] = full
    short = p["given1"] + " " + p["marga"]
    key = short + "|" + p["dob"].astype(str)
    free = pd.Series(group == "")
    sizes = key[free].map(key[free].value_counts())
    same = np.zeros(n, dtype=bool)
    same[free.to_numpy()] = sizes.to_numpy() > 1
    group[same] = "same_name_same_dob:" + pd.Series(pd.factorize(key[same])[0]).astype(str).to_numpy(dtype=object)
    # namesakes in one desa: the same first given name and marga, another birth date
    desa = hh.set_index("hid")["desa"].to_numpy()[hid]
    dkey = short + "|" + pd.Series(desa).astype(str)
    free = pd.Series(group == "")
    counts = dkey[free].map(dkey[free].value_counts())
    ns = np.zeros(n, dtype=bool)
    ns[free.to_numpy()] = counts.to_numpy() > 1
    group[ns] = "same_name_same_desa:" + pd.Series(pd.factorize(dkey[ns])[0]).astype(str).to_numpy(dtype=object)
    p["hard_negative_group"] = group


def _issue_nik(rng: np.random.Generator, p: pd.DataFrame, kec_code: np.ndarray, kind: np.ndarray,
               v: dict, asof: np.datetime64) -> None:
    """NIK of each person (``None`` for those without one), issued where they first registered (in place)."""
    n = len(p)
    age = (asof - p["dob"].to_numpy().astype("datetime64[D]")).astype(int) / 365.25
    share = np.select([age < 0.6, age < 5, age < 17], list(RATES["has_nik"].values())[::-1][:3],
                      RATES["has_nik"]["adult"])
    has = rng.random(n) < share
    kec6 = _digits(kec_code)
    origins = v["origins"]
    for k, share_out in RATES["nik_issued_outside"].items():
        jav = origins["javanese"].eq("1" if k == "javanese" else "0").to_numpy()
        m = (kind == k) & (age >= (25 if k == "javanese" else 20)) & (rng.random(n) < share_out)
        codes = origins["kecamatan_code"].to_numpy(dtype=object)[jav]
        kec6[m] = _digits(codes[_pick(rng, int(m.sum()), origins["weight"].to_numpy()[jav])])
    taput = _digits(v["desa"]["kecamatan_code"].unique())
    m = (kind == "batak") & (age >= 17) & (rng.random(n) < RATES["nik_issued_elsewhere_in_kabupaten"])
    kec6[m] = taput[rng.integers(0, len(taput), m.sum())]
    date = p["dob"].to_numpy().copy()
    shift = rng.random(n) < RATES["nik_date_differs"]
    date[shift] = date[shift] + rng.integers(-400, 400, shift.sum()).astype("timedelta64[D]")
    nik = _nik(rng, kec6, date, p["male"].to_numpy())
    p["nik"] = np.where(has, nik, None)


def _people(rng: np.random.Generator, hh: pd.DataFrame, v: dict) -> pd.DataFrame:
    """Everyone of epoch 0 (and the arriving households): names, dates, look-alikes, NIK."""
    p = _members(rng, hh)
    p["pid"] = np.arange(len(p))
    days = (p["age"].to_numpy() * 365.25).astype(int)
    p["dob_true"] = T0 - days.astype("timedelta64[D]")
    p["dob"], p["heaped"] = _heap(rng, p["dob_true"].to_numpy())
    _names(rng, p, hh, v)
    _lookalikes(rng, p, hh, v)
    hk = hh.set_index("hid")
    kec = v["desa"]["kecamatan_code"].to_numpy(dtype=object)[hk["desa"].to_numpy()[p["hh"]]]
    _issue_nik(rng, p, kec, hk["kind"].to_numpy()[p["hh"]], v, T0)
    return p


# ------------------------------------------------------------------------------------------ two epochs


def _new_households(hh: pd.DataFrame, parent: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    base = hh.set_index("hid").loc[parent]
    start = int(hh["hid"].max()) + 1
    return pd.DataFrame({"hid": np.arange(start, start + len(parent)), "desa": base["desa"].to_numpy(),
                         "kind": base["kind"].to_numpy(),
                         "welfare": np.clip(base["welfare"].to_numpy() + rng.normal(0, 0.05, len(parent)), 0, 1),
                         "dusun": base["dusun"].to_numpy(), "huta": base["huta"].to_numpy(),
                         "arrives": False, "parent": parent, "new": True})


def _dynamics(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> tuple[pd.DataFrame,
                                                                                                  pd.DataFrame]:
    """Epoch 1: deaths, marriages, KK splits, moves and births; ``hh0``/``hh1``, ``rel0``/``rel1`` per person
    (-1 where absent) and ``kk0``/``kk1``, ``desa0``/``desa1`` per household."""
    n = len(p)
    age = p["age"].to_numpy()
    arrives = hh.set_index("hid")["arrives"].to_numpy()[p["hh"]]
    death = np.select([age >= 80, age >= 70, age >= 60], [RATES["death"][80], RATES["death"][70],
                                                          RATES["death"][60]], RATES["death"][0])
    dead = (rng.random(n) < death) & ~arrives
    hh0 = np.where(arrives, -1, p["hh"].to_numpy())
    hh1 = np.where(dead, -1, p["hh"].to_numpy())
    rel1 = p["role"].to_numpy().copy()
    male = p["male"].to_numpy()
    hh = hh.assign(parent=-1, new=False)
    # a dead head: the wife, else the oldest living member, heads the household
    head_dead = pd.Series(dead & (rel1 == KEPALA)).groupby(p["hh"]).transform("any").to_numpy()
    cand = head_dead & ~dead & (rel1 != KEPALA)
    prio = np.where(rel1 == PASANGAN, 1000.0, age)
    score = pd.Series(np.where(cand, prio, -1.0))
    best = score.groupby(p["hh"]).transform("max").to_numpy()
    rel1[cand & (score.to_numpy() == best) & (best >= 0)] = KEPALA
    # marriages between unmarried adult children of two households
    single = (rel1 == ANAK) & ~dead & ~arrives & (age >= 22) & (age <= 38)
    grooms = np.flatnonzero(single & male & (rng.random(n) < RATES["marriage"]))
    brides = rng.permutation(np.flatnonzero(single & ~male & (rng.random(n) < RATES["marriage"])))
    k = min(len(grooms), len(brides))
    grooms, brides = grooms[:k], brides[:k]
    ok = hh1[grooms] != hh1[brides]
    grooms, brides = grooms[ok], brides[ok]
    moves_in = rng.random(len(grooms)) < RATES["bride_moves_in"]
    hh1[brides[moves_in]] = hh1[grooms[moves_in]]
    rel1[brides[moves_in]] = MENANTU
    g, b = grooms[~moves_in], brides[~moves_in]
    new = _new_households(hh, hh1[g], rng)
    hh = pd.concat([hh, new], ignore_index=True)
    hh1[g], rel1[g] = new["hid"].to_numpy(), KEPALA
    hh1[b], rel1[b] = new["hid"].to_numpy(), PASANGAN
    married = np.zeros(n, dtype=bool)
    married[grooms] = married[brides] = True
    # pecah KK: a grandparent, or an unmarried adult child, takes a KK of their own at the same address
    split = ~dead & ~arrives & (((rel1 == ORANG_TUA) & (rng.random(n) < RATES["grandparent_split"]))
                                | ((rel1 == ANAK) & ~married & (age >= 28)
                                   & (rng.random(n) < RATES["adult_child_split"])))
    si = np.flatnonzero(split)
    new = _new_households(hh, hh1[si], rng)
    hh = pd.concat([hh, new], ignore_index=True)
    hh1[si], rel1[si] = new["hid"].to_numpy(), KEPALA
    # KK numbers: epoch 0 for the households of then; epoch 1 new for new, moved and arrived households
    nd = len(v["desa"])
    moved = (~hh["new"] & ~hh["arrives"] & (rng.random(len(hh)) < RATES["move"])).to_numpy()
    hh["desa0"] = np.where(hh["new"] | hh["arrives"], -1, hh["desa"])
    hh["desa1"] = np.where(moved, rng.integers(0, nd, len(hh)), hh["desa"])
    hh["dusun1"] = np.where(moved, 1 + rng.integers(0, 2, len(hh)), hh["dusun"])
    kec = _digits(v["desa"]["kecamatan_code"].to_numpy(dtype=object))
    hh["kk0"] = np.where(hh["desa0"] >= 0, _kk(rng, kec[hh["desa"]], "2008-01-01", "2024-05-31"), None)
    fresh = moved | hh["new"].to_numpy() | hh["arrives"].to_numpy()
    hh["kk1"] = np.where(fresh, _kk(rng, kec[hh["desa1"]], "2024-07-01", "2025-01-20"), hh["kk0"])
    # births: a child of a couple whose wife is 19-42, born between the epochs
    wives = np.flatnonzero((rel1 == PASANGAN) & ~dead & ~male & (age >= 19) & (age <= 42))
    mothers = wives[rng.random(len(wives)) < RATES["birth"]]
    babies = _babies(rng, p, hh, v, mothers, hh1)
    p = p.assign(hh0=hh0, hh1=hh1, rel0=np.where(arrives, None, p["role"].to_numpy()), rel1=np.where(dead, None, rel1),
                 dead=dead)
    p = pd.concat([p, babies], ignore_index=True)
    return p, hh


def _babies(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict, mothers: np.ndarray,
            hh1: np.ndarray) -> pd.DataFrame:
    """Children born between the epochs to ``mothers``: the father's marga, a young given name, a NIK half
    the time."""
    m = len(mothers)
    home = hh1[mothers]
    # the father: the head of the mother's epoch-1 household
    p1 = pd.DataFrame({"hh1": hh1, "marga": p["marga"].to_numpy(), "male": p["male"].to_numpy(),
                       "role": p["role"].to_numpy()})
    heads = p1[(p1["hh1"] >= 0) & p1["male"]].drop_duplicates("hh1").set_index("hh1")["marga"]
    male = rng.random(m) < 0.51
    dob = T0 + rng.integers(1, (T1 - T0).astype(int), m).astype("timedelta64[D]")
    b = pd.DataFrame({"hh": home, "role": ANAK, "male": male, "age": 0.0, "k": 9,
                      "pid": np.arange(len(p), len(p) + m), "dob_true": dob, "dob": dob, "heaped": False})
    b["given1"] = _draw_given(rng, male, np.full(m, "young"), v["given"])
    g2 = _draw_given(rng, male, np.full(m, "young"), v["given"])
    b["given2"] = np.where((rng.random(m) < RATES["two_given_names"]) & (g2 != b["given1"]), g2, "")
    b["marga"] = heads.reindex(home).fillna("").to_numpy()
    kind = hh.set_index("hid")["kind"].reindex(home).to_numpy()
    b.loc[kind == "javanese", "marga"] = ""
    b["full_name"] = (b["given1"] + " " + b["given2"] + " " + b["marga"]).str.split().str.join(" ")
    b["hard_negative_group"] = ""
    desa = hh.set_index("hid")["desa"].reindex(home).to_numpy()
    kec = v["desa"]["kecamatan_code"].to_numpy(dtype=object)[desa]
    b["nik"] = None
    has = rng.random(m) < RATES["has_nik"]["newborn"]
    if has.any():
        b.loc[has, "nik"] = _nik(rng, _digits(kec[has]), dob[has], male[has])
    b["hh0"], b["hh1"], b["rel0"], b["rel1"], b["dead"] = -1, home, None, ANAK, False
    return b


# ------------------------------------------------------------------------------------------ rendering

_ROMAN = np.array(["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"], dtype=object)
_MON = np.array(["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGU", "SEP", "OKT", "NOV", "DES"], dtype=object)
_MONTH = np.array(["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                   "Oktober", "November", "Desember"], dtype=object)


def _variant(rng: np.random.Generator, values: np.ndarray, table: dict[str, list[str]], rate: float) -> np.ndarray:
    """Each value replaced by one of its other spellings with probability ``rate``."""
    out = values.copy()
    take = np.flatnonzero((rng.random(len(values)) < rate) & pd.Series(values).isin(list(table)).to_numpy())
    if len(take):
        r = rng.random(len(take))
        out[take] = [table[x][int(u * len(table[x]))] for x, u in zip(values[take], r)]
    return out


def _typo(rng: np.random.Generator, values: pd.Series, rate: float) -> pd.Series:
    """One keyboard slip (a letter dropped, doubled, swapped with the next, or replaced) at ``rate``."""
    out = values.copy()
    idx = np.flatnonzero((rng.random(len(values)) < rate) & values.notna().to_numpy())
    letters = "AEIOUNRSTLMKGHDB"

    def slip(s: str, u: float, w: float) -> str:
        if len(s) < 4:
            return s
        i = 1 + int(u * (len(s) - 2))
        op = int(w * 4)
        if s[i] == " " or s[i - 1] == " ":
            return s
        return [s[:i] + s[i + 1:], s[:i] + s[i] + s[i:], s[:i - 1] + s[i] + s[i - 1] + s[i + 1:],
                s[:i] + letters[int(u * 997) % len(letters)] + s[i + 1:]][op]

    if len(idx):
        u, w = rng.random(len(idx)), rng.random(len(idx))
        out.iloc[idx] = [slip(s, a, b) for s, a, b in zip(values.iloc[idx], u, w)]
    return out


def _case(rng: np.random.Generator, s: pd.Series, how: str) -> pd.Series:
    if how == "lower":
        return s.str.lower()
    if how == "title":
        return s.str.title()
    if how == "mixed":
        r = rng.random(len(s))
        return s.where(r < 0.4, s.str.title().where(r < 0.75, s.str.lower()))
    return s


def _render_names(rng: np.random.Generator, rec: pd.DataFrame, d: dict, v: dict) -> pd.Series:
    """A person's name as one list writes it: spellings, call name or initial, ``BR`` for women, typos."""
    n = len(rec)
    g1 = _variant(rng, rec["given1"].to_numpy(dtype=object), v["given_var"], d["given_variant"])
    g2 = _variant(rng, rec["given2"].to_numpy(dtype=object), v["given_var"], d["given_variant"])
    marga = _variant(rng, rec["marga"].to_numpy(dtype=object), v["marga_var"], d["marga_variant"])
    # a wife written with her husband's marga, alone or before her own (ROSMA SIMANJUNTAK BR SIREGAR)
    hm = (rec["head_marga"] if "head_marga" in rec else pd.Series("", index=rec.index)).fillna("")
    hm = hm.astype(object).to_numpy()
    wife = ((rec.get("rel", pd.Series(None, index=rec.index)) == PASANGAN).to_numpy() & (hm != "")
            & (marga != "") & (hm != marga) & (rng.random(n) < d.get("husband_marga", 0.0)))
    both = rng.random(n) < 0.3
    marga = np.where(wife, np.where(both, hm + " BR " + marga, hm), marga)
    has2 = g2 != ""
    r = rng.random(n)
    c1 = d["call_name"]
    c2 = c1 + d["swap"]
    c3 = c2 + d["initial"]
    given = np.where(has2, g1 + " " + g2, g1)
    call = has2 & (r < c1)
    given = np.where(call, np.where(rng.random(n) < 0.5, g2, g1), given)
    given = np.where(has2 & (r >= c1) & (r < c2), g2 + " " + g1, given)
    init = (r >= c2) & (r < c3) & (marga != "")
    given = np.where(init, pd.Series(g1).str[:1].to_numpy(dtype=object) + ".", given)
    p_br = np.array(d["br"] + (max(0.0, 1 - sum(d["br"])),))
    conn = np.array(["BR", "BR.", "BORU", ""], dtype=object)[_pick(rng, n, p_br)]
    conn = np.where(~rec["male"].to_numpy() & (marga != "") & ~wife, conn, "")
    name = pd.Series(given + " " + conn + " " + marga).str.split().str.join(" ")
    tek = d.get("teknonym", 0.0)
    if tek:
        t = rng.random(n) < tek
        name = name.where(~t, rec["teknonym"].to_numpy())
    name = _typo(rng, name, d["typo"])
    return _case(rng, name, d["case"])


def _render_dates(rng: np.random.Generator, dob: np.ndarray, heaped: np.ndarray, d: dict) -> pd.Series:
    """Birth dates in the list's format, with slips (day/month swapped, year off by one, day off)."""
    n = len(dob)
    dates = pd.to_datetime(dob)
    day, month, year = dates.day.to_numpy(), dates.month.to_numpy(), dates.year.to_numpy()
    err = rng.random(n) < d["dob_error"]
    kind = rng.integers(0, 3, n)
    swap = err & (kind == 0) & (day <= 12)
    day, month = np.where(swap, month, day), np.where(swap, day, month)
    year = year + np.where(err & (kind == 1), rng.choice([-1, 1], n), 0)
    off = err & (kind == 2)
    day = np.where(off, np.clip(day + rng.choice([-2, -1, 1, 2], n), 1, 28), day)
    other = heaped & (rng.random(n) < d.get("other_placeholder", 0.0))
    alt = rng.integers(0, 3, n)
    day = np.where(other, np.array([31, 1, 1])[alt], day)
    month = np.where(other, np.array([12, 7, 1])[alt], month)
    dd, mm = pd.Series(day.astype(str)).str.zfill(2), pd.Series(month.astype(str)).str.zfill(2)
    yyyy = pd.Series(year.astype(str))
    fmt = d["date_fmt"]
    if fmt == "dd-MON-yyyy":
        s = dd + "-" + _MON[month - 1] + "-" + yyyy
    elif fmt == "dd/mm/yyyy":
        s = dd + "/" + mm + "/" + yyyy
    elif fmt == "d Month yyyy":
        s = pd.Series(day.astype(str)) + " " + _MONTH[month - 1] + " " + yyyy
    elif fmt == "dd-mm-yy":
        s = dd + "-" + mm + "-" + yyyy.str[-2:]
    else:
        s = yyyy + "-" + mm + "-" + dd
    missing = (rng.random(n) < d["dob_missing"]) | pd.isna(dob)
    return s.astype(object).where(~missing, None)


def _render_nik(rng: np.random.Generator, nik: np.ndarray, head_nik: np.ndarray, d: dict) -> pd.Series:
    """NIKs as the list keeps them: missing, one digit wrong, the head's, with dots or spaces."""
    n = len(nik)
    s = pd.Series(nik, dtype=object)
    head = (rng.random(n) < d.get("nik_head", 0.0)) & pd.notna(head_nik)
    s = s.where(~head, pd.Series(head_nik, dtype=object))
    typo = np.flatnonzero((rng.random(n) < d.get("nik_typo", 0.0)) & s.notna().to_numpy())
    if len(typo):
        pos = rng.integers(6, 16, len(typo))
        dig = rng.integers(0, 10, len(typo)).astype(str)
        s.iloc[typo] = [x[:i] + c + x[i + 1:] for x, i, c in zip(s.iloc[typo], pos, dig)]
    r = rng.random(n)
    dots = r < d.get("nik_dots", 0.0)
    spaces = (r >= d.get("nik_dots", 0.0)) & (r < d.get("nik_dots", 0.0) + d.get("nik_spaces", 0.0))
    grouped = s.str[:4] + "|" + s.str[4:8] + "|" + s.str[8:12] + "|" + s.str[12:]
    s = s.where(~dots, grouped.str.replace("|", ".", regex=False))
    s = s.where(~spaces, grouped.str.replace("|", " ", regex=False))
    return s.where(~(rng.random(n) < d.get("nik_missing", 0.0)), None)


def _render_desa(rng: np.random.Generator, desa: np.ndarray, v: dict) -> tuple[pd.Series, pd.Series]:
    """Desa and kecamatan names as written: official, upper case, Arabic numerals, run together, prefixed."""
    t = v["desa"]
    n = len(desa)
    name = pd.Series(t["desa_name"].to_numpy(dtype=object)[desa])
    kel = pd.Series(t["desa_code"].to_numpy(dtype=object)[desa]).str[9] == "1"
    style = np.array(list(RATES["desa_style"]))[_pick(rng, n, np.array(list(RATES["desa_style"].values())))]
    up = name.str.upper()
    roman = up.str.extract(r"^(.*) ([IVX]+)$")
    arabic = roman[0] + " " + roman[1].map({r: str(i) for i, r in enumerate(_ROMAN) if r}).astype(object)
    out = name.where(style == "official", up)
    out = out.where(~((style == "arabic") & roman[0].notna().to_numpy()), arabic)
    out = out.where(style != "joined", up.str.replace(" ", "", regex=False))
    out = out.where(style != "prefix", np.where(kel, "KEL. ", "DESA ") + up)
    kec = pd.Series(t["kecamatan_name"].to_numpy(dtype=object)[desa]).str.upper()
    r = rng.random(n)
    kec = kec.where(~((kec == "SIBORONGBORONG") & (r < 0.5)), "SIBORONG-BORONG")
    kec = kec.where(~((r >= 0.5) & (r < 0.6)), "KEC. " + kec)
    kec = kec.where(~(r >= 0.93), kec.str.replace(" ", "", regex=False))
    return out, kec


def _address(rng: np.random.Generator, dusun: np.ndarray, huta: np.ndarray, style: str, v: dict) -> pd.Series:
    h = pd.Series(v["huta"][huta])
    rom = pd.Series(_ROMAN[np.clip(dusun, 1, 10)])
    ara = pd.Series(dusun.astype(str))
    if style == "pbi":
        return "DSN " + rom + " " + h
    if style == "sembako":
        return "Dusun " + ara
    if style == "lansia":
        r = rng.random(len(h))
        return (h.str.title() + ", Dusun " + rom).where(r < 0.6, h.str.title())
    if style == "dkb":
        return "DUSUN " + rom
    return "Dusun " + rom + " " + h.str.title()


# ------------------------------------------------------------------------------------------ lists

_REL_PBI = {KEPALA: "PESERTA", PASANGAN: "ISTRI", ANAK: "ANAK", ORANG_TUA: "ORANG TUA", CUCU: "CUCU",
            MENANTU: "MENANTU"}
_REL_BPS = {KEPALA: "1", PASANGAN: "2", ANAK: "3", MENANTU: "4", CUCU: "5", ORANG_TUA: "6"}
_REL_DKB = {KEPALA: "KEPALA KELUARGA", PASANGAN: "ISTRI", ANAK: "ANAK", ORANG_TUA: "ORANG TUA", CUCU: "CUCU",
            MENANTU: "MENANTU"}
_ROLE_ORDER = {KEPALA: 0, PASANGAN: 1, ANAK: 2, MENANTU: 3, CUCU: 4, ORANG_TUA: 5}


def _records(p: pd.DataFrame, hh: pd.DataFrame, rows: np.ndarray, epoch: int) -> pd.DataFrame:
    """The people at ``rows`` of ``p`` with their household, address and role at ``epoch``."""
    rec = p.iloc[rows].reset_index(drop=True)
    hid = rec[f"hh{epoch}"].to_numpy()
    h = hh.set_index("hid").loc[hid]
    rec["hid"] = hid
    rec["rel"] = rec[f"rel{epoch}"]
    rec["desa_i"] = h[f"desa{epoch}"].to_numpy()
    rec["dusun_i"] = (h["dusun"] if epoch == 0 else h["dusun1"]).to_numpy()
    rec["huta_i"] = h["huta"].to_numpy()
    rec["kk"] = h[f"kk{epoch}"].to_numpy()
    rec["welfare"] = h["welfare"].to_numpy()
    # the head's NIK (typed into members' rows by some lists) and the first child's name (teknonyms)
    pe = p[p[f"hh{epoch}"] >= 0]
    heads = pe[pe[f"rel{epoch}"] == KEPALA].drop_duplicates(f"hh{epoch}").set_index(f"hh{epoch}")
    rec["head_nik"] = heads["nik"].reindex(hid).to_numpy()
    rec["head_marga"] = heads["marga"].where(heads["male"]).reindex(hid).to_numpy()
    kids = pe[pe[f"rel{epoch}"] == ANAK].drop_duplicates(f"hh{epoch}").set_index(f"hh{epoch}")["given1"]
    rec["first_child"] = kids.reindex(hid).to_numpy()
    order = rec["rel"].map(_ROLE_ORDER).fillna(9).to_numpy()
    rec = rec.assign(_o=order).sort_values(["desa_i", "hid", "_o", "dob"], kind="stable")
    return rec.drop(columns="_o").reset_index(drop=True)


def _in_epoch(p: pd.DataFrame, epoch: int, households: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isin(p[f"hh{epoch}"].to_numpy(), households) & (p[f"hh{epoch}"].to_numpy() >= 0))


def _teknonym(rng: np.random.Generator, rec: pd.DataFrame, v: dict, elder: bool) -> np.ndarray:
    young = v["given"][v["given"]["cohort"] == "young"]["name"].to_numpy(dtype=object)
    child = rec["first_child"].to_numpy(dtype=object)
    child = np.where(pd.isna(child), young[rng.integers(0, len(young), len(rec))], child)
    if elder:
        return "OP. " + young[rng.integers(0, len(young), len(rec))]
    return np.where(rec["male"].to_numpy(), "AMA ", "NAI ") + child


def _pbi(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict, epoch: int) -> pd.DataFrame:
    src = "pbi_jk_2024_06" if epoch == 0 else "pbi_jk_2025_01"
    rates = RATES["lists"]
    rec = _records(p, hh, _in_epoch(p, epoch, hh["hid"][hh[f"pbi{epoch}"]].to_numpy()), epoch)
    rec = rec[rec["coin_pbi"] < rates["pbi_jk_2024_06"]["member"]].reset_index(drop=True)
    d = RATES["damage"][src]
    df = pd.DataFrame({
        "NO_KARTU": rec["card"].to_numpy(),
        "NIK": _render_nik(rng, rec["nik"].to_numpy(), rec["head_nik"].to_numpy(), d),
        "NO_KK": rec["kk"].to_numpy(),
        "NAMA_PESERTA": _render_names(rng, rec, d, v),
        "TGL_LAHIR": _render_dates(rng, rec["dob"].to_numpy(), rec["heaped"].to_numpy(), d),
        "JENIS_KELAMIN": np.where(rec["male"], "L", "P"),
        "HUB_KELUARGA": rec["rel"].map(_REL_PBI if epoch == 0 else _REL_BPS).to_numpy(),
        "ALAMAT": _address(rng, rec["dusun_i"].to_numpy(), rec["huta_i"].to_numpy(), "pbi", v),
    })
    df["DESA"], df["KECAMATAN"] = _render_desa(rng, rec["desa_i"].to_numpy(), v)
    df.attrs["truth"] = rec
    return df


def _sembako(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> pd.DataFrame:
    r = RATES["lists"]["kpm_sembako_2024"]
    h0 = hh[(hh["desa0"] >= 0) & (hh["welfare"] < r["welfare"])]
    listed = h0["hid"].to_numpy()[rng.random(len(h0)) < r["household"]]
    rec = _records(p, hh, _in_epoch(p, 0, listed), 0)
    size = rec.groupby("hid").size()
    wife = (rec["rel"] == PASANGAN) & (rng.random(len(rec)) < r["wife_is_pengurus"])
    has_wife = wife.groupby(rec["hid"]).transform("any")
    pick = (wife | ((rec["rel"] == KEPALA) & ~has_wife)).to_numpy()
    rec = rec[pick].drop_duplicates("hid").reset_index(drop=True)
    rec["teknonym"] = _teknonym(rng, rec, v, elder=False)
    d = RATES["damage"]["kpm_sembako_2024"]
    nik = _render_nik(rng, rec["nik"].to_numpy(), rec["head_nik"].to_numpy(), d)
    excel = (rng.random(len(rec)) < d["nik_excel"]) & nik.notna().to_numpy() & ~nik.astype("string").str.contains(" ").fillna(False).to_numpy(dtype=bool)
    nik = nik.astype(object)
    nik[excel] = [int(x[:15] + "0") for x in nik[excel]]        # typed into a number cell: 16th digit lost
    n_art = size.reindex(rec["hid"]).to_numpy() + np.where(rng.random(len(rec)) < 0.1, rng.choice([-1, 1],
                                                                                                   len(rec)), 0)
    df = pd.DataFrame({
        "NO": np.arange(1, len(rec) + 1),
        "ID DTKS": "1202" + pd.Series(rec["dtks_id"].to_numpy()).astype(str).str.zfill(8),
        "NAMA PENGURUS": _render_names(rng, rec, d, v),
        "NIK PENGURUS": nik,
        "TGL LAHIR": _render_dates(rng, rec["dob"].to_numpy(), rec["heaped"].to_numpy(), d),
        "L/P": np.where(rec["male"], "L", "P"),
        "ALAMAT": _address(rng, rec["dusun_i"].to_numpy(), rec["huta_i"].to_numpy(), "sembako", v),
    })
    df["DESA/KEL"], df["KECAMATAN"] = _render_desa(rng, rec["desa_i"].to_numpy(), v)
    df["JML ART"] = np.maximum(n_art, 1)
    df.attrs["truth"] = rec
    return df


def _lansia(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> pd.DataFrame:
    r = RATES["lists"]["lansia_2024"]
    rows = _in_epoch(p, 0, hh["hid"][(hh["desa0"] >= 0) & (hh["welfare"] < r["welfare"])].to_numpy())
    rows = rows[(p["age"].to_numpy()[rows] >= r["age"]) & (rng.random(len(rows)) < r["person"])]
    rec = _records(p, hh, rows, 0)
    rec["teknonym"] = _teknonym(rng, rec, v, elder=True)
    d = RATES["damage"]["lansia_2024"]
    dates = _render_dates(rng, rec["dob"].to_numpy(), rec["heaped"].to_numpy(), d)
    age_only = rng.random(len(rec)) < d["age_only"]
    on = np.datetime64(LIST_DATE["lansia_2024"], "D")
    years = ((on - rec["dob"].to_numpy().astype("datetime64[D]")).astype(int) // 365.25).astype(int).astype(str)
    df = pd.DataFrame({
        "NO_REG": "LNS-" + pd.Series(np.arange(1, len(rec) + 1)).astype(str).str.zfill(6),
        "NAMA": _render_names(rng, rec, d, v),
        "L/P": np.where(rec["male"], "Lk", "Pr"),
        "TGL_LAHIR": dates.where(~age_only, None),
        "UMUR": np.where(age_only, years, None),
        "ALAMAT": _address(rng, rec["dusun_i"].to_numpy(), rec["huta_i"].to_numpy(), "lansia", v),
    })
    df["DESA"], df["KECAMATAN"] = _render_desa(rng, rec["desa_i"].to_numpy(), v)
    df["DESA"], df["KECAMATAN"] = df["DESA"].str.title(), df["KECAMATAN"].str.title()
    df.attrs["truth"] = rec
    return df


def _dkb(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> pd.DataFrame:
    r = RATES["lists"]["dkb_2024s2"]
    h1 = hh[(hh["welfare"] < r["welfare"]) & (rng.random(len(hh)) < r["household"])]["hid"].to_numpy()
    rows = _in_epoch(p, 1, h1)
    rows = rows[p["nik"].notna().to_numpy()[rows]]
    rec = _records(p, hh, rows, 1)
    d = RATES["damage"]["dkb_2024s2"]
    kec = v["desa"]["kecamatan_name"].to_numpy(dtype=object)[rec["desa_i"].to_numpy()]
    javanese = hh.set_index("hid")["kind"].reindex(rec["hid"]).eq("javanese").to_numpy()
    df = pd.DataFrame({
        "NO": np.arange(1, len(rec) + 1).astype(str),
        "NIK": rec["nik"].to_numpy(),
        "NO_KK": rec["kk"].to_numpy(),
        "NAMA_LGKP": _render_names(rng, rec, d, v),
        "TMPT_LHR": pd.Series(kec).str.upper().to_numpy(),
        "TGL_LHR": _render_dates(rng, rec["dob"].to_numpy(), rec["heaped"].to_numpy(), d),
        "JENIS_KLMIN": np.where(rec["male"], "LAKI-LAKI", "PEREMPUAN"),
        "AGAMA": np.where(javanese, "ISLAM", np.where(rng.random(len(rec)) < 0.9, "KRISTEN", "KATHOLIK")),
        "STAT_HBKEL": rec["rel"].map(_REL_DKB).to_numpy(),
        "ALAMAT": _address(rng, rec["dusun_i"].to_numpy(), rec["huta_i"].to_numpy(), "dkb", v),
        "NO_RT": "000", "NO_RW": "000",
        "KEL_NAME": v["desa"]["desa_name"].str.upper().to_numpy(dtype=object)[rec["desa_i"].to_numpy()],
        "KEC_NAME": pd.Series(kec).str.upper().to_numpy(),
    })
    df.attrs["truth"] = rec
    return df


def _eppgbm(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame, v: dict) -> pd.DataFrame:
    r = RATES["lists"]["eppgbm_2025"]
    young = (p["hh1"].to_numpy() >= 0) & (p["dob"].to_numpy() > T1 - np.timedelta64(int(365.25 * r["age"]), "D"))
    rows = np.flatnonzero(young & (rng.random(len(p)) < r["child"]))
    rec = _records(p, hh, rows, 1)
    d = RATES["damage"]["eppgbm_2025"]
    pe = p[p["hh1"] >= 0]
    mothers = pe[(pe["rel1"].isin([PASANGAN, KEPALA])) & ~pe["male"]].drop_duplicates("hh1").set_index("hh1")
    fathers = pe[(pe["rel1"] == KEPALA) & pe["male"]].drop_duplicates("hh1").set_index("hh1")
    own = (rec["rel"] == ANAK).to_numpy()
    mo = mothers.reindex(rec["hid"]).reset_index(drop=True)
    fa = fathers.reindex(rec["hid"]).reset_index(drop=True)
    dm = dict(d, typo=0.03, call_name=0.1, initial=0.0, husband_marga=RATES["mother_husband_marga"])
    mo_name = _render_names(rng, mo.fillna({"given1": "", "given2": "", "marga": ""}).assign(
        male=False, teknonym="", rel=PASANGAN, head_marga=fa["marga"].to_numpy()), dm, v).where(
        own & mo["given1"].notna().to_numpy(), None)
    fa_name = _render_names(rng, fa.fillna({"given1": "", "given2": "", "marga": ""}).assign(
        male=True, teknonym=""), dm, v).where(own & fa["given1"].notna().to_numpy(), None)
    mo_nik = pd.Series(mo["nik"].to_numpy(), dtype=object).where(own, None)
    excel = (rng.random(len(rec)) < RATES["parent_nik_excel"]) & mo_nik.notna().to_numpy()
    mo_nik[excel] = [int(x[:15] + "0") for x in mo_nik[excel]]
    # a baby under three months still unnamed on half the rows: "BY. NY." + the mother's name as written
    name = _render_names(rng, rec, d, v)
    baby = ((T1 - rec["dob"].to_numpy().astype("datetime64[D]")).astype(int) < 90) & mo_name.notna().to_numpy()
    baby &= rng.random(len(rec)) < RATES["unnamed_baby"]
    name = name.where(~baby, "By. Ny. " + mo_name.fillna(""))
    df = pd.DataFrame({
        "ID_ANAK": "PGBM" + pd.Series(np.arange(1, len(rec) + 1)).astype(str).str.zfill(6),
        "NIK_ANAK": _render_nik(rng, rec["nik"].to_numpy(), rec["head_nik"].to_numpy(), d),
        "NO_KK": pd.Series(rec["kk"].to_numpy(), dtype=object).where(rng.random(len(rec)) < RATES["ppgbm_kk"], None),
        "NAMA_ANAK": name,
        "JK": np.where(rec["male"], "L", "P"),
        "TGL_LAHIR": _render_dates(rng, rec["dob"].to_numpy(), rec["heaped"].to_numpy(), d),
        "NAMA_IBU": mo_name,
        "NIK_IBU": mo_nik,
        "NAMA_AYAH": fa_name,
        "ALAMAT": _address(rng, rec["dusun_i"].to_numpy(), rec["huta_i"].to_numpy(), "eppgbm", v),
    })
    df["DESA"], df["KECAMATAN"] = _render_desa(rng, rec["desa_i"].to_numpy(), v)
    df.attrs["truth"] = rec
    return df


def _programme_membership(rng: np.random.Generator, p: pd.DataFrame, hh: pd.DataFrame) -> None:
    """Which households are on PBI at each epoch, each person's stable PBI coin and card number (in place)."""
    r = RATES["lists"]
    welfare = hh["welfare"].to_numpy()
    present0 = hh["desa0"].to_numpy() >= 0
    pbi0 = present0 & np.where(welfare < r["pbi_jk_2024_06"]["welfare"], True,
                               rng.random(len(hh)) < r["pbi_jk_2024_06"]["outside"])
    parent = hh["parent"].to_numpy()
    parent_on = np.where(parent >= 0, pbi0[np.clip(parent, 0, None)], False)
    r1 = r["pbi_jk_2025_01"]
    pbi1 = np.where(hh["new"], parent_on & (rng.random(len(hh)) < r1["new_kk_listed"]),
                    np.where(hh["arrives"], (welfare < r["pbi_jk_2024_06"]["welfare"])
                             & (rng.random(len(hh)) < r1["arrived_listed"]),
                             pbi0 & (rng.random(len(hh)) >= r1["dropped"])))
    hh["pbi0"], hh["pbi1"] = pbi0, pbi1
    p["coin_pbi"] = rng.random(len(p))
    p["card"] = "000" + pd.Series(2_000_000_000 + rng.permutation(len(p))).astype(str).to_numpy(dtype=object)
    hh["dtks_id"] = rng.permutation(len(hh)) + 10_000_000


# ------------------------------------------------------------------------------------------ world


def generate(households: int = 5000, seed: int = 7) -> WorldC:
    """World C with ``households`` households at epoch 0 (see the module docstring)."""
    rng = np.random.default_rng(seed)
    v = _vocab()
    v["given_var"] = _variants(v["given"], "name")
    v["marga_var"] = _variants(v["marga"], "marga")
    hh = _households(rng, households, v)
    p = _people(rng, hh, v)
    p, hh = _dynamics(rng, p, hh, v)
    _programme_membership(rng, p, hh)
    p = p.merge(hh[["hid", "dtks_id"]], left_on="hh", right_on="hid", how="left").drop(columns="hid")
    builders = {"pbi_jk_2024_06": lambda: _pbi(rng, p, hh, v, 0),
                "kpm_sembako_2024": lambda: _sembako(rng, p, hh, v),
                "lansia_2024": lambda: _lansia(rng, p, hh, v),
                "dkb_2024s2": lambda: _dkb(rng, p, hh, v),
                "pbi_jk_2025_01": lambda: _pbi(rng, p, hh, v, 1),
                "eppgbm_2025": lambda: _eppgbm(rng, p, hh, v)}
    sources, truth = {}, []
    for src, build in builders.items():
        df = build()
        rec = df.attrs.pop("truth")
        rid = COLUMNS[src]["record_id"]
        truth.append(pd.DataFrame({"source": src, "record_id": df[rid].astype(str).to_numpy(),
                                   "person_id": "P" + rec["pid"].astype(str).to_numpy(dtype=object),
                                   "household_id": "H" + rec["hid"].astype(str).to_numpy(dtype=object),
                                   "hard_negative_group": rec["hard_negative_group"].to_numpy()}))
        sources[src] = df
    population = p[["pid", "given1", "given2", "marga", "full_name", "male", "dob", "heaped", "nik", "hh0", "hh1",
                    "rel0", "rel1", "dead", "hard_negative_group"]]
    return WorldC(sources=sources, truth=pd.concat(truth, ignore_index=True), population=population,
                  households=households, seed=seed)


# ------------------------------------------------------------------------------------------ writers


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False)


def _write_tsv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, sep="\t")


def _write_pipe(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, sep="|")


def _write_lansia(df: pd.DataFrame, path: Path) -> None:
    """A title line and a blank line above the heading, as an exported worksheet keeps them."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("DATA LANJUT USIA KABUPATEN TAPANULI UTARA TAHUN 2024,,,,,,,\n,,,,,,,\n")
        df.to_csv(f, index=False)


def _write_sembako(df: pd.DataFrame, path: Path) -> None:
    """A three-line title block, then a two-row header: groups merged across, NO and JML ART merged down."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "KPM"
    ws.append(["DAFTAR KELUARGA PENERIMA MANFAAT PROGRAM SEMBAKO"])
    ws.append(["KABUPATEN TAPANULI UTARA - TAHAP II TAHUN 2024"])
    ws.append([])
    cols = list(df.columns)
    ws.append(["NO", "DATA KPM", None, None, None, None, "ALAMAT", None, None, "JML ART"])
    ws.append([None] + cols[1:9] + [None])
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)     # NO
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=6)     # DATA KPM over B-F
    ws.merge_cells(start_row=4, start_column=7, end_row=4, end_column=9)     # ALAMAT over G-I
    ws.merge_cells(start_row=4, start_column=10, end_row=5, end_column=10)   # JML ART
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(x, float) and np.isnan(x)) else x for x in row])
    wb.save(path)


def _write_eppgbm(df: pd.DataFrame, path: Path) -> None:
    """A title row above the heading; the mother's NIK kept as a number where it was typed as one."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["SASARAN BALITA E-PPGBM KABUPATEN TAPANULI UTARA FEBRUARI 2025"])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(x, float) and np.isnan(x)) else x for x in row])
    wb.save(path)


_WRITERS = {"pbi_jk_2024_06": _write_csv, "pbi_jk_2025_01": _write_tsv, "kpm_sembako_2024": _write_sembako,
            "lansia_2024": _write_lansia, "dkb_2024s2": _write_pipe, "eppgbm_2025": _write_eppgbm}
