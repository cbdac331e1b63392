"""Continuation scorers on the validation windows of the training periods (issue 15).

Usage: python benchmarks/continuation_val.py [--people SUBSTRING ...] [--test]
For each shared history (as in bench_evaluate.py): the protocol's split, then the last 20%
of the training period as validation (the same cut as ``musicrec.evaluation.tuning``). The
co-listening engine and the other scorers are fitted on the first 80% of the training period
and rank the known tracks for each validation session given its first two tracks, as the
protocol's continuation task does. Prints the median NDCG@10 over people per scorer (the
only figures used to choose). With --test the same scorers, fitted on the whole training
period, are also scored on the test sessions (for the report only, never to choose).
Only the co-listening engine is fitted (not the whole hybrid), so one pass takes minutes.

Scorers:
- co_listening: the engine as it is;
- transition: the person's P(next | last seed);
- co + a x transition: percentiles of both, added;
- sknn k / stan: session-kNN (Ludewig & Jannach 2018) over the person's past sessions,
  neighbours scored by the seeds they hold (the last seed counts 1, the first 0.5) times
  a 30-day half-life; stan also weights each track of a neighbour by
  exp(-|its position - the matched seed's position| / 3) (Garg et al. 2019);
- co + b x same artist / same album: the seeds' artists (albums) lifted (continuity);
- co, first seed x f: the engine with the first seed counting f and the last 1 in both
  parts (V-SKNN's position decay), "nb 1.0" with the next-after part at 1.0 (default 0.5).
Then, per person, the best scorer of a family on validation (co_listening on ties) is scored
on test: what per-person tuning over that family could give.
Figures of 2026-12-02: benchmarks/results/continuation_val.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_evaluate import people  # noqa: E402
from musicrec import schema as S  # noqa: E402
from musicrec.clock import DEFAULT_TIMEZONE, localize  # noqa: E402
from musicrec.config import DEFAULT_COUNTING  # noqa: E402
from musicrec.engines.sessions import CoListenEngine, SessionConfig, session_ids  # noqa: E402
from musicrec.evaluation import baselines as B  # noqa: E402
from musicrec.evaluation.metrics import per_query  # noqa: E402
from musicrec.evaluation.protocol import ProtocolConfig, session_queries, split  # noqa: E402
from musicrec.ranking import percentile_normalise, top_k  # noqa: E402

K = 10
HALF_LIFE_DAYS = 30.0


class PastSessions:
    """The training sessions as lists of item positions, their age, and who holds each item."""

    def __init__(self, plays: pd.DataFrame, ids: pd.Index) -> None:
        plays = plays.sort_values(S.TS, kind="stable")
        pos = ids.get_indexer(plays[S.ITEM_ID])
        sess = session_ids(plays[S.TS], 30.0)
        ts = plays[S.TS].to_numpy()
        ok = pos >= 0
        pos, sess, ts = pos[ok], sess[ok], ts[ok]
        self.items: list[np.ndarray] = []
        ends = []
        for s in np.unique(sess):
            m = sess == s
            self.items.append(pos[m])
            ends.append(ts[m].max())
        ends = np.array(ends)
        age = (ends.max() - ends) / np.timedelta64(1, "D") if len(ends) else np.array([])
        self.decay = 0.5 ** (np.asarray(age, dtype=float) / HALF_LIFE_DAYS)
        self.holders: dict[int, list[int]] = {}
        for n, items in enumerate(self.items):
            for i in set(items.tolist()):
                self.holders.setdefault(i, []).append(n)

    def sknn(self, seeds: list[int], n_items: int, k: int, stan: float | None) -> np.ndarray:
        """Session-kNN scores; ``stan`` = the position-distance scale (None: plain V-SKNN)."""
        weight = {s: 0.5 ** (len(seeds) - 1 - j) for j, s in enumerate(seeds)}
        sim: dict[int, float] = {}
        for s, w in weight.items():
            for n in self.holders.get(s, []):
                sim[n] = sim.get(n, 0.0) + w
        if not sim:
            return np.full(n_items, np.nan)
        nb = sorted(sim, key=lambda n: -sim[n] * self.decay[n])[:k]
        out = np.zeros(n_items)
        last = seeds[-1] if seeds[-1] in weight else seeds[0]
        for n in nb:
            items = self.items[n]
            w = sim[n] * self.decay[n]
            if stan is None:
                np.add.at(out, np.unique(items), w)
                continue
            where = np.flatnonzero(items == last)
            if not len(where):
                where = np.flatnonzero(np.isin(items, seeds))
            dist = np.abs(np.arange(len(items))[:, None] - where[None, :]).min(axis=1)
            contrib = np.zeros(n_items)
            np.maximum.at(contrib, items, w * np.exp(-dist / stan))
            out += contrib
        return np.where(out > 0, out, np.nan)


class WeightedSeeds(CoListenEngine):
    """The co-listening engine with the first seed counting ``first`` and the last 1 (V-SKNN's position decay)."""

    def __init__(self, first: float, **kw) -> None:
        super().__init__(SessionConfig(**kw))
        self.first = first

    def score(self, request):
        seeds = self._seed_positions(request)
        if len(seeds) != 2 or not self.active_.any():
            return super().score(request)
        c, w = self.config, np.array([self.first, 1.0])
        near = np.asarray(self.matrix_[seeds].T @ w).ravel()
        scores = c.neighbour_weight * near / max(near.max(), 1e-12)
        held = np.asarray(self.sessions_[:, seeds] @ w).ravel()
        same = self.items_by_session_ @ (held**c.seed_power * self.session_decay_)
        scores += c.session_weight * same / max(same.max(), 1e-12)
        return pd.Series(
            np.where(self.active_, np.log1p(100 * scores), np.nan), index=self.item_ids_
        )


def scorers(train: pd.DataFrame, ws, engine: CoListenEngine):
    items, ids = ws.items, ws.item_index
    """A function (request, seed positions) -> {scorer: raw scores over ``ids``}."""
    pairs = B.transition_matrix(train, ids, 30.0)
    freq = B.frequency(train, ids)
    past = PastSessions(train, ids)
    artists = pd.factorize(items[S.ARTIST].astype("string").fillna(""))[0]
    album_names = (
        items[S.ALBUM].astype("string")
        if S.ALBUM in items
        else pd.Series(pd.NA, index=items.index, dtype="string")
    )
    albums = pd.factorize(
        items[S.ARTIST].astype("string").fillna("") + "|" + album_names.fillna("")
    )[0]
    albums = np.where(album_names.fillna("").to_numpy() == "", -1, albums)
    variants = {
        f"co, first seed x {f}{' nb ' + str(nb) if nb != 0.5 else ''}": WeightedSeeds(
            f, neighbour_weight=nb
        ).fit(ws)
        for f in (0.25, 0.5, 0.75)
        for nb in (0.5, 1.0)
    }
    tie = 1e-6 * percentile_normalise(np.where(freq > 0, np.log1p(freq), np.nan))

    def score(request, seeds: list[int]) -> dict[str, np.ndarray]:
        n = len(ids)
        co = engine.score(request).to_numpy(dtype=float)
        extra = {name: e.score(request).to_numpy(dtype=float) for name, e in variants.items()}
        tr = B.transition(pairs, n, seeds[-1], tie_break=freq)
        co_p, tr_p = percentile_normalise(co), percentile_normalise(np.where(tr > 1e-6, tr, np.nan))
        same_artist = np.isin(artists, artists[seeds]).astype(float)
        same_album = np.isin(albums, albums[seeds][albums[seeds] >= 0]).astype(float)
        out = {"co_listening": co, "transition": tr, "co percentile + frequency ties": co_p + tie}
        out.update(extra)
        for a in (0.1, 0.25, 0.5):
            out[f"co + {a} x transition"] = co_p + a * tr_p + tie
        for k in (50, 200):
            out[f"sknn {k}"] = past.sknn(seeds, n, k, None)
        stan = past.sknn(seeds, n, 200, 3.0)
        out["stan 200"] = stan
        stan_p = percentile_normalise(stan)
        for a in (0.5, 1.0):
            out[f"co + {a} x stan"] = co_p + a * stan_p + tie
        for b in (0.02, 0.05, 0.1, 0.2):
            out[f"co + {b} x same artist"] = co_p + b * same_artist + tie
            out[f"co + {b} x same album"] = co_p + b * same_album + tie
        out["co + 0.1 x transition + 0.05 x same artist"] = (
            co_p + 0.1 * tr_p + 0.05 * same_artist + tie
        )
        return out

    return score


def evaluate(fit: pd.DataFrame, held: pd.DataFrame, config: ProtocolConfig) -> dict[str, float]:
    """Mean NDCG@10 per scorer over the continuation sessions of ``held``, fitted on ``fit``."""
    from musicrec.workspace import build_workspace

    ws = build_workspace(fit, None, rule=None, fuzzy=False, timezone=DEFAULT_TIMEZONE)
    engine = CoListenEngine().fit(ws)
    ids = ws.item_index
    known = set(fit[S.ITEM_ID])
    cand = np.flatnonzero(ids.isin(known))
    score = scorers(fit, ws, engine)
    ndcg = per_query(K)[f"ndcg@{K}"]
    vals: dict[str, list[float]] = {}
    for q in session_queries(held, known, config):
        if not q.continuation_relevant:
            continue
        seeds = [int(p) for p in ids.get_indexer(list(q.continuation.seeds))]
        for name, sc in score(q.continuation, seeds).items():
            top = top_k(sc, K, candidates=cand, exclude=np.array(seeds))
            vals.setdefault(name, []).append(ndcg(list(ids[top]), q.continuation_relevant))
    return {name: float(np.nanmean(v)) for name, v in vals.items()}


FAMILIES = {
    "co or co + b x same artist": lambda c: c == "co_listening" or c.endswith("same artist"),
    "co or co + b x same album": lambda c: c == "co_listening" or c.endswith("same album"),
    "co or co + a x transition": lambda c: c == "co_listening" or c.endswith("x transition"),
    "co or co + a x stan": lambda c: c == "co_listening" or c.endswith("x stan"),
    "co or weighted seeds": lambda c: c.startswith("co" + ",") or c == "co_listening",
    "every scorer": lambda c: True,
}


def report_choice(valid: pd.DataFrame, test: pd.DataFrame) -> None:
    """Per person, the scorer of a family best on validation (co_listening on ties), scored on test."""
    print("\nper person: best of a family on validation, then its test NDCG@10: median (mean)")
    for family, keep in FAMILIES.items():
        cols = [c for c in valid.columns if keep(c)]
        chosen = valid[cols].idxmax(axis=1)  # co_listening is first: ties keep it
        got = np.array([test.loc[i, c] for i, c in chosen.items()])
        print(
            f"  {family:28s} {np.median(got):.4f} ({got.mean():.4f}); not co alone for {int((chosen != 'co_listening').sum())}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", nargs="*")
    parser.add_argument("--test", action="store_true", help="also score the test sessions")
    args = parser.parse_args()
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_plays

    config = ProtocolConfig()
    rows = {"validation": [], "test": []}
    for name, files in people().items():
        if args.people and not any(p in name for p in args.people):
            continue
        plays = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
        plays = localize(
            plays.sort_values(S.TS, kind="stable").reset_index(drop=True), DEFAULT_TIMEZONE
        )
        if len(plays) < 50:
            continue
        train, test = split(match_plays(plays, None, fuzzy=False), config.split_quantile)
        inner, valid = split(train, 0.8)
        row = evaluate(inner, valid, config)
        if row:
            rows["validation"].append(row)
        if args.test:
            row = evaluate(train, test, config)
            if row:
                rows["test"].append(row)
        print(f"person {len(rows['validation'])} done", flush=True)
    if rows["test"]:
        report_choice(pd.DataFrame(rows["validation"]), pd.DataFrame(rows["test"]))
    for split_name, rs in rows.items():
        if not rs:
            continue
        df = pd.DataFrame(rs)
        print(f"\n{split_name}: {len(df)} people, median (mean) NDCG@10")
        for col in df.columns:
            print(f"  {col:28s} {df[col].median():.4f} ({df[col].mean():.4f})")


if __name__ == "__main__":
    main()
