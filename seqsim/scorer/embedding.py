"""Embeddings: padded batches of residues (or their profile columns) for
the encoder, one embedding per sequence, and the embedding-only neighbours
of every sequence (cosine similarity as a blocked matrix product, so
100,000s of sequences fit)."""

from __future__ import annotations

import numpy as np
import torch

from seqsim.errors import ConfigError
from seqsim.progress import progress
from seqsim.scorer.encoder import SequenceEncoder
from seqsim.sequences.store import SequenceStore

# int8 profile log-odds (matrix units; BLOSUM62 spans -4..11) to about unit scale.
PROFILE_SCALE = 4.0


def padded_positions(
    store: SequenceStore,
    indices: np.ndarray,
    *,
    crop: int | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """(len(indices), longest) positions of the sequences' residues in
    ``store.codes``, -1 after each sequence's end. With ``crop``, longer
    sequences are cut to a window of that many residues (at a random start
    when ``rng`` is given, else centred)."""
    lengths = store.lengths[indices]
    width = int(lengths.max()) if crop is None else int(min(lengths.max(), crop))
    batch = np.full((indices.size, max(width, 1)), -1, dtype=np.int64)
    for row, (index, length) in enumerate(zip(indices, lengths, strict=True)):
        start = 0
        if length > width:
            slack = int(length - width)
            start = int(rng.integers(0, slack + 1)) if rng is not None else slack // 2
        first = int(store.offsets[index]) + start
        shown = int(min(length, width))
        batch[row, :shown] = np.arange(first, first + shown)
    return batch


def codes_at(store: SequenceStore, positions: np.ndarray, pad_code: int) -> torch.Tensor:
    """Long tensor of the codes at :func:`padded_positions`' ``positions``,
    ``pad_code`` where they are -1."""
    codes = np.where(positions >= 0, store.codes[np.maximum(positions, 0)], pad_code)
    return torch.from_numpy(codes.astype(np.int64))


def encode(
    encoder: SequenceEncoder,
    store: SequenceStore,
    indices: np.ndarray,
    profile: np.ndarray | None = None,
    *,
    crop: int | None = None,
    rng: np.random.Generator | None = None,
) -> torch.Tensor:
    """The encoder's embeddings of the sequences ``indices`` (one batch);
    ``profile`` (from :func:`seqsim.scorer.profiles.build_profiles`, rows as
    ``store.codes``) is needed when the encoder reads profile columns."""
    positions = padded_positions(store, indices, crop=crop, rng=rng)
    codes = codes_at(store, positions, encoder.pad_code)
    if not encoder.profile_columns:
        return encoder(codes)
    if profile is None:
        raise ConfigError(
            "this scorer's encoder reads profiles from the set's own hits: give the hits"
        )
    columns = profile[np.maximum(positions, 0)].astype(np.float32) / PROFILE_SCALE
    columns[positions < 0] = 0.0
    return encoder(codes, torch.from_numpy(columns))


def embed_sequences(
    encoder: SequenceEncoder,
    store: SequenceStore,
    profile: np.ndarray | None = None,
    *,
    batch_residues: int = 60_000,
    max_length: int = 4_000,
) -> np.ndarray:
    """(n_sequences, dim) float32 unit embeddings, in store order (``profile``
    as :func:`encode`). Sequences are batched by length (little padding);
    those longer than ``max_length`` are embedded from their central
    ``max_length`` residues."""
    encoder.eval()
    order = np.argsort(store.lengths, kind="stable")
    capped = np.clip(store.lengths[order], 1, max_length)
    result = np.zeros((store.n_sequences, encoder.out.out_features), dtype=np.float32)
    # Ascending lengths: a batch's last sequence is its longest.
    batches, start = [], 0
    for end in range(1, order.size + 1):
        if end == order.size or (end + 1 - start) * capped[end] > batch_residues:
            batches.append(order[start:end])
            start = end
    with torch.no_grad():
        for indices in progress(batches, total=len(batches), desc="embedding", unit="batches"):
            result[indices] = encode(encoder, store, indices, profile, crop=max_length).numpy()
    return result


def cosine_neighbours(
    embeddings: np.ndarray, top_k: int, *, block: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each sequence's ``top_k`` most similar others by cosine (the embeddings
    are unit vectors): arrays (query, target, cosine), each query's best first
    (equal cosines by target index). Memory is one block of rows at a time."""
    n = embeddings.shape[0]
    k = min(top_k, n - 1)
    if k <= 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0, np.float32)
    queries, targets, scores = [], [], []
    for start in range(0, n, block):
        rows = np.arange(start, min(n, start + block))
        similarity = embeddings[rows] @ embeddings.T
        similarity[np.arange(rows.size), rows] = -np.inf
        # Candidates: the top k (argpartition), then an exact order on them.
        part = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(similarity, part, axis=1)
        order = np.lexsort((part, -values), axis=1)
        queries.append(np.repeat(rows, k))
        targets.append(np.take_along_axis(part, order, axis=1).ravel())
        scores.append(np.take_along_axis(values, order, axis=1).ravel())
    return np.concatenate(queries), np.concatenate(targets), np.concatenate(scores)
