# mirtrim: reproduce "Ultra-light deep MIR by trimming lottery tickets" (Esling et al., ISMIR 2020).
# Thin entry point: configuration, validation, includes. The logic lives in src/mirtrim.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


# jobs run `python -m mirtrim`, found on PATH (see workflow/rules/common.smk)
envvars:
    "PATH",


wildcard_constraints:
    task="[a-z_]+",
    run="[a-z0-9-]+",
    dataset="[a-z0-9_-]+",
    round=r"\d{2}",


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/prune.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/figures.smk"


# The default target lives here: Snakemake ignores `default_target` in included files
# (snakemake/snakemake#2773), so `snakemake --cores 8` with no target would do nothing.
rule all:
    default_target: True
    input:
        "figures/all",
