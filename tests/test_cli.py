"""The command line: ``linkmiskin link`` on generated files, an update with ``--previous``, clear errors."""

from __future__ import annotations

import json
import re

import pandas as pd

from linkmiskin import cli


def test_link_then_update_from_the_folder(tmp_path, capsys):
    assert cli.main(["generate", "--households", "300", "--seed", "4", "--out", str(tmp_path / "in")]) == 0
    files = [str(tmp_path / "in" / f) for f in ("dtks.xlsx", "p3ke.csv", "bpjs_pbi.csv", "blt_dd.xlsx")]
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"p3ke": {"name": "NAMA_LENGKAP"}}))
    capsys.readouterr()
    assert cli.main(["link", "--region", "32.16", "--columns", str(mapping), "--quiet",
                     "--out", str(tmp_path / "h1"), *files]) == 0
    out = capsys.readouterr().out
    assert "linking 4 lists" in out and "verifikasi_desa.xlsx" in out
    for f in ("dtks.xlsx", "p3ke.csv", "bpjs_pbi.csv", "blt_dd.xlsx"):
        assert (tmp_path / "h1" / "crosswalk" / f).exists()
    assert not re.search(r"\d{15,16}", out)
    assert cli.main(["link", "--previous", str(tmp_path / "h1"), "--quiet", "--out", str(tmp_path / "h2"),
                     *files[:3]]) == 0
    out = capsys.readouterr().out
    assert "ids compared with the previous result" in out
    first = pd.read_csv(tmp_path / "h1" / "records.csv", dtype=str)
    second = pd.read_csv(tmp_path / "h2" / "records.csv", dtype=str)
    both = first.merge(second, on=["source", "record_id"], suffixes=("_1", "_2"))
    assert len(both) == len(second)
    assert (both["person_id_1"] == both["person_id_2"]).mean() > 0.97
    changes = pd.read_csv(tmp_path / "h2" / "changes.csv")
    assert "removed" in set(changes["change"])          # blt_dd is gone: its only-BLT persons are removed


def test_errors_are_clear(tmp_path, capsys):
    assert cli.main(["link", "--out", str(tmp_path / "x"), str(tmp_path / "a.csv")]) == 2
    assert "--region is required" in capsys.readouterr().err
    assert cli.main(["link", "--previous", str(tmp_path / "none"), "--out", str(tmp_path / "x"),
                     str(tmp_path / "a.csv")]) == 2
    assert "previous result folder not found" in capsys.readouterr().err
    bad = tmp_path / "m.json"
    bad.write_text("{not json")
    assert cli.main(["link", "--region", "32.16", "--columns", str(bad), "--out", str(tmp_path / "x"),
                     str(tmp_path / "a.csv")]) == 2
    assert "not valid JSON" in capsys.readouterr().err
