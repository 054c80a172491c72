"""Embedding batches and nearest neighbours by embedding cosine."""

from __future__ import annotations

import numpy as np

from seqsim.scorer.embedding import codes_at, cosine_neighbours, padded_positions

from conftest import make_store


def test_cosine_neighbours_match_a_full_sort():
    rng = np.random.default_rng(3)
    embeddings = rng.normal(size=(37, 5)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    query, target, cosine = cosine_neighbours(embeddings, 6, block=8)
    full = embeddings @ embeddings.T
    for i in range(37):
        order = [j for j in np.argsort(-full[i], kind="stable") if j != i][:6]
        assert target[query == i].tolist() == order
        assert np.allclose(cosine[query == i], full[i, order])


def padded_codes(store, indices, pad_code, **window):
    return codes_at(store, padded_positions(store, indices, **window), pad_code)


def test_padded_codes_crop_and_pad():
    store = make_store(["ACDEFGHIKL", "MNP"], "protein")
    batch = padded_codes(store, np.array([0, 1]), 99, crop=4)
    assert batch.shape == (2, 4)
    assert batch[0].tolist() == store.sequence_codes(0)[3:7].tolist()  # centred window
    assert batch[1].tolist() == [*store.sequence_codes(1).tolist(), 99]
    windows = {
        tuple(
            padded_codes(store, np.array([0]), 99, crop=4, rng=np.random.default_rng(s))[0].tolist()
        )
        for s in range(20)
    }
    assert len(windows) > 1
