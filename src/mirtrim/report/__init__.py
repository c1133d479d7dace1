"""Aggregation, figures, tables and the manifest, all computed from results/."""
