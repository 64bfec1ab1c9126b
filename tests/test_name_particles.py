"""Name particles and forms that are not the person's own name (issue 13): Batak BR./BORU connectors,
teknonyms (OP./NAI/AMA/AMAQ/INAQ + a descendant's name) and given names written as initials. Hand-made rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise.names import initials_agree, names_close, normalize_name, parse_name
from linkmiskin.standardise.records import standardize
from test_cannot_link import fires
from test_comparisons import name_level


@pytest.mark.parametrize("written", ["MARIA BR HUTABARAT", "Maria Br. Hutabarat", "MARIA BORU HUTABARAT",
                                     "MARIA BR.HUTABARAT"])
def test_connector_br_is_not_compared(written):
    p = parse_name(written)
    assert p["name"] == "MARIA HUTABARAT"
    assert p["name_tokens"] == ["MARIA", "HUTABARAT"]
    assert p["name_had_title"] is False


def test_connector_alone_leaves_no_name_and_keeps_other_words():
    assert parse_name("BR.")["name_status"] == "no_letters"
    assert normalize_name("BR. SIMANJUNTAK") == "SIMANJUNTAK"
    # a word that only starts with the letters of a particle is a name
    assert normalize_name("BRAMANTYO") == "BRAMANTYO"


@pytest.mark.parametrize("written", ["OP. GRACE", "Op Grace", "OMPU GRACE", "NAI YOSUA", "AMA YOSUA",
                                     "AMAQ RUDI", "Inaq Rudi", "IBU NAI YOSUA"])
def test_teknonym_is_not_the_persons_own_name(written):
    p = parse_name(written)
    assert p["name"] is None
    assert p["name_status"] == "teknonym"
    assert p["name_tokens"] == []


@pytest.mark.parametrize(("written", "name"), [("AMANDA SARI", "AMANDA SARI"), ("NAINGGOLAN", "NAINGGOLAN"),
                                               ("YOSUA NAI", "YOSUA NAI")])
def test_teknonym_needs_the_particle_first_and_a_name_after_it(written, name):
    assert normalize_name(written) == name
    assert parse_name("NAI")["name_status"] != "teknonym"


def test_standardize_marks_a_teknonym_and_keeps_what_was_written():
    std = standardize(pd.DataFrame({"NAMA": ["OP. GRACE", "PUTRI BR. HUTAPEA"]}), {"name": "NAMA"}, source="lansia")
    assert std["name_form"].tolist() == ["teknonym", None]
    assert std["name"].tolist() == [None, "PUTRI HUTAPEA"]
    assert "name:teknonym" in std["flags"].iloc[0]
    assert std["name_raw"].iloc[0] == "OP. GRACE"


def test_initials_agree():
    assert initials_agree(["P", "HUTAPEA"], ["PUTRI", "HUTAPEA"])
    assert initials_agree(["JOHANNES", "SIMANJUNTAK"], ["J", "SIMANJUNTAK"])
    assert not initials_agree(["P", "HUTAPEA"], ["SARI", "HUTAPEA"])       # the initial starts no word
    assert not initials_agree(["P", "SIREGAR"], ["PUTRI", "HUTAPEA"])      # no whole word shared
    assert not initials_agree(["PUTRI", "HUTAPEA"], ["PUTRI", "HUTAPEA"])  # no initial at all
    assert names_close(pd.Series(["P HUTAPEA"]), pd.Series(["PUTRI HUTAPEA"])).tolist() == [True]


def test_name_levels_of_particles_and_initials():
    assert name_level("MARIA BR HUTABARAT", "MARIA HUTABARAT") == "Exact canonical name"
    assert name_level("P. BR HUTAPEA", "PUTRI BR. HUTAPEA") == "A given name written as its initial"
    assert name_level("J. SIMANJUNTAK", "JOHANNES SIMANJUNTAK") == "A given name written as its initial"
    # another given name with the same family name only shares a word
    assert name_level("S. HUTAPEA", "PUTRI HUTAPEA").startswith("Share a token")
    # a teknonym is no name: the comparison has no evidence
    assert name_level("OP. GRACE", "PUTRI HUTAPEA") == "Name missing"


def test_loose_names_rule_spares_initials_and_teknonyms():
    # one list without a NIK, dates agree: the model's name level decides whether names are "loose"
    a = {"dob": "1950-03-01", "name": "PUTRI HUTAPEA"}
    b = {"dob": "1950-03-01", "name": "P HUTAPEA"}
    # an initial is its own level, not a loose one (name_weak False): the rule leaves it to the score
    assert not fires("loose_names_unconfirmed", a, b, {"name_weak": False, "nik_same": False, "name_alike": False})
    assert fires("loose_names_unconfirmed", a, b | {"name": "SARI HUTAPEA"},
                 {"name_weak": True, "nik_same": False, "name_alike": False})


def test_serial_rule_spares_a_name_differing_only_by_br():
    # MARIA BR HUTABARAT / MARIA HUTABARAT compare exact (name_alike): a serial typo, left to the score
    assert name_level("MARIA BR HUTABARAT", "MARIA HUTABARAT") == "Exact canonical name"
    a = {"nik": "1202014107800001", "nik15": "120201410780000", "nik_own_date": True, "dob": "1980-07-01",
         "name": "MARIA HUTABARAT"}
    b = a | {"nik": "1202014107800003", "source": "b"}
    assert not fires("serial_only_niks_other_names", a, b, {"name_weak": False, "nik_same": False, "name_alike": True})
    assert fires("serial_only_niks_other_names", a, b | {"name": "ROSMA HUTABARAT"},
                 {"name_weak": False, "nik_same": False, "name_alike": False})


def test_particles_file_kinds_are_known():
    from linkmiskin.standardise.names import _tables
    T = _tables()
    assert {"BR", "BORU"} <= T.connectors
    assert {"OP", "NAI", "AMAQ", "INAQ"} <= T.teknonyms
    assert not (T.connectors & T.teknonyms)
    assert np.all([len(p) >= 2 for p in T.connectors | T.teknonyms])


def test_batak_marga_written_in_two_words_is_one_word():
    assert normalize_name("RISMA BR HUTA BARAT") == normalize_name("RISMA HUTABARAT") == "RISMA HUTABARAT"
    assert normalize_name("PANGIHUTAN LUMBAN TOBING") == "PANGIHUTAN LUMBANTOBING"
    assert normalize_name("HUTA") == "HUTA"


def test_serial_rule_spares_a_given_name_left_out_or_an_initial():
    from linkmiskin.linkage import PAIR_FLAG_LEVELS

    alike = PAIR_FLAG_LEVELS["name_alike"][1]
    # JESSICA ELISABET BR SITORUS / ELISABET BR SITORUS: one inside the other, "alike" for the serial rule
    assert name_level("JESSICA ELISABET BR SITORUS", "ELISABET BR SITORUS").startswith("One name inside the other")
    assert {"inside", "inside_rare", "initials"} <= set(alike)
    # twins named in rhyme stay unlike (a typo level is not "alike")
    assert name_level("PUTRA HUTAPEA", "PUTRI HUTAPEA").startswith("Typo")
    assert not {"typo_jaro_winkler", "typo_anywhere"} & set(alike)


def test_initial_in_a_name_with_br_is_not_expanded():
    # BR. marks a woman: her M. is an initial (MARTA), not MUHAMMAD; without BR the usual reading stays
    assert normalize_name("M. BR SIMAMORA") == "M SIMAMORA"
    assert normalize_name("M. RIZKI") == "MUHAMMAD RIZKI"
    assert name_level("M. BR. SIBARANI", "MARTA BR SIBARANI") == "A given name written as its initial"


def test_wife_under_her_husbands_family_name():
    wives = ("P", None)
    assert (name_level("DUMARIA BR LUMBANTOBING", "DUMARIA SIMORANGKIR", wives)
            == "Same given names, another family name (a wife under her husband's)")
    # given names by sound, one set inside the other
    assert name_level("HERLINA SURIANI SITORUS", "HERLINA SURYANI NAPITUPULU", wives).startswith("Same given names")
    assert name_level("ROSMA SIMANJUNTAK", "ROSMA RONTI BR PANGGABEAN", wives).startswith("Same given names")
    # never for a man, nor for last words that are not family names, nor for other given names
    assert name_level("BINSAR SIMANJUNTAK", "BINSAR HUTAPEA", ("L", None)).startswith("Share a token")
    assert name_level("SITI AMINAH", "SITI FATIMAH", wives).startswith("Share a token")
    assert name_level("MARIA HUTAPEA", "SARI SIREGAR", wives) == "All other comparisons"


def test_family_names_file_is_canonical():
    from linkmiskin.standardise.names import family_names

    fam = family_names()
    assert {"SIMANJUNTAK", "LUMBANTOBING", "HUTABARAT", "NASUTION"} <= set(fam)
    assert [normalize_name(f) for f in fam] == list(fam)


def test_serial_rule_needs_two_names_of_their_own():
    # AMA ANTON (a teknonym: no own name) against PETRUS SIRAIT, NIKs one serial apart: the name says nothing
    a = {"nik": "1202040403570001", "nik15": "120204040357000", "nik_own_date": True, "dob": "1957-03-04",
         "name": "PETRUS SIRAIT"}
    b = a | {"nik": "1202040403570003", "source": "b", "name": None}
    flags = {"name_weak": False, "nik_same": False, "name_alike": False}
    assert not fires("serial_only_niks_other_names", a, b, flags)
    assert fires("serial_only_niks_other_names", a, b | {"name": "ANTON SIRAIT"}, flags)


def test_family_name_short_form_after_a_given_name():
    assert normalize_name("MARTUA L.TOBING") == normalize_name("MARTUA LUMBANTOBING") == "MARTUA LUMBANTOBING"
    assert normalize_name("EDWARD L. GAOL") == "EDWARD LUMBANGAOL"
    assert normalize_name("RUMINTANG BR L.TOBING") == "RUMINTANG LUMBANTOBING"
    # alone it stays an initial and a word; another initial is not a short form
    assert normalize_name("L. TOBING") == "L TOBING"
    assert normalize_name("MARTUA S. TOBING") == "MARTUA S TOBING"


def test_initial_before_a_family_name_is_not_expanded():
    # M. HUTAGALUNG may be MARTA, MIKAEL or MUHAMMAD: an initial, which the level "initials" matches to each
    assert normalize_name("M. HUTAGALUNG") == "M HUTAGALUNG"
    assert normalize_name("M. RIZKI HUTAGALUNG") == "MUHAMMAD RIZKI HUTAGALUNG"
    assert name_level("M. SITOMPUL", "MIKAEL SITOMPUL") == "A given name written as its initial"
    assert name_level("M. NASUTION", "MUHAMMAD NASUTION") == "A given name written as its initial"


def test_with_nik_lists_counts_lists_of_trusted_niks():
    from linkmiskin.clustering.cannot_link import with_nik_lists

    recs = pd.DataFrame({"nik": ["1", "1", "1", "2", "3"], "nik_consistent": [True, True, True, True, False],
                         "source": ["x", "y", "y", "x", "x"]})
    assert with_nik_lists(recs)["nik_lists"].tolist() == [2, 2, 2, 1, 0]
