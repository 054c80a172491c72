"""Splitting work: blocks of all-vs-all rows for separate jobs, and threads
over independent items whose work runs in numba ``nogil`` kernels."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from seqsim.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


def threaded_map(function: Callable[[T], R], items: Sequence[T], threads: int) -> Iterator[R]:
    """``map(function, items)`` on ``threads`` threads, results in order.

    Items are submitted a bounded chunk at a time, so results (e.g. one score
    array per query) never pile up in memory.
    """
    if threads <= 1:
        yield from map(function, items)
        return
    chunk = 8 * threads
    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, len(items), chunk):
            yield from pool.map(function, items[start : start + chunk])


def block_rows(n_sequences: int, block: int, n_blocks: int) -> np.ndarray:
    """Query rows of one block: every ``n_blocks``-th row, so that blocks of
    the upper triangle hold about equal numbers of pairs."""
    if not 0 <= block < n_blocks:
        raise ConfigError(f"block {block} is out of range for {n_blocks} blocks")
    return np.arange(block, n_sequences, n_blocks, dtype=np.int64)
