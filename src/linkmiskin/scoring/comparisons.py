"""Splink comparisons for Indonesian person records.

Each comparison is a Splink :class:`~splink.internals.comparison_creator.ComparisonCreator`, written the way
Splink writes its own library comparisons (compare ``PostcodeComparison``), so a plain Splink user can use
them on any table that has the columns::

    import splink.comparison_library as cl
    from linkmiskin.scoring.comparisons import NikComparison, IndonesianNameComparison
    settings = SettingsCreator(link_type="link_and_dedupe",
                               comparisons=[NikComparison("nik"), IndonesianNameComparison("name"), ...])

The SQL is written for DuckDB (``base_dialect_str="duckdb"``) using standard functions
(``substr``, ``damerau_levenshtein``, ``jaro_winkler_similarity``, list functions) so that sqlglot can
translate most of it to Spark.

Why these levels? A NIK is ``PPKKCC DDMMYY SSSS``: region of first registration, birth date (+40 for women)
and a serial among people registered with the same region and date. Two NIKs that agree on the first 12
digits and differ in the serial are *usually two different people born on the same day in the same
kecamatan* (twins, neighbours), not a typo; and the birth date and sex coded in the NIK must not be counted a
second time by the birth-date and sex comparisons. Those comparisons therefore have a first level
"already counted in the NIK", treated as a null level (weight 0).
"""

from __future__ import annotations

from splink.internals import comparison_level_library as cll
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from linkmiskin.standardise.household_roles import HEAD, SPOUSE, sql_in_roles

_D = "duckdb"


def _q(col: str, side: str) -> str:
    return f'"{col}_{side}"'


#: attribute of a level creator holding its stable key (see :func:`level_keys`)
_KEY_ATTR = "_linkmiskin_key"


def keyed(level: ComparisonLevelCreator, key: str) -> ComparisonLevelCreator:
    """Give a comparison level a stable key: code refers to levels by key, never by label, gamma or position."""
    setattr(level, _KEY_ATTR, key)
    return level


def _lvl(sql: str, label: str, key: str | None = None) -> ComparisonLevelCreator:
    level = cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_D)
    return keyed(level, key) if key else level


def _null_level(sql: str, label: str, key: str = "null") -> ComparisonLevelCreator:
    level = cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_D).configure(is_null_level=True)
    return keyed(level, key)


def level_keys(comparison: ComparisonCreator) -> list[str | None]:
    """Stable keys of a comparison's levels in Splink's order (null levels included; None where unkeyed).

    Splink numbers the non-null levels from the last (gamma 0) upwards; :func:`gamma_of` does that count, so
    no caller needs to know a level's position or label.
    """
    return [getattr(lv, _KEY_ATTR, None) for lv in comparison.create_comparison_levels()]


def gamma_of(comparison: ComparisonCreator, key: str) -> int:
    """Splink's comparison-vector value (gamma) of the level with stable key ``key``; -1 for a null level."""
    levels = comparison.create_comparison_levels()
    keys = [getattr(lv, _KEY_ATTR, None) for lv in levels]
    if key not in keys:
        raise KeyError(f"{type(comparison).__name__} has no level {key!r}; its levels are {keys}")
    i = keys.index(key)
    if getattr(levels[i], "is_null_level", False) is True:
        return -1
    non_null = [j for j, lv in enumerate(levels) if getattr(lv, "is_null_level", False) is not True]
    return len(non_null) - 1 - non_null.index(i)


class NikComparison(ComparisonCreator):
    def __init__(self, col_name: str = "nik", *, prefix15_col_name: str | None = "nik15",
                 consistent_col_name: str | None = "nik_consistent", own_date_col_name: str | None = None,
                 shared15_col_name: str | None = None):
        """Compare NIKs knowing their structure (``PPKKCC DDMMYY SSSS``).

        The comparison levels are:

        - Null: a NIK is missing, a placeholder or unreadable on either side
        - Exact match, and each NIK agrees with its own record's birth date and sex
        - Exact match, but a NIK disagrees with its own record (a head's NIK or the KK number typed into a
          member's row)  *(only with ``consistent_col_name``)*
        - Null: first 15 digits agree and one side lost its 16th digit in an Excel number cell, but the lists
          hold two or more different full NIKs with these 15 digits, so the damaged one may be any of them
          (people born one day in one kecamatan: serials 0001-0009 all read 0000). It proves region and
          birth date, not the person: the names decide  (``excel_15_digits_ambiguous``; only with
          ``shared15_col_name``)
        - First 15 digits agree and one side lost its 16th digit in an Excel number cell
          *(only with ``prefix15_col_name``)*
        - Same region and birth code (first 12 digits), different serial: usually two different people born
          on the same day in the same kecamatan
        - One digit apart in the birth code, but each NIK codes its own record's real (and different)
          birth date: two people born days apart, not a typo  *(only with ``own_date_col_name``)*
        - One typo or transposition (Damerau-Levenshtein 1; on 15 digits when a side is Excel-damaged)
        - All other

        Args:
            col_name: the cleaned 16-digit NIK column (null when missing or untrusted).
            prefix15_col_name: column with the first 15 digits of any recoverable NIK, including
                Excel-damaged ones (whose full ``col_name`` is null). ``None`` to leave that level out.
            consistent_col_name: boolean column, true when the NIK's coded birth date and sex agree with the
                record's own recorded birth date and sex (or those are missing). ``None`` to leave that
                level out.
            own_date_col_name: boolean column, true when the record's real (non-placeholder) recorded birth
                date is exactly the date coded in its NIK. ``None`` to leave that level out.
            shared15_col_name: boolean column, true when the record's first 15 digits are those of two or
                more different full NIKs in the data (:func:`linkmiskin.scoring.model.nik15_shared`).
                ``None`` to leave that level out.
        """
        cols = {"nik": col_name}
        if prefix15_col_name:
            cols["nik15"] = prefix15_col_name
        if consistent_col_name:
            cols["consistent"] = consistent_col_name
        if own_date_col_name:
            cols["own_date"] = own_date_col_name
        if shared15_col_name and prefix15_col_name:
            cols["shared15"] = shared15_col_name
        self._names = {k: v for k, v in cols.items()}
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        n = self._names["nik"]
        p15 = self._names.get("nik15")
        cons = self._names.get("consistent")
        key = p15 or n
        nl, nr = _q(n, "l"), _q(n, "r")
        kl, kr = _q(key, "l"), _q(key, "r")
        levels: list[ComparisonLevelCreator] = [
            _null_level(f"{kl} IS NULL OR {kr} IS NULL", "NIK missing or untrusted"),
        ]
        if cons:
            cl_, cr_ = _q(cons, "l"), _q(cons, "r")
            levels.append(_lvl(f"{nl} = {nr} AND {cl_} AND {cr_}", "Exact NIK, consistent with both records", key="exact_consistent"))
            levels.append(_lvl(f"{nl} = {nr}", "Exact NIK, but it disagrees with a record's birth date/sex", key="exact_inconsistent"))
        else:
            levels.append(_lvl(f"{nl} = {nr}", "Exact NIK", key="exact"))
        shared = self._names.get("shared15")
        if shared:
            sl, sr = _q(shared, "l"), _q(shared, "r")
            levels.append(_null_level(f"{kl} = {kr} AND ({nl} IS NULL OR {nr} IS NULL) AND "
                                      f"(coalesce({sl}, false) OR coalesce({sr}, false))",
                                      "First 15 digits equal, one side damaged by Excel, several NIKs share them",
                                      key="excel_15_digits_ambiguous"))
        if p15:
            levels.append(_lvl(f"{kl} = {kr} AND ({nl} IS NULL OR {nr} IS NULL)",
                               "First 15 digits equal, one side damaged by Excel", key="excel_15_digits"))
        levels.append(_lvl(f"substr({kl}, 1, 12) = substr({kr}, 1, 12)",
                           "Same region and birth code, different serial", key="same_birth_code_other_serial"))
        # hamming() is cheap; the costly Damerau-Levenshtein only runs when at most two digits differ
        # on the full 16 digits when both sides have them (3216091412970002 / 3216041412970001 are two
        # edits apart, not one); on the first 15 only when a side lost its last digit in Excel
        typo = ("CASE WHEN hamming({a}, {b}) <= 2 THEN damerau_levenshtein({a}, {b}) <= 1 ELSE false END")
        if p15:
            cond = (f"CASE WHEN {nl} IS NOT NULL AND {nr} IS NOT NULL THEN {typo.format(a=nl, b=nr)} "
                    f"ELSE {typo.format(a=kl, b=kr)} END")
        else:
            cond = typo.format(a=kl, b=kr)
        own = self._names.get("own_date")
        if own:
            ol, or_ = _q(own, "l"), _q(own, "r")
            # a clerk's typo in the birth code makes that NIK disagree with its record's date; two NIKs that
            # each spell out their own record's (different) real birth date are two people born days apart
            levels.append(_lvl(f"{ol} AND {or_} AND substr({kl}, 7, 6) <> substr({kr}, 7, 6) AND {cond}",
                               "One digit apart, but each NIK codes its own record's different birth date", key="own_dates_one_digit_apart"))
        levels.append(_lvl(cond, "One typo or transposition in region/birth part", key="typo"))
        levels.append(keyed(cll.ElseLevel(), "else"))
        return levels

    def create_output_column_name(self) -> str:
        return self._names["nik"]


class IndonesianNameComparison(ComparisonCreator):
    def __init__(self, col_name: str = "name", *, tokens_col_name: str = "name_tokens",
                 phonetic_col_name: str = "name_phon_key", nicknames_col_name: str | None = "name_nick",
                 rarity_col_name: str | None = "name_rarity", token_mask_col_name: str | None = "name_mask",
                 phonetic_tokens_col_name: str | None = "name_phon",
                 phonetic_mask_col_name: str | None = "name_phon_mask",
                 nicknames_phonetic_col_name: str | None = "name_nick_phon",
                 sex_col_name: str | None = "sex", last_col_name: str | None = "name_last",
                 family_names: tuple[str, ...] | None = None,
                 rare_threshold: float = 0.002, jaro_winkler_threshold: float = 0.92,
                 term_frequency_adjustments: bool = True):
        """Compare canonical Indonesian names (see :func:`linkmiskin.standardise.names.parse_name`).

        The comparison levels are:

        - Null: a name is missing on either side
        - Exact match on the canonical name (term-frequency adjusted: *Nurhayati* and *Sutrisno* say less
          than a rare name)
        - Same Indonesian phonetic key (the sorted phonetic keys of the tokens: spelling variants and
          reordered tokens)
        - One name's tokens all contained in the other's (a mononym *Aminah* against *Siti Aminah*), where
          the shorter name has a rare token  *(only with ``rarity_col_name``)*
        - One name's tokens all contained in the other's
        - The same, by the phonetic keys of the tokens (*Fatima* inside *Fatimah Maemunah*)
          *(only with ``phonetic_tokens_col_name``)*
        - A typo: Jaro-Winkler >= ``jaro_winkler_threshold`` and at most two edits on the whole name
        - A typo Jaro-Winkler misses (short names, a typo in the first letters): at most one edit when the
          shorter name has five letters or fewer, else at most two
        - One name inside the other with a typo: every word of the shorter name is a word of the other, or
          one edit from one when it has five letters or more (*Hasanudkn* / *Hasanudin Hasan*)
        - A token of one is a known nickname of a token of the other (*Wawan* / *Hermawan*), or of a
          spelling variant of it (*Iki* / *Rizky*, by the phonetic keys; only with
          ``nicknames_phonetic_col_name`` and ``phonetic_tokens_col_name``)
          *(only with ``nicknames_col_name``)*
        - A given name written as its initial (*P. Hutapea* / *Putri Hutapea*): every one-letter word of
          one name starts a word of the other, its other words are all words of the other, and at least one
          whole word is shared; weaker than a spelling, stronger than a shared word
        - The same given names (all words but the last, one set inside the other, by sound with
          ``phonetic_tokens_col_name``) and two different family names (``family_names``, by default the
          Batak marga and Nias mado of ``data/family_names.csv``), neither side a man: a married woman under
          her husband's family name (*Dumaria Lumbantobing* / *Dumaria Simorangkir*)
          *(only with ``sex_col_name`` and ``last_col_name``; no level when ``family_names`` is empty)*
        - The names share a token and Jaro-Winkler >= 0.8 on the whole name
        - The names share a token
        - All other

        Args:
            col_name: canonical name column.
            tokens_col_name: list column of canonical tokens.
            phonetic_col_name: string column holding the sorted phonetic keys of the tokens.
            nicknames_col_name: list column of formal names the record's tokens may be nicknames of.
            nicknames_phonetic_col_name: list column of the phonetic keys of those formal names.
            rarity_col_name: numeric column, relative frequency of the rarest token of the name.
            phonetic_tokens_col_name: list column of the tokens' phonetic keys.
            phonetic_mask_col_name: Bloom mask of the phonetic keys (as ``token_mask_col_name``).
            sex_col_name: sex column (``L``/``P``): the family-name level is never for a man.
            last_col_name: column holding the last of the name's tokens (the family name, if any).
            family_names: canonical family names for the family-name level (None: the data file's).
            token_mask_col_name: optional BIGINT column, a 63-bit Bloom mask of the tokens
                (:func:`linkmiskin.scoring.model.token_mask`); it lets the token-list levels skip pairs that cannot
                share a token, which makes the comparison several times faster.
            rare_threshold: tokens rarer than this count as rare.
            jaro_winkler_threshold: typo threshold on the whole name.
            term_frequency_adjustments: adjust the exact level for name frequency.
        """
        cols = {"name": col_name, "tokens": tokens_col_name, "phon": phonetic_col_name}
        if nicknames_col_name:
            cols["nick"] = nicknames_col_name
            if nicknames_phonetic_col_name and phonetic_tokens_col_name:
                cols["nickp"] = nicknames_phonetic_col_name
        if rarity_col_name:
            cols["rarity"] = rarity_col_name
        if token_mask_col_name:
            cols["mask"] = token_mask_col_name
        if phonetic_tokens_col_name:
            cols["ptok"] = phonetic_tokens_col_name
            if phonetic_mask_col_name:
                cols["pmask"] = phonetic_mask_col_name
        if sex_col_name and last_col_name:
            cols["sex"] = sex_col_name
            cols["last"] = last_col_name
        self._names = dict(cols)
        if family_names is None:
            from linkmiskin.standardise.names import family_names as _family_names

            family_names = _family_names()
        self.family_names = tuple(sorted({str(f).upper().replace("'", "") for f in family_names}))
        self.rare_threshold = rare_threshold
        self.jw = jaro_winkler_threshold
        self.tf = term_frequency_adjustments
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        n, t, p = self._names["name"], self._names["tokens"], self._names["phon"]
        nl, nr, tl, tr, pl, pr = _q(n, "l"), _q(n, "r"), _q(t, "l"), _q(t, "r"), _q(p, "l"), _q(p, "r")
        exact = keyed(cll.ExactMatchLevel(n).configure(label_for_charts="Exact canonical name"), "exact")
        if self.tf:
            exact = exact.configure(tf_adjustment_column=n, tf_adjustment_weight=1.0)
        mask = self._names.get("mask")
        if mask:
            ml, mr = _q(mask, "l"), _q(mask, "r")
            may_share = f"({ml} & {mr}) <> 0"
            may_contain = f"(({ml} & {mr}) = {ml} OR ({ml} & {mr}) = {mr})"
        else:
            may_share = may_contain = "true"
        contained = (f"CASE WHEN NOT {may_contain} THEN false WHEN len({tl}) <= len({tr}) "
                     f"THEN list_has_all({tr}, {tl}) ELSE list_has_all({tl}, {tr}) END")
        shares = f"CASE WHEN {may_share} THEN list_has_any({tl}, {tr}) ELSE false END"
        levels: list[ComparisonLevelCreator] = [
            _null_level(f"{nl} IS NULL OR {nr} IS NULL", "Name missing"),
            exact,
            _lvl(f"{pl} = {pr}", "Same phonetic key (spelling variant or reordered)", key="same_sound"),
        ]
        rarity = self._names.get("rarity")
        if rarity:
            rl, rr = _q(rarity, "l"), _q(rarity, "r")
            shorter_rarity = f"(CASE WHEN len({tl}) <= len({tr}) THEN {rl} ELSE {rr} END)"
            levels.append(_lvl(f"{shorter_rarity} < {self.rare_threshold} AND {contained}",
                               "One name inside the other, with a rare token", key="inside_rare"))
        inside = _lvl(contained, "One name inside the other", key="inside")
        if self.tf:
            # the shorter name is the more frequent one: MUHAMMAD RIZKI inside MUHAMMAD RIZKI PRATAMA says
            # little, since many people are called MUHAMMAD RIZKI (Splink uses the larger of the two name
            # frequencies on a fuzzy level)
            inside = inside.configure(tf_adjustment_column=n, tf_adjustment_weight=1.0)
        levels.append(inside)
        ptok = self._names.get("ptok")
        if ptok:
            al, ar = _q(ptok, "l"), _q(ptok, "r")
            pmask = self._names.get("pmask")
            gate = "true"
            if pmask:
                xl, xr = _q(pmask, "l"), _q(pmask, "r")
                gate = f"(({xl} & {xr}) = {xl} OR ({xl} & {xr}) = {xr})"
            levels.append(_lvl(f"CASE WHEN NOT {gate} THEN false WHEN len({al}) <= len({ar}) "
                               f"THEN list_has_all({ar}, {al}) ELSE list_has_all({al}, {ar}) END",
                               "One name inside the other, by sound (spelling variants)", key="inside_by_sound"))
        # a typo: close by Jaro-Winkler AND at most two edits (Jaro-Winkler alone rewards a shared start:
        # DIMAS FARHAN AKBAR / DIMAS FARHAN SAPUTRA)
        levels.append(_lvl(f"CASE WHEN jaro_winkler_similarity({nl}, {nr}) >= {self.jw} "
                           f"THEN damerau_levenshtein({nl}, {nr}) <= 2 ELSE false END",
                           f"Typo: Jaro-Winkler >= {self.jw} and at most 2 edits", key="typo_jaro_winkler"))
        # a typo that Jaro-Winkler misses: short names (NOVI / OOVI) and typos in the first letters
        # (RAFA YLHAM / RAPA ILHAM); one edit for names of up to five letters, two for longer ones
        levels.append(_lvl(f"CASE WHEN abs(length({nl}) - length({nr})) > 2 THEN false "
                           f"ELSE damerau_levenshtein({nl}, {nr}) <= "
                           f"CASE WHEN least(length({nl}), length({nr})) <= 5 THEN 1 ELSE 2 END END",
                           "Typo anywhere: one edit (names up to 5 letters) or two edits", key="typo_anywhere"))
        # one name inside the other with a typo in a word (HASANUDKN / HASANUDIN HASAN): every word of the
        # shorter name is a word of the other, or one edit from one when it has five letters or more
        # (one edit leaves the lengths within one and, in words of five letters, the first two or the last
        # two letters as they were: checked first, it spares most edit distances)
        def inside_with_typo(short: str, long: str) -> str:
            one_edit = ("CASE WHEN abs(length(x) - length(y)) > 1 THEN false "
                        "WHEN left(x, 2) <> left(y, 2) AND right(x, 2) <> right(y, 2) THEN false "
                        "ELSE damerau_levenshtein(x, y) <= 1 END")
            return (f"list_bool_and(list_transform({short}, lambda x: list_contains({long}, x) OR "
                    f"(length(x) >= 5 AND list_bool_or(list_transform({long}, lambda y: {one_edit})))))")
        levels.append(_lvl(f"CASE WHEN len({tl}) = 0 OR len({tr}) = 0 THEN false "
                           f"WHEN len({tl}) <= len({tr}) THEN {inside_with_typo(tl, tr)} "
                           f"ELSE {inside_with_typo(tr, tl)} END",
                           "One name inside the other, with a typo", key="inside_with_typo"))
        nick = self._names.get("nick")
        if nick:
            kl, kr = _q(nick, "l"), _q(nick, "r")
            left, right = f"list_has_any({kl}, {tr})", f"list_has_any({kr}, {tl})"
            nickp = self._names.get("nickp")
            if nickp:
                ql, qr = _q(nickp, "l"), _q(nickp, "r")
                al, ar = _q(self._names["ptok"], "l"), _q(self._names["ptok"], "r")
                left = f"({left} OR list_has_any({ql}, {ar}))"
                right = f"({right} OR list_has_any({qr}, {al}))"
            levels.append(_lvl(f"(len({kl}) > 0 AND {left}) OR (len({kr}) > 0 AND {right})",
                               "Nickname of the other's name", key="nickname"))
        # a given name written as its initial (P. HUTAPEA / PUTRI HUTAPEA, J. SIMANJUNTAK / JOHANNES
        # SIMANJUNTAK): the one-letter words of one name start words of the other, every other word is one
        # of the other's, and at least one whole word is shared
        def initials_of(short: str, long: str) -> str:
            return (f"(list_bool_or(list_transform({short}, lambda x: length(x) = 1)) "
                    f"AND list_bool_or(list_transform({short}, lambda x: length(x) > 1 AND list_contains({long}, x))) "
                    f"AND list_bool_and(list_transform({short}, lambda x: list_contains({long}, x) OR "
                    f"(length(x) = 1 AND list_bool_or(list_transform({long}, "
                    f"lambda y: length(y) > 1 AND left(y, 1) = x))))))")
        levels.append(_lvl(f"CASE WHEN NOT {may_share} THEN false "
                           f"ELSE {initials_of(tl, tr)} OR {initials_of(tr, tl)} END",
                           "A given name written as its initial", key="initials"))
        family = self._family_level(tl, tr)
        if family is not None:
            levels.append(family)
        levels.append(_lvl(f"{shares} AND jaro_winkler_similarity({nl}, {nr}) >= 0.8",
                           "Share a token, and Jaro-Winkler >= 0.8", key="share_token_close"))
        levels.append(_lvl(shares, "Share a token", key="share_token"))
        levels.append(keyed(cll.ElseLevel(), "else"))
        return levels

    def _family_level(self, tl: str, tr: str) -> ComparisonLevelCreator | None:
        """The level "same given names, another family name" (None without a sex column or family names)."""
        sex = self._names.get("sex")
        if not sex or not self.family_names:
            return None
        fam = "[" + ", ".join(f"'{f}'" for f in self.family_names) + "]"
        sl, sr = _q(sex, "l"), _q(sex, "r")
        ptok = self._names.get("ptok")
        gl, gr = (_q(ptok, "l"), _q(ptok, "r")) if ptok else (tl, tr)
        # array_slice rather than list_slice, and the last token from its own column: both translate to Spark
        given_l, given_r = f"array_slice({gl}, 1, len({gl}) - 1)", f"array_slice({gr}, 1, len({gr}) - 1)"
        last_l, last_r = _q(self._names["last"], "l"), _q(self._names["last"], "r")
        cond = (f"CASE WHEN len({tl}) < 2 OR len({tr}) < 2 OR coalesce({sl}, '') = 'L' "
                f"OR coalesce({sr}, '') = 'L' OR {last_l} = {last_r} THEN false "
                f"ELSE list_contains({fam}, {last_l}) AND list_contains({fam}, {last_r}) "
                f"AND (list_has_all({given_l}, {given_r}) OR list_has_all({given_r}, {given_l})) END")
        return _lvl(cond, "Same given names, another family name (a wife under her husband's)",
                    key="other_family_name")

    def create_output_column_name(self) -> str:
        return self._names["name"]


#: an age's birth year this many years (or fewer, but more than one) from the other's is no evidence
APPROX_YEAR_UNSURE = 3


class BirthDateComparison(ComparisonCreator):
    def __init__(self, col_name: str = "dob", *, placeholder_col_name: str = "dob_placeholder",
                 nik_date_col_name: str | None = "nik_dob", nik_col_name: str | None = "nik15",
                 approx_year_col_name: str | None = None, term_frequency_adjustments: bool = True):
        """Compare birth dates (ISO ``YYYY-MM-DD`` strings), aware of placeholder dates and the NIK.

        The exact levels are term-frequency adjusted: agreeing on a date that many records share (a
        placeholder such as 1 July 1970, or a day in a baby-boom year) is weaker evidence.

        The comparison levels are:

        - Null: no birth date on either side (neither recorded nor coded in a NIK)
        - Already counted by the NIK: both NIKs code the same birth date and the recorded dates do not
          disagree on the year (a null level, weight 0, so the date is not counted twice)
          *(only with the NIK columns)*
        - Exact match on a real date
        - Exact match on a placeholder date (1 January, 1 July, 31 December or the 15th: Dukcapil's
          conventions for unknown birth days)
        - One record has no NIK and its recorded date equals the date coded in the other's NIK
          *(only with NIK columns)*
        - Day and month swapped
        - Same day and month of a real date, the year mistyped: one apart, one digit apart (1985 / 1995)
          or its last two digits swapped (1973 / 1937)
        - Same year and month
        - Same year, or same day and month one year apart (placeholder dates)
        - Approximate birth years within ±1: one record gives an age instead of a date (health and school
          lists) and the birth years agree within one year *(only with an approximate-year column)*
        - Approximate birth years 2 to 3 years apart: a null level (an age is often a year or two off, or
          taken on a date the list does not give) *(only with an approximate-year column)*
        - All other

        A record with only an approximate birth year is not "no birth date": it reaches the approximate-year
        levels, and an age more than ``APPROX_YEAR_UNSURE`` years off falls into "All other".

        Example::

            BirthDateComparison("dob", approx_year_col_name="dob_approx_year")

        Args:
            col_name: recorded birth date, ISO string.
            placeholder_col_name: boolean column, true for placeholder dates.
            nik_date_col_name: birth date coded in the NIK, ISO string.
            nik_col_name: NIK (or its first 15 digits); used only to detect that both NIKs are present.
            approx_year_col_name: integer birth year from an age (± 1), null where the record has a date.
        """
        cols = {"dob": col_name, "ph": placeholder_col_name}
        if approx_year_col_name:
            cols["approx"] = approx_year_col_name
        self.tf = term_frequency_adjustments
        if nik_date_col_name:
            cols["nikdob"] = nik_date_col_name
        if nik_col_name:
            cols["nik"] = nik_col_name
        self._names = dict(cols)
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        d, ph = self._names["dob"], self._names["ph"]
        dl, dr, phl = _q(d, "l"), _q(d, "r"), _q(ph, "l")
        nd = self._names.get("nikdob")
        nk = self._names.get("nik")
        ap = self._names.get("approx")
        levels: list[ComparisonLevelCreator] = []
        both_nik = "false"
        no_l, no_r = f"{dl} IS NULL", f"{dr} IS NULL"
        if ap:
            no_l, no_r = f"{no_l} AND {_q(ap, 'l')} IS NULL", f"{no_r} AND {_q(ap, 'r')} IS NULL"
        if nd:
            ndl, ndr = _q(nd, "l"), _q(nd, "r")
            levels.append(_null_level(f"({no_l} AND {ndl} IS NULL) OR ({no_r} AND {ndr} IS NULL)",
                                      "No birth date"))
            if nk:
                kl, kr = _q(nk, "l"), _q(nk, "r")
                both_nik = f"({kl} IS NOT NULL AND {kr} IS NOT NULL)"
                # both NIKs code the same date: the date is already in the NIK comparison; only a recorded
                # date in another year still says something (a NIK copied from another person)
                levels.append(_null_level(
                    f"{both_nik} AND {ndl} = {ndr} AND ({dl} IS NULL OR {dr} IS NULL OR "
                    f"substr({dl}, 1, 4) = substr({dr}, 1, 4))",
                    "Already counted by the NIK", key="counted_by_nik"))
        else:
            levels.append(_null_level(f"({no_l}) OR ({no_r})", "No birth date"))
        exact_real = _lvl(f"{dl} = {dr} AND NOT coalesce({phl}, false)", "Exact date", key="exact_real")
        exact_any = keyed(cll.ExactMatchLevel(d).configure(
            label_for_charts="Exact placeholder date (1 Jan, 1 Jul, 31 Dec, 15th)"), "exact_placeholder")
        if self.tf:
            # a date shared by many records (1 July 1970; the birth years of a baby boom) says less
            # each level is adjusted from its own u: Splink would otherwise take the u of the
            # ExactMatchLevel (placeholder dates) for the real-date level too, which can be thousands of
            # times smaller and sinks every exact real date on small lists
            exact_real = exact_real.configure(tf_adjustment_column=d, tf_adjustment_weight=1.0,
                                              disable_tf_exact_match_detection=True)
            exact_any = exact_any.configure(tf_adjustment_column=d, tf_adjustment_weight=1.0,
                                            disable_tf_exact_match_detection=True)
        levels.append(exact_real)
        levels.append(exact_any)
        if nd:
            levels.append(_lvl(f"NOT {both_nik} AND ({ndl} = {dr} OR {dl} = {ndr})",
                               "Recorded date equals the date coded in the other's NIK", key="others_nik_date"))
        levels.append(_lvl(
            f"substr({dl}, 1, 4) = substr({dr}, 1, 4) AND substr({dl}, 6, 2) = substr({dr}, 9, 2) "
            f"AND substr({dl}, 9, 2) = substr({dr}, 6, 2)", "Day and month swapped", key="day_month_swapped"))
        # a mistyped year on a real date: same day and month, the years one apart, one digit apart
        # (1985 / 1995) or with the last two digits swapped (1973 / 1937)
        phr = _q(ph, "r")
        yl, yr = f"substr({dl}, 1, 4)", f"substr({dr}, 1, 4)"
        levels.append(_lvl(
            f"substr({dl}, 6, 5) = substr({dr}, 6, 5) AND NOT coalesce({phl}, false) AND NOT coalesce({phr}, false) "
            f"AND (abs(try_cast({yl} AS INTEGER) - try_cast({yr} AS INTEGER)) <= 1 OR hamming({yl}, {yr}) = 1 "
            f"OR (substr({dl}, 3, 1) = substr({dr}, 4, 1) AND substr({dl}, 4, 1) = substr({dr}, 3, 1)))",
            "Same day and month, year mistyped", key="year_mistyped"))
        levels.append(_lvl(f"substr({dl}, 1, 7) = substr({dr}, 1, 7)", "Same year and month", key="same_year_month"))
        levels.append(_lvl(
            f"substr({dl}, 1, 4) = substr({dr}, 1, 4) OR (substr({dl}, 6, 5) = substr({dr}, 6, 5) AND "
            f"abs(try_cast(substr({dl}, 1, 4) AS INTEGER) - try_cast(substr({dr}, 1, 4) AS INTEGER)) <= 1)",
            "Same year, or same day and month one year apart", key="same_year"))
        if ap:
            levels += self._approx_year_levels(ap, nd)
        levels.append(keyed(cll.ElseLevel(), "else"))
        return levels

    def _approx_year_levels(self, ap: str, nd: str | None) -> list[ComparisonLevelCreator]:
        """Approximate birth years within ±1 (an age on one side, a year from a date, a NIK or an age on the
        other), and a null level for years 2 to ``APPROX_YEAR_UNSURE`` apart: an age is often a year or two
        off (said loosely, or taken on a date the list does not give), so that gap is no evidence either way.
        """
        d = self._names["dob"]

        def year(side: str) -> str:
            parts = [_q(ap, side), f"try_cast(substr({_q(d, side)}, 1, 4) AS INTEGER)"]
            if nd:
                parts.append(f"try_cast(substr({_q(nd, side)}, 1, 4) AS INTEGER)")
            return f"coalesce({', '.join(parts)})"

        either = f"({_q(ap, 'l')} IS NOT NULL OR {_q(ap, 'r')} IS NOT NULL)"
        gap = f"abs({year('l')} - {year('r')})"
        return [_lvl(f"{either} AND {gap} <= 1", "Approximate birth years within ±1 (an age, not a date)",
                     key="approx_year"),
                _null_level(f"{either} AND {gap} <= {APPROX_YEAR_UNSURE}",
                            "Approximate birth years a few years apart (an age: no evidence)",
                            key="approx_year_unsure")]

    def create_output_column_name(self) -> str:
        return self._names["dob"]


class SexComparison(ComparisonCreator):
    def __init__(self, col_name: str = "sex", *, nik_col_name: str | None = "nik15",
                 nik_sex_col_name: str | None = "nik_sex"):
        """Compare sex (``L``/``P``), not counting it twice when both NIKs already code it.

        The comparison levels are:

        - Null: sex unknown on either side
        - Already counted by the NIK: both NIKs present, coding the same sex as recorded  *(with NIK cols)*
        - Same sex
        - Different sex
        """
        cols = {"sex": col_name}
        if nik_col_name and nik_sex_col_name:
            cols["nik"] = nik_col_name
            cols["niksex"] = nik_sex_col_name
        self._names = dict(cols)
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        s = self._names["sex"]
        sl, sr = _q(s, "l"), _q(s, "r")
        levels: list[ComparisonLevelCreator] = [_null_level(f"{sl} IS NULL OR {sr} IS NULL", "Sex unknown")]
        if "nik" in self._names:
            kl, kr = _q(self._names["nik"], "l"), _q(self._names["nik"], "r")
            xl, xr = _q(self._names["niksex"], "l"), _q(self._names["niksex"], "r")
            levels.append(_null_level(f"{kl} IS NOT NULL AND {kr} IS NOT NULL AND {xl} = {xr} AND {sl} = {sr}",
                                      "Already counted by the NIK", key="counted_by_nik"))
        levels.append(_lvl(f"{sl} = {sr}", "Same sex", key="same"))
        levels.append(keyed(cll.ElseLevel(), "else"))
        return levels

    def create_output_column_name(self) -> str:
        return self._names["sex"]


class IndonesianAddressComparison(ComparisonCreator):
    def __init__(self, desa_col_name: str = "desa_code", *, kecamatan_col_name: str = "kecamatan_code",
                 rt_col_name: str = "rt", rw_col_name: str = "rw", place_col_name: str | None = "place",
                 nik_kecamatan_col_name: str | None = None):
        """Compare resolved addresses: Kemendagri desa code, RT/RW and place (kampung/perumahan).

        The comparison levels are:

        - Null: neither desa nor kecamatan known on one side, or one kecamatan known only by an unbridged BPS
          code (``BPS:3216099``) and the other by a Kemendagri code
        - Same desa, RT and RW
        - Same desa and same place (kampung / perumahan / jalan)  *(only with ``place_col_name``)*
        - Same desa and RW
        - Same desa
        - Same kecamatan, and one side knows only the kecamatan (a list without desa): all the place it gives
        - Same kecamatan, another desa
        - Another kecamatan, but one record's NIK was issued in the other record's kecamatan (a family that
          moved)  *(only with ``nik_kecamatan_col_name``)*
        - All other (a different kecamatan: moved, or a different person)

        Args:
            nik_kecamatan_col_name: the kecamatan code in which the record's NIK was issued (first six
                digits, as ``32.16.09``), null when the NIK is missing or untrusted.
        """
        cols = {"desa": desa_col_name, "kec": kecamatan_col_name, "rt": rt_col_name, "rw": rw_col_name}
        if place_col_name:
            cols["place"] = place_col_name
        if nik_kecamatan_col_name:
            cols["nik_kec"] = nik_kecamatan_col_name
        self._names = dict(cols)
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        q = {k: (_q(v, "l"), _q(v, "r")) for k, v in self._names.items()}
        (dl, dr), (kl, kr), (tl, tr), (wl, wr) = q["desa"], q["kec"], q["rt"], q["rw"]
        levels: list[ComparisonLevelCreator] = [
            # (a kecamatan known only by a BPS code that no bridge maps, ``BPS:<digits>``, cannot be compared
            # with a Kemendagri code: see linkmiskin.standardise.regions.bps_desa_keys)
            _null_level(f"({dl} IS NULL AND {kl} IS NULL) OR ({dr} IS NULL AND {kr} IS NULL) "
                        f"OR (({kl} LIKE 'BPS:%') <> ({kr} LIKE 'BPS:%'))",
                        "No desa or kecamatan"),
            _lvl(f"{dl} = {dr} AND {tl} = {tr} AND {wl} = {wr}", "Same desa, RT and RW", key="desa_rt_rw"),
        ]
        if "place" in q:
            pl, pr = q["place"]
            levels.append(_lvl(f"{dl} = {dr} AND {pl} = {pr}", "Same desa and place", key="desa_place"))
        levels += [
            _lvl(f"{dl} = {dr} AND {wl} = {wr}", "Same desa and RW", key="desa_rw"),
            _lvl(f"{dl} = {dr}", "Same desa", key="desa"),
            _lvl(f"{kl} = {kr} AND ({dl} IS NULL OR {dr} IS NULL)", "Same kecamatan, a desa unknown",
                 key="kecamatan_desa_unknown"),
            _lvl(f"{kl} = {kr}", "Same kecamatan", key="kecamatan"),
        ]
        if "nik_kec" in q:
            nl, nr = q["nik_kec"]
            levels.append(_lvl(f"{nl} = {kr} OR {nr} = {kl}", "Another kecamatan, but a NIK issued in the other's", key="nik_issued_in_others_kecamatan"))
        levels.append(keyed(cll.ElseLevel(), "else"))
        return levels

    def create_output_column_name(self) -> str:
        return "address"


class RelationshipComparison(ComparisonCreator):
    def __init__(self, col_name: str = "relationship", *, kk_col_name: str | None = None,
                 desa_col_name: str | None = None):
        """Compare the relationship to the household head (canonical roles from
        :mod:`linkmiskin.standardise.household_roles`).

        A role belongs to a household: a person who moved to another household (a grown child who married
        and heads a card of her own, a widow taken in by her son) takes another role in it, so two roles of
        records in two households say nothing about whether they are one person; the address and the KK
        already say that the households differ. Those pairs fall into a null level, and the other levels are
        learnt on records of one household.

        The comparison levels are (key in brackets):

        - Null: unknown on either side  (``null``)
        - Same role  (``same``)
        - Null: another role, and the records are in two households: both KKs known and different, or both
          desas known and different  (``other_household``; only with ``kk_col_name`` or ``desa_col_name``)
        - Head and spouse swapped (a wife listed as head in one programme)  (``head_spouse``)
        - All other (e.g. *ANAK* in one list and *KEPALA* in another: a father and son, or a grown child)
          (``else``)

        Args:
            col_name: the canonical role column.
            kk_col_name: the cleaned KK column (null when missing or untrusted); ``None`` to leave it out.
            desa_col_name: the desa code column (null when unknown); ``None`` to leave it out.

        >>> level_keys(RelationshipComparison(kk_col_name="kk", desa_col_name="desa_code"))
        ['null', 'same', 'other_household', 'head_spouse', 'else']
        """
        cols = {"rel": col_name}
        if kk_col_name:
            cols["kk"] = kk_col_name
        if desa_col_name:
            cols["desa"] = desa_col_name
        self._col = col_name
        self._names = dict(cols)
        super().__init__(cols)

    def other_household_sql(self) -> str | None:
        """SQL (on ``_l``/``_r`` columns): both KKs known and different, or both desas known and different;
        None without those columns."""
        parts = [f"coalesce({_q(self._names[k], 'l')} <> {_q(self._names[k], 'r')}, false)"
                 for k in ("kk", "desa") if k in self._names]
        return "(" + " OR ".join(parts) + ")" if parts else None

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        rl, rr = _q(self._col, "l"), _q(self._col, "r")
        levels = [
            _null_level(f"{rl} IS NULL OR {rr} IS NULL", "Relationship unknown"),
            _lvl(f"{rl} = {rr}", "Same relationship", key="same"),
        ]
        other = self.other_household_sql()
        if other:
            levels.append(_null_level(other, "Another role, in another household (KK or desa)",
                                      key="other_household"))
        return levels + [
            _lvl(f"{sql_in_roles(rl, (HEAD, SPOUSE))} AND {sql_in_roles(rr, (HEAD, SPOUSE))}", "Head / spouse",
                 key="head_spouse"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._col


class MotherNameComparison(ComparisonCreator):
    def __init__(self, col_name: str = "mother_name", *, tokens_col_name: str | None = "mother_tokens"):
        """Compare the (canonical) name of the mother, as recorded on posyandu and some DTKS lists.

        Twins and same-day births in one desa differ here; the same child on two lists agrees.

        The comparison levels are:

        - Null: missing on either side
        - Exact match
        - One name inside the other, or Jaro-Winkler >= 0.9
        - All other
        """
        cols = {"mother": col_name}
        if tokens_col_name:
            cols["tokens"] = tokens_col_name
        self._names = dict(cols)
        super().__init__(cols)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        m = self._names["mother"]
        ml, mr = _q(m, "l"), _q(m, "r")
        close = f"jaro_winkler_similarity({ml}, {mr}) >= 0.9"
        if "tokens" in self._names:
            tl, tr = _q(self._names["tokens"], "l"), _q(self._names["tokens"], "r")
            close = (f"({close} OR (len({tl}) <= len({tr}) AND list_has_all({tr}, {tl})) OR "
                     f"(len({tr}) < len({tl}) AND list_has_all({tl}, {tr})))")
        return [
            _null_level(f"{ml} IS NULL OR {mr} IS NULL", "Mother's name missing"),
            keyed(cll.ExactMatchLevel(m).configure(label_for_charts="Same mother's name"), "exact"),
            _lvl(close, "Mother's name close or contained", key="close"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._names["mother"]


class PlainIdComparison(ComparisonCreator):
    def __init__(self, col_name: str = "id_plain", *, output_column_name: str = "nik",
                 term_frequency_adjustments: bool = True):
        """Compare an identifier that is not a valid NIK (a school number, a foreign id, a NIK column that
        holds something else) as a plain identifier: no region, birth date or serial is read from it.

        Chosen by :func:`linkmiskin.scoring.model.choose_comparisons` when the id column holds ids but (almost) no
        valid NIK. The comparison levels are (key in brackets):

        - Null: the id is missing on either side
        - Exact match, term-frequency adjusted: an id shared by many records says less  (``exact``)
        - One typo or transposition (Damerau-Levenshtein 1), on ids of four or more characters  (``typo``)
        - All other  (``else``)

        Args:
            col_name: the cleaned plain id column (digits only, null when missing).
            output_column_name: the name the comparison has in the model (``nik``: it takes the NIK's place).
            term_frequency_adjustments: adjust the exact level for how often each id occurs.

        >>> level_keys(PlainIdComparison("id_plain"))
        ['null', 'exact', 'typo', 'else']
        """
        self._col = col_name
        self._out = output_column_name
        self.tf = term_frequency_adjustments
        super().__init__(col_name)

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        il, ir = _q(self._col, "l"), _q(self._col, "r")
        exact = keyed(cll.ExactMatchLevel(self._col).configure(label_for_charts="Exact id"), "exact")
        if self.tf:
            exact = exact.configure(tf_adjustment_column=self._col, tf_adjustment_weight=1.0)
        return [
            _null_level(f"{il} IS NULL OR {ir} IS NULL", "Id missing"),
            exact,
            _lvl(f"least(length({il}), length({ir})) >= 4 AND damerau_levenshtein({il}, {ir}) <= 1",
                 "One typo in the id", key="typo"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._out


class AddressTextComparison(ComparisonCreator):
    def __init__(self, text_col_name: str = "addr_text", *, tokens_col_name: str = "addr_tokens",
                 postcode_col_name: str = "addr_post", output_column_name: str = "address",
                 close_threshold: float = 0.5, min_shared_words: int = 2):
        """Compare addresses as text when no desa code resolves (a region outside the bundled tables,
        desa names that do not resolve, a list from abroad).

        Chosen by :func:`linkmiskin.scoring.model.choose_comparisons` instead of
        :class:`IndonesianAddressComparison` when the address text is there but (almost) no desa or kecamatan
        code. The comparison levels are (key in brackets):

        - Null: no address text on either side
        - The same address text  (``text_exact``)
        - The same postcode-like token and close text (token Jaccard >= ``close_threshold``)
          (``postcode_text_close``)
        - Close text (token Jaccard >= ``close_threshold``, or Jaro-Winkler >= 0.9)  (``text_close``)
        - The same postcode-like token and at least ``min_shared_words`` words in common
          (``postcode_share_words``)
        - At least ``min_shared_words`` words in common (house number, street, suburb with typos elsewhere)
          (``share_words``)
        - The same postcode-like token  (``postcode``)
        - All other  (``else``)

        Args:
            text_col_name: the cleaned address text.
            tokens_col_name: list column of the text's words.
            postcode_col_name: the address's postcode-like token (its last group of 4-6 digits), or null.
            output_column_name: the name the comparison has in the model (``address``).
            close_threshold: share of distinct words in common for "close text".
            min_shared_words: distinct words in common for the "share words" levels.

        >>> level_keys(AddressTextComparison())
        ['null', 'text_exact', 'postcode_text_close', 'text_close', 'postcode_share_words', 'share_words', 'postcode', 'else']
        """
        self._names = {"text": text_col_name, "tokens": tokens_col_name, "post": postcode_col_name}
        self._out = output_column_name
        self.close = close_threshold
        self.min_shared = min_shared_words
        super().__init__(dict(self._names))

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        (al, ar), (tl, tr), (pl, pr) = ((_q(v, "l"), _q(v, "r")) for v in self._names.values())
        jaccard = (f"(len(list_intersect({tl}, {tr}))::DOUBLE / "
                   f"greatest(len(list_distinct(list_concat({tl}, {tr}))), 1))")
        close = f"({jaccard} >= {self.close} OR jaro_winkler_similarity({al}, {ar}) >= 0.9)"
        shared = f"len(list_distinct(list_intersect({tl}, {tr})))"
        return [
            _null_level(f"{al} IS NULL OR {ar} IS NULL", "No address text"),
            _lvl(f"{al} = {ar}", "Same address text", key="text_exact"),
            _lvl(f"{pl} = {pr} AND {jaccard} >= {self.close}", "Same postcode and close address text",
                 key="postcode_text_close"),
            _lvl(close, "Close address text", key="text_close"),
            _lvl(f"{pl} = {pr} AND {shared} >= {self.min_shared}", "Same postcode and shared address words",
                 key="postcode_share_words"),
            _lvl(f"{shared} >= {self.min_shared}", "Shared address words", key="share_words"),
            _lvl(f"{pl} = {pr}", "Same postcode", key="postcode"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._out


def close_names_sql(n: tuple[str, str], tokens: tuple[str, str], phonetic: tuple[str, str],
                    mask: tuple[str, str] | None = None) -> str:
    """SQL: the two names are one name written the same or closely (equal, the same by sound, one inside the
    other, or a typo: Jaro-Winkler >= 0.9 and at most two edits). Each pair is ``(left, right)`` quoted."""
    (nl, nr), (tl, tr), (pl, pr) = n, tokens, phonetic
    gate = f"(({mask[0]} & {mask[1]}) = {mask[0]} OR ({mask[0]} & {mask[1]}) = {mask[1]})" if mask else "true"
    contained = (f"CASE WHEN NOT {gate} OR len({tl}) = 0 OR len({tr}) = 0 THEN false WHEN len({tl}) <= len({tr}) "
                 f"THEN list_has_all({tr}, {tl}) ELSE list_has_all({tl}, {tr}) END")
    typo = (f"CASE WHEN abs(length({nl}) - length({nr})) > 2 THEN false "
            f"WHEN jaro_winkler_similarity({nl}, {nr}) >= 0.9 THEN damerau_levenshtein({nl}, {nr}) <= 2 "
            f"ELSE false END")
    return f"({nl} = {nr} OR {pl} = {pr} OR {contained} OR {typo})"


def one_vowel_apart_sql(nl: str, nr: str) -> str:
    """SQL: two names of one length that differ in a single letter, a vowel on both sides (PUTRA / PUTRI):
    in one family, twins named in rhyme rather than a typo."""
    return (f"(CASE WHEN length({nl}) <> length({nr}) OR {nl} = {nr} THEN false "
            f"ELSE hamming({nl}, {nr}) = 1 AND "
            f"regexp_replace({nl}, '[AEIOU]', '_', 'g') = regexp_replace({nr}, '[AEIOU]', '_', 'g') END)")


class KkComparison(ComparisonCreator):
    def __init__(self, col_name: str = "kk", *, name_col_name: str = "name", tokens_col_name: str = "name_tokens",
                 phonetic_col_name: str = "name_phon_key", token_mask_col_name: str | None = "name_mask",
                 name_unique_col_name: str | None = "kk_name_unique", nik_col_name: str | None = None,
                 nik_consistent_col_name: str | None = None, desa_col_name: str | None = None,
                 kecamatan_col_name: str | None = None):
        """Compare the family card number (KK) of two records whose names are the same or close.

        A KK is a household's number: two records under one KK are one family, and only their names say
        which member each is. Inside one KK names are nearly unique, so the same KK *with the same or a
        close name* is strong evidence of one person (a programme's member rows without NIK or birth date).
        Pairs whose names differ fall into a null level: the KK says nothing about which member, and the
        name comparison decides. The levels are therefore learnt conditional on close names (see
        :func:`linkmiskin.scoring.model.kk_u_probabilities`).

        The comparison levels are (key in brackets):

        - Null: the KK is missing or untrusted on either side  (``null``)
        - Null: a name is missing, or the names are neither the same nor close (equal, the same by sound,
          one inside the other, or a typo), or they are one vowel apart (PUTRA / PUTRI: twins are named in
          rhyme), or a list holds two people of that name under that KK (a father and his son of one name;
          only with ``name_unique_col_name``): household members, left to the name  (``names_differ``)
        - The same KK  (``exact``)
        - KKs one typo or transposition apart (Damerau-Levenshtein 1)  (``typo``)
        - Null: another KK in another desa (the desas, or the kecamatans, known and different), under one NIK
          that is consistent with both records' birth date and sex: a person who moved; a new card comes with
          a move, which the address comparison already counts, and the NIK says who it is (as the birth date
          "already counted by the NIK"; learnt without this level, see
          :func:`linkmiskin.scoring.model._anchor_comparisons`)  (``moved_one_nik``; only with
          ``nik_col_name``, ``nik_consistent_col_name`` and ``desa_col_name``)
        - All other: another KK (another family, or a family that split or got a new card)  (``else``)

        Args:
            col_name: the cleaned 16-digit KK column (null when missing or untrusted).
            name_col_name: canonical name column.
            tokens_col_name: list column of the name's tokens.
            phonetic_col_name: the sorted phonetic keys of the name's tokens.
            token_mask_col_name: Bloom mask of the tokens (:func:`linkmiskin.scoring.model.token_mask`), to
                skip the containment test on names that cannot share every token; ``None`` to leave it out.
            name_unique_col_name: boolean column, false where one list holds two records under the record's
                KK and name that are not one NIK (:func:`linkmiskin.scoring.model.kk_name_unique`);
                ``None`` to leave that test out.
            nik_col_name: the cleaned NIK column, for the "moved" level; ``None`` to leave that level out.
            nik_consistent_col_name: boolean column, true when the record's NIK agrees with its own birth date
                and sex (as :class:`NikComparison`'s).
            desa_col_name: the desa code column.
            kecamatan_col_name: the kecamatan code column (two kecamatans are two desas when a desa is
                unknown); ``None`` to compare the desas only.

        >>> level_keys(KkComparison())
        ['null', 'names_differ', 'exact', 'typo', 'else']
        >>> level_keys(KkComparison(nik_col_name="nik", nik_consistent_col_name="nik_consistent",
        ...                         desa_col_name="desa_code"))
        ['null', 'names_differ', 'exact', 'typo', 'moved_one_nik', 'else']
        """
        cols = {"kk": col_name, "name": name_col_name, "tokens": tokens_col_name, "phon": phonetic_col_name}
        if token_mask_col_name:
            cols["mask"] = token_mask_col_name
        if name_unique_col_name:
            cols["unique"] = name_unique_col_name
        self._moved = {}
        if nik_col_name and nik_consistent_col_name and desa_col_name:
            self._moved = {"nik": nik_col_name, "cons": nik_consistent_col_name, "desa": desa_col_name}
            if kecamatan_col_name:
                self._moved["kec"] = kecamatan_col_name
        self._names = dict(cols)
        super().__init__({**cols, **{f"moved_{k}": v for k, v in self._moved.items()}})

    def names_close_sql(self) -> str:
        """The SQL condition (on ``_l``/``_r`` columns) for names the same or close."""
        q = {k: (_q(v, "l"), _q(v, "r")) for k, v in self._names.items()}
        close = f"({close_names_sql(q['name'], q['tokens'], q['phon'], q.get('mask'))} AND NOT {one_vowel_apart_sql(*q['name'])})"
        if "unique" in q:
            close = f"({close} AND coalesce({q['unique'][0]}, true) AND coalesce({q['unique'][1]}, true))"
        return close

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        kl, kr = _q(self._names["kk"], "l"), _q(self._names["kk"], "r")
        nl, nr = _q(self._names["name"], "l"), _q(self._names["name"], "r")
        return [
            _null_level(f"{kl} IS NULL OR {kr} IS NULL", "KK missing or untrusted"),
            _null_level(f"{nl} IS NULL OR {nr} IS NULL OR NOT {self.names_close_sql()}",
                        "Names differ: household members, left to the name", key="names_differ"),
            _lvl(f"{kl} = {kr}", "Same KK, close names", key="exact"),
            _lvl(f"CASE WHEN hamming({kl}, {kr}) <= 2 THEN damerau_levenshtein({kl}, {kr}) <= 1 ELSE false END",
                 "KK one typo apart, close names", key="typo"),
            *self._moved_level(),
            keyed(cll.ElseLevel(), "else"),
        ]

    def _moved_level(self) -> list[ComparisonLevelCreator]:
        """The null level "another KK in another desa, under one consistent NIK" (none without its columns)."""
        if not self._moved:
            return []
        q = {k: (_q(v, "l"), _q(v, "r")) for k, v in self._moved.items()}
        (nl, nr), (cl, cr) = q["nik"], q["cons"]
        apart = " OR ".join(f"coalesce({q[k][0]} <> {q[k][1]}, false)" for k in ("desa", "kec") if k in q)
        return [_null_level(f"{nl} = {nr} AND coalesce({cl}, false) AND coalesce({cr}, false) AND ({apart})",
                            "Another KK in another desa, under one NIK: a person who moved",
                            key="moved_one_nik")]

    def create_output_column_name(self) -> str:
        return self._names["kk"]


class SpouseNameComparison(ComparisonCreator):
    def __init__(self, col_name: str = "spouse_name", *, husband_col_name: str = "husband_name",
                 jaro_winkler_threshold: float = 0.92):
        """Compare the husband's name a wife is listed under (``NY. BUDI SANTOSO``, a SUAMI column: the
        ``spouse_name``) with the husband's name the other record's household gives (the head of her KK on
        that list: ``husband_name``), or with the other record's own spouse name: a married woman written
        under her husband's name is found by his name, not hers.

        The comparison levels are (key in brackets):

        - Null: neither side gives a spouse's name, or the other side has no husband's or spouse's name
          to compare it with  (``null``)
        - One side's spouse name is the other side's husband's (or spouse's) name  (``exact``)
        - Close: Jaro-Winkler >= ``jaro_winkler_threshold``, or one name's words inside the other's
          (``NYONYA BUDI`` / ``BUDI SANTOSO``)  (``close``)
        - All other  (``else``)

        Args:
            col_name: the spouse's name the record itself gives (null on most records).
            husband_col_name: the name of the head of the record's household on its list, on records that
                are (or may be) the head's wife; null elsewhere.
            jaro_winkler_threshold: the "close" threshold on the whole name.

        >>> level_keys(SpouseNameComparison())
        ['null', 'exact', 'close', 'else']
        """
        self._names = {"spouse": col_name, "husband": husband_col_name}
        self.jw = jaro_winkler_threshold
        super().__init__(dict(self._names))

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        sl, sr = _q(self._names["spouse"], "l"), _q(self._names["spouse"], "r")
        hl, hr = _q(self._names["husband"], "l"), _q(self._names["husband"], "r")
        # each side's spouse name against the other side's husband's and spouse's names
        pairs = ((sl, hr), (sl, sr), (sr, hl))

        def any_of(cond: str) -> str:
            return "(" + " OR ".join(f"coalesce({cond.format(a=a, b=b)}, false)" for a, b in pairs) + ")"

        inside = ("(strpos(' ' || {a} || ' ', ' ' || {b} || ' ') > 0 "
                  "OR strpos(' ' || {b} || ' ', ' ' || {a} || ' ') > 0)")
        return [
            _null_level(f"NOT (({sl} IS NOT NULL AND coalesce({hr}, {sr}) IS NOT NULL) "
                        f"OR ({sr} IS NOT NULL AND {hl} IS NOT NULL))",
                        "No spouse's name to compare"),
            _lvl(any_of("{a} = {b}"), "Spouse's name is the other's husband's name", key="exact"),
            _lvl(any_of(f"(jaro_winkler_similarity({{a}}, {{b}}) >= {self.jw} OR {inside})"),
                 "Spouse's name close to the other's husband's name", key="close"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._names["spouse"]


class NameInKecamatanComparison(ComparisonCreator):
    def __init__(self, unique_col_name: str = "name_kec_unique", *, phonetic_col_name: str = "name_phon_key",
                 kecamatan_col_name: str = "kecamatan_code", output_column_name: str = "name_in_kecamatan"):
        """Compare how often each record's list repeats its name (by sound) in its kecamatan, for two records
        of the same name in the same kecamatan: when each list holds that name once there, the two are
        likely one person; when a list holds it twice or more (a father and son, two neighbours), less so.
        The name's frequency over all records is the name comparison's (term frequencies); this is the
        local count, which a kabupaten-wide frequency misses (a name common in one kecamatan, rare in
        another). Its levels are learnt conditional on the same name and kecamatan, so they add to the name
        and address comparisons what those do not say.

        The comparison levels are (key in brackets):

        - Null: a name or kecamatan is missing, or the names (by sound) or kecamatans differ  (``null``)
        - No list holds two records of that name in that kecamatan  (``unique_on_each_list``)
        - All other: a list holds the name more than once there  (``else``)

        Args:
            unique_col_name: boolean column, true when no list holds two records of the record's name
                (by sound) in its kecamatan (:func:`linkmiskin.scoring.model.name_kec_unique`).
            phonetic_col_name: the sorted phonetic keys of the name's tokens.
            kecamatan_col_name: the kecamatan code.
            output_column_name: the comparison's name.

        >>> level_keys(NameInKecamatanComparison())
        ['null', 'unique_on_each_list', 'else']
        """
        self._names = {"unique": unique_col_name, "phon": phonetic_col_name, "kec": kecamatan_col_name}
        self._output = output_column_name
        super().__init__(dict(self._names))

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        q = {k: (_q(v, "l"), _q(v, "r")) for k, v in self._names.items()}
        (ul, ur), (pl, pr), (kl, kr) = q["unique"], q["phon"], q["kec"]
        return [
            _null_level(f"{pl} IS NULL OR {pr} IS NULL OR {kl} IS NULL OR {kr} IS NULL OR {ul} IS NULL "
                        f"OR {ur} IS NULL OR {pl} <> {pr} OR {kl} <> {kr}",
                        "Names or kecamatans differ or are missing"),
            _lvl(f"{ul} AND {ur}", "Each list holds the name once in the kecamatan", key="unique_on_each_list"),
            keyed(cll.ElseLevel(), "else"),
        ]

    def create_output_column_name(self) -> str:
        return self._output
