"""Config errors in one line: key path first, what was expected, the likely fix."""

import copy
from pathlib import Path

import pytest
import yaml

from mirtrim.utils.config_check import ConfigError, check_config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
DEFAULT = yaml.safe_load((ROOT / "config.yaml").read_text())


def _error(edit) -> str:
    config = copy.deepcopy(DEFAULT)
    edit(config)
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA, "mine.yaml")
    message = str(caught.value)
    assert "\n" not in message and "(in mine.yaml;" in message
    return message


@pytest.mark.parametrize("config_file", ["config.yaml", ".test/config.yaml", "config/full.yaml", "config/paper.yaml"])
def test_the_shipped_configs_are_valid_on_their_own(config_file):
    check_config(yaml.safe_load((ROOT / config_file).read_text()), SCHEMA)


def test_unknown_key_with_a_suggestion():
    assert _error(lambda c: c["tasks"]["chords"].update(epocs=3)).startswith(
        "config tasks.chords: unknown key 'epocs' (did you mean 'epochs'?)")


def test_unknown_task_and_bad_enum():
    assert _error(lambda c: c["tasks"].update(chord=c["tasks"]["chords"])).startswith(
        "config tasks: unknown name 'chord' (did you mean 'chords'?)")
    assert _error(lambda c: c["methods"][0].update(scope="everywhere")).startswith(
        "config methods.0.scope: 'everywhere' is not allowed; expected one of: local, global")


def test_wrong_type_bound_and_missing_key():
    assert _error(lambda c: c["tasks"]["pitch"].update(width="half")).startswith(
        "config tasks.pitch.width: expected number, got 'half'")
    assert _error(lambda c: c["tasks"]["pitch"].update(width=0)).startswith("config tasks.pitch.width: 0 violates")
    assert _error(lambda c: c.pop("methods")).startswith("config (top level): missing key 'methods'")


def test_a_yaml_syntax_error_names_file_line_and_column(tmp_path):
    from mirtrim.utils.config_check import ConfigError, check_yaml

    path = tmp_path / "config.yaml"
    path.write_text("seeds: [0, 1]\ntasks:\n  chords: {scale: tiny, width: 0.25\nmethods: []\n")
    with pytest.raises(ConfigError) as err:
        check_yaml(path)
    assert str(err.value).startswith(f"config {path}:4:") and "\n" not in str(err.value)
    path.write_text("seeds: [0]\n")
    check_yaml(path)  # valid YAML passes; the schema check comes after


def _check_config_command(*paths) -> tuple[int, str, str]:
    import contextlib
    import io

    from mirtrim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["check-config", *map(str, paths)])
    return rc, out.getvalue(), err.getvalue()


def test_check_config_gives_one_line_for_what_snakemake_reports_in_many(tmp_path):
    # a missing file and a YAML syntax error given to --configfile reach Snakemake before the
    # Snakefile runs; the command reports them as the workflow reports its own config
    rc, _, err = _check_config_command(tmp_path / "mine.yaml")
    assert rc == 1 and err == f"error: {tmp_path / 'mine.yaml'}: no such config file; copy config.yaml and " \
                              "edit it, or fix the path\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("seeds: [0\ntasks: {}\n")
    rc, _, err = _check_config_command(bad)
    assert rc == 1 and err.startswith(f"error: config {bad}:2:") and err.count("\n") == 1
    typo = tmp_path / "typo.yaml"
    typo.write_text((ROOT / ".test/config.yaml").read_text().replace("epochs: 8", "epocs: 8", 1))
    rc, _, err = _check_config_command(typo)
    assert rc == 1 and "unknown key 'epocs' (did you mean 'epochs'?)" in err and err.count("\n") == 1


def test_check_config_checks_every_file_and_names_the_ones_that_failed(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seeds: [0\n")
    rc, out, err = _check_config_command(tmp_path / "gone.yaml", ROOT / ".test/config.yaml", bad)
    lines = err.splitlines()
    assert rc == 1 and len(lines) == 3 and "gone.yaml: no such config file" in lines[0]
    assert lines[1].startswith(f"error: config {bad}:2:")
    assert lines[2] == f"error: 2 of 3 config files failed the check: {tmp_path / 'gone.yaml'}, {bad}"
    assert "config.yaml: ok" in out  # the good file between them was still checked


def test_check_config_prints_the_grid_of_a_valid_config():
    rc, out, _ = _check_config_command(ROOT / ".test/config.yaml")
    assert rc == 0 and out.splitlines()[1] == "mirtrim grid: 6 tasks x 2 methods, dense seeds [0]"
