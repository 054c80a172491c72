"""The Snakemake workflow end to end on tiny inputs (runs `snakemake` as users do)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import REPO

pytestmark = pytest.mark.workflow


def snakemake(workdir, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_misspelled_config_key_stops_before_any_job(tmp_path):
    (tmp_path / "my.yaml").write_text("inputs: [in.fa]\nclustr: {method: set-cover}\n")
    done = snakemake(tmp_path, "--configfile", "my.yaml")
    assert done.returncode == 1
    assert "config key 'clustr' is not allowed (did you mean 'cluster'?)" in done.stderr
    assert not (tmp_path / "results").exists()


def test_pipeline_covers_every_input_sequence(tmp_path):
    rng = np.random.default_rng(0)
    ancestor = rng.choice(list("ARNDCQEGHILKMFPSTWYV"), 80)
    records = []
    for i in range(12):
        seq = ancestor.copy() if i < 8 else rng.choice(list("ARNDCQEGHILKMFPSTWYV"), 80)
        flip = rng.random(80) < 0.1
        seq[flip] = rng.choice(list("ARNDCQEGHILKMFPSTWYV"), flip.sum())
        records.append(f">s{i}\n{''.join(seq)}\n")
    records.append(">tiny\nMK\n")  # too short for any 3-mer: still clustered, as a singleton
    records.append(">bad\nMK1LV\n")  # rejected, listed in rejected.tsv
    (tmp_path / "in.fa").write_text("".join(records))
    # Labels for the report's sensitivity curves: the family of 8 as two
    # families of one superfamily, the others each their own ("tiny" unlabelled).
    labels = ["id\tfamily\tsuperfamily"] + [
        f"s{i}\t{'A1' if i < 4 else 'A2' if i < 8 else f'B{i}'}\t{'A' if i < 8 else f'B{i}'}"
        for i in range(12)
    ]
    (tmp_path / "labels.tsv").write_text("\n".join(labels) + "\n")
    (tmp_path / "my.yaml").write_text(
        "inputs: [in.fa]\non_invalid: skip\npairs: {n_blocks: 3, min_shared_kmers: 1}\n"
        "cluster: {method: set-cover, min_similarity: 0.3}\nscorer: {enabled: false}\n"
        "evaluation: {labels: labels.tsv}\n"
    )
    done = snakemake(tmp_path, "--configfile", "my.yaml")
    assert done.returncode == 0, done.stderr[-3000:]
    results = tmp_path / "results"
    kept = [f"s{i}" for i in range(12)] + ["tiny"]
    clusters = pd.read_csv(results / "clusters" / "clusters.tsv", sep="\t", header=None,
                           names=["representative", "member"])  # fmt: skip
    assert sorted(clusters["member"]) == sorted(kept)
    assert clusters.groupby("representative")["member"].size().max() >= 8  # the family
    matrix = np.load(results / "matrix" / "similarity.npy")
    assert matrix.shape == (13, 13)
    assert (results / "matrix" / "ids.txt").read_text().split() == kept
    labelled = pd.read_csv(results / "matrix" / "similarity.tsv", sep="\t", index_col=0)
    assert list(labelled.index) == kept and np.allclose(labelled.to_numpy(), matrix)
    rejected = pd.read_csv(results / "rejected.tsv", sep="\t")
    assert rejected["id"].tolist() == ["bad"]
    assert (tmp_path / "logs" / "search" / "tile_0_2.log").read_text().strip()
    # The report: a workflow description, the plots, no binary matrix embedded as text.
    report = snakemake(tmp_path, "--configfile", "my.yaml", "--report", "report.html")
    assert report.returncode == 0, report.stderr[-3000:]
    html = (tmp_path / "report.html").read_text()
    sensitivity = pd.read_csv(results / "evaluation" / "sensitivity.tsv", sep="\t")
    assert sensitivity["ranking"].tolist() == ["hits.tsv (evalue)"]  # no scorer here
    assert sensitivity["queries"].tolist() == [8] and sensitivity["FOLD"].isna().all()
    names = ("similarity.png", "sizes.png", "similarity_distribution.png", "clusters.tsv",
             "sensitivity.png")  # fmt: skip
    for name in names:
        assert name in html, name
    assert "validates the FASTA inputs" in html  # the workflow description
    assert html.count("similarity.npy") <= 2  # named in the rule's outputs, not embedded
    hits = pd.read_csv(results / "search" / "hits.tsv", sep="\t", header=None)
    assert set(hits[0]) <= set(kept) and len(hits.columns) == 12 + 6
    # Every 80-residue sequence finds itself first ("tiny" ties with other MK matches).
    first = hits[hits[0] != "tiny"].groupby(0, sort=False).head(1)
    assert len(first) == 12 and (first[0] == first[1]).all()


def test_a_bad_input_names_its_problem_on_the_console(tmp_path):
    (tmp_path / "bad.fa").write_text(">ok\nMKVLA\n>broken\nMK1LV\n")
    (tmp_path / "my.yaml").write_text("inputs: [bad.fa]\nscorer: {enabled: false}\n")
    done = snakemake(tmp_path, "--configfile", "my.yaml")
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("seqsim: logs/")]
    assert lines and "seqsim ingest: error: " in lines[0] and "bad.fa" in lines[0], lines
    assert "broken" in lines[0]


def test_results_do_not_depend_on_the_tiling(tmp_path):
    """1 block (one search job) and 3 blocks (six tiles) give the same bytes;
    with labels of the inputs, the run's reliability diagram among them."""
    from hashlib import sha256

    example = (REPO / "resources" / "example" / "protein.fasta").read_text()
    records = example.split(">")[1:61]
    digests = []
    for n_blocks in (1, 3):
        run = tmp_path / f"blocks{n_blocks}"
        run.mkdir()
        (run / "in.fa").write_text("".join(">" + r for r in records))
        labels = REPO / "resources" / "example" / "protein_labels.tsv"
        (run / "my.yaml").write_text(
            f"inputs: [in.fa]\npairs: {{n_blocks: {n_blocks}}}\nevaluation: {{labels: {labels}}}\n"
        )
        done = snakemake(run, "--configfile", "my.yaml")
        assert done.returncode == 0, done.stderr[-3000:]
        tiles = sorted(p.name for p in (run / "results" / "search").glob("hits_tile_*"))
        assert len(tiles) == n_blocks * (n_blocks + 1) // 2
        digests.append({
            str(p.relative_to(run / "results")): sha256(p.read_bytes()).hexdigest()
            for p in sorted((run / "results").rglob("*"))
            if p.is_file() and "_tile_" not in p.name
        })  # fmt: skip
    assert digests[0] == digests[1]
    assert "scorer/scored_pairs.parquet" in digests[0] and "search/hits.tsv" in digests[0]
    assert "evaluation/reliability.png" in digests[0]
    reliability = pd.read_csv(tmp_path / "blocks1" / "results" / "evaluation" / "reliability.tsv",
                              sep="\t")  # fmt: skip
    assert reliability["pairs"].sum() > 0
