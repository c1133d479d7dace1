"""Datasets: offline synthetic generators and the shared on-disk format."""
