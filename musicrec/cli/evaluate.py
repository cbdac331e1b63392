"""``musicrec evaluate``: measure every engine against baselines on one history."""

from __future__ import annotations

import argparse

from musicrec.cli.options import add_timezone, load_history, timezone


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec evaluate``."""
    p = sub.add_parser("evaluate", help="measure every engine against baselines on one history")
    p.add_argument("--history", nargs="+", required=True)
    p.add_argument("--catalog", nargs="*", default=[])
    p.add_argument("--json", action="store_true")
    add_timezone(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the table of every model on ``args.history`` (progress on stderr)."""
    import json
    import sys

    from musicrec.catalog import load_catalog
    from musicrec.evaluation import evaluate_history

    tz = timezone(args)
    loaded = load_history(args.history)
    catalog = load_catalog(args.catalog) if args.catalog else None

    def progress(f: float, msg: str) -> None:
        print(f"\r{f:4.0%} {msg[:60]:60s}", end="", file=sys.stderr)

    result = evaluate_history(loaded.plays, catalog=catalog, progress=progress, timezone=tz)
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), default=float))
    else:
        print(f"{result.sessions} test sessions; hybrid weights {result.weights}")
        for task, table in result.tables.items():
            print(f"\n== {task} ==")
            print(table.to_string(float_format=lambda x: f"{x:.3f}"))
        for note in result.notes:
            print(f"note: {note}")
    return 0
