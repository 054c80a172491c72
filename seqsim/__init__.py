"""seqsim: all-vs-all sequence similarity, clusters and distance matrices."""

__version__ = "0.1.0"
