"""Tracebacks over the aligned rectangle against tracebacks from the origin.

One query against 200 members of a family of 150-residue domains (half the
residues mutated), each domain between random flanks of the given length
(0: the domain alone; 400: a domain inside ~900 residues). Times
``_local_traceback_many`` with the start bound (the default) and without it
(the rectangle from the origin to the end cell), in the same process, and
checks both give the same alignments.

Usage:
    python benchmarks/bench_traceback.py [--flanks 0,150,400] [--repeats 5] [--no-results]

The table's values are also appended to benchmarks/results/bench_traceback.tsv
(with the date and CPU) unless --no-results.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from machine import append_results, cpu_model

from seqsim.alignment.batch import BatchAligner
from seqsim.alignment.scoring import scoring_scheme
from seqsim.kernels.alignment import _local_traceback_many


def family_member(rng, domain: np.ndarray, flank: int) -> np.ndarray:
    member = domain.copy()
    mutate = rng.random(member.size) < 0.5
    member[mutate] = rng.integers(0, 20, mutate.sum())
    parts = [rng.integers(0, 20, flank), member, rng.integers(0, 20, flank)]
    return np.concatenate(parts).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flanks", default="0,150,400")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--no-results", action="store_true", help="do not append to benchmarks/results/"
    )
    args = parser.parse_args()
    scheme = scoring_scheme("protein")
    gaps = (scheme.matrix, scheme.open_gap_score, scheme.extend_gap_score)
    rng = np.random.default_rng(1)
    print(f"machine: {cpu_model()}; one thread\n")
    print("| flank | sequence length | from the origin | aligned rectangle | speed-up |")
    print("|---|---|---|---|---|")
    values: list[tuple[str, str, str]] = []
    for flank in (int(f) for f in args.flanks.split(",")):
        domain = rng.integers(0, 20, 150)
        query = family_member(rng, domain, flank)
        targets = [family_member(rng, domain, flank) for _ in range(200)]
        offsets = np.zeros(len(targets) + 1, dtype=np.int64)
        np.cumsum([t.size for t in targets], out=offsets[1:])
        codes = np.concatenate(targets)
        chosen = np.arange(len(targets))
        aligner = BatchAligner(codes, offsets, scheme)
        ends = aligner.score_ends(query, chosen)
        scores = aligner.scores(query, parallel=False)
        seconds, outputs = {}, {}
        for name, best in (("origin", np.zeros_like(scores)), ("rectangle", scores)):
            _local_traceback_many(query, codes, offsets, chosen, ends, best, *gaps, 0)  # compile
            start = time.perf_counter()
            for _ in range(args.repeats):
                outputs[name] = _local_traceback_many(
                    query, codes, offsets, chosen, ends, best, *gaps, 0
                )
            seconds[name] = (time.perf_counter() - start) / args.repeats
        for a, b in zip(outputs["origin"], outputs["rectangle"], strict=True):
            np.testing.assert_array_equal(a, b)
        print(f"| {flank} | {query.size} | {1e3 * seconds['origin']:.1f} ms | "
              f"{1e3 * seconds['rectangle']:.1f} ms | "
              f"{seconds['origin'] / seconds['rectangle']:.2f}x |")  # fmt: skip
        values += [
            (str(flank), "sequence length", str(query.size)),
            (str(flank), "from the origin", f"{1e3 * seconds['origin']:.1f} ms"),
            (str(flank), "aligned rectangle", f"{1e3 * seconds['rectangle']:.1f} ms"),
            (str(flank), "speed-up", f"{seconds['origin'] / seconds['rectangle']:.2f}×"),
        ]
    if not args.no_results:
        run = f"bench_traceback.py --flanks {args.flanks} --repeats {args.repeats}; one thread"
        print(f"\nappended to {append_results('bench_traceback', run, 'flank', values)}")


if __name__ == "__main__":
    main()
