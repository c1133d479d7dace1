# Round r >= 1 of a run: score the round r-1 model, trim (or mask), reset, retrain. One job per round,
# so a killed or timed-out run resumes without retraining finished rounds.
rule prune_round:
    input:
        features=features_of,
        prev=previous_model,
        rewind=rewind_state,
    output:
        model="results/runs/{task}/{run}/{digest}/round{round}/model.pt",
        plan="results/runs/{task}/{run}/{digest}/round{round}/plan.json",
        log_json="results/runs/{task}/{run}/{digest}/round{round}/train.json",
    log:
        "results/logs/prune_round/{task}/{run}/{digest}/round{round}.log",
    benchmark:
        "results/benchmarks/prune_round/{task}/{run}/{digest}/round{round}.tsv"
    wildcard_constraints:
        round=r"(0[1-9]|[1-9]\d)",
        run=r"(trim|mask)-[a-z0-9-]+",
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
        "PYTHONPATH={params.src} python -m mirtrim prune-round --spec {params.spec:q} "
        "--features {input.features} --prev {input.prev} --rewind {input.rewind} --round {wildcards.round} "
        "--out-dir results/runs/{wildcards.task}/{wildcards.run}/{wildcards.digest}/round{wildcards.round} --threads {threads} > {log} 2>&1"
