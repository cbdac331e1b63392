"""The parser and the entry point: sub-commands from their modules, errors as one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from musicrec.cli import catalog, demo, evaluate, ingest, recommend, recommend_users, taste

COMMANDS = (ingest, demo, catalog, recommend_users, recommend, evaluate, taste)
"""Sub-command modules, in the order ``musicrec --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; each sub-command sets ``args.handler`` to its ``run``."""
    parser = argparse.ArgumentParser(
        prog="musicrec",
        description="musicrec: headless access to everything the app does.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _fail(message: str) -> int:
    print(f"musicrec: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``musicrec`` console script.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit code: the command's own (0 on success), 2 when it failed with a
        ``MusicrecError`` or could not read or write a file (printed as one line
        ``musicrec: message`` on stderr, never a traceback).
    """
    args = build_parser().parse_args(argv)
    from musicrec.errors import MusicrecError

    try:
        return int(args.handler(args) or 0)
    except MusicrecError as exc:
        return _fail(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail("interrupted")
