"""Alignment: scoring schemes, pairwise Smith-Waterman/Needleman-Wunsch with
traceback, the SIMD batch aligner, Karlin-Altschul statistics."""
