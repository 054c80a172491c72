"""Plain-Python Gotoh dynamic programming: the reference for the numba kernels.

Written for reading, not speed (full O(n*m) tables, no numba). ``matrix`` is
anything indexable as ``matrix[a][b]`` by the residue codes in ``query`` and
``target`` (lists or arrays of ints). Gap scores follow Biopython: a gap of
length L scores ``open_gap + (L - 1) * extend_gap``.
"""

from __future__ import annotations

NEG_INF = float("-inf")


def gotoh_score(query, target, matrix, open_gap: int, extend_gap: int, *, local: bool) -> int:
    """Best local (Smith-Waterman) or global (Needleman-Wunsch) score.

    Three tables over prefix lengths i (query) and j (target):
    ``match[i][j]``: best alignment of the prefixes ending with q_i aligned to t_j;
    ``ins[i][j]``: ending with q_i against a gap; ``dele[i][j]``: ending with
    t_j against a gap. Local alignments may start fresh (score 0) anywhere.
    """
    n, m = len(query), len(target)
    match = [[NEG_INF] * (m + 1) for _ in range(n + 1)]
    ins = [[NEG_INF] * (m + 1) for _ in range(n + 1)]
    dele = [[NEG_INF] * (m + 1) for _ in range(n + 1)]

    def best(i: int, j: int) -> float:
        value = max(match[i][j], ins[i][j], dele[i][j])
        return max(value, 0) if local else value

    match[0][0] = 0
    for i in range(1, n + 1):
        ins[i][0] = open_gap + (i - 1) * extend_gap
    for j in range(1, m + 1):
        dele[0][j] = open_gap + (j - 1) * extend_gap
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            match[i][j] = best(i - 1, j - 1) + matrix[query[i - 1]][target[j - 1]]
            ins[i][j] = max(best(i - 1, j) + open_gap, ins[i - 1][j] + extend_gap)
            dele[i][j] = max(best(i, j - 1) + open_gap, dele[i][j - 1] + extend_gap)
    if local:
        return int(max(best(i, j) for i in range(n + 1) for j in range(m + 1)))
    return int(best(n, m))


def rescore(query, target, matrix, open_gap: int, extend_gap: int, alignment) -> int:
    """Score an alignment by walking its CIGAR over the two sequences.

    ``alignment`` has ``query_start``, ``target_start`` and ``operations()``
    giving (length, op) with op in M, I (query residue, gap in the target)
    and D (target residue, gap in the query).
    """
    return running_scores(query, target, matrix, open_gap, extend_gap, alignment)[-1]


def running_scores(query, target, matrix, open_gap: int, extend_gap: int, alignment) -> list:
    """Score of the alignment after each M column, and the total as the last item."""
    total = 0
    after_match = []
    q, t = alignment.query_start, alignment.target_start
    for length, op in alignment.operations():
        if op == "M":
            for _ in range(length):
                total += matrix[query[q]][target[t]]
                after_match.append(total)
                q += 1
                t += 1
        else:
            total += open_gap + (length - 1) * extend_gap
            if op == "I":
                q += length
            else:
                t += length
    return [*after_match, total]


def count_columns(query, target, matrix, alignment) -> dict[str, int]:
    """Identities, mismatches, positives, gap columns and gap openings from the CIGAR."""
    counts = dict.fromkeys(["identities", "mismatches", "positives", "gaps", "gap_opens"], 0)
    counts["columns"] = 0
    q, t = alignment.query_start, alignment.target_start
    for length, op in alignment.operations():
        counts["columns"] += length
        if op == "M":
            for _ in range(length):
                key = "identities" if query[q] == target[t] else "mismatches"
                counts[key] += 1
                counts["positives"] += int(matrix[query[q]][target[t]] > 0)
                q += 1
                t += 1
        else:
            counts["gaps"] += length
            counts["gap_opens"] += 1
            if op == "I":
                q += length
            else:
                t += length
    counts["query_end"] = q
    counts["target_end"] = t
    return counts
