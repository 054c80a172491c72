rule similarity_edges:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        edges=f"{RESULTS}/matrix/edges.parquet",
        ids=f"{RESULTS}/matrix/ids.tsv",
        distribution=report(
            f"{RESULTS}/matrix/similarity_distribution.png",
            caption="../report/distribution.rst",
            category="Similarity",
        ),
    log:
        f"{LOGS}/similarity_edges/similarity_edges.log",
    benchmark:
        f"{BENCHMARKS}/similarity_edges.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        distance=distance_options,
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.distance}"
        " --edges {output.edges:q} --id-table {output.ids:q}"
        " --distribution-plot {output.distribution:q} 2> {log:q}"


rule similarity_matrix:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        # The binary matrix stays out of the report (it would be embedded as text).
        npy=f"{RESULTS}/matrix/similarity.npy",
        tsv=f"{RESULTS}/matrix/similarity.tsv",
        ids=f"{RESULTS}/matrix/ids.txt",
        phylip=f"{RESULTS}/matrix/distance.phy",
        phylip_strict=f"{RESULTS}/matrix/distance.strict.phy",
        tree=f"{RESULTS}/matrix/upgma.nwk",
        nj_tree=f"{RESULTS}/matrix/nj.nwk",
        plot=report(
            f"{RESULTS}/matrix/similarity.png",
            caption="../report/similarity.rst",
            category="Similarity",
        ),
    log:
        f"{LOGS}/similarity_matrix/similarity_matrix.log",
    benchmark:
        f"{BENCHMARKS}/similarity_matrix.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10, 40),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        distance=distance_options,
        layout=config["similarity"].get("phylip_layout", "square"),
        max_sequences=config["similarity"]["max_sequences"],
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.distance} --max-sequences {params.max_sequences}"
        " --npy {output.npy:q} --tsv {output.tsv:q} --ids {output.ids:q}"
        " --phylip {output.phylip:q} --phylip-strict {output.phylip_strict:q}"
        " --phylip-layout {params.layout} --plot {output.plot:q}"
        " --tree {output.tree:q} --nj-tree {output.nj_tree:q} 2> {log:q}"
