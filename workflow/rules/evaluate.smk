# Sensitivity up to the first false positive of the run's rankings (each
# query's hits by E-value; its scored pairs by probability) against labels of
# the inputs: the report's sensitivity curves. Only when labels are known
# (evaluation.labels, or the scorer's training labels of the inputs).
rule evaluate:
    input:
        store=STORE_FILES,
        hits=f"{RESULTS}/search/hits.tsv",
        scored=lambda wildcards: SCORED_PAIRS if scorer_in_use() else [],
        labels=lambda wildcards: evaluation_labels(),
    output:
        plot=report(
            EVALUATION[0],
            caption="../report/sensitivity.rst",
            category="Evaluation",
        ),
        summary=EVALUATION[1],
    log:
        f"{LOGS}/evaluate/evaluate.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 20),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        scored=lambda wildcards, input: (
            f"--scored-pairs {shlex.quote(input.scored)}" if input.scored else ""
        ),
    shell:
        "{params.seqsim} evaluate --hits {input.hits:q} --labels {input.labels:q}"
        " --store {params.store:q} {params.scored} --summary {output.summary:q}"
        " --plot {output.plot:q} > {log:q} 2>&1"
