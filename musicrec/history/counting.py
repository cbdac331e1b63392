"""Which plays count as listens, and why the others were set apart."""

from __future__ import annotations

import dataclasses

import pandas as pd

from musicrec import schema as S
from musicrec.config import CountingRule

__all__ = ["SET_APART_KEYS", "apply_counting_rule", "kinds_under_rule", "move_artist", "set_apart"]

SET_APART_KEYS: tuple[str, ...] = ("podcast", "short", "unknown", "duplicate", "bad")
"""Why plays were set apart: podcasts/audiobooks/videos, under the minimum play time,
Spotify's "Unknown Artist/Track" placeholders (counting rule); repeated plays and records
with an unreadable value (loading)."""

_NOT_MUSIC = (S.KIND_PODCAST, S.KIND_AUDIOBOOK)


def kinds_under_rule(plays: pd.DataFrame, rule: CountingRule) -> pd.Series:
    """The kind of each play once the person's own corrections in ``rule`` are applied.

    ``rule.music_artists`` moves those artists' podcast/audiobook plays back to music
    (a misjudged artist); ``rule.show_artists`` moves their music plays out (a show we
    took for music). Needs PLAYS columns kind, artist.
    """
    kind = plays[S.KIND]
    if rule.music_artists:
        back = plays[S.ARTIST].isin(list(rule.music_artists)) & kind.isin(_NOT_MUSIC)
        kind = kind.mask(back.fillna(False), S.KIND_MUSIC)
    if rule.show_artists:
        out = plays[S.ARTIST].isin(list(rule.show_artists)) & (kind == S.KIND_MUSIC)
        kind = kind.mask(out.fillna(False), S.KIND_PODCAST)
    return kind


def _reasons(plays: pd.DataFrame, rule: CountingRule) -> tuple[pd.Series, dict[str, pd.Series]]:
    kind = kinds_under_rule(plays, rule)
    not_music = (
        pd.Series(False, index=plays.index)
        if rule.include_podcasts
        else (kind != S.KIND_MUSIC).fillna(True)
    )
    short = ~(plays[S.MS_PLAYED].fillna(rule.min_ms_played) >= rule.min_ms_played).astype(bool)
    unknown = pd.Series(False, index=plays.index)
    if rule.drop_unknown:
        unknown = (
            (plays[S.ARTIST] == "Unknown Artist") | (plays[S.TRACK] == "Unknown Track")
        ).fillna(False)
    # Each play is set apart for one reason, in this order: not music, unknown, short.
    unknown = unknown & ~not_music
    short = short & ~not_music & ~unknown
    return kind, {"podcast": not_music, "unknown": unknown.astype(bool), "short": short}


def apply_counting_rule(plays: pd.DataFrame, rule: CountingRule) -> pd.DataFrame:
    """Keep the plays that count as listens under ``rule``.

    Needs PLAYS columns ms_played, kind, artist, track; returns the kept rows (a new frame,
    with kind as the person's corrections in ``rule`` make it).
    Plays of unknown duration (Last.fm scrobbles, ms_played <NA>) pass the minimum:
    Last.fm only scrobbles a track after half of it or 4 minutes were played.
    """
    kind, why = _reasons(plays, rule)
    keep = ~(why["podcast"] | why["unknown"] | why["short"]).to_numpy(dtype=bool)
    kept = plays[keep]
    if not kind.equals(plays[S.KIND]):
        kept = kept.assign(**{S.KIND: kind[keep]})
    return kept.reset_index(drop=True)


def set_apart(plays: pd.DataFrame, rule: CountingRule) -> dict[str, dict[str, float]]:
    """How many plays (and hours) ``rule`` sets apart, by reason (podcast, short, unknown).

    Needs PLAYS columns ms_played, kind, artist, track.

    Returns:
        {reason: {"plays": N, "hours": H}}; hours of plays without a duration count 0.
    """
    _, why = _reasons(plays, rule)
    hours = plays[S.MS_PLAYED].astype("Float64").fillna(0).astype(float) / 3_600_000
    return {
        reason: {"plays": int(mask.sum()), "hours": float(hours[mask.to_numpy(bool)].sum())}
        for reason, mask in why.items()
    }


def move_artist(rule: CountingRule, artist: str, *, to: str) -> CountingRule:
    """A copy of ``rule`` where ``artist`` counts as music (``to="music"``) or as a show (``to="podcast"``).

    The way a person moves a show back into their music, or a misjudged artist out.

    Raises:
        ValueError: when ``to`` is neither "music" nor "podcast".
    """
    if to not in (S.KIND_MUSIC, S.KIND_PODCAST):
        raise ValueError(f"an artist can move to 'music' or 'podcast', not {to!r}")
    music = set(rule.music_artists) - {artist}
    shows = set(rule.show_artists) - {artist}
    (music if to == S.KIND_MUSIC else shows).add(artist)
    return dataclasses.replace(
        rule, music_artists=tuple(sorted(music)), show_artists=tuple(sorted(shows))
    )
