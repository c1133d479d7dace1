# Test error and costs of one round's model in one job: one torch start and one model load per
# round, and half the per-round jobs in the DAG (the paper grid's dry run stays well under 15 s).
# No timing here: it would share the CPU with training jobs.
rule assess_round:
    input:
        features=features_of,
        model="results/runs/{task}/{run}/{digest}/round{round}/model.pt",
        train_log="results/runs/{task}/{run}/{digest}/round{round}/train.json",
    output:
        eval="results/eval/{task}/{run}/{digest}/round{round}.json",
        profile="results/profile/{task}/{run}/{digest}/round{round}.json",
    log:
        "results/logs/assess_round/{task}/{run}/{digest}/round{round}.log",
    benchmark:
        "results/benchmarks/assess_round/{task}/{run}/{digest}/round{round}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        src=SRC,
        spec=run_spec,
        code=ASSESS_CODE,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim assess --spec {params.spec:q} --features {input.features} "
        "--model {input.model} --train-log {input.train_log} --round {wildcards.round} "
        "--eval-out {output.eval} --profile-out {output.profile} --threads {threads} > {log} 2>&1"


# Latency of every round of a task, with every core claimed, so that no other job runs while it
# times (at 1 thread, the deployment setting); each architecture is timed once (profile/timing.py).
rule time_task:
    input:
        models=round_files("model.pt"),
        train_logs=round_files("train.json"),
    output:
        "results/timing/{task}.json",
    log:
        "results/logs/time_task/{task}.log",
    benchmark:
        "results/benchmarks/time_task/{task}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(REAL_CORES)
    resources:
        profiling=1,
        mem_mb=4000,
        runtime=60,
    params:
        src=SRC,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim time-rounds --models {input.models} "
        "--train-logs {input.train_logs} --threads 1 --out {output} > {log} 2>&1"


rule baseline_task:
    input:
        data=dataset_of,
        features=features_of,
    output:
        "results/baselines/{task}.json",
    log:
        "results/logs/baseline_task/{task}.log",
    benchmark:
        "results/benchmarks/baseline_task/{task}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        src=SRC,
        fidelity=fidelity_json,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim baseline --data {input.data} --task {wildcards.task} "
        "--features {input.features} --fidelity {params.fidelity:q} --out {output} > {log} 2>&1"
