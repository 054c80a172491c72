rule count_kmers:
    input:
        store=rules.ingest.output.store,
    output:
        profiles=result(layout.KMER_PROFILES),
    log:
        layout.log("count_kmers"),
    benchmark:
        layout.benchmark("count_kmers")
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 20),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        options=cli_options(config, "count-kmers"),
    shell:
        "{params.seqsim} count-kmers --store {params.store:q} {params.options}"
        " -o {output.profiles:q} 2> {log:q}"


# One job per block of query rows; blocks run in parallel locally or as
# separate SLURM jobs.
rule score_pairs:
    input:
        rules.count_kmers.output.profiles,
    output:
        pairs=result(layout.KMER_PAIRS),
    log:
        layout.log("score_pairs", layout.BLOCK),
    benchmark:
        layout.benchmark("score_pairs", layout.BLOCK)
    wildcard_constraints:
        block=r"\d+",
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(1000, 20),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        options=cli_options(config, "score-pairs"),
    shell:
        "{params.seqsim} score-pairs --kmers {input:q} --block {wildcards.block}"
        " {params.options} -o {output.pairs:q} 2> {log:q}"


# Every block's k-mer pair table.
KMER_PAIRS = expand(rules.score_pairs.output.pairs, block=BLOCKS)
