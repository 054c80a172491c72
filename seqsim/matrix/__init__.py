"""From pair tables to what users read: the similarity matrix, PHYLIP
distances and UPGMA and neighbour-joining trees (clusters:
:mod:`seqsim.clusters`)."""
