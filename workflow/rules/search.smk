# The upper triangle's tiles (query block, target block), as expand()'s zip
# wildcards: n_blocks (n_blocks + 1) / 2 jobs.
TILES = {
    "block": [a for a in BLOCKS for b in BLOCKS if a <= b],
    "target": [b for a in BLOCKS for b in BLOCKS if a <= b],
}


# One job per tile of the all-vs-all's upper triangle (query block x target
# block, pairs.n_blocks blocks): each pair is aligned in one job, once. On a
# cluster, `--group-components search_tiles=K` runs K tiles per submitted job
# (the SLURM profile sets it); locally the group changes nothing.
rule search:
    input:
        store=rules.ingest.output.store,
    output:
        hits=result(layout.SEARCH_HITS),
        pairs=result(layout.SEARCH_PAIRS),
    log:
        layout.log("search", layout.TILE),
    benchmark:
        layout.benchmark("search", layout.TILE)
    wildcard_constraints:
        block=r"\d+",
        target=r"\d+",
    group:
        "search_tiles"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=job_memory(1000, 50),
        runtime=job_runtime(60, 5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        # the store keeps its alphabet; extra columns are tabulate_hits'
        options=cli_options(config, "search", skip=("alphabet", "search.extra_columns")),
    shell:
        "{params.seqsim} search --store {params.store:q} --block {wildcards.block}"
        " --target-block {wildcards.target} {params.options} --threads {threads}"
        " --hits-out {output.hits:q} --pairs-out {output.pairs:q}"
        " --spill-dir {resources.tmpdir:q} 2> {log:q}"


# Every tile's hits and pair table (the scorer, matrix and cluster read them).
SEARCH_HITS = expand(rules.search.output.hits, zip, **TILES)
SEARCH_PAIRS = expand(rules.search.output.pairs, zip, **TILES)


rule tabulate_hits:
    input:
        store=rules.ingest.output.store,
        hits=SEARCH_HITS,
    output:
        table=result(layout.HITS_TABLE),
    log:
        layout.log("tabulate_hits"),
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        options=cli_options(config, "tabulate-hits"),
    shell:
        "{params.seqsim} tabulate-hits --store {params.store:q} --hits {input.hits:q}"
        " {params.options} -o {output.table:q} 2> {log:q}"
