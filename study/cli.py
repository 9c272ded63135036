"""The ``replylab`` command line.

Each subcommand lives in its own module under ``study/commands/`` and exposes
``NAME`` (the subcommand), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules are discovered, so adding a command means adding
a file. Exit codes: 0 success, 1 a failure worth a bug report, 2 bad input
(printed as a message, never a traceback), 130 interrupted.

>>> main(["--version"])  # doctest: +SKIP
replylab 0.1.0
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from importlib.metadata import PackageNotFoundError, version

from study import commands
from study.errors import UserError


def _version() -> str:
    try:
        return version("replylab")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def command_modules():
    """The command modules under ``study/commands``, sorted by command name."""
    modules = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            modules.append(module)
    return sorted(modules, key=lambda m: m.NAME)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replylab",
        description="Run and analyse between-subjects vignette experiments.",
    )
    parser.add_argument("--version", action="version", version=f"replylab {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        command_parser = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except UserError as error:
        print(f"replylab {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"replylab {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
