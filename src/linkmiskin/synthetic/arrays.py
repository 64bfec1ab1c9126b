"""Vectorised helpers of the generator: dates as day numbers, digit arrays, weighted picks, address templates.
"""

from __future__ import annotations

import numpy as np

from linkmiskin.synthetic.tables import _formats

# ============================================================================================== helpers

_DAY0 = np.datetime64("1970-01-01", "D")


def _days(date: str) -> int:
    return int((np.datetime64(date, "D") - _DAY0).astype(np.int64))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    return ((y.astype(np.int64) + 1970), (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
            (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def _to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    ym = (np.asarray(y, dtype=np.int64) - 1970) * 12 + (np.asarray(m, dtype=np.int64) - 1)
    return ym.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d, dtype=np.int64) - 1


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    return _to_days(np.where(m == 12, y + 1, y), np.where(m == 12, 1, m + 1), np.ones_like(m)) - _to_days(y, m, np.ones_like(m))


_PAD2 = np.array([f"{i:02d}" for i in range(100)], dtype=object)
_PAD3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_NUM = np.array([str(i) for i in range(10000)], dtype=object)


def _ostr(a: np.ndarray) -> np.ndarray:
    """int array -> object array of decimal strings."""
    a = np.asarray(a, dtype=np.int64)
    if len(a) and 0 <= a.min() and a.max() < len(_NUM):
        return _NUM[a]
    return a.astype(str).astype(object)


def _digits(a: np.ndarray, width: int = 16) -> np.ndarray:
    """Non-negative int64 -> (n, width) uint8 digit matrix (zero padded)."""
    a = np.asarray(a, dtype=np.int64)
    out = np.empty((len(a), width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        out[:, k] = a % 10
        a = a // 10
    return out


def _undigits(d: np.ndarray) -> np.ndarray:
    """(n, width) digit matrix -> object array of strings."""
    w = d.shape[1]
    b = np.ascontiguousarray(d.astype(np.uint8) + 48).tobytes()
    return np.frombuffer(b, dtype=f"S{w}").astype(f"U{w}").astype(object)


def _id16(a: np.ndarray) -> np.ndarray:
    return _undigits(_digits(a, 16))


def _fixed(a: np.ndarray, width: int, prefix: str = "") -> np.ndarray:
    """Zero-padded decimal strings of a fixed width, with an optional prefix (fast)."""
    out = _undigits(_digits(a, width))
    return prefix + out if prefix else out


def _pick(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """n draws of category indices 0..k (k = len(probs): 'none') with the given probabilities."""
    probs = np.asarray(probs, dtype=float)
    s = probs.sum()
    if s > 1.0:
        probs = probs / s
    cum = np.cumsum(probs)
    return np.searchsorted(cum, rng.random(n), side="right")


def _cat_choice(rng: np.random.Generator, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    return values[rng.choice(len(values), size=n, p=p)]


def _rank_within(keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """0-based rank of each element among equal keys, in random order."""
    n = len(keys)
    order = np.lexsort((rng.random(n), keys))
    sk = keys[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    grp_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - grp_start
    return rank


def _fill_template(tpl: str, values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Vectorised str.format for templates like 'RT {rt3} RW {rw3}'."""
    out = np.full(n, "", dtype=object)
    rest = tpl
    while rest:
        i = rest.find("{")
        if i < 0:
            out = out + rest
            break
        if i:
            out = out + rest[:i]
        j = rest.index("}", i)
        out = out + values[rest[i + 1:j]]
        rest = rest[j + 1:]
    return out


def _apply_templates(rng: np.random.Generator, context: str, values: dict[str, np.ndarray], n: int,
                     house: int | None = None, house_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Fill one template per row from a context of synthetic_address_formats.csv; returns (strings, choice).

    ``house`` (a template index) is used for ``house_share`` of the rows: each list has its own habit.
    """
    templates, p = _formats()[context]
    choice = rng.choice(len(templates), size=n, p=p)
    if house is not None:
        choice = np.where(rng.random(n) < house_share, house, choice)
    out = np.full(n, "", dtype=object)
    for k, tpl in enumerate(templates):
        m = np.flatnonzero(choice == k)
        if len(m):
            out[m] = _fill_template(tpl, {key: v[m] for key, v in values.items() if ("{" + key + "}") in tpl}, len(m))
    return out, choice


def _rtrw_values(rt: np.ndarray, rw: np.ndarray) -> dict[str, np.ndarray]:
    rt = np.clip(rt, 0, 999)
    rw = np.clip(rw, 0, 999)
    return {"rt": _ostr(rt), "rt2": _PAD2[np.minimum(rt, 99)], "rt3": _PAD3[rt],
            "rw": _ostr(rw), "rw2": _PAD2[np.minimum(rw, 99)], "rw3": _PAD3[rw]}
