"""Seeded weight initialisation without touching the caller's random state,
and torch's thread count for a block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded_torch(seed: int | None) -> Iterator[None]:
    """A block in which torch's global random generator, which module
    initialisation draws from, starts from ``seed`` (``None``: from where it
    is); the generator's state before the block is restored after it.

    >>> with seeded_torch(1):
    ...     a = torch.nn.Linear(2, 1).weight
    >>> with seeded_torch(1):
    ...     b = torch.nn.Linear(2, 1).weight
    >>> bool(torch.equal(a, b))
    True
    """
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        yield


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """torch's intra-op threads set to ``threads`` for a block, then restored."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
