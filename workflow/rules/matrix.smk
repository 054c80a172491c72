rule similarity_matrix:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
    output:
        npy=report(
            f"{RESULTS}/matrix/similarity.npy",
            caption="../report/similarity.rst",
            category="Similarity",
        ),
        tsv=f"{RESULTS}/matrix/similarity.tsv",
        ids=f"{RESULTS}/matrix/ids.txt",
        phylip=f"{RESULTS}/matrix/distance.phy",
        tree=f"{RESULTS}/matrix/upgma.nwk",
        plot=report(
            f"{RESULTS}/matrix/similarity.png",
            caption="../report/heatmap.rst",
            category="Similarity",
        ),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        max_sequences=config["similarity"]["max_sequences"],
    log:
        f"{LOGS}/similarity_matrix/similarity_matrix.log",
    conda:
        CONDA_ENV
    shell:
        "{params.seqsim} similarity-matrix --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} --max-sequences {params.max_sequences}"
        " --npy {output.npy:q} --tsv {output.tsv:q} --ids {output.ids:q}"
        " --phylip {output.phylip:q} --plot {output.plot:q}"
        " --tree {output.tree:q} 2> {log:q}"
