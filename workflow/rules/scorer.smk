# Learns the homology scorer from the configured labelled sequences (the
# bundled example by default): their own all-vs-all, then encoder and head.
rule train:
    input:
        sequences=config["scorer"]["sequences"],
        labels=scorer_labels(),
    output:
        model=f"{RESULTS}/scorer/model.safetensors",
        reliability=report(
            f"{RESULTS}/scorer/reliability.png",
            caption="../report/reliability.rst",
            category="Learned scorer",
        ),
    params:
        seqsim=SEQSIM,
        given="--pairs" if config["scorer"]["pairs"] else "--labels",
        kind=config["scorer"]["kind"],
        level=config["scorer"]["level"],
        seed=config["scorer"]["seed"],
        encoder_steps=config["scorer"]["encoder_steps"],
    log:
        f"{LOGS}/train/train.log",
    threads: 2
    conda:
        CONDA_ENV
    shell:
        "{params.seqsim} train {input.sequences:q} {params.given} {input.labels:q}"
        " --kind {params.kind} --level {params.level} --seed {params.seed}"
        " --encoder-steps {params.encoder_steps} --threads {threads}"
        " --reliability-plot {output.reliability:q} -o {output.model:q} 2> {log:q}"


# Every candidate pair of the inputs (a hit, or a path through intermediates)
# with its calibrated homology probability, from the search blocks' hits.
rule score:
    input:
        store=STORE_FILES,
        hits=expand(f"{RESULTS}/search/hits_block_{{block}}.parquet", block=BLOCKS),
        model=rules.train.output.model,
    output:
        f"{RESULTS}/scorer/scored_pairs.tsv",
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
    log:
        f"{LOGS}/score/score.log",
    threads: 2
    conda:
        CONDA_ENV
    shell:
        "{params.seqsim} score --store {params.store:q} --hits {input.hits:q}"
        " --model {input.model:q} --threads {threads} -o {output:q} 2> {log:q}"


# Embedding-only mode (siamese models): one vector per sequence and each
# sequence's nearest neighbours by calibrated embedding similarity.
rule embed:
    input:
        store=STORE_FILES,
        model=rules.train.output.model,
    output:
        embeddings=f"{RESULTS}/scorer/embeddings.parquet",
        neighbours=f"{RESULTS}/scorer/neighbours.tsv",
    params:
        seqsim=SEQSIM,
        store=folder_of("store"),
        top_k=config["scorer"]["neighbours"],
    log:
        f"{LOGS}/embed/embed.log",
    threads: 2
    conda:
        CONDA_ENV
    shell:
        "{params.seqsim} embed --store {params.store:q} --model {input.model:q}"
        " --top-k {params.top_k} --threads {threads} -o {output.embeddings:q}"
        " --neighbours-out {output.neighbours:q} 2> {log:q}"
