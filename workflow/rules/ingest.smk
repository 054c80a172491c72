STORE_FILES = multiext(
    f"{RESULTS}/store/",
    "codes.npy",
    "offsets.npy",
    "records.parquet",
    "copies.parquet",
    "store.json",
)


checkpoint ingest:
    input:
        input_fastas(),
    output:
        store=STORE_FILES,
        rejected=f"{RESULTS}/rejected.tsv",
        summary=f"{RESULTS}/store/ingest.json",
    log:
        f"{LOGS}/ingest/ingest.log",
    benchmark:
        f"{BENCHMARKS}/ingest.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500, 10),
        runtime=job_runtime(10, 0.2),
    params:
        seqsim=SEQSIM,
        out_dir=folder_of("store", "output"),
        alphabet=config["alphabet"],
        on_invalid=config["on_invalid"],
        dedupe="--dedupe" if DEDUPE else "",
    shell:
        "{params.seqsim} ingest {input:q} --out-dir {params.out_dir:q} --rejected {output.rejected:q}"
        " --summary {output.summary:q} --alphabet {params.alphabet}"
        " --on-invalid {params.on_invalid} {params.dedupe} 2> {log:q}"


rule fetch_scope:
    output:
        fasta=f"{RESULTS}/scope/scope.fasta",
        labels=f"{RESULTS}/scope/labels.tsv",
    log:
        f"{LOGS}/fetch_scope/fetch_scope.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=job_memory(500),
        runtime=job_runtime(30),
    params:
        seqsim=SEQSIM,
        release=config["scope"]["release"],
        identity=config["scope"]["identity"],
        sha256=optional("--sha256", config["scope"]["sha256"]),
    shell:
        "{params.seqsim} fetch-scope --release {params.release} --identity {params.identity}"
        " {params.sha256} --out-fasta {output.fasta:q} --out-labels {output.labels:q} 2> {log:q}"
