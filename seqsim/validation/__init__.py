"""Checking seqsim against ground truth: the family simulator, the SCOPe
sensitivity evaluation, and real data sets fetched from their source."""
