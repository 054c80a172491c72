rule count_kmers:
    input:
        store=STORE_FILES,
    output:
        f"{RESULTS}/kmers/profiles.npz",
    log:
        f"{LOGS}/count_kmers/count_kmers.log",
    benchmark:
        f"{BENCHMARKS}/count_kmers.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 20),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        k=optional("-k", config["kmers"]["k"]),
        canonical="--canonical" if config["kmers"]["canonical"] else "",
        reduced=optional("--reduced-alphabet", config["kmers"]["reduced_alphabet"]),
    shell:
        "{params.seqsim} count-kmers --store {params.store:q} {params.k} {params.canonical}"
        " {params.reduced}"
        " -o {output:q} 2> {log:q}"


# One job per block of query rows; blocks run in parallel locally or as
# separate SLURM jobs.
rule score_pairs:
    input:
        rules.count_kmers.output,
    output:
        f"{RESULTS}/kmers/pairs_block_{{block}}.parquet",
    log:
        f"{LOGS}/score_pairs/block_{{block}}.log",
    benchmark:
        f"{BENCHMARKS}/score_pairs/block_{{block}}.tsv"
    wildcard_constraints:
        block=r"\d+",
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(1000, 20),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        n_blocks=len(BLOCKS),
        min_shared=config["pairs"]["min_shared_kmers"],
    shell:
        "{params.seqsim} score-pairs --kmers {input:q} --block {wildcards.block}"
        " --n-blocks {params.n_blocks} --min-shared {params.min_shared} -o {output:q} 2> {log:q}"


KMER_PAIRS = expand(f"{RESULTS}/kmers/pairs_block_{{block}}.parquet", block=BLOCKS)
