rule cluster:
    input:
        store=rules.ingest.output.store,
        pairs=similarity_pairs,
        alignment_pairs=cluster_alignment_pairs,
    output:
        tsv=report(
            result(layout.CLUSTERS),
            caption="../report/clusters.rst",
            category="Clusters",
        ),
        clstr=result(layout.CLSTR),
        representatives=result(layout.REPRESENTATIVES),
        members=result(layout.MEMBERS),
        sizes=report(
            result(layout.SIZES_PLOT),
            caption="../report/sizes.rst",
            category="Clusters",
        ),
    log:
        layout.log("cluster"),
    benchmark:
        layout.benchmark("cluster")
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        feature=feature_of,
        # a null cluster.min_similarity is left to the command, which resolves it by feature
        options=cli_options(config, "cluster", skip=("similarity.feature",)),
        alignment_pairs=listed("--alignment-pairs", "alignment_pairs"),
    shell:
        "{params.seqsim} cluster --store {params.store:q} --pairs {input.pairs:q}"
        " --feature {params.feature} {params.options} {params.alignment_pairs} -o {output.tsv:q}"
        " --clstr {output.clstr:q} --representatives {output.representatives:q}"
        " --members {output.members:q} --sizes-plot {output.sizes:q} 2> {log:q}"
