"""``seqsim simulate``: simulated families of evolving sequences with true labels.

Writes a FASTA file with neutral, shuffled ids (``seq0001``...), a labels
table (``id``, ``family``, ``superfamily``) in FASTA order, and a table of the
true pairwise identity within each family. Size options left out take the
defaults of the chosen alphabet (shown in each option's help).
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "Simulate superfamilies of evolving sequence families with known true homology."

# option dest -> SimulationParams field, for options whose default depends on the alphabet
_ALPHABET_OPTIONS: dict[str, str] = {
    "superfamilies": "n_superfamilies",
    "families_per_superfamily": "families_per_superfamily",
    "members": "members_per_family",
    "length": "length_range",
    "identity_range": "identity_range",
    "superfamily_identity": "superfamily_identity_range",
    "indel_rate": "indel_rate",
    "singletons": "n_singletons",
    "min_length": "min_length",
}


# Per-alphabet defaults shown in --help, as "protein; dna". They are written out
# here so that building the parser does not import numpy/scipy/pandas; a test
# checks them against SimulationParams.defaults().
DEFAULTS_HELP: dict[str, tuple[str, str]] = {
    "n_superfamilies": ("8", "5"),
    "families_per_superfamily": ("3", "3"),
    "members_per_family": ("8 16", "6 12"),
    "length_range": ("80 300", "200 600"),
    "identity_range": ("0.27 0.92", "0.55 0.95"),
    "superfamily_identity_range": ("0.22 0.32", "0.4 0.5"),
    "indel_rate": ("0.03", "0.02"),
    "n_singletons": ("10", "5"),
    "min_length": ("30", "60"),
}


def _defaults_help(field: str) -> str:
    protein, dna = DEFAULTS_HELP[field]
    return f"(default: protein {protein}; dna {dna})"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--alphabet",
        choices=("protein", "dna"),
        default="protein",
        help="protein (BLOSUM62-derived model) or dna (HKY85)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--out-fasta", required=True, help="output FASTA file")
    parser.add_argument(
        "--out-labels", required=True, help="output labels table (.tsv or .parquet)"
    )
    parser.add_argument(
        "--out-families",
        required=True,
        help="output table of true within-family identity (.tsv or .parquet)",
    )
    parser.add_argument(
        "--out-superfamilies",
        default=None,
        help="optional output table of between-family identity per superfamily",
    )
    sizes = parser.add_argument_group("sizes and divergence (defaults depend on --alphabet)")

    def add(flag: str, field: str, text: str, **kwargs: Any) -> None:
        sizes.add_argument(
            flag, default=argparse.SUPPRESS, help=f"{text} {_defaults_help(field)}", **kwargs
        )

    add("--superfamilies", "n_superfamilies", "number of superfamilies", type=int)
    add(
        "--families-per-superfamily",
        "families_per_superfamily",
        "families per superfamily",
        type=int,
    )
    add(
        "--members",
        "members_per_family",
        "members per family, drawn from MIN..MAX",
        type=int,
        nargs=2,
        metavar=("MIN", "MAX"),
    )
    add(
        "--length",
        "length_range",
        "superfamily root and singleton lengths, drawn from MIN..MAX",
        type=int,
        nargs=2,
        metavar=("MIN", "MAX"),
    )
    add(
        "--identity-range",
        "identity_range",
        "target mean true identity within families, spread evenly over LOW..HIGH",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
    )
    add(
        "--superfamily-identity",
        "superfamily_identity_range",
        "expected identity between family ancestors of one superfamily, drawn from LOW..HIGH",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
    )
    add("--indel-rate", "indel_rate", "indel events per site per unit branch length", type=float)
    add("--singletons", "n_singletons", "unrelated single sequences", type=int)
    add("--min-length", "min_length", "deletions never shorten a sequence below this", type=int)
    sizes.add_argument(
        "--gamma-alpha", type=float, default=1.0, help="shape of the discrete-Gamma site rates"
    )
    sizes.add_argument(
        "--kappa", type=float, default=2.0, help="HKY85 transition/transversion ratio (dna)"
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.validation.simulate import SimulationParams, simulate_families

    overrides: dict[str, object] = {
        field: getattr(args, dest)
        for dest, field in _ALPHABET_OPTIONS.items()
        if hasattr(args, dest)
    }
    params = SimulationParams.for_alphabet(
        args.alphabet, seed=args.seed, gamma_alpha=args.gamma_alpha, kappa=args.kappa, **overrides
    )
    simulate_families(params).write(
        args.out_fasta, args.out_labels, args.out_families, args.out_superfamilies
    )
    return 0
