"""The search: prefilters, the engine (exact scores, E-values, traceback),
BLAST tabular output, and the one-call :func:`seqsim.search` (its pair
tables: :mod:`seqsim.pair_tables`)."""
