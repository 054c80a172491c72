"""Plain-Python reference implementations that the fast code is tested against."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

COMPLEMENT = str.maketrans("ACGT", "TGCA")
# Letters a k-mer may use.
STANDARD = {"protein": "ARNDCQEGHILKMFPSTWYV", "dna": "ACGT"}


def kmer_counter(sequence: str, k: int, letters: str, *, canonical: bool = False) -> Counter:
    """Counts of the k-length substrings made only of ``letters``."""
    counts: Counter = Counter()
    for start in range(len(sequence) - k + 1):
        word = sequence[start : start + k]
        if all(char in letters for char in word):
            if canonical:
                word = min(word, word.translate(COMPLEMENT)[::-1])
            counts[word] += 1
    return counts


def pair_features(a: Counter, b: Counter) -> dict[str, float]:
    shared = len(a.keys() & b.keys())
    union = len(a.keys() | b.keys())
    dot = sum(a[key] * b[key] for key in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return {
        "n_shared": shared,
        "jaccard": shared / union if union else 0.0,
        "containment": shared / min(len(a), len(b)) if min(len(a), len(b)) else 0.0,
        "containment_query": shared / len(a) if a else 0.0,
        "containment_target": shared / len(b) if b else 0.0,
        "cosine": dot / norm if norm else 0.0,
    }


def connected_components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Union-find component label (smallest member) of each node."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(n)]


def random_family_sequences(seed: int, n: int, length: int) -> list[str]:
    """Protein sequences: mutated copies of a few ancestors, so that pairs share k-mers."""
    rng = np.random.default_rng(seed)
    letters = np.array(list(STANDARD["protein"]))
    ancestors = [rng.choice(letters, length) for _ in range(3)]
    out = []
    for i in range(n):
        seq = ancestors[i % 3].copy()
        mutate = rng.random(length) < 0.3
        seq[mutate] = rng.choice(letters, mutate.sum())
        out.append("".join(seq[: rng.integers(length // 2, length)]))
    return out
