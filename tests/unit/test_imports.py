"""A rule's code inputs: the module and every package module it imports, found, not typed."""

from pathlib import Path

import pytest

from mirtrim.utils.imports import module_closure

SRC = Path(__file__).resolve().parents[2] / "src"


def _short(paths, root=SRC):
    return [str(Path(p).relative_to(Path(root).resolve())) for p in paths]


def test_the_closure_follows_imports_through_modules_and_inside_functions():
    closure = _short(module_closure(SRC, "report/crosstask.py"))
    assert closure[0] == "mirtrim/report/crosstask.py" and closure[1:] == sorted(closure[1:])
    # direct imports, imports of imports (aggregate -> grid), and the packages' __init__ files
    for module in ("report/efficiency.py", "report/seeds.py", "report/figures.py", "report/aggregate.py",
                   "grid/__init__.py", "grid/runs.py", "utils/atomic.py", "__init__.py", "report/__init__.py", "utils/__init__.py"):
        assert f"mirtrim/{module}" in closure, module
    assert not any(p.startswith("mirtrim/train/") or p.startswith("mirtrim/prune/") for p in closure)


def test_an_import_inside_a_function_is_a_dependency(tmp_path):
    pkg = tmp_path / "mirtrim"
    (pkg / "sub").mkdir(parents=True)
    for f in ("__init__.py", "sub/__init__.py", "sub/helper.py", "other.py"):
        (pkg / f).write_text("")
    (pkg / "main.py").write_text("import os\n\ndef f():\n    from mirtrim.sub import helper\n    import mirtrim.other\n")
    assert _short(module_closure(tmp_path, "main.py"), tmp_path) == [
        "mirtrim/main.py", "mirtrim/__init__.py", "mirtrim/other.py", "mirtrim/sub/__init__.py",
        "mirtrim/sub/helper.py"]


def test_a_missing_module_is_named():
    with pytest.raises(FileNotFoundError, match="report/nowhere.py"):
        module_closure(SRC, "report/nowhere.py")


def test_the_code_digest_changes_with_any_imported_module_and_only_then(tmp_path):
    from mirtrim.utils.imports import closure_digest

    pkg = tmp_path / "mirtrim"
    pkg.mkdir()
    for f in ("__init__.py", "unrelated.py"):
        (pkg / f).write_text("")
    (pkg / "helper.py").write_text("X = 1\n")
    (pkg / "main.py").write_text("from mirtrim import helper\n")
    before = closure_digest(tmp_path, "main.py")
    (pkg / "unrelated.py").write_text("Y = 2\n")
    assert closure_digest(tmp_path, "main.py") == before
    (pkg / "helper.py").write_text("X = 2\n")
    assert closure_digest(tmp_path, "main.py") != before and len(before) == 12
