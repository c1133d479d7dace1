# Expensive compute is split from plotting: figure rules read only the aggregated CSV and list
# their module and every package module it imports (computed: package_closure) as inputs, so
# editing a plot reruns only the figures that use it. Aggregation, tables and plots take about a
# second each: they run on the submitting machine, not as cluster jobs.
localrules:
    all,
    figures_all,
    aggregate_task,
    merge_summaries,
    plot_tradeoff,
    plot_data,
    table_baselines,
    table_efficiency,
    table_selection,
    plot_crosstask,
    plot_latency,
    report_step,


# The skeleton every report step shares: env, threads, resources and the shell line. Each step
# below is `use rule report_step` with its inputs, outputs, log, benchmark and mirtrim command
# (`cli`). It has no output of its own, so no target ever runs it by itself.
rule report_step:
    log:
        "results/logs/report_step.log",
    benchmark:
        "results/benchmarks/report_step.tsv"
    conda:
        "../../envs/plot.yaml"
    threads: claim(1)
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        src=source_root,
    shell:
        "PYTHONPATH={params.src} python -m mirtrim {params.command} > {log} 2>&1"


use rule report_step as aggregate_task with:
    input:
        evals=eval_records,
        profiles=profile_records,
        timing="results/timing/{task}.json",
        code=package_closure("report/aggregate.py"),
    output:
        "results/summary/{task}.csv",
    log:
        "results/logs/aggregate_task/{task}.log",
    benchmark:
        "results/benchmarks/aggregate_task/{task}.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    params:
        command=cli(
            "aggregate --eval {input.evals} --profile {input.profiles} --timing {input.timing} --out {output}"
        ),


use rule report_step as merge_summaries with:
    input:
        summaries=expand("results/summary/{task}.csv", task=config["tasks"]),
        code=package_closure("report/aggregate.py"),
    output:
        "results/summary.csv",
    log:
        "results/logs/merge_summaries.log",
    benchmark:
        "results/benchmarks/merge_summaries.tsv"
    conda:
        "../../envs/mirtrim.yaml"
    params:
        command=cli("merge-summaries --summaries {input.summaries} --out {output}"),


use rule report_step as plot_tradeoff with:
    input:
        summary="results/summary/{task}.csv",
        code=package_closure("report/figures.py"),
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
    params:
        command=cli(
            "plot-tradeoff --summary {input.summary} --task {wildcards.task} --out {output.pdf}"
        ),


use rule report_step as plot_data with:
    input:
        features=features_of,
        code=package_closure("report/figures.py"),
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
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        command=cli("plot-data --features {input.features} --task {wildcards.task} --out {output}"),


use rule report_step as table_baselines with:
    input:
        baselines=expand("results/baselines/{task}.json", task=config["tasks"]),
        dense=dense_evals(),
        code=package_closure("report/tables.py"),
    output:
        csv=report(
            "figures/table_baselines.csv",
            caption="../report/table_baselines.rst",
            category="Tables",
            labels={"table": "baselines"},
        ),
        md="figures/table_baselines.md",
    log:
        "results/logs/table_baselines.log",
    benchmark:
        "results/benchmarks/table_baselines.tsv"
    params:
        command=cli(
            "table-baselines --baselines {input.baselines} --dense-evals {input.dense} "
            "--out-csv {output.csv} --out-md {output.md}"
        ),


use rule report_step as table_efficiency with:
    input:
        summaries=expand("results/summary/{task}.csv", task=config["tasks"]),
        code=package_closure("report/efficiency.py"),
    output:
        csv=report(
            "figures/table_efficiency.csv",
            caption="../report/table_efficiency.rst",
            category="Tables",
            labels={"table": "efficiency"},
        ),
        md="figures/table_efficiency.md",
        tex="figures/table_efficiency.tex",
    log:
        "results/logs/table_efficiency.log",
    benchmark:
        "results/benchmarks/table_efficiency.tsv"
    params:
        command=cli(
            "table-efficiency --summaries {input.summaries} --tolerance {tolerance} "
            "--out-csv {output.csv} --out-md {output.md} --out-tex {output.tex}",
            tolerance=config["report"]["efficiency_tolerance"],
        ),


use rule report_step as table_selection with:
    input:
        summaries=expand("results/summary/{task}.csv", task=config["tasks"]),
        code=package_closure("report/selection.py"),
    output:
        csv=report(
            "figures/table_best_optim_small.csv",
            caption="../report/table_selection.rst",
            category="Tables",
            labels={"table": "Best / Optim / Small"},
        ),
        md="figures/table_best_optim_small.md",
        tex="figures/table_best_optim_small.tex",
        macros="figures/macros.tex",
    log:
        "results/logs/table_selection.log",
    benchmark:
        "results/benchmarks/table_selection.tsv"
    params:
        command=cli(
            "table-selection --summaries {input.summaries} --out-csv {output.csv} "
            "--out-md {output.md} --out-tex {output.tex} --out-macros {output.macros}"
        ),


use rule report_step as plot_crosstask with:
    input:
        summaries=expand("results/summary/{task}.csv", task=config["tasks"]),
        code=package_closure("report/crosstask.py"),
    output:
        normalised=report(
            "figures/normalised.pdf",
            caption="../report/normalised.rst",
            category="Figures",
            labels={"figure": "across tasks: method groups"},
        ),
        criteria=report(
            "figures/criteria.pdf",
            caption="../report/criteria.rst",
            category="Figures",
            labels={"figure": "across tasks: criteria"},
        ),
        pareto=report(
            "figures/pareto.pdf",
            caption="../report/pareto.rst",
            category="Figures",
            labels={"figure": "error vs latency"},
        ),
        pngs=multiext("figures/", "normalised.png", "criteria.png", "pareto.png"),
    log:
        "results/logs/plot_crosstask.log",
    benchmark:
        "results/benchmarks/plot_crosstask.tsv"
    params:
        command=cli(
            "plot-crosstask --summaries {input.summaries} --out-normalised {output.normalised} "
            "--out-criteria {output.criteria} --out-pareto {output.pareto}"
        ),


use rule report_step as plot_latency with:
    input:
        summaries=expand("results/summary/{task}.csv", task=config["tasks"]),
        code=package_closure("report/efficiency.py"),
    output:
        pdf=report(
            "figures/latency_vs_macs.pdf",
            caption="../report/latency.rst",
            category="Figures",
            labels={"figure": "latency vs MACs"},
        ),
        png="figures/latency_vs_macs.png",
    log:
        "results/logs/plot_latency.log",
    benchmark:
        "results/benchmarks/plot_latency.tsv"
    params:
        command=cli("plot-latency --summaries {input.summaries} --out {output.pdf}"),


rule figures_all:
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


# Optional target (not in figures/all): `snakemake paper/main.pdf`, needs pdflatex. The source is
# copied into the working directory's paper/ so its ../figures paths resolve wherever the run lives.
rule paper_pdf:
    input:
        tex=PAPER_TEX,
        figures=figure_files(),
    output:
        "paper/main.pdf",
    log:
        "results/logs/paper_pdf.log",
    benchmark:
        "results/benchmarks/paper_pdf.tsv"
    conda:
        "../../envs/plot.yaml"
    threads: claim(1)
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "([ {input.tex} -ef paper/main.tex ] || cp {input.tex} paper/main.tex; "
        "cd paper && pdflatex -interaction=nonstopmode -halt-on-error -output-directory . main.tex "
        "&& pdflatex -interaction=nonstopmode -halt-on-error -output-directory . main.tex) > {log} 2>&1"
