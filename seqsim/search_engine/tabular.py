"""BLAST tabular output (``-outfmt 6``) of a hit table, with BLAST's number formats."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from seqsim.errors import ConfigError
from seqsim.feature_names import BLAST_COLUMNS, HIT_EXTRA_COLUMNS
from seqsim.io import FilePath, atomic_path, read_table, tsv_text
from seqsim.search_engine.hit_table import in_search_order
from seqsim.sequences.store import SequenceStore, output_rows, read_store, with_copies


def format_evalue(value: float) -> str:
    """E-value text as BLAST+'s tabular output writes it (checked against blastp 2.12).

    >>> [format_evalue(v) for v in (0.0, 3.2e-120, 2.4e-45, 0.0123, 0.5, 3.21, 123.4)]
    ['0.0', '3.20e-120', '2.40e-45', '0.012', '0.50', '3.2', '123']
    """
    if value < 1.0e-180:
        return "0.0"
    if value < 0.0009:
        return f"{value:.2e}"
    if value < 0.1:
        return f"{value:.3f}"
    if value < 1.0:
        return f"{value:.2f}"
    if value < 10.0:
        return f"{value:.1f}"
    return f"{value:.0f}"


def format_bitscore(value: float) -> str:
    """Bit score text as BLAST+'s tabular output writes it: one decimal up to
    99.9, then the integer part (BLAST truncates there), scientific above 9999.

    >>> [format_bitscore(v) for v in (45.44, 20.786, 239.97, 12345.0)]
    ['45.4', '20.8', '239', '1.234e+04']
    """
    if value > 9999:
        return f"{value:.3e}"
    if value > 99.9:
        return str(int(value))
    return f"{value:.1f}"


def hit_fractions(hits: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per hit: ``fident`` (identities / alignment columns), ``shorter_ident``
    (identities / the shorter sequence), ``qcov`` and ``tcov`` (aligned
    fractions of query and target); 0 for an empty alignment."""
    nident = hits["nident"].to_numpy()
    length = hits["length"].to_numpy()
    shorter = np.minimum(hits["qlen"].to_numpy(), hits["tlen"].to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "fident": np.where(length > 0, nident / np.maximum(length, 1), 0.0),
            "shorter_ident": np.where(shorter > 0, nident / np.maximum(shorter, 1), 0.0),
            "qcov": (hits["qend"] - hits["qstart"] + (hits["qstart"] > 0)).to_numpy()
            / hits["qlen"].to_numpy(),
            "tcov": (hits["send"] - hits["sstart"] + (hits["sstart"] > 0)).to_numpy()
            / hits["tlen"].to_numpy(),
        }


def blast_table(
    hits: pd.DataFrame,
    query_ids: Sequence[str],
    target_ids: Sequence[str],
    extra_columns: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Hits (from :func:`~seqsim.search_engine.engine.search_hits`) as BLAST
    tabular text columns (:data:`~seqsim.feature_names.BLAST_COLUMNS`) plus
    ``extra_columns`` (names in :data:`~seqsim.feature_names.HIT_EXTRA_COLUMNS`);
    or, with ``columns``, those columns of either kind in that order (as
    BLAST's ``-outfmt "6 qseqid sseqid evalue"``)."""
    if columns is not None:
        known = [*BLAST_COLUMNS, *HIT_EXTRA_COLUMNS]
        unknown = [c for c in columns if c not in known]
        if unknown or not columns:
            raise ConfigError(f"unknown output columns {unknown}; available: {known}")
        extras = [c for c in columns if c in HIT_EXTRA_COLUMNS]
        return blast_table(hits, query_ids, target_ids, extras)[list(columns)]
    unknown = [c for c in extra_columns if c not in HIT_EXTRA_COLUMNS]
    if unknown:
        raise ConfigError(f"unknown extra columns {unknown}; available: {list(HIT_EXTRA_COLUMNS)}")
    derived = hit_fractions(hits)
    fident = derived["fident"]
    table = pd.DataFrame(
        {
            "qseqid": np.asarray(query_ids, dtype=object)[hits["query"].to_numpy()],
            "sseqid": np.asarray(target_ids, dtype=object)[hits["target"].to_numpy()],
            "pident": [f"{100 * v:.3f}" for v in fident],
            "length": hits["length"],
            "mismatch": hits["mismatch"],
            "gapopen": hits["gapopen"],
            "qstart": hits["qstart"],
            "qend": hits["qend"],
            "sstart": hits["sstart"],
            "send": hits["send"],
            "evalue": [format_evalue(v) for v in hits["evalue"]],
            "bitscore": [format_bitscore(v) for v in hits["bitscore"]],
        }
    )
    for name in extra_columns:
        if name in derived:
            table[name] = [f"{v:.3f}" for v in np.nan_to_num(derived[name])]
        else:
            table[name] = hits[name].to_numpy()
    return table


def blast_text(
    hits: pd.DataFrame,
    query_ids: Sequence[str],
    target_ids: Sequence[str],
    extra_columns: Sequence[str] = (),
    *,
    header: bool = False,
    columns: Sequence[str] | None = None,
) -> str:
    """:func:`blast_table` as tab-separated text, one hit per line."""
    table = blast_table(hits, query_ids, target_ids, extra_columns, columns)
    return tsv_text(table, header=header)


def store_blast_text(
    hits: pd.DataFrame,
    queries: SequenceStore,
    targets: SequenceStore,
    extra_columns: Sequence[str] = (),
    *,
    header: bool = False,
    columns: Sequence[str] | None = None,
) -> str:
    """:func:`blast_text` of hits between two stores; a store's copies
    (``ingest --dedupe``) get their representative's hits, after them."""
    if not (queries.copies.empty and targets.copies.empty):
        hits = with_copies(with_copies(hits, "query", queries), "target", targets)
        hits = hits.sort_values("query", kind="stable", ignore_index=True)
    query_ids, target_ids = output_rows(queries)[1], output_rows(targets)[1]
    return blast_text(hits, query_ids, target_ids, extra_columns, header=header, columns=columns)


# Memory a hit takes while a bucket is merged and formatted as text (its
# table, the sorted copy and the text columns), for bucket sizes.
_TEXT_BYTES_PER_HIT = 1000


def tabulate_hits(
    store: FilePath,
    hits: Sequence[FilePath],
    output: FilePath,
    *,
    extra_columns: Sequence[str] = (),
    header: bool = False,
    max_memory: int | None = None,
) -> None:
    """``seqsim tabulate-hits``: the numeric hit tables of an all-vs-all's
    blocks (``seqsim search --hits-out``), merged into one BLAST tabular file.

    With ``max_memory`` (bytes), Parquet tables are read a bucket of
    consecutive queries at a time (row groups outside it skipped), each
    bucket sized to fit; the text is the same.
    """
    sequences = read_store(store)
    n_rows = sum(pq.ParquetFile(path).metadata.num_rows for path in hits) if max_memory else 0
    n_buckets = max(
        1, min(sequences.n_sequences, -(-n_rows * _TEXT_BYTES_PER_HIT // (max_memory or 1)))
    )
    bucket_rows = -(-sequences.n_sequences // n_buckets)
    with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as text:
        for b in range(n_buckets):
            if n_buckets == 1:
                pieces = [read_table(path) for path in hits]
            else:
                rows = [("query", ">=", b * bucket_rows), ("query", "<", (b + 1) * bucket_rows)]
                pieces = [pq.read_table(path, filters=rows).to_pandas() for path in hits]
            # Blocks and tiles split each query's hits: one order, whatever the split.
            table = in_search_order(pd.concat(pieces, ignore_index=True))
            text.write(
                store_blast_text(
                    table, sequences, sequences, extra_columns, header=header and b == 0
                )
            )
