import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from mirtrim.data import drumloops
from mirtrim.data.layout import f0_at, read_f0, read_onsets, write_f0, write_onsets
from mirtrim.features import logmel


def test_loops_are_deterministic_and_follow_the_paper_rules():
    kit = drumloops.draw_kit(np.random.default_rng(5))
    digests = set()
    for _ in range(2):
        audio, times, labels = drumloops.render_loop(np.random.default_rng([1, 2, 3]), kit)
        digests.add(hashlib.sha256(audio.tobytes()).hexdigest())
    assert len(digests) == 1
    for seed in range(20):
        audio, times, labels = drumloops.render_loop(np.random.default_rng(seed), kit)
        assert 8 <= len(times) <= 20 and len(set(labels)) >= 2
        assert audio.dtype == np.float32 and len(audio) == int(drumloops.DURATION * drumloops.SR)
        assert np.abs(audio).max() <= 1.0 and np.isfinite(audio).all()


def test_onset_files_round_trip_and_bad_lines_name_the_file(tmp_path):
    path = tmp_path / "a.txt"
    write_onsets(path, np.array([0.5, 0.1]), ["SD", "KD"])
    times, labels = read_onsets(path)
    assert times.tolist() == [0.1, 0.5] and labels == ["KD", "SD"]
    path.write_text("0.1\tKD\n0.2\tCOWBELL\n")
    with pytest.raises(ValueError, match=r"a.txt:2: label 'COWBELL'"):
        read_onsets(path)
    path.write_text("abc\tKD\n")
    with pytest.raises(ValueError, match=r"a.txt:1: expected"):
        read_onsets(path)


def test_logmel_matches_librosa_in_interior_frames():
    import librosa

    y = np.random.default_rng(0).standard_normal(60000).astype(np.float32) * 0.1
    ours = logmel.logmel(y)[0].numpy()
    ref = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=1024, n_mels=64, fmin=20, fmax=5512.0,
                                         power=2.0, center=True, pad_mode="constant")
    ref = np.log(ref + 1e-5)[:, :50]
    assert ours.shape == (64, 50)
    assert np.allclose(ours[:, 2:-2], ref[:, 2:-2], atol=1e-3)


def test_logmel_rejects_too_short_audio():
    with pytest.raises(ValueError, match="needs at least"):
        logmel.logmel(torch.zeros(1000))


def test_onset_frames_floor_and_drop_beyond_input():
    frames = logmel.onset_frames(np.array([0.0, 0.05, 2.3, 2.4]))
    assert frames.tolist() == [0, 1, 49, -1]


def test_parallel_feature_extraction_is_identical_to_serial(tmp_path):
    import soundfile as sf

    from mirtrim.features import cqt
    from mirtrim.features.build import build_features

    rng = np.random.default_rng(0)
    entries = {"train": [], "test": []}
    for i, split in enumerate(["train", "train", "train", "test"]):
        (tmp_path / split).mkdir(exist_ok=True)
        sf.write(tmp_path / split / f"s{i}.wav", 0.1 * rng.standard_normal(cqt.SR * 2).astype(np.float32), cqt.SR)
        (tmp_path / split / f"s{i}.lab").write_text("0.0\t1.0\tC:maj\n1.0\t2.0\tA:min\n")
        entries[split].append({"id": f"s{i}"})
    (tmp_path / "metadata.json").write_text(json.dumps({"dataset": "songs", "sample_rate": cqt.SR, "splits": entries}))
    build_features(tmp_path, tmp_path / "serial.npz", progress=lambda *_: None, workers=1)
    build_features(tmp_path, tmp_path / "parallel.npz", progress=lambda *_: None, workers=3)
    serial, parallel = np.load(tmp_path / "serial.npz"), np.load(tmp_path / "parallel.npz")
    assert sorted(serial.files) == sorted(parallel.files)
    for key in serial.files:
        assert np.array_equal(serial[key], parallel[key]), key


def test_f0_files_round_trip_and_bad_lines_name_the_file(tmp_path):
    path = tmp_path / "m.f0.csv"
    write_f0(path, np.array([0.0, 0.005, 0.01]), np.array([220.0, 221.5, 0.0]))
    times, f0 = read_f0(path)
    assert np.allclose(f0, [220.0, 221.5, 0.0])
    assert np.allclose(f0_at(times, f0, np.array([0.0, 0.004, 0.0051, 0.5])), [220.0, 220.0, 221.5, 0.0])
    for bad, why in (("0.0,220\nx,1\n", "expected"), ("0.1,220\n0.05,220\n", "increasing"),
                     ("0.0,-5\n", "f0 >= 0"), ("", "no f0 rows")):
        path.write_text(bad)
        with pytest.raises(ValueError, match=why) as err:
            read_f0(path)
        assert str(path) in str(err.value)


def test_notes_with_melodies_give_frames_labelled_by_continuous_f0(tmp_path, monkeypatch):
    from mirtrim.data import notes
    from mirtrim.data.generate import generate
    from mirtrim.features.build import build_features
    from mirtrim.metrics.pitch import hz_to_cents

    monkeypatch.setitem(notes.SCALES, "tiny", {"train": 4, "test": 2})
    meta = generate("notes", "tiny", 7, tmp_path / "data", progress=lambda *_: None, melodies=0.5)
    kinds = [e["kind"] for split in ("train", "test") for e in meta["splits"][split]]
    assert kinds == ["note", "melody"] * 3 and meta["melody_fraction"] == 0.5
    build_features(tmp_path / "data", tmp_path / "f.npz", progress=lambda *_: None)
    f = np.load(tmp_path / "f.npz")
    melody = meta["splits"]["train"][1]
    times, f0 = read_f0(tmp_path / "data" / "train" / melody["f0_file"])
    n_note = notes.FRAMES_PER_NOTE
    train = f["cents"][f["split"] == "train"]  # train_00000 (note), then train_00001 (melody), ...
    per_melody = (len(train) - 2 * n_note) // 2
    assert per_melody > 2 * n_note
    melody_cents = train[n_note:n_note + per_melody]
    assert np.ptp(melody_cents) > 100  # the label follows the melody, not one constant pitch
    assert np.abs(melody_cents[:, None] - hz_to_cents(f0)[None]).min(axis=1).max() < 1e-6
    assert np.all(train[:n_note] == hz_to_cents(meta["splits"]["train"][0]["f0_hz"]))  # a note keeps its f0
    with pytest.raises(ValueError, match="melodies"):
        generate("voices", "tiny", 7, tmp_path / "v", melodies=0.5)


def test_every_generator_and_the_schema_know_the_same_scales():
    import yaml

    from mirtrim import grid
    from mirtrim.data.generate import MODULES

    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml").read_text())
    task_keys = schema["properties"]["tasks"]["additionalProperties"]["properties"]
    assert tuple(task_keys["scale"]["enum"]) == grid.SCALES
    assert all(tuple(module.SCALES) == grid.SCALES for module in MODULES.values())


@pytest.mark.parametrize("dataset", ["drumloops", "instruments", "voices", "notes", "songs"])
def test_the_medium_scale_triples_the_training_split_and_keeps_the_test_split(dataset):
    from mirtrim.data.generate import MODULES

    small, medium = MODULES[dataset].SCALES["small"], MODULES[dataset].SCALES["medium"]
    assert medium["train"] == 3 * small["train"]
    assert {k: v for k, v in medium.items() if k != "train"} == {k: v for k, v in small.items() if k != "train"}


def test_a_larger_training_split_extends_the_smaller_one_and_leaves_the_test_split_as_is(tmp_path, monkeypatch):
    """Every example draws from its own seeded stream, so small's data is a prefix of medium's: a sweep
    over data size compares more examples of the same kits against the same test split."""
    from mirtrim.data.generate import generate

    sizes = {"test": 2, "kits_train": 3, "kits_test": 2}
    monkeypatch.setitem(drumloops.SCALES, "small", {"train": 2, **sizes})
    monkeypatch.setitem(drumloops.SCALES, "medium", {"train": 5, **sizes})
    quiet = lambda *_: None  # noqa: E731
    small = generate("drumloops", "small", 3, tmp_path / "s", progress=quiet)["splits"]
    medium = generate("drumloops", "medium", 3, tmp_path / "m", progress=quiet)["splits"]
    assert medium["test"] == small["test"]
    assert medium["train"][:2] == small["train"] and len(medium["train"]) == 5
