"""Damage applied to list fields: typos, nicknames, spelling variants, missing values, wrong dates and NIKs.
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.synthetic.arrays import _cat_choice, _digits, _pick, _undigits, _ymd
from linkmiskin.synthetic.rates import DamageRates
from linkmiskin.synthetic.tables import _family_cum, _names, _region_variants


class _Log:
    """Collects (row, field, kind) damage events of one list."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.fields: list[str] = []
        self.kinds: list[str] = []

    def add(self, rows: np.ndarray, fld: str, kind: str) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows):
            self.rows.append(rows)
            self.fields.append(fld)
            self.kinds.append(kind)

    def frame(self, source: str, record_ids: np.ndarray) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame({"source": pd.Series(dtype=str), "record_id": pd.Series(dtype=str),
                                 "field": pd.Series(dtype=str), "kind": pd.Series(dtype=str)})
        rows = np.concatenate(self.rows)
        lens = [len(r) for r in self.rows]
        return pd.DataFrame({
            "source": source,
            "record_id": record_ids[rows],
            "field": np.repeat(np.array(self.fields, dtype=object), lens),
            "kind": np.repeat(np.array(self.kinds, dtype=object), lens),
        })


# ============================================================================================= damage


def _family_variant(s: str, u: np.ndarray) -> str:
    """Another spelling of each name of a family (Muhammad -> Muhamad, Mochamad...)."""
    nm, fam_cum = _names(), _family_cum()
    toks = s.split()
    res = []
    for j, t in enumerate(toks):
        f = nm.family_of.get(t)
        if f is None:
            res.append(t)
            continue
        vs, cum = fam_cum[f]
        k = min(bisect.bisect_right(cum, (u[j % 4] + 0.37 * j) % 1.0), len(vs) - 1)
        v = vs[k]
        if v == t:
            v = vs[(k + 1) % len(vs)]
        res.append(v)
    return " ".join(res)


def _nickname(s: str, u: np.ndarray) -> str:
    """One name replaced by a nickname, alone or within the full name."""
    nm = _names()
    toks = s.split()
    cands = [j for j, t in enumerate(toks) if t in nm.nick]
    j = cands[int(u[0] * len(cands))]
    vs, p = nm.nick[toks[j]]
    v = vs[min(int(np.searchsorted(np.cumsum(p), u[1], side="right")), len(vs) - 1)]
    if u[2] < 0.5 or len(toks) == 1:
        return str(v)
    toks[j] = str(v)
    return " ".join(toks)


def _drop_token(s: str, u: np.ndarray) -> str:
    """One name left out, most often the last."""
    toks = s.split()
    j = len(toks) - 1 if u[0] < 0.6 else (0 if u[0] < 0.9 else int(u[1] * len(toks)))
    return " ".join(toks[:j] + toks[j + 1:])


def _swap_tokens(s: str, u: np.ndarray) -> str:
    """The first name moved to the end, or the order reversed."""
    toks = s.split()
    return " ".join(toks[1:] + toks[:1]) if u[0] < 0.7 else " ".join(toks[::-1])


def _name_typo(s: str, u: np.ndarray) -> str:
    """A phonetic misspelling or one letter deleted, doubled, swapped or replaced."""
    nm = _names()
    if u[0] < 0.5:
        rules = [(a, b) for a, b in nm.phonetic if a in s]
        if rules:
            a, b = rules[int(u[1] * len(rules))]
            idx = [i for i in range(len(s)) if s.startswith(a, i)]
            i = idx[int(u[2] * len(idx))]
            return s[:i] + b + s[i + len(a):]
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if not letters:
        return s
    i = letters[int(u[1] * len(letters))]
    op = int(u[2] * 4)
    if op == 0 and len(letters) > 3:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i] + s[i:]
    if op == 2 and i + 1 < len(s) and s[i + 1].isalpha() and s[i + 1] != s[i]:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    c = "AIUEOKNRSTLMH"[int(u[3] * 13)]
    if c == s[i]:
        c = "Y" if c != "Y" else "I"
    return s[:i] + c + s[i + 1:]


class _Damager:
    def __init__(self, rng: np.random.Generator, rates: DamageRates, source: str, log: _Log):
        self.rng = rng
        self.rates = rates
        self.q = rates.source_quality.get(source, 1.0)
        self.log = log
        self.source = source

    def p(self, rate: float) -> float:
        return min(1.0, rate * self.q)

    def bern(self, n: int, rate: float) -> np.ndarray:
        return self.rng.random(n) < self.p(rate)

    # ------------------------------------------------------------------ NIK / KK
    def nik(self, nik: np.ndarray, head_nik: np.ndarray, kk: np.ndarray, is_head: np.ndarray,
            kab4: str, fld: str = "nik") -> np.ndarray:
        r, rng = self.rates, self.rng
        n = len(nik)
        kinds = ("missing", "placeholder", "typo", "transposition", "excel_text", "head_nik", "kk_as_nik")
        cat = _pick(rng, n, [self.p(r.nik_missing), self.p(r.nik_placeholder), self.p(r.nik_typo),
                             self.p(r.nik_transposition), self.p(r.nik_excel_text),
                             self.p(r.nik_head_as_member), self.p(r.nik_kk_as_nik)])
        cat = np.where((cat == 5) & (is_head | (head_nik == nik) | (head_nik <= 0)), len(kinds), cat)
        return self._id_damage(nik, cat, kinds, fld, kab4, head_nik=head_nik, kk=kk)

    def kk(self, kk: np.ndarray, kab4: str) -> np.ndarray:
        r = self.rates
        kinds = ("missing", "placeholder", "typo", "transposition", "excel_text", "head_nik", "kk_as_nik")
        cat = _pick(self.rng, len(kk), [self.p(r.kk_missing), 0.0, self.p(r.kk_typo), 0.0, self.p(r.kk_excel_text), 0.0, 0.0])
        return self._id_damage(kk, cat, kinds, "kk", kab4)

    def _id_damage(self, val: np.ndarray, cat: np.ndarray, kinds: tuple[str, ...], fld: str, kab4: str,
                   head_nik: np.ndarray | None = None, kk: np.ndarray | None = None) -> np.ndarray:
        rng = self.rng
        v = val.copy()
        if head_nik is not None:
            v = np.where(cat == 5, head_nik, v)
        if kk is not None:
            v = np.where(cat == 6, kk, v)
        d = _digits(v)
        ty = np.flatnonzero(cat == 2)
        if len(ty):
            pos = rng.integers(0, 16, len(ty))
            d[ty, pos] = (d[ty, pos] + rng.integers(1, 10, len(ty))) % 10
        tr = np.flatnonzero(cat == 3)
        if len(tr):
            neq = d[tr, :-1] != d[tr, 1:]
            score = np.where(neq, rng.random(neq.shape), -1.0)
            pos = score.argmax(axis=1)
            okp = neq[np.arange(len(tr)), pos]
            rows, pos = tr[okp], pos[okp]
            a, b = d[rows, pos].copy(), d[rows, pos + 1].copy()
            d[rows, pos], d[rows, pos + 1] = b, a
            cat[tr[~okp]] = len(kinds)  # nothing to transpose (repeated digits): undamaged
        out = _undigits(d)
        ex = np.flatnonzero(cat == 4)
        if len(ex):
            s15 = out[ex]
            sci = rng.random(len(ex)) < 0.4
            trunc = np.array([x[:15] + "0" for x in s15], dtype=object)
            scie = np.array([f"{int(x):.5E}".replace("E+", "E+") for x in s15], dtype=object)
            out[ex] = np.where(sci, scie, trunc)
        ph = np.flatnonzero(cat == 1)
        if len(ph):
            choices = np.array(["0000000000000000", "9999999999999999", "1234567890123456", "1111111111111111",
                                kab4 + "000000000000", kab4 + "000000000001"], dtype=object)
            out[ph] = choices[rng.choice(len(choices), size=len(ph), p=[0.35, 0.15, 0.15, 0.1, 0.15, 0.1])]
        mi = np.flatnonzero(cat == 0)
        if len(mi):
            choices = np.array([None, "", "-", "0", "BELUM ADA", "TIDAK ADA"], dtype=object)
            out[mi] = choices[rng.choice(len(choices), size=len(mi), p=[0.45, 0.2, 0.15, 0.08, 0.07, 0.05])]
        for k, kind in enumerate(kinds):
            self.log.add(np.flatnonzero(cat == k), fld, kind)
        return out

    # ------------------------------------------------------------------ dates
    def dob(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns y, m, d (0 = missing). Typos can make impossible dates (31-02)."""
        r, rng = self.rates, self.rng
        n = len(days)
        y, m, d = _ymd(days)
        cat = _pick(rng, n, [self.p(r.dob_placeholder), self.p(r.dob_swap), self.p(r.dob_typo), self.p(r.dob_missing)])
        # placeholder
        ph = np.flatnonzero(cat == 0)
        if len(ph):
            k = rng.choice(3, size=len(ph), p=[0.55, 0.3, 0.15])
            already = ((m[ph] == 7) & (d[ph] == 1) & (k == 0)) | ((m[ph] == 12) & (d[ph] == 31) & (k == 1)) | (
                (m[ph] == 1) & (d[ph] == 1) & (k == 2))
            k = np.where(already, (k + 1) % 3, k)
            m[ph] = np.choose(k, [7, 12, 1])
            d[ph] = np.choose(k, [1, 31, 1])
        # swap: only where it changes the date and stays a date
        sw = cat == 1
        can = (d <= 12) & (d != m)
        cat = np.where(sw & ~can, 4, cat)
        s = np.flatnonzero(cat == 1)
        m[s], d[s] = d[s].copy(), m[s].copy()
        # typo
        ty = np.flatnonzero(cat == 2)
        if len(ty):
            k = rng.choice(4, size=len(ty), p=[0.35, 0.15, 0.25, 0.25])
            yy = y[ty].copy()
            swapped = (yy // 100) * 100 + (yy % 10) * 10 + (yy // 10) % 10
            swapped = np.where((swapped == yy) | (swapped > 2024), yy + 1, swapped)
            y[ty] = np.where(k == 0, yy + rng.choice([-1, 1], len(ty)), np.where(k == 1, swapped, yy))
            dd = d[ty] + rng.choice([-2, -1, 1, 2, 10, -10], len(ty))
            dd = np.where((dd < 1) | (dd > 31), d[ty] % 10 + 1 + (d[ty] % 10 == d[ty] - 1), dd)
            d[ty] = np.where(k == 2, dd, d[ty])
            mm = m[ty] + rng.choice([-1, 1], len(ty))
            mm = np.where((mm < 1) | (mm > 12), 13 - m[ty] + (m[ty] == 6) + (m[ty] == 7) * 0, mm)
            mm = np.where(mm == m[ty], (m[ty] % 12) + 1, mm)
            m[ty] = np.where(k == 3, mm, m[ty])
        mi = np.flatnonzero(cat == 3)
        y[mi], m[mi], d[mi] = 0, 0, 0
        for k, kind in enumerate(("placeholder", "swap", "typo", "missing")):
            self.log.add(np.flatnonzero(cat == k), "dob", kind)
        return y, m, d

    # ------------------------------------------------------------------ names
    def name(self, names: np.ndarray, sex: np.ndarray, by: np.ndarray, age: np.ndarray, fld: str = "name") -> np.ndarray:
        """Damaged names, in this order: family spellings, nicknames, old spellings, a dropped name, an added
        name, swapped names, typos, titles."""
        r, rng, nm = self.rates, self.rng, _names()
        out = names.copy()
        n = len(out)

        def flag(cand: np.ndarray, fn: Any) -> np.ndarray:
            """``cand`` restricted to records whose current name satisfies ``fn`` (once per distinct name)."""
            rows = np.flatnonzero(cand)
            res = np.zeros(n, dtype=bool)
            if len(rows):
                codes, uniq = pd.factorize(out[rows])
                res[rows] = np.array([fn(str(s).split()) for s in uniq], dtype=bool)[codes]
            return res

        def apply(mask: np.ndarray, kind: str, fn: Any) -> None:
            rows = np.flatnonzero(mask)
            if not len(rows):
                return
            u = rng.random((len(rows), 4)).tolist()
            new = np.array([fn(str(x), uu) for x, uu in zip(out[rows], u, strict=True)], dtype=object)
            changed = new != out[rows]
            out[rows] = new
            self.log.add(rows[changed], fld, kind)

        apply(flag(self.bern(n, r.name_muhammad_form), lambda ts: any(t in nm.family_of for t in ts)),
              "muhammad_form", _family_variant)
        apply(flag(self.bern(n, r.name_nickname), lambda ts: any(t in nm.nick for t in ts)), "nickname", _nickname)
        self._old_spelling(out, by, fld)
        apply(flag(self.bern(n, r.name_drop_token), lambda ts: len(ts) >= 2), "drop_token", _drop_token)
        self._add_token(out, sex, fld)
        apply(flag(self.bern(n, r.name_swap_tokens), lambda ts: len(ts) >= 2), "swap_tokens", _swap_tokens)
        apply(self.bern(n, r.name_typo), "typo", _name_typo)
        self._title(out, sex, age, fld)
        return out

    def _old_spelling(self, out: np.ndarray, by: np.ndarray, fld: str) -> None:
        """Old (pre-1972) spellings (OE, DJ, TJ...) on names of people born before 1975, in place."""
        r, nm, n = self.rates, _names(), len(out)
        old = self.bern(n, r.name_old_spelling) & (by < 1975)
        rows = np.flatnonzero(old)
        if len(rows):
            s = pd.Series(out[rows], dtype=object)
            for a, b in nm.old_rules:
                s = s.str.replace(a, b.lower(), regex=False)
            new = s.str.upper().to_numpy(dtype=object)
            changed = new != out[rows]
            out[rows] = new
            self.log.add(rows[changed], fld, "old_spelling")

    def _add_token(self, out: np.ndarray, sex: np.ndarray, fld: str) -> None:
        """A common first or last name added before or after the name, in place."""
        r, rng, nm, n = self.rates, self.rng, _names(), len(out)
        add = np.flatnonzero(self.bern(n, r.name_add_token))
        if len(add):
            pre = rng.random(len(add)) < 0.5
            new = out[add].copy()
            for s in (0, 1):
                m = sex[add] == s
                f_t, f_p = nm.add_first[s]
                l_t, l_p = nm.add_last[s]
                a = np.flatnonzero(m & pre)
                b = np.flatnonzero(m & ~pre)
                new[a] = _cat_choice(rng, f_t, f_p, len(a)) + " " + new[a]
                new[b] = new[b] + " " + _cat_choice(rng, l_t, l_p, len(b))
            out[add] = new
            self.log.add(add, fld, "add_token")

    def _title(self, out: np.ndarray, sex: np.ndarray, age: np.ndarray, fld: str) -> None:
        """A title (H., Hj., S.Pd. ...) fitting sex and age before or after adults' names, in place."""
        r, rng, nm, n = self.rates, self.rng, _names(), len(out)
        ti = np.flatnonzero(self.bern(n, r.name_title) & (age >= 21))
        if len(ti):
            t = nm.titles
            ok_sex = np.stack([t["sex"].isin(["L", "U"]).to_numpy(), t["sex"].isin(["P", "U"]).to_numpy()])[sex[ti]]
            ok = ok_sex & (age[ti][:, None] >= t["min_age"].to_numpy()[None, :])
            w = ok * t["weight"].to_numpy()[None, :]
            has = w.sum(axis=1) > 0
            ti, w = ti[has], w[has]
            k = (rng.random(len(ti))[:, None] > np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)[:, :-1]).sum(axis=1)
            title = t["title"].to_numpy(dtype=object)[k]
            suffix = t["position"].to_numpy(dtype=object)[k] == "suffix"
            comma = np.where(rng.random(len(ti)) < 0.6, ", ", " ")
            out[ti] = np.where(suffix, out[ti] + comma + title, title + " " + out[ti])
            self.log.add(ti, fld, "title")

    # ------------------------------------------------------------------ places
    def text_typo(self, values: np.ndarray, rate: float, fld: str) -> np.ndarray:
        rng = self.rng
        out = values.copy()
        rows = np.flatnonzero(self.bern(len(values), rate))
        rows = rows[np.array([isinstance(v, str) and len(v) > 3 for v in values[rows]], dtype=bool)]
        if not len(rows):
            return out
        u = rng.random((len(rows), 3))
        res = []
        for j, i in enumerate(rows):
            s = str(out[i])
            letters = [k for k, c in enumerate(s) if c.isalpha()]
            k = letters[int(u[j, 0] * len(letters))]
            op = int(u[j, 1] * 3)
            if op == 0:
                res.append(s[:k] + s[k + 1:])
            elif op == 1:
                res.append(s[:k] + s[k] + s[k:])
            else:
                c = "AIUEONRKS"[int(u[j, 2] * 9)]
                res.append(s[:k] + (c if c != s[k] else "E") + s[k + 1:])
        out[rows] = np.array(res, dtype=object)
        self.log.add(rows, fld, "typo")
        return out


def _region_name_variants(name: str, kind: str) -> list[str]:
    """Ways a clerk writes a desa (kind='desa') or kecamatan name."""
    directions, prefixes = _region_variants()
    out: list[str] = []
    toks = name.split()
    if len(toks) >= 2:
        out.append("".join(toks))
    else:
        for p in prefixes:
            if name.startswith(p) and len(name) > len(p) + 2:
                out.append(p + " " + name[len(p):])
                break
    if kind == "kec" and len(toks) == 2 and toks[1] in directions:
        con, abbr = directions[toks[1]]
        out.append(toks[0][:3] + con)
        out.append(toks[0] + " " + abbr)
        out.append(toks[0][:3] + ". " + toks[1])
    return [v for v in dict.fromkeys(out) if v != name]


def _region_strings(rng: np.random.Generator, dmg: _Damager, names: np.ndarray, idx: np.ndarray, kind: str,
                    variant_rate: float, typo_rate: float, missing_rate: float) -> np.ndarray:
    """Desa or kecamatan column values for records whose true region index is ``idx``."""
    n = len(idx)
    fld = "desa" if kind == "desa" else "kecamatan"
    out = names[idx].copy()
    var = np.flatnonzero(dmg.bern(n, variant_rate))
    if len(var):
        vtab = [_region_name_variants(str(s), kind) for s in names]
        nvar = np.array([len(v) for v in vtab])
        ok = var[nvar[idx[var]] > 0]
        pick = np.floor(rng.random(len(ok)) * nvar[idx[ok]]).astype(np.int64)
        out[ok] = np.array([vtab[i][k] for i, k in zip(idx[ok], pick, strict=True)], dtype=object)
        dmg.log.add(ok, fld, "variant")
    out = dmg.text_typo(out, typo_rate, fld)
    mi = np.flatnonzero(dmg.bern(n, missing_rate))
    out[mi] = np.where(rng.random(len(mi)) < 0.7, None, "-")
    dmg.log.add(mi, fld, "missing")
    return out
