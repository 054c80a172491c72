"""From pair tables to clusters: links and clustering methods
(:mod:`~seqsim.clusters.methods`), what a clustering tells about each member
and CD-HIT's layout (:mod:`~seqsim.clusters.outputs`), and ``seqsim cluster``
as one call (:mod:`~seqsim.clusters.api`)."""
