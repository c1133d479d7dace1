"""How a run's methods compare on one footing: per round, the headline trim method beside masking on
whole-model compression and on the paper's maskable-only convention, with MAC reduction and speed-up;
and the dense reference's error per seed. Written beside the default run's benchmark."""

from __future__ import annotations

from mirtrim.report.seeds import candidates, dense_candidate
from mirtrim.report.tables import markdown_table

TRIM, MASK = "trim-magnitude-local-rewind", "mask-magnitude-local-rewind"


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mean(candidate, key: str) -> float | None:
    values = [r.get(key) for r in candidate.rows]
    return None if any(v in (None, "") for v in values) else candidate.mean(key)


def ratio_table(task: str, rows: list[dict]) -> list[str]:
    by_method = {(c.method, c.round): c for c in candidates(rows)}
    masks = sorted({m for m, _ in by_method if m.startswith("mask-")}, key=lambda m: (m != MASK, m))
    mask_method = masks[0] if masks else MASK  # local scope, as the trim method, when the run has it
    rounds = sorted({r for m, r in by_method if m in (TRIM, mask_method)})
    head = ["round", "Trim compression", "Mask compression (dense / non-zero)",
            "Mask, paper convention (1 / alive maskable)", "Trim MAC red.", "Mask MAC red.", "Trim speed-up",
            "Mask speed-up"]
    table = []
    for rnd in rounds:
        trim, mask = by_method.get((TRIM, rnd)), by_method.get((mask_method, rnd))
        cells = [_cell(_mean(c, key)) if c else "-" for c, key in (
            (trim, "compression"), (mask, "compression"), (mask, "compression_maskable"), (trim, "mac_reduction"),
            (mask, "mac_reduction"), (trim, "speedup"), (mask, "speedup"))]
        table.append([rnd, *cells])
    return [f"### {task}: `{TRIM}` and `{mask_method}`", "", *markdown_table(head, table), ""]


def dense_seed_table(rows_by_task: dict[str, list[dict]]) -> list[str]:
    table = []
    for task, rows in rows_by_task.items():
        dense = dense_candidate(rows)
        tests = ", ".join(f"{float(r['test_error']):.3f}" for r in dense.rows)
        valids = ", ".join(f"{float(r['valid_error']):.3f}" for r in dense.rows)
        low, high = dense.spread("test_error")
        table.append([task, dense.seeds, tests, f"{dense.mean('test_error'):.3f}", f"{high - low:.3f}", valids])
    head = ["task", "seeds", "dense test error per seed", "mean", "max - min", "dense valid error per seed"]
    return [*markdown_table(head, table), ""]


def footing_markdown(rows: list[dict]) -> str:
    """``rows``: the merged summary (results/summary.csv) of one run."""
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    out = ["## One compression basis: Trim and Mask side by side", "",
           "The headline trim method and a masking method (local scope when the run has it), seed means. Compression is dense parameters / non-zero parameters of the whole "
           "model for both; the paper's convention for masking (1 / alive fraction of the maskable weights) is "
           "what the figures showed before. MAC reduction and speed-up (eager, batch 1, one thread) show what "
           "each model saves.", ""]
    for task, rows_ in by_task.items():
        out += ratio_table(task, rows_)
    out += ["## Dense reference per seed", ""] + dense_seed_table(by_task)
    return "\n".join(out)
