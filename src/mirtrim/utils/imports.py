"""The package modules a module imports, transitively: the `code` inputs of a workflow rule.

A rule that runs ``python -m mirtrim <command>`` depends on every package module that command
imports, including helpers imported inside functions and the packages' ``__init__`` files; listing
them by hand misses some (an edit then reruns nothing). Standard library only: it runs while
Snakemake parses the workflow.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "mirtrim"


def _module_file(root: Path, dotted: str) -> Path | None:
    """The file of ``mirtrim.a.b`` under ``root`` (the folder holding the package), if it exists."""
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(root: Path, path: Path) -> set[Path]:
    """Package files that ``path`` imports anywhere in its body, with the packages above them."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]  # a name may be a module
        for dotted in names:
            parts = dotted.split(".")
            if parts[0] != PACKAGE:
                continue
            for depth in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__
                target = _module_file(root, ".".join(parts[:depth]))
                if target is not None:
                    found.add(target)
    return found


def module_closure(root: str | Path, relative: str) -> list[str]:
    """``mirtrim/<relative>`` and every package file it imports, transitively; the module itself
    first, the rest sorted (absolute paths)."""
    root = Path(root)
    start = (root / PACKAGE / relative).resolve()
    if not start.is_file():
        raise FileNotFoundError(f"no package module {start}")
    seen, todo = {start}, [start]
    while todo:
        for target in _imported(root, todo.pop()):
            target = target.resolve()
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return [str(start)] + sorted(str(p) for p in seen - {start})


def closure_digest(root: str | Path, *relatives: str) -> str:
    """A short hash of the modules ``relatives`` and everything they import: a rule parameter that
    changes, and so reruns the rule's jobs, when the code their results depend on changes."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted({f for relative in relatives for f in module_closure(root, relative)})
    for path in files:
        digest.update(Path(path).relative_to(Path(root).resolve()).as_posix().encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]
