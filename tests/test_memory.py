"""Memory savings keep the outputs identical: scoring in slices gives the same pairs as scoring at once."""

from __future__ import annotations

import pytest

from linkmiskin import linkage
from linkmiskin.linkage import Linker, predict_chunks
from linkmiskin.synthetic import generator as synthetic


@pytest.fixture(scope="module")
def trained():
    data = synthetic.generate(households=300, seed=5)
    lk = Linker(data.sources, region="32.16", progress=False)
    lk.train()
    return lk


def test_predict_chunks_count():
    assert predict_chunks(0) == 1 and predict_chunks(10, per_chunk=10) == 1
    assert predict_chunks(11, per_chunk=10) == 2 and predict_chunks(1_000_000, per_chunk=400_000) == 3


def test_scoring_in_slices_gives_the_same_pairs(trained, monkeypatch):
    whole = trained.predict().copy()
    monkeypatch.setattr(linkage, "PREDICT_CHUNK_RECORDS", len(trained._table) // 3)
    calls = []
    real = linkage.predict_chunks
    monkeypatch.setattr(linkage, "predict_chunks", lambda n, per_chunk=None: calls.append(real(n)) or calls[-1])
    sliced = trained.predict()
    assert calls == [4]                      # really scored in slices
    assert len(whole) > 100
    assert sliced.equals(whole)
