"""Checking a saved model file before DuckDB sees any of it.

A Splink model (``model.json``, written by :meth:`linkmiskin.Linker.save_model`) holds SQL: every comparison
level has a ``sql_condition`` that DuckDB executes, and so do the blocking rules. A file edited by someone
else could make DuckDB read or write files (``read_text('/etc/passwd')``, ``COPY ... TO``). So
:func:`checked_model` never runs the SQL in the file: it rebuilds the model from linkmiskin's own comparison
creators and blocking rules (:func:`linkmiskin.scoring.model.settings`), checks that each stored comparison level
says exactly what linkmiskin would write (its SQL condition, label and flags), and only then copies the
stored numbers (m and u of each level, the prior match probability) into the rebuilt model. Anything
else is rejected with an error that names the comparison and level.

Still: **load only model files you trust** (your own, or from a colleague over a trusted channel). The
numbers in a model decide who is linked to whom.
"""

from __future__ import annotations

import json
import math
import os
from numbers import Real
from pathlib import Path
from typing import Any

_NUMBERS = ("m_probability", "u_probability")
#: top-level settings whose stored value is taken from the file (after checking); all others must be
#: exactly what linkmiskin writes
_FROM_FILE = ("probability_two_random_records_match", "linker_uid", "comparisons")


def _error(msg: str) -> Exception:
    from linkmiskin.linkage import LinkError

    return LinkError(msg)


def check_threshold(value: Any, what: str = "threshold") -> float:
    """``value`` as a float strictly between 0 and 1, or a clear error (also for ``"0.9"`` and ``True``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _error(f"{what} must be a number between 0 and 1 (e.g. 0.9), got {value!r} "
                     f"({type(value).__name__})")
    v = float(value)
    if not (math.isfinite(v) and 0 < v < 1):
        raise _error(f"{what} must be a probability strictly between 0 and 1, got {value!r}")
    return v


def _probability(value: Any, where: str, *, allow_none: bool = True) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(float(value))
                                                                       and 0 <= float(value) <= 1):
        raise _error(f"{where} must be a probability between 0 and 1, got {value!r}")
    return float(value)


def read_model_file(path: str | os.PathLike) -> dict:
    """Read and parse a model file: an error naming the path when it is missing, truncated or not a
    linkmiskin model."""
    p = Path(path)
    if not p.exists():
        raise _error(f"model file not found: {p}")
    if p.is_dir():
        raise _error(f"{p} is a folder, not a model file")
    try:
        payload = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise _error(f"{p} is not a linkmiskin model file (not UTF-8 text: {e.reason})") from None
    except json.JSONDecodeError as e:
        raise _error(f"{p} is not valid JSON (truncated or edited?): {e.msg} at line {e.lineno}, "
                     f"column {e.colno}. Save the model again with Linker.save_model()") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("splink_model"), dict):
        raise _error(f"{p} is not a linkmiskin model file (no 'splink_model' section)")
    return payload


def _level_name(comp: dict, k: int, level: dict) -> str:
    label = level.get("label_for_charts") if isinstance(level, dict) else None
    return f"comparison {comp.get('output_column_name')!r}, level {k}" + (f" ({label!r})" if label else "")


def checked_model(stored: dict, path: str | os.PathLike = "model file") -> dict:
    """The model linkmiskin itself builds, with the stored m/u probabilities and prior; an error naming the
    comparison and level for any SQL or setting that is not what linkmiskin writes."""
    from linkmiskin.scoring.model import kinds_of_model, settings

    p = str(path)
    if not isinstance(stored, dict):
        raise _error(f"{p}: 'splink_model' must be an object")
    # the comparisons linkmiskin chose for the data the model was trained on (NIK or plain id, desa or text)
    ref = settings(kinds=kinds_of_model(stored)).get_settings("duckdb").as_dict()
    for key in sorted(set(stored) | set(ref)):
        if key in _FROM_FILE:
            continue
        if key not in ref:
            raise _error(f"{p}: unknown model setting {key!r}; linkmiskin does not write it. "
                         "Load only model files saved by linkmiskin (Linker.save_model)")
        if stored.get(key) != ref[key]:
            raise _error(f"{p}: model setting {key!r} is not what linkmiskin writes (edited, or saved by "
                         "another version): retrain the model. Load only trusted model files")
    out = json.loads(json.dumps(ref))  # a private copy
    out["probability_two_random_records_match"] = _probability(
        stored.get("probability_two_random_records_match"), f"{p}: probability_two_random_records_match",
        allow_none=False)
    comps = stored.get("comparisons")
    if not isinstance(comps, list) or len(comps) != len(ref["comparisons"]):
        raise _error(f"{p}: the model has {len(comps) if isinstance(comps, list) else 'no'} comparisons, "
                     f"linkmiskin writes {len(ref['comparisons'])}: retrain the model")
    for comp, want, target in zip(comps, ref["comparisons"], out["comparisons"], strict=True):
        name = want.get("output_column_name")
        if not isinstance(comp, dict) or comp.get("output_column_name") != name:
            got = comp.get("output_column_name") if isinstance(comp, dict) else comp
            raise _error(f"{p}: expected comparison {name!r}, found {got!r}: retrain the model")
        for key in set(comp) | set(want):
            if key != "comparison_levels" and comp.get(key) != want.get(key):
                raise _error(f"{p}: comparison {name!r}: {key!r} is not what linkmiskin writes")
        levels = comp.get("comparison_levels")
        if not isinstance(levels, list) or len(levels) != len(want["comparison_levels"]):
            raise _error(f"{p}: comparison {name!r} has other levels than linkmiskin writes: retrain the model")
        for k, (lv, wlv, tlv) in enumerate(zip(levels, want["comparison_levels"], target["comparison_levels"],
                                               strict=True)):
            where = _level_name(comp, k, lv)
            if not isinstance(lv, dict):
                raise _error(f"{p}: {where} is not an object")
            for key in set(lv) | set(wlv):
                if key in _NUMBERS:
                    continue
                if lv.get(key) != wlv.get(key):
                    what = "SQL condition" if key == "sql_condition" else repr(key)
                    raise _error(f"{p}: {where}: the {what} is not the SQL linkmiskin writes for this level; "
                                 "the file was edited or made by another version. It is not loaded (a model "
                                 "file's SQL runs in DuckDB). Retrain, and load only trusted model files")
            for key in _NUMBERS:
                if key in lv:
                    tlv[key] = _probability(lv[key], f"{p}: {where}: {key}")
    return out
