# Efficiency of the physical model. The exclusive `profiling` resource (limited to 1 by the default
# profile) keeps latency measurements from overlapping each other.
rule profile_round:
    input:
        model="results/runs/{task}/{run}/round{round}/model.pt",
    output:
        "results/profile/{task}/{run}/round{round}.json",
    log:
        "results/logs/profile_round/{task}/{run}/round{round}.log",
    benchmark:
        "results/benchmarks/profile_round/{task}/{run}/round{round}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        profiling=1,
        mem_mb=4000,
        runtime=15,
    params:
        src=SRC,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim profile --model {input.model} --out {output} "
        "--threads {threads} > {log} 2>&1"
