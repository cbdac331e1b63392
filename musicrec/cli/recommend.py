"""``musicrec recommend``: a playlist with reasons (the demo listener unless --history)."""

from __future__ import annotations

import argparse

from musicrec.cli.options import add_timezone, load_history, timezone


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare ``musicrec recommend``."""
    p = sub.add_parser("recommend", help="print a playlist with reasons")
    p.add_argument(
        "--history", nargs="*", default=[], help="export files (default: the demo listener)"
    )
    p.add_argument(
        "--catalog", nargs="*", default=[], help="catalog files (default: the demo catalog)"
    )
    p.add_argument("--mood")
    p.add_argument("--activity")
    p.add_argument("--hour", type=int, help="hour of day in --tz (default: now)")
    p.add_argument("--k", type=int, default=25)
    p.add_argument(
        "--prompt", help='say the moment in words: "sad rainy night, 90s, no rap, 45 minutes"'
    )
    p.add_argument("--timezone", help="your IANA time zone for times in the prompt (default UTC)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--out",
        help="also write the playlist here: FILE.csv, FILE.json or FILE.m3u (same as the app)",
    )
    p.add_argument("--title", help="playlist name in the M3U (default: from mood, activity, hour)")
    add_timezone(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the workspace (the CLI decides the demo fallback), blend, print the playlist.

    With --out, the playlist is also written through ``musicrec.export`` (the app's code).
    Titles printed to the terminal are cleaned of control characters first.
    """
    import datetime as dt
    import json
    from pathlib import Path

    from musicrec import schema as S
    from musicrec.errors import MusicrecError
    from musicrec.export import FORMATS, clean_text, playlist_title, write_export
    from musicrec.hybrid import BlendWeights, Hybrid, HybridConfig
    from musicrec.workspace import Request

    if args.out and Path(args.out).suffix.lower() not in (*FORMATS, ".m3u8"):
        raise MusicrecError(
            f"{args.out}: can't export to that kind of file; use .csv, .json or .m3u"
        )
    tz = timezone(args)
    if args.history:
        from musicrec.catalog import load_catalog
        from musicrec.workspace import build_workspace

        loaded = load_history(args.history)
        catalog = load_catalog(args.catalog) if args.catalog else None
        ws = build_workspace(loaded.plays, catalog, library=loaded.library, timezone=tz)
    else:
        from musicrec.demo import demo_workspace

        ws = demo_workspace()
    if args.prompt is not None:
        return _run_prompt(args, ws)
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo(tz))
    hour = args.hour if args.hour is not None else now.hour
    request = Request(hour=hour, weekday=now.weekday(), activity=args.activity, mood=args.mood)
    recs = Hybrid().fit(ws).recommend(request, BlendWeights(), HybridConfig(k=args.k))
    if args.out:
        write_export(recs, args.out, args.title or playlist_title(args.mood, args.activity, hour))
    if args.json:
        columns = [S.RANK, S.TRACK, S.ARTIST, S.TRACK_URI, S.REASON]
        print(json.dumps(recs[columns].to_dict(orient="records"), default=str))
    else:
        for row in recs.itertuples():
            artist, track, reason = map(clean_text, (row.artist, row.track, row.reason))
            print(f"{row.rank:>2}. {artist} - {track}  ({reason})")
    return 0


def _run_prompt(args: argparse.Namespace, ws) -> int:
    """``--prompt``: the reading and its list (``--json``: the issue's JSON shape)."""
    import json

    from musicrec.hybrid import HybridConfig
    from musicrec.prompt_playlist import playlist_for_prompt, prompt_json

    reading, recs = playlist_for_prompt(
        args.prompt, ws, tz=args.timezone, base=HybridConfig(k=args.k)
    )
    if args.json:
        print(json.dumps(prompt_json(reading, recs), ensure_ascii=False))
        return 0
    print(f"{reading.title}: {reading.description}")
    for u in reading.understood:
        print(f"  {u.words} -> {u.set}")
    if reading.unknown_words:
        print(f"  not understood: {', '.join(reading.unknown_words)}")
    if recs.empty:
        print("No track fits this prompt: leave out a filter (era, genre, new to me).")
    for row in recs.itertuples():
        print(f"{row.rank:>2}. {row.artist} - {row.track}  ({row.reason})")
    return 0
