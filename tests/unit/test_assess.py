"""`assess` (the workflow's per-round job) writes what `evaluate` and `profile` write separately."""

import json

import pytest

from test_bad_input import edit_meta, write_dataset

from mirtrim import cli, grid
from mirtrim.runspec import RunSpec

DETERMINISTIC_PROFILE_KEYS = ("task", "parameters", "macs", "flops_paper", "memory_read", "memory_write", "checkpoint_bytes", "masked", "alive_fraction",
                              "parameters_nominal")


def test_assess_gives_the_records_of_evaluate_and_profile(tmp_path, capsys, monkeypatch):
    from mirtrim.profile import report
    from mirtrim.train import evaluation

    calls = []
    for module, name in ((report, "peak_memory"), (evaluation, "evaluate_round")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))

    data = write_dataset(tmp_path / "data", "drumloops")
    edit_meta(data, lambda m: m["splits"].update(train=m["splits"]["train"] * 20))
    features = str(tmp_path / "f.npz")
    assert cli.main(["extract-features", "--data", str(data), "--out", features]) == 0
    config = {"seeds": [0], "tasks": {"drums": {"scale": "tiny", "width": 0.125, "lr": 1e-3, "batch_size": 8,
                                                 "epochs": 1, "rewind_epoch": 1, "rounds": 1, "trim_percent": 25}},
              "methods": []}
    spec = grid.spec_json(config, "drums", "dense-s0")
    run = tmp_path / "round00"
    assert cli.main(["train-dense", "--spec", spec, "--features", features, "--out-dir", str(run),
                     "--rewind-out", str(tmp_path / "rewind.pt")]) == 0
    round_args = ["--spec", spec, "--features", features, "--model", str(run / "model.pt"),
                  "--train-log", str(run / "train.json"), "--round", "0"]
    timing = ["--runs", "2", "--repeats", "1", "--no-onnx"]
    assert cli.main(["evaluate", *round_args, "--out", str(tmp_path / "eval.json")]) == 0
    assert cli.main(["profile", "--model", str(run / "model.pt"), "--out", str(tmp_path / "profile.json"),
                     *timing]) == 0
    assert cli.main(["assess", *round_args, "--eval-out", str(tmp_path / "a_eval.json"),
                     "--profile-out", str(tmp_path / "a_profile.json"), "--no-onnx"]) == 0
    # the workflow's timing pass: the same model twice is timed once, and both rounds get its numbers
    assert cli.main(["time-rounds", "--models", str(run / "model.pt"), str(run / "model.pt"), "--train-logs",
                     str(run / "train.json"), str(run / "train.json"), "--out", str(tmp_path / "timing.json"),
                     *timing]) == 0
    capsys.readouterr()

    def read(name):
        return json.loads((tmp_path / name).read_text())

    assert read("a_eval.json") == read("eval.json")
    separate, together, timed = read("profile.json"), read("a_profile.json"), read("timing.json")
    latency_keys = {"latency_ms", "latency_spread", "runs", "repeats", "threads", "real_time_factor"}
    # a workflow round's records say what produced them; the standalone profile of a model file cannot
    provenance_keys = {"spec", "spec_digest", "package_version", "source_commit"}
    assert set(separate) - set(together) == latency_keys and set(together) - set(separate) == provenance_keys
    assert together["spec_digest"] == read("eval.json")["spec_digest"] == RunSpec.from_json(spec).digest()
    assert read("eval.json")["spec"] == json.loads(spec) == json.loads((run / "train.json").read_text())["spec"]
    for key in DETERMINISTIC_PROFILE_KEYS:
        assert together[key] == separate[key], key
    assert timed["architectures"] == 1 and len(timed["rounds"]) == 2
    first, second = timed["rounds"]
    assert first == second and first["timed_as"] == "dense-s0/round00" and latency_keys <= set(first)
    assert (first["task"], first["run"], first["round"]) == ("drums", "dense-s0", 0)
    # in `assess`, peak memory is read before evaluation loads the features (see profile/memory.py)
    assert calls == ["evaluate_round", "peak_memory", "peak_memory", "evaluate_round"]


def test_assess_writes_nothing_when_the_model_is_missing(tmp_path):
    spec = grid.spec_json({"tasks": {"drums": {"scale": "tiny", "width": 0.125, "lr": 1e-3, "epochs": 2,
                                               "rewind_epoch": 1}}},
                          "drums", "dense-s0")
    with pytest.raises(SystemExit) as stop:  # printed as one line by the interpreter, exit status 1
        cli.main(["assess", "--spec", spec, "--features", str(tmp_path / "f.npz"), "--model",
                  str(tmp_path / "missing.pt"), "--train-log", str(tmp_path / "t.json"), "--round", "0",
                  "--eval-out", str(tmp_path / "e.json"), "--profile-out", str(tmp_path / "p.json")])
    assert stop.value.code == f"error: model checkpoint not found: {tmp_path / 'missing.pt'}"
    assert not list(tmp_path.iterdir())
