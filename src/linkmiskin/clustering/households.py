"""Household clusters from all the evidence.

A household is built in steps, strongest evidence first:

1. **Units.** Inside one source, records that share a valid KK number form a unit; records without a KK
   that share the list's own family id (``household_key``: ID_KELUARGA, ID_RUTA...) form a unit too. Any
   other record is a unit of its own. KK numbers are repaired first (:func:`_repair_kk`; a KK written on
   one record only that is one typo away from the KK the row next to it carries on several records is that KK,
   :func:`kk_typo_of_neighbour_row`), and a missing KK
   or family id is taken from the neighbouring row at the same address when the list is sorted family by
   family (:func:`_fill_from_neighbours`; checked on the list itself). A list with neither KK nor family id
   but with relationships and addresses is cut into family blocks, head first, when its order proves to
   follow families (:func:`_family_blocks`; checked against the KKs other lists give its people). A record
   whose person has no KK anywhere takes the KK of the rows around it when the nearest rows with a known
   KK before and after it agree, in lists where that rule proves right (:func:`_kk_between_neighbours`);
   one right before a family's first row (or before rows without KK, at most ``HEAD_MAX_GAP``, that precede
   it, which go with it) heads that family when it is an adult man no member is more than 5
   years older than (but for his parents) and the family has no head of its own (a member written as head on
   any list, its eldest is an adult man, or an adult man is less than a generation younger than him) (:func:`head_before_family`); two such rows, a man
   then a woman of his age, are a couple, and a woman without KK right after a man with one is his wife
   (:func:`couple_rows`); a child under 17 right after a family's
   rows is of that family (:func:`child_after_family`). Each list-order rule is tried on the list's own
   rows first and used only where it proves right.
2. **Lists without KK** (fewer than half the records carry a valid KK): records of one such list join
   when they have the same desa + RT/RW and close mothers' names (:func:`names_close`; a one-word name
   must be the very same) with no different father's name (siblings on a posyandu list), or the same
   address down to block and house number. Address alone is not enough: an RT holds dozens of households,
   and a welfare decile is shared by many of them.
3. **Same KK across sources.** Units of different sources with the same valid KK number are one household
   (a KK is strong evidence of co-residence at the date it was printed).
4. **Shared people.** Two units that hold the same *person* (from the person clusters) are joined when
   they share two or more people (a family that moved and got a new KK) or live at the same desa + RT/RW,
   and do not have two different heads (KEPALA): two heads sharing people are a married child who left
   with their family to form a new KK (pecah KK), listed under the old KK on an older list; so are two
   units with KKs that differ by more than a typo when the head and spouse written on one are none of the
   other's people and it writes a shared person as child-in-law or grandchild (:func:`pecah_kk`). A unit of one
   record without a KK (a head-only list such as BLT-DD, a list without KK) joins the household that holds
   most records of its person and never bridges two households. Person links and mother links may not
   build a household of more than ``MAX_PERSONS`` distinct persons.
5. **Mother's name.** A child on a list without KK (posyandu) whose unit is still alone joins the
   household of the one woman in the same desa (and RT/RW when known) whose canonical name is the
   child's mother's name; if women of several households qualify, the child stays alone.
6. **Lone parents.** A person alone in a household (a BPJS-PBI head whose NO_KK is empty) joins the
   household of the one child of their kecamatan whose record names them, by a name of two words or more,
   as father or mother, when the sex fits and they are at least 15 years older (:func:`lone_parents`); the
   children of several households that name the person and close names as their other parent are one couple's,
   and join with the parent (:func:`children_of_one_couple`).
7. Anything else is a household of its own.

``household_confidence`` of a record: 1.0 when it shares a KK with another member inside its source (at
most the measured share of neighbours with one KK for a family block);
otherwise the record's person confidence (how firmly the record belongs to the person whose household it
joins, or, for a record alone, how sure we are that it has no other record); for a child that stays alone
because several women of the mother's name qualify, the person confidence divided by their number.
``household_evidence`` says which rule attached the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkmiskin.clustering.persons import components
from linkmiskin.facts import UnionFind, one_typo_apart
from linkmiskin.standardise.household_roles import CHILD_IN_LAW, GRANDCHILD, HEAD, SPOUSE
from linkmiskin.standardise.names import names_close
from linkmiskin.standardise.nik import TRUSTED_KK_STATUSES

#: No household built from person links or a mother's name may hold more people than this.
MAX_PERSONS = 20


def _col(std: pd.DataFrame, col: str) -> pd.Series:
    return std[col].reset_index(drop=True) if col in std else pd.Series([None] * len(std), dtype=object)


#: the list-order rules, by name (``use_row_order`` switches them on and off; ``metadata`` reports them)
ROW_ORDER_RULES = ("fill_kk_from_neighbour_rows", "fill_family_id_from_neighbour_rows",
                   "family_blocks_in_list_order", "kk_between_neighbour_rows", "couple_rows", "head_before_family",
                   "child_after_family", "kk_typo_of_neighbour_row")


#: the standardised columns the household steps read (:func:`household_clusters` copies only these)
HOUSEHOLD_COLUMNS = ("source", "row_number", "kk", "kk_status", "household_key", "desa_code", "kecamatan_code",
                     "rt", "rw", "place_name", "house_number", "block", "decile", "relationship", "name",
                     "sex", "nik_sex", "mother_name", "father_name", "kk_prefix15", "birth_date")


def _list_order(std: pd.DataFrame) -> np.ndarray:
    """The permutation that puts the records in list order: by source, then by the row number of the file."""
    src = std["source"].astype(str).to_numpy()
    row = (std["row_number"].to_numpy(dtype=np.int64) if "row_number" in std
           else np.arange(len(std), dtype=np.int64))
    return np.lexsort((row, src))


def household_clusters(std: pd.DataFrame, persons: pd.DataFrame, pairs: pd.DataFrame | None = None, *,
                       use_row_order: str | bool = "auto") -> pd.DataFrame:
    """Return one row per record (same order as ``std``) with ``household_node``, ``household_confidence``
    and ``household_evidence``.

    ``use_row_order``: ``"auto"`` runs the list-order rules (:data:`ROW_ORDER_RULES`) on a list only when
    its own data proves that it is sorted family by family; ``True`` trusts every list's order; ``False``
    never reads the order. The rules read each record's ``row_number`` (its row in its file), not its
    position in ``std``. ``out.attrs["row_order"]`` reports, per source and rule, whether the rule was used
    and the measured share that proved it."""
    if use_row_order not in ("auto", True, False):
        raise ValueError(f"use_row_order must be 'auto', True or False, got {use_row_order!r}")
    perm = _list_order(std)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    # in list order, with only the columns the steps read (a copy of all of std and of the persons'
    # model table would cost more than the steps)
    std = std[[c for c in HOUSEHOLD_COLUMNS if c in std]]
    out = _household_clusters(std.iloc[perm].reset_index(drop=True),
                              persons[["person_node", "person_confidence"]].iloc[perm].reset_index(drop=True),
                              None if pairs is None else _renumber(pairs, inv), use_row_order)
    report = out.attrs.get("row_order", {})
    res = out.iloc[inv].reset_index(drop=True)
    res.attrs["row_order"] = report
    return res


def _renumber(pairs: pd.DataFrame, inv: np.ndarray) -> pd.DataFrame:
    """Pairs with their node ids moved to list order."""
    return pairs.assign(l=inv[pairs["l"].to_numpy()], r=inv[pairs["r"].to_numpy()])


def _household_clusters(std: pd.DataFrame, persons: pd.DataFrame, pairs: pd.DataFrame | None,
                        use_row_order: str | bool) -> pd.DataFrame:
    """The household steps of the module docstring, in order, on records in list order."""
    n = len(std)
    src = std["source"].astype(str).to_numpy()
    person = persons["person_node"].to_numpy()
    pconf = persons["person_confidence"].to_numpy(dtype=float)
    evidence = np.array(["alone"] * n, dtype=object)
    report: dict[str, dict[str, dict]] = {}
    # 1. raw units: same source and KK or family id; every other record alone
    units = _raw_units(std, src, person, use_row_order, report, evidence)
    # 2. lists without KK: same address *and* a household-level attribute
    el, er = _no_kk_links(std, src, units.raw, units.kk_ok, evidence)
    unit = components(len(units.raw_keys), _cat(el), _cat(er))[units.raw]
    # 3. same KK across sources, 4. shared persons
    hh_of_unit, split_off = _join_units(std, unit, units.kk, units.kk_ok, person)
    hh = hh_of_unit[unit]
    unit_size = np.bincount(unit, minlength=int(unit.max()) + 1 if n else 0)
    joined = (np.bincount(hh)[hh] > unit_size[unit]) & (evidence == "alone")
    evidence[joined] = "same person or KK in another list"
    # a family kept apart from the household whose KK also lists its people (pecah KK)
    apart = split_off[hh_of_unit[split_off[:, 0]] != hh_of_unit[split_off[:, 1]], 0]
    evidence[np.isin(unit, apart)] = pecah_kk.__name__
    conf = _unit_confidence(pconf, evidence, src, units.block_share, units.head_share)
    # 5. mother's name: a child's household joins the household of its mother
    hh = _mother_links(std, hh, person, pconf, conf, evidence)
    # 6. a person alone whose name is written as the father or mother of one household's child joins it
    hh = _lone_parent_links(std, hh, person, conf, evidence)
    out = pd.DataFrame({"household_node": hh.astype(np.int64), "household_confidence": np.round(conf, 6),
                        "household_evidence": evidence})
    out.attrs["row_order"] = report
    return out


@dataclass
class _Units:
    """Step 1's result: each record's raw unit (``raw`` into ``raw_keys``), the repaired KK numbers, and per
    source the share that proved a list-order rule (``block_share``)."""

    raw: np.ndarray
    raw_keys: pd.Index
    kk: np.ndarray
    kk_ok: np.ndarray
    block_share: dict[str, float]
    head_share: dict[str, float]


def _raw_units(std: pd.DataFrame, src: np.ndarray, person: np.ndarray, use_row_order: str | bool,
               report: dict, evidence: np.ndarray) -> _Units:
    """Step 1: records of one source with one (repaired) KK or one family id form a unit; every other
    record is a unit of its own. Writes the unit evidence into ``evidence``."""
    n = len(std)
    kk_ok = std["kk_status"].astype(str).isin(TRUSTED_KK_STATUSES).to_numpy()
    kk = np.where(kk_ok, std["kk"].astype(object).to_numpy(), None)
    kk = _repair_kk(std, src, kk, kk_ok)
    kk, typo_fixed = _kk_typos_of_neighbour_rows(src, kk, use_row_order, report)
    kk = _fill_from_neighbours(std, src, kk, use_row_order, report)
    kk_ok = pd.notna(kk)
    # a list's own family/household id (ID_KELUARGA, ID_RUTA) groups members that have no KK
    hkey = _fill_from_neighbours(std, src, _col(std, "household_key").to_numpy(dtype=object), use_row_order,
                                 report, key_name="family id")
    # lists with neither KK nor family id, sorted family by family: blocks of rows
    kk_of = _person_kk(kk, person)  # each person's KK, from whichever list gives one
    blocks, block_share = _family_blocks(std, src, kk, hkey, kk_of, use_row_order, report)
    in_block = pd.notna(blocks)
    hkey = np.where(in_block, blocks, hkey)
    # any other list: a record without KK between two rows of one family takes that family's KK, when the
    # list proves sorted family by family
    lacking = pd.isna(kk) & pd.isna(hkey)
    lack_share = pd.Series(lacking).groupby(src).mean()
    rest = [s for s in lack_share.index[lack_share > 0] if s not in block_share]
    between, between_share = _kk_between_neighbours(src, lacking, kk_of, rest, use_row_order, report)
    in_between = pd.notna(between)
    kk = np.where(in_between, between, kk)
    block_share.update(between_share)
    # two rows without KK, a man then a woman of his age, in a list sorted family by family, are a couple
    partner, wife_kk, couple_share = _couples(std, src, lacking & ~in_between, kk_of, list(between_share),
                                              use_row_order, report)
    in_wife = pd.notna(wife_kk)
    # a row without KK just before a family that lacks its head (or a couple before it), in such a list, heads it
    headed, head_share = _heads_before_families(std, src, lacking & ~in_between & ~in_wife, kk_of,
                                                list(between_share), use_row_order, report, person=person)
    in_headed = pd.notna(headed)
    kk = np.where(in_headed, headed, np.where(in_wife, wife_kk, kk))
    kk_ok = pd.notna(kk)
    man_of = np.flatnonzero(partner >= 0)
    in_couple = np.zeros(n, dtype=bool)
    in_couple[man_of] = in_couple[partner[man_of]] = True
    in_couple &= ~kk_ok
    ckey = np.full(n, None, dtype=object)
    ckey[man_of] = ckey[partner[man_of]] = pd.Series(man_of).astype(str).radd("couple").to_numpy(dtype=object)
    hkey = np.where(in_couple, ckey, hkey)
    for s_, share_ in couple_share.items():
        head_share.setdefault(s_, share_)
    # a child without KK right after a family's rows, in such a list, is of that family
    child = lacking & ~in_between & ~kk_ok & ~in_couple
    after, child_share = _children_after_families(std, src, child, np.where(kk_ok, kk, kk_of), list(between_share),
                                                  use_row_order, report)
    in_after = pd.notna(after)
    kk = np.where(in_after, after, kk)
    kk_ok = pd.notna(kk)
    for s_, share_ in child_share.items():
        head_share[s_] = min(head_share.get(s_, 1.0), share_)
    own = ~kk_ok & pd.notna(hkey)
    raw_key = np.where(kk_ok, pd.Series(src).str.cat(pd.Series(kk).astype(str), sep="|kk|").to_numpy(),
                       pd.Series(np.arange(n)).astype(str).radd("rec|").to_numpy())
    if own.any():
        raw_key[own] = pd.Series(src[own]).str.cat(pd.Series(hkey[own]).astype(str), sep="|hk|").to_numpy()
    raw, raw_keys = pd.factorize(raw_key)
    raw_size = np.bincount(raw, minlength=len(raw_keys))
    evidence[raw_size[raw] > 1] = "same KK or family id in source"
    evidence[(in_block & (raw_size[raw] > 1)) | in_between] = "family rows in list order"
    evidence[in_couple | in_wife] = couple_rows.__name__
    evidence[in_headed] = head_before_family.__name__
    evidence[in_after] = child_after_family.__name__
    wives = partner[man_of][in_headed[man_of]]
    evidence[wives] = couple_rows.__name__
    evidence[typo_fixed & (raw_size[raw] > 1)] = kk_typo_of_neighbour_row.__name__
    return _Units(raw, raw_keys, kk, kk_ok, block_share, head_share)


def _no_kk_links(std: pd.DataFrame, src: np.ndarray, raw: np.ndarray, kk_ok: np.ndarray,
                 evidence: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Step 2: links between raw units of a list without KK (fewer than half its records carry one):
    siblings by their mother's name at one address, and the same address down to block and house."""
    el: list[np.ndarray] = []
    er: list[np.ndarray] = []
    share = pd.Series(kk_ok).groupby(src).mean()
    no_kk_src = list(share.index[share < 0.5])
    if no_kk_src:
        in_src = np.isin(src, no_kk_src)
        base = pd.DataFrame({
            "raw": raw, "src": src, "desa": _col(std, "desa_code").to_numpy(),
            "rt": pd.array(_col(std, "rt"), dtype="Int64"), "rw": pd.array(_col(std, "rw"), dtype="Int64"),
            "place": _col(std, "place_name").to_numpy(), "decile": pd.array(_col(std, "decile"), dtype="Int64"),
            "house": _col(std, "house_number").to_numpy(), "block": _col(std, "block").to_numpy(),
            "mother": _col(std, "mother_name").to_numpy()})[in_src]
        base["father"] = _col(std, "father_name").to_numpy()[in_src]
        # siblings: the same mother (her name written the same way, reordered, shortened or with a typo)
        # at one desa + RT/RW, and no different father
        sib = _sibling_pairs(base)
        if len(sib):
            el.append(sib[:, 0])
            er.append(sib[:, 1])
            idx = base.index.to_numpy()[np.isin(base["raw"].to_numpy(), sib.ravel())]
            evidence[idx] = np.where(evidence[idx] == "alone", "same mother at one address in list", evidence[idx])
        keysets = (
            ["src", "desa", "rt", "rw", "place", "block", "house"],  # same address down to the house
        )
        for keys in keysets:
            k = base.dropna(subset=keys)
            if len(k) < 2:
                continue
            first = k.groupby(keys, sort=False)["raw"].transform("first").to_numpy()
            joined = k["raw"].to_numpy() != first
            el.append(k["raw"].to_numpy())
            er.append(first)
            idx = k.index.to_numpy()[joined | (k.groupby(keys, sort=False)["raw"].transform("size").to_numpy() > 1)]
            evidence[idx] = np.where(evidence[idx] == "alone", "same address in list", evidence[idx])
    return el, er


def _join_units(std: pd.DataFrame, unit: np.ndarray, kk: np.ndarray, kk_ok: np.ndarray,
                person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steps 3 and 4: the household of each unit, from the same KK across sources and from shared persons
    (never two different heads, never a :func:`pecah_kk`, never more than ``MAX_PERSONS``); a free unit (one
    person, no KK) joins the household that holds most records of its person. Returns the household of each
    unit and the pairs (split-off family's unit, the other unit) that :func:`pecah_kk` kept apart."""
    n_units = int(unit.max()) + 1 if len(unit) else 0
    kdf = pd.DataFrame({"unit": unit, "kk": kk})[kk_ok].drop_duplicates()
    kk_l = kdf["unit"].to_numpy()
    kk_r = kdf.groupby("kk")["unit"].transform("first").to_numpy()
    up = pd.DataFrame({"unit": unit, "person": person}).drop_duplicates()
    unit_persons = np.bincount(up["unit"].to_numpy(), minlength=n_units)
    # a unit of one person and no KK (a head-only list, a list without KK) has no household evidence of its
    # own: it joins a household through its person below, and never bridges two households
    free = unit_persons <= 1
    free[kk_l] = False
    pu = up[~free[up["unit"].to_numpy()]]
    pu = pu.merge(pu, on="person", suffixes=("_a", "_b"))
    pu = pu[pu["unit_a"] < pu["unit_b"]]
    if len(pu):
        shared = pu.groupby(["unit_a", "unit_b"]).size().rename("shared").reset_index()
        ua, ub = shared["unit_a"].to_numpy(), shared["unit_b"].to_numpy()
        # two units sharing people are one household (a family that moved and got a new KK) unless they
        # have two different heads: then a married child left with their family to form a new KK (pecah
        # KK). Sharing a single person also needs the same desa + RT/RW (else: a person counted in two homes)
        addr, head, head_name = _unit_address_and_head(std, unit, person, n_units)
        same_addr = (addr[ua] == addr[ub]) & (addr[ua] != "")
        # two heads are different people when they are different persons *and* their names are not close
        # (one head whose records the person clustering left apart is still one head)
        head_conflict = (head[ua] >= 0) & (head[ub] >= 0) & (head[ua] != head[ub])
        if head_conflict.any():
            idx = np.flatnonzero(head_conflict)
            head_conflict[idx] = ~names_close(pd.Series(head_name[ua[idx]]), pd.Series(head_name[ub[idx]]))
        split, split_off = _pecah_kk_pairs(std, unit, person, kk, kk_ok, up, ua, ub)
        small = (unit_persons[ua] <= 1) | (unit_persons[ub] <= 1)
        ok = ((shared["shared"].to_numpy() >= 2) | same_addr | small) & ~head_conflict & ~split
        # the most alike units first: shared people over all their people (a new KK holding exactly the
        # split family goes with that family, not with the parents' old KK that also lists them)
        sh = shared["shared"].to_numpy()
        strength = (sh / (unit_persons[ua] + unit_persons[ub] - sh) + sh * 1e-6)[ok]
        # strongest links first; a link is refused when it would put two different heads in one household
        # (a unit without relationships, such as BPJS-PBI, may not bridge a pecah KK) or build a household
        # of more than MAX_PERSONS people (a wrong person merge would otherwise chain households together)
        hh_of_unit = _head_aware_union(n_units, kk_l, kk_r, ua[ok], ub[ok], strength, head, head_name, up,
                                       MAX_PERSONS)
    else:
        hh_of_unit = components(n_units, kk_l, kk_r)
        split_off = np.zeros((0, 2), dtype=np.int64)
    if free.any():
        # each free unit joins the household that holds most records of its person; the free units of a
        # person found nowhere else form one household
        rec_free = free[unit]
        cnt = pd.DataFrame({"person": person[~rec_free], "hh": hh_of_unit[unit[~rec_free]]}).value_counts()
        best = cnt.reset_index().sort_values(["person", "count", "hh"], ascending=[True, False, True])
        target = pd.Series(best.drop_duplicates("person").set_index("person")["hh"])
        fu = up[free[up["unit"].to_numpy()]]
        t = fu["person"].map(target)
        first = fu.groupby("person")["unit"].transform("min")
        hh_of_unit[fu["unit"].to_numpy()] = np.where(t.notna(), t.fillna(-1).to_numpy(np.int64),
                                                     hh_of_unit[first.to_numpy()])
    return hh_of_unit, split_off


def pecah_kk(core_not_shared: np.ndarray, in_law_shared: np.ndarray, other_kk: np.ndarray) -> np.ndarray:
    """Two units with valid KKs that differ by more than a typo and share people are two households when the
    head and spouse written on one are none of the other's people and one writes a shared person as child-in-law
    or grandchild (a married child who left with their own family under a new KK: pecah KK)."""
    return core_not_shared & in_law_shared & other_kk


def _pecah_kk_pairs(std: pd.DataFrame, unit: np.ndarray, person: np.ndarray, kk: np.ndarray, kk_ok: np.ndarray,
                    up: pd.DataFrame, ua: np.ndarray, ub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pecah_kk` on the pairs of units ``ua, ub`` that share people (``up``: unit, person): per pair,
    whether it is kept apart, and the kept-apart pairs as (split-off family's unit, the other unit)."""
    n_units = int(unit.max()) + 1 if len(unit) else 0
    unit_kk = np.full(n_units, None, dtype=object)
    unit_kk[unit[kk_ok]] = kk[kk_ok]
    rel = _col(std, "relationship").to_numpy(dtype=object)
    core = pd.DataFrame({"unit": unit, "person": person})[(rel == HEAD) | (rel == SPOUSE)].drop_duplicates()
    has_core = np.zeros(n_units, dtype=bool)
    has_core[core["unit"].to_numpy()] = True
    # (unit, other unit) where a head or spouse written on the unit is among the other unit's people
    met = core.merge(up, on="person", suffixes=("", "_other"))
    met = met["unit"].to_numpy(dtype=np.int64) * n_units + met["unit_other"].to_numpy(dtype=np.int64)
    # (unit, other unit) where a person the unit writes as child-in-law or grandchild is in the other unit
    kin = pd.DataFrame({"unit": unit, "person": person})[(rel == CHILD_IN_LAW) | (rel == GRANDCHILD)]
    kin = kin.drop_duplicates().merge(up, on="person", suffixes=("", "_other"))
    kin = kin["unit"].to_numpy(dtype=np.int64) * n_units + kin["unit_other"].to_numpy(dtype=np.int64)
    ka, kb = unit_kk[ua], unit_kk[ub]
    other_kk = pd.notna(ka) & pd.notna(kb) & (ka != kb)
    if other_kk.any():
        idx = np.flatnonzero(other_kk)
        other_kk[idx] = ~one_typo_apart(pd.Series(ka[idx], dtype=object), pd.Series(kb[idx], dtype=object))
    a, b = ua.astype(np.int64), ub.astype(np.int64)
    ab, ba = a * n_units + b, b * n_units + a
    # b split off from a (a's head and spouse are not among b's people), or a from b
    a_out = pecah_kk(has_core[ua] & ~np.isin(ab, met), np.isin(ab, kin), other_kk)
    b_out = pecah_kk(has_core[ub] & ~np.isin(ba, met), np.isin(ba, kin), other_kk)
    split = a_out | b_out
    # a's head and spouse are not among b's people: b is the family that split off
    pairs = np.r_[np.c_[b, a][split & a_out], np.c_[a, b][split & b_out & ~a_out]].astype(np.int64)
    return split, pairs.reshape(-1, 2)


def _unit_confidence(pconf: np.ndarray, evidence: np.ndarray, src: np.ndarray,
                     block_share: dict[str, float], head_share: dict[str, float] | None = None) -> np.ndarray:
    """Household confidence before the mother's-name step: 1 for a shared KK or family id in a source, at
    most the proved share for a family block in list order, else the person confidence."""
    conf = pconf.copy()
    conf[np.isin(evidence, ["same KK or family id in source"])] = 1.0
    # a family block is as sure as the list's order proved to be
    for s_, share_ in block_share.items():
        sel = (evidence == "family rows in list order") & (src == s_)
        conf[sel] = np.minimum(pconf[sel], share_)
    for s_, share_ in (head_share or {}).items():
        sel = (evidence == head_before_family.__name__) & (src == s_)
        conf[sel] = np.minimum(pconf[sel], share_)
    return conf


def _mother_links(std: pd.DataFrame, hh: np.ndarray, person: np.ndarray, pconf: np.ndarray,
                  conf: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """Step 5: a child whose household holds no woman with its mother's name joins the household of the one
    woman of that name at its desa (and RT/RW when known); with several candidates it stays alone and its
    confidence is divided by their number. Updates ``conf`` and ``evidence``; returns the households."""
    n = len(std)
    mother = _col(std, "mother_name")
    if mother.notna().any():
        sex = _col(std, "sex").where(_col(std, "sex").notna(), _col(std, "nik_sex"))
        names = _col(std, "name")
        desa = _col(std, "desa_code")
        kec = _col(std, "kecamatan_code")
        rt = pd.array(_col(std, "rt"), dtype="Int64")
        rw = pd.array(_col(std, "rw"), dtype="Int64")
        kids = pd.DataFrame({"mname": mother.to_numpy(), "desa": desa.to_numpy(), "kec": kec.to_numpy(),
                             "rt": rt, "rw": rw, "hh": hh, "kid": np.arange(n)})
        kids = kids[kids["mname"].notna() & kids["desa"].notna() & kids["kec"].notna()]
        # households that already hold a woman with the mother's name need nothing
        women = pd.DataFrame({"mname": names.to_numpy(), "desa_w": desa.to_numpy(), "kec": kec.to_numpy(),
                              "rt_w": rt, "rw_w": rw, "hh_w": hh, "sex": sex.to_numpy()})
        women = women[(women["sex"] != "L") & women["mname"].notna() & women["kec"].notna()]
        m = kids.merge(women, on=["mname", "kec"])
        # the same desa (and RT/RW when both are known). A woman listed with her kecamatan only (BPJS-PBI)
        # does not qualify: tried, and a namesake in the kecamatan is too often someone else's mother.
        same_desa = (m["desa_w"] == m["desa"]).to_numpy()
        rt_ok = (m["rt"].isna() | m["rt_w"].isna() | (m["rt"] == m["rt_w"])).fillna(True) & \
                (m["rw"].isna() | m["rw_w"].isna() | (m["rw"] == m["rw_w"])).fillna(True)
        m = m[rt_ok.to_numpy() & same_desa]
        has_own = m[m["hh"] == m["hh_w"]]["kid"].unique()
        m = m[~m["kid"].isin(has_own)]
        cand = m.groupby("kid")["hh_w"].nunique()
        sure = cand.index[cand == 1]
        link = m[m["kid"].isin(sure)].drop_duplicates("kid")
        if len(link):
            n_hh = int(hh.max()) + 1
            empty = np.zeros(0, dtype=np.int64)
            hh2 = _capped(n_hh, empty, empty, link["hh"].to_numpy(np.int64), link["hh_w"].to_numpy(np.int64), hh,
                          person, MAX_PERSONS)
            hh = hh2[hh]
            kid_idx = link["kid"].to_numpy()
            evidence[kid_idx] = "mother's name and address"
        amb = cand.index[cand > 1].to_numpy()
        if len(amb):
            conf[amb] = pconf[amb] / cand.loc[amb].to_numpy()
    return hh


def lone_parents(same_name: np.ndarray, sex_fits: np.ndarray, old_enough: np.ndarray,
                 n_households: np.ndarray) -> np.ndarray:
    """A person alone in a household joins the household of a child whose record names them (the very same
    name, of two words or more) as father or mother, when the sex fits, they are at least 15 years older (or,
    their birth date unknown, live in the child's desa), and no other household of their kecamatan has such a
    child."""
    return same_name & sex_fits & old_enough & (n_households == 1)


def children_of_one_couple(one_named_parent: np.ndarray, other_parent_close: np.ndarray) -> np.ndarray:
    """Children of several households whose records name one lone person as a parent, and close names as their
    other parent, are one couple's children, one household that the parent joins (as for ``lone_parents``)."""
    return one_named_parent & other_parent_close


#: a parent is at least this many years older than the child whose record names them
PARENT_MIN_YEARS = 15


def _lone_parent_links(std: pd.DataFrame, hh: np.ndarray, person: np.ndarray, conf: np.ndarray,
                       evidence: np.ndarray) -> np.ndarray:
    """Step 6, :func:`lone_parents`: the records of a one-person household (a BPJS-PBI head whose NO_KK is
    empty) join the household of the child whose record names the person as father (a man) or mother (a
    woman), in the same kecamatan (and desa when both are known); never when the person's name is written
    so in two households, or two lone persons of one name qualify, or the child's household already holds
    someone of that name. Updates ``evidence``."""
    kids = []
    for col, other, sex_ in (("father_name", "mother_name", "L"), ("mother_name", "father_name", "P")):
        v = _col(std, col)
        if v.notna().any():
            kids.append(pd.DataFrame({"name": v.to_numpy(dtype=object), "sex_p": sex_, "kid": np.arange(len(std)),
                                      "other": _col(std, other).to_numpy(dtype=object)}))
    if not kids:
        return hh
    born = pd.to_datetime(_col(std, "birth_date"), errors="coerce", format="%Y-%m-%d")
    days = ((born - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float)
    kec = _col(std, "kecamatan_code").to_numpy(dtype=object)
    desa = _col(std, "desa_code").to_numpy(dtype=object)
    k = pd.concat(kids, ignore_index=True).dropna(subset=["name"])
    # a one-word name (ASEP, NURJANAH) is shared by too many people in a kecamatan to name one parent
    k = k[k["name"].str.contains(" ", regex=False).fillna(False).to_numpy(dtype=bool)]
    k = k.assign(kec=kec[k["kid"]], desa=desa[k["kid"]], hh_k=hh[k["kid"]], born_k=days[k["kid"]])
    k = k[pd.notna(k["kec"])].drop_duplicates(["name", "sex_p", "kec", "hh_k"])
    # a child whose household already holds someone of the parent's name needs nobody
    names = pd.DataFrame({"name": _col(std, "name").to_numpy(dtype=object), "hh_k": hh}).dropna().drop_duplicates()
    k = k.merge(names.assign(has=True), on=["name", "hh_k"], how="left")
    k = k[k["has"].isna()].drop(columns="has")
    # the persons alone: every record of their household is of one person
    one = pd.DataFrame({"hh": hh, "p": person}).drop_duplicates().groupby("hh").size()
    alone = np.flatnonzero(one.reindex(hh).to_numpy() == 1)
    if not len(k) or not len(alone):
        return hh
    sex = _col(std, "sex").astype(object).where(_col(std, "sex").notna(), _col(std, "nik_sex").astype(object))
    lone = pd.DataFrame({"name": _col(std, "name").to_numpy(dtype=object)[alone], "kec": kec[alone],
                         "desa_l": desa[alone], "hh": hh[alone], "sex": sex.to_numpy(dtype=object)[alone],
                         "born": days[alone]}).dropna(subset=["name", "kec"])
    m = lone.merge(k, on=["name", "kec"])
    if not len(m):
        return hh
    # a namesake elsewhere: the name written as a parent in several households, or several lone persons
    n_hh = m.groupby(["name", "kec", "sex_p"])["hh_k"].transform("nunique").to_numpy()
    n_lone = m.groupby(["name", "kec", "sex_p"])["hh"].transform("nunique").to_numpy()
    same_desa = (pd.isna(m["desa_l"]) | pd.isna(m["desa"]) | (m["desa_l"] == m["desa"])).to_numpy(dtype=bool)
    sex_fits = (pd.isna(m["sex"]) | (m["sex"] == m["sex_p"])).to_numpy(dtype=bool)
    older = (m["born"] <= m["born_k"] - PARENT_MIN_YEARS * 365.25).fillna(False).to_numpy(dtype=bool)
    # a head-only list without birth dates (BLT-DD): the same desa, both known, stands in for the age check
    in_desa = (pd.notna(m["desa_l"]) & pd.notna(m["desa"]) & (m["desa_l"] == m["desa"])).to_numpy(dtype=bool)
    older |= m["born"].isna().to_numpy() & in_desa
    # the children of several households that name the person are one couple's when they name close other parents
    couple = children_of_one_couple(n_hh > 1, _other_parents_close(m))
    n_hh = np.where(couple, 1, n_hh)
    take = lone_parents(same_desa & (n_lone == 1), sex_fits, older, n_hh) & (m["hh"] != m["hh_k"]).to_numpy()
    link = m[take]
    if not len(link):
        return hh
    # the parent and every household of the couple's children: one household, the smallest child household's
    ids, pair = np.unique(np.r_[link["hh_k"].to_numpy(dtype=np.int64), link["hh"].to_numpy(dtype=np.int64)],
                          return_inverse=True)
    comp = components(len(ids), pair[:len(link)], pair[len(link):])
    child_hh = np.where(np.isin(ids, link["hh_k"].to_numpy()), ids.astype(float), np.inf)
    to = pd.Series(child_hh).groupby(comp).transform("min").to_numpy().astype(np.int64)
    target = pd.Series(to, index=ids)
    moved = np.isin(hh, link["hh"].to_numpy())
    siblings = np.isin(hh, ids) & ~moved & ~np.isin(hh, to)
    evidence[moved] = lone_parents.__name__
    evidence[siblings] = children_of_one_couple.__name__
    return np.where(moved | siblings, pd.Series(hh).map(target).fillna(-1).to_numpy(dtype=np.int64), hh)


def _other_parents_close(m: pd.DataFrame) -> np.ndarray:
    """Per row of ``m`` (a lone person and a child household naming them as parent): whether every child
    household naming them (same name, kecamatan and sex) names, as the other parent, a name close to the first
    one's (:func:`names_close`), all given."""
    key = m.groupby(["name", "kec", "sex_p"]).ngroup().to_numpy()
    other = m["other"].to_numpy(dtype=object)
    first = pd.Series(other).groupby(key).transform("first").to_numpy(dtype=object)
    ok = pd.notna(other) & pd.notna(first)
    close = np.zeros(len(m), dtype=bool)
    if ok.any():
        close[ok] = names_close(pd.Series(other[ok]), pd.Series(first[ok]))
    return pd.Series(close).groupby(key).transform("all").to_numpy(dtype=bool)


def _note(report: dict, source: str, rule: str, used: bool, share: float | None, mode: str | bool) -> None:
    """Record in the row-order report whether a list-order rule was used on a list, and why."""
    why = ("forced (use_row_order=True)" if mode is True else
           "proved by the list's own data" if used else "the list's order did not prove it")
    report.setdefault(str(source), {})[rule] = {"used": bool(used),
                                                "share": None if share is None else round(float(share), 4),
                                                "why": why}


def _sibling_pairs(base: pd.DataFrame) -> np.ndarray:
    """Unit pairs (raw, raw) of records of one list without KK at the same desa + RT/RW whose mothers'
    names are close (:func:`names_close`; the very same name when either has one word only) and whose
    fathers' names, when both are given, are close too."""
    k = base.dropna(subset=["desa", "rt", "rw", "mother"])
    if len(k) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = k.drop_duplicates(["raw", "mother", "father"])
    m = k.merge(k, on=["src", "desa", "rt", "rw"], suffixes=("_a", "_b"))
    m = m[m["raw_a"] < m["raw_b"]]
    if not len(m):
        return np.zeros((0, 2), dtype=np.int64)
    ok = names_close(m["mother_a"], m["mother_b"])
    both_f = (m["father_a"].notna() & m["father_b"].notna()).to_numpy()
    if both_f.any():
        f_ok = np.ones(len(m), dtype=bool)
        f_ok[both_f] = names_close(m["father_a"][both_f], m["father_b"][both_f])
        ok &= f_ok
    # a one-word name (DEWI) is inside many mothers' names: with one word, only the same name counts
    one_word = ~(m["mother_a"].str.contains(" ") & m["mother_b"].str.contains(" ")).fillna(False).to_numpy()
    ok &= ~one_word | (m["mother_a"] == m["mother_b"]).to_numpy()
    return m[["raw_a", "raw_b"]].to_numpy(np.int64)[ok]


def _repair_kk(std: pd.DataFrame, src: np.ndarray, kk: np.ndarray, kk_ok: np.ndarray) -> np.ndarray:
    """KK numbers to group by, repaired inside one source where the evidence is unambiguous:

    * an Excel-damaged KK (16th digit lost) takes the one valid KK of its source with the same first
      15 digits;
    * a valid KK written on one record only, at the same desa + RT/RW as a KK of the same source that
      several records carry and one digit away from it, is that KK mistyped;
    * a record without a KK takes the KK of its source at the same desa + RT/RW + place when exactly
      one KK is listed there.
    """
    kk = kk.copy()
    n = len(kk)
    desa = _col(std, "desa_code").to_numpy()
    rt = pd.array(_col(std, "rt"), dtype="Int64")
    rw = pd.array(_col(std, "rw"), dtype="Int64")
    place = _col(std, "place_name").to_numpy()
    status = _col(std, "kk_status").astype(str).to_numpy()
    p15 = _col(std, "kk_prefix15").to_numpy()
    valid = pd.DataFrame({"src": src, "kk": kk, "p15": [k[:15] if isinstance(k, str) else None for k in kk]})[kk_ok]
    # Excel-damaged
    dmg = (status == "excel_damaged") & pd.notna(p15)
    if dmg.any():
        uniq = valid.drop_duplicates(["src", "kk"]).groupby(["src", "p15"])["kk"].agg(["first", "size"])
        uniq = uniq[uniq["size"] == 1]["first"]
        look = pd.MultiIndex.from_arrays([src[dmg], p15[dmg]])
        got = uniq.reindex(look).to_numpy()
        kk[np.flatnonzero(dmg)] = got
    # KKs one typo apart at one address (:func:`linkmiskin.facts.one_typo_apart`)
    d = pd.DataFrame({"src": src, "kk": kk, "desa": desa, "rt": rt, "rw": rw})[pd.notna(kk)].dropna()
    d = d.drop_duplicates(["src", "kk", "desa", "rt", "rw"])
    if len(d) > 1:
        m = d.merge(d, on=["src", "desa", "rt", "rw"])
        m = m[m["kk_x"] < m["kk_y"]]
        if len(m):
            m = m[(m["kk_x"].str.len() == 16) & (m["kk_y"].str.len() == 16)]
            if len(m):
                one = one_typo_apart(m["kk_x"], m["kk_y"])
                # KKs of neighbours registered days apart differ in one digit too (3216222506130001 /
                # 3216222706130001): only a KK written on a single record is taken for a typo of a KK that
                # several records of the source carry
                cnt = pd.DataFrame({"src": src, "kk": kk}).dropna().value_counts()
                nx = cnt.reindex(pd.MultiIndex.from_arrays([m["src"], m["kk_x"]])).to_numpy()
                ny = cnt.reindex(pd.MultiIndex.from_arrays([m["src"], m["kk_y"]])).to_numpy()
                x_typo = one & (nx == 1) & (ny >= 2)
                y_typo = one & (ny == 1) & (nx >= 2)
                fix = dict(zip(m["kk_y"].to_numpy()[y_typo], m["kk_x"].to_numpy()[y_typo]))
                fix.update(zip(m["kk_x"].to_numpy()[x_typo], m["kk_y"].to_numpy()[x_typo]))
                if fix:
                    ks = pd.Series(kk, dtype=object)
                    kk = ks.map(fix).fillna(ks).to_numpy(dtype=object)
    # missing KK at an address with exactly one KK of the same source
    miss = ~pd.notna(kk) & pd.notna(desa) & ~pd.isna(rt) & ~pd.isna(rw) & pd.notna(place)
    if miss.any():
        have = pd.DataFrame({"src": src, "kk": kk, "desa": desa, "rt": rt, "rw": rw, "place": place})
        have = have[pd.notna(kk)].dropna().drop_duplicates(["src", "desa", "rt", "rw", "place", "kk"])
        one = have.groupby(["src", "desa", "rt", "rw", "place"])["kk"].agg(["first", "size"])
        one = one[one["size"] == 1]["first"]
        look = pd.MultiIndex.from_arrays([src[miss], desa[miss], np.asarray(rt, dtype=object)[miss],
                                          np.asarray(rw, dtype=object)[miss], place[miss]])
        kk[np.flatnonzero(miss)] = one.reindex(look).to_numpy()
    del n
    return np.where(pd.notna(kk), kk, None).astype(object)


def kk_typo_of_neighbour_row(single: np.ndarray, one_typo: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """A valid KK written on one record only of its list, one typo away from the KK that the row right before or
    after it carries on several records, is that KK mistyped (a list puts a family's rows together)."""
    return single & one_typo & carried


def _kk_typos_of_neighbour_rows(src: np.ndarray, kk: np.ndarray, mode: str | bool = "auto",
                                report: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`kk_typo_of_neighbour_row` on records in list order (a list without addresses, such as BPJS-PBI,
    gives :func:`_repair_kk` no address to check a typo at): the KK of the row before is tried first, then the
    row after (never with ``use_row_order=False``). Returns the KKs and which records were repaired."""
    n = len(kk)
    fixed = np.zeros(n, dtype=bool)
    if n < 2 or mode is False:
        return kk, fixed
    ks = pd.Series(kk, dtype=object)
    cnt = pd.DataFrame({"src": src, "kk": kk}).groupby(["src", "kk"], dropna=True).size()
    n_of = cnt.reindex(pd.MultiIndex.from_arrays([src, ks.fillna("")])).fillna(0).to_numpy(dtype=np.int64)
    single = n_of == 1
    out = kk.copy()
    for step in (1, -1):   # the row before, then the row after
        nb = ks.shift(step)
        nb_src = pd.Series(src, dtype=object).shift(step).to_numpy(dtype=object)
        nb_n = pd.Series(n_of).shift(step).fillna(0).to_numpy(dtype=np.int64)
        cand = np.flatnonzero(single & ~fixed & (nb_src == src) & pd.notna(nb).to_numpy())
        if not len(cand):
            continue
        one = one_typo_apart(ks.iloc[cand], nb.iloc[cand])
        take = kk_typo_of_neighbour_row(single[cand], one, nb_n[cand] >= 2)
        out[cand[take]] = nb.to_numpy(dtype=object)[cand[take]]
        fixed[cand[take]] = True
    if report is not None:
        for s_, k in pd.Series(src[fixed]).value_counts().sort_index().items():
            report.setdefault(str(s_), {})[kk_typo_of_neighbour_row.__name__] = {
                "used": True, "share": None, "why": f"{k} KKs written once, one typo from the next row's"}
    return out, fixed


#: a list is taken to be sorted family by family when at least this share of neighbouring rows that both
#: carry a KK (or family id) carry the same one
FAMILY_ORDER_SHARE = 0.5


def _fill_from_neighbours(std: pd.DataFrame, src: np.ndarray, key: np.ndarray, mode: str | bool = "auto",
                          report: dict | None = None, key_name: str = "KK") -> np.ndarray:
    """Fill a missing KK (or family id) from the neighbouring rows of the same list, when the list is
    sorted family by family (agency exports usually are; checked on the list itself, see
    ``FAMILY_ORDER_SHARE``) and the neighbour is at the same desa + RT/RW (all three known). A head (KEPALA)
    takes the KK of the row after it, anyone else that of the row before it, else the other one."""
    key = np.asarray(key, dtype=object).copy()
    n = len(key)
    if n < 3 or mode is False:
        return key
    have = pd.notna(key)
    if have.all() or not have.any():
        return key
    same_src = np.r_[src[1:] == src[:-1], False]  # row i and row i+1 are of one list
    both = same_src & have & np.r_[have[1:], False]
    eq = np.zeros(n, dtype=bool)
    eq[:-1] = key[:-1] == key[1:]
    share = pd.Series(eq[both]).groupby(src[both]).mean() if both.any() else pd.Series(dtype=float)
    lacking_src = set(np.unique(src[~have]))
    ordered = (lacking_src if mode is True else set(share.index[share >= FAMILY_ORDER_SHARE])) & lacking_src
    if report is not None:
        rule = "fill_kk_from_neighbour_rows" if key_name == "KK" else "fill_family_id_from_neighbour_rows"
        for s_ in sorted(lacking_src & set(np.unique(src[have]))):
            _note(report, s_, rule, s_ in ordered, share.get(s_), mode)
    if not ordered:
        return key
    desa = _col(std, "desa_code").astype(object).to_numpy()
    rt = pd.array(_col(std, "rt"), dtype="Int64").to_numpy(dtype=object, na_value=None)
    rw = pd.array(_col(std, "rw"), dtype="Int64").to_numpy(dtype=object, na_value=None)
    rel = _col(std, "relationship").to_numpy(dtype=object)

    def same_place(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        # the same desa, RT and RW, all known (a list without addresses gives no check, and no filling)
        ok = np.ones(len(i), dtype=bool)
        for a in (desa, rt, rw):
            ai, aj = a[i], a[j]
            ok &= pd.notna(ai) & pd.notna(aj)
            ok[ok] = ai[ok] == aj[ok]
        return ok

    miss = np.flatnonzero(~have & np.isin(src, list(ordered)))
    prev = np.full(len(miss), None, dtype=object)
    nxt = np.full(len(miss), None, dtype=object)
    p = miss - 1
    okp = (p >= 0) & (src[np.maximum(p, 0)] == src[miss]) & have[np.maximum(p, 0)]
    okp[okp] = same_place(miss[okp], p[okp])
    prev[okp] = key[p[okp]]
    q = miss + 1
    okq = (q < n) & (src[np.minimum(q, n - 1)] == src[miss]) & have[np.minimum(q, n - 1)]
    okq[okq] = same_place(miss[okq], q[okq])
    nxt[okq] = key[q[okq]]
    head = rel[miss] == HEAD
    first = np.where(head, nxt, prev)
    second = np.where(head, prev, nxt)
    key[miss] = np.where(pd.notna(first), first, second)
    return key


#: a list without KK or family id is read as family blocks (a head, then the rows after it at the same
#: address) when at least this share of neighbouring rows inside blocks belong to people whose KK, known
#: from any list, is the same...
BLOCK_SAME_KK_SHARE = 0.8
#: ... and no more than this share of neighbouring rows across a head's row (a new block) do.
BLOCK_ACROSS_SHARE = 0.5
#: neighbour pairs with a known KK on both sides needed before a list's order is trusted.
BLOCK_MIN_CHECKED = 20


def _family_blocks(std: pd.DataFrame, src: np.ndarray, kk: np.ndarray, hkey: np.ndarray,
                   kk_of: np.ndarray, mode: str | bool = "auto",
                   report: dict | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """Family blocks of lists that carry neither KK nor family id but a relationship column and addresses
    (P3KE or DTKS extracts whose id columns were dropped). Exports list a family's rows together, head
    (KEPALA) first: a block starts at each head, at each change of desa + RT/RW (all three known), and at a
    new list. The order is checked on the list itself: the people of neighbouring rows *inside* blocks must
    mostly share a KK known from any list (``BLOCK_SAME_KK_SHARE``), and neighbours *across* a head's row
    must mostly not (``BLOCK_ACROSS_SHARE``); a shuffled or address-sorted list fails and gets no blocks.

    Returns a block key per record (``None`` outside trusted blocks) and the measured inside share per
    trusted list (used as the household confidence of block members)."""
    n = len(src)
    keys = np.full(n, None, dtype=object)
    rel = _col(std, "relationship").to_numpy(dtype=object)
    if n < 3 or not pd.notna(rel).any() or mode is False:
        return keys, {}
    lacking = pd.isna(kk) & pd.isna(hkey)
    df = pd.DataFrame({"src": src, "lack": lacking, "rel": pd.notna(rel)})
    cover = df.groupby("src")[["lack", "rel"]].mean()
    cand = cover.index[(cover["lack"] >= 0.5) & (cover["rel"] >= 0.5)]
    if not len(cand):
        return keys, {}
    same = np.zeros(n, dtype=bool)  # row i continues row i-1: same list and same desa + RT/RW, all known
    same[1:] = src[1:] == src[:-1]
    for c in ("desa_code", "rt", "rw"):
        a = _col(std, c).astype(object).to_numpy()
        ok = pd.notna(a[1:]) & pd.notna(a[:-1])
        eq = np.zeros(n - 1, dtype=bool)
        eq[ok] = a[1:][ok] == a[:-1][ok]
        same[1:] &= eq
    head = rel == HEAD
    block = np.cumsum(~same | head)
    shares: dict[str, float] = {}
    for s in cand:
        rows = np.flatnonzero((src == s) & same)
        checked = pd.notna(kk_of[rows]) & pd.notna(kk_of[rows - 1])
        agree = np.zeros(len(rows), dtype=bool)
        agree[checked] = kk_of[rows][checked] == kk_of[rows - 1][checked]
        inside, across = checked & ~head[rows], checked & head[rows]
        share_in = float(agree[inside].mean()) if inside.any() else 0.0
        share_across = float(agree[across].mean()) if across.sum() >= BLOCK_MIN_CHECKED else 0.0
        proved = (inside.sum() >= BLOCK_MIN_CHECKED and share_in >= BLOCK_SAME_KK_SHARE
                  and share_across <= BLOCK_ACROSS_SHARE)
        if report is not None:
            _note(report, s, "family_blocks_in_list_order", proved or mode is True,
                  share_in if inside.any() else None, mode)
        if proved or mode is True:
            shares[s] = share_in if proved else 1.0
            sel = (src == s) & lacking
            keys[sel] = pd.Series(block[sel]).astype(str).radd("blk").to_numpy(dtype=object)
    return keys, shares


def _person_kk(kk: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Per record, the KK of its person: the most common valid KK over all the person's records."""
    with_kk = pd.notna(kk)
    pk = pd.DataFrame({"p": person[with_kk], "kk": kk[with_kk]}).value_counts().reset_index()
    # ties go to the smallest KK, so the same input always gives the same households
    pk = pk.sort_values(["p", "count", "kk"], ascending=[True, False, True]).drop_duplicates("p")
    pk = pk.set_index("p")["kk"]
    return pd.Series(person).map(pk).to_numpy(dtype=object)


def _kk_between_neighbours(src: np.ndarray, lacking: np.ndarray, kk_of: np.ndarray, sources: list[str],
                           mode: str | bool = "auto",
                           report: dict | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """In any list not cut into family blocks (a BPJS-PBI extract without NO_KK and without address, a row
    whose KK was left empty), a record without KK or family id whose person has no KK in any list takes the
    KK of the rows around it when the nearest rows before and after it whose people have a KK agree (a
    member listed between two rows of one family).

    The rule is tried on the list itself first: on each row whose person *has* a KK, with the nearest such
    rows before and after it agreeing, how often is its KK theirs? Only a list where this holds for at least
    ``BLOCK_SAME_KK_SHARE`` of at least ``BLOCK_MIN_CHECKED`` rows (a list sorted family by family; in a
    shuffled list it almost never holds) is filled. Returns the KKs found (``None`` elsewhere) and that
    measured share per list."""
    n = len(src)
    out = np.full(n, None, dtype=object)
    shares: dict[str, float] = {}
    if mode is False:
        return out, shares
    for s in sources:
        rows = np.flatnonzero(src == s)
        k = kk_of[rows]
        known = np.flatnonzero(pd.notna(k))
        kk_known = k[known]
        prev, nxt, own = kk_known[:-2], kk_known[2:], kk_known[1:-1]
        agree = prev == nxt
        share = float((own[agree] == prev[agree]).mean()) if agree.any() else None
        proved = (len(known) >= BLOCK_MIN_CHECKED + 2 and agree.sum() >= BLOCK_MIN_CHECKED
                  and share is not None and share >= BLOCK_SAME_KK_SHARE)
        if report is not None:
            _note(report, s, "kk_between_neighbour_rows", proved or mode is True, share, mode)
        if not (proved or mode is True):
            continue
        shares[s] = share if proved else 1.0
        before = pd.Series(k, dtype=object).ffill().to_numpy(dtype=object)
        after = pd.Series(k, dtype=object).bfill().to_numpy(dtype=object)
        fill = pd.isna(k) & lacking[rows] & pd.notna(before) & (before == after)
        out[rows[fill]] = before[fill]
    return out, shares


def head_before_family(adult: np.ndarray, senior: np.ndarray, family_has_head: np.ndarray) -> np.ndarray:
    """A row without KK right before a family's rows (or before rows without KK that precede them) heads that
    family when it is an adult man no member is more than 5 years older than, but for his parents (a generation
    older), and the family has no head of its own (a member written as head on any list, an eldest member who
    is an adult man, or an adult man less than a generation younger than him; an adult son is a generation
    younger)."""
    return adult & senior & ~family_has_head


#: a head may be younger than a member of his family (his wife) by at most this many years
HEAD_MAX_YOUNGER_YEARS = 5
#: an adult man at least this many years younger than the row before his family is of the next generation (a
#: son), not a head of the family in that row's place (:func:`head_before_family`)
GENERATION_YEARS = 15
#: the share of a list's own heads that :func:`head_before_family`, tried on them, must place right
HEAD_BEFORE_FAMILY_SHARE = 0.9


def _person_traits(std: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per record: its birth day (days since 1970, NaN when unknown) and whether it is a man (a woman) of at
    least 17 on the day of the latest birth date of its list (a list is made after everyone on it was born)."""
    born = pd.to_datetime(_col(std, "birth_date"), errors="coerce", format="%Y-%m-%d")
    days = ((born - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float)
    latest = pd.Series(days).groupby(std["source"].astype(str).to_numpy()).transform("max").to_numpy()
    sex = _col(std, "sex").astype(object).where(_col(std, "sex").notna(), _col(std, "nik_sex").astype(object))
    adult = days <= latest - 17 * 365.25
    man = sex.eq("L").fillna(False).to_numpy(dtype=bool) & adult
    woman = sex.eq("P").fillna(False).to_numpy(dtype=bool) & adult
    return days, man, woman


def child_after_family(child: np.ndarray, after_family: np.ndarray) -> np.ndarray:
    """A row without KK of a child under 17, right after a family's rows (or after other such children), is
    of that family (a KK lists the head first, so a new family starts with an adult)."""
    return child & after_family


def _proved_lists(src: np.ndarray, sources: list[str], rule: Callable, trial: Callable, shares: dict[str, float],
                  mode: str | bool = "auto", report: dict | None = None) -> Iterator[tuple[np.ndarray, object]]:
    """Yields ``(rows, state)`` for each list of ``sources`` (at least 3 rows) on which ``rule`` is proved:
    ``trial(rows)`` returns ``(share, n_checked, state)``, the share of the list's own rows the rule places
    right and on how many it was checked; proved means at least ``HEAD_BEFORE_FAMILY_SHARE`` of at least
    ``BLOCK_MIN_CHECKED`` rows (``mode=True``: every list). Writes the share (1.0 when forced) in ``shares``
    and notes the decision in ``report``."""
    if mode is False:
        return
    for s in sources:
        rows = np.flatnonzero(src == s)
        if len(rows) < 3:
            continue
        share, checked, state = trial(rows)
        proved = checked >= BLOCK_MIN_CHECKED and share is not None and share >= HEAD_BEFORE_FAMILY_SHARE
        if report is not None:
            _note(report, s, rule.__name__, proved or mode is True, share, mode)
        if not (proved or mode is True):
            continue
        shares[s] = share if proved else 1.0
        yield rows, state


def _children_after_families(std: pd.DataFrame, src: np.ndarray, free: np.ndarray, fam: np.ndarray,
                             sources: list[str], mode: str | bool = "auto",
                             report: dict | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """:func:`child_after_family` on the lists proved sorted family by family (``sources``): ``free`` rows
    (no KK, no family id, no KK for their person) take the KK (``fam``: the row's KK, else its person's) of
    the nearest row before them when only free children lie between. Tried first on the list's own children
    with a KK right after a row with a KK (how often are they of its KK?); used only where that holds for at
    least ``HEAD_BEFORE_FAMILY_SHARE`` of at least ``BLOCK_MIN_CHECKED`` rows. Returns the KKs found and the
    measured share per list."""
    out = np.full(len(src), None, dtype=object)
    shares: dict[str, float] = {}
    if mode is False or not sources:
        return out, shares
    days, _, _ = _person_traits(std)
    latest = pd.Series(days).groupby(src).transform("max").to_numpy()
    young = pd.notna(days) & (days > latest - 17 * 365.25)

    def trial(rows: np.ndarray) -> tuple[float | None, int, None]:
        f, known = fam[rows], pd.notna(fam[rows])
        idx = np.flatnonzero(known & young[rows] & np.r_[False, known[:-1]])
        return (float((f[idx] == f[idx - 1]).mean()) if len(idx) else None), len(idx), None

    for rows, _ in _proved_lists(src, sources, child_after_family, trial, shares, mode, report):
        f = fam[rows]
        known = pd.notna(f)
        y = young[rows]
        cand = free[rows] & ~known & y
        # the KK of the nearest row before, carried over free children only ("" when anything else breaks it)
        carried = pd.Series(np.where(known, f, np.where(cand, None, "")), dtype=object).shift(1).ffill()
        carried = carried.to_numpy(dtype=object)
        take = child_after_family(cand, pd.notna(carried) & (carried != ""))
        out[rows[take]] = carried[take]
    return out, shares


def couple_rows(man_first: np.ndarray, woman_next: np.ndarray, close_in_age: np.ndarray) -> np.ndarray:
    """Two neighbouring rows, an adult man then an adult woman at most 10 years apart in age, neither with a KK
    or only he, are husband and wife (a KK lists the head, then his wife), and she takes his KK if he has one."""
    return man_first & woman_next & close_in_age


#: husband and wife of :func:`couple_rows` are at most this many years apart in age
COUPLE_MAX_YEARS = 10


def _couples(std: pd.DataFrame, src: np.ndarray, lacking: np.ndarray, kk_of: np.ndarray, sources: list[str],
             mode: str | bool = "auto", report: dict | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """:func:`couple_rows` on the lists proved sorted family by family (``sources``), on records without KK
    whose people have no KK anywhere; tried first on the list's own neighbouring rows with KKs (how often
    are such a man and woman of one KK?), used only where that holds for at least
    ``HEAD_BEFORE_FAMILY_SHARE`` of at least ``BLOCK_MIN_CHECKED`` pairs. A wife without KK right after a
    husband whose KK is known takes his KK. Returns, per record, the record of the wife when it is the husband
    of a couple (-1 otherwise), the KK a wife took (None otherwise), and the measured share per list."""
    partner = np.full(len(src), -1, dtype=np.int64)
    wife_kk = np.full(len(src), None, dtype=object)
    shares: dict[str, float] = {}
    if mode is False or not sources:
        return partner, wife_kk, shares
    days, man, woman = _person_traits(std)

    def trial(rows: np.ndarray) -> tuple[float | None, int, np.ndarray]:
        k, known, d = kk_of[rows], pd.notna(kk_of[rows]), days[rows]
        close = np.abs(d[:-1] - d[1:]) <= COUPLE_MAX_YEARS * 365.25
        pair = couple_rows(man[rows][:-1], woman[rows][1:], close)
        kn = pair & known[:-1] & known[1:]
        return (float((k[:-1][kn] == k[1:][kn]).mean()) if kn.any() else None), int(kn.sum()), pair

    for rows, pair in _proved_lists(src, sources, couple_rows, trial, shares, mode, report):
        free = lacking[rows] & pd.isna(kk_of[rows])
        take = pair & free[:-1] & free[1:]
        partner[rows[:-1][take]] = rows[1:][take]
        # a wife without KK right after her husband whose KK is known takes his KK
        wife = pair & pd.notna(kk_of[rows])[:-1] & free[1:]
        wife_kk[rows[1:][wife]] = kk_of[rows][:-1][wife]
    return partner, wife_kk, shares


def _heads_before_families(std: pd.DataFrame, src: np.ndarray, lacking: np.ndarray, kk_of: np.ndarray,
                           sources: list[str], mode: str | bool = "auto", report: dict | None = None,
                           person: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """:func:`head_before_family` on the lists proved sorted family by family (``sources``): a record without
    KK whose person has no KK anywhere takes the KK of the family whose first row with a KK follows it, with
    the rows without KK between them (at most ``HEAD_MAX_GAP``: his wife, children whose KK was left empty);
    of such rows, the first that qualifies heads the family. Tried first on the list's own rows with a KK that
    start a family (would the rule, on a row with its KK hidden, give it to the family that follows it, and how
    often is that right?); used only where that holds for at least ``HEAD_BEFORE_FAMILY_SHARE`` of at least
    ``BLOCK_MIN_CHECKED`` rows (a wife between a husband and his family is one of the rows between). Returns the KKs found and the measured share per list."""
    out = np.full(len(src), None, dtype=object)
    shares: dict[str, float] = {}
    if mode is False or not sources:
        return out, shares
    days, man, _ = _person_traits(std)
    written = _written_head(std, person)

    def trial(rows: np.ndarray) -> tuple[float | None, int, dict]:
        k = kk_of[rows]
        known = pd.notna(k)
        # runs of neighbouring rows whose people share one KK (a family)
        both = known[1:] & known[:-1]
        eq = np.zeros(len(rows) - 1, dtype=bool)
        eq[both] = k[1:][both] == k[:-1][both]
        run = np.cumsum(~np.r_[False, eq])
        size = np.bincount(run)[run]
        # a row with its KK hidden, before the rest of its own family (right) or before another family (wrong)
        own = known & ~np.r_[False, eq] & (size >= 2)
        other = known & ~np.r_[eq, False] & np.r_[known[1:], False]
        g = np.flatnonzero(own | other)
        members = _members_after(g, g + 1, run, known)
        fires = head_before_family(man[rows][g], *_senior_and_head(days[rows], man[rows], g, members, written[rows]))
        right, wrong = int((fires & own[g]).sum()), int((fires & ~own[g]).sum())
        fired = right + wrong
        return (float(right / fired) if fired else None), fired, {"k": k, "known": known, "run": run}

    for rows, t in _proved_lists(src, sources, head_before_family, trial, shares, mode, report):
        k, known, run = t["k"], t["known"], t["run"]
        free = lacking[rows] & ~known
        # the first row with a KK after each row, and how many rows lie between (all free)
        idx = np.arange(len(rows))
        first = pd.Series(np.where(known, idx, np.nan)).bfill().to_numpy()
        blocked = pd.Series(np.where(known | ~free, idx, np.nan)).shift(-1).bfill().to_numpy()
        ok = free & ~np.isnan(first) & (blocked == first)
        first = np.nan_to_num(first, nan=0).astype(np.int64)
        ok &= (first - idx - 1) <= HEAD_MAX_GAP
        g = np.flatnonzero(ok & man[rows])
        if not len(g):
            continue
        members = _members_after(g, first[g], run, known, between=True)
        fires = head_before_family(np.ones(len(g), dtype=bool),
                                   *_senior_and_head(days[rows], man[rows], g, members, written[rows]))
        g, f = g[fires], first[g[fires]]
        # of several rows before one family, the first that qualifies heads it; the rows after it go with it
        keep = ~pd.Series(f).duplicated().to_numpy()
        g, f = g[keep], f[keep]
        span = f - g
        head_rows = np.repeat(g, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
        out[rows[head_rows]] = np.repeat(k[f], span)
    return out, shares


#: at most this many rows without KK lie between a head of :func:`head_before_family` and his family's first
#: row with a KK (his wife, children whose KK was left empty)
HEAD_MAX_GAP = 3


def _members_after(g: np.ndarray, first: np.ndarray, run: np.ndarray, known: np.ndarray,
                   between: bool = False) -> pd.DataFrame:
    """(candidate, member) pairs: for each candidate row ``g[i]``, the rows of the family run starting at or
    containing ``first[i]`` (not ``g[i]`` itself), and with ``between`` the rows between ``g[i]`` and ``first[i]``."""
    rr = pd.DataFrame({"run": run[known], "row": np.flatnonzero(known)})
    c = pd.DataFrame({"c": np.arange(len(g)), "g": g, "run": run[first]})
    m = c.merge(rr, on="run")
    m = m[m["row"] != m["g"]][["c", "row"]].assign(between=False)
    if between:
        gap = first - g - 1
        extra = pd.DataFrame({"c": np.repeat(np.arange(len(g)), gap),
                              "row": np.repeat(g + 1, gap) + (np.arange(gap.sum()) - np.repeat(np.cumsum(gap) - gap, gap)),
                              "between": True})
        m = pd.concat([m, extra], ignore_index=True)
    return m


def _written_head(std: pd.DataFrame, person: np.ndarray | None) -> np.ndarray:
    """Per record: is its person written as head (KEPALA) on some record of any list?"""
    head = _col(std, "relationship").to_numpy(dtype=object) == HEAD
    if person is None:
        return head
    return np.isin(person, np.unique(person[head]))


def _senior_and_head(days: np.ndarray, man: np.ndarray, g: np.ndarray, members: pd.DataFrame,
                     written: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate ``g[i]`` and its family's members (``members``: candidate, row): whether no member is more
    than ``HEAD_MAX_YOUNGER_YEARS`` older than the candidate unless a generation older (his parents, on a row of
    the family's with a KK), and whether the family has a head of its own (its
    eldest member is an adult man, an adult man is less than a generation younger than the candidate, or a
    member's person is written as head (``written``) on some list)."""
    n = len(g)
    c = members["c"].to_numpy()
    row = members["row"].to_numpy()
    diff = days[row] - days[g][c]          # negative: the member is older
    # his parents come last on his KK: one of the rows between him and his family's first row with a KK is not
    too_old = (diff < -HEAD_MAX_YOUNGER_YEARS * 365.25) & ((diff > -GENERATION_YEARS * 365.25)
                                                          | members["between"].to_numpy(dtype=bool))
    bad = np.zeros(n, dtype=bool)
    bad[c[too_old]] = True
    head = np.zeros(n, dtype=bool)
    head[c[man[row] & (diff < GENERATION_YEARS * 365.25)]] = True
    head[c[written[row]]] = True
    # the eldest member is an adult man
    eldest = pd.Series(np.where(np.isnan(diff), np.inf, diff)).groupby(c).min().reindex(range(n)).to_numpy()
    eldest_man = pd.Series(diff[man[row]]).groupby(c[man[row]]).min().reindex(range(n)).to_numpy()
    head |= np.nan_to_num(eldest_man <= eldest, nan=0).astype(bool)
    return ~bad & ~np.isnan(days[g]), head


def _unit_address_and_head(std: pd.DataFrame, unit: np.ndarray, person: np.ndarray,
                           n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: the most common ``desa|RT|RW`` ('' when unknown) and the person who is its KEPALA (-1)."""
    d = pd.DataFrame({"unit": unit, "desa": _col(std, "desa_code").to_numpy(),
                      "rt": pd.array(_col(std, "rt"), dtype="Int64"), "rw": pd.array(_col(std, "rw"), dtype="Int64")})
    d = d.dropna()
    key = d["desa"].astype(str) + "|" + d["rt"].astype(str) + "|" + d["rw"].astype(str)
    cnt = pd.DataFrame({"unit": d["unit"].to_numpy(), "key": key.to_numpy()}).value_counts().reset_index()
    mode = cnt.sort_values(["unit", "count", "key"], ascending=[True, False, True]).drop_duplicates("unit")
    addr = np.full(n_units, "", dtype=object)
    addr[mode["unit"].to_numpy()] = mode["key"].to_numpy()
    rel = _col(std, "relationship").to_numpy()
    heads = pd.DataFrame({"unit": unit, "person": person, "name": _col(std, "name").to_numpy()})[rel == HEAD]
    heads = heads.drop_duplicates("unit")
    head = np.full(n_units, -1, dtype=np.int64)
    head[heads["unit"].to_numpy()] = heads["person"].to_numpy()
    head_name = np.full(n_units, None, dtype=object)
    head_name[heads["unit"].to_numpy()] = heads["name"].to_numpy()
    return addr, head, head_name


def _head_aware_union(n_units: int, base_l: np.ndarray, base_r: np.ndarray, el: np.ndarray, er: np.ndarray,
                      strength: np.ndarray, head: np.ndarray, head_name: np.ndarray, up: pd.DataFrame,
                      cap: int) -> np.ndarray:
    """Household label per unit: the components of the base (KK) links, then the links ``el, er`` merged
    strongest first unless the merge would join two different heads (``head[unit]``: the head's person,
    -1 when unknown; two heads are one when they are the same person or their names are close) or exceed
    ``cap`` distinct persons (``up``: unit, person)."""
    comp = components(n_units, base_l, base_r)
    if not len(el):
        return comp
    a0, b0 = comp[el], comp[er]
    keep = a0 != b0
    a0, b0, st = a0[keep], b0[keep], strength[keep]
    order = np.argsort(-st, kind="stable")
    a0, b0 = a0[order], b0[order]
    involved = np.unique(np.concatenate([a0, b0]))
    inv = np.isin(comp, involved)
    # heads and persons of the components that take part
    hd = pd.DataFrame({"c": comp[inv], "h": head[inv], "n": head_name[inv]})
    hd = hd[hd["h"] >= 0].drop_duplicates(["c", "h"])
    heads: dict[int, set[tuple[int, str]]] = {int(c): set() for c in involved}
    for c, h, nm in zip(hd["c"].to_numpy(), hd["h"].to_numpy(), hd["n"].to_numpy()):
        heads[int(c)].add((int(h), str(nm)))
    pp = pd.DataFrame({"c": comp[up["unit"].to_numpy()], "p": up["person"].to_numpy()})
    pp = pp[np.isin(pp["c"].to_numpy(), involved)].drop_duplicates()
    persons: dict[int, set[int]] = {int(c): set() for c in involved}
    for c, q in zip(pp["c"].to_numpy(), pp["p"].to_numpy()):
        persons[int(c)].add(int(q))
    uf = UnionFind(involved.tolist())
    find = uf.find
    for a, b in zip(a0.tolist(), b0.tolist()):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ha, hb = heads[ra], heads[rb]
        if ha and hb and ha != hb and not _heads_close(ha, hb):
            continue
        if len(persons[ra] | persons[rb]) > cap:
            continue
        if len(persons[ra]) < len(persons[rb]):
            ra, rb = rb, ra
        uf.union(ra, rb)
        heads[ra] = ha | hb
        persons[ra] |= persons.pop(rb)
        heads.pop(rb, None)
    out = comp.copy()
    out[inv] = uf.labels(comp[inv].tolist())
    return out


def _heads_close(a: set[tuple[int, str]], b: set[tuple[int, str]]) -> bool:
    """True when every head (person, name) of one set is the same person as, or has a name close to, every
    head of the other."""
    pairs = [(x, y) for x in a for y in b if x[0] != y[0]]
    if not pairs:
        return True
    x = pd.Series([p[0][1] for p in pairs], dtype=object)
    y = pd.Series([p[1][1] for p in pairs], dtype=object)
    return bool(names_close(x, y).all())


def _capped(n_nodes: int, base_l: np.ndarray, base_r: np.ndarray, weak_l: np.ndarray, weak_r: np.ndarray,
            node_of: np.ndarray, person: np.ndarray, cap: int) -> np.ndarray:
    """Components of base + weak edges, except that weak edges may not build a component of more than
    ``cap`` distinct persons (``node_of[i]`` is the node of record i, ``person[i]`` its person): inside such
    a component only the base edges count."""
    comp_all = components(n_nodes, _cat([base_l, weak_l]), _cat([base_r, weak_r]))
    cp = pd.DataFrame({"c": comp_all[node_of], "p": person}).drop_duplicates()
    heavy = np.bincount(cp["c"].to_numpy(), minlength=comp_all.max() + 1 if n_nodes else 1) > cap
    if not heavy.any():
        return comp_all
    keep = ~heavy[comp_all[weak_l]] if len(weak_l) else np.zeros(0, dtype=bool)
    return components(n_nodes, _cat([base_l, weak_l[keep]]), _cat([base_r, weak_r[keep]]))


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


#: the named rules that join a record to a household by themselves, or keep it apart (each writes its name in
#: ``household_evidence`` on the records it joined or kept apart); docs/build_tables.py makes the docs table
#: from this
JOIN_RULES = {f.__name__: f for f in (head_before_family, couple_rows, child_after_family, lone_parents,
                                      children_of_one_couple, pecah_kk, kk_typo_of_neighbour_row)}


def rules_markdown() -> str:
    """Markdown table of the named household-joining rules (:data:`JOIN_RULES`) with their one-sentence
    descriptions (docs are generated from this)."""
    lines = ["| household rule | what it joins |", "|---|---|"]
    for name, f in JOIN_RULES.items():
        lines.append(f"| `{name}` | {' '.join((f.__doc__ or '').split())} |")
    return "\n".join(lines)
