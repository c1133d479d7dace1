"""The typed run spec: the JSON the workflow passes round-trips exactly, the digest tells experiments
apart, and a bad spec is refused in one line."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mirtrim import grid
from mirtrim.runspec import RunSpec

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("config_file", ["config.yaml", ".test/config.yaml", "config/paper.yaml"])
def test_every_spec_of_a_config_round_trips_through_json(config_file):
    config = yaml.safe_load((ROOT / config_file).read_text())
    for task in config["tasks"]:
        for run in (grid.dense_id(0), "trim-magnitude-local-rewind-s1", "mask-magnitude-global-rewind-s0"):
            spec = grid.spec(config, task, run)
            assert RunSpec.from_json(spec.to_json()) == spec
            assert json.loads(spec.to_json()) == spec.to_dict()


def test_the_digest_follows_what_changes_results_and_not_the_name_or_device():
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    spec = grid.spec(config, "onsets", "trim-magnitude-local-rewind-s0")
    longer = dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=spec.train.epochs + 1))
    elsewhere = dataclasses.replace(spec, device="cuda", run="renamed")
    more_data = grid.spec({**config, "tasks": {**config["tasks"], "onsets": {**config["tasks"]["onsets"],
                                                                            "scale": "medium"}}}, "onsets", spec.run)
    reseeded = dataclasses.replace(spec, data_seed=spec.data_seed + 1)
    assert spec.digest() == elsewhere.digest() and spec.digest() != longer.digest()
    assert more_data.data == "drumloops-medium" and len({spec.digest(), more_data.digest(), reseeded.digest()}) == 3
    assert len(spec.digest()) == 12 and spec.method.name == "trim-magnitude-local-rewind"


def test_two_configs_that_differ_in_training_write_to_different_run_folders():
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    longer = {**config, "tasks": {**config["tasks"], "onsets": {**config["tasks"]["onsets"], "epochs": 12}}}
    for run in ("dense-s0", "trim-magnitude-local-rewind-s0"):
        short_folder, long_folder = grid.run_folder(config, "onsets", run), grid.run_folder(longer, "onsets", run)
        assert short_folder.split("/")[0] == long_folder.split("/")[0] == run and short_folder != long_folder
        assert short_folder.split("/")[1] == grid.spec(config, "onsets", run).digest()[:grid.FOLDER_DIGEST]
    # another task's folders do not move
    assert grid.run_folder(config, "drums", "dense-s0") == grid.run_folder(longer, "drums", "dense-s0")
    own = grid.run_folder(config, "onsets", "dense-s0").split("/")[1]
    assert grid.checked_spec(config, "onsets", "dense-s0", own) == grid.spec(config, "onsets", "dense-s0")
    stale = grid.run_folder(longer, "onsets", "dense-s0").split("/")[1]
    with pytest.raises(ValueError, match=rf"results/runs/onsets/dense-s0/{stale}: this folder holds a run of other"):
        grid.checked_spec(config, "onsets", "dense-s0", stale)


def test_a_spec_is_frozen():
    spec = grid.spec(yaml.safe_load((ROOT / ".test/config.yaml").read_text()), "onsets", "dense-s0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.seed = 3
    with pytest.raises(TypeError):
        spec.fidelity["onset_decoder"] = "argmax"


def test_an_unknown_spec_key_is_one_line_on_the_command_line(tmp_path):
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    spec = {**grid.spec(config, "onsets", "dense-s0").to_dict(), "epochs": 3}
    proc = subprocess.run([sys.executable, "-m", "mirtrim", "train-dense", "--spec", json.dumps(spec), "--features",
                           "f.npz", "--out-dir", str(tmp_path / "r"), "--rewind-out", str(tmp_path / "w.pt")],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2 and "unknown keys ['epochs']" in last and "Traceback" not in proc.stderr
