"""Check a finished example run: every input sequence is accounted for.

Usage: python .ci/check_outputs.py RUN_DIR FASTA...
Exits non-zero with a message when an output is missing or a sequence is lost.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
from Bio import Phylo, SeqIO
from Bio.SeqIO.FastaIO import SimpleFastaParser

# Read every TSV cell as text, unquoted (IDs such as NA, 007 or a"b stay as they are).
AS_TEXT = {"sep": "\t", "keep_default_na": False, "dtype": str, "quoting": 3}


def position_of(ids: list[str]) -> dict[str, int]:
    return {name: k for k, name in enumerate(ids)}


def check_clusters(results: Path, clusters: pd.DataFrame, ids: list[str]) -> None:
    """The per-member table, CD-HIT .clstr and representatives agree with clusters.tsv."""
    members = pd.read_csv(results / "clusters" / "members.tsv", **AS_TEXT)
    pairs = members[["representative", "member"]].values.tolist()
    assert pairs == clusters.values.tolist(), "members.tsv and clusters.tsv differ"
    clstr = (results / "clusters" / "clusters.clstr").read_text().splitlines()
    listed = [line.split(">", 1)[1].rsplit("...", 1)[0] for line in clstr if "\t" in line]
    assert listed == clusters["member"].tolist(), "the .clstr lists other members"
    assert (
        sum(line.startswith(">Cluster ") for line in clstr) == clusters["representative"].nunique()
    )
    with open(results / "clusters" / "representatives.fasta") as handle:
        heads = [record.id for record in SeqIO.parse(handle, "fasta")]
    assert heads == list(dict.fromkeys(clusters["representative"])), "representatives differ"
    assert set(ids) == set(members["member"])
    # CD-HIT's own reader of .clstr files (Debian's cd-hit), where installed.
    clstr2txt = Path("/usr/lib/cd-hit/clstr2txt.pl")
    if clstr2txt.exists():
        text = subprocess.run(
            ["perl", str(clstr2txt), str(results / "clusters" / "clusters.clstr")],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
        read = pd.read_csv(StringIO(text), **AS_TEXT)
        # it lists each cluster's members in its own order: compare as sets
        is_rep = (members["member"] == members["representative"]).astype(int).astype(str)
        ours = set(zip(members["member"], members["cluster"], is_rep, strict=True))
        theirs = set(zip(read["id"], read["clstr"], read["clstr_rep"], strict=True))
        assert theirs == ours and len(read) == len(members), "clstr2txt.pl read other clusters"
        print("readers: CD-HIT's clstr2txt.pl took clusters.clstr")


def check_readers(results: Path, names: pd.DataFrame) -> None:
    """The PHYLIP matrices read by scikit-bio and, where installed, by PHYLIP's
    neighbor (strict), quicktree and clearcut (relaxed): every name, as ids.tsv maps it."""
    import skbio

    matrix = results / "matrix"
    relaxed, strict = names["name"].tolist(), names["strict_name"].tolist()
    read = skbio.DistanceMatrix.read(str(matrix / "distance.phy"), format="phylip_dm")
    assert list(read.ids) == relaxed, "scikit-bio read other names"
    trees = {}
    if shutil.which("quicktree"):
        trees["quicktree"] = subprocess.run(
            ["quicktree", "-in", "m", str(matrix / "distance.phy")],
            capture_output=True, text=True, check=True, timeout=300,
        ).stdout  # fmt: skip
    if shutil.which("clearcut"):
        trees["clearcut"] = subprocess.run(
            ["clearcut", "--distance", "--neighbor", "--norandom",
             f"--in={matrix / 'distance.phy'}", "--stdout"],
            capture_output=True, text=True, check=True, timeout=300,
        ).stdout  # fmt: skip
    for tool, newick in trees.items():
        leaves = [leaf.name for leaf in Phylo.read(StringIO(newick), "newick").get_terminals()]
        assert sorted(leaves) == sorted(relaxed), f"{tool} read other names"
    if shutil.which("phylip"):
        with tempfile.TemporaryDirectory() as work:
            shutil.copy(matrix / "distance.strict.phy", Path(work) / "infile")
            subprocess.run(["phylip", "neighbor"], input="Y\n", cwd=work, capture_output=True,
                           text=True, check=True, timeout=300)  # fmt: skip
            tree = Phylo.read(Path(work) / "outtree", "newick")
            leaves = [leaf.name.strip() for leaf in tree.get_terminals()]
        assert sorted(leaves) == sorted(strict), "neighbor read other names"
        trees["neighbor"] = ""
    print(f"readers: scikit-bio{''.join(', ' + tool for tool in trees)} took the PHYLIP files")


def main(run_dir: Path, fastas: list[str]) -> None:
    results = run_dir / "results"
    input_ids = []
    for fasta in fastas:
        with open(run_dir / fasta) as handle:
            input_ids += [title.split()[0] for title, _ in SimpleFastaParser(handle)]
    summary = json.loads((results / "store" / "ingest.json").read_text())
    rejected = pd.read_csv(results / "rejected.tsv", **AS_TEXT)
    # MMseqs2's layout: no header
    clusters = pd.read_csv(results / "clusters" / "clusters.tsv", header=None,
                           names=["representative", "member"], **AS_TEXT)  # fmt: skip
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
    names = pd.read_csv(results / "matrix" / "ids.tsv", **AS_TEXT)
    assert names["id"].tolist() == ids, "ids.tsv is not in matrix order"
    strict_rows = (results / "matrix" / "distance.strict.phy").read_text().splitlines()
    assert [row[:10].rstrip() for row in strict_rows[1:]] == names["strict_name"].tolist()
    hits = pd.read_csv(results / "search" / "hits.tsv", header=None, usecols=[0, 1], **AS_TEXT)
    assert set(hits[0]) | set(hits[1]) <= set(ids), "hits.tsv names an unknown ID"
    assert set(hits.loc[hits[0] == hits[1], 0]) == set(ids), "a sequence lacks its self hit"
    check_clusters(results, clusters, ids)
    check_readers(results, names)
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
