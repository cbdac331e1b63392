"""Options several sub-commands share."""

from __future__ import annotations

import argparse


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
