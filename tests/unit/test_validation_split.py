"""Validation holds out whole groups (singers, kits, players, programs, songs), as the test split does."""

import numpy as np
import pytest

from mirtrim.data import drumloops, instruments, notes, voices
from mirtrim.data.generate import generate
from mirtrim.features.build import build_features
from mirtrim.train.rounds import task_data, validation_rows

CASES = {  # dataset, task, module, tiny sizes, the metadata field the split must respect
    "voices": ("singing", voices, {"train": 24, "test": 6, "singers_train": 6, "singers_test": 2}, "singer"),
    "drumloops": ("drums", drumloops, {"train": 20, "test": 5, "kits_train": 5, "kits_test": 2}, "kit"),
    "notes": ("pitch", notes, {"train": 60, "test": 4}, "program"),
    "instruments": ("instrument", instruments, {"train": 26, "test": 13, "players": 4}, "player"),
}


@pytest.mark.parametrize("dataset", sorted(CASES))
def test_validation_and_test_groups_are_disjoint_from_training(tmp_path, monkeypatch, dataset):
    task_name, module, sizes, field = CASES[dataset]
    monkeypatch.setitem(module.SCALES, "tiny", {**module.SCALES["tiny"], **sizes})
    meta = generate(dataset, "tiny", 3, tmp_path / "data", progress=lambda *_: None)
    build_features(tmp_path / "data", tmp_path / "f.npz", progress=lambda *_: None)
    _task, train, valid, test = task_data(task_name, {}, tmp_path / "f.npz")
    train_groups, valid_groups, test_groups = set(train.groups), set(valid.groups), set(test.groups)
    assert valid_groups and train_groups and not (train_groups & valid_groups)
    assert not (test_groups & (train_groups | valid_groups))
    # the groups are the generator's singers / kits / players / programs, not single examples
    named = {str(e[field]) if field != "program" else f"program{e[field]}" for e in meta["splits"]["train"]}
    assert train_groups | valid_groups == named and len(named) < len(meta["splits"]["train"])
    assert len(train) + len(valid) == int(np.sum(np.isin(np.concatenate([train.groups, valid.groups]),
                                                         list(named))))


def test_every_frame_of_a_note_stays_on_one_side():
    groups = np.repeat(np.array([f"note{i}" for i in range(10)]), 7)  # 7 frames per note
    valid = validation_rows(groups, len(groups), "f.npz")
    held = set(groups[valid])
    assert len(held) == 2 and all((groups == g).sum() == 7 for g in held)
    assert not held & set(np.delete(groups, valid))


@pytest.mark.parametrize("groups, why", [(None, "old.npz has no group ids"),
                                         (np.array(["kitA"] * 50), "old.npz has one training group (kitA")])
def test_without_two_groups_validation_falls_back_to_random_examples_and_says_so(capsys, groups, why):
    rows = validation_rows(groups, 50, "old.npz")
    assert len(rows) == 10 and len(set(rows)) == 10
    out = capsys.readouterr().out
    assert why in out and "not held out by group" in out
