"""The command line: every subcommand documented where it is declared, and reachable from the top-level help."""

import argparse

import pytest

from mirtrim.cli import build_parser, main
from mirtrim.cli.registry import COMMANDS


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_registered_once():
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names)) == len(_subparsers(build_parser()))


@pytest.mark.parametrize("name", sorted(c.name for c in COMMANDS))
def test_every_option_has_help_and_every_command_an_example(name):
    sub = _subparsers(build_parser())[name]
    undocumented = [a.dest for a in sub._actions if not a.help]
    assert undocumented == [], f"{name}: options without help: {undocumented}"
    assert sub.epilog.startswith("example:\n  mirtrim " + name)


def test_top_level_help_lists_every_command_by_stage(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    overview = out.split("commands by stage:")[1]
    assert all(c.name in overview for c in COMMANDS)


def test_version(capsys):
    from mirtrim import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"mirtrim {__version__}"


def test_benchmarks_on_a_missing_folder_fails_with_one_line(tmp_path, capsys):
    assert main(["benchmarks", "--root", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no benchmark files" in err and "nothing" in err


def test_the_task_choices_are_the_registry_tasks():
    from mirtrim.cli.registry import TASKS
    from mirtrim.taskdefs import TASK_DEFS

    assert TASKS == tuple(TASK_DEFS)


@pytest.mark.parametrize("argv,expected", [
    (["model-info", "--task", "pitch", "--width", "0"], "expected float > 0, got '0'"),
    (["model-info", "--task", "pitch", "--width", "-1"], "expected float > 0, got '-1'"),
    (["model-info", "--task", "pitchy"], "invalid choice: 'pitchy'"),
    (["generate-data", "--dataset", "notes", "--scale", "huge", "--seed", "1", "--out", "x"], "invalid choice: 'huge'"),
    (["trim", "--model", "m:f", "--example-shape", "1,1", "--out", "o", "--percent", "100.5"],
     "expected float > 0 and <= 100, got '100.5'"),
    (["benchmarks", "--top", "0"], "expected int >= 1, got '0'"),
])
def test_invalid_numbers_and_names_are_refused_in_one_line(argv, expected, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and expected in err and "Traceback" not in err
