"""Augmentations move labels with their input, fill what they uncover with silence, and draw no
random numbers when switched off (so the default run's data order does not change)."""

import pytest
import torch

from mirtrim.train.augment import gain_shift, time_shift
from mirtrim.train.tasks import make_task


def test_time_shift_moves_frames_and_labels_together_and_fills_with_silence():
    x = torch.arange(2 * 3 * 10, dtype=torch.float32).view(2, 3, 10) + 1.0
    y = torch.zeros(2, 1, 10, dtype=torch.int64)
    y[:, 0, 5] = 1  # an onset at frame 5 in both windows
    gen = torch.Generator().manual_seed(0)
    out, out_y = time_shift(x, y, gen, max_shift=0.3)
    for i in range(2):
        (frame,) = torch.nonzero(out_y[i, 0]).flatten().tolist()
        s = frame - 5
        assert abs(s) <= 3
        kept = slice(max(s, 0), 10 + min(s, 0))
        assert torch.equal(out[i, :, kept], x[i, :, max(-s, 0):10 - max(s, 0)])
        uncovered = torch.ones(10, dtype=torch.bool)
        uncovered[kept] = False
        assert torch.all(out[i][:, uncovered] == x[i].min())


def test_an_onset_shifted_out_of_the_window_is_dropped():
    x, y = torch.ones(64, 2, 10), torch.zeros(64, 1, 10, dtype=torch.int64)
    y[:, 0, 0] = 1
    _, out_y = time_shift(x, y, torch.Generator().manual_seed(1), max_shift=0.3)
    assert 0 < int(out_y.sum()) < 64 and out_y.sum(-1).max() == 1  # left shifts push it out


def test_gain_shift_keeps_the_waveform_up_to_gain_polarity_and_delay():
    x = torch.randn(8, 100)
    out = gain_shift(x, torch.Generator().manual_seed(2), max_gain_db=6.0, max_shift=0.1)
    for i in range(8):
        best = max(range(-10, 11), key=lambda s: abs(float(torch.dot(torch.roll(x[i], s), out[i]))))
        keep, to, frm = 100 - abs(best), max(best, 0), max(-best, 0)
        ratio = out[i, to:to + keep] / x[i, frm:frm + keep]
        assert torch.allclose(ratio, ratio[0].expand_as(ratio), atol=1e-5)
        assert 10 ** (-6 / 20) - 1e-5 <= abs(float(ratio[0])) <= 10 ** (6 / 20) + 1e-5


@pytest.mark.parametrize("task, switch", [("onsets", "spectrogram_augment"), ("instrument", "waveform_augment")])
def test_augmentation_off_returns_the_batch_and_draws_nothing(task, switch):
    adapter = make_task(task, {switch: "none"})
    gen = torch.Generator().manual_seed(3)
    state = gen.get_state()
    x, y = torch.randn(4, 8, 50), torch.zeros(4, 1, 50, dtype=torch.int64)
    assert adapter.augment(x, y, gen) == (x, y) and torch.equal(gen.get_state(), state)


def test_an_unknown_augmentation_is_refused_by_name():
    with pytest.raises(ValueError, match="spectrogram_augment must be 'none' or 'time_shift'"):
        make_task("drums", {"spectrogram_augment": "pitch"})
