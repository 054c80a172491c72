"""numba kernels: arrays in, arrays out; no I/O, logging or Biopython objects.

Each private ``_kernel`` sits behind a public wrapper (in :mod:`seqsim.kmers.profiles`
and friends) that checks inputs and sets dtypes.
"""

# One place for the jit flags every kernel uses.
JIT_OPTIONS = {"nopython": True, "nogil": True, "cache": True}
