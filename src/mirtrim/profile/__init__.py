"""Efficiency of physical models: parameters, MACs, the paper's FLOPs/memory, latency."""
