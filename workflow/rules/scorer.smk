# The learned homology scorer. Without labels, `score` uses the model seqsim
# ships for the inputs' alphabet (proteins: SCOPe40, DNA/RNA: Rfam; see
# seqsim/scorer/pretrained/). With scorer.labels or scorer.pairs, `train`
# learns one first (on scorer.sequences, or on the inputs) and it replaces
# the shipped one.
rule train:
    input:
        unpack(train_inputs),
    output:
        model=f"{RESULTS}/scorer/model.safetensors",
        reliability=report(
            f"{RESULTS}/scorer/reliability.png",
            caption="../report/reliability.rst",
            category="Learned scorer",
        ),
    log:
        f"{LOGS}/train/train.log",
    benchmark:
        f"{BENCHMARKS}/train.tsv"
    conda:
        CONDA_ENV
    threads: 2
    resources:
        mem_mb=job_memory(2000, 20),
        runtime=job_runtime(60, 2),
    params:
        seqsim=SEQSIM,
        sequences=lambda wildcards, input: (
            shlex.quote(input.sequences)
            if "sequences" in input.keys()
            else f"--store {shlex.quote(os.path.dirname(input.store[0]))}"
        ),
        given="--pairs" if SCORER["pairs"] else "--labels",
        kind=SCORER["kind"],
        level=SCORER["level"],
        seed=SCORER["seed"],
        encoder_steps=SCORER["encoder_steps"],
    shell:
        "{params.seqsim} train {params.sequences} {params.given} {input.labels:q}"
        " --kind {params.kind} --level {params.level} --seed {params.seed}"
        " --encoder-steps {params.encoder_steps} --threads {threads}"
        " --reliability-plot {output.reliability:q} -o {output.model:q} 2> {log:q}"


# The inputs' candidate pairs (a hit, or a path through intermediates) with
# their calibrated homology probability, from the search blocks' hits: each
# unordered pair once, kept when likely enough or among a sequence's best.
rule score:
    input:
        unpack(score_inputs),
    output:
        SCORED_PAIRS,
    log:
        f"{LOGS}/score/score.log",
    benchmark:
        f"{BENCHMARKS}/score.tsv"
    conda:
        CONDA_ENV
    threads: 2
    resources:
        mem_mb=job_memory(1000, 20),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        model=lambda wildcards, input: (
            f"--model {shlex.quote(input.model)}" if "model" in input.keys() else ""
        ),
        min_probability=SCORER["min_probability"],
        top_k=SCORER["top_k"],
    shell:
        "{params.seqsim} score --store {params.store:q} --hits {input.hits:q} {params.model}"
        " --min-probability {params.min_probability} --top-k {params.top_k}"
        " --threads {threads} -o {output:q} 2> {log:q}"


# Embedding-only mode (siamese models): one vector per sequence and each
# sequence's nearest neighbours by calibrated embedding similarity (the
# encoder reads profiles built from the search's hits).
rule embed:
    input:
        store=STORE_FILES,
        hits=SEARCH_HITS,
        model=rules.train.output.model,
    output:
        embeddings=f"{RESULTS}/scorer/embeddings.parquet",
        neighbours=f"{RESULTS}/scorer/neighbours.tsv",
    log:
        f"{LOGS}/embed/embed.log",
    benchmark:
        f"{BENCHMARKS}/embed.tsv"
    conda:
        CONDA_ENV
    threads: 2
    resources:
        mem_mb=job_memory(1000, 20),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        top_k=SCORER["neighbours"],
    shell:
        "{params.seqsim} embed --store {params.store:q} --hits {input.hits:q}"
        " --model {input.model:q} --top-k {params.top_k} --threads {threads} -o {output.embeddings:q}"
        " --neighbours-out {output.neighbours:q} 2> {log:q}"
