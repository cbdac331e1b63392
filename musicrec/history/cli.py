"""``musicrec ingest``: load exports and print the per-file report."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from musicrec.config import DEFAULT_COUNTING
from musicrec.history import load_paths


def run(args: argparse.Namespace) -> int:
    """Load ``args.paths``; print the report (JSON with --json); write --out if given.

    Exit code 0 when at least one file loaded, 1 when every file failed.
    """
    rule = (
        DEFAULT_COUNTING
        if args.min_ms is None
        else dataclasses.replace(DEFAULT_COUNTING, min_ms_played=args.min_ms)
    )
    result = load_paths(args.paths, rule=rule)
    if args.out:
        out = Path(args.out)
        if out.suffix == ".csv":
            result.plays.to_csv(out, index=False)
        else:
            result.plays.to_parquet(out, index=False)
    report = {"files": [r.as_dict() for r in result.reports], "totals": result.totals()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for r in result.reports:
            status = f"ERROR {r.error}" if r.error else f"{r.records} records, {r.kept} kept"
            print(f"{r.path}  [{r.format or '?'}]  {status}")
        t = report["totals"]
        print(
            f"{t['files']} files, {t['failed']} failed, {t['records']} records, {t['plays']} plays counted"
        )
    ok = any(not r.error for r in result.reports)
    return 0 if ok else 1
