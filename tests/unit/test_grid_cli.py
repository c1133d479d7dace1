import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from mirtrim import grid
from mirtrim.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
CONFIGS = [ROOT / "config.yaml", ROOT / ".test/config.yaml"]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_configs_are_valid(path):
    jsonschema.validate(yaml.safe_load(path.read_text()), SCHEMA)


@pytest.mark.parametrize("edit, key", [
    (lambda c: c.update(colour="blue"), "colour"),
    (lambda c: c["tasks"]["onsets"].update(width="wide"), "wide"),
    (lambda c: c["methods"][0].update(criterion="entropy"), "entropy"),
    (lambda c: c["tasks"].update(karaoke={}), "karaoke"),
])
def test_schema_rejects_unknown_keys_and_bad_values(edit, key):
    config = yaml.safe_load(CONFIGS[0].read_text())
    edit(config)
    with pytest.raises(jsonschema.ValidationError, match=key):
        jsonschema.validate(config, SCHEMA)


def test_run_ids_are_stable():
    """Run ids name result folders: renaming them would orphan finished rounds (OpenLTH's hash test)."""
    method = {"prune": "trim", "criterion": "magnitude", "scope": "local", "reset": "rewind"}
    assert grid.run_id(method, 0) == "trim-magnitude-local-rewind-s0"
    assert grid.parse_run("trim-magnitude-local-rewind-s3") == (method, 3)
    assert grid.parse_run("dense-s2") == (None, 2)


def test_spec_holds_only_what_the_run_needs():
    config = yaml.safe_load(CONFIGS[0].read_text())
    dense = grid.spec(config, "onsets", "dense-s0").to_dict()
    assert "method" not in dense and "rounds" not in json.dumps(dense)
    run = grid.spec(config, "onsets", "trim-magnitude-local-rewind-s0").to_dict()
    assert run["method"]["percent"] == config["tasks"]["onsets"]["trim_percent"]
    assert {k: v for k, v in run.items() if k not in ("method", "run")} == \
        {k: v for k, v in dense.items() if k != "run"}


def test_paper_fidelity_preset_flips_every_switch():
    default, paper = grid.FIDELITY_PRESETS["default"], grid.FIDELITY_PRESETS["paper"]
    assert set(default) == set(paper)
    assert grid.fidelity({"fidelity": {"preset": "paper", "onset_metric": "seconds"}})["onset_metric"] == "seconds"
    assert grid.fidelity({"fidelity": {"preset": "paper"}})["test_selection"] == "min_over_epochs"


def test_package_top_level_does_not_import_torch():
    code = "import sys, mirtrim, mirtrim.grid; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})


def test_every_subcommand_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"generate-data", "extract-features", "train-dense", "prune-round", "evaluate", "profile", "aggregate",
            "plot-tradeoff", "manifest", "model-info"} <= set(commands)
    for name in commands:
        out = subprocess.run([sys.executable, "-m", "mirtrim", name, "--help"], capture_output=True, text=True,
                             cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
        assert out.returncode == 0 and "usage: mirtrim" in out.stdout, name


def test_model_info_reports_the_paper_counts():
    out = subprocess.run([sys.executable, "-m", "mirtrim", "model-info", "--task", "onsets"], capture_output=True,
                         text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")}, check=True)
    info = json.loads(out.stdout)
    assert info["parameters"] == 5_730_405 and info["macs"] > 2.6e9 and info["frame_readout"] is False


def test_model_info_counts_the_frame_readout_when_asked():
    out = subprocess.run([sys.executable, "-m", "mirtrim", "model-info", "--task", "drums", "--width", "0.25",
                          "--frame-readout"], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT / "src")}, check=True)
    info = json.loads(out.stdout)
    assert info["frame_readout"] is True and info["parameters"] == 1_506_861 + 294  # the sweep rows' counts


def test_model_info_counts_the_pooled_readout_when_asked():
    def info(*flags):
        out = subprocess.run([sys.executable, "-m", "mirtrim", "model-info", "--task", "instrument", "--width",
                              "0.125", *flags], capture_output=True, text=True, cwd=ROOT,
                             env={"PYTHONPATH": str(ROOT / "src")}, check=True)
        return json.loads(out.stdout)

    paper, readout = info(), info("--pooled-readout")
    assert paper["pooled_readout"] is False and readout["pooled_readout"] is True
    assert readout["parameters"] - paper["parameters"] == 2 * 8 * 13 + 13  # [mean, max] of 8 channels -> 13


def test_bad_spec_is_one_clear_line():
    out = subprocess.run([sys.executable, "-m", "mirtrim", "evaluate", "--spec", "{not json", "--features", "x",
                          "--model", "m", "--train-log", "t", "--round", "0", "--out", "o"], capture_output=True,
                         text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    assert out.returncode == 2 and "--spec is not valid JSON" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("content, message", [
    (None, "feature file not found"),
    (b"this is not a zip archive", "is corrupted or not an .npz archive"),
])
def test_bad_feature_files_give_one_line(tmp_path, content, message):
    features = tmp_path / "features.npz"
    if content is not None:
        features.write_bytes(content)
    spec = grid.spec_json(yaml.safe_load(CONFIGS[1].read_text()), "onsets", "dense-s0")
    out = subprocess.run([sys.executable, "-m", "mirtrim", "train-dense", "--spec", spec, "--features", str(features),
                          "--out-dir", str(tmp_path / "r"), "--rewind-out", str(tmp_path / "rw.pt")],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "rw.pt").exists()


def test_corrupted_checkpoint_gives_one_line(tmp_path):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"\x00" * 100)
    out = subprocess.run([sys.executable, "-m", "mirtrim", "profile", "--model", str(bad), "--out", str(tmp_path / "p")],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    assert out.returncode != 0 and "not a readable mirtrim checkpoint" in out.stderr and "Traceback" not in out.stderr


def test_masking_with_another_criterion_is_refused():
    config = yaml.safe_load(CONFIGS[0].read_text())
    config["methods"].append({"prune": "mask", "criterion": "batchnorm", "scope": "local", "reset": "rewind"})
    last = len(config["methods"]) - 1
    with pytest.raises(ValueError, match=rf"methods\[{last}\]: masking supports only criterion 'magnitude'"):
        grid.runs(config, "onsets")
