# The learned homology scorer. Without labels, `score` uses the model seqsim
# ships for the inputs' alphabet (proteins: SCOPe40, DNA/RNA: Rfam; see
# seqsim/scorer/pretrained/). With scorer.labels or scorer.pairs, `train`
# learns one first (on scorer.sequences, or on the inputs) and it replaces
# the shipped one.

# What `train` learns from: scorer.sequences, or the ingested inputs; and the labels.
TRAIN_INPUTS = (
    {"sequences": SCORER["sequences"]}
    if SCORER["sequences"]
    else {"store": rules.ingest.output.store}
) | {"labels": SCORER["pairs"] or SCORER["labels"]}


rule train:
    input:
        unpack(lambda wildcards: TRAIN_INPUTS),
    output:
        model=result(layout.MODEL),
        reliability=report(
            result(layout.RELIABILITY_PLOT),
            caption="../report/reliability.rst",
            category="Learned scorer",
        ),
    log:
        layout.log("train"),
    benchmark:
        layout.benchmark("train")
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
        # the alphabet is ingest's (a store keeps it)
        options=cli_options(config, "train", skip=("alphabet",)),
    shell:
        "{params.seqsim} train {params.sequences} {params.given} {input.labels:q}"
        " {params.options} --threads {threads}"
        " --reliability-plot {output.reliability:q} -o {output.model:q} 2> {log:q}"


# The checkpoint the score rule reads: scorer.model, the one trained here, or
# None for the one seqsim ships for the inputs' alphabet.
SCORER_MODEL = SCORER["model"] or (rules.train.output.model if TRAINED else None)
# The score rule's inputs: the store, the search tiles' hits, the model if not shipped.
SCORE_INPUTS = {"store": rules.ingest.output.store, "hits": SEARCH_HITS} | (
    {"model": SCORER_MODEL} if SCORER_MODEL is not None else {}
)


# The inputs' candidate pairs (a hit, or a path through intermediates) with
# their calibrated homology probability, from the search blocks' hits: each
# unordered pair once, kept when likely enough or among a sequence's best.
rule score:
    input:
        unpack(lambda wildcards: SCORE_INPUTS),
    output:
        pairs=result(layout.SCORED_PAIRS),
    log:
        layout.log("score"),
    benchmark:
        layout.benchmark("score")
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
        # the model is the rule's input (scorer.model or the one trained here)
        options=cli_options(config, "score", skip=("alphabet", "scorer.model")),
    shell:
        "{params.seqsim} score --store {params.store:q} --hits {input.hits:q} {params.model}"
        " {params.options} --threads {threads} -o {output.pairs:q} 2> {log:q}"


# Embedding-only mode (siamese models): one vector per sequence and each
# sequence's nearest neighbours by calibrated embedding similarity (the
# encoder reads profiles built from the search's hits).
rule embed:
    input:
        store=rules.ingest.output.store,
        hits=SEARCH_HITS,
        model=rules.train.output.model,
    output:
        embeddings=result(layout.EMBEDDINGS),
        neighbours=result(layout.NEIGHBOURS),
    log:
        layout.log("embed"),
    benchmark:
        layout.benchmark("embed")
    conda:
        CONDA_ENV
    threads: 2
    resources:
        mem_mb=job_memory(1000, 20),
        runtime=job_runtime(30, 1),
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        options=cli_options(config, "embed", skip=("alphabet",)),
    shell:
        "{params.seqsim} embed --store {params.store:q} --hits {input.hits:q}"
        " --model {input.model:q} {params.options} --threads {threads} -o {output.embeddings:q}"
        " --neighbours-out {output.neighbours:q} 2> {log:q}"


# What the run keeps of a model trained here: its reliability plot, and a
# siamese one's embeddings and neighbours.
TRAINED_OUTPUTS = (
    [rules.train.output.reliability, *(rules.embed.output if SCORER["kind"] == "siamese" else [])]
    if TRAINED
    else []
)
