"""A prompt's reading made into a playlist: filters, boosts, length, energy arc, reasons.

``PromptPlaylist().fit(workspace)`` learns, once per workspace, what every prompt needs to
look up per item (genre/tag keys, release year, duration, explicit flag, the person's play
history per item and per artist) and the :class:`~musicrec.prompt.Vocabulary` the parser
matches words against. ``recommend(request, model)`` then turns a
:class:`~musicrec.prompt.PromptRequest` into the engines' ``Request`` and the hybrid's
config, and asks the fitted ``Hybrid`` for the list with:

- **filters** (an ``allowed`` mask): era (release years in range; tracks without a year are
  left out while an era is asked for), excluded genres or tags (with their aliases: "no
  rap" also leaves out hip-hop), explicit tracks where the items carry the flag, tracks
  played in the last ``not_played_days`` (counted back from the last play of the history),
  and every played track when novelty is 1 ("new to me");
- **boosts** (a ``bonus`` per item): the genres or tags asked for, the seed artists' tracks;
- **taste guard** (``musicrec.taste_fit``): when the catalog places less than half of the
  person's listening time, new tracks are kept to the artists they play and their top genres
  (what the prompt names itself still passes); ``taste_note_`` says so;
- **length**: "45 minutes" takes tracks in rank order while they fit, within
  ``length_tolerance_minutes``; "20 songs" sets k;
- **arc**: the chosen tracks reordered by energy ("rise", "peak" = warm-up, peak,
  cool-down, "steady" = smallest steps);
- **reasons** that say what matched, per track, from its own facts (its feel, year, genre,
  the person's history with its artist) with the engines' reason after them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Self

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.engines.base import DAYPARTS
from musicrec.engines.context import daypart, daypart_label
from musicrec.hybrid import BlendWeights, Hybrid, HybridConfig
from musicrec.prompt import (
    GENRE_ALIASES,
    PromptRequest,
    Reading,
    Vocabulary,
    key,
    parse,
    vocabulary_from,
)
from musicrec.taste_fit import OwnTaste, guard_note, own_taste, taste_guard
from musicrec.workspace import Request, Workspace

EXPLICIT = "explicit"
"""Optional bool column of the items (catalogs that carry Spotify's explicit flag)."""


@dataclass(frozen=True)
class PromptPlaylistConfig:
    """How a reading is applied to the list."""

    genre_bonus: float = 0.6
    """Added to the blended score (0-1 scale) of tracks of a genre or tag asked for."""
    seed_bonus: float = 0.25
    """Added to the blended score of tracks by a seed artist."""
    seeds_per_artist: int = 5
    """A seed artist becomes this many of their tracks (the person's most played first)."""
    length_tolerance_minutes: float = 3.0
    """A "45 minutes" list lands within this many minutes of 45."""
    default_track_minutes: float = 3.5
    """Duration assumed for tracks whose duration is unknown."""
    max_k: int = 200
    """Longest list a prompt can ask for."""
    steady_width: float = 0.12
    """A "steady" list keeps tracks within this much energy of its median."""


def _item_keys(items: pd.DataFrame) -> pd.Series:
    """ " key1 key2 ... " per item: the matching keys of its genre, its whole tag text and
    each tag word, between spaces, so a genre is found with one substring test."""
    genre = (
        items[S.GENRE].astype("string").fillna("")
        if S.GENRE in items
        else pd.Series("", index=items.index)
    )
    tags = (
        items[S.TAGS].astype("string").fillna("")
        if S.TAGS in items
        else pd.Series("", index=items.index)
    )
    cache: dict[str, str] = {}

    def keys_of(text: str) -> str:
        if text not in cache:
            words = [key(w) for w in text.replace(",", " ").split()]
            cache[text] = " ".join(k for k in {key(text), *words} if k)
        return cache[text]

    return (" " + genre.map(keys_of) + " " + tags.map(keys_of) + " ").astype(str)


class PromptPlaylist:
    """Applies a prompt's reading to a fitted ``Hybrid`` (see the module docstring)."""

    def __init__(self, config: PromptPlaylistConfig = PromptPlaylistConfig()) -> None:
        self.config = config

    def fit(self, data: Workspace) -> Self:
        """Learn the per-item lookups and the vocabulary of ``data``; returns self."""
        items = data.items.reset_index(drop=True)
        plays = data.plays
        self.item_ids_ = pd.Index(items[S.ITEM_ID])
        self.keys_ = _item_keys(items).reset_index(drop=True)
        self._masks: dict[str, np.ndarray] = {}
        self.year_ = (
            pd.to_numeric(items[S.YEAR], errors="coerce").to_numpy(dtype=float)
            if S.YEAR in items
            else np.full(len(items), np.nan)
        )
        dur = (
            pd.to_numeric(items[S.DURATION_MS], errors="coerce")
            if S.DURATION_MS in items
            else pd.Series(np.nan, index=items.index)
        )
        self.minutes_ = (dur / 60_000).fillna(self.config.default_track_minutes).to_numpy(float)
        self.explicit_ = (
            items[EXPLICIT].astype("boolean").fillna(False).to_numpy(bool)
            if EXPLICIT in items
            else None
        )
        self.artists_ = items[S.ARTIST].astype("string").fillna("").to_numpy(dtype=object)
        self.artist_keys_ = np.array([key(a) for a in self.artists_], dtype=object)
        self.vocabulary_: Vocabulary = vocabulary_from(items, plays)
        self.taste_: OwnTaste = own_taste(data)
        self.taste_guard_ = taste_guard(items, self.taste_)
        self.taste_note_ = guard_note(self.taste_)
        self._fit_history(plays)
        self._fit_habits(data.local_plays())
        return self

    def _fit_habits(self, local: pd.DataFrame) -> None:
        """Plays per (item, weekday-or-weekend daypart) on the listener's clock, for reasons
        such as "9 of your 12 plays of it were on weekend evenings"."""
        if local.empty or S.ITEM_ID not in local or S.TS not in local:
            self.habits_ = pd.Series(dtype=int)
            return
        ts = local[S.TS]
        slot = _slot(ts.dt.hour.to_numpy(), ts.dt.day_of_week.to_numpy())
        self.habits_ = local.assign(slot=slot).groupby([S.ITEM_ID, "slot"]).size()

    def _habit_words(self, item_id: str, req: PromptRequest) -> str:
        """How many of the person's plays of this track fell in the asked-for daypart
        (" (9 on weekend evenings)"), "" when under two plays or none there."""
        if req.hour is None or self.habits_.empty:
            return ""
        p = self.item_ids_.get_loc(item_id)
        total = int(self.item_plays_[p])
        n = int(self.habits_.get((item_id, int(_slot(req.hour, req.weekday))), 0))
        if total < 2 or n == 0:
            return ""
        when = daypart_label(req.hour, req.weekday)
        return f" ({'all' if n == total else n} on {when})"

    def _fit_history(self, plays: pd.DataFrame) -> None:
        has = not plays.empty and S.ITEM_ID in plays and S.TS in plays
        ts = (
            pd.to_datetime(plays[S.TS], utc=True)
            if has
            else pd.Series([], dtype="datetime64[ns, UTC]")
        )
        self.history_end_ = ts.max() if has and len(ts) else None
        if has:
            per_item = plays.assign(**{S.TS: ts}).groupby(S.ITEM_ID)[S.TS].agg(["size", "max"])
            self.item_plays_ = per_item["size"].reindex(self.item_ids_).fillna(0).to_numpy(int)
            self.item_last_ = per_item["max"].reindex(self.item_ids_)
            by_artist = plays.assign(year=ts.dt.year).groupby(S.ARTIST)
            self.artist_last_ = by_artist[S.TS].max()
            self.artist_top_year_ = by_artist["year"].agg(lambda y: int(y.mode().iloc[0]))
            self.artist_plays_ = by_artist.size()
            ranks = self.artist_plays_.rank(ascending=False, method="min")
            self.artist_rank_ = ranks.astype(int)
        else:
            self.item_plays_ = np.zeros(len(self.item_ids_), dtype=int)
            self.item_last_ = pd.Series(pd.NaT, index=self.item_ids_)
            self.artist_last_ = pd.Series(dtype="datetime64[ns, UTC]")
            self.artist_top_year_ = pd.Series(dtype=int)
            self.artist_plays_ = pd.Series(dtype=int)
            self.artist_rank_ = pd.Series(dtype=int)

    # -- the request -------------------------------------------------------------------------
    def _key_mask(self, k: str) -> np.ndarray:
        """Items whose genre or tags have the matching key ``k`` (the last 32 kept)."""
        cache = self._masks
        if k not in cache:
            cache[k] = self.keys_.str.contains(f" {k} ", regex=False).to_numpy(bool)
            while len(cache) > 32:
                cache.pop(next(iter(cache)))
        return cache[k]

    def _genre_mask(self, names: tuple[str, ...], aliases: bool) -> np.ndarray:
        mask = np.zeros(len(self.keys_), dtype=bool)
        for name in names:
            wanted = {key(name)}
            if aliases:
                wanted |= {key(t) for t in GENRE_ALIASES.get(key(name), ())}
            for k in wanted - {""}:
                mask |= self._key_mask(k)
        return mask

    def seed_items(self, seeds: tuple[str, ...]) -> tuple[str, ...]:
        """item_ids standing for the seed artists: each one's most played tracks, then the rest."""
        out: list[str] = []
        n = self.config.seeds_per_artist
        for name in seeds:
            pos = np.flatnonzero(self.artist_keys_ == key(name))
            if not len(pos):
                continue
            order = pos[np.argsort(-self.item_plays_[pos], kind="stable")][:n]
            out.extend(self.item_ids_[order].tolist())
        return tuple(out)

    def engine_request(
        self,
        req: PromptRequest,
        liked: tuple[str, ...] = (),
        disliked: tuple[str, ...] = (),
    ) -> Request:
        """The engines' ``Request`` for a reading (seed artists become seed item ids)."""
        return Request(
            hour=req.hour,
            weekday=req.weekday,
            activity=req.activity,
            valence=req.valence,
            energy=req.energy,
            seeds=self.seed_items(req.seeds),
            liked=tuple(liked),
            disliked=tuple(disliked),
        )

    def hybrid_config(self, req: PromptRequest, base: HybridConfig | None = None) -> HybridConfig:
        """``base`` with the reading's novelty and length (a long pool when minutes are asked)."""
        base = base or HybridConfig()
        changes: dict = {}
        if req.novelty is not None:
            changes["novelty"] = float(min(1.0, max(0.0, req.novelty)))
            changes["exclude_heard"] = req.novelty >= 1.0 or base.exclude_heard
        if req.k is not None:
            changes["k"] = int(min(self.config.max_k, max(1, req.k)))
        if req.length_minutes is not None:
            typical = float(np.median(self.minutes_)) if len(self.minutes_) else 3.5
            need = int(np.ceil(req.length_minutes / max(typical, 0.5) * 1.5)) + 10
            changes["k"] = int(min(self.config.max_k, need))
        return dataclasses.replace(base, **changes)

    def masks(self, req: PromptRequest) -> tuple[np.ndarray, np.ndarray]:
        """(allowed, bonus) per item for the reading's filters and boosts."""
        n = len(self.item_ids_)
        allowed = np.ones(n, dtype=bool)
        bonus = np.zeros(n, dtype=np.float32)
        if req.era is not None:
            lo, hi = req.era
            with np.errstate(invalid="ignore"):
                allowed &= (self.year_ >= lo) & (self.year_ <= hi)
        excluded = tuple(g for g in req.exclude_genres if g != EXPLICIT)
        if excluded:
            allowed &= ~self._genre_mask(excluded, aliases=True)
        if EXPLICIT in req.exclude_genres and self.explicit_ is not None:
            allowed &= ~self.explicit_
        if req.not_played_days is not None and self.history_end_ is not None:
            since = self.history_end_ - timedelta(days=int(req.not_played_days))
            recent = (self.item_last_ >= since).fillna(False).to_numpy(bool)
            allowed &= ~recent
        if req.exclude_artists:
            allowed &= ~np.isin(self.artist_keys_, [key(a) for a in req.exclude_artists])
        asked = np.zeros(n, dtype=bool)  # what the prompt names passes the taste guard
        if req.genres:
            genre = self._genre_mask(req.genres, aliases=False)
            bonus += self.config.genre_bonus * genre
            asked |= genre.astype(bool)
        if req.seeds:
            seed_keys = {key(s) for s in req.seeds}
            seed = np.isin(self.artist_keys_, list(seed_keys))
            bonus += self.config.seed_bonus * seed
            asked |= seed
        if self.taste_guard_ is not None:
            allowed &= self.taste_guard_ | asked
        return allowed, bonus

    # -- the list ----------------------------------------------------------------------------
    def recommend(
        self,
        req: PromptRequest,
        model: Hybrid,
        weights: BlendWeights | None = None,
        base: HybridConfig | None = None,
        liked: tuple[str, ...] = (),
        disliked: tuple[str, ...] = (),
        request: Request | None = None,
    ) -> pd.DataFrame:
        """The playlist for a reading: the hybrid's columns plus ``year`` and ``minutes``;
        reasons name what matched; ordered by the arc when one is asked for.

        Args:
            req: the reading's request (``Reading.request``).
            model: a ``Hybrid`` fitted on the same workspace.
            weights: blend weights.
            base: the hybrid config the reading starts from (the builder's controls).
            liked: item_ids liked in this session.
            disliked: item_ids disliked in this session (never recommended).
            request: the engines' request when the caller has one (the builder's controls,
                with a mood preset); the reading's seed artists are added to it. Default:
                built from ``req``.
        """
        if request is None:
            request = self.engine_request(req, liked, disliked)
        elif req.seeds:
            request = dataclasses.replace(request, seeds=self.seed_items(req.seeds))
        config = self.hybrid_config(req, base)
        allowed, bonus = self.masks(req)
        k = config.k
        if req.arc == "steady":  # a longer pool to keep k inside the energy band
            config = dataclasses.replace(config, k=min(self.config.max_k, 4 * k))
        recs = model.recommend(
            request, weights or BlendWeights(), config, allowed=allowed, bonus=bonus
        )
        if req.arc == "steady":
            recs = steady_band(recs, k, self.config.steady_width)
        pos = self.item_ids_.get_indexer(recs[S.ITEM_ID])
        recs = recs.assign(year=self.year_[pos], minutes=self.minutes_[pos])
        if req.length_minutes is not None:
            recs = fit_length(recs, req.length_minutes, self.config.length_tolerance_minutes)
        elif req.k is not None:
            recs = recs.head(req.k)
        if req.arc:
            recs = order_by_arc(recs, req.arc)
        recs = recs.assign(**{S.RANK: np.arange(1, len(recs) + 1)}).reset_index(drop=True)
        return recs.assign(**{S.REASON: self.reasons(recs, req)})

    def reasons(self, recs: pd.DataFrame, req: PromptRequest) -> list[str]:
        """What matched, per track: its feel, genre, year and the person's history with it,
        then the engines' own reason where it says something new. Plain words; the facts
        (and so the sentences) differ per track."""
        out = []
        for i, row in enumerate(recs.itertuples(index=False)):
            engine = str(getattr(row, S.REASON) or "")
            if engine == "a good fit for your request overall":
                engine = ""
            habit = ""
            if engine.startswith("you often play it on "):  # the context engine: the numbers
                habit = self._habit_words(row.item_id, req)
                engine = ""  # the numbers say it (or, with none there, it would contradict them)
            parts: list[str] = []
            feel = _feel_words(row.valence, row.energy, req)
            if feel:
                parts.append(feel)
                if engine.startswith(("valence ", "energy ")):  # the mood engine's numbers
                    parts[-1] += f" ({engine.split(':')[0]})"
                    engine = ""
            genre = self._matched_genre(row.item_id, req)
            if genre:
                parts.append(genre if parts else f"{genre}, as asked")
            if req.era is not None and not np.isnan(row.year):
                parts.append(_year_words(int(row.year), i))
            artist = str(row.artist)
            history = self._history_words(row.item_id, artist, req, i, habit)
            if history:
                parts.append(history)
            if engine:
                parts.append(engine)
            out.append(_sentence(parts))
        return out

    def _matched_genre(self, item_id: str, req: PromptRequest) -> str:
        if not req.genres:
            return ""
        p = self.item_ids_.get_loc(item_id)
        hits = [g for g in req.genres if f" {key(g)} " in self.keys_.iloc[p]]
        return " and ".join(hits)

    def _history_words(
        self, item_id: str, artist: str, req: PromptRequest, i: int, habit: str = ""
    ) -> str:
        """The person's history with this track and its artist, in words: the artist's place
        among theirs, how often (``habit``: how many of those at the asked-for time) and how
        lately they played the track. The artist is named on the row, so only here when the
        artist is new to them."""
        p = self.item_ids_.get_loc(item_id)
        plays = int(self.item_plays_[p])
        named = key(artist) in {key(s) for s in req.seeds}
        if artist not in self.artist_plays_.index or self.history_end_ is None:
            return f"by {artist}, an artist new to you" if i % 2 else f"new to you, by {artist}"
        them = "an artist you named" if named else ""
        rank = int(self.artist_rank_[artist])
        place = f"your no. {rank} artist" if rank <= 20 else them or ""
        last = self.artist_last_[artist]
        quiet = (self.history_end_ - last).days
        if plays == 0:
            lead = "new to you" if i % 3 else "a track you have not played"
            if quiet > 60:
                felt = "loved" if self.artist_plays_[artist] >= 10 else "played"
                top = int(self.artist_top_year_[artist])
                who = place or "an artist"
                return f"{lead}, by {who} you {felt} in {top} and haven't played since {last:%B %Y}"
            if place:
                return f"{lead}, by {place}"
            return f"{lead}, by an artist you have played {_times(int(self.artist_plays_[artist]))}"
        times = _times(plays) + habit
        track_last = self.item_last_.iloc[p]
        if pd.notna(track_last) and (self.history_end_ - track_last).days > 60:
            return f"you played it {times}, the last time in {track_last:%B %Y}"
        if place:
            return f"{place}; you have played this one {times}"
        return f"played {times}" if i % 2 else f"one of yours, played {times}"


_HOUR_PART = np.array([DAYPARTS.index(daypart(h)) for h in range(24)])


def _slot(hour: object, weekday: object) -> object:
    """The context engine's daypart of ``hour`` (an index of ``DAYPARTS``), plus
    ``len(DAYPARTS)`` on a weekend. Works on numbers and arrays; no weekday = a weekday."""
    weekend = np.asarray(weekday if weekday is not None else 0) >= 5
    return _HOUR_PART[np.asarray(hour) % 24] + len(DAYPARTS) * weekend


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _feel_words(valence: float, energy: float, req: PromptRequest) -> str:
    """The track's own feel in words, only where a mood was asked for."""
    if req.valence is None and req.energy is None:
        return ""
    if valence is None or energy is None or np.isnan(valence) or np.isnan(energy):
        return ""
    v = "bright" if valence >= 0.7 else "dark" if valence <= 0.3 else ""
    v = v or ("warm" if valence >= 0.55 else "wistful" if valence <= 0.42 else "even-tempered")
    e = "driving" if energy >= 0.75 else "calm" if energy <= 0.3 else ""
    e = e or ("lively" if energy >= 0.55 else "mellow")
    return f"{v} and {e}"


def _year_words(year: int, i: int) -> str:
    return (f"from {year}", f"released {year}", f"a {year} track")[i % 3]


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else "a good fit for your request overall"


def fit_length(recs: pd.DataFrame, minutes: float, tolerance: float) -> pd.DataFrame:
    """The first tracks in rank order whose durations add up to ``minutes`` ± ``tolerance``.

    Needs a ``minutes`` column. A track that would overshoot is skipped for a later,
    shorter one; stops as soon as the total is inside the window.
    """
    keep: list[int] = []
    total = 0.0
    for i, m in enumerate(recs["minutes"].to_numpy(float)):
        if total + m <= minutes + tolerance:
            keep.append(i)
            total += m
        if total >= minutes - min(1.0, tolerance):
            break
    return recs.iloc[keep]


def order_by_arc(recs: pd.DataFrame, arc: str) -> pd.DataFrame:
    """Reorder by energy: "rise" (calm to intense), "fall" (intense to calm, winding down) or
    "peak" (warm-up, peak, cool-down: the calmest tracks at both ends). "steady" keeps the
    order (see :func:`steady_band`)."""
    if arc == "steady" or len(recs) < 3:
        return recs
    energy = recs[S.ENERGY].astype(float)
    energy = energy.fillna(energy.median()).to_numpy()
    up = np.argsort(energy, kind="stable")
    if arc == "rise":
        return recs.iloc[up]
    if arc == "fall":
        return recs.iloc[up[::-1]]
    if arc == "peak":
        return recs.iloc[np.concatenate([up[0::2], up[1::2][::-1]])]
    raise ValueError(f"unknown arc {arc!r}: use rise, fall, peak or steady")


def steady_band(recs: pd.DataFrame, k: int, width: float) -> pd.DataFrame:
    """The best-ranked ``k`` tracks whose energy lies within ``width`` of the median energy
    of the top ``k`` (a steady list: no track much calmer or more intense than the rest)."""
    energy = recs[S.ENERGY].astype(float)
    centre = energy.head(k).median()
    return recs[(energy - centre).abs().fillna(0) <= width].head(k)


def prompt_json(reading: Reading, recs: pd.DataFrame) -> dict:
    """The reading and its list in the issue's JSON shape: prompt, title, description,
    request, understood, unknown_words, tracks (artist, track, reason)."""
    tracks = [
        {"artist": str(a), "track": str(t), "reason": str(r)}
        for a, t, r in zip(recs[S.ARTIST], recs[S.TRACK], recs[S.REASON], strict=True)
    ]
    return {**reading.as_dict(), "tracks": tracks}


def playlist_for_prompt(
    text: str,
    data: Workspace,
    model: Hybrid | None = None,
    *,
    now: datetime | None = None,
    tz: str | None = None,
    current: PromptRequest | None = None,
    base: HybridConfig | None = None,
) -> tuple[Reading, pd.DataFrame]:
    """Read ``text`` against ``data``'s vocabulary and make its list (fits what is not given).

    The one code path of ``musicrec recommend --prompt``; the app keeps its fitted objects
    and calls :func:`parse` and :meth:`PromptPlaylist.recommend` itself.
    """
    model = model or Hybrid().fit(data)
    pp = PromptPlaylist().fit(data)
    zone = tz if tz is not None else data.timezone
    reading = parse(text, current=current, vocabulary=pp.vocabulary_, now=now, tz=zone)
    return reading, pp.recommend(reading.request, model, base=base)
