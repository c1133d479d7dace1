"""Task metrics (mir_eval where the MIR community has a standard)."""
