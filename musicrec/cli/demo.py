"""``musicrec demo``: generate the fictional demo, optionally write it, print a summary."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec demo``."""
    p = sub.add_parser("demo", help="generate the fictional demo catalog, listener and community")
    p.add_argument("--out", help="folder to write catalog/plays/community/library as Parquet")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true", help="print a summary as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate the demo from ``args.seed``; write Parquet files to --out; print a summary."""
    import json
    import time
    from pathlib import Path

    from musicrec import schema as S
    from musicrec.demo import DEMO_LABEL, generate

    t0 = time.perf_counter()
    data = generate(args.seed)
    seconds = time.perf_counter() - t0
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("catalog", "plays", "community", "library"):
            getattr(data, name).to_parquet(out / f"{name}.parquet", index=False)
    summary = {
        "label": DEMO_LABEL,
        "seconds": round(seconds, 3),
        "tracks": len(data.catalog),
        "artists": int(data.catalog[S.ARTISTS].nunique()),
        "genres": int(data.catalog[S.GENRE].nunique()),
        "plays": len(data.plays),
        "first": data.plays[S.TS].min().isoformat(),
        "last": data.plays[S.TS].max().isoformat(),
        "community_users": int(data.community[S.USER].nunique()),
        "community_interactions": len(data.community),
        "library_rows": len(data.library),
    }
    print(json.dumps(summary) if args.json else "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0
