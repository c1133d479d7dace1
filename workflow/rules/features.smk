rule extract_features:
    input:
        data="results/data/{dataset}",
    output:
        "results/features/{dataset}.npz",
    log:
        "results/logs/extract_features/{dataset}.log",
    benchmark:
        "results/benchmarks/extract_features/{dataset}.tsv"
    priority: DATA_PRIORITY
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(FEATURE_THREADS)
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        src=SRC,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim extract-features --data {input.data} --out {output} "
        "--threads {threads} > {log} 2>&1"
