"""Check a finished example run: every input sequence is accounted for.

Usage: python .ci/check_outputs.py RUN_DIR FASTA...
Exits non-zero with a message when an output is missing or a sequence is lost.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from Bio import Phylo
from Bio.SeqIO.FastaIO import SimpleFastaParser


def position_of(ids: list[str]) -> dict[str, int]:
    return {name: k for k, name in enumerate(ids)}


def main(run_dir: Path, fastas: list[str]) -> None:
    results = run_dir / "results"
    input_ids = []
    for fasta in fastas:
        with open(run_dir / fasta) as handle:
            input_ids += [title.split()[0] for title, _ in SimpleFastaParser(handle)]
    summary = json.loads((results / "store" / "ingest.json").read_text())
    rejected = pd.read_csv(results / "rejected.tsv", sep="\t", keep_default_na=False)
    clusters = pd.read_csv(results / "clusters" / "clusters.tsv", sep="\t", keep_default_na=False)
    matrix = np.load(results / "matrix" / "similarity.npy")
    ids = (results / "matrix" / "ids.txt").read_text().split()

    assert summary["n_input"] == len(input_ids), "ingest saw a different number of records"
    assert summary["n_input"] == summary["n_kept"] + summary["n_rejected"], "counts do not add up"
    assert sorted(clusters["member"]) == sorted(ids), "clusters do not cover the kept sequences"
    assert sorted(ids + rejected["id"].tolist()) == sorted(input_ids), "a sequence was lost"
    assert matrix.shape == (len(ids), len(ids)) and np.array_equal(matrix, matrix.T)
    distance_rows = (results / "matrix" / "distance.phy").read_text().splitlines()
    assert int(distance_rows[0]) == len(ids) and len(distance_rows) == len(ids) + 1
    tree = Phylo.read(results / "matrix" / "upgma.nwk", "newick")
    assert sorted(leaf.name for leaf in tree.get_terminals()) == sorted(ids), "tree leaves differ"
    nj = Phylo.read(results / "matrix" / "nj.nwk", "newick")
    assert sorted(leaf.name for leaf in nj.get_terminals()) == sorted(ids), "NJ leaves differ"
    names = pd.read_csv(results / "matrix" / "ids.tsv", sep="\t", keep_default_na=False,
                        dtype=str, quoting=3)  # fmt: skip
    assert names["id"].tolist() == ids, "ids.tsv is not in matrix order"
    strict_rows = (results / "matrix" / "distance.strict.phy").read_text().splitlines()
    assert [row[:10].rstrip() for row in strict_rows[1:]] == names["strict_name"].tolist()
    edges = pd.read_parquet(results / "matrix" / "edges.parquet")
    assert set(edges["query"]) | set(edges["target"]) <= set(ids)
    assert not edges.duplicated(["query", "target"]).any(), "an edge appears twice"
    for query, target, value in (
        edges.iloc[:, :3].sample(200, random_state=0).itertuples(index=False)
    ):
        assert abs(matrix[position_of(ids)[query], position_of(ids)[target]] - value) < 1e-6
    assert (results / "matrix" / "similarity.png").read_bytes().startswith(b"\x89PNG")
    scored = pd.read_parquet(results / "scorer" / "scored_pairs.parquet")
    assert scored["probability"].between(0, 1).all() and set(scored["query"]) <= set(ids)
    assert not scored.duplicated(["query", "target"]).any(), "a scored pair appears twice"
    # The matrix is the probability: symmetric, 1 on the diagonal, each scored pair's value.
    assert np.allclose(np.diag(matrix), 1.0)
    position = position_of(ids)
    rows = scored.sample(min(len(scored), 200), random_state=0)
    for query, target, probability in rows[["query", "target", "probability"]].itertuples(
        index=False
    ):
        assert abs(matrix[position[query], position[target]] - probability) < 1e-6
    if (results / "scorer" / "embeddings.parquet").exists():  # scorer.kind: siamese
        embeddings = pd.read_parquet(results / "scorer" / "embeddings.parquet")
        assert sorted(embeddings["id"]) == sorted(ids), "an embedding is missing"
    print(
        f"ok: {len(input_ids)} input sequences, {len(ids)} in the matrix, "
        f"{clusters['representative'].nunique()} clusters, {len(rejected)} rejected, "
        f"{len(scored)} scored pairs kept"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
