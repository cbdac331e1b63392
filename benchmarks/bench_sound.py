"""Sound estimates: each level's error on the catalog, and coverage of the shared histories.

Usage: python benchmarks/bench_sound.py [--quick]

1. Loads the five offered catalogs from ../shared/data/track-catalog (the folders the app's
   catalog list downloads) plus Kaggle's artist table.
2. Level errors (musicrec.sound.level_errors): held-out tracks' valence and energy
   predicted from the artist only, from the genres only, from session neighbours only,
   against predicting the catalog mean. A level is used only if MAE <= 0.8x the mean's.
   Each level is decided by the protocol that matches its use (column ``decides``):
   - artist: one track held out, predicted from its artist's other catalog tracks (the
     artist level serves plays of uncatalogued tracks by catalogued artists);
   - genre: whole artists held out (all their tracks), the genre model fitted without
     them, their tracks predicted from their labels. This is the right protocol: the
     genre level serves artists with no catalogued track at all (MusicBrainz tags). The
     issue's first wording, tracks held out with the artist's other tracks left in the
     genre model, is printed too (protocol "tracks held out"), for comparison only: it
     lets the artist's own sound into the labels it is predicted from;
   - alongside: in each history, measured artists hidden, their plays predicted from the
     artists of the same sessions.
3. Coverage: for every shared history (Spotify account, extended, Last.fm), the share of
   listening time per level; prints the median and writes only aggregates (no names) to
   benchmarks/results/sound.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))
CATALOGS = DATA / "track-catalog"
OFFERED = (
    "spotify-tracks-114k-by-genre",
    "cristhianrg1-2024-by-genre",
    "tidytuesday-30k-spotify-songs",
    "musicoset-2019",
    "hit-predictor-41k",
)
"""The five catalogs the app offers (musicrec.catalog_sources.CATALOGS), in its order of precedence."""


def offered_catalog(folders: tuple[str, ...] = OFFERED) -> tuple[pd.DataFrame, list[str]]:
    """The union of the offered catalogs, read from their shared copies, and any folder refused."""
    from musicrec.catalog import load_catalog
    from musicrec.errors import CatalogError

    try:
        return load_catalog([CATALOGS / d for d in folders]), []
    except CatalogError:
        pass
    ok, refused = [], []
    for d in folders:
        try:
            load_catalog([CATALOGS / d])
            ok.append(CATALOGS / d)
        except CatalogError:
            refused.append(d)
    return load_catalog(ok), refused


def histories() -> list[list[Path]]:
    """Every shared history as a list of files (one entry per person)."""
    from benchmarks.bench_evaluate import people

    out = list(people().values())
    out += [[p] for p in sorted((DATA / "lastfm-scrobbles").glob("*/*.csv"))]
    return out


def main() -> None:
    from musicrec.catalog import load_artist_features
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_plays
    from musicrec.sound import FEATURES, SoundModel, estimate_plays, level_errors, sound_coverage

    quick = "--quick" in sys.argv
    t0 = time.perf_counter()
    cached = os.environ.get("MUSICREC_BENCH_CATALOG")  # a Parquet of the union, to iterate faster
    catalog, refused = (pd.read_parquet(cached), []) if cached else offered_catalog()
    artists = load_artist_features(CATALOGS / "kaggle-1921-2020-aggregates" / "data_w_genres.csv")
    load_s = time.perf_counter() - t0
    print(f"catalog: {len(catalog):,} tracks from the offered files ({load_s:.0f} s)")
    if refused:
        print(f"  the loader refused {len(refused)} file(s): {', '.join(refused[:8])}")
    t = time.perf_counter()
    model = SoundModel().fit(catalog, artist_table=artists)
    fit_s = time.perf_counter() - t
    print(f"sound model fitted in {fit_s:.1f} s: {len(model.artist_features_):,} artists, "
          f"{len(model.label_features_):,} genre labels")  # fmt: skip

    people = histories()[:4] if quick else histories()
    # a folder of the matched histories as Parquet (000.parquet, ...), written by an earlier run
    pre = os.environ.get("MUSICREC_BENCH_MATCHED")
    prematched = [pd.read_parquet(p) for p in sorted(Path(pre).glob("*.parquet"))] if pre else []
    matched, coverage, moods, secs = [], [], [], []
    for files in people if not pre else prematched:
        if pre:
            m = files
        else:
            plays = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
            if plays.empty:
                continue
            m = match_plays(plays, catalog, artist_features=artists)
        t = time.perf_counter()
        est = estimate_plays(m, model)
        secs.append(time.perf_counter() - t)
        matched.append(m)
        c = sound_coverage(est).set_index("level")
        coverage.append(c["share"])
        moods.append(c["mood_share"])
    cov = pd.DataFrame(coverage).reset_index(drop=True)
    mood = pd.DataFrame(moods).reset_index(drop=True)
    known = 1 - cov["unknown"]
    with_mood = mood.sum(axis=1)
    print(f"\ncoverage of listening time over {len(cov)} histories (median, by level; "
          "'with mood' = valence and energy both estimated):")  # fmt: skip
    print(f"  {'level':10s} {'any':>6s} {'with mood':>10s}")
    for lv in cov.columns:
        print(f"  {lv:10s} {cov[lv].median():6.1%} {mood[lv].median():10.1%}")
    print(f"  any estimate: median {known.median():.1%}, min {known.min():.1%}, "
          f"max {known.max():.1%}; people at >= 95%: {(known >= 0.95).sum()} of {len(known)}")  # fmt: skip
    print(f"  with a mood:  median {with_mood.median():.1%}, min {with_mood.min():.1%}, "
          f"max {with_mood.max():.1%}; people at >= 95%: {(with_mood >= 0.95).sum()} of {len(known)}")  # fmt: skip
    print(f"  estimate_plays: median {np.median(secs):.2f} s per history, max {max(secs):.2f} s")

    t = time.perf_counter()
    errors = level_errors(catalog, matched, artist_table=artists, features=FEATURES)
    err_s = time.perf_counter() - t
    print(f"\nlevel errors on held-out catalog tracks ({err_s:.0f} s):")
    print(errors.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

    out = {
        "catalog_tracks": len(catalog),
        "refused_files": refused,
        "histories": len(cov),
        "coverage_median": {lv: round(float(cov[lv].median()), 4) for lv in cov.columns},
        "any_estimate_median": round(float(known.median()), 4),
        "any_estimate_sorted": sorted(round(float(x), 4) for x in known),
        "mood_coverage_median": {lv: round(float(mood[lv].median()), 4) for lv in mood.columns},
        "with_mood_median": round(float(with_mood.median()), 4),
        "with_mood_sorted": sorted(round(float(x), 4) for x in with_mood),
        "estimate_seconds_median": round(float(np.median(secs)), 3),
        "fit_seconds": round(fit_s, 1),
        "level_errors": errors.round(4).to_dict(orient="records"),
        "quick": quick,
    }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    name = "sound_quick.json" if quick else "sound.json"
    (ROOT / "benchmarks" / "results" / name).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
