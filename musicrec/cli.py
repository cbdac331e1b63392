"""The ``musicrec`` command line: headless access to everything the app does.

Each sub-command is declared here (arguments and help) and implemented by a
``run(args) -> int`` function in the module that owns the concern, imported
only when that command runs, so ``musicrec --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence


def _add_ingest(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(handler="musicrec.history.cli:run")


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="generate the fictional demo catalog, listener and community")
    p.add_argument("--out", help="folder to write catalog/plays/community as Parquet")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(handler="musicrec.demo:run")


def _add_catalog(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalog", help="load, download or match a track catalog")
    csub = p.add_subparsers(dest="catalog_command", required=True)
    f = csub.add_parser("fetch", help="download a public CSV/Parquet catalog into the cache")
    f.add_argument("url")
    f.add_argument("--sha256", help="expected SHA-256 of the download")
    f.add_argument("--name", help="name to cache it under (default: from the URL)")
    f.set_defaults(handler="musicrec.catalog:run_fetch")
    m = csub.add_parser("match", help="match a history to a catalog and print the match report")
    m.add_argument("--history", nargs="+", required=True)
    m.add_argument("--catalog", nargs="+", required=True)
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler="musicrec.matching:run_report")


def _add_recommend_users(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recommend-users", help="batch top-k for every user of an interactions file")
    p.add_argument("--interactions", required=True, help="TSV with header 'user item weight'")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--out", required=True, help="TSV written with header 'user item rank score'")
    p.add_argument(
        "--tags", help="optional user_taggedartists.dat (hetrec) to blend tag similarity"
    )
    p.set_defaults(handler="musicrec.engines.collaborative:run_recommend_users")


def _add_recommend(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recommend", help="print a playlist with reasons")
    p.add_argument(
        "--history", nargs="*", default=[], help="export files (default: the demo listener)"
    )
    p.add_argument(
        "--catalog", nargs="*", default=[], help="catalog files (default: the demo catalog)"
    )
    p.add_argument("--mood")
    p.add_argument("--activity")
    p.add_argument("--hour", type=int)
    p.add_argument("--k", type=int, default=25)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="musicrec.hybrid:run_recommend")


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure every engine against baselines on one history")
    p.add_argument("--history", nargs="+", required=True)
    p.add_argument("--catalog", nargs="*", default=[])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="musicrec.evaluation:run")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (sub-commands declared, handlers resolved lazily)."""
    parser = argparse.ArgumentParser(prog="musicrec", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_ingest,
        _add_demo,
        _add_catalog,
        _add_recommend_users,
        _add_recommend,
        _add_evaluate,
    ):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``musicrec`` console script."""
    args = build_parser().parse_args(argv)
    module_name, func_name = args.handler.split(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    from musicrec.errors import MusicrecError

    try:
        return int(handler(args) or 0)
    except MusicrecError as exc:
        print(f"musicrec: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
