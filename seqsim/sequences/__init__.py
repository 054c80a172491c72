"""Input: alphabets and residue policy, FASTA reading, validated ingest, the
encoded sequence store every later stage reads."""
