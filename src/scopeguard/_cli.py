"""The ``scopeguard`` command: ``demo``, ``migrate``, ``report`` and ``coverage``.

Each subcommand lives with its concept and is imported only when chosen, so ``scopeguard demo``
never loads libcst and ``scopeguard migrate`` never starts an emulator.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

__all__ = ["main"]

_COMMANDS: dict[str, tuple[str, str, str]] = {
    # name: (module, function, one-line help)
    "demo": ("scopeguard._demo", "main",
             "show the four scopes at work on an embedded moto server (no AWS account needed)"),
    "migrate": ("scopeguard.codemods.cli", "main",
                "rewrite ad hoc boto3 client creation into factory calls (--diff/--write/--check)"),
    "report": ("scopeguard.lint_rules.report", "main",
               "migration census: raw vs factory client sites per package"),
    "coverage": ("scopeguard._coverage", "main",
                 "operations of the installed botocore the guard does not classify"),
}

_EXTRAS = {"demo": "demo", "migrate": "migrate", "report": "lint"}


def _usage() -> str:
    lines = ["usage: scopeguard <command> [options]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, _, help_) in _COMMANDS.items()]
    lines += ["", "Run 'scopeguard <command> --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(_usage(), file=sys.stderr)  # a usage error, like argparse's
        return 2
    if args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if args[0] == "--version":
        try:
            print(f"scopeguard {version('scopeguard')}")
        except PackageNotFoundError:
            print("scopeguard (not installed)")
        return 0
    command = args[0]
    if command not in _COMMANDS:
        print(f"scopeguard: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, function, _ = _COMMANDS[command]
    try:
        entry: Callable[[list[str]], int] = getattr(import_module(module_name), function)
    except ImportError as exc:
        print(
            f"scopeguard {command}: a dependency is missing ({exc.name or exc}). Install it with: "
            f"pip install 'scopeguard[{_EXTRAS.get(command, '')}]'",
            file=sys.stderr,
        )
        return 2
    try:
        return entry(args[1:])
    except BrokenPipeError:
        # `scopeguard report --json | head`, `scopeguard coverage --json | head`: the reader is gone, which is not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command killed by it
