"""Progress reporting: a bar on a terminal, a log line per chunk otherwise.

Snakemake sends stderr to each rule's ``log:`` file, where a bar would be
noise; there a line every ~10% of the work says how far a step has got.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger("seqsim")


def progress(items: Iterable[T], *, total: int, desc: str, unit: str = "it") -> Iterator[T]:
    """Yield ``items``, reporting progress as a tqdm bar or as periodic log lines."""
    if sys.stderr.isatty() and log.isEnabledFor(logging.INFO):
        from tqdm import tqdm

        yield from tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr)
        return
    step = max(1, total // 10)
    done = 0
    for item in items:
        yield item
        done += 1
        if done % step == 0 or done == total:
            log.info("%s: %d/%d %s (%.0f%%)", desc, done, total, unit, 100.0 * done / max(total, 1))
