"""The parameter registry: every setting of seqsim, declared once.

Each :class:`Setting` names a config key (``search.max_evalue``), its type,
default, bounds, help text and the command-line flags it maps to; the
package's other modules derive the schema, config.yaml, the configuration
reference and the subcommands' options from :data:`SETTINGS`.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seqsim.feature_names import HIT_EXTRA_COLUMNS, SIMILARITY_FEATURES

# A sentinel: the subcommand's default is the pipeline's.
SAME = object()


@dataclass(frozen=True)
class Setting:
    """One setting: its config key, schema, default, help and CLI flags.

    ``default`` is the pipeline's (``config.yaml``); None with ``nullable``
    means "decided later", and ``null_means`` says how (e.g. by alphabet).
    ``flags`` are the options of ``commands`` (subcommands) that take it;
    ``when`` = (other key, value): the pipeline passes it only then.
    """

    key: str
    type: str  # integer | number | string | boolean | array
    default: Any
    help: str
    nullable: bool = False
    null_means: str = ""
    choices: tuple[Any, ...] | None = None
    item_choices: tuple[str, ...] | None = None  # arrays of strings
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    pattern: str | None = None
    min_items: int | None = None  # arrays
    flags: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    cli_default: Any = SAME
    cli_default_why: str = ""
    cli_type: Callable[[str], Any] | None = None
    cli_value: Callable[[Any], str] | None = None
    when: tuple[str, Any] | None = None

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def command_default(self) -> Any:
        """The default of the subcommands' option."""
        return self.default if self.cli_default is SAME else self.cli_default


# --max-memory's units; a bare number is MB.
_MEMORY_UNITS = {"": 2**20, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def memory_size(text: str) -> int:
    """Bytes of a size such as ``2G``, ``500M``, ``1.5g`` or ``800`` (MB).

    >>> memory_size("2G"), memory_size("500m"), memory_size("64")
    (2147483648, 524288000, 67108864)
    """
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in _MEMORY_UNITS:
        number, unit = number[:-1], number[-1]
    try:
        size = float(number) * _MEMORY_UNITS[unit]
    except ValueError:
        raise ArgumentTypeError(f"not a memory size: {text!r} (e.g. 2G, 500M)") from None
    if not size > 0:
        raise ArgumentTypeError(f"the memory size must be positive, not {text!r}")
    return int(size)


# Each object of the config and what it is for (the schema's descriptions).
SECTIONS: dict[str, str] = {
    "kmers": "K-mer profiles (`seqsim count-kmers`): only when `similarity.feature` is a "
    "k-mer feature.",
    "pairs": "How the all-vs-all splits into jobs, and k-mer pair scoring.",
    "search": "All-vs-all search: a prefilter, then exact Smith-Waterman (Gotoh) with "
    "E-values and tracebacks. Gap scores follow Biopython: a gap of length L scores "
    "open + (L - 1) * extend, so BLAST's 'gap open 11, extend 1' is open -12, extend -1.",
    "search.kmer": "With `search.prefilter: kmer`, the k-mer index's settings; null = the "
    "alphabet's default.",
    "similarity": "Which pair feature becomes the similarity matrix and the clustering "
    "score, and the distances built from it.",
    "cluster": "Clustering of the pairs.",
    "scorer": "The learned homology scorer: a calibrated probability of homology for every "
    "candidate pair of the inputs (a hit, or a pair linked through intermediate "
    "sequences). Without labels it is the model seqsim ships for the inputs' alphabet "
    "(proteins: SCOPe40, DNA/RNA: Rfam families); labels or labelled pairs train one "
    "that replaces it.",
    "evaluation": "Sensitivity curves of the run's rankings against labels of the inputs "
    "(results/evaluation/, in the report).",
    "scope": "Real data: SCOPe/ASTRAL domains from scop.berkeley.edu (needs internet; off "
    "by default and never run in CI). With enabled: true they replace `inputs`.",
}

_BY_ALPHABET = "the alphabet's default"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "inputs", "array", ["resources/example/protein.fasta"],
        "FASTA files to compare (plain, .gz, .bz2 or .xz), paths relative to the working "
        "directory. The default is the bundled example, a protein set made by `seqsim "
        "simulate` (resources/example/README.md).", min_items=1,
    ),
    Setting(
        "alphabet", "string", "auto", "Alphabet of the FASTA input; auto detects it from the "
        "records.", choices=("auto", "protein", "dna", "rna"), flags=("--alphabet",),
        commands=("ingest", "search", "train", "score", "embed", "mash-dist"),
    ),
    Setting(
        "on_invalid", "string", "error", "error: stop at the first bad record, naming file, "
        "record, line and problem; skip: leave bad records out, results/rejected.tsv lists "
        "each with its reason.", choices=("error", "skip"), flags=("--on-invalid",),
        commands=("ingest",),
    ),
    Setting(
        "dedupe", "boolean", False, "Store each distinct sequence once (exact copies after "
        "the residue policy); every output still lists every ID, copies beside their "
        "representative with similarity 1. Not with scorer.labels / scorer.pairs.",
        flags=("--dedupe",), commands=("ingest",),
    ),
    Setting(
        "kmers.k", "integer", None, "K-mer size.", nullable=True,
        null_means="3 for protein, 11 for DNA/RNA", minimum=1, maximum=31, flags=("-k",),
        commands=("count-kmers",),
    ),
    Setting(
        "kmers.canonical", "boolean", False, "DNA/RNA: merge each k-mer with its reverse "
        "complement.", flags=("--canonical",), commands=("count-kmers",),
    ),
    Setting(
        "kmers.reduced_alphabet", "string", None, "Protein: count k-mers over amino-acid "
        "groups (Murphy's 10 or Dayhoff's 6 letters).", nullable=True,
        null_means="the 20 amino acids", choices=("murphy10", "dayhoff6"),
        flags=("--reduced-alphabet",), commands=("count-kmers",),
    ),
    Setting(
        "pairs.n_blocks", "integer", 4, "Blocks the all-vs-all is split into (every "
        "n_blocks-th sequence): the search runs one job per tile of the upper triangle "
        "(n_blocks (n_blocks + 1) / 2 jobs, SLURM-friendly), the k-mer pairs one per block.",
        minimum=1, maximum=10000, flags=("--n-blocks",), commands=("search", "score-pairs"),
        cli_default=1, cli_default_why="one command runs the whole set as one block; the "
        "pipeline splits it into jobs",
    ),
    Setting(
        "pairs.min_shared_kmers", "integer", 1, "Leave out k-mer pairs sharing fewer "
        "distinct k-mers (their similarity is ~0).", minimum=1, flags=("--min-shared",),
        commands=("score-pairs",),
    ),
    Setting(
        "search.matrix", "string", None, "Substitution matrix (a Biopython name).",
        nullable=True, null_means="BLOSUM62 for protein, match/mismatch scores for DNA/RNA",
        flags=("--matrix",), commands=("search",),
    ),
    Setting(
        "search.match_score", "integer", None, "DNA/RNA match score when no matrix is set.",
        nullable=True, null_means="2", minimum=1, flags=("--match-score",),
        commands=("search",),
    ),
    Setting(
        "search.mismatch_score", "integer", None, "DNA/RNA mismatch score when no matrix is "
        "set.", nullable=True, null_means="-3", maximum=-1, flags=("--mismatch-score",),
        commands=("search",),
    ),
    Setting(
        "search.open_gap_score", "integer", None, "Score of a gap's first position "
        "(Biopython's convention; BLAST's 'gap open 11, extend 1' is -12/-1).",
        nullable=True, null_means="-12 (protein, BLAST 11/1) or -7 (DNA/RNA, BLAST 5/2)",
        maximum=0, flags=("--open-gap-score",), commands=("search",),
    ),
    Setting(
        "search.extend_gap_score", "integer", None, "Score of each further gap position.",
        nullable=True, null_means="-1 (protein) or -2 (DNA/RNA)", maximum=0,
        flags=("--extend-gap-score",), commands=("search",),
    ),
    Setting(
        "search.max_evalue", "number", 10.0, "Report hits (and keep pairs) with E-value at "
        "most this (the whole set is the database).", exclusive_minimum=0,
        flags=("-e", "--evalue"), commands=("search",),
    ),
    Setting(
        "search.exhaustive", "boolean", False, "Report every pair, whatever its E-value.",
        flags=("--exhaustive",), commands=("search",),
    ),
    Setting(
        "search.prefilter", "string", "ungapped", "Which pairs are aligned with gaps. "
        "ungapped: pairs whose best ungapped segment (any diagonal) scores at least "
        "min_ungapped; every pair is scanned (quadratic time, nearly exhaustive "
        "sensitivity). kmer: pairs a k-mer index proposes (similar k-mers, two hits within "
        "diagonal_band diagonals, an ungapped diagonal score of min_diagonal_score): for "
        "100,000s of sequences, less sensitive. none: every pair. Recall and time of each: "
        "benchmarks/README.md.", choices=("ungapped", "kmer", "none"),
        flags=("--prefilter",), commands=("search",),
    ),
    Setting(
        "search.min_ungapped", "integer", 30, "With prefilter ungapped: the best ungapped "
        "segment score a pair needs to be aligned (its recall: benchmarks/README.md). Given "
        "to `seqsim search` with --prefilter kmer, it also applies to the k-mer candidates.",
        minimum=1, maximum=127, flags=("--min-ungapped",), commands=("search",),
        when=("search.prefilter", "ungapped"), cli_default=None,
        cli_default_why="30 with --prefilter ungapped; none with kmer",
    ),
    Setting(
        "search.mask", "string", "none", "Mask low-complexity segments of protein sequences "
        "before the search. seg: compositional, as BLAST's SEG (20-residue windows of "
        "Shannon entropy <= 2.5 bits, extended to <= 2.8); masked residues neither seed "
        "nor extend hits. Removes most hits between unrelated proteins that share only a "
        "low-complexity run, but costs the shipped scorer some remote-homolog ranking, "
        "so it is off by default (benchmarks/README.md, bench_masking.py). Nucleotide "
        "sets are not masked.",
        choices=("seg", "none"), flags=("--mask",), commands=("search",),
    ),
    Setting(
        "search.kmer.k", "integer", None, "K-mer prefilter: k-mer length.", nullable=True,
        null_means="5 (protein) or 11 (DNA/RNA)", minimum=2, maximum=14, flags=("--kmer-k",),
        commands=("search",), when=("search.prefilter", "kmer"),
    ),
    Setting(
        "search.kmer.threshold", "integer", None, "K-mer prefilter: look up every k-mer "
        "scoring at least this against a query k-mer (lower finds more, slower).",
        nullable=True, null_means="22 (protein) or exact k-mers (DNA/RNA)",
        flags=("--kmer-threshold",), commands=("search",), when=("search.prefilter", "kmer"),
    ),
    Setting(
        "search.kmer.min_diagonal_score", "integer", None, "K-mer prefilter: the best "
        "ungapped segment a candidate's hit diagonal must reach.", nullable=True,
        null_means="35 (protein) or 30 (DNA/RNA)", minimum=0, flags=("--min-diagonal-score",),
        commands=("search",), when=("search.prefilter", "kmer"),
    ),
    Setting(
        "search.kmer.diagonal_band", "integer", None, "K-mer prefilter: a diagonal is "
        "scored when a second seed hit lies within this many diagonals of it (either side "
        "of an indel).", nullable=True, null_means="16 (protein) or 0 (DNA/RNA: the same "
        "diagonal)", minimum=0, flags=("--diagonal-band",), commands=("search",),
        when=("search.prefilter", "kmer"),
    ),
    Setting(
        "search.max_memory_mb", "integer", None, "Memory (MB) each search job may hold in "
        "hits before it writes them to its temporary folder and reads them back a bucket of "
        "queries at a time (same output bytes); for highly redundant sets, whose hits grow "
        "as N^2. On the command line a size such as 2G or 500M (a bare number is MB).",
        nullable=True, null_means="no limit", minimum=1, flags=("--max-memory",),
        commands=("search", "tabulate-hits"), cli_type=memory_size,
        cli_value=lambda megabytes: f"{megabytes}M",
    ),
    Setting(
        "search.extra_columns", "array", ["qlen", "tlen", "raw", "fident", "qcov", "tcov"],
        "Columns of the BLAST tabular hits after BLAST's 12 (comma-separated on the command "
        "line): " + ", ".join(HIT_EXTRA_COLUMNS) + ".", item_choices=tuple(HIT_EXTRA_COLUMNS),
        flags=("--extra-columns",), commands=("search", "tabulate-hits"), cli_default="",
        cli_default_why="a command's table is BLAST's 12 columns exactly, as blastp "
        "-outfmt 6 writes them; the pipeline's hits.tsv adds these",
        cli_value=lambda columns: ",".join(columns),
    ),
    Setting(
        "similarity.feature", "string", None, "The pair feature that becomes the similarity: "
        "probability (the learned scorer's calibrated probability of homology), alignment "
        "features (score_ratio = SW score / the smaller self-score, fident, shorter_ident) "
        "or k-mer features (jaccard, containment, containment_query, containment_target, "
        "cosine).", nullable=True, null_means="probability when the pair tables have it "
        "(a scorer's), else score_ratio (the search's), else jaccard (k-mer pair tables)",
        choices=SIMILARITY_FEATURES,
        flags=("--feature",), commands=("similarity-matrix", "cluster"),
    ),
    Setting(
        "similarity.max_sequences", "integer", 20000, "No dense outputs (N x N matrix, "
        "PHYLIP, trees, heatmap) above this many sequences; the edge list is always written.",
        minimum=1, flags=("--max-sequences",), commands=("similarity-matrix",),
    ),
    Setting(
        "similarity.distance", "string", None, "Distance of the PHYLIP matrices, trees and "
        "edge list (docs/outputs.md, Distances).", nullable=True, null_means="the feature's "
        "own: score_ratio - scoredist, fident - kimura or jukes-cantor, probability - "
        "neg-log, k-mer features - one-minus",
        choices=("scoredist", "kimura", "jukes-cantor", "neg-log", "one-minus"),
        flags=("--distance",), commands=("similarity-matrix",),
    ),
    Setting(
        "similarity.max_distance", "number", None, "Distance of unlisted and saturated pairs, "
        "and the cap of every distance.", nullable=True, null_means="1 for one-minus, else 5",
        exclusive_minimum=0, flags=("--max-distance",), commands=("similarity-matrix",),
    ),
    Setting(
        "similarity.phylip_layout", "string", "square", "PHYLIP rows: square (every "
        "distance) or lower (the lower triangle, PHYLIP neighbor's option L).",
        choices=("square", "lower"), flags=("--phylip-layout",),
        commands=("similarity-matrix",),
    ),
    Setting(
        "cluster.method", "string", "set-cover", "set-cover (MMseqs2 mode 0), connected "
        "(single linkage, MMseqs2 mode 1), greedy-incremental (CD-HIT), average-linkage "
        "(UPGMA cut) or leiden (communities).",
        choices=("set-cover", "connected", "greedy-incremental", "average-linkage", "leiden"),
        flags=("--method",), commands=("cluster",),
    ),
    Setting(
        "cluster.min_similarity", "number", None, "Pairs with similarity at or above this "
        "are linked.", nullable=True, null_means="0.5 for the probability (more likely "
        "homologous than not), 0.15 for the other features", minimum=0, maximum=1,
        flags=("--min-similarity",), commands=("cluster",),
    ),
    Setting(
        "cluster.representative", "string", None, "How representatives are chosen.",
        nullable=True, null_means="the method's own: most-connected for set-cover, longest "
        "for connected and greedy-incremental, medoid otherwise",
        choices=("most-connected", "longest", "medoid"), flags=("--representative",),
        commands=("cluster",),
    ),
    Setting(
        "cluster.min_identity", "number", None, "Also require this identity (a fraction; "
        "MMseqs2 --min-seq-id, CD-HIT -c).", nullable=True, null_means="no identity "
        "threshold", minimum=0, maximum=1, flags=("--min-identity", "--min-seq-id"),
        commands=("cluster",),
    ),
    Setting(
        "cluster.identity", "string", "alignment", "Identities divided by the alignment's "
        "columns (BLAST, MMseqs2 --seq-id-mode 0), the shorter sequence (CD-HIT, MMseqs2 1) "
        "or the longer one (MMseqs2 2).", choices=("alignment", "shorter", "longer"),
        flags=("--identity",), commands=("cluster",),
    ),
    Setting(
        "cluster.coverage", "number", None, "Also require this aligned fraction (MMseqs2 -c, "
        "CD-HIT -aS/-aL).", nullable=True, null_means="no coverage threshold", minimum=0,
        maximum=1, flags=("-c", "--coverage"), commands=("cluster",),
    ),
    Setting(
        "cluster.cov_mode", "string", "both", "Whose coverage: both sequences (MMseqs2 "
        "--cov-mode 0), the member (target, 1), the representative (query, 2), the shorter "
        "(CD-HIT -aS) or the longer (-aL). The command line also takes MMseqs2's numbers.",
        choices=("both", "target", "query", "shorter", "longer"), flags=("--cov-mode",),
        commands=("cluster",),
    ),
    Setting(
        "cluster.resolution", "number", 1.0, "Leiden's modularity resolution (higher: "
        "smaller communities).", exclusive_minimum=0, flags=("--resolution",),
        commands=("cluster",), when=("cluster.method", "leiden"),
    ),
    Setting(
        "scorer.enabled", "boolean", True, "Score the inputs' pairs with a learned scorer "
        "(the shipped one, or one trained on labels).",
    ),
    Setting(
        "scorer.model", "string", None, "A checkpoint of your own (`seqsim train`).",
        nullable=True, null_means="the one trained on scorer.labels / scorer.pairs, else "
        "the model seqsim ships for the inputs' alphabet", flags=("--model",),
        commands=("score",),
    ),
    Setting(
        "scorer.sequences", "string", None, "Training sequences (FASTA) for labels or pairs.",
        nullable=True, null_means="the inputs",
    ),
    Setting(
        "scorer.labels", "string", None, "Labels table: id plus sccs, or "
        "family/superfamily(/fold)(/class) columns; trains a scorer that replaces the "
        "shipped one.", nullable=True, null_means="no training",
    ),
    Setting(
        "scorer.pairs", "string", None, "Instead of labels, a pairs table with id1, id2 and "
        "label (1 homologs, 0 not) columns.", nullable=True, null_means="no training",
    ),
    Setting(
        "scorer.level", "string", "superfamily", "With labels: homologs share this level; "
        "pairs in different folds are the non-homologs, pairs in between are left out.",
        choices=("family", "superfamily", "fold"), flags=("--level",), commands=("train",),
    ),
    Setting(
        "scorer.kind", "string", "features", "features: a pair head over alignment and "
        "hit-graph features (best on SCOPe40); siamese: adds a sequence encoder whose "
        "embeddings also feed `seqsim embed` (the embed rule).",
        choices=("siamese", "features"), flags=("--kind",), commands=("train",),
    ),
    Setting(
        "scorer.encoder_steps", "integer", 50, "Siamese: encoder training steps.", minimum=1,
        flags=("--encoder-steps",), commands=("train",), cli_default=600,
        cli_default_why="600 train a useful encoder on SCOPe-sized sets; the pipeline's 50 "
        "keep a run on small sets such as the bundled examples short",
    ),
    Setting(
        "scorer.seed", "integer", 1, "Seed: the same data and seed give the same model bytes.",
        flags=("--seed",), commands=("train",),
    ),
    Setting(
        "scorer.neighbours", "integer", 50, "Siamese: nearest neighbours per sequence by "
        "embedding similarity (the embed rule).", minimum=1, flags=("--top-k",),
        commands=("embed",),
    ),
    Setting(
        "scorer.min_probability", "number", 0.01, "Scored pairs kept: probability at least "
        "this, plus each sequence's top_k best.", minimum=0, maximum=1,
        flags=("--min-probability",), commands=("score",),
    ),
    Setting(
        "scorer.top_k", "integer", 20, "Each sequence's best-scoring partners kept whatever "
        "their probability.", minimum=0, flags=("--top-k",), commands=("score",),
    ),
    Setting(
        "evaluation.labels", "string", None, "Labels of the inputs (id + sccs, or "
        "family/superfamily(/fold) columns) for the sensitivity curves.", nullable=True,
        null_means="scorer.labels when they label the inputs (scorer.sequences null or one "
        "of the inputs): the scorer was trained on them and its curve is optimistic",
    ),
    Setting(
        "scope.enabled", "boolean", False, "Use the SCOPe download as the input instead of "
        "`inputs`.",
    ),
    Setting(
        "scope.release", "string", "2.08", "SCOPe release.", pattern=r"^[0-9]+\.[0-9]+$",
        flags=("--release",), commands=("fetch-scope",),
    ),
    Setting(
        "scope.identity", "integer", 40, "ASTRAL subset (maximum percent identity).",
        choices=(10, 20, 25, 30, 35, 40, 50, 70, 90, 95, 100), flags=("--identity",),
        commands=("fetch-scope",),
    ),
    Setting(
        "scope.sha256", "string", None, "Expected SHA-256 of the download: pin the one the "
        "first download logs, for reproducible runs.", nullable=True,
        null_means="log the observed one", pattern="^[0-9a-fA-F]{64}$", flags=("--sha256",),
        commands=("fetch-scope",),
    ),
)  # fmt: skip

BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}


def setting(key: str) -> Setting:
    """The setting of a config key; a KeyError names the real keys close to it."""
    try:
        return BY_KEY[key]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(key, BY_KEY, n=3)
        raise KeyError(f"no setting {key!r} (close: {', '.join(close) or 'none'})") from None
