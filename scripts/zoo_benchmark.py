"""Outside models, one 30 % step: mirtrim (traced graph) beside Torch-Pruning at the same ratio.

    python scripts/zoo_benchmark.py --out docs/benchmarks/zoo.json   # and zoo.md beside it

For every model of the test zoo (tests/unit/zoo.py: re-implementations of public architectures,
credited there): the pattern it exercises, the declaration lines it needs (0 when the tracer
proposes its graph; otherwise the lines of its hand-written ``coupling_graph``), the parameter ratio
(after / before) of one local magnitude step removing 30 % of every group's units, Torch-Pruning's
ratio for the same step (``MagnitudePruner``, L1, ratio 0.3, output layers ignored) or its error,
max |masked - trimmed| on a random batch, and the seconds of score + plan + apply. Run it alone.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "unit"))

import torch  # noqa: E402

import zoo  # noqa: E402
from mirtrim.prune import apply_kept, kept_from_plan, make_plan, trace_coupling  # noqa: E402
from mirtrim.prune.trim import zero_removed  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402

PATTERNS = {
    "Conv1dFlatten": ("conv -> flatten -> Linear (block layout)", "mirtrim"),
    "Conv2dMultiHead": ("conv -> flatten -> MLP with two heads", "mirtrim"),
    "FrequencyMajorReshape": ("frequency-major reshape (strided layout)", "mirtrim"),
    "gru_bi": ("CRNN, stacked bidirectional GRU", "Choi et al. 2017 (CRNN tagger)"),
    "lstm_bi": ("CRNN, stacked bidirectional LSTM", "Choi et al. 2017 (CRNN tagger)"),
    "gru_uni": ("CRNN, one GRU layer", "Choi et al. 2017 (CRNN tagger)"),
    "lstm_uni_stacked": ("CRNN, three stacked LSTM layers", "Choi et al. 2017 (CRNN tagger)"),
    "ResidualCNN": ("residual adds, 1x1 downsample", "He et al. 2016 (ResNet BasicBlock)"),
    "SqueezeExcitation": ("squeeze-excitation gating product", "Hu et al. 2018 (SE)"),
    "FireConcat": ("concatenation of two expand convs", "Iandola et al. 2016 (SqueezeNet Fire)"),
    "UNetSkip": ("transposed conv, skip concatenation", "Ronneberger et al. 2015; Jansson et al. 2017"),
    "MultiBranchFrontEnd": ("multi-branch concat with the raw input", "Pons et al. 2017 (musical filter shapes)"),
    "InvertedResidual": ("depthwise conv, PReLU, InstanceNorm, residual", "Sandler et al. 2018 (MobileNetV2)"),
    "TCNWeightNorm": ("weight-normed dilated causal convs, residual", "Bai et al. 2018 (TCN)"),
    "VGGTagger": ("VGG blocks, global max pool, sigmoid tags", "Choi et al. 2016 (FCN music tagger)"),
    "TransformerBlock": ("self-attention, residual adds, LayerNorm, feed-forward", "Vaswani et al. 2017"),
    "BiLSTMSeparator": ("bidirectional LSTM with a skip concatenation, mask", "Stöter et al. 2019 (Open-Unmix)"),
    "GRUFinalState": ("stacked GRU read from its final hidden state", "Choi et al. 2017 (CRNN tagger)"),
}


def parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def mirtrim_step(model, x) -> dict:
    report = trace_coupling(model, x)
    traced = report.graph == model.coupling_graph()
    graph = report.graph if traced else model.coupling_graph()
    lines = 0 if traced else len(inspect.getsource(type(model).coupling_graph).splitlines())
    start = time.perf_counter()
    plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=30, round_index=1, min_units=1)
    kept = kept_from_plan(plan)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        diff = float((trimmed(x) - zero_removed(copy.deepcopy(model), graph, kept)(x)).abs().max())
    return {"declaration_lines": lines, "traced": traced, "mirtrim_ratio": parameters(trimmed) / parameters(model),
            "max_abs_diff": diff, "seconds": round(seconds, 4),
            "unplaced": report.unplaced}  # the tracer's reason for every layer it left whole


def torch_pruning_step(model, x) -> dict:
    try:
        import torch_pruning as tp
    except ImportError:
        return {"tp_ratio": None, "tp_error": "torch-pruning is not installed"}
    model = copy.deepcopy(model)
    # the same layers stay whole for both: the boundary (here, the output layers)
    ignored = [dict(model.named_modules())[name] for name in model.coupling_graph().boundary]
    try:
        pruner = tp.pruner.MagnitudePruner(model, x, importance=tp.importance.MagnitudeImportance(p=1),
                                           pruning_ratio=0.3, ignored_layers=ignored)
        before = parameters(model)
        pruner.step()
        with torch.no_grad():
            model(x)
        return {"tp_ratio": parameters(model) / before, "tp_error": None}
    except Exception as err:  # its failure is the measurement
        return {"tp_ratio": None, "tp_error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for make in zoo.ZOO:
        name = make.__name__
        torch.manual_seed(0)
        model = zoo.randomise_norms(make()).eval()
        x = torch.randn(4, *model.input_shape)
        pattern, origin = PATTERNS.get(name, ("", ""))
        rows.append({"name": name, "origin": origin, "pattern": pattern, **mirtrim_step(model, x),
                     **torch_pruning_step(model, x)})
        print(rows[-1], flush=True)
    write_json(a.out, {"step": "one local magnitude step, 30 % of every group's units", "models": rows})
    lines = ["# Outside models: one 30 % step, mirtrim beside Torch-Pruning", "",
             "Written by `python scripts/zoo_benchmark.py`. Ratio = parameters after / before (lower removes "
             "more). Declaration lines: 0 when the tracer's graph equals the hand-written one.", "",
             "| model | origin | pattern | declaration lines | mirtrim ratio | Torch-Pruning ratio | max abs diff | "
             "seconds |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tp_cell = f"{r['tp_ratio']:.3f}" if r["tp_ratio"] is not None else f"fails: {r['tp_error']}"
        lines.append(f"| {r['name']} | {r['origin']} | {r['pattern']} | {r['declaration_lines']} | "
                     f"{r['mirtrim_ratio']:.3f} | {tp_cell} | {r['max_abs_diff']:.1e} | {r['seconds']:.3f} |")
    write_text(Path(a.out).with_suffix(".md"), "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
