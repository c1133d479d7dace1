# Round 0: dense training, shared by every run of a task and seed; it also saves the rewind state.
rule train_dense:
    input:
        features=features_of,
    output:
        model="results/runs/{task}/{run}/{digest}/round00/model.pt",
        log_json="results/runs/{task}/{run}/{digest}/round00/train.json",
        rewind="results/runs/{task}/{run}/{digest}/rewind.pt",
    log:
        "results/logs/train_dense/{task}/{run}/{digest}.log",
    benchmark:
        "results/benchmarks/train_dense/{task}/{run}/{digest}.tsv"
    wildcard_constraints:
        run=r"dense-s\d+",
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(TRAIN_THREADS)
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=training_runtime,
    params:
        src=SRC,
        spec=run_spec,
        code=TRAIN_CODE,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim train-dense --spec {params.spec:q} "
        "--features {input.features} --out-dir results/runs/{wildcards.task}/{wildcards.run}/{wildcards.digest}/round00 --rewind-out {output.rewind} "
        "--threads {threads} > {log} 2>&1"
