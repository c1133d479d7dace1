"""How well a run's models do their tasks, and how far each method compresses before it loses that.

Per task: the dense test error (seed mean and standard deviation), the trivial baseline's and the
best constant predictor's errors, and for each method the largest whole-model parameter compression
whose seed-mean test error stays within the dense seed-mean error plus one dense seed standard
deviation. This summarises a finished run for the record; no table or figure selects with it.
"""

from __future__ import annotations

from mirtrim.report.seeds import candidates, dense_candidate
from mirtrim.report.tables import markdown_table


def task_quality(rows: list[dict], baseline: dict | None) -> dict:
    dense = dense_candidate(rows)
    mean, std = dense.mean("test_error"), dense.std("test_error")
    methods: dict[str, dict] = {}
    for c in candidates(rows):
        entry = methods.setdefault(c.method, {"max_compression_at_dense": 1.0, "round": 0, "seeds": c.seeds})
        if c.mean("test_error") <= mean + std and c.mean("compression") > entry["max_compression_at_dense"]:
            entry.update(max_compression_at_dense=c.mean("compression"), round=c.round,
                         test_error_mean=c.mean("test_error"))
    return {"dense_error_mean": mean, "dense_error_std": std, "dense_seeds": dense.seeds,
            "dense_errors": [float(r["test_error"]) for r in dense.rows],
            "baseline": baseline.get("baseline") if baseline else None,
            "baseline_error": baseline.get("error") if baseline else None,
            "chance_error": float(dense.rows[0]["chance_error"]) if dense.rows[0].get("chance_error") else None,
            "methods": methods}


def quality_summary(rows: list[dict], baselines: dict[str, dict], wall_minutes: float | None, commit: str) -> dict:
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    seeds = sorted({int(r["seed"]) for r in rows})
    return {"wall_minutes": wall_minutes, "seeds": len(seeds), "commit": commit,
            "tasks": {t: task_quality(rs, baselines.get(t)) for t, rs in sorted(by_task.items())}}


def _num(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def quality_markdown(summary: dict) -> str:
    wall = summary["wall_minutes"]
    lines = [f"# Quality of the default run (commit {summary['commit']}"
             + (f", {wall:.1f} min" if wall is not None else "") + ")", "",
             "Test errors (lower is better). Dense: seed mean ± standard deviation over its seeds. A method's "
             "compression is the largest whole-model parameter compression (dense / non-zero parameters) whose "
             "seed-mean test error is ≤ dense mean + one dense standard deviation (1.00: no round qualifies).", ""]
    lines += markdown_table(
        ["task", "dense error", "dense seeds", "baseline", "baseline error", "chance error"],
        ([task, f"{q['dense_error_mean']:.3f} ± {q['dense_error_std']:.3f}",
          ", ".join(f"{e:.3f}" for e in q["dense_errors"]), q["baseline"] or "-", _num(q["baseline_error"]),
          _num(q["chance_error"])] for task, q in summary["tasks"].items()))
    methods = sorted({m for q in summary["tasks"].values() for m in q["methods"]})

    def compression(entry) -> str:
        return "-" if entry is None else f"{entry['max_compression_at_dense']:.2f} (r{entry['round']})"

    lines += ["", "Largest compression at dense error (round):", ""]
    lines += markdown_table(["method", *summary["tasks"]],
                            ([m, *(compression(q["methods"].get(m)) for q in summary["tasks"].values())]
                             for m in methods))
    return "\n".join(lines) + "\n"
