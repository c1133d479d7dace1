rule generate_data:
    output:
        directory("results/data/{dataset}"),
    log:
        "results/logs/generate_data/{dataset}.log",
    benchmark:
        "results/benchmarks/generate_data/{dataset}.tsv"
    wildcard_constraints:
        dataset=grid.SYNTHETIC_DATASET,
    priority: DATA_PRIORITY
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


# One download rule per public corpus of the registry (mirtrim.data.registry). Transfers live in
# resources/downloads/<dataset>/ (outside the rule's output, which Snakemake deletes on failure),
# so an interrupted download resumes when the rule runs again.
for corpus in REAL_CORPORA:

    rule:
        name:
            f"download_{corpus}"
        output:
            directory(f"resources/{corpus}"),
        log:
            f"results/logs/download/{corpus}.log",
        benchmark:
            f"results/benchmarks/download/{corpus}.tsv"
        conda:
            "../../envs/mirtrim.yaml"
        threads: claim(1)
        resources:
            mem_mb=1000,
            runtime=600,
        params:
            src=SRC,
            dataset=corpus,
            cache=f"resources/downloads/{corpus}",
        shell:
            "PYTHONPATH={params.src} python -m mirtrim download --dataset {params.dataset} "
            "--out {output} --cache {params.cache} > {log} 2>&1"


rule prepare_real_data:
    input:
        raw="resources/{dataset}",
    output:
        directory("results/data/{dataset}"),
    log:
        "results/logs/prepare_real_data/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare_real_data/{dataset}.tsv"
    wildcard_constraints:
        dataset=grid.REAL_DATASET,
    conda:
        "../../envs/mirtrim.yaml"
    threads: claim(1)
    resources:
        mem_mb=4000,
        runtime=240,
    params:
        src=SRC,
        seed=config.get("data_seed", 1234),
        audio=user_audio_option,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim prepare-data --dataset {wildcards.dataset} "
        "--raw {input.raw} --out {output} --seed {params.seed} {params.audio} > {log} 2>&1"
