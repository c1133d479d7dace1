import numpy as np
import pytest

from mirtrim.metrics.onsets import WINDOW, f_measure, match_count, onset_scores

FRAME = 1024 / 22050  # 46.4 ms


def test_seconds_mode_matches_within_50ms():
    # est frame 10 -> 0.464 s matches ref 0.474 s; frame 20 -> 0.929 s misses ref 1.393 s
    s = onset_scores([np.array([10, 20])], [np.array([10 * FRAME + 0.01, 30 * FRAME])], FRAME)
    assert s["f_mean"] == pytest.approx(0.5) and s["precision"] == pytest.approx(0.5) and s["recall"] == pytest.approx(0.5)


def test_perfect_and_disjoint():
    ref = [np.array([0.1, 0.5, 1.0])]
    est = [np.round(ref[0] / FRAME).astype(int)]
    assert onset_scores(est, ref, FRAME)["f_mean"] == pytest.approx(1.0)
    assert onset_scores([np.array([40])], ref, FRAME)["f_mean"] == 0.0


def test_empty_examples_policy():
    both_empty = ([np.array([], dtype=int)], [np.array([])])
    assert onset_scores(*both_empty, FRAME)["f_mean"] == 1.0
    assert np.isnan(onset_scores(*both_empty, FRAME, empty="skip")["f_mean"])
    # one side empty: F = 0 in every mode
    assert onset_scores([np.array([3])], [np.array([])], FRAME)["f_mean"] == 0.0
    assert onset_scores([np.array([], dtype=int)], [np.array([0.2])], FRAME)["f_mean"] == 0.0


def test_frame_index_mode_is_exact_frame_matching_and_punishes_silence():
    # the paper: mir_eval on frame indices, window 0.05 -> only identical frames match
    s = onset_scores([np.array([10, 21])], [None], FRAME, ref_frames=[np.array([10, 20])], mode="frame_index")
    assert s["f_mean"] == pytest.approx(0.5)
    s = onset_scores([np.array([], dtype=int)], [None], FRAME, ref_frames=[np.array([])], mode="frame_index")
    assert s["f_mean"] == 0.0


def test_mean_over_examples_and_micro_average_differ():
    est = [np.array([10]), np.array([1, 2, 3, 4])]
    ref = [np.array([10 * FRAME]), np.array([1 * FRAME, 9.0])]
    s = onset_scores(est, ref, FRAME)
    assert s["f_mean"] == pytest.approx((1.0 + 2 * 1 / (2 + 4)) / 2)
    assert s["f_micro"] == pytest.approx(2 * 2 / (3 + 5))


def _mir_eval_f(ref, est):
    import mir_eval

    return len(mir_eval.util.match_events(ref, est, WINDOW)), mir_eval.onset.f_measure(ref, est, window=WINDOW)[0]


@pytest.mark.parametrize("grid", ["quarter_frames", "continuous", "frame_index"])
def test_matching_and_f_equal_mir_evals_on_random_events(grid):
    """The linear matcher against mir_eval's graph search: the same matched count and a bit-identical
    F, on event sets dense enough that one estimate often reaches two references (and the reverse),
    with times on a grid (pairs exactly one window apart) and off it."""
    rng = np.random.default_rng(7)
    for _ in range(600):
        n_ref, n_est = rng.integers(1, 25, size=2)
        if grid == "continuous":
            ref, est = np.sort(rng.uniform(0, 1.5, n_ref)), np.sort(rng.uniform(0, 1.5, n_est))
        else:  # on a grid; frame_index is the paper's mode, where only equal indices lie within the window
            step = 1.0 if grid == "frame_index" else FRAME / 4
            ref, est = (np.unique(rng.integers(0, 40, n)) * step for n in (n_ref, n_est))
        count, f = _mir_eval_f(ref, est)
        assert match_count(ref, est, WINDOW) == count
        assert f_measure(ref, est, WINDOW) == (f, count)


def test_matching_prefers_the_assignment_that_matches_most():
    # est 0.04 reaches both refs; greedy-by-distance would take 0.07 and leave est 0.10 unmatched
    ref, est = np.array([0.0, 0.07]), np.array([0.04, 0.10])
    assert match_count(ref, est, WINDOW) == 2 == _mir_eval_f(ref, est)[0]


def test_unsorted_events_are_refused_as_mir_eval_refuses_them():
    with pytest.raises(ValueError, match="increasing order"):
        match_count(np.array([0.2, 0.1]), np.array([0.1]), WINDOW)


def test_bad_mode_is_rejected():
    with pytest.raises(ValueError, match="onset metric mode"):
        onset_scores([], [], FRAME, mode="beats")
