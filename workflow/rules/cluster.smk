rule cluster:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
    output:
        report(
            f"{RESULTS}/clusters/clusters.tsv",
            caption="../report/clusters.rst",
            category="Clusters",
        ),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        method=config["cluster"]["method"],
        min_similarity=cluster_threshold,
    log:
        f"{LOGS}/cluster/cluster.log",
    conda:
        CONDA_ENV
    shell:
        "{params.seqsim} cluster --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} --method {params.method}"
        " --min-similarity {params.min_similarity} -o {output:q} 2> {log:q}"
