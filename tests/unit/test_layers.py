"""The one-way import rule of docs/architecture.md, checked on every import in the package (lazy
imports inside functions included)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "mirtrim"
# a package may import only packages of a lower rank; prune/, the task registry and the run spec import nothing of the
# package, utils/ only the registry (to check config task names against it)
RANK = {"mirtrim": 0, "taskdefs": 0, "runspec": 0, "prune": 0, "utils": 1, "metrics": 2, "data": 3, "features": 4, "grid": 4,
        "models": 5, "train": 6, "profile": 7, "baselines": 7, "report": 8, "cli": 9, "__main__": 10}


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem if path.stem != "__init__" else "mirtrim"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "mirtrim":
            names = [f"mirtrim.{a.name}" if a.name in RANK else "mirtrim" for a in node.names]  # from mirtrim import grid
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mirtrim":
                found.add(parts[1] if len(parts) > 1 else "mirtrim")
    return found


def test_every_package_is_ranked():
    packages = {_package_of(p) for p in PACKAGE.rglob("*.py")}
    assert packages <= set(RANK), packages - set(RANK)


def test_imports_flow_one_way():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _package_of(path)
        for dst in _imports(path) - {src}:
            if RANK[dst] >= RANK[src] and not (dst == "mirtrim" and src != "prune"):
                wrong.append(f"{path.relative_to(PACKAGE)} ({src}) imports {dst}")
    assert wrong == []


def test_the_trimming_library_imports_nothing_else_of_the_package():
    for path in sorted((PACKAGE / "prune").rglob("*.py")):
        assert _imports(path) <= {"prune"}, path


def _prune_modules_imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mirtrim.prune."):
            found.add(node.module.split(".")[2])
    return found


def test_the_trimming_library_has_no_import_cycle():
    # every import, lazy ones included: a cycle hidden inside a function is still a cycle
    edges = {p.stem: _prune_modules_imported(p) for p in (PACKAGE / "prune").glob("*.py") if p.stem != "__init__"}
    done, on_path = set(), []

    def visit(module: str) -> None:
        assert module not in on_path, " -> ".join([*on_path[on_path.index(module):], module])
        if module in done:
            return
        on_path.append(module)
        for dst in sorted(edges.get(module, ())):
            visit(dst)
        on_path.pop()
        done.add(module)

    for module in sorted(edges):
        visit(module)
