"""``musicrec taste``: what the Taste profile page shows, in the terminal."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec taste``."""
    p = sub.add_parser(
        "taste", help="your taste profile: plays, hours, top artists and tracks, clock"
    )
    p.add_argument("paths", nargs="+", help="export files, folders or my_spotify_data.zip")
    p.add_argument(
        "--tz", default=None, help="your IANA time zone, e.g. Europe/Berlin (default UTC)"
    )
    p.add_argument(
        "--from", dest="start", default=None, help="first day of the period (YYYY-MM-DD)"
    )
    p.add_argument("--to", dest="end", default=None, help="last day of the period (YYYY-MM-DD)")
    p.add_argument("--catalog", default=None, help="a track catalog (CSV or Parquet) to match to")
    p.add_argument("--top", type=int, default=10, help="how many top artists and tracks")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def _day(value: str | None, flag: str) -> object:
    import datetime as dt

    from musicrec.errors import MusicrecError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MusicrecError(f"{flag} {value!r} is not a date: use YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    """Load ``args.paths`` and print the Taste page's figures (one JSON object with --json).

    Returns:
        0 when the files held plays that count (in any period), 1 when none did.
    """
    import json

    from musicrec import clock, taste
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.errors import MusicrecError
    from musicrec.history import load_paths, load_report
    from musicrec.workspace import build_workspace

    if args.tz is not None and not clock.is_timezone(args.tz):
        raise MusicrecError(
            f"--tz {args.tz!r} is not a time zone: use an IANA name like Europe/Berlin"
        )
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if start is not None and end is not None and start > end:
        raise MusicrecError(f"--from {start} is after --to {end}")
    result = load_paths(args.paths)
    catalog = None
    if args.catalog:
        from musicrec.catalog import load_catalog

        catalog = load_catalog([args.catalog])
    rule = DEFAULT_COUNTING
    ws = build_workspace(
        result.plays, catalog, library=result.library, rule=rule, timezone=clock.resolve(args.tz)
    )
    report = load_report(result, rule)
    apart = {k: report.set_apart.get(k, 0) for k in ("podcast", "short", "duplicate", "bad")}
    out = taste.profile(ws.plays, result.plays, timezone=args.tz, start=start, end=end,
                        set_apart=apart, n=args.top)  # fmt: skip
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{out['plays']:,} plays, {out['hours']:,.0f} hours ({clock.label(out['timezone'])})")
        print("set apart: " + ", ".join(f"{k} {v:,}" for k, v in out["set_apart"].items()))
        for i, a in enumerate(out["top_artists"], 1):
            print(f"{i:>3}. {a['artist']}  {a['plays']:,} plays, {a['hours']:,.1f} h")
    return 0 if len(ws.plays) else 1
