"""What produced a record: the run's spec and digest, the package version and the source commit."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import mirtrim


@functools.lru_cache(maxsize=1)
def source_commit() -> str | None:
    """The git commit of the package's checkout (``+dirty`` with uncommitted changes under src/);
    None for an installed copy outside a repository."""
    src = Path(mirtrim.__file__).resolve().parent

    def git(*args):
        return subprocess.run(["git", *args], cwd=src, capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return None
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", str(src)).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty else "")


def provenance(spec) -> dict:
    """Keys every run record carries (``spec``: a ``mirtrim.runspec.RunSpec``)."""
    return {"spec": spec.to_dict(), "spec_digest": spec.digest(), "package_version": mirtrim.__version__,
            "source_commit": source_commit()}
