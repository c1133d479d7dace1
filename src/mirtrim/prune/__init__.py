"""Structured trimming with lottery-ticket rewinding.

Typical use on any ``nn.Module`` (see the README, "Trim your own model")::

    graph = trace_coupling(model, example_input).graph  # or declared by hand:
    graph = CouplingGraph(groups=(Group("conv1", norms=("bn1",), consumers=(Consumer("conv2"),)),),
                          boundary=("conv2",))
    plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=25, round_index=1)
    verify(graph, model, example_input)  # trimming = zeroing, on copies; names the fix when not
    apply_kept(model, graph, kept_from_plan(plan))
"""

from mirtrim.prune.criteria import CRITERIA, score_units
from mirtrim.prune.graph import Consumer, CouplingError, CouplingGraph, Group, unit_counts
from mirtrim.prune.plan import compose, kept_from_plan, make_plan
from mirtrim.prune.rewind import RESETS, reinitialised, rewound
from mirtrim.prune.schedule import compression_schedule
from mirtrim.prune.selection import SCOPES, select_units
from mirtrim.prune.trace import TraceReport, trace_coupling
from mirtrim.prune.trim import apply_kept
from mirtrim.prune.verify import verify

__all__ = [
    "CRITERIA", "RESETS", "SCOPES", "Consumer", "CouplingError", "CouplingGraph", "Group", "apply_kept",
    "TraceReport", "compose", "compression_schedule", "kept_from_plan", "make_plan", "reinitialised",
    "rewound", "score_units", "select_units", "trace_coupling", "unit_counts", "verify",
]
