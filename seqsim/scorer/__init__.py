"""The learned homology scorer: a shared-weight sequence encoder, a pair head
that combines embedding similarity with alignment features, its loss, safe
checkpoints and probability calibration. Each part is its own module."""
