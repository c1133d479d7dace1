"""``python -m mirtrim <command>``: the entry point of every workflow rule, and the manual debug tool.

Each subcommand is declared next to its handler (``mirtrim.cli.config``, ``.data``, ``.runs``, ``.report``). Heavy imports
(torch, librosa) happen inside the handlers so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys

from mirtrim.cli import config, data, report, runs  # noqa: F401  (they register their commands)
from mirtrim.cli.registry import COMMANDS, working_threads

__all__ = ["build_parser", "main", "working_threads"]

STAGES = (("configuration", config), ("data", data), ("lottery runs and your own models", runs), ("report and repair", report))


def _overview() -> str:
    lines = []
    for title, module in STAGES:
        names = [c.name for c in COMMANDS if c.run.__module__ == module.__name__]
        lines.append(f"  {title}: " + ", ".join(names))
    return "commands by stage:\n" + "\n".join(lines) + "\n\nmirtrim <command> --help shows its options and an example."


def _stage(c) -> int:
    return [module.__name__ for _, module in STAGES].index(c.run.__module__)


def build_parser() -> argparse.ArgumentParser:
    from mirtrim import __version__

    p = argparse.ArgumentParser(prog="mirtrim", description="Trim lottery tickets of deep MIR models: the "
                                "workflow's steps and a trimming tool for your own models.",
                                epilog=_overview(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"mirtrim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    for c in sorted(COMMANDS, key=_stage):
        sp = sub.add_parser(c.name, help=c.help, description=c.help, epilog=f"example:\n  {c.example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        for argument in c.arguments:
            sp.add_argument(*argument.flags, **argument.options)
        sp.set_defaults(func=c.run)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "threads"):
        args.threads = working_threads(args.threads)
    try:
        args.func(args)
    except (ValueError, FloatingPointError) as err:
        # expected failures (bad input, diverged training): one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a full disk, a missing or unwritable path: outputs are atomic, nothing half-written
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    return 0
