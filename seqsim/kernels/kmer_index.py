"""K-mer index kernels for the search prefilter.

The index lists, for every k-mer value (sum_i c_i * base^(k-i) over residue
codes c_i < base), the (sequence, position) of each occurrence, as CSR arrays.
A query looks up not only its own k-mers but every k-mer scoring at least a
threshold against them under the substitution matrix (BLAST's "neighbourhood
words", MMseqs2's "similar k-mers"). A target becomes a candidate when two
such hits fall on the same diagonal (target position - query position) or
on diagonals a band apart, in the spirit of MMseqs2's double-diagonal
matching; the candidate's score is then the best ungapped segment on those
diagonals.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS


@numba.jit(**JIT_OPTIONS)
def _build_index(codes, offsets, sequences, k, base):
    """CSR index of the k-mers of ``sequences`` (store indices into
    ``codes``/``offsets``): ``word_offsets`` (base^k + 1), and per occurrence
    its position in ``sequences`` (int32) and its start position (int32).
    Windows holding a code >= base are skipped."""
    n_words = base**k
    word_offsets = np.zeros(n_words + 1, dtype=np.int64)
    for pass_number in range(2):
        if pass_number == 1:
            for word in range(n_words):
                word_offsets[word + 1] += word_offsets[word]
            cursor = word_offsets[:-1].copy()
            entry_sequence = np.empty(word_offsets[n_words], dtype=np.int32)
            entry_position = np.empty(word_offsets[n_words], dtype=np.int32)
        for slot in range(sequences.size):
            start = offsets[sequences[slot]]
            end = offsets[sequences[slot] + 1]
            value = 0
            run = 0
            for at in range(start, end):
                code = codes[at]
                if code >= base:
                    run = 0
                    value = 0
                    continue
                value = (value * base + code) % n_words
                run += 1
                if run < k:
                    continue
                if pass_number == 0:
                    word_offsets[value + 1] += 1
                else:
                    entry = cursor[value]
                    cursor[value] += 1
                    entry_sequence[entry] = slot
                    entry_position[entry] = at - start - k + 1
    return word_offsets, entry_sequence, entry_position


@numba.jit(**JIT_OPTIONS)
def _diagonal_score(query, target, diagonal, matrix):
    """Best ungapped segment score (Kadane) of ``query`` against ``target`` on
    ``diagonal`` = target position - query position."""
    query_start = max(0, -diagonal)
    target_start = query_start + diagonal
    n = min(query.size - query_start, target.size - target_start)
    best = 0
    running = 0
    for i in range(n):
        running += matrix[query[query_start + i], target[target_start + i]]
        if running < 0:
            running = 0
        elif running > best:
            best = running
    return best


@numba.jit(**JIT_OPTIONS)
def _candidates(queries, targets, index, neighbourhood, k, base, matrix, seed_rule):
    """Candidate targets of each query (CSR over queries).

    ``queries`` is ``(codes, offsets, self_index)``, ``targets`` is ``(codes,
    offsets, ids)``, ``index`` the ``(word_offsets, entry_sequence,
    entry_position)`` of :func:`_build_index` over the targets, and
    ``neighbourhood`` is ``(sorted_letters, sorted_scores, threshold)``:
    ``sorted_letters[a]`` lists letters by decreasing score
    ``sorted_scores[a]`` against ``a`` under ``matrix``.

    Each query k-mer (a window of codes < ``base``) is expanded to every word
    scoring >= ``threshold`` against it, and the words are looked up in the
    index (:func:`_seed_hits`). A diagonal of a target with a hit and a second
    one within ``seed_rule = (min_diagonal_score, band)``'s band has its best
    ungapped segment scored; the target is a candidate when one reaches
    ``min_diagonal_score`` (:func:`_best_diagonals`). The rule is
    symmetric (the matrix is): a pair is a candidate whichever sequence is
    the query.

    ``self_index[q]`` >= 0 marks an all-vs-all: target slots whose id
    ``ids[slot]`` (ascending) is <= that store index are skipped, so each
    unordered pair is considered once (from its smaller index); -1 keeps
    every target. Returns ``(candidate_offsets, candidate_slots,
    candidate_scores)``, slots ascending within each query.
    """
    query_codes, query_offsets, query_self = queries
    n_queries = query_offsets.size - 1
    candidate_offsets = np.zeros(n_queries + 1, dtype=np.int64)
    capacity = max(1024, 16 * n_queries)
    candidate_slots = np.empty(capacity, dtype=np.int32)
    candidate_scores = np.empty(capacity, dtype=np.int32)
    n_candidates = 0
    keys = np.empty(1 << 16, dtype=np.int64)
    for q in range(n_queries):
        query = query_codes[query_offsets[q] : query_offsets[q + 1]]
        keys, n_keys = _seed_hits(
            query, query_self[q], keys, targets[2], index, neighbourhood, k, base
        )
        if n_candidates + n_keys // 2 + 1 > capacity:
            capacity = 2 * (n_candidates + n_keys // 2 + 1)
            grown_slots = np.empty(capacity, dtype=np.int32)
            grown_scores = np.empty(capacity, dtype=np.int32)
            grown_slots[:n_candidates] = candidate_slots[:n_candidates]
            grown_scores[:n_candidates] = candidate_scores[:n_candidates]
            candidate_slots = grown_slots
            candidate_scores = grown_scores
        n_candidates = _best_diagonals(
            query, np.sort(keys[:n_keys]), targets, matrix, seed_rule,
            candidate_slots, candidate_scores, n_candidates,
        )  # fmt: skip
        candidate_offsets[q + 1] = n_candidates
    return candidate_offsets, candidate_slots[:n_candidates], candidate_scores[:n_candidates]


@numba.jit(**JIT_OPTIONS)
def _seed_hits(query, self_index, keys, target_ids, index, neighbourhood, k, base):
    """The index hits of every neighbourhood word of ``query``'s k-mers, as
    keys ``slot * 2^32 + (diagonal + 2^31)`` in ``keys[:n]`` (grown when
    needed): sorted, equal keys are hits on one diagonal of one target.
    Returns ``(keys, n)``."""
    word_offsets, entry_sequence, entry_position = index
    sorted_letters, sorted_scores, threshold = neighbourhood
    letters = np.empty(k, dtype=np.int64)
    bound = np.empty(k + 1, dtype=np.int64)
    level_rank = np.empty(k, dtype=np.int64)
    level_score = np.empty(k + 1, dtype=np.int64)
    level_value = np.empty(k + 1, dtype=np.int64)
    n_keys = 0
    for position in range(query.size - k + 1):
        valid = True
        for j in range(k):
            letters[j] = query[position + j]
            if letters[j] >= base:
                valid = False
        if not valid:
            continue
        # bound[j]: the most that levels j..k-1 can still add.
        bound[k] = 0
        for j in range(k - 1, -1, -1):
            bound[j] = bound[j + 1] + sorted_scores[letters[j], 0]
        if bound[0] < threshold:
            continue
        # Depth-first enumeration of the neighbourhood words, each level's
        # letters best first, so the first one under the bound ends the level.
        level = 0
        level_rank[0] = 0
        level_score[0] = 0
        level_value[0] = 0
        while level >= 0:
            rank = level_rank[level]
            if rank >= base:
                level -= 1
                continue
            score = level_score[level] + sorted_scores[letters[level], rank]
            if score + bound[level + 1] < threshold:
                level -= 1
                continue
            level_rank[level] = rank + 1
            value = level_value[level] * base + sorted_letters[letters[level], rank]
            if level < k - 1:
                level += 1
                level_rank[level] = 0
                level_score[level] = score
                level_value[level] = value
                continue
            first = word_offsets[value]
            last = word_offsets[value + 1]
            if n_keys + last - first > keys.size:
                grown = np.empty(2 * (n_keys + last - first), dtype=np.int64)
                grown[:n_keys] = keys[:n_keys]
                keys = grown
            # Entries run by ascending slot (and target id): read them from
            # the end, so that an all-vs-all stops at the query's own index.
            for entry in range(last - 1, first - 1, -1):
                slot = entry_sequence[entry]
                if target_ids[slot] <= self_index:
                    break
                diagonal = entry_position[entry] - position
                keys[n_keys] = (np.int64(slot) << 32) + diagonal + 2**31
                n_keys += 1
    return keys, n_keys


@numba.jit(**JIT_OPTIONS)
def _best_diagonals(query, hits, targets, matrix, seed_rule, slots, scores, n):
    """Append to ``slots``/``scores`` (from position ``n``, room assured) each
    target of the sorted seed ``hits`` whose best ungapped segment on a
    seeded diagonal reaches ``min_diagonal_score``; returns the new count.
    ``scores`` gets the first such score found.

    ``seed_rule`` is ``(min_diagonal_score, band)``: a diagonal d is seeded
    when it has a hit and another hit lies on a diagonal within d - band ..
    d + band (band 0: two hits on d itself). A band lets the two seeds of a
    gapped homolog sit on either side of an indel, as in BLAST's two-hit
    window and MMseqs2's diagonal bands.
    """
    target_codes, target_offsets, _ = targets
    min_diagonal_score, band = seed_rule
    n_keys = hits.size
    start = 0
    while start < n_keys:
        slot = hits[start] >> 32
        end = start
        while end < n_keys and hits[end] >> 32 == slot:
            end += 1
        # hits[start:end]: one target, diagonals ascending.
        target = target_codes[target_offsets[slot] : target_offsets[slot + 1]]
        found = -1
        low = start
        high = start
        h = start
        while h < end and found < 0:
            diagonal = (hits[h] & 0xFFFFFFFF) - 2**31
            run_end = h
            while run_end < end and hits[run_end] == hits[h]:
                run_end += 1
            # Hits on diagonals within the band: hits[low:high].
            while (hits[low] & 0xFFFFFFFF) - 2**31 < diagonal - band:
                low += 1
            if high < run_end:
                high = run_end
            while high < end and (hits[high] & 0xFFFFFFFF) - 2**31 <= diagonal + band:
                high += 1
            if high - low >= 2:
                score = _diagonal_score(query, target, diagonal, matrix)
                if score >= min_diagonal_score:
                    found = score
            h = run_end
        if found >= 0:
            slots[n] = slot
            scores[n] = found
            n += 1
        start = end
    return n
