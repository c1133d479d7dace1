# Expensive compute is split from plotting: figure rules read only the aggregated CSV and list
# their plotting module as an input, so editing a plot reruns only that figure.
localrules:
    figures_all,


rule aggregate_task:
    input:
        evals=eval_records,
        profiles=profile_records,
        code=package_file("report/aggregate.py"),
    output:
        "results/summary/{task}.csv",
    log:
        "results/logs/aggregate_task/{task}.log",
    benchmark:
        "results/benchmarks/aggregate_task/{task}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        src=source_root,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim aggregate --eval {input.evals} --profile {input.profiles} "
        "--out {output} > {log} 2>&1"


rule plot_tradeoff:
    input:
        summary="results/summary/{task}.csv",
        code=package_file("report/figures.py"),
    output:
        pdf=report(
            "figures/tradeoff_{task}.pdf",
            caption="../report/tradeoff.rst",
            category="Figures",
            labels={"task": "{task}", "figure": "error vs compression"},
        ),
        png="figures/tradeoff_{task}.png",
    log:
        "results/logs/plot_tradeoff/{task}.log",
    benchmark:
        "results/benchmarks/plot_tradeoff/{task}.tsv"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        src=source_root,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim plot-tradeoff --summary {input.summary} "
        "--task {wildcards.task} --out {output.pdf} > {log} 2>&1"


rule plot_data:
    input:
        features=features_of,
        code=package_file("report/figures.py"),
    output:
        report(
            "figures/data/{task}.png",
            caption="../report/data.rst",
            category="Data",
            labels={"task": "{task}", "figure": "one input"},
        ),
    log:
        "results/logs/plot_data/{task}.log",
    benchmark:
        "results/benchmarks/plot_data/{task}.tsv"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        src=source_root,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim plot-data --features {input.features} "
        "--task {wildcards.task} --out {output} > {log} 2>&1"


rule table_baselines:
    input:
        baselines=expand("results/baselines/{task}.json", task=config["tasks"]),
        dense=dense_evals(),
        code=package_file("report/tables.py"),
    output:
        csv="figures/table_baselines.csv",
        md="figures/table_baselines.md",
    log:
        "results/logs/table_baselines.log",
    benchmark:
        "results/benchmarks/table_baselines.tsv"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        src=source_root,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim table-baselines --baselines {input.baselines} "
        "--dense-evals {input.dense} --out-csv {output.csv} --out-md {output.md} > {log} 2>&1"


rule figures_all:
    default_target: True
    input:
        figure_files(),
    output:
        "figures/all",
    log:
        "results/logs/figures_all.log",
    conda:
        "../../envs/mirtrim.yaml"
    params:
        src=SRC,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim manifest --out {output} {input} > {log} 2>&1"
