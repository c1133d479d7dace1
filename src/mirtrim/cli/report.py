"""Commands of the report stage: summaries, figures, tables, job costs and the figure manifest."""

from __future__ import annotations

from pathlib import Path

from mirtrim.cli.registry import COUNT, POSITIVE, SUMMARIES, TASKS, arg, command

PDF_OUT = arg("--out", required=True, help="PDF path; the PNG goes beside it")
TABLE_OUTS = (arg("--out-csv", required=True, help="the table as CSV"),
              arg("--out-md", required=True, help="the table as Markdown"),
              arg("--out-tex", required=True, help="the table as LaTeX"))
TASK = arg("--task", required=True, choices=TASKS, help="the task")


@command("aggregate", "join eval, profile and timing records into one tidy CSV",
         "mirtrim aggregate --eval R0/eval.json R1/eval.json --profile R0/profile.json R1/profile.json "
         "--timing timing.json --out summary/onsets.csv",
         arg("--eval", nargs="+", required=True, help="eval records, one per round"),
         arg("--profile", nargs="+", required=True, help="profile records of the same rounds, in order"),
         arg("--timing", help="the task's time-rounds record (latency columns stay empty without it)"),
         arg("--out", required=True, help="the summary CSV"))
def aggregate(a):
    from mirtrim.report.aggregate import aggregate as join, write_csv

    if len(a.eval) != len(a.profile):
        raise ValueError(f"{len(a.eval)} --eval files but {len(a.profile)} --profile files; pass one profile "
                         "record per eval record, in the same order")
    rows = join(list(zip(a.eval, a.profile)), a.timing)
    write_csv(a.out, rows)
    print(f"{len(rows)} rows -> {a.out}")


@command("merge-summaries", "one tidy CSV of every task x run x round",
         "mirtrim merge-summaries --summaries summary/onsets.csv summary/pitch.csv --out summary/all.csv",
         SUMMARIES, arg("--out", required=True, help="the merged CSV"))
def merge_summaries(a):
    from mirtrim.report.aggregate import merge_csvs

    print(f"{merge_csvs(a.summaries, a.out)} rows -> {a.out}")


@command("plot-tradeoff", "relative error vs compression ratio of one task (PDF + PNG)",
         "mirtrim plot-tradeoff --summary summary/onsets.csv --task onsets --out figures/tradeoff_onsets.pdf",
         arg("--summary", required=True, help="the task's summary CSV (from aggregate)"), TASK, PDF_OUT)
def plot_tradeoff(a):
    from mirtrim.report.figures import plot_tradeoff as plot

    plot(a.summary, a.task, a.out)


@command("plot-data", "picture of one model input of a task (PNG)",
         "mirtrim plot-data --features results/features/drumloops-tiny.npz --task onsets --out data_onsets.png",
         arg("--features", required=True, help="the task's feature file (.npz)"), TASK,
         arg("--out", required=True, help="PNG path"))
def plot_data(a):
    from mirtrim.report.figures import plot_data_example

    plot_data_example(a.features, a.task, a.out)


@command("table-baselines", "trivial baselines vs dense models, CSV + Markdown",
         "mirtrim table-baselines --baselines b/onsets.json --dense-evals runs/onsets/dense-s0/round00/eval.json "
         "--out-csv baselines.csv --out-md baselines.md",
         arg("--baselines", nargs="+", required=True, help="baseline records (from baseline), one per task"),
         arg("--dense-evals", nargs="+", required=True, help="round-0 eval records (one per task)"),
         *TABLE_OUTS[:2])
def table_baselines(a):
    from mirtrim.report.tables import baseline_table

    baseline_table(a.baselines, a.dense_evals, a.out_csv, a.out_md)


@command("table-efficiency", "dense vs trimmed model per task: CSV, Markdown, LaTeX",
         "mirtrim table-efficiency --summaries summary/*.csv --out-csv e.csv --out-md e.md --out-tex e.tex",
         SUMMARIES, arg("--tolerance", type=POSITIVE, default=1.1,
                        help="the trimmed model kept: error <= tolerance x dense (default: 1.1)"), *TABLE_OUTS)
def table_efficiency(a):
    from mirtrim.report.efficiency import write_efficiency_table

    write_efficiency_table(a.summaries, a.out_csv, a.out_md, a.out_tex, tolerance=a.tolerance)


@command("table-selection", "the paper's Best / Optim / Small table and LaTeX macros",
         "mirtrim table-selection --summaries summary/*.csv --out-csv s.csv --out-md s.md --out-tex s.tex "
         "--out-macros numbers.tex",
         SUMMARIES, *TABLE_OUTS, arg("--out-macros", required=True, help="LaTeX macros of the paper's numbers"))
def table_selection(a):
    from mirtrim.report.selection import write_selection_tables

    write_selection_tables(a.summaries, a.out_csv, a.out_md, a.out_tex, a.out_macros)


@command("plot-crosstask", "across-task figures: normalised groups, criteria, Pareto",
         "mirtrim plot-crosstask --summaries summary/*.csv --out-normalised n.pdf --out-criteria c.pdf "
         "--out-pareto p.pdf",
         SUMMARIES,
         arg("--out-normalised", required=True, help="PDF path (each PNG goes beside its PDF)"),
         arg("--out-criteria", required=True, help="PDF path"), arg("--out-pareto", required=True, help="PDF path"))
def plot_crosstask(a):
    from mirtrim.report.crosstask import plot_crosstask as plot

    plot(a.summaries, a.out_normalised, a.out_criteria, a.out_pareto)


@command("plot-latency", "speed-up vs MAC reduction, eager and ONNX Runtime (PDF + PNG)",
         "mirtrim plot-latency --summaries summary/*.csv --out figures/latency.pdf", SUMMARIES, PDF_OUT)
def plot_latency(a):
    from mirtrim.report.efficiency import plot_latency_vs_macs

    plot_latency_vs_macs(a.summaries, a.out)


@command("benchmarks", "summarise Snakemake benchmark files: time per rule, costliest jobs",
         "mirtrim benchmarks --root results/benchmarks --tasks onsets pitch --out job_costs.md",
         arg("--root", default="results/benchmarks", help="the workflow's benchmark folder (default: "
                                                          "results/benchmarks)"),
         arg("--top", type=COUNT, default=5, help="how many of the costliest jobs to list (default: 5)"),
         arg("--tasks", nargs="*", default=[], help="also sum job time per task"),
         arg("--out", help="also write the Markdown table here"))
def benchmarks(a):
    from mirtrim.report.benchmarks import markdown_summary, read_benchmarks
    from mirtrim.utils.atomic import write_text

    rows = read_benchmarks(a.root)
    if not rows:
        raise ValueError(f"{a.root}: no benchmark files (*.tsv) found; run the workflow first, or pass --root "
                         "with the folder its benchmark: files went to")
    text = markdown_summary(rows, top=a.top, tasks=tuple(a.tasks))
    if a.out:
        write_text(a.out, text)
    print(text, end="")


@command("manifest", "write the figures/all manifest (sha256 of every figure and table)",
         "mirtrim manifest --out figures/manifest.json figures/*.pdf tables/*.csv",
         arg("--out", required=True, help="the manifest (JSON)"),
         arg("files", nargs="+", help="the files to list"))
def manifest(a):
    from mirtrim.report.manifest import write_manifest

    write_manifest(a.out, a.files)


@command("check", "load every feature file, checkpoint and record of a run; print the command that rebuilds "
                  "what is broken or missing",
         "mirtrim check --config config.yaml",
         arg("--config", default="config.yaml", help="the run's config file (default: config.yaml)"),
         arg("--directory", default=".", help="the workflow's working directory (default: .)"),
         arg("--show", type=COUNT, default=20, help="problems listed one per line (default: 20)"))
def check(a):
    import yaml

    from mirtrim.report.check import check_results, repair_command

    try:
        config = yaml.safe_load(Path(a.config).read_text())
    except yaml.YAMLError as err:
        raise ValueError(f"{a.config}: not valid YAML ({str(err).splitlines()[0]})") from None
    problems, checked = check_results(config, a.directory)
    if not problems:
        print(f"all {checked} files of the run are readable")
        return
    for p in problems[: a.show]:
        print(f"{p.path}: {p.what}")
    if len(problems) > a.show:
        print(f"... and {len(problems) - a.show} more")
    flags = "" if a.directory == "." else f" --directory {a.directory}"
    flags += "" if a.config == "config.yaml" else f" --configfile {a.config}"
    if all(p.what == "missing" for p in problems) and len(problems) == checked:
        raise ValueError(f"nothing of this run is built yet; run: snakemake --cores all figures/all{flags}")
    raise ValueError(f"{len(problems)} of {checked} files missing or unreadable; rebuild them and everything "
                     f"computed from them with: {repair_command(problems)}{flags}")
