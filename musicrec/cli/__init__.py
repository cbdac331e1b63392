"""The ``musicrec`` command line: headless access to everything the app does.

One module per sub-command, each with ``add_parser(sub)`` (arguments and help) and
``run(args) -> int`` (calls plain functions of the core). Core modules are imported
inside ``run``, so ``musicrec --help`` stays instant. No module outside this package
parses arguments.
"""

from __future__ import annotations

from musicrec.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
