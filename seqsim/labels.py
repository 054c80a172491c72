"""Hierarchical homology labels of sequences: SCOP-style family, superfamily
and fold (and class, the level above fold), read from a labels table.

A labels table has an ``id`` column plus either an ``sccs`` column (SCOP's
``a.1.1.2``: class.fold.superfamily.family) or ``family`` / ``superfamily``
(/ ``fold``) columns. The scorer learns from these labels and the
validation scores hits against them, so both read them here.
"""

from __future__ import annotations

import pandas as pd

from seqsim.errors import ConfigError

LEVELS = ("family", "superfamily", "fold")


def scop_levels(labels: pd.DataFrame) -> pd.DataFrame:
    """``id`` -> family, superfamily, fold, from ``sccs`` (a.1.1.2) or those
    columns. Without a fold column (e.g. simulated families), each
    superfamily is its own fold: different superfamilies are unrelated.
    A ``class`` column (the level above fold) comes from ``sccs`` or the
    table's own ``class`` column, when there is one."""
    if {"family", "superfamily", "fold"} <= set(labels.columns):
        table = labels[["id", "family", "superfamily", "fold"]]
    elif {"family", "superfamily"} <= set(labels.columns):
        table = labels[["id", "family", "superfamily"]].assign(fold=labels["superfamily"])
    elif "sccs" in labels.columns:
        parts = labels["sccs"].str.split(".", expand=True)
        table = pd.DataFrame(
            {
                "id": labels["id"],
                "family": labels["sccs"],
                "superfamily": parts[0] + "." + parts[1] + "." + parts[2],
                "fold": parts[0] + "." + parts[1],
                "class": parts[0],
            }
        )
    else:
        raise ConfigError("labels need family/superfamily(/fold) columns or an sccs column")
    if "class" in labels.columns and "class" not in table.columns:
        table = table.assign(**{"class": labels["class"]})
    if table["id"].duplicated().any():
        raise ConfigError("labels list an id twice")
    return table.set_index("id")
