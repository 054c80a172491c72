"""K-mers: profiles of each sequence, k-mer pair features, MinHash sketches
and Mash distances."""
