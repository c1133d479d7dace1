rule generate_data:
    output:
        directory("results/data/{dataset}"),
    log:
        "results/logs/generate_data/{dataset}.log",
    benchmark:
        "results/benchmarks/generate_data/{dataset}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        src=SRC,
        data=dataset_settings,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim generate-data --dataset {params.data[generator]} "
        "--scale {params.data[scale]} --seed {params.data[seed]} --melodies {params.data[melodies]} "
        "--out {output} > {log} 2>&1"
