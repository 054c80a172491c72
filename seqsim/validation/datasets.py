"""Real labelled data sets fetched from their official source.

SCOPe/ASTRAL domain sequences (https://scop.berkeley.edu): FASTA headers look like
``>SID a.1.1.1 (A:) protein name {species [TaxId: N]}``; the
second word is the SCOP ``sccs`` (class.fold.superfamily.family), from which
the labels table is derived.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.request
from pathlib import Path

import pandas as pd

from seqsim.errors import InputError
from seqsim.io import atomic_path, write_fasta, write_table
from seqsim.sequences.fasta import iter_fasta

log = logging.getLogger("seqsim")

SCOPE_URL = (
    "https://scop.berkeley.edu/downloads/scopeseq-{release}/"
    "astral-scopedom-seqres-gd-sel-gs-bib-{identity}-{release}.fa"
)
SCOPE_LABEL_COLUMNS = ["id", "sccs", "class", "fold", "superfamily", "family"]


def scope_url(release: str, identity: int) -> str:
    return SCOPE_URL.format(release=release, identity=identity)


def download(url: str, path: str | os.PathLike[str], *, sha256: str | None) -> str:
    """Download ``url`` to ``path`` atomically; check ``sha256`` if given.

    Returns the SHA-256 of the downloaded bytes.
    """
    digest = hashlib.sha256()
    with atomic_path(path) as tmp:
        try:
            with urllib.request.urlopen(url, timeout=120) as response, open(tmp, "wb") as out:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except OSError as error:
            raise InputError(url, f"download failed ({error})") from None
        observed = digest.hexdigest()
        if sha256 and observed != sha256.lower():
            raise InputError(url, f"checksum mismatch: expected SHA-256 {sha256}, got {observed}")
    if not sha256:
        log.warning("no pinned checksum for %s; downloaded SHA-256 is %s", url, observed)
    return observed


def astral_records(path: str | os.PathLike[str]) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """Records (id, upper-case sequence) and the SCOP labels table of an ASTRAL FASTA."""
    records, rows = [], []
    for record in iter_fasta(path):
        words = record.title.split(maxsplit=2)
        sccs = words[1] if len(words) > 1 else ""
        parts = sccs.split(".")
        if len(parts) != 4:
            raise InputError(
                path,
                f"ASTRAL header without a class.fold.superfamily.family label: {sccs!r}",
                record_number=record.number,
                line=record.line,
            )
        records.append((words[0], record.sequence.upper()))
        rows.append([words[0], sccs, parts[0], ".".join(parts[:2]), ".".join(parts[:3]), sccs])
    return records, pd.DataFrame(rows, columns=SCOPE_LABEL_COLUMNS)


def fetch_scope(
    url: str,
    *,
    sha256: str | None,
    out_fasta: str | os.PathLike[str],
    out_labels: str | os.PathLike[str],
    keep_raw: str | os.PathLike[str] | None = None,
) -> str:
    """Download an ASTRAL FASTA, write plain ``>ID`` FASTA and a labels TSV.

    Returns the SHA-256 of the downloaded file.
    """
    raw = Path(keep_raw) if keep_raw else Path(str(out_fasta) + ".download")
    observed = download(url, raw, sha256=sha256)
    records, labels = astral_records(raw)
    write_fasta(records, out_fasta)
    write_table(labels, out_labels)
    if not keep_raw:
        raw.unlink()
    log.info("fetched %d SCOPe domains from %s", len(records), url)
    return observed


__all__ = ["astral_records", "download", "fetch_scope", "scope_url"]
