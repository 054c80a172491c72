"""Threads over independent items whose work runs in numba ``nogil`` kernels."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

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
