SEARCH = config["search"]


# One job per block of query rows, each against every sequence.
rule search:
    input:
        store=STORE_FILES,
    output:
        hits=f"{RESULTS}/search/hits_block_{{block}}.parquet",
        pairs=f"{RESULTS}/search/pairs_block_{{block}}.parquet",
    log:
        f"{LOGS}/search/block_{{block}}.log",
    benchmark:
        f"{BENCHMARKS}/search/block_{{block}}.tsv"
    wildcard_constraints:
        block=r"\d+",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=job_memory(1000, 50),
        runtime=job_runtime(60, 5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        n_blocks=len(BLOCKS),
        scoring=" ".join(
            optional(f"--{key.replace('_', '-')}", SEARCH[key])
            for key in (
                "matrix",
                "match_score",
                "mismatch_score",
                "open_gap_score",
                "extend_gap_score",
            )
        ),
        max_evalue=SEARCH["max_evalue"],
        exhaustive="--exhaustive" if SEARCH["exhaustive"] else "",
        prefilter=prefilter_options(SEARCH),
    shell:
        "{params.seqsim} search --store {params.store:q} --block {wildcards.block}"
        " --n-blocks {params.n_blocks} {params.scoring} --evalue {params.max_evalue}"
        " {params.exhaustive} {params.prefilter} --threads {threads} --hits-out {output.hits:q}"
        " --pairs-out {output.pairs:q} 2> {log:q}"


rule tabulate_hits:
    input:
        store=STORE_FILES,
        hits=expand(f"{RESULTS}/search/hits_block_{{block}}.parquet", block=BLOCKS),
    output:
        f"{RESULTS}/search/hits.tsv",
    log:
        f"{LOGS}/tabulate_hits/tabulate_hits.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        extra=",".join(SEARCH["extra_columns"]),
    shell:
        "{params.seqsim} tabulate-hits --store {params.store:q} --hits {input.hits:q}"
        " --extra-columns '{params.extra}' -o {output:q} 2> {log:q}"


SEARCH_PAIRS = expand(f"{RESULTS}/search/pairs_block_{{block}}.parquet", block=BLOCKS)
