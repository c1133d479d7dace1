"""Trivial signal-processing baselines (MFCC centroids, spectral flux, YIN, chroma templates), scored
on each task's test split on the models' own footing: evidence that a task needs learning."""
