"""Evaluation on real listening: metrics, the protocol, and ``musicrec evaluate``."""

from __future__ import annotations

import argparse
import json

from musicrec.evaluation.protocol import EvaluationResult, ProtocolConfig, evaluate_history

__all__ = ["EvaluationResult", "ProtocolConfig", "evaluate_history", "run"]


def run(args: argparse.Namespace) -> int:
    """``musicrec evaluate``: the table of every model on one history."""
    import sys

    from musicrec.catalog import load_catalog
    from musicrec.history import load_paths

    loaded = load_paths(args.history)
    catalog = load_catalog(args.catalog) if args.catalog else None

    def progress(f: float, msg: str) -> None:
        print(f"\r{f:4.0%} {msg[:60]:60s}", end="", file=sys.stderr)

    result = evaluate_history(loaded.plays, catalog=catalog, progress=progress)
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
