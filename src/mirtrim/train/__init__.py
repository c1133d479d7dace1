"""Training: task adapters, the per-round loop, checkpoints."""
