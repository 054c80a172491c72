"""Karlin-Altschul statistics: bit scores and E-values of local alignment scores.

A local alignment score S between a query of length m and a database of N
sequences with n residues in total has the expected number of chance hits

    E = K * m' * n' * exp(-lambda * S),   m' = m - l,   n' = max(n - N * l, 1)

and the bit score S' = (lambda * S - ln K) / ln 2 (so E = m' * n' * 2^-S').
lambda, K, H, alpha and beta depend on the substitution matrix and the gap
scores; for gapped alignments they are estimated by simulation and published
in NCBI BLAST's ``blast_stat.c``, which :data:`GAPPED_PARAMETERS` copies.

Length adjustment (edge effect): ``l`` is the integer BLAST computes in
``BLAST_ComputeLengthAdjustment`` (Altschul et al. 2001, NAR 29:351): the
largest integer below the fixed point of

    l = beta + (alpha / lambda) * (ln K + ln((m - l) * (n - N * l)))

kept small enough that K * (m - l) * (n - N * l) > max(m, n). With
alpha = lambda / H and beta = 0 this is the classic l = ln(K * m' * n') / H;
seqsim uses the tabulated alpha and beta, as current BLAST does. The E-value
is BLAST's ``BLAST_KarlinStoE_simple``. Current BLAST+ by default reports
E-values from Spouge's finite-size correction instead (``BLAST_SpougeStoE``,
disabled with the environment variable ``OLD_FSC``) and, for blastp, rescales
the matrix per pair (composition-based statistics, ``-comp_based_stats``).
seqsim implements neither, so its E-values are those of the formula above:
comparable to blastp with ``-comp_based_stats 0`` and ``OLD_FSC`` set, and
expected to differ from default blastp output (not checked against a BLAST
binary here).

All-vs-all: the database is the whole input set, so n is the total length of
all N sequences and E grows about linearly with the size of the set: twice the
sequences give about twice the E-value for the same pair (a little less, as l
grows with ln n and shortens both effective lengths; for a query much longer
than the set's sequences l can approach their length, and n' = n - N * l then
stops growing). A pair's raw Smith-Waterman score and its bit score are
symmetric (score(a, b) == score(b, a)); its E-value is not exactly, because
the query length m (and with it l) swaps between E(a -> b) and E(b -> a).
seqsim will report, for a pair (a, b), the E-value with a as the query and the
whole set as the database, as ``blastp -query a -db all`` would; symmetric
matrices use the bit score (or the raw score), and where a single E-value per
unordered pair is needed it is the larger, more conservative, of the two
directions.

Nucleotide schemes with match 2 and an odd mismatch (2/-3, 2/-5, 2/-7) are
tabulated for even scores only (blast_stat.c: "Any odd score must be rounded
down to the nearest even number before calculating the e-value"); with
``KarlinAltschul.round_down`` set, seqsim rounds odd raw scores down for
E-values and for bit scores alike, so the two stay consistent.

Matrix names: the table is keyed by name, and Biopython's matrix of the same
name must be NCBI's. That holds for BLOSUM45/50/62/90 and PAM30/70/250 (their
ungapped lambda reproduces BLAST's), not for BLOSUM80: Biopython ships
Henikoff's 1/3-bit BLOSUM80, NCBI a 1/2-bit one, and :func:`karlin_altschul`
refuses it.

:func:`ungapped_karlin_altschul` computes lambda, H and K of ungapped
alignments from a matrix and residue frequencies (Karlin & Altschul 1990), as
BLAST does for its ungapped statistics; gapped parameters cannot be computed
this way and exist only for the tabulated schemes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from seqsim.alignment.scoring import ScoringScheme
from seqsim.errors import ConfigError
from seqsim.sequences.alphabet import NUCLEOTIDE_LETTERS, PROTEIN_LETTERS


@dataclass(frozen=True)
class KarlinAltschul:
    """Statistical parameters of one scoring scheme (raw scores in nats via lambda)."""

    lambda_: float
    k: float
    h: float  # relative entropy, nats per aligned pair
    alpha: float  # length-adjustment slope (BLAST's alpha; lambda / H if ungapped)
    beta: float  # length-adjustment intercept
    round_down: bool = False  # round odd raw scores down to even (BLAST, 2/-odd)

    @property
    def log_k(self) -> float:
        return math.log(self.k)


# ---------------------------------------------------------------------------
# Published gapped parameters.
#
# Source: NCBI C++ Toolkit, src/algo/blast/core/blast_stat.c (public domain),
# github.com/ncbi/ncbi-cxx-toolkit-public, tables blosum45_values,
# blosum50_values, blosum62_values, blosum80_values, blosum90_values,
# pam30_values, pam70_values, pam250_values (columns: gap open cost, gap
# extend cost, decline-to-align, lambda, K, H, alpha, beta, ...) and
# blastn_values_R_P (columns: gap open, gap extend, lambda, K, H, alpha, beta,
# theta) for reward R / penalty -P. Copied as printed there; the ungapped
# rows (INT2_MAX gaps) are in UNGAPPED_PARAMETERS, and blastn's (0, 0) rows
# (greedy extension with non-affine, often fractional gap costs) are left out.
#
# BLAST states gap *costs*: open o, extend e means a gap of length L costs
# o + L * e. In Biopython's scores that is open_gap_score = -(o + e),
# extend_gap_score = -e; the keys below are converted.
# ---------------------------------------------------------------------------

# (open cost, extend cost, lambda, K, H, alpha, beta) as in blast_stat.c.
_Row = tuple[int, int, float, float, float, float, float]
_PROTEIN_ROWS: dict[str, list[_Row]] = {
    "BLOSUM45": [
        (13, 3, 0.207, 0.049, 0.14, 1.5, -22),
        (12, 3, 0.199, 0.039, 0.11, 1.8, -34),
        (11, 3, 0.190, 0.031, 0.095, 2.0, -38),
        (10, 3, 0.179, 0.023, 0.075, 2.4, -51),
        (16, 2, 0.210, 0.051, 0.14, 1.5, -24),
        (15, 2, 0.203, 0.041, 0.12, 1.7, -31),
        (14, 2, 0.195, 0.032, 0.10, 1.9, -36),
        (13, 2, 0.185, 0.024, 0.084, 2.2, -45),
        (12, 2, 0.171, 0.016, 0.061, 2.8, -65),
        (19, 1, 0.205, 0.040, 0.11, 1.9, -43),
        (18, 1, 0.198, 0.032, 0.10, 2.0, -43),
        (17, 1, 0.189, 0.024, 0.079, 2.4, -57),
        (16, 1, 0.176, 0.016, 0.063, 2.8, -67),
    ],
    "BLOSUM50": [
        (13, 3, 0.212, 0.063, 0.19, 1.1, -16),
        (12, 3, 0.206, 0.055, 0.17, 1.2, -18),
        (11, 3, 0.197, 0.042, 0.14, 1.4, -25),
        (10, 3, 0.186, 0.031, 0.11, 1.7, -34),
        (9, 3, 0.172, 0.022, 0.082, 2.1, -48),
        (16, 2, 0.215, 0.066, 0.20, 1.05, -15),
        (15, 2, 0.210, 0.058, 0.17, 1.2, -20),
        (14, 2, 0.202, 0.045, 0.14, 1.4, -27),
        (13, 2, 0.193, 0.035, 0.12, 1.6, -32),
        (12, 2, 0.181, 0.025, 0.095, 1.9, -41),
        (19, 1, 0.212, 0.057, 0.18, 1.2, -21),
        (18, 1, 0.207, 0.050, 0.15, 1.4, -28),
        (17, 1, 0.198, 0.037, 0.12, 1.6, -33),
        (16, 1, 0.186, 0.025, 0.10, 1.9, -42),
        (15, 1, 0.171, 0.015, 0.063, 2.7, -76),
    ],
    "BLOSUM62": [
        (11, 2, 0.297, 0.082, 0.27, 1.1, -10),
        (10, 2, 0.291, 0.075, 0.23, 1.3, -15),
        (9, 2, 0.279, 0.058, 0.19, 1.5, -19),
        (8, 2, 0.264, 0.045, 0.15, 1.8, -26),
        (7, 2, 0.239, 0.027, 0.10, 2.5, -46),
        (6, 2, 0.201, 0.012, 0.061, 3.3, -58),
        (13, 1, 0.292, 0.071, 0.23, 1.2, -11),
        (12, 1, 0.283, 0.059, 0.19, 1.5, -19),
        (11, 1, 0.267, 0.041, 0.14, 1.9, -30),
        (10, 1, 0.243, 0.024, 0.10, 2.5, -44),
        (9, 1, 0.206, 0.010, 0.052, 4.0, -87),
    ],
    "BLOSUM80": [
        (25, 2, 0.342, 0.17, 0.66, 0.52, -1.6),
        (13, 2, 0.336, 0.15, 0.57, 0.59, -3),
        (9, 2, 0.319, 0.11, 0.42, 0.76, -6),
        (8, 2, 0.308, 0.090, 0.35, 0.89, -9),
        (7, 2, 0.293, 0.070, 0.27, 1.1, -14),
        (6, 2, 0.268, 0.045, 0.19, 1.4, -19),
        (11, 1, 0.314, 0.095, 0.35, 0.90, -9),
        (10, 1, 0.299, 0.071, 0.27, 1.1, -14),
        (9, 1, 0.279, 0.048, 0.20, 1.4, -19),
    ],
    "BLOSUM90": [
        (9, 2, 0.310, 0.12, 0.46, 0.67, -6),
        (8, 2, 0.300, 0.099, 0.39, 0.76, -7),
        (7, 2, 0.283, 0.072, 0.30, 0.93, -11),
        (6, 2, 0.259, 0.048, 0.22, 1.2, -16),
        (11, 1, 0.302, 0.093, 0.39, 0.78, -8),
        (10, 1, 0.290, 0.075, 0.28, 1.04, -15),
        (9, 1, 0.265, 0.044, 0.20, 1.3, -19),
    ],
    "PAM30": [
        (7, 2, 0.305, 0.15, 0.87, 0.35, -3),
        (6, 2, 0.287, 0.11, 0.68, 0.42, -4),
        (5, 2, 0.264, 0.079, 0.45, 0.59, -7),
        (10, 1, 0.309, 0.15, 0.88, 0.35, -3),
        (9, 1, 0.294, 0.11, 0.61, 0.48, -6),
        (8, 1, 0.270, 0.072, 0.40, 0.68, -10),
    ],
    "PAM70": [
        (8, 2, 0.301, 0.12, 0.54, 0.56, -5),
        (7, 2, 0.286, 0.093, 0.43, 0.67, -7),
        (6, 2, 0.264, 0.064, 0.29, 0.90, -12),
        (11, 1, 0.305, 0.12, 0.52, 0.59, -6),
        (10, 1, 0.291, 0.091, 0.41, 0.71, -9),
        (9, 1, 0.270, 0.060, 0.28, 0.97, -14),
    ],
    "PAM250": [
        (15, 3, 0.205, 0.049, 0.13, 1.6, -23),
        (14, 3, 0.200, 0.043, 0.12, 1.7, -26),
        (13, 3, 0.194, 0.036, 0.10, 1.9, -31),
        (12, 3, 0.186, 0.029, 0.085, 2.2, -41),
        (11, 3, 0.174, 0.020, 0.070, 2.5, -48),
        (17, 2, 0.204, 0.047, 0.12, 1.7, -28),
        (16, 2, 0.198, 0.038, 0.11, 1.8, -29),
        (15, 2, 0.191, 0.031, 0.087, 2.2, -44),
        (14, 2, 0.182, 0.024, 0.073, 2.5, -53),
        (13, 2, 0.171, 0.017, 0.059, 2.9, -64),
        (21, 1, 0.205, 0.045, 0.11, 1.8, -34),
        (20, 1, 0.199, 0.037, 0.10, 1.9, -35),
        (19, 1, 0.192, 0.029, 0.083, 2.3, -52),
        (18, 1, 0.183, 0.021, 0.070, 2.6, -60),
        (17, 1, 0.171, 0.014, 0.052, 3.3, -86),
    ],
}

# BLAST's recommended ("BLAST_MATRIX_BEST") gap costs per matrix, blast_stat.c.
BLAST_DEFAULT_GAP_COSTS = {
    "BLOSUM45": (14, 2),
    "BLOSUM50": (13, 2),
    "BLOSUM62": (11, 1),
    "BLOSUM80": (10, 1),
    "BLOSUM90": (10, 1),
    "PAM30": (9, 1),
    "PAM70": (10, 1),
    "PAM250": (14, 2),
}

# (reward, penalty) -> rows (open cost, extend cost, lambda, K, H, alpha, beta).
_NUCLEOTIDE_ROWS: dict[tuple[int, int], list[_Row]] = {
    (1, -5): [(3, 3, 1.39, 0.747, 1.38, 1.00, 0)],
    (1, -4): [
        (1, 2, 1.36, 0.67, 1.2, 1.1, 0),
        (0, 2, 1.26, 0.43, 0.90, 1.4, -1),
        (2, 1, 1.35, 0.61, 1.1, 1.2, -1),
        (1, 1, 1.22, 0.35, 0.72, 1.7, -3),
    ],
    (2, -7): [
        (2, 4, 0.68, 0.67, 1.2, 0.55, 0),
        (0, 4, 0.63, 0.43, 0.90, 0.7, -1),
        (4, 2, 0.675, 0.62, 1.1, 0.6, -1),
        (2, 2, 0.61, 0.35, 0.72, 1.7, -3),
    ],
    (1, -3): [
        (2, 2, 1.37, 0.70, 1.2, 1.1, 0),
        (1, 2, 1.35, 0.64, 1.1, 1.2, -1),
        (0, 2, 1.25, 0.42, 0.83, 1.5, -2),
        (2, 1, 1.34, 0.60, 1.1, 1.2, -1),
        (1, 1, 1.21, 0.34, 0.71, 1.7, -2),
    ],
    (2, -5): [
        (2, 4, 0.67, 0.59, 1.1, 0.6, -1),
        (0, 4, 0.62, 0.39, 0.78, 0.8, -2),
        (4, 2, 0.67, 0.61, 1.0, 0.65, -2),
        (2, 2, 0.56, 0.32, 0.59, 0.95, -4),
    ],
    (1, -2): [
        (2, 2, 1.33, 0.62, 1.1, 1.2, 0),
        (1, 2, 1.30, 0.52, 0.93, 1.4, -2),
        (0, 2, 1.19, 0.34, 0.66, 1.8, -3),
        (3, 1, 1.32, 0.57, 1.0, 1.3, -1),
        (2, 1, 1.29, 0.49, 0.92, 1.4, -1),
        (1, 1, 1.14, 0.26, 0.52, 2.2, -5),
    ],
    (2, -3): [
        (4, 4, 0.63, 0.42, 0.84, 0.75, -2),
        (2, 4, 0.615, 0.37, 0.72, 0.85, -3),
        (0, 4, 0.55, 0.21, 0.46, 1.2, -5),
        (3, 3, 0.615, 0.37, 0.68, 0.9, -3),
        (6, 2, 0.63, 0.42, 0.84, 0.75, -2),
        (5, 2, 0.625, 0.41, 0.78, 0.8, -2),
        (4, 2, 0.61, 0.35, 0.68, 0.9, -3),
        (2, 2, 0.515, 0.14, 0.33, 1.55, -9),
    ],
    (3, -4): [
        (6, 3, 0.389, 0.25, 0.56, 0.7, -5),
        (5, 3, 0.375, 0.21, 0.47, 0.8, -6),
        (4, 3, 0.351, 0.14, 0.35, 1.0, -9),
        (6, 2, 0.362, 0.16, 0.45, 0.8, -4),
        (5, 2, 0.330, 0.092, 0.28, 1.2, -13),
        (4, 2, 0.281, 0.046, 0.16, 1.8, -23),
    ],
    (4, -5): [
        (6, 5, 0.28, 0.21, 0.47, 0.6, -7),
        (5, 5, 0.27, 0.17, 0.39, 0.7, -9),
        (4, 5, 0.25, 0.10, 0.31, 0.8, -10),
        (3, 5, 0.23, 0.065, 0.25, 0.9, -11),
    ],
    (1, -1): [
        (3, 2, 1.09, 0.31, 0.55, 2.0, -2),
        (2, 2, 1.07, 0.27, 0.49, 2.2, -3),
        (1, 2, 1.02, 0.21, 0.36, 2.8, -6),
        (0, 2, 0.80, 0.064, 0.17, 4.8, -16),
        (4, 1, 1.08, 0.28, 0.54, 2.0, -2),
        (3, 1, 1.06, 0.25, 0.46, 2.3, -4),
        (2, 1, 0.99, 0.17, 0.30, 3.3, -10),
    ],
    (3, -2): [(5, 5, 0.208, 0.030, 0.072, 2.9, -47)],
    (5, -4): [(10, 6, 0.163, 0.068, 0.16, 1.0, -19), (8, 6, 0.146, 0.039, 0.11, 1.3, -29)],
}

# blast_stat.c: "These parameters can only be applied to even scores. Any odd
# score must be rounded down to the nearest even number before calculating the
# e-value." (tables 2/-3, 2/-5, 2/-7).
_ROUND_DOWN_PAIRS = {(2, -3), (2, -5), (2, -7)}

# Ungapped rows (INT2_MAX gap costs) of the same protein tables: lambda, K, H,
# with BLAST's Robinson & Robinson background frequencies.
UNGAPPED_PARAMETERS: dict[str, KarlinAltschul] = {
    name: KarlinAltschul(lam, k, h, alpha, beta)
    for name, (lam, k, h, alpha, beta) in {
        "BLOSUM45": (0.2291, 0.0924, 0.2514, 0.9113, -5.7),
        "BLOSUM50": (0.2318, 0.112, 0.3362, 0.6895, -4.0),
        "BLOSUM62": (0.3176, 0.134, 0.4012, 0.7916, -3.2),
        "BLOSUM80": (0.3430, 0.177, 0.6568, 0.5222, -1.6),
        "BLOSUM90": (0.3346, 0.190, 0.7547, 0.4434, -1.4),
        "PAM30": (0.3400, 0.283, 1.754, 0.1938, -0.3),
        "PAM70": (0.3345, 0.229, 1.029, 0.3250, -0.7),
        "PAM250": (0.2252, 0.0868, 0.2223, 0.98, -5.0),
    }.items()
}

# Amino-acid background frequencies of Robinson & Robinson (1991), BLAST's
# STD_AMINO_ACID_FREQS in blast_stat.c (per 1000; normalized when used).
ROBINSON_FREQUENCIES = {
    "A": 78.05, "C": 19.25, "D": 53.64, "E": 62.95, "F": 38.56, "G": 73.77, "H": 21.99,
    "I": 51.42, "K": 57.44, "L": 90.19, "M": 22.43, "N": 44.87, "P": 52.03, "Q": 42.64,
    "R": 51.29, "S": 71.20, "T": 58.41, "V": 64.41, "W": 13.30, "Y": 32.16,
}  # fmt: skip


def _nucleotide_name(reward: int, penalty: int) -> str:
    # The name seqsim.alignment.scoring gives a match/mismatch scheme.
    return f"match{reward}/mismatch{penalty}"


def _build_table() -> dict[tuple[str, int, int], KarlinAltschul]:
    table = {}
    for name, rows in _PROTEIN_ROWS.items():
        for open_cost, extend_cost, lam, k, h, alpha, beta in rows:
            key = (name, -(open_cost + extend_cost), -extend_cost)
            table[key] = KarlinAltschul(lam, k, h, alpha, beta)
    for (reward, penalty), rows in _NUCLEOTIDE_ROWS.items():
        round_down = (reward, penalty) in _ROUND_DOWN_PAIRS
        for open_cost, extend_cost, lam, k, h, alpha, beta in rows:
            key = (_nucleotide_name(reward, penalty), -(open_cost + extend_cost), -extend_cost)
            table[key] = KarlinAltschul(lam, k, h, alpha, beta, round_down)
    return table


# (scheme name, open_gap_score, extend_gap_score) in Biopython's convention ->
# parameters. BLAST's "BLOSUM62 11/1" is ("BLOSUM62", -12, -1).
GAPPED_PARAMETERS: dict[tuple[str, int, int], KarlinAltschul] = _build_table()


def karlin_altschul(scheme: ScoringScheme) -> KarlinAltschul:
    """BLAST's gapped parameters for a scheme (looked up by matrix name and gap scores).

    >>> from seqsim.alignment.scoring import scoring_scheme
    >>> karlin_altschul(scoring_scheme("protein"))
    KarlinAltschul(lambda_=0.267, k=0.041, h=0.14, alpha=1.9, beta=-30, round_down=False)
    """
    key = (scheme.name, scheme.open_gap_score, scheme.extend_gap_score)
    if key in GAPPED_PARAMETERS:
        _check_same_matrix(scheme)
        return GAPPED_PARAMETERS[key]
    same_matrix = sorted(
        (open_gap, extend_gap)
        for name, open_gap, extend_gap in GAPPED_PARAMETERS
        if name == scheme.name
    )
    if same_matrix:
        pairs = ", ".join(f"{o}/{e}" for o, e in same_matrix)
        raise ConfigError(
            f"no E-value statistics for {scheme.label}; for {scheme.name} BLAST's tables "
            f"have gap scores (open/extend, Biopython convention) {pairs}"
        )
    names = sorted({name for name, _, _ in GAPPED_PARAMETERS})
    raise ConfigError(
        f"no E-value statistics for {scheme.label}; supported matrices: {', '.join(names)}"
    )


def _check_same_matrix(scheme: ScoringScheme) -> None:
    """Refuse a matrix that has BLAST's name but other scores (its ungapped lambda differs).

    Biopython's BLOSUM80 is Henikoff's 1/3-bit matrix, NCBI's BLOSUM80 a
    half-bit one: the names agree, the scores and so the statistics do not.
    """
    published = UNGAPPED_PARAMETERS.get(scheme.name)
    if published is None:
        return
    matrix = np.ascontiguousarray(scheme.matrix, dtype=np.int32)
    ours = _ungapped_lambda(scheme.name, matrix.tobytes(), matrix.shape)
    if abs(ours - published.lambda_) > 0.01 * published.lambda_:
        raise ConfigError(
            f"matrix {scheme.name} differs from NCBI BLAST's {scheme.name} (ungapped lambda "
            f"{ours:.4f}, BLAST's {published.lambda_}), so BLAST's E-value statistics do not "
            "apply; Biopython's BLOSUM80 is in 1/3-bit units, BLAST's in 1/2-bit units"
        )


@functools.lru_cache(maxsize=64)
def _ungapped_lambda(name: str, matrix_bytes: bytes, shape: tuple[int, int]) -> float:
    matrix = np.frombuffer(matrix_bytes, dtype=np.int32).reshape(shape)
    return ungapped_karlin_altschul(matrix, background_frequencies("protein")).lambda_


def _even(raw: ArrayLike, params: KarlinAltschul) -> np.ndarray:
    raw = np.asarray(raw, dtype=np.float64)
    return 2.0 * np.floor(raw / 2.0) if params.round_down else raw


def bit_score(raw: ArrayLike, params: KarlinAltschul) -> np.ndarray:
    """Bit score (lambda * S - ln K) / ln 2 of raw scores (a scalar gives a 0-d array).

    >>> round(float(bit_score(100, GAPPED_PARAMETERS["BLOSUM62", -12, -1])), 2)
    43.13
    """
    return (params.lambda_ * _even(raw, params) - params.log_k) / math.log(2.0)


@functools.lru_cache(maxsize=65536)
def length_adjustment(
    query_length: int, db_length: int, n_db_sequences: int, params: KarlinAltschul
) -> int:
    """BLAST's length adjustment l (``BLAST_ComputeLengthAdjustment``)."""
    m = float(query_length)
    n = float(db_length)
    big_n = float(n_db_sequences)
    k = params.k
    log_k = params.log_k
    alpha_d_lambda = params.alpha / params.lambda_
    beta = params.beta
    # Largest l with K * (m - l) * (n - N * l) > max(m, n): the smaller root.
    a = big_n
    mb = m * big_n + n
    c = n * m - max(m, n) / k
    if c < 0:
        return 0
    ell_max = 2.0 * c / (mb + math.sqrt(mb * mb - 4.0 * a * c))
    ell_min = 0.0
    ell_next = 0.0
    converged = False
    for iteration in range(1, 21):
        ell = ell_next
        ell_bar = alpha_d_lambda * (log_k + math.log((m - ell) * (n - big_n * ell))) + beta
        if ell_bar >= ell:
            ell_min = ell
            if ell_bar - ell_min <= 1.0:
                converged = True
                break
            if ell_min == ell_max:
                break
        else:
            ell_max = ell
        if ell_min <= ell_bar <= ell_max:
            ell_next = ell_bar
        else:
            ell_next = ell_max if iteration == 1 else (ell_min + ell_max) / 2.0
    result = int(ell_min)
    if converged:
        ell = math.ceil(ell_min)
        if ell <= ell_max:
            fixed = alpha_d_lambda * (log_k + math.log((m - ell) * (n - big_n * ell))) + beta
            if fixed >= ell:
                result = int(ell)
    return result


def effective_search_space(
    query_length: int, db_length: int, n_db_sequences: int, params: KarlinAltschul
) -> float:
    """m' * n' = (m - l) * max(n - N * l, 1), as BLAST's ``BLAST_CalcEffLengths``."""
    ell = length_adjustment(query_length, db_length, n_db_sequences, params)
    effective_db = max(db_length - n_db_sequences * ell, 1)
    return float(effective_db) * float(query_length - ell)


def evalue(
    raw: ArrayLike,
    query_length: ArrayLike,
    db_length: int,
    n_db_sequences: int,
    params: KarlinAltschul,
) -> np.ndarray | float:
    """E-value K * m' * n' * exp(-lambda * S); ``raw`` and ``query_length`` broadcast.

    ``db_length`` is the total number of residues of the ``n_db_sequences``
    database sequences (for all-vs-all, the whole set). Arrays give an
    array, scalars a float.

    >>> params = GAPPED_PARAMETERS["BLOSUM62", -12, -1]
    >>> f"{float(evalue(100, 300, 1_000_000, 3_000, params)):.3g}"
    '1.72e-05'
    """
    raw = _even(raw, params)
    lengths = np.asarray(query_length, dtype=np.int64)
    unique, inverse = np.unique(lengths, return_inverse=True)
    space = np.array(
        [effective_search_space(int(m), db_length, n_db_sequences, params) for m in unique]
    )
    space = space[inverse].reshape(lengths.shape)
    result = params.k * space * np.exp(-params.lambda_ * raw)
    return result if result.ndim else float(result)


def _residue_frequencies(letters: str, background: dict[str, float]) -> np.ndarray:
    freq = np.array([background.get(letter, 0.0) for letter in letters], dtype=np.float64)
    return freq / freq.sum()


def background_frequencies(alphabet: str) -> np.ndarray:
    """BLAST's background frequencies over the store codes (ambiguity codes get 0).

    Protein: Robinson & Robinson; DNA/RNA: 1/4 for each of A, C, G, T.
    """
    if alphabet == "protein":
        return _residue_frequencies(PROTEIN_LETTERS, ROBINSON_FREQUENCIES)
    return _residue_frequencies(NUCLEOTIDE_LETTERS, dict.fromkeys("ACGT", 1.0))


def ungapped_karlin_altschul(matrix: np.ndarray, frequencies: np.ndarray) -> KarlinAltschul:
    """Ungapped lambda, K and H of an integer matrix under residue frequencies.

    lambda solves sum_ij p_i p_j exp(lambda * s_ij) = 1; H = lambda * sum_ij
    q_ij s_ij with target frequencies q_ij = p_i p_j exp(lambda s_ij); K follows
    Karlin & Altschul (1990) as computed in BLAST's ``BlastKarlinLHtoK``.
    alpha = lambda / H (as in BLAST's ungapped table rows) and beta = 0 (the
    classic length adjustment ln(K m' n') / H).

    >>> from seqsim.alignment.scoring import scoring_scheme
    >>> stats = ungapped_karlin_altschul(scoring_scheme("protein").matrix,
    ...                                  background_frequencies("protein"))
    >>> round(stats.lambda_, 4), round(stats.k, 3), round(stats.h, 4)
    (0.3176, 0.134, 0.4012)
    """
    freq = np.asarray(frequencies, dtype=np.float64)
    scores = np.asarray(matrix, dtype=np.int64)
    joint = np.outer(freq, freq)
    low = int(scores[joint > 0].min())
    high = int(scores[joint > 0].max())
    # Probability of each score from low to high.
    prob = np.zeros(high - low + 1)
    np.add.at(prob, (scores - low)[joint > 0], joint[joint > 0])
    values = np.arange(low, high + 1)
    mean = float(prob @ values)
    if mean >= 0 or high <= 0:
        raise ConfigError(
            "Karlin-Altschul statistics need a negative mean score and a positive one"
        )
    lam = _solve_lambda(prob, values)
    h = lam * float(prob @ (values * np.exp(lam * values)))
    k = _karlin_k(prob, values, lam, h, mean)
    return KarlinAltschul(lam, k, h, lam / h, 0.0)


def _solve_lambda(prob: np.ndarray, values: np.ndarray) -> float:
    def phi(lam: float) -> float:
        return float(prob @ np.exp(lam * values)) - 1.0

    upper = 0.5
    while phi(upper) < 0:
        upper *= 2.0
    lower = 0.0
    # phi < 0 just above 0 (negative mean), convex: bisect for the positive root.
    for _ in range(200):
        middle = 0.5 * (lower + upper)
        if phi(middle) < 0:
            lower = middle
        else:
            upper = middle
    return 0.5 * (lower + upper)


def _karlin_k(prob: np.ndarray, values: np.ndarray, lam: float, h: float, mean: float) -> float:
    """K by the series of Karlin & Altschul (1990), as BLAST's ``BlastKarlinLHtoK``."""
    present = values[prob > 0]
    delta = int(np.gcd.reduce(np.abs(present[present != 0])))
    low = int(values[0]) // delta
    high = int(values[-1]) // delta
    step_prob = np.zeros(high - low + 1)
    for value, p in zip(values, prob, strict=True):
        if p > 0:
            step_prob[int(value) // delta - low] += p
    lam_d = lam * delta
    first_term = h / lam_d
    if low == -1 and high == 1:
        p_low, p_high = step_prob[0], step_prob[-1]
        return float((p_low - p_high) ** 2 / p_low)
    if low == -1 or high == 1:
        if high != 1:
            first_term = (mean / delta) ** 2 / first_term
        return float(first_term * (1.0 - math.exp(-lam_d)))
    # sigma = sum_k 1/k * (E[exp(lambda S_k); S_k < 0] + P(S_k >= 0)).
    outer = 0.0
    dist = np.ones(1)  # distribution of S_k, starting at score k * low
    for k in range(1, 101):
        dist = np.convolve(dist, step_prob)
        scores = k * low + np.arange(dist.size)
        negative = scores < 0
        inner = float(dist[negative] @ np.exp(lam_d * scores[negative])) + float(
            dist[~negative].sum()
        )
        outer += inner / k
        if inner / k <= 1e-4:
            break
    return -math.exp(-2.0 * outer) / (first_term * math.expm1(-lam_d))
