"""Bad input, case by case: each gives one clear error line naming the file or key (or a logged,
documented recovery), never a bare traceback, never a silently wrong number, and no partial output."""

import errno
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirtrim import cli, grid
from mirtrim.features import cqt, logmel

RATES = {"drumloops": logmel.SR, "songs": cqt.SR, "notes": 16_000, "voices": 44_100, "instruments": 22_050}
SECONDS = {"drumloops": 2.6, "songs": 3.0, "notes": 1.0, "voices": 3.0, "instruments": 1.6}


def tone(kind, seconds=None, channels=1):
    sr = RATES[kind]
    t = np.arange(int(sr * (seconds or SECONDS[kind]))) / sr
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.random.default_rng(0).standard_normal(len(t))
    return np.stack([x] * channels, axis=1) if channels > 1 else x


def write_dataset(root: Path, kind: str) -> Path:
    """A valid two-example dataset of ``kind`` (one train, one test) in the shared layout."""
    splits = {}
    for split in ("train", "test"):
        (root / split).mkdir(parents=True)
        entry = {"id": f"{split}_0"}
        sf.write(root / split / f"{split}_0.wav", tone(kind), RATES[kind])
        if kind == "drumloops":
            (root / split / f"{split}_0.txt").write_text("0.500000\tKD\n1.000000\tSD\n1.500000\tHH\n")
        elif kind == "songs":
            (root / split / f"{split}_0.lab").write_text("0.0\t1.5\tC:maj\n1.5\t3.0\tA:min\n")
        elif kind == "notes":
            entry["f0_hz"] = 440.0
        else:
            entry["label"] = "belt" if kind == "voices" else "vn"
        splits[split] = [entry]
    (root / "metadata.json").write_text(json.dumps({"dataset": kind, "sample_rate": RATES[kind], "splits": splits}))
    return root


def edit_meta(root, change):
    meta = json.loads((root / "metadata.json").read_text())
    change(meta)
    (root / "metadata.json").write_text(json.dumps(meta))


def extract(root: Path, capsys):
    out = root.parent / "features.npz"
    code = cli.main(["extract-features", "--data", str(root), "--out", str(out)])
    err = capsys.readouterr()
    return code, err.out + err.err, out


# (dataset kind, how to break it, the phrase the one error line must hold, the file it must name)
FEATURE_ERRORS = [
    ("drumloops", lambda d: sf.write(d / "train/train_0.wav", np.zeros(0), RATES["drumloops"]), "empty audio", "train_0.wav"),
    ("drumloops", lambda d: (d / "train/train_0.wav").write_bytes(b"RIFF0000WAVEjunk"), "unreadable audio", "train_0.wav"),
    ("drumloops", lambda d: sf.write(d / "train/train_0.wav", tone("drumloops"), 16_000), "sample rate 16000 Hz, expected 22050", "train_0.wav"),
    ("drumloops", lambda d: sf.write(d / "train/train_0.wav", np.zeros(57_330), RATES["drumloops"]), "silent audio", "train_0.wav"),
    ("drumloops", lambda d: sf.write(d / "test/test_0.wav", np.full(57_330, np.nan), RATES["drumloops"], subtype="FLOAT"), "non-finite", "test_0.wav"),
    ("drumloops", lambda d: (d / "train/train_0.txt").unlink(), "annotation file missing", "train_0.txt"),
    ("drumloops", lambda d: (d / "train/train_0.txt").write_text("0.5\tKD\n7.5\tSD\n"), "beyond the audio", "train_0.txt"),
    ("drumloops", lambda d: (d / "train/train_0.txt").write_text("0.5\tCOWBELL\n"), "is not one of KD, SD, HH", "train_0.txt"),
    ("drumloops", lambda d: (d / "train/train_0.txt").write_text("-1.0\tKD\n"), "finite number >= 0", "train_0.txt"),
    ("drumloops", lambda d: (d / "train/train_0.txt").write_text("half past\tKD\n"), "expected '<time in s>", "train_0.txt"),
    ("songs", lambda d: (d / "test/test_0.lab").unlink(), "annotation file missing", "test_0.lab"),
    ("songs", lambda d: (d / "test/test_0.lab").write_text(""), "no chord segments", "test_0.lab"),
    ("songs", lambda d: (d / "test/test_0.lab").write_text("0.0\t1.0\tC:maj\n9.0\t12.0\tG:maj\n"), "starts beyond the audio", "test_0.lab"),
    ("songs", lambda d: (d / "test/test_0.lab").write_text("0.0\t3.0\tH:maj\n"), "not a valid Harte label", "test_0.lab"),
    ("songs", lambda d: (d / "test/test_0.lab").write_text("2.0\t1.0\tC:maj\n"), "0 <= start <= end", "test_0.lab"),
    ("notes", lambda d: edit_meta(d, lambda m: m["splits"]["train"][0].update(f0_hz=12_000.0)), "outside the 360 CREPE bins", "train_0"),
    ("notes", lambda d: edit_meta(d, lambda m: m["splits"]["train"][0].update(f0_hz=0.0)), "unvoiced", "train_0"),
    ("notes", lambda d: sf.write(d / "train/train_0.wav", tone("notes", 0.03), RATES["notes"]), "too short", "train_0"),
    ("voices", lambda d: edit_meta(d, lambda m: m["splits"]["test"][0].update(label="yodel")), "'yodel' is not one of", "test_0"),
    ("instruments", lambda d: edit_meta(d, lambda m: m["splits"]["test"][0].pop("label")), "None is not one of", "test_0"),
    ("instruments", lambda d: edit_meta(d, lambda m: m.pop("sample_rate")), "key 'sample_rate' missing", "metadata.json"),
    ("instruments", lambda d: edit_meta(d, lambda m: m["splits"].update(test=[])), "splits.test must be a non-empty", "metadata.json"),
    ("voices", lambda d: edit_meta(d, lambda m: m.update(dataset="podcasts")), "unknown dataset kind 'podcasts'", "metadata.json"),
    ("voices", lambda d: (d / "metadata.json").write_text("{\"dataset\": "), "not valid JSON", "metadata.json"),
    ("voices", lambda d: (d / "metadata.json").unlink(), "not found", "metadata.json"),
]


@pytest.mark.parametrize("kind, breaks, phrase, names", FEATURE_ERRORS,
                         ids=[f"{k}-{p.split()[0]}-{i}" for i, (k, _, p, _) in enumerate(FEATURE_ERRORS)])
def test_bad_data_is_one_clear_error_and_writes_nothing(tmp_path, capsys, kind, breaks, phrase, names):
    data = write_dataset(tmp_path / "data", kind)
    breaks(data)
    try:
        code, text, out = extract(data, capsys)
    except SystemExit as stop:  # read_json and friends stop with the message itself
        code, text, out = 1, str(stop), tmp_path / "features.npz"
    lines = [line for line in text.splitlines() if line.startswith("error:") or "Error" in line]
    assert code != 0 and len(lines) == 1, text
    assert phrase in lines[0] and names in lines[0] and "Traceback" not in text
    assert not out.exists() and not list(tmp_path.glob(".features.npz*"))


@pytest.mark.parametrize("kind, breaks, warning", [
    ("voices", lambda d: sf.write(d / "train/train_0.wav", tone("voices", channels=2), RATES["voices"]), "2 channels, averaged to mono"),
    ("instruments", lambda d: sf.write(d / "train/train_0.wav", np.clip(8 * tone("instruments"), -1, 1), RATES["instruments"]), "clipped at full scale"),
    ("drumloops", lambda d: (d / "train/train_0.txt").write_text(""), "no onsets"),
])
def test_recoverable_data_is_kept_with_a_logged_warning(tmp_path, capsys, kind, breaks, warning):
    data = write_dataset(tmp_path / "data", kind)
    breaks(data)
    code, text, out = extract(data, capsys)
    assert code == 0 and out.exists()
    assert any(warning in line and "train_0" in line for line in text.splitlines() if line.startswith("warning:"))


def test_stereo_is_the_mean_of_its_channels(tmp_path, capsys):
    from mirtrim.features.build import load_audio

    stereo = np.stack([tone("voices"), 0.5 * tone("voices")], axis=1)
    sf.write(tmp_path / "s.wav", stereo, RATES["voices"], subtype="FLOAT")
    assert np.allclose(load_audio(tmp_path / "s.wav", RATES["voices"], warn=lambda s: None), stereo.mean(axis=1), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_features_are_refused_at_load(tmp_path, dtype, bad):
    from mirtrim.train.rounds import load_features

    x = np.zeros((4, 64, 50), dtype=dtype)
    x[2, 10, 7] = bad
    np.savez(tmp_path / "f.npz", X=x, split=np.array(["train"] * 4))
    with pytest.raises(SystemExit, match=r"f\.npz: non-finite values in 'X'"):
        load_features(tmp_path / "f.npz")


def test_feature_file_without_a_needed_array_names_it(tmp_path):
    from mirtrim.train.rounds import task_data

    np.savez(tmp_path / "f.npz", X=np.zeros((4, 64, 50), np.float32), split=np.array(["train"] * 4))
    spec = grid.spec({"seeds": [0], "tasks": {"drums": {
        "scale": "tiny", "width": 0.125, "lr": 1e-3, "epochs": 2, "rewind_epoch": 1, "rounds": 2,
        "trim_percent": 25}}, "methods": []}, "drums", "dense-s0")
    with pytest.raises(SystemExit, match=r"f\.npz has no array 'Y'"):
        task_data(spec.task, spec.fidelity, tmp_path / "f.npz")


def test_config_rewind_beyond_training_names_the_key():
    config = {"tasks": {"chords": {"epochs": 4, "rewind_epoch": 9}}, "methods": []}
    with pytest.raises(ValueError, match=r"tasks\.chords\.rewind_epoch: 9 is beyond the 4 training epochs"):
        grid.check_tasks(config)


def test_a_rate_that_would_remove_every_unit_keeps_each_layer_alive():
    from mirtrim.prune.selection import select_units

    scores = {"a": np.arange(8.0), "b": np.arange(4.0) + 10}
    kept = select_units(scores, 99.9, "local", min_units=3)
    assert kept == {"a": list(range(8)), "b": list(range(4))}  # the min-units guard keeps them whole
    kept = select_units(scores, 99.9, "global", min_units=1)
    assert all(len(v) >= 1 for v in kept.values())
    with pytest.raises(ValueError, match=r"pruning rate must be in \[0, 100\) percent, got 100"):
        select_units(scores, 100, "local")


def test_full_disk_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch, capsys):
    from mirtrim.utils import atomic

    target = tmp_path / "record.json"
    target.write_text('{"kept": true}\n')

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError):
        atomic.write_json(target, {"new": 1})
    monkeypatch.undo()
    assert target.read_text() == '{"kept": true}\n' and [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_full_disk_in_a_job_is_one_line(tmp_path, monkeypatch, capsys):
    data = write_dataset(tmp_path / "data", "drumloops")

    def full(file, **arrays):
        raise OSError(errno.ENOSPC, "No space left on device", str(getattr(file, "name", file)))

    monkeypatch.setattr(np, "savez", full)
    code, text, out = extract(data, capsys)
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1 and "No space left on device" in errors[0] and "Traceback" not in text
    assert not out.exists() and not list(tmp_path.glob(".features.npz*"))


def test_diverging_loss_stops_the_job_with_one_line(tmp_path, capsys, monkeypatch):
    from mirtrim.train import tasks

    data = write_dataset(tmp_path / "data", "drumloops")
    edit_meta(data, lambda m: m["splits"].update(train=m["splits"]["train"] * 20))
    assert cli.main(["extract-features", "--data", str(data), "--out", str(tmp_path / "f.npz")]) == 0
    config = {"seeds": [0], "tasks": {"drums": {"scale": "tiny", "width": 0.125, "lr": 1e-3, "batch_size": 8,
                                                 "epochs": 2, "rewind_epoch": 1, "rounds": 2, "trim_percent": 25}},
              "methods": []}
    real_loss = tasks.TranscriptionTask.loss
    monkeypatch.setattr(tasks.TranscriptionTask, "loss", lambda self, logits, y, split=None: real_loss(self, logits, y, split) * np.nan)
    capsys.readouterr()
    code = cli.main(["train-dense", "--spec", grid.spec_json(config, "drums", "dense-s0"), "--features",
                     str(tmp_path / "f.npz"), "--out-dir", str(tmp_path / "r"), "--rewind-out", str(tmp_path / "rw.pt")])
    text = capsys.readouterr()
    assert code == 1 and "training loss became nan" in text.err and "Traceback" not in text.err
    assert not (tmp_path / "r" / "model.pt").exists() and not (tmp_path / "rw.pt").exists()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
