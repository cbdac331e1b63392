"""``musicrec catalog list|fetch|match``: the offered catalogs; download one; match a history."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec catalog list``, ``fetch`` and ``match``."""
    p = sub.add_parser("catalog", help="load, download or match a track catalog")
    csub = p.add_subparsers(dest="catalog_command", required=True)
    c = csub.add_parser("list", help="the public catalogs offered (name, size, source, terms)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=run_list)
    f = csub.add_parser("fetch", help="download a public CSV/Parquet catalog into the cache")
    f.add_argument("url", help="an http(s) URL, a key from `musicrec catalog list`, or 'all'")
    f.add_argument("--sha256", help="expected SHA-256 of the download")
    f.add_argument("--name", help="name to cache it under (default: from the URL)")
    f.set_defaults(handler=run_fetch)
    m = csub.add_parser("match", help="match a history to a catalog and print the match report")
    m.add_argument("--history", nargs="+", required=True)
    m.add_argument("--catalog", nargs="+", required=True, help="catalog files, folders or zips")
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler=run_match)


def run_list(args: argparse.Namespace) -> int:
    """Print the registry of offered catalogs (``musicrec.catalog_sources.CATALOGS``)."""
    import json

    from musicrec.catalog_sources import CATALOGS

    rows = [{"key": c.key, "name": c.name, "holds": c.holds, "rows": c.rows,
             "download_mb": round(c.download_bytes / 1e6, 1), "files": len(c.files),
             "source": c.source, "terms": c.terms} for c in CATALOGS]  # fmt: skip
    if args.json:
        print(json.dumps(rows))
        return 0
    for r in rows:
        print(f"{r['key']:22s} {r['download_mb']:6.1f} MB  {r['rows']:>7,} tracks  {r['name']}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """Download ``args.url`` with a text progress bar on stderr; print the cached path."""
    import sys

    from musicrec.catalog import fetch_catalog

    def bar(done: int, total: int | None) -> None:
        if total:
            filled = int(30 * done / total)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {done / 1e6:.1f}/{total / 1e6:.1f} MB"
            )
        else:
            sys.stderr.write(f"\r{done / 1e6:.1f} MB")
        sys.stderr.flush()

    from musicrec.catalog_sources import BY_KEY, fetch_sources

    if args.url == "all" or args.url in BY_KEY:
        keys = None if args.url == "all" else [args.url]
        paths = fetch_sources(keys, progress=lambda d, t, _name: bar(d, t))
        sys.stderr.write("\n")
        print("\n".join(map(str, paths)))
        return 0
    path = fetch_catalog(args.url, sha256=args.sha256, name=args.name, progress=bar)
    sys.stderr.write("\n")
    print(path)
    return 0


def run_match(args: argparse.Namespace) -> int:
    """Print the match report (one row per method) of ``args.history`` against the catalogs."""
    import json

    from musicrec.catalog import load_catalog
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_plays, match_report, match_summary

    plays = apply_counting_rule(load_paths(args.history).plays, DEFAULT_COUNTING)
    catalog = load_catalog(args.catalog)
    matched = match_plays(plays, catalog)
    if len(matched):
        from musicrec.sound import SOUND_SOURCE, SoundModel, estimate_plays

        estimates = estimate_plays(matched, SoundModel().fit(catalog))
        matched = matched.assign(**{SOUND_SOURCE: estimates[SOUND_SOURCE]})
    if args.json:
        print(json.dumps(match_summary(matched)))
        return 0
    if matched.empty:
        print(match_summary(matched)["note"])
        return 0
    report = match_report(matched)
    print(report.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0
