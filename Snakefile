# seqsim: all-vs-all sequence similarity, clusters and distance matrices.
# Usage: snakemake --cores 2   (see README.md)

from snakemake.utils import min_version

min_version("9.0")


# Defaults from this checkout; a user's --configfile or --config overrides them.
configfile: workflow.source_path("config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/kmers.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/matrix.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/scorer.smk"
include: "workflow/rules/evaluate.smk"


onstart:
    remove_stale_temporaries()


onerror:
    show_job_errors()


rule all:
    default_target: True
    input:
        final_outputs,
