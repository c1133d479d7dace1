"""How well a run's models do their tasks, and how far each method compresses before it loses that.

Per task: the dense test error (seed mean and standard deviation), the trivial baseline's and the
best constant predictor's errors, and for each method the largest whole-model parameter compression
whose seed-mean test error stays within the dense seed-mean error plus one dense seed standard
deviation. This summarises a finished run for the record; no table or figure selects with it.

``targets`` checks the run against the project's quality targets (issue "dense models that master
their tasks"): dense error at most half the chance error; dense beats the trivial baseline; the Trim
method with rewind whose criterion has the lowest validation error (averaged over its rounds: the
test split never picks it) keeps the dense error to at least 4x; and at some round the rewound
magnitude Trim is better than its re-initialised and random-unit controls by more than the dense
seed standard deviation (the seed band). Beside Trim's compression at dense error stands the
largest compression its rounds reach: below 4x the grid itself rules the target out.
"""

from __future__ import annotations

import statistics

from mirtrim.report.seeds import candidates, dense_candidate, selection_error
from mirtrim.report.tables import markdown_table


def task_quality(rows: list[dict], baseline: dict | None) -> dict:
    dense = dense_candidate(rows)
    mean, std = dense.mean("test_error"), dense.std("test_error")
    methods: dict[str, dict] = {}
    for c in candidates(rows):
        entry = methods.setdefault(c.method, {"max_compression_at_dense": 1.0, "round": 0, "seeds": c.seeds,
                                              "max_compression_reached": 1.0})
        entry["max_compression_reached"] = max(entry["max_compression_reached"], c.mean("compression"))
        if c.mean("test_error") <= mean + std and c.mean("compression") > entry["max_compression_at_dense"]:
            entry.update(max_compression_at_dense=c.mean("compression"), round=c.round,
                         test_error_mean=c.mean("test_error"))
    return {"dense_error_mean": mean, "dense_error_std": std, "dense_seeds": dense.seeds,
            "dense_errors": [float(r["test_error"]) for r in dense.rows],
            "baseline": baseline.get("baseline") if baseline else None,
            "baseline_error": baseline.get("error") if baseline else None,
            "chance_error": float(dense.rows[0]["chance_error"]) if dense.rows[0].get("chance_error") else None,
            "methods": methods}


REWIND, CONTROLS = "trim-magnitude-local-rewind", ("trim-magnitude-local-reinit", "trim-random-local-rewind")


def _best_trim_criterion(rows: list[dict]) -> str | None:
    """The local rewound Trim method whose rounds have the lowest mean validation error."""
    by_method: dict[str, list[float]] = {}
    for c in candidates(rows):
        if c.method.startswith("trim-") and c.method.endswith("-local-rewind") and "random" not in c.method:
            by_method.setdefault(c.method, []).append(selection_error(c))
    return min(by_method, key=lambda m: statistics.fmean(by_method[m])) if by_method else None


def _separation(rows: list[dict], band: float) -> dict:
    """Per control: the largest (control - rewind) seed-mean test error over the rounds both have."""
    means = {(c.method, c.round): c.mean("test_error") for c in candidates(rows)}
    out = {}
    for control in CONTROLS:
        gaps = [means[(control, r)] - means[(REWIND, r)] for (m, r) in means if m == control and (REWIND, r) in means]
        if gaps:
            out[control] = {"largest_gap": max(gaps), "separates": max(gaps) > band}
    return out


def targets(rows: list[dict], quality: dict) -> dict:
    mean, chance, base = quality["dense_error_mean"], quality["chance_error"], quality["baseline_error"]
    best = _best_trim_criterion(rows)
    compression = quality["methods"][best]["max_compression_at_dense"] if best else None
    reached = quality["methods"][best]["max_compression_reached"] if best else None
    return {"dense_over_chance": mean / chance if chance else None,
            "dense_at_most_half_chance": bool(chance) and mean <= 0.5 * chance,
            "beats_baseline": base is not None and mean < base,
            "trim_method_chosen_on_validation": best, "trim_compression_at_dense": compression,
            "trim_at_least_4x": compression is not None and compression >= 4.0,
            # the grid's last round: below 4x the target cannot be met, whatever the training does
            "trim_compression_reached": reached,
            "rewind_separation": _separation(rows, quality["dense_error_std"])}


def quality_summary(rows: list[dict], baselines: dict[str, dict], wall_minutes: float | None, commit: str) -> dict:
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    seeds = sorted({int(r["seed"]) for r in rows})
    return {"wall_minutes": wall_minutes, "seeds": len(seeds), "commit": commit,
            "tasks": {t: _with_targets(rs, task_quality(rs, baselines.get(t))) for t, rs in sorted(by_task.items())}}


def _with_targets(rows: list[dict], quality: dict) -> dict:
    return {**quality, "targets": targets(rows, quality)}


def _num(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


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
    return "\n".join(lines + targets_markdown(summary)) + "\n"


# the four yes/no targets of a task, as the pages name them
VERDICTS = (("dense ≤ 0.5 × chance", "dense_at_most_half_chance"), ("beats its baseline", "beats_baseline"),
            ("Trim ≥ 4x at dense error", "trim_at_least_4x"),
            ("rewind separates from both controls", "separates_from_both"))


def verdicts(targets: dict) -> dict[str, bool]:
    """A task's four verdicts; rewind separates when it beats every control it was compared with (re-init,
    random units) by more than the dense std."""
    separation = targets["rewind_separation"]
    return {"dense_at_most_half_chance": bool(targets["dense_at_most_half_chance"]),
            "beats_baseline": bool(targets["beats_baseline"]), "trim_at_least_4x": bool(targets["trim_at_least_4x"]),
            "separates_from_both": bool(separation) and all(s["separates"] for s in separation.values())}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def targets_markdown(summary: dict) -> list[str]:
    """The targets, one row per task, and how many tasks meet each."""
    tasks = summary["tasks"]
    rows = []
    for task, q in tasks.items():
        t = q["targets"]
        sep = t["rewind_separation"]
        rows.append([task, f"{_num(t['dense_over_chance'])} ({_yes(t['dense_at_most_half_chance'])})",
                     _yes(t["beats_baseline"]), t["trim_method_chosen_on_validation"] or "-",
                     "-" if t["trim_compression_at_dense"] is None else
                     f"{t['trim_compression_at_dense']:.2f} ({_yes(t['trim_at_least_4x'])})",
                     _num(t.get("trim_compression_reached"), 2),
                     *(f"{sep[c]['largest_gap']:+.3f} ({_yes(sep[c]['separates'])})" if c in sep else "-"
                       for c in CONTROLS)])
    met = [verdicts(q["targets"]) for q in tasks.values()]
    lines = ["", "Targets (test errors; the Trim criterion is chosen on validation error):", ""]
    lines += markdown_table(["task", "dense / chance (≤ 0.5)", "dense beats baseline", "Trim method (rewind)",
                             "its compression at dense error (≥ 4x)", "largest compression its rounds reach",
                             "re-init − rewind, largest gap (> dense std)",
                             "random − rewind, largest gap (> dense std)"], rows)
    lines += ["", "Tasks meeting each: " + "; ".join(f"{name} {sum(m[key] for m in met)} of {len(tasks)}"
                                                  for name, key in VERDICTS) + "."]
    return lines
