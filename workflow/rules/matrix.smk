rule similarity_edges:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        edges=f"{RESULTS}/matrix/edges.parquet",
        ids=f"{RESULTS}/matrix/ids.tsv",
    log:
        f"{LOGS}/similarity_edges/similarity_edges.log",
    conda:
        CONDA_ENV
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        distance=distance_options,
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.distance}"
        " --edges {output.edges:q} --id-table {output.ids:q} 2> {log:q}"


rule similarity_matrix:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
        # not unpack(): in SLURM job steps the unpacked names were missing
        distance_pairs=distance_pairs,
    output:
        npy=report(
            f"{RESULTS}/matrix/similarity.npy",
            caption="../report/similarity.rst",
            category="Similarity",
        ),
        tsv=f"{RESULTS}/matrix/similarity.tsv",
        ids=f"{RESULTS}/matrix/ids.txt",
        phylip=f"{RESULTS}/matrix/distance.phy",
        phylip_strict=f"{RESULTS}/matrix/distance.strict.phy",
        tree=f"{RESULTS}/matrix/upgma.nwk",
        nj_tree=f"{RESULTS}/matrix/nj.nwk",
        plot=report(
            f"{RESULTS}/matrix/similarity.png",
            caption="../report/heatmap.rst",
            category="Similarity",
        ),
    log:
        f"{LOGS}/similarity_matrix/similarity_matrix.log",
    conda:
        CONDA_ENV
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
