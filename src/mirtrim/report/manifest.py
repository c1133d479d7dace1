"""The ``figures/all`` manifest: every figure and table with its sha256 and size."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mirtrim.utils.atomic import write_text


def write_manifest(out: str | Path, files: list[str]) -> None:
    lines = []
    for f in sorted(files):
        path = Path(f)
        if not path.is_file() or path.stat().st_size == 0:
            raise SystemExit(f"error: manifest entry {f} is missing or empty")
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.stat().st_size:>9}  {f}\n")
    write_text(out, "# sha256  bytes  path  (mirtrim figures/all manifest)\n" + "".join(lines))
