"""Names for formats that cannot hold every FASTA ID.

A FASTA ID is any run of non-space characters, but PHYLIP readers split
names at ``():;,`` and brackets or quotes, clearcut takes a name that reads
as a number (``007``, ``1e5``) for a distance, and strict PHYLIP (PHYLIP's own
``neighbor``) reads exactly 10 characters. Such outputs use a *safe name*:
the ID itself where the format can hold it, else ``seq<N>`` (``N`` the
sequence's 1-based row in the outputs); ``ids.tsv`` maps every name back to
its ID. Newick can hold any ID (quoted), so trees keep the IDs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from seqsim.errors import ConfigError

# Characters PHYLIP/Newick readers take as structure, or that need quoting.
_PHYLIP_SAFE = re.compile(r"^[^\s(),:;'\"\[\]]+$")
STRICT_LENGTH = 10
# Prefixes tried in turn for generated names, so none equals an ID kept as is.
_PREFIXES = ("seq", "sq", "s", "x", "n")


def _is_safe(name: str) -> bool:
    if not _PHYLIP_SAFE.match(name):
        return False
    try:
        float(name)  # '007', '1e5', 'nan', 'inf' all read as numbers
    except ValueError:
        return True
    return False


def safe_names(ids: Sequence[str], max_length: int | None = None) -> list[str]:
    """A PHYLIP-safe name for each ID (unique, at most ``max_length`` characters).

    >>> safe_names(["a", "chr1:1-9", "b(2)", "007"])
    ['a', 'seq2', 'seq3', 'seq4']
    >>> safe_names(["seq2", "x:y"])  # 'seq2' is taken: generated names move to another prefix
    ['seq2', 'sq2']
    """
    longest = max_length if max_length is not None else float("inf")
    keep = [_is_safe(i) and len(i) <= longest for i in ids]
    kept = {i for i, k in zip(ids, keep, strict=True) if k}
    if len(kept) < sum(keep):  # duplicate IDs cannot be told apart
        raise ConfigError("IDs must be unique to name them in PHYLIP outputs")
    for prefix in _PREFIXES:
        generated = {n: f"{prefix}{n + 1}" for n, k in enumerate(keep) if not k}
        taken = set(generated.values())
        fits = all(len(g) <= longest for g in taken)
        if fits and not taken & kept:
            return [generated.get(n, i) for n, i in enumerate(ids)]
    raise ConfigError("no free prefix for generated PHYLIP names: rename the sequences")


def id_table(ids: Sequence[str]) -> pd.DataFrame:
    """``ids.tsv``: each output row's ``id``, its relaxed-PHYLIP ``name`` and its
    ``strict_name`` (at most 10 characters), in the outputs' row order."""
    return pd.DataFrame(
        {
            "row": range(1, len(ids) + 1),
            "id": list(ids),
            "name": safe_names(ids),
            "strict_name": safe_names(ids, STRICT_LENGTH),
        }
    )
