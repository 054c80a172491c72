"""The search: prefilters, the engine (exact scores, E-values, traceback),
BLAST tabular output, pair tables, and the one-call :func:`seqsim.search`."""
