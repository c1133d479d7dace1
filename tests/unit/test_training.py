import numpy as np
import torch
from torch import nn

from mirtrim.train.loop import TrainConfig, train_round
from mirtrim.train.tasks import Split


class ToyTask:
    """Regression-free classification stub with a real loss and a real (accuracy) error."""

    def loss(self, logits, y, split=None):
        return nn.functional.cross_entropy(logits, y)

    def error(self, logits, split):
        return {"error": float((logits.argmax(1) != split.y).float().mean())}


def toy_split(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return Split(x, y)


def fit(cfg, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    result = train_round(model, ToyTask(), toy_split(256, 1), toy_split(64, 2), toy_split(64, 3), cfg, seed=seed,
                         device=torch.device("cpu"), log=lambda s: None)
    return model, result


def test_rewind_snapshot_exists_even_when_early_stopping_fires_first():
    # lr 0: nothing improves after epoch 0, so patience 1 would stop at epoch 1, before k = 4
    _, result = fit(TrainConfig(epochs=10, lr=0.0, batch_size=32, patience=1, rewind_epoch=4))
    assert result.rewind_state is not None
    assert len(result.history) >= 4 and result.stopped_early


def test_rewind_at_the_last_epoch_is_the_final_state():
    model, result = fit(TrainConfig(epochs=3, lr=1e-2, batch_size=32, patience=30, rewind_epoch=3))
    assert len(result.history) == 3 and result.rewind_state is not None


def test_best_validation_weights_are_reloaded():
    model, result = fit(TrainConfig(epochs=8, lr=5e-2, batch_size=32))
    errors = [h["valid_error"] for h in result.history]
    assert result.best_epoch == int(np.argmin(errors))
    val = toy_split(64, 2)
    with torch.no_grad():
        err = float((model(val.x).argmax(1) != val.y).float().mean())
    assert err == errors[result.best_epoch]


def test_same_seed_same_weights_on_cpu():
    a, _ = fit(TrainConfig(epochs=3, lr=1e-2, batch_size=32), seed=7)
    b, _ = fit(TrainConfig(epochs=3, lr=1e-2, batch_size=32), seed=7)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_rewind_epoch_beyond_training_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="rewind epoch 9 is beyond the 3 training epochs"):
        fit(TrainConfig(epochs=3, lr=1e-2, batch_size=32, rewind_epoch=9))


def test_diverging_loss_is_reported_not_trained_on():
    import pytest

    with pytest.raises(FloatingPointError, match="training loss became"):
        fit(TrainConfig(epochs=2, lr=float("inf"), batch_size=32))


def test_rewind_by_iteration_snapshots_before_that_step():
    import copy as _copy

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    initial = _copy.deepcopy(model.state_dict())
    cfg = TrainConfig(epochs=2, lr=1e-2, batch_size=32, rewind_iteration=0)
    result = train_round(model, ToyTask(), toy_split(256, 1), toy_split(64, 2), toy_split(64, 3), cfg, seed=0,
                         device=torch.device("cpu"), log=lambda s: None)
    assert all(torch.equal(result.rewind_state[k], v) for k, v in initial.items())  # step 0 = the initialisation
    _, later = fit(TrainConfig(epochs=2, lr=1e-2, batch_size=32, rewind_iteration=11))
    assert later.rewind_state is not None
