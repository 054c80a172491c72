"""What a simulation makes: :class:`SimulationParams`, with per-alphabet
defaults, checked on construction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqsim.errors import ConfigError
from seqsim.validation.simulate.models import HKY_KAPPA, SimulatedAlphabet, model_for

_ALPHABET_DEFAULTS: dict[str, dict[str, Any]] = {
    "protein": {
        "n_superfamilies": 8,
        "families_per_superfamily": 3,
        "members_per_family": (8, 16),
        "length_range": (80, 300),
        "identity_range": (0.27, 0.92),
        "superfamily_identity_range": (0.22, 0.32),
        "indel_rate": 0.03,
        "n_singletons": 10,
        "min_length": 30,
    },
    "dna": {
        "n_superfamilies": 5,
        "families_per_superfamily": 3,
        "members_per_family": (6, 12),
        "length_range": (200, 600),
        "identity_range": (0.55, 0.95),
        "superfamily_identity_range": (0.40, 0.50),
        "indel_rate": 0.02,
        "n_singletons": 5,
        "min_length": 60,
    },
}


@dataclass(frozen=True)
class SimulationParams:
    """Parameters of :func:`simulate_families`.

    Use :meth:`for_alphabet` to get the defaults of an alphabet (the field
    defaults are the protein ones).

    Attributes
    ----------
    alphabet
        ``"protein"`` (BLOSUM62-derived model) or ``"dna"`` (HKY85).
    n_superfamilies
        Superfamilies with ``families_per_superfamily`` families each.
    families_per_superfamily
        Families per superfamily; their ancestors are remote homologs.
    members_per_family
        Inclusive range the number of members of each family is drawn from.
    length_range
        Inclusive range the superfamily root (and singleton) lengths are drawn from.
    identity_range
        Target mean pairwise true identity within families; the targets of all
        families are spread evenly over this range (in random order).
    superfamily_identity_range
        Range the expected identity between two family ancestors of one
        superfamily is drawn from (one draw per superfamily).
    indel_rate
        Indel events per site per unit branch length.
    mean_indel_length
        Mean of the geometric indel length distribution (capped at ``max_indel_length``).
    max_indel_length
        Longest insertion or deletion.
    min_length
        Deletions that would leave a sequence shorter than this are skipped.
    n_singletons
        Unrelated sequences (each its own superfamily and family).
    gamma_alpha, gamma_categories
        Discrete-Gamma site-rate heterogeneity.
    kappa
        HKY85 transition/transversion ratio (DNA only).
    seed
        Seed of ``numpy.random.default_rng``.
    """

    alphabet: SimulatedAlphabet = "protein"
    n_superfamilies: int = 8
    families_per_superfamily: int = 3
    members_per_family: tuple[int, int] = (8, 16)
    length_range: tuple[int, int] = (80, 300)
    identity_range: tuple[float, float] = (0.27, 0.92)
    superfamily_identity_range: tuple[float, float] = (0.22, 0.32)
    indel_rate: float = 0.03
    mean_indel_length: float = 2.5
    max_indel_length: int = 10
    min_length: int = 30
    n_singletons: int = 10
    gamma_alpha: float = 1.0
    gamma_categories: int = 4
    kappa: float = HKY_KAPPA
    seed: int = 1

    @classmethod
    def for_alphabet(cls, alphabet: str, **overrides: Any) -> SimulationParams:
        """Parameters with the defaults of ``alphabet``, updated by ``overrides``."""
        if alphabet not in _ALPHABET_DEFAULTS:
            raise ConfigError(f"alphabet must be 'protein' or 'dna', not {alphabet!r}")
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown simulation parameter(s): {', '.join(sorted(unknown))}")
        values = {**_ALPHABET_DEFAULTS[alphabet], **overrides, "alphabet": alphabet}
        return cls(**values)

    @staticmethod
    def defaults(alphabet: str) -> Mapping[str, Any]:
        """The per-alphabet defaults used by :meth:`for_alphabet`."""
        return dict(_ALPHABET_DEFAULTS[alphabet])

    def __post_init__(self) -> None:
        for name in ("members_per_family", "length_range"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        for name in ("identity_range", "superfamily_identity_range"):
            object.__setattr__(self, name, tuple(float(v) for v in getattr(self, name)))
        self._validate()

    def _validate(self) -> None:
        def fail(message: str) -> None:
            raise ConfigError(message)

        if self.alphabet not in _ALPHABET_DEFAULTS:
            fail(f"alphabet must be 'protein' or 'dna', not {self.alphabet!r}")
        for name in (
            "n_superfamilies",
            "families_per_superfamily",
            "max_indel_length",
            "min_length",
            "n_singletons",
            "gamma_categories",
            "seed",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                fail(f"{name} must be an integer, not {value!r}")
        if self.n_superfamilies < 0 or self.n_singletons < 0:
            fail("n_superfamilies and n_singletons must be >= 0")
        if self.n_superfamilies == 0 and self.n_singletons == 0:
            fail("nothing to simulate: n_superfamilies and n_singletons are both 0")
        if self.families_per_superfamily < 1:
            fail(f"families_per_superfamily must be >= 1, not {self.families_per_superfamily}")
        for name in ("members_per_family", "length_range", "identity_range"):
            if len(getattr(self, name)) != 2:
                fail(f"{name} must be a (low, high) pair")
        lo, hi = self.members_per_family
        if not 2 <= lo <= hi <= 1000:
            fail(f"members_per_family must satisfy 2 <= low <= high <= 1000, not {lo}..{hi}")
        if self.min_length < 1:
            fail(f"min_length must be >= 1, not {self.min_length}")
        lo, hi = self.length_range
        if not self.min_length <= lo <= hi <= 100_000:
            fail(
                f"length_range must satisfy min_length ({self.min_length}) <= low <= high"
                f" <= 100000, not {lo}..{hi}"
            )
        if not 0.0 < self.kappa <= 100.0:
            fail(f"kappa must be in (0, 100], not {self.kappa}")
        floor = model_for(self.alphabet, kappa=self.kappa).floor_identity() + 0.05
        for name in ("identity_range", "superfamily_identity_range"):
            lo, hi = getattr(self, name)
            if not floor <= lo <= hi <= 0.99:
                fail(
                    f"{name} must satisfy {floor:.2f} <= low <= high <= 0.99 for"
                    f" {self.alphabet} (unrelated sequences are ~{floor - 0.05:.2f}"
                    f" identical), not {lo}..{hi}"
                )
        if not 0.0 <= self.indel_rate <= 1.0:
            fail(f"indel_rate must be in [0, 1], not {self.indel_rate}")
        if not 1.0 <= self.mean_indel_length <= self.max_indel_length:
            fail(
                f"mean_indel_length must be in [1, max_indel_length={self.max_indel_length}],"
                f" not {self.mean_indel_length}"
            )
        if not 0.05 <= self.gamma_alpha <= 100.0:
            fail(f"gamma_alpha must be in [0.05, 100], not {self.gamma_alpha}")
        if not 1 <= self.gamma_categories <= 16:
            fail(f"gamma_categories must be in 1..16, not {self.gamma_categories}")
        if self.seed < 0:
            fail(f"seed must be >= 0, not {self.seed}")
