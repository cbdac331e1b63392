"""Options several sub-commands share."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musicrec.history import IngestResult


def add_timezone(p: argparse.ArgumentParser) -> None:
    """Declare ``--tz``: the listener's IANA time zone (hours and weekdays are read in it)."""
    p.add_argument(
        "--tz",
        default="UTC",
        help="your IANA time zone, e.g. Europe/Berlin (default UTC): habits and --hour use it",
    )


def timezone(args: argparse.Namespace) -> str:
    """The checked ``--tz`` value.

    Raises:
        MusicrecError: when it is not a time zone this machine knows.
    """
    from musicrec.clock import is_timezone
    from musicrec.errors import MusicrecError

    if not is_timezone(args.tz):
        raise MusicrecError(f"unknown time zone '{args.tz}'; use an IANA name like Europe/Berlin")
    return args.tz


def load_history(paths: Sequence[str]) -> IngestResult:
    """Load ``paths`` (files, folders, zips); say on stderr which files were skipped and why.

    Raises:
        MusicrecError: when no plays at all were found.
    """
    import sys

    from musicrec.errors import MusicrecError
    from musicrec.history import load_paths

    loaded = load_paths(paths)
    for r in loaded.errors:
        print(f"skipped {r.path}: {r.error}", file=sys.stderr)
    if loaded.plays.empty:
        raise MusicrecError(
            f"no plays found in {' '.join(paths)}; give Spotify or Last.fm export files"
        )
    return loaded
