"""The `--sdm conda` route: every rule's env file provides what its command imports, pinned to the
versions pip installs (the ones the tests run with). Reads the env files; needs no conda."""

import ast
import inspect
import re
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import mirtrim.cli  # noqa: F401  (registers the commands)
from mirtrim.cli.registry import COMMANDS
from mirtrim.utils.imports import module_closure

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
# import name -> conda-forge package
CONDA_NAME = {"torch": "pytorch", "soundfile": "pysoundfile", "fluidsynth": "pyfluidsynth", "yaml": "pyyaml",
              "matplotlib": "matplotlib-base"}
# conda-forge package -> pip distribution (for the version check); None: not a Python distribution
PIP_NAME = {"pytorch": "torch", "pysoundfile": "soundfile", "matplotlib-base": "matplotlib", "python": None,
            "fluidsynth": None}


def _rule_blocks() -> list[tuple[str, str]]:
    """(name, text) of every rule, including the ones defined in loops (``rule:`` + ``name:``) and the
    ones derived with ``use rule <base> as <name> with:``, which get their base's text after their own
    (what they do not override, they inherit)."""
    blocks = {}
    for smk in sorted((ROOT / "workflow/rules").glob("*.smk")):
        for part in re.split(r"^(?=[ \t]*(?:use )?rule\b)", smk.read_text(), flags=re.M):
            part = part.strip()
            if not re.match(r"(use )?rule\b", part):
                continue  # the text before the first rule
            derived = re.match(r"use rule (\w+) as (\w+) with:", part)
            if derived:
                blocks[derived.group(2)] = part + blocks[derived.group(1)]
                continue
            named = re.match(r"rule\s*(\w+):", part) or re.search(r"name:\s*(.+)", part)
            blocks[named.group(1).strip()] = part
    return list(blocks.items())


def _third_party(path: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "mirtrim"}


def command_imports(name: str) -> set[str]:
    """Third-party packages a subcommand's handler imports, through every package module it reaches."""
    handler = next(c.run for c in COMMANDS if c.name == name)
    needed, files = set(), set()  # the cli modules import only the standard library at their top level
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(handler)))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mirtrim."):
            dotted = node.module.split(".", 1)[1].replace(".", "/")
            rel = f"{dotted}.py" if (SRC / "mirtrim" / f"{dotted}.py").exists() else f"{dotted}/__init__.py"
            files |= set(module_closure(SRC, rel))
        elif isinstance(node, ast.Import):
            needed |= {a.name.split(".")[0] for a in node.names}
    for f in files:
        needed |= _third_party(f)
    if "onnxruntime" in needed:
        needed.add("onnx")  # torch.onnx.export imports it
    return needed


def _env(relative: str) -> dict[str, str]:
    deps = yaml.safe_load((ROOT / "workflow/rules" / relative).resolve().read_text())["dependencies"]
    return dict((d.split("=", 1) + [""])[:2] for d in deps)


RULES = [(name, re.search(r'conda:\s*"([^"]+)"', text),
          re.search(r'cli\(\s*"([a-z-]+) ', text) or re.search(r"python -m mirtrim ([a-z-]+) ", text))
         for name, text in _rule_blocks()]
COMMAND_RULES = [(name, env.group(1), cmd.group(1)) for name, env, cmd in RULES if cmd]


def test_every_computing_rule_has_an_env_and_a_command():
    assert len(COMMAND_RULES) >= 18
    assert all(env for _, env, _ in RULES), [name for name, env, _ in RULES if not env]


@pytest.mark.parametrize("rule,env,command", COMMAND_RULES, ids=[r for r, _, _ in COMMAND_RULES])
def test_the_rule_env_provides_what_its_command_imports(rule, env, command):
    provided = set(_env(env))
    missing = {CONDA_NAME.get(m, m) for m in command_imports(command)} - provided
    assert not missing, f"rule {rule} ({env}): `mirtrim {command}` imports {sorted(missing)}, not in the env"


def _pip_requirements() -> dict[str, SpecifierSet]:
    """Every distribution pyproject.toml declares (core and extras), with its version range."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    out = {}
    for line in lines:
        req = Requirement(line)
        if req.name != "mirtrim":
            out[canonicalize_name(req.name)] = req.specifier
    return out


@pytest.mark.parametrize("env_file", sorted(p.name for p in (ROOT / "envs").glob("*.yaml")))
def test_env_pins_are_what_pip_may_install(env_file):
    """Each pin is declared in pyproject.toml and inside its range: the conda and pip routes run the
    same packages (pinned here to the versions pip installed when the env was written)."""
    declared = _pip_requirements()
    for package, pin in _env(f"../../envs/{env_file}").items():
        dist = PIP_NAME.get(package, package)
        if dist is None:
            continue
        name = canonicalize_name(dist)
        assert name in declared, f"envs/{env_file}: {package} is not declared in pyproject.toml"
        assert pin and declared[name].contains(pin, prereleases=True), \
            f"envs/{env_file}: {package}={pin} is outside pyproject.toml's {dist}{declared[name]}"
