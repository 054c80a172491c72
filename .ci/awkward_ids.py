"""Write a copy of a FASTA file whose IDs use every character that trips a
downstream format (PHYLIP, Newick, TSV, clearcut's number parser).

Usage: python .ci/awkward_ids.py IN.fasta OUT.fasta
"""

import sys

from Bio.SeqIO.FastaIO import SimpleFastaParser

PATTERNS = [
    "UniRef50:seq{i}", "chr1:{i}-{j}", "p({i})", "c,{i};", "q'{i}", 'd"{i}', "u_{i}",
    "[{i}]", "{i:03d}", "{i}e5", "#{i}", "a=b|{i}", "{i}.5",
]  # fmt: skip
ONCE = ["NA", "nan", "inf", "-", "seq2"]  # 'seq2': a real ID equal to a generated name


def main(source: str, target: str) -> None:
    with open(source) as handle, open(target, "w") as out:
        for i, (_, sequence) in enumerate(SimpleFastaParser(handle)):
            name = ONCE[i] if i < len(ONCE) else PATTERNS[i % len(PATTERNS)].format(i=i, j=i + 99)
            out.write(f">{name} renamed from record {i + 1}\n{sequence}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
