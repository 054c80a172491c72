rule similarity_edges:
    input:
        store=rules.ingest.output.store,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        edges=result(layout.EDGES),
        ids=result(layout.EDGE_IDS),
        distribution=report(
            result(layout.DISTRIBUTION_PLOT),
            caption="../report/distribution.rst",
            category="Similarity",
        ),
    log:
        layout.log("similarity_edges"),
    benchmark:
        layout.benchmark("similarity_edges")
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        # the feature as the inputs decide it (similarity.smk)
        options=cli_options(config, "similarity-matrix", skip=("similarity.feature",)),
        distance_pairs=listed("--distance-pairs", "distance_pairs"),
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.options} {params.distance_pairs}"
        " --edges {output.edges:q} --id-table {output.ids:q}"
        " --distribution-plot {output.distribution:q} 2> {log:q}"


rule similarity_matrix:
    input:
        store=rules.ingest.output.store,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        # The binary matrix stays out of the report (it would be embedded as text).
        npy=result(layout.SIMILARITY_NPY),
        tsv=result(layout.SIMILARITY_TSV),
        ids=result(layout.MATRIX_IDS),
        phylip=result(layout.PHYLIP),
        phylip_strict=result(layout.PHYLIP_STRICT),
        tree=result(layout.UPGMA_TREE),
        nj_tree=result(layout.NJ_TREE),
        plot=report(
            result(layout.SIMILARITY_PLOT),
            caption="../report/similarity.rst",
            category="Similarity",
        ),
    log:
        layout.log("similarity_matrix"),
    benchmark:
        layout.benchmark("similarity_matrix")
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10, 40),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        # the feature as the inputs decide it (similarity.smk)
        options=cli_options(config, "similarity-matrix", skip=("similarity.feature",)),
        distance_pairs=listed("--distance-pairs", "distance_pairs"),
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.options} {params.distance_pairs}"
        " --npy {output.npy:q} --tsv {output.tsv:q} --ids {output.ids:q}"
        " --phylip {output.phylip:q} --phylip-strict {output.phylip_strict:q}"
        " --plot {output.plot:q}"
        " --tree {output.tree:q} --nj-tree {output.nj_tree:q} 2> {log:q}"
