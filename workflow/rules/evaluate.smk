rule evaluate_round:
    input:
        features=features_of,
        model="results/runs/{task}/{run}/round{round}/model.pt",
        train_log="results/runs/{task}/{run}/round{round}/train.json",
    output:
        "results/eval/{task}/{run}/round{round}.json",
    log:
        "results/logs/evaluate_round/{task}/{run}/round{round}.log",
    benchmark:
        "results/benchmarks/evaluate_round/{task}/{run}/round{round}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        src=SRC,
        spec=run_spec,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim evaluate --spec {params.spec:q} --features {input.features} "
        "--model {input.model} --train-log {input.train_log} --round {wildcards.round} --out {output} "
        "--threads {threads} > {log} 2>&1"


rule baseline_task:
    input:
        data=dataset_of,
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
    shell:
        "PYTHONPATH={params.src} python -m mirtrim baseline --data {input.data} --task {wildcards.task} "
        "--out {output} > {log} 2>&1"
