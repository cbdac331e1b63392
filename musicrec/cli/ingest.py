"""``musicrec ingest``: load exports and print the per-file report."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec ingest``."""
    p = sub.add_parser(
        "ingest", help="read history exports (files, folders or zips) into one plays table"
    )
    p.add_argument("paths", nargs="+", help="export files, folders or my_spotify_data.zip")
    p.add_argument("--out", help="write the normalised plays table here (.parquet or .csv)")
    p.add_argument(
        "--json", action="store_true", help="print the per-file report as one JSON object"
    )
    p.add_argument(
        "--min-ms", type=int, default=None, help="counting rule: minimum ms played (default 30000)"
    )
    p.add_argument(
        "--map",
        dest="mapping",
        metavar="FIELD=COL,...",
        help="read every PATH as a CSV with these columns: time=COL,artist=COL,track=COL"
        "[,album=COL][,ms_played=COL]",
    )
    p.add_argument(
        "--times-tz",
        metavar="ZONE",
        help="with --map: the IANA zone of times written without an offset (default UTC)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load ``args.paths``; print the report (JSON with --json); write --out if given.

    Returns:
        0 when at least one file loaded, 1 when every file failed.
    """
    import dataclasses
    import json
    import sys
    from pathlib import Path

    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import load_paths, load_report
    from musicrec.history.load import load_mapped_paths, parse_mapping

    rule = (
        DEFAULT_COUNTING
        if args.min_ms is None
        else dataclasses.replace(DEFAULT_COUNTING, min_ms_played=args.min_ms)
    )
    if args.mapping:
        try:
            mapping = parse_mapping(args.mapping)
            result = load_mapped_paths(args.paths, mapping, rule=rule, tz=args.times_tz)
        except ValueError as exc:  # a malformed --map or an unknown zone
            print(f"musicrec: {exc}", file=sys.stderr)
            return 2
    else:
        result = load_paths(args.paths, rule=rule)
    if args.out:
        out = Path(args.out)
        if out.suffix == ".csv":
            result.plays.to_csv(out, index=False)
        else:
            result.plays.to_parquet(out, index=False)
    summary = load_report(result)
    report = {
        "files": [r.as_dict() for r in result.reports],
        "totals": result.totals(),
        "report": summary.as_dict(),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for r in result.reports:
            status = f"ERROR {r.error}" if r.error else f"{r.records} records, {r.kept} kept"
            print(f"{r.path}  [{r.format or '?'}]  {status}")
        print(summary.summary())
    return 0 if any(not r.error for r in result.reports) else 1
