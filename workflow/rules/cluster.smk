rule cluster:
    input:
        store=STORE_FILES,
        pairs=similarity_pairs,
        alignment_pairs=cluster_alignment_pairs,
    output:
        tsv=report(
            f"{RESULTS}/clusters/clusters.tsv",
            caption="../report/clusters.rst",
            category="Clusters",
        ),
        clstr=f"{RESULTS}/clusters/clusters.clstr",
        representatives=f"{RESULTS}/clusters/representatives.fasta",
        members=f"{RESULTS}/clusters/members.tsv",
        sizes=report(
            f"{RESULTS}/clusters/sizes.png",
            caption="../report/sizes.rst",
            category="Clusters",
        ),
    log:
        f"{LOGS}/cluster/cluster.log",
    benchmark:
        f"{BENCHMARKS}/cluster.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        method=config["cluster"]["method"],
        min_similarity=cluster_threshold,
        options=cluster_options,
    shell:
        "{params.seqsim} cluster --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} --method {params.method}"
        " --min-similarity {params.min_similarity} {params.options} -o {output.tsv:q}"
        " --clstr {output.clstr:q} --representatives {output.representatives:q}"
        " --members {output.members:q} --sizes-plot {output.sizes:q} 2> {log:q}"
