"""Model checkpoints: architecture + cumulative trim plan + weights; never a pickled module."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from mirtrim.models import build_model
from mirtrim.prune.trim import apply_kept
from mirtrim.utils.atomic import atomic_path, rebuild_hint

FORMAT = "mirtrim-model/1"


def save_model(path: str | Path, model: nn.Module, arch: dict, kept_dense: dict | None, extra: dict | None = None) -> None:
    payload = {"format": FORMAT, "arch": arch, "kept_dense": kept_dense,
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}, **(extra or {})}
    with atomic_path(path, suffix=".pt") as tmp:
        torch.save(payload, tmp)


def _load(path: str | Path, what: str, readable: str) -> object:
    """``torch.load`` with one error line naming the file and how to rebuild it."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise SystemExit(f"error: {what} not found: {path}") from None
    except Exception as err:
        first = str(err).split("\n")[0]
        raise SystemExit(f"error: {path} is not a readable {readable} ({type(err).__name__}: {first}); "
                         f"{rebuild_hint(path)}") from None


def read_checkpoint(path: str | Path) -> dict:
    ckpt = _load(path, "model checkpoint", "mirtrim checkpoint")
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise SystemExit(f"error: {path} is not a mirtrim checkpoint (expected format {FORMAT}); {rebuild_hint(path)}")
    return ckpt


def read_rewind(path: str | Path) -> dict:
    """The state_dict of a rewind snapshot (rewind.pt)."""
    snapshot = _load(path, "rewind snapshot", "rewind snapshot")
    if not isinstance(snapshot, dict) or "state_dict" not in snapshot:
        raise SystemExit(f"error: {path} is not a readable rewind snapshot (no state_dict); {rebuild_hint(path)}")
    return snapshot["state_dict"]


def load_model(path: str | Path) -> tuple[nn.Module, dict]:
    """Rebuild the physical (trimmed) model: dense architecture, replay the plan, load weights."""
    ckpt = read_checkpoint(path)
    model = build_model(ckpt["arch"])
    if ckpt["kept_dense"]:
        apply_kept(model, model.coupling_graph(), ckpt["kept_dense"])
    model.load_state_dict(ckpt["state_dict"])
    return model, ckpt
