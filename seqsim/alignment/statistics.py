"""Karlin-Altschul statistics: bit scores and E-values of local alignment scores.

A local alignment score S between a query of length m and a database of N
sequences with n residues in total has the expected number of chance hits

    E = K * m' * n' * exp(-lambda * S),   m' = m - l,   n' = max(n - N * l, 1)

and the bit score S' = (lambda * S - ln K) / ln 2 (so E = m' * n' * 2^-S').
lambda, K, H, alpha and beta depend on the substitution matrix and the gap
scores; for gapped alignments they are estimated by simulation and published
in NCBI BLAST's ``blast_stat.c``; ``blast_parameters.tsv`` beside this module
holds them as data, read into :data:`GAPPED_PARAMETERS`.

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
from importlib import resources

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


# Published parameters: the tables of NCBI BLAST's blast_stat.c, as data in
# blast_parameters.tsv beside this module (its header gives the source).
# BLAST states gap *costs*: open o, extend e means a gap of length L costs
# o + L * e. In Biopython's scores that is open_gap_score = -(o + e),
# extend_gap_score = -e; the keys below are converted.
PARAMETER_TABLE = "blast_parameters.tsv"


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

# blast_stat.c: "These parameters can only be applied to even scores. Any odd
# score must be rounded down to the nearest even number before calculating the
# e-value." (tables 2/-3, 2/-5, 2/-7).
_ROUND_DOWN_PAIRS = {(2, -3), (2, -5), (2, -7)}

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


_VALUE_COLUMNS = ("lambda", "K", "H", "alpha", "beta")


def _number(text: str) -> float:
    """A table value as written: integers stay ints (as blast_stat.c prints them)."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _read_tables() -> tuple[dict[tuple[str, int, int], KarlinAltschul], dict[str, KarlinAltschul]]:
    """(scheme name, open_gap_score, extend_gap_score) -> gapped parameters,
    and matrix name -> ungapped parameters, from :data:`PARAMETER_TABLE`."""
    text = resources.files("seqsim.alignment").joinpath(PARAMETER_TABLE).read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    gapped: dict[tuple[str, int, int], KarlinAltschul] = {}
    ungapped: dict[str, KarlinAltschul] = {}
    for fields in body:
        row = dict(zip(header, fields, strict=True))
        lam, k, h, alpha, beta = (
            _number(row[key]) for key in ("lambda", "K", "H", "alpha", "beta")
        )
        if row["table"] == "ungapped":
            ungapped[row["matrix"]] = KarlinAltschul(lam, k, h, alpha, beta)
            continue
        open_cost, extend_cost = int(row["open_cost"]), int(row["extend_cost"])
        key_gaps = (-(open_cost + extend_cost), -extend_cost)
        if row["table"] == "gapped":
            gapped[(row["matrix"], *key_gaps)] = KarlinAltschul(lam, k, h, alpha, beta)
        else:  # blastn: matrix is "reward/penalty"
            reward, penalty = (int(x) for x in row["matrix"].split("/"))
            round_down = (reward, penalty) in _ROUND_DOWN_PAIRS
            name = _nucleotide_name(reward, penalty)
            gapped[(name, *key_gaps)] = KarlinAltschul(lam, k, h, alpha, beta, round_down)
    return gapped, ungapped


# (scheme name, open_gap_score, extend_gap_score) in Biopython's convention ->
# parameters (BLAST's "BLOSUM62 11/1" is ("BLOSUM62", -12, -1)); and the
# ungapped parameters of the protein matrices (Robinson & Robinson background).
GAPPED_PARAMETERS, UNGAPPED_PARAMETERS = _read_tables()


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


def expected_column_score(scheme: ScoringScheme) -> float:
    """Expected substitution score of one column of two random sequences,
    sum p_i p_j s_ij under BLAST's background frequencies (negative for
    every matrix fit for local alignment; BLOSUM62: about -0.95)."""
    freq = background_frequencies(scheme.alphabet)
    return float(freq @ scheme.matrix.astype(np.float64) @ freq)


# Scoredist's calibration for BLOSUM62 (Sonnhammer & Hollich 2005).
SCOREDIST_BLOSUM62 = 1.337


def scoredist(
    raw: np.ndarray,
    self_query: np.ndarray,
    self_target: np.ndarray,
    columns: np.ndarray,
    expected_column_score: float,
    calibration: float,
) -> np.ndarray:
    """Scoredist (Sonnhammer & Hollich 2005) of each alignment: ``-c ln((S - S_r)
    / (S_u - S_r))``, ``S_u`` the mean self-score, ``S_r`` the expected score
    of ``columns`` random columns (float64; NaN where ``S <= S_r``: saturated)."""
    random = expected_column_score * np.asarray(columns, dtype=np.float64)
    normalised = np.asarray(raw, dtype=np.float64) - random
    upper = (np.asarray(self_query, np.float64) + np.asarray(self_target, np.float64)) / 2 - random
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.minimum(normalised / upper, 1.0)
        return np.where(ratio > 0, -calibration * np.log(ratio), np.nan)
