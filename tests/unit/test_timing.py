"""The timing pass shares one measurement among models of one architecture, and only among those."""

import json

import pytest
import torch

from mirtrim.models import arch_for, build_model
from mirtrim.prune import apply_kept, kept_from_plan, make_plan
from mirtrim.prune.mask import full_masks
from mirtrim.train.checkpoint import save_model


def _round(tmp_path, name, model, arch, kept=None, masks=None, run="r", rnd=0):
    folder = tmp_path / name
    folder.mkdir()
    save_model(folder / "model.pt", model, arch, kept, {"masks": masks} if masks else None)
    (folder / "train.json").write_text(json.dumps({"task": "chords", "run": run, "round": rnd}))
    return str(folder / "model.pt"), str(folder / "train.json")


def test_masked_models_share_the_dense_timing_and_trimmed_ones_get_their_own(tmp_path):
    from mirtrim.profile.timing import architecture_signature, time_rounds

    torch.manual_seed(0)
    arch = arch_for("chords", 0.25)
    dense = build_model(arch)
    masked = build_model(arch)  # other weights, some zeroed by a mask: the same kernels run
    masks = full_masks(masked, masked.coupling_graph())
    trimmed = build_model(arch)
    graph = trimmed.coupling_graph()
    kept = kept_from_plan(make_plan(trimmed, graph, criterion="magnitude", scope="local", percent=20, round_index=1))
    apply_kept(trimmed, graph, kept)
    assert architecture_signature(dense, "chords") == architecture_signature(masked, "chords")
    assert architecture_signature(dense, "chords") != architecture_signature(trimmed, "chords")
    rounds = [_round(tmp_path, "d", dense, arch, run="dense-s0", rnd=0),
              _round(tmp_path, "m", masked, arch, masks=masks, run="mask-s0", rnd=1),
              _round(tmp_path, "t", trimmed, arch, kept=kept, run="trim-s0", rnd=1)]
    record = time_rounds([m for m, _ in rounds], [t for _, t in rounds], runs=2, repeats=1, onnx=False,
                         progress=lambda *_: None)
    assert record["architectures"] == 2
    d, m, t = record["rounds"]
    assert [r["run"] for r in record["rounds"]] == ["dense-s0", "mask-s0", "trim-s0"]
    assert m["timed_as"] == d["timed_as"] == "dense-s0/round00" and m["latency_ms"] == d["latency_ms"]
    assert t["timed_as"] == "trim-s0/round01" and t["signature"] != d["signature"]


def test_aggregate_takes_latency_from_the_timing_record_and_names_a_missing_round(tmp_path):
    from mirtrim.report.aggregate import aggregate

    def write(name, record):
        (tmp_path / name).write_text(json.dumps(record))
        return str(tmp_path / name)

    pairs = []
    for run, rnd, params in (("dense-s0", 0, 100), ("trim-magnitude-local-rewind-s0", 1, 50)):
        ev = write(f"e{rnd}.json", {"task": "chords", "run": run, "round": rnd, "test_error": 0.5, "valid_error": 0.5})
        pr = write(f"p{rnd}.json", {"task": "chords", "parameters": params, "macs": 10 * params,
                                    "masked": False, "alive_fraction": 1.0})
        pairs.append((ev, pr))
    timing = write("timing.json", {"rounds": [
        {"task": "chords", "run": "dense-s0", "round": 0, "latency_ms": 2.0},
        {"task": "chords", "run": "trim-magnitude-local-rewind-s0", "round": 1, "latency_ms": 0.5}]})
    rows = aggregate(pairs, timing)
    assert [r["latency_ms"] for r in rows] == [2.0, 0.5] and rows[1]["speedup"] == pytest.approx(4.0)
    partial = write("partial.json", {"rounds": [{"task": "chords", "run": "dense-s0", "round": 0, "latency_ms": 2.0}]})
    with pytest.raises(SystemExit, match="partial.json has no latency for chords trim-magnitude-local-rewind-s0 "
                                         "round 1; rerun its time_task job"):
        aggregate(pairs, partial)
