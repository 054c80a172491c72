# Labels of the inputs for the sensitivity curves, or None: evaluation.labels,
# else scorer.labels when they label the inputs (the scorer's training set).
EVALUATION_LABELS = config["evaluation"]["labels"] or (
    SCORER["labels"] if SCORER["labels"] and SCORER["sequences"] in (None, *INPUT_FASTAS) else None
)


# Sensitivity up to the first false positive of the run's rankings (each
# query's hits by E-value; its scored pairs by probability) against labels of
# the inputs: the report's sensitivity curves. Only when labels are known
# (evaluation.labels, or the scorer's training labels of the inputs).
rule evaluate:
    input:
        store=rules.ingest.output.store,
        hits=rules.tabulate_hits.output.table,
        scored=lambda wildcards: rules.score.output.pairs if scorer_in_use() else [],
        labels=lambda wildcards: EVALUATION_LABELS,
    output:
        plot=report(
            result(layout.SENSITIVITY_PLOT),
            caption="../report/sensitivity.rst",
            category="Evaluation",
        ),
        summary=result(layout.SENSITIVITY_TSV),
    log:
        layout.log("evaluate"),
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


# The run's own reliability diagram: the share of homologs among its scored
# pairs per tenth of probability, against labels of the inputs. Only when a
# scorer scores the inputs and labels are known.
rule reliability:
    input:
        store=rules.ingest.output.store,
        hits=rules.tabulate_hits.output.table,
        scored=rules.score.output.pairs,
        labels=lambda wildcards: EVALUATION_LABELS,
    output:
        plot=report(
            result(layout.RUN_RELIABILITY_PLOT),
            caption="../report/run_reliability.rst",
            category="Evaluation",
        ),
        table=result(layout.RUN_RELIABILITY_TSV),
    log:
        layout.log("reliability"),
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 20),
        runtime=job_runtime(10, 0.5),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
    shell:
        "{params.seqsim} evaluate --hits {input.hits:q} --labels {input.labels:q}"
        " --store {params.store:q} --scored-pairs {input.scored:q}"
        " --reliability {output.table:q} --reliability-plot {output.plot:q} > {log:q} 2>&1"
