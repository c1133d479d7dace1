# mirtrim: reproduce "Ultra-light deep MIR by trimming lottery tickets" (Esling et al., ISMIR 2020).
# Thin entry point: configuration, validation, includes. The logic lives in src/mirtrim.
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from mirtrim import grid
from mirtrim.utils.config_check import (
    ConfigError,
    check_config,
    check_cuda,
    check_yaml,
    given_config,
)

SCHEMA = "workflow/schemas/config.schema.yaml"


# A user's --configfile replaces config.yaml instead of merging onto it (Snakemake merges nested
# keys, so a config naming one task would still run config.yaml's six).
if not workflow.overwrite_configfiles:
    try:
        check_yaml("config.yaml")
    except ConfigError as err:
        sys.exit(f"error: {err}")

    configfile: "config.yaml"


try:
    check_config(config, Path(workflow.basedir) / SCHEMA, given_config(workflow))
    validate(config, SCHEMA)  # fills the schema's defaults
    grid.check(config)
    if config["device"] == "cuda" and workflow.local_exec and not workflow.dryrun:
        check_cuda()
except (ConfigError, ValueError) as err:
    sys.exit(f"error: {err}")
if workflow.is_main_process:
    print(grid.describe(config), file=sys.stderr)


report: "workflow/report/workflow.rst"


# jobs run `python -m mirtrim`, found on PATH (see workflow/rules/common.smk)
envvars:
    "PATH",


# a target for a task the config does not name matches no rule (instead of a KeyError)
wildcard_constraints:
    task="|".join(config["tasks"]),
    run="[a-z0-9-]+",
    digest="[0-9a-f]{%d}" % grid.FOLDER_DIGEST,
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
