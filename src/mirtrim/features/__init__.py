"""Input features of the paper's models."""
