"""Seed-averaged candidates: what the tables select among, on validation error only.

A candidate is one (method, round) of a task: the rows of its seeds averaged. Tables choose among
candidates by their seed-mean **validation** error and report their seed-mean **test** error with its
min-max over seeds; the test split never decides which model a table shows. Seeds are paired: every
method of a seed trains on the same data order (``train.rounds`` seeds the batch order by seed and
round only), so a per-seed difference between methods is not a difference of data order.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass


def method_key(run: str) -> str:
    """The run id without its seed: ``trim-magnitude-local-rewind-s1`` -> ``trim-magnitude-local-rewind``."""
    return re.sub(r"-s\d+$", "", run)


@dataclass(frozen=True)
class Candidate:
    group: str  # Trim, Mask, Prune, Random; "Original" for the dense reference
    method: str
    round: int
    rows: tuple  # one summary row per seed, lowest seed first

    @property
    def seeds(self) -> int:
        return len(self.rows)

    def mean(self, key: str) -> float:
        return statistics.fmean(float(r[key]) for r in self.rows)

    def spread(self, key: str) -> tuple[float, float]:
        values = [float(r[key]) for r in self.rows]
        return min(values), max(values)

    def std(self, key: str) -> float:
        return statistics.stdev(float(r[key]) for r in self.rows) if len(self.rows) > 1 else 0.0

    @property
    def representative(self) -> dict:
        """The lowest seed's row: costs (parameters, MACs, latency) of one physical model."""
        return self.rows[0]


def dense_candidate(rows: list[dict]) -> Candidate:
    """Round 0 of every seed (each run of a seed repeats its seed's dense row: keep one)."""
    by_seed = {int(r["seed"]): r for r in rows if int(r["round"]) == 0}
    if not by_seed:
        raise SystemExit(f"error: summary of task {rows[0]['task'] if rows else '?'} has no dense round-0 row; "
                         "rerun aggregate_task")
    return Candidate("Original", "dense", 0, tuple(by_seed[s] for s in sorted(by_seed)))


def candidates(rows: list[dict], group: str | None = None) -> list[Candidate]:
    """Every (method, round > 0) of the rows (optionally of one method group), seeds averaged."""
    grouped = defaultdict(list)
    for r in rows:
        if int(r["round"]) > 0 and (group is None or r["method"] == group):
            grouped[(r["method"], method_key(r["run"]), int(r["round"]))].append(r)
    return [Candidate(g, m, rnd, tuple(sorted(rs, key=lambda r: int(r["seed"]))))
            for (g, m, rnd), rs in sorted(grouped.items())]


def selection_error(candidate: Candidate) -> float:
    """The error a table selects on: the seed-mean validation error."""
    if any(r.get("valid_error") in (None, "") for r in candidate.rows):
        raise SystemExit(f"error: summary rows of {candidate.method} round {candidate.round} have no valid_error; "
                         "rerun assess_round and aggregate_task with this version")
    return candidate.mean("valid_error")
