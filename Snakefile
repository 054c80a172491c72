# seqsim: all-vs-all sequence similarity, clusters and distance matrices.
# Usage: snakemake --cores 2   (see README.md)

from snakemake.utils import min_version

min_version("9.0")


# Defaults from this checkout; a user's --configfile or --config overrides them.
configfile: workflow.source_path("config.yaml")


report: "workflow/report/workflow.rst"


# Each rules file names the outputs of the files before it (rules.X.output)
# and uses only what they define: the scorer comes before similarity.smk
# (which reads its scored pairs) and the matrix and clusters (which read the
# similarity it chooses). common.smk holds the config and what several share.
include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/kmers.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/scorer.smk"
include: "workflow/rules/similarity.smk"
include: "workflow/rules/matrix.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/evaluate.smk"


onstart:
    remove_stale_temporaries()


onerror:
    show_job_errors()


# Each stage's outputs that the run ends with; the dense matrix, the scored
# pairs, the sensitivity curves and the run's reliability diagram only where
# they apply.
rule all:
    default_target: True
    input:
        rules.ingest.output.rejected,
        rules.tabulate_hits.output,
        lambda wildcards: rules.score.output if scorer_in_use() else [],
        TRAINED_OUTPUTS,
        rules.similarity_edges.output,
        lambda wildcards: rules.similarity_matrix.output if dense_outputs_fit() else [],
        rules.cluster.output,
        rules.evaluate.output if EVALUATION_LABELS else [],
        lambda wildcards: (
            rules.reliability.output if EVALUATION_LABELS and scorer_in_use() else []
        ),
