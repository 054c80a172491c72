from __future__ import annotations

import pandas as pd
import pytest

from seqsim.labels import scop_levels
from seqsim.validation.evaluate import sensitivity_to_first_fp

from conftest import shared_data

LABELS = pd.DataFrame(
    {
        "id": ["q", "f1", "s1", "s2", "o1", "x"],
        "sccs": ["a.1.1.1", "a.1.1.1", "a.1.1.2", "a.1.1.3", "a.1.2.1", "b.1.1.1"],
    }
)


def hits(rows):
    return pd.DataFrame(rows, columns=["query", "target"])


def test_hand_computed_case():
    # q: famCnt 2, sfamCnt 4, foldCnt 5 -> denominators 1, 3, 2.
    result = sensitivity_to_first_fp(
        hits([("q", "q"), ("q", "s1"), ("q", "f1"), ("q", "f1"), ("q", "x"), ("q", "o1")]),
        LABELS,
    )
    assert result.n_queries == 2  # q and f1; s1, s2, o1, x lack members at some level
    row = result.per_query.set_index("query").loc["q"]
    assert (row["family"], row["superfamily"], row["fold"]) == (1.0, pytest.approx(1 / 3), 0.0)
    assert result.family == 0.5 and result.superfamily == pytest.approx(1 / 6)


def test_unlabelled_target_is_a_false_positive():
    result = sensitivity_to_first_fp(hits([("q", "unknown"), ("q", "f1")]), LABELS)
    assert result.per_query.set_index("query").loc["q", "family"] == 0.0


def test_fold_level_counts_other_superfamilies_only():
    result = sensitivity_to_first_fp(hits([("q", "o1"), ("q", "s2")]), LABELS)
    row = result.per_query.set_index("query").loc["q"]
    assert (row["family"], row["superfamily"], row["fold"]) == (0.0, pytest.approx(1 / 3), 0.5)


def test_levels_from_columns_or_sccs():
    from_sccs = scop_levels(LABELS)
    assert from_sccs.loc["o1"].tolist() == ["a.1.2.1", "a.1.2", "a.1", "a"]


def test_scope40_val_split_has_766_scored_queries():
    folder = shared_data("scope40")
    labels = pd.read_csv(folder / "labels.tsv", sep="\t")
    split = pd.read_csv(folder / "split_foldseek.tsv", sep="\t")
    val = labels[labels["id"].isin(split.loc[split["split"] == "val", "id"])]
    assert sensitivity_to_first_fp(hits([]), val).n_queries == 766


def test_rank_blast_hits_keeps_the_best_row_per_pair_and_query_order():
    from seqsim.validation.evaluate import rank_blast_hits

    table = pd.DataFrame(
        [
            ["q2", "a", *[0] * 8, 1e-3, 30.0],
            ["q1", "b", *[0] * 8, 1e-9, 50.0],
            ["q1", "c", *[0] * 8, 1e-20, 90.0],
            ["q1", "b", *[0] * 8, 1e-30, 99.0],  # a second, better alignment of (q1, b)
            ["q1", "d", *[0] * 8, 1e-20, 95.0],
        ]
    )
    ranked = rank_blast_hits(table, "evalue")
    assert ranked[["query", "target"]].values.tolist() == [
        ["q2", "a"], ["q1", "b"], ["q1", "d"], ["q1", "c"],
    ]  # fmt: skip
    assert ranked["score"].tolist() == pytest.approx([3.0, 30.0, 20.0, 20.0])
    assert rank_blast_hits(table, "file")[["query", "target"]].values.tolist()[1:] == [
        ["q1", "b"], ["q1", "c"], ["q1", "d"],
    ]  # fmt: skip


def test_roc_curve_counts_homologs_and_non_homologs_of_the_whole_set():
    from seqsim.validation.evaluate import roc_curve

    labels = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "family": ["f1", "f2", "f3", "f4"],
         "superfamily": ["s1", "s1", "s2", "s3"], "fold": ["x", "x", "x", "y"]}
    )  # fmt: skip
    # Homolog (same superfamily) ordered pairs: (a,b), (b,a) -> 2.
    # Non-homolog (other fold) ordered pairs: d vs a, b, c both ways -> 6.
    hits = pd.DataFrame(
        {"query": ["a", "a", "a", "b", "a"], "target": ["b", "d", "c", "a", "a"],
         "score": [9.0, 8.0, 7.0, 6.0, 99.0]}
    )  # fmt: skip
    fpr, tpr = roc_curve(hits, labels)
    # a-b TP, a-d FP, a-c neither (same fold, other superfamily), b-a TP; self skipped.
    assert tpr.tolist() == [0.0, 0.5, 0.5, 0.5, 1.0]
    assert fpr.tolist() == pytest.approx([0.0, 0.0, 1 / 6, 1 / 6, 1 / 6])


def test_cli_evaluate(tmp_path, capsys):
    from seqsim.cli import main

    labels = tmp_path / "labels.tsv"
    LABELS.to_csv(labels, sep="\t", index=False)
    hits = tmp_path / "hits.tsv"
    hits.write_text("q\tf1\t0\t0\t0\t0\t0\t0\t0\t0\t1e-5\t40\n")
    plot = tmp_path / "curves.png"
    assert (
        main(["evaluate", "--hits", str(hits), "--labels", str(labels), "--plot", str(plot)]) == 0
    )
    assert capsys.readouterr().out.splitlines()[1] == "hits.tsv (evalue)\t2\t0.5000\t0.0000\t0.0000"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_compares_the_scored_pairs_and_keeps_to_the_evaluated_set(tmp_path):
    from seqsim.validation.evaluate import evaluate_hits

    labels = tmp_path / "labels.tsv"
    LABELS.to_csv(labels, sep="\t", index=False)
    hits = tmp_path / "hits.tsv"
    # By E-value q finds x (another class: a false positive) before f1.
    hits.write_text(
        "q\tx\t0\t0\t0\t0\t0\t0\t0\t0\t1e-9\t50\nq\tf1\t0\t0\t0\t0\t0\t0\t0\t0\t1e-5\t40\n"
    )
    scored = tmp_path / "scored.parquet"
    # Unordered pairs: read both ways, f1 before x for q, and q for f1.
    pd.DataFrame(
        {"query": ["q", "q"], "target": ["f1", "x"], "probability": [0.9, 0.2]}
    ).to_parquet(scored)
    summary = tmp_path / "summary.tsv"
    results = evaluate_hits(hits, labels, scored_pairs=scored, summary=summary)
    by_evalue, by_probability = results.values()
    assert by_evalue.family == 0.0 and by_probability.family == 1.0
    table = pd.read_csv(summary, sep="\t")
    assert table["ranking"].tolist() == ["hits.tsv (evalue)", "scored.parquet (probability)"]
    assert table["FAM"].tolist() == [0.0, 1.0]
    # Without s1, s2 and o1 in the set, q and f1 have no superfamily or fold
    # members outside their family: no query is scored.
    (alone,) = evaluate_hits(hits, labels, set_ids=["q", "f1", "x"]).values()
    assert alone.n_queries == 0


def test_the_runs_reliability_counts_homologs_per_bin_and_leaves_out_the_undecidable(tmp_path):
    """q-f1 (same family) at 0.95 and q-s1 (same superfamily) at 0.92 are
    homologs, q-x (another class) at 0.96 is not, q-o1 (same fold, other
    superfamily) is undecidable, q-s2 at 0.01 is below the measure's floor."""
    from seqsim.validation.evaluate import evaluate_hits, scored_pair_reliability

    scored = pd.DataFrame({
        "query": ["q", "q", "q", "q", "q"],
        "target": ["f1", "s1", "x", "o1", "s2"],
        "probability": [0.95, 0.92, 0.96, 0.6, 0.01],
    })  # fmt: skip
    table, ece, precision, undecidable = scored_pair_reliability(scored, LABELS)
    top = table[-1]
    assert top[3] == 3 and top[2] == pytest.approx(2 / 3)
    assert top[1] == pytest.approx((0.95 + 0.92 + 0.96) / 3)
    assert table[:-1, 3].sum() == 0 and undecidable == 1
    assert ece == pytest.approx(abs(top[1] - 2 / 3)) and precision == pytest.approx(2 / 3)
    hits, labels, pairs = tmp_path / "hits.tsv", tmp_path / "labels.tsv", tmp_path / "s.parquet"
    hits.write_text("q\tf1\t0\t0\t0\t0\t0\t0\t0\t0\t1e-5\t40\n")
    LABELS.to_csv(labels, sep="\t", index=False)
    scored.to_parquet(pairs)
    out, plot = tmp_path / "reliability.tsv", tmp_path / "reliability.png"
    evaluate_hits(hits, labels, scored_pairs=pairs, reliability=out, reliability_plot=plot)
    written = pd.read_csv(out, sep="\t")
    assert written.columns.tolist() == ["bin_low", "mean_probability", "share_homologous", "pairs"]
    assert written["pairs"].tolist() == [0] * 9 + [3]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
