"""``musicrec recommend-users``: batch top-k for every user of an interactions file."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec recommend-users``."""
    p = sub.add_parser("recommend-users", help="batch top-k for every user of an interactions file")
    p.add_argument("--interactions", required=True, help="TSV with header 'user item weight'")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--out", required=True, help="TSV written with header 'user item rank score'")
    p.add_argument(
        "--tags", help="optional user_taggedartists.dat (hetrec) to blend tag similarity"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Fit the community model on ``args.interactions``; write every user's top k to --out."""
    import sys
    import time

    import pandas as pd

    from musicrec import schema as S
    from musicrec.engines.collaborative import CollaborativeConfig, CommunityModel, load_hetrec_tags
    from musicrec.errors import SchemaError

    t0, c0 = time.perf_counter(), time.process_time()
    try:
        train = pd.read_csv(args.interactions, sep="\t", dtype={S.USER: "string", S.ITEM: "string"})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{args.interactions}: not a tab-separated table ({exc})") from None
    missing = {S.USER, S.ITEM, S.WEIGHT} - set(train.columns)
    if missing:
        raise SchemaError(
            f"{args.interactions}: header must be 'user item weight' "
            f"(missing {', '.join(sorted(missing))})"
        )
    tags = load_hetrec_tags(args.tags) if args.tags else None
    config = CollaborativeConfig(tag_weight=0.2) if tags is not None else CollaborativeConfig()
    model = CommunityModel(config).fit(train, item_tags=tags)
    fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    recs = model.recommend_all(args.k)
    recs.to_csv(args.out, sep="\t", index=False, columns=[S.USER, S.ITEM, S.RANK, S.SCORE])
    print(
        f"fit {fit_s:.1f} s (cpu {fit_cpu:.1f} s), total {time.perf_counter() - t0:.1f} s, "
        f"{recs[S.USER].nunique()} users",
        file=sys.stderr,
    )
    return 0
