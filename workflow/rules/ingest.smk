rule fetch_scope:
    output:
        fasta=result(layout.SCOPE_FASTA),
        labels=result(layout.SCOPE_LABELS),
    log:
        layout.log("fetch_scope"),
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500),
        runtime=job_runtime(30),
    params:
        seqsim=SEQSIM,
        options=cli_options(config, "fetch-scope"),
    shell:
        "{params.seqsim} fetch-scope {params.options} --out-fasta {output.fasta:q}"
        " --out-labels {output.labels:q} 2> {log:q}"


# The FASTA files ingest reads: SCOPe's (scope.enabled), else config `inputs`.
INPUT_FASTAS = [rules.fetch_scope.output.fasta] if config["scope"]["enabled"] else config["inputs"]


checkpoint ingest:
    input:
        INPUT_FASTAS,
    output:
        store=multiext(result(f"{layout.STORE}/"), *layout.STORE_FILES),
        rejected=result(layout.REJECTED),
        summary=result(layout.INGEST_SUMMARY),
    log:
        layout.log("ingest"),
    benchmark:
        layout.benchmark("ingest")
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.2),
    params:
        seqsim=SEQSIM,
        out_dir=folder_of("store", "output"),
        options=cli_options(config, "ingest"),
    shell:
        "{params.seqsim} ingest {input:q} --out-dir {params.out_dir:q} --rejected {output.rejected:q}"
        " --summary {output.summary:q} {params.options} 2> {log:q}"
