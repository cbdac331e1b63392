"""A fresh random train/test split of Last.fm hetrec-2k, shaped like the shared one.

Usage: python benchmarks/hetrec_split.py --seed 1 [--out DIR]
Reads ../shared/data/lastfm-hetrec-2k/hetrec2011-lastfm-2k/user_artists.dat and writes
DIR/train.tsv and DIR/test.tsv (header 'user item weight'; default DIR
/tmp/hetrec-split-seed<N>, outside the repo: the data is never copied into it). As in the
shared split (checked on it: 1,877 of 1,892 users have a test part, each 20% of their artists
rounded, min 14%, max 23%): every user with at least 5 artists gives round(20%) of their
artists, drawn at random with ``--seed``, to test; the others stay in train. Tuning on one
split must not fit it: ``bench_hetrec.py --split DIR`` scores the same choice on this one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HETREC = (
    Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))
    / "lastfm-hetrec-2k"
    / "hetrec2011-lastfm-2k"
)
TEST_SHARE = 0.2
MIN_ARTISTS = 5


def random_split(
    interactions: pd.DataFrame, seed: int, share: float = TEST_SHARE, min_items: int = MIN_ARTISTS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) of a frame with user, item, weight: per user with >= ``min_items`` items,
    round(share x items) of them at random to test (``seed``); every other row to train."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(interactions))
    shuffled = interactions.iloc[order]
    rank = shuffled.groupby("user").cumcount().to_numpy()
    n = shuffled.groupby("user")["item"].transform("size").to_numpy()
    take = np.where(n >= min_items, np.rint(share * n), 0)
    in_test = rank < take
    key = ["user", "item"]
    return (
        shuffled[~in_test].sort_values(key).reset_index(drop=True),
        shuffled[in_test].sort_values(key).reset_index(drop=True),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(f"/tmp/hetrec-split-seed{args.seed}")
    raw = pd.read_csv(HETREC / "user_artists.dat", sep="\t")
    raw = raw.rename(columns={"userID": "user", "artistID": "item", "weight": "weight"})
    train, test = random_split(raw[["user", "item", "weight"]], args.seed)
    out.mkdir(parents=True, exist_ok=True)
    train.to_csv(out / "train.tsv", sep="\t", index=False)
    test.to_csv(out / "test.tsv", sep="\t", index=False)
    print(
        f"seed {args.seed}: train {len(train):,} rows, test {len(test):,} rows, "
        f"{test['user'].nunique():,} test users -> {out}"
    )


if __name__ == "__main__":
    main()
