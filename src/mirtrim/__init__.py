"""mirtrim: structured lottery-ticket trimming for deep MIR models.

The top level stays import-light (no torch) so that the Snakefile can import
``mirtrim.grid`` cheaply at parse time.
"""

__version__ = "0.1.0"
