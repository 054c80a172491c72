"""K-mer profiles: the distinct k-mers of every sequence, with their counts."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from seqsim.errors import ConfigError, InputError
from seqsim.io import FilePath, write_npz
from seqsim.kernels.kmers import _distinct_kmers
from seqsim.sequences.alphabet import PROTEIN_LETTERS, AlphabetName
from seqsim.sequences.store import SequenceStore, read_store

log = logging.getLogger("seqsim")

# Letters a k-mer may use: the 20 standard amino acids, or ACGT. Windows with
# ambiguity codes (codes at or above the base) are skipped.
KMER_BASE = {"protein": 20, "dna": 4, "rna": 4}
DEFAULT_K = {"protein": 3, "dna": 11, "rna": 11}
# Largest k whose values fit in 63 bits.
MAX_K = {"protein": 14, "dna": 31, "rna": 31}

# Reduced protein alphabets: groups of amino acids counted as one letter, so that
# k-mers of remote homologs match more often (Murphy et al. 2000, Protein Eng
# 13:149; Dayhoff's six exchange groups). Letters outside the groups (B, Z, X,
# *) stay ambiguous and break k-mers.
REDUCED_ALPHABETS: dict[str, str] = {
    "murphy10": "LVIM C AG ST P FYW EDNQ KR H",
    "dayhoff6": "AGPST C DENQ HKR ILMV FWY",
}

PROFILE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class KmerProfiles:
    """Distinct k-mers and counts of each sequence (CSR: ``offsets`` has n+1 entries)."""

    alphabet: AlphabetName
    k: int
    canonical: bool
    values: np.ndarray  # uint64, sorted within each sequence
    counts: np.ndarray  # uint32
    offsets: np.ndarray  # int64

    @property
    def n_sequences(self) -> int:
        return self.offsets.size - 1

    @property
    def n_distinct(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def norms(self) -> np.ndarray:
        owner = np.repeat(np.arange(self.n_sequences), self.n_distinct)
        squares = self.counts.astype(np.float64) ** 2
        return np.sqrt(np.bincount(owner, weights=squares, minlength=self.n_sequences))


def resolve_k(alphabet: AlphabetName, k: int | None) -> int:
    """The k-mer size to use: ``k`` if given (checked), else the alphabet's default."""
    if k is None:
        return DEFAULT_K[alphabet]
    if not 1 <= k <= MAX_K[alphabet]:
        raise ConfigError(f"k = {k} is out of range for {alphabet}: use 1..{MAX_K[alphabet]}")
    return k


def reduction_table(name: str) -> np.ndarray:
    """uint8[256]: protein store code -> reduced letter (group index), 255 for
    letters outside every group."""
    if name not in REDUCED_ALPHABETS:
        raise ConfigError(
            f"unknown reduced alphabet {name!r}; use one of {list(REDUCED_ALPHABETS)}"
        )
    table = np.full(256, 255, dtype=np.uint8)
    for group, letters in enumerate(REDUCED_ALPHABETS[name].split()):
        for letter in letters:
            table[PROTEIN_LETTERS.index(letter)] = group
    return table


def count_kmers(
    store: SequenceStore,
    *,
    k: int | None = None,
    canonical: bool = False,
    reduced_alphabet: str | None = None,
) -> KmerProfiles:
    """Count the distinct k-mers of every sequence in ``store``.

    ``canonical`` (DNA/RNA only) merges each k-mer with its reverse complement;
    ``reduced_alphabet`` (protein only, a name in :data:`REDUCED_ALPHABETS`)
    counts k-mers over amino-acid groups.
    """
    k = resolve_k(store.alphabet, k)
    if canonical and store.alphabet == "protein":
        raise ConfigError("canonical k-mers apply to DNA/RNA only")
    codes = np.ascontiguousarray(store.codes, dtype=np.uint8)
    base = KMER_BASE[store.alphabet]
    if reduced_alphabet is not None:
        if store.alphabet != "protein":
            raise ConfigError("reduced alphabets apply to proteins only")
        codes = reduction_table(reduced_alphabet)[codes]
        base = len(REDUCED_ALPHABETS[reduced_alphabet].split())
    values, counts, offsets = _distinct_kmers(
        codes, store.offsets.astype(np.int64), k, base, canonical
    )
    profiles = KmerProfiles(store.alphabet, k, canonical, values, counts, offsets)
    n_empty = int((profiles.n_distinct == 0).sum())
    log.info(
        "counted %d distinct %d-mers over %d sequences (%d too short or ambiguous for any k-mer)",
        values.size,
        k,
        store.n_sequences,
        n_empty,
    )
    return profiles


def write_profiles(profiles: KmerProfiles, path: str | os.PathLike[str]) -> None:
    write_npz(
        {
            "format_version": np.int64(PROFILE_FORMAT_VERSION),
            "alphabet": np.str_(profiles.alphabet),
            "k": np.int64(profiles.k),
            "canonical": np.bool_(profiles.canonical),
            "values": profiles.values,
            "counts": profiles.counts,
            "offsets": profiles.offsets,
        },
        path,
    )


def _alphabet_name(name: str, path: str | os.PathLike[str]) -> AlphabetName:
    if name not in KMER_BASE:
        raise InputError(path, f"k-mer profiles of an unknown alphabet {name!r}")
    return cast(AlphabetName, name)


def read_profiles(path: str | os.PathLike[str]) -> KmerProfiles:
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            if int(data["format_version"]) != PROFILE_FORMAT_VERSION:
                raise InputError(path, "k-mer profile format is not supported; recount k-mers")
            return KmerProfiles(
                alphabet=_alphabet_name(str(data["alphabet"]), path),
                k=int(data["k"]),
                canonical=bool(data["canonical"]),
                values=data["values"],
                counts=data["counts"],
                offsets=data["offsets"],
            )
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (KeyError, ValueError, OSError) as error:
        raise InputError(path, f"not a seqsim k-mer profile file ({error})") from None


def write_kmer_profiles(
    store: FilePath,
    output: FilePath,
    *,
    k: int | None = None,
    canonical: bool = False,
    reduced_alphabet: str | None = None,
) -> KmerProfiles:
    """``seqsim count-kmers``: :func:`count_kmers` of a store folder, written to ``output``."""
    profiles = count_kmers(
        read_store(store), k=k, canonical=canonical, reduced_alphabet=reduced_alphabet
    )
    write_profiles(profiles, output)
    return profiles
