"""Say the moment in words: a prompt read into playlist settings, on this machine.

``parse(text, ...)`` turns "a bit happier indie for a sunday morning, no rap, 45 minutes"
into a :class:`Reading`: the settings it made (:class:`PromptRequest`, the JSON ``request``
of the command line), the words it understood and what each set, the words it did not
understand, and a daylist-style title with a one-line description.

No network and no language model: a music mood vocabulary written for this app, VADER's
word lexicon for the polarity of other words, small rule tables (negation, intensifiers,
comparatives, activities, times, eras, lengths, familiarity) and fuzzy matching
(rapidfuzz) against the genres, tags and artists that the catalog and the history actually
have (a :class:`Vocabulary`). Pure Python: the same reading in the app and the terminal.

How words combine:

- absolute mood words set valence/energy targets (several are averaged); "not" before one
  mirrors it around the middle; "very"/"a bit" push it further from or closer to the middle;
- comparatives ("happier", "a bit calmer", "less intense", "more upbeat") move from the
  setting passed as ``current`` (or from the prompt's own mood words, when it has some);
- every other slot (activity, time, era, genres, exclusions, artists, familiarity, length,
  arc) is set by the last words that name it;
- a slot the prompt does not name keeps its ``current`` value, so a prompt of only unknown
  words leaves the settings as they were (and the description says so).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from musicrec import clock
from musicrec import schema as S

ARCS: tuple[str, ...] = ("rise", "fall", "peak", "steady")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class PromptConfig:
    """Rules of reading a prompt."""

    step: float = 0.15
    """How far a plain comparative ("happier", "less intense") moves a setting (0-1 scale)."""
    small_step: float = 0.08
    """How far a softened comparative ("a bit happier", "slightly calmer") moves it."""
    big_step: float = 0.25
    """How far a strengthened comparative ("much happier", "way more intense") moves it."""
    intensify: float = 1.4
    """"very sad": distance from the middle (0.5) multiplied by this."""
    soften: float = 0.5
    """"a bit sad": distance from the middle multiplied by this."""
    negation: float = 0.6
    """"not sad": mirrored around the middle, at this share of the distance."""
    sentiment_scale: float = 0.09
    """Valence per VADER lexicon point (-4..4) for words outside the mood vocabulary."""
    rediscover_days: int = 60
    """"haven't heard in a while": not played in the last this many days."""
    artist_cutoff: float = 88.0
    """Minimum rapidfuzz score (0-100) for an artist name after "like", "more", "vibes"."""
    max_artist_words: int = 5
    """Longest artist name tried after a trigger, in words."""
    favourite_seeds: int = 3
    """"my favourites" seeds the list with this many of the person's most played artists."""
    favourites_left_out: int = 10
    """"nothing from my favourites" leaves out this many of the person's most played artists."""


# --- vocabulary ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: "Beyoncé" -> "beyonce", "CAFÉ Tacvba" -> "cafe tacvba"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def key(text: str) -> str:
    """Matching key of a genre, tag or artist: folded, "&" read as "and", only letters and
    digits ("Hip-Hop" -> "hiphop", "R&B" -> "randb", "lo-fi" -> "lofi")."""
    return re.sub(r"[^a-z0-9]", "", fold(text).replace("&", "and"))


@dataclass(frozen=True)
class Vocabulary:
    """What the prompt can name here: the genres and tags of the catalog and history, and
    the artists of the person (most played first) and of the catalog.

    Build it once per workspace with :func:`vocabulary_from` (it is hashable per identity and
    caches its lookup tables).
    """

    genres: tuple[str, ...] = ()
    """Genre and tag names as the data spells them (matched accent- and case-insensitively)."""
    own_artists: tuple[str, ...] = ()
    """The person's artists, most played first (matched before the catalog's)."""
    catalog_artists: tuple[str, ...] = ()
    """Other artists of the catalog."""
    has_explicit: bool = False
    """True when the items carry an explicit flag (so "nothing explicit" can filter)."""

    @cached_property
    def genre_keys(self) -> dict[str, str]:
        """Matching key -> genre name (the first spelling of each key wins)."""
        out: dict[str, str] = {}
        for g in self.genres:
            k = key(g)
            if k and k not in out:
                out[k] = g
        for alias, targets in GENRE_ALIASES.items():
            for t in targets:
                if alias not in out and key(t) in out:
                    out[alias] = out[key(t)]
        return out

    @cached_property
    def _fuzzy_genre_keys(self) -> list[str]:
        return [k for k in self.genre_keys if len(k) >= 4]

    @cached_property
    def own_keys(self) -> dict[str, str]:
        """Matching key -> artist name, for the person's artists."""
        return _key_map(self.own_artists)

    @cached_property
    def catalog_keys(self) -> dict[str, str]:
        """Matching key -> artist name, for the catalog's artists."""
        return _key_map(self.catalog_artists)

    @cached_property
    def _own_key_list(self) -> list[str]:
        return list(self.own_keys)

    @cached_property
    def _catalog_key_list(self) -> list[str]:
        return list(self.catalog_keys)


def _key_map(names: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in names:
        k = key(n)
        if len(k) >= 2 and k not in out:
            out[k] = n
    return out


def vocabulary_from(
    items: pd.DataFrame,
    plays: pd.DataFrame | None = None,
    max_genres: int = 5000,
    max_artists: int = 200_000,
) -> Vocabulary:
    """The vocabulary of a workspace.

    Args:
        items: ITEMS frame with at least ``artist``; ``genre``, ``tags`` (space separated) and
            an ``explicit`` column are used when present.
        plays: the person's PLAYS frame with ``artist`` (most played artists come first).
        max_genres: keep at most this many genre/tag names (the most frequent).
        max_artists: keep at most this many catalog artists (bounds memory and fuzzy time).

    Returns:
        A :class:`Vocabulary`.
    """
    counts: dict[str, int] = {}
    if S.GENRE in items.columns:
        for g, n in items[S.GENRE].dropna().astype(str).value_counts().items():
            counts[g] = counts.get(g, 0) + int(n) * 10  # genres before tags
    if S.TAGS in items.columns:
        words = items[S.TAGS].dropna().astype(str).str.split().explode().dropna()
        for g, n in words.value_counts().head(max_genres).items():
            counts[g] = counts.get(g, 0) + int(n)
    genres = tuple(sorted(counts, key=lambda g: -counts[g])[:max_genres])
    own: tuple[str, ...] = ()
    if plays is not None and not plays.empty and S.ARTIST in plays.columns:
        own = tuple(plays[S.ARTIST].dropna().astype(str).value_counts().index)
    own_set = set(own)
    catalog = tuple(
        a for a in pd.unique(items[S.ARTIST].dropna().astype(str))[:max_artists] if a not in own_set
    )
    return Vocabulary(
        genres=genres,
        own_artists=own,
        catalog_artists=catalog,
        has_explicit="explicit" in items.columns,
    )


# --- the reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptRequest:
    """The settings a prompt makes (the JSON ``request``); None / empty = no preference."""

    valence: float | None = None
    """Target valence 0 (sad) - 1 (happy)."""
    energy: float | None = None
    """Target energy 0 (calm) - 1 (intense)."""
    activity: str | None = None
    """One of ``musicrec.engines.base.ACTIVITIES``."""
    hour: int | None = None
    """0-23 in the listener's zone."""
    weekday: int | None = None
    """0 = Monday ... 6 = Sunday."""
    era: tuple[int, int] | None = None
    """Release years (from, to), both included."""
    genres: tuple[str, ...] = ()
    """Genres or tags to favour (names from the vocabulary)."""
    exclude_genres: tuple[str, ...] = ()
    """Genres or tags to leave out ("explicit" means explicit tracks)."""
    seeds: tuple[str, ...] = ()
    """Artist names to build around."""
    novelty: float | None = None
    """Familiar (0) to new (1); 1 means only tracks the person has never played."""
    not_played_days: int | None = None
    """Leave out tracks played in the last this many days."""
    length_minutes: int | None = None
    """Playlist length in minutes."""
    k: int | None = None
    """Playlist length in tracks."""
    arc: str | None = None
    """Order by energy: "rise", "fall" (winding down), "peak" (warm-up, peak, cool-down) or
    "steady"."""
    exclude_artists: tuple[str, ...] = ()
    """Artist names to leave out ("nothing from my favourites": the most played ones)."""

    def as_dict(self) -> dict:
        """The JSON ``request`` object (lists for tuples)."""
        d = dataclasses.asdict(self)
        d["era"] = list(self.era) if self.era else None
        for f in ("genres", "exclude_genres", "exclude_artists", "seeds"):
            d[f] = list(d[f])
        return d


@dataclass(frozen=True)
class Understood:
    """Words of the prompt and what they set."""

    words: str
    set: str


@dataclass(frozen=True)
class Reading:
    """How a prompt was read."""

    prompt: str
    request: PromptRequest
    understood: tuple[Understood, ...]
    unknown_words: tuple[str, ...]
    title: str
    description: str
    changed: frozenset[str] = field(default_factory=frozenset)
    """Names of the request fields the prompt set (the others kept their current value)."""
    mood_words: tuple[str, ...] = ()
    """The mood words that won, for titles and reasons."""

    def as_dict(self) -> dict:
        """The JSON reading (without tracks): prompt, title, description, request,
        understood, unknown_words."""
        return {
            "prompt": self.prompt,
            "title": self.title,
            "description": self.description,
            "request": self.request.as_dict(),
            "understood": [{"words": u.words, "set": u.set} for u in self.understood],
            "unknown_words": list(self.unknown_words),
        }


# --- word tables --------------------------------------------------------------------------

# mood word -> (valence, energy); None = this word says nothing about that dimension
# fmt: off
MOOD_WORDS: dict[str, tuple[float | None, float | None]] = {
    "chill": (0.55, 0.30), "chilled": (0.55, 0.30), "chillout": (0.55, 0.28),
    "mellow": (0.50, 0.30), "moody": (0.30, 0.40), "dark": (0.20, 0.55),
    "upbeat": (0.78, 0.75), "hype": (0.70, 0.90), "hyped": (0.70, 0.90),
    "cozy": (0.62, 0.28), "cosy": (0.62, 0.28), "dreamy": (0.50, 0.28),
    "angry": (0.18, 0.90), "rage": (0.15, 0.95), "furious": (0.12, 0.95),
    "sad": (0.15, 0.30), "euphoric": (0.90, 0.85), "happy": (0.85, 0.65),
    "joyful": (0.88, 0.65), "cheerful": (0.85, 0.60), "rainy": (0.30, 0.32),
    "calm": (0.50, 0.20), "calming": (0.52, 0.18), "peaceful": (0.60, 0.18),
    "serene": (0.60, 0.15), "relaxed": (0.58, 0.25), "relaxing": (0.58, 0.25),
    "energetic": (0.62, 0.88), "energizing": (0.65, 0.85), "energising": (0.65, 0.85),
    "intense": (None, 0.90), "melancholic": (0.18, 0.30), "melancholy": (0.18, 0.30),
    "gloomy": (0.15, 0.30), "somber": (0.15, 0.25), "sombre": (0.15, 0.25),
    "uplifting": (0.82, 0.65), "romantic": (0.62, 0.38), "sexy": (0.60, 0.50),
    "sensual": (0.58, 0.40), "groovy": (0.72, 0.65), "funky": (0.75, 0.70),
    "aggressive": (0.20, 0.92), "heavy": (0.30, 0.88), "soft": (0.52, 0.20),
    "gentle": (0.55, 0.18), "quiet": (0.50, 0.15), "loud": (None, 0.88),
    "fun": (0.82, 0.72), "sunny": (0.85, 0.62), "summery": (0.85, 0.65),
    "bittersweet": (0.38, 0.35), "nostalgic": (0.45, 0.38), "lonely": (0.15, 0.25),
    "heartbroken": (0.10, 0.28), "heartbreak": (0.12, 0.30), "emo": (0.18, 0.65),
    "epic": (0.60, 0.85), "triumphant": (0.80, 0.82), "lazy": (0.55, 0.20),
    "slow": (None, 0.20), "fast": (None, 0.85), "banger": (0.70, 0.90),
    "bangers": (0.70, 0.90), "bouncy": (0.78, 0.75), "warm": (0.65, 0.38),
    "cold": (0.30, 0.40), "icy": (0.30, 0.45), "ethereal": (0.50, 0.22),
    "atmospheric": (0.45, 0.30), "hopeful": (0.72, 0.50), "confident": (0.72, 0.72),
    "empowering": (0.75, 0.78), "motivated": (0.70, 0.82), "motivational": (0.70, 0.82),
    "motivating": (0.70, 0.82), "spooky": (0.25, 0.50), "creepy": (0.20, 0.50),
    "tender": (0.55, 0.22), "wistful": (0.32, 0.30), "pensive": (0.35, 0.28),
    "reflective": (0.40, 0.28), "introspective": (0.35, 0.28), "blue": (0.25, 0.30),
    "depressed": (0.08, 0.22), "depressing": (0.08, 0.22), "crying": (0.10, 0.25),
    "tired": (0.40, 0.18), "sleepy": (0.45, 0.12), "wild": (0.70, 0.92),
    "lively": (0.78, 0.78), "playful": (0.80, 0.62), "silly": (0.82, 0.60),
    "light": (0.65, 0.35), "breezy": (0.72, 0.45), "smooth": (0.60, 0.38),
    "raw": (0.35, 0.70), "gritty": (0.30, 0.72), "brooding": (0.20, 0.40),
    "haunting": (0.22, 0.30), "hypnotic": (0.45, 0.55), "trippy": (0.50, 0.55),
    "feelgood": (0.85, 0.65), "pumped": (0.70, 0.92), "rowdy": (0.65, 0.90),
    "stormy": (0.25, 0.60), "grey": (0.30, 0.30), "gray": (0.30, 0.30),
    "autumn": (0.40, 0.35), "autumnal": (0.40, 0.35), "winter": (0.38, 0.32),
    "spring": (0.72, 0.55), "summer": (0.82, 0.68), "vibey": (0.60, 0.50),
}
# spelled with several words (folded, apostrophes dropped)
MOOD_PHRASES: dict[tuple[str, ...], tuple[float | None, float | None]] = {
    ("feel", "good"): (0.85, 0.65), ("good", "vibes"): (0.80, 0.60),
    ("high", "energy"): (None, 0.88), ("low", "energy"): (None, 0.22),
    ("low", "key"): (0.50, 0.28), ("laid", "back"): (0.58, 0.30),
    ("chilled", "out"): (0.55, 0.28), ("hype", "up"): (0.70, 0.90),
    ("pump", "up"): (0.70, 0.92), ("in", "my", "feelings"): (0.20, 0.30),
    ("heart", "broken"): (0.10, 0.28), ("broken", "heart"): (0.10, 0.28),
}

# comparative -> (valence direction, energy direction)
COMPARATIVES: dict[str, tuple[int, int]] = {
    "happier": (1, 0), "sadder": (-1, 0), "brighter": (1, 0), "darker": (-1, 0),
    "calmer": (0, -1), "chiller": (0, -1), "mellower": (0, -1), "softer": (0, -1),
    "quieter": (0, -1), "gentler": (0, -1), "slower": (0, -1), "faster": (0, 1),
    "louder": (0, 1), "harder": (0, 1), "heavier": (0, 1), "wilder": (0, 1),
    "livelier": (0, 1), "moodier": (-1, 0), "gloomier": (-1, 0), "cheerier": (1, 0),
    "sunnier": (1, 0), "lighter": (1, -1), "angrier": (-1, 1), "groovier": (1, 1),
    "funnier": (1, 0), "cozier": (1, -1), "cosier": (1, -1), "dreamier": (0, -1),
}
_MORE = {"more": 1, "less": -1, "lower": -1, "higher": 1, "fewer": -1}
_NEGATORS = {"not", "no", "never", "isnt", "without", "dont", "nothing", "non", "un"}
_INTENSIFIERS = {"very", "really", "super", "so", "extra", "extremely", "totally", "ultra",
                 "properly", "seriously", "mega", "truly", "deeply", "incredibly", "insanely"}
_SOFTENERS = {"bit", "slightly", "kinda", "kind", "somewhat", "little", "mildly", "sorta",
              "fairly", "quite", "touch", "tad"}
_NEUTRAL = {"a", "of", "too", "that", "overly"}  # "not too loud": joins, does not scale
_STRENGTHENERS = {"much", "way", "lot", "lots", "far", "heaps", "loads", "even"}

# activity word -> engine activity (musicrec.engines.base.ACTIVITIES)
ACTIVITY_WORDS: dict[str, str] = {
    "run": "workout", "running": "workout", "runs": "workout", "jog": "workout",
    "jogging": "workout", "gym": "workout", "workout": "workout", "workouts": "workout",
    "exercise": "workout", "exercising": "workout", "lifting": "workout", "training": "workout",
    "cardio": "workout", "spin": "workout", "spinning": "workout", "hiit": "workout",
    "cycling": "workout", "sprint": "workout", "sprints": "workout", "crossfit": "workout",
    "study": "focus", "studying": "focus", "focus": "focus", "focused": "focus",
    "focusing": "focus", "concentrate": "focus", "concentration": "focus", "work": "focus",
    "working": "focus", "coding": "focus", "programming": "focus", "reading": "focus",
    "homework": "focus", "writing": "focus", "revision": "focus", "exam": "focus",
    "exams": "focus", "deep": "focus", "party": "party", "parties": "party",
    "partying": "party", "pregame": "party", "pregaming": "party", "dancing": "party",
    "dance": "party", "club": "party", "clubbing": "party", "rave": "party",
    "cleaning": "party", "chores": "party", "relax": "relax", "relaxation": "relax",
    "unwind": "relax", "unwinding": "relax", "yoga": "relax", "meditation": "relax",
    "meditate": "relax", "bath": "relax", "cooking": "relax", "cook": "relax",
    "dinner": "relax", "spa": "relax", "lounge": "relax", "lounging": "relax",
    "commute": "commute", "commuting": "commute", "drive": "commute", "driving": "commute",
    "car": "commute", "train": "commute", "bus": "commute", "walk": "commute",
    "walking": "commute", "travel": "commute", "travelling": "commute",
    "traveling": "commute", "roadtrip": "commute", "flight": "commute", "subway": "commute",
    "sleep": "sleep", "sleeping": "sleep", "bedtime": "sleep", "nap": "sleep",
    "napping": "sleep", "insomnia": "sleep", "lullaby": "sleep", "lullabies": "sleep",
}
ACTIVITY_PHRASES: dict[tuple[str, ...], str] = {
    ("road", "trip"): "commute", ("deep", "work"): "focus", ("deep", "focus"): "focus",
    ("winding", "down"): "relax", ("wind", "down"): "relax", ("work", "out"): "workout",
    ("working", "out"): "workout", ("falling", "asleep"): "sleep", ("fall", "asleep"): "sleep",
    ("house", "party"): "party", ("dinner", "party"): "party", ("long", "drive"): "commute",
}
# activities whose lists usually follow an energy curve unless words say otherwise
_ARC_WORDS: dict[tuple[str, ...], str] = {
    ("cooldown",): "peak", ("cool", "down"): "peak", ("cooldown", "after"): "peak",
    ("warm", "up"): "rise", ("warmup",): "rise", ("build", "up"): "rise",
    ("building",): "rise", ("rising",): "rise", ("crescendo",): "rise",
    ("ramp", "up"): "rise", ("peak",): "peak", ("steady",): "steady",
    ("winding", "down"): "fall", ("slowing", "down"): "fall", ("calming", "down"): "fall",
    ("fade", "out"): "fall", ("fading", "out"): "fall",
    ("constant",): "steady", ("even", "pace"): "steady", ("steady", "pace"): "steady",
    ("same", "pace"): "steady", ("intervals",): "peak", ("rising", "energy"): "rise",
    ("building", "energy"): "rise", ("energy", "rising"): "rise", ("increasing", "energy"): "rise",
    ("steady", "energy"): "steady", ("ramping", "up"): "rise", ("wind", "down", "after"): "peak",
}

# part of day -> hour
DAYPARTS: dict[tuple[str, ...], int] = {
    ("morning",): 9, ("mornings",): 9, ("early", "morning"): 6, ("late", "morning"): 11,
    ("afternoon",): 15, ("afternoons",): 15, ("late", "afternoon"): 17,
    ("early", "afternoon"): 13, ("evening",): 19, ("evenings",): 19, ("early", "evening"): 18,
    ("late", "evening"): 21, ("night",): 22, ("nights",): 22, ("late", "night"): 23,
    ("midnight",): 0, ("noon",): 12, ("midday",): 12, ("lunch",): 12, ("lunchtime",): 12,
    ("dawn",): 6, ("sunrise",): 6, ("dusk",): 19, ("sunset",): 19, ("breakfast",): 8,
    ("after", "work"): 18, ("after", "school"): 16, ("wee", "hours"): 3,
    ("small", "hours"): 3, ("brunch",): 11, ("nighttime",): 22, ("daytime",): 13,
    ("overnight",): 2,
}
_WEEKDAYS: dict[str, int] = {
    **{d: i for i, d in enumerate(_WEEKDAY_FULL)},
    **{d + "s": i for i, d in enumerate(_WEEKDAY_FULL)},
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6, "weekend": 5, "weekends": 5,
}
_DECADE_WORDS = {
    "fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
    "noughties": 2000, "aughts": 2000, "twenties": 2020, "tens": 2010,
}
_ERA_PARTS = {"early": (0, 3), "mid": (3, 6), "late": (7, 9)}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "ninety": 90, "dozen": 12, "couple": 2, "few": 3,
}
_MINUTE_UNITS = {"minute": 1, "minutes": 1, "min": 1, "mins": 1, "hour": 60, "hours": 60,
                 "hr": 60, "hrs": 60, "h": 60}
_TRACK_UNITS = {"songs", "song", "tracks", "track", "tunes", "tune", "bangers"}

# familiarity phrases -> (novelty, not_played_days, seeds from favourites, label)
_FAMILIARITY: dict[tuple[str, ...], tuple[float | None, int | None, bool, str]] = {
    ("new", "to", "me"): (1.0, None, False, "only tracks you have never played"),
    ("never", "heard"): (1.0, None, False, "only tracks you have never played"),
    ("havent", "heard"): (1.0, None, False, "only tracks you have never played"),
    ("not", "heard"): (1.0, None, False, "only tracks you have never played"),
    ("havent", "listened", "to"): (1.0, None, False, "only tracks you have never played"),
    ("never", "listened", "to"): (1.0, None, False, "only tracks you have never played"),
    ("havent", "listened", "to", "in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("not", "listened", "to", "in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("something", "new"): (0.9, None, False, "mostly new to you"),
    ("discover",): (0.9, None, False, "mostly new to you"),
    ("discovery",): (0.9, None, False, "mostly new to you"),
    ("discoveries",): (0.9, None, False, "mostly new to you"),
    ("fresh",): (0.85, None, False, "mostly new to you"),
    ("unfamiliar",): (0.9, None, False, "mostly new to you"),
    ("surprise", "me"): (0.85, None, False, "mostly new to you"),
    ("new", "music"): (0.9, None, False, "mostly new to you"),
    ("havent", "heard", "in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("havent", "played", "in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("not", "heard", "in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("in", "a", "while"): (0.2, -1, False, "familiar, not played lately"),
    ("in", "ages"): (0.2, -1, False, "familiar, not played lately"),
    ("forgotten",): (0.2, -1, False, "familiar, not played lately"),
    ("rediscover",): (0.2, -1, False, "familiar, not played lately"),
    ("old", "favourites"): (0.2, -1, True, "your favourites, not played lately"),
    ("old", "favorites"): (0.2, -1, True, "your favourites, not played lately"),
    ("deep", "cuts"): (0.8, None, True, "less played tracks of your favourite artists"),
    ("my", "favourites"): (0.0, None, True, "your favourites"),
    ("my", "favorites"): (0.0, None, True, "your favourites"),
    ("favourites",): (0.0, None, True, "your favourites"),
    ("favorites",): (0.0, None, True, "your favourites"),
    ("my", "faves"): (0.0, None, True, "your favourites"),
    ("comfort",): (0.05, None, False, "familiar"), ("familiar",): (0.05, None, False, "familiar"),
    ("on", "repeat"): (0.0, None, False, "familiar"),
    ("classics",): (0.1, None, False, "familiar"),
}
_FAMILIAR_TITLES = {
    "only tracks you have never played": "new to you", "mostly new to you": "discoveries",
    "familiar, not played lately": "rediscoveries", "your favourites": "favourites",
    "your favourites, not played lately": "old favourites", "familiar": "comfort",
    "less played tracks of your favourite artists": "deep cuts",
}
_NEGATION_LINKS = {"from", "by", "of", "any", "my", "our", "the", "songs", "tracks", "music"}
"""Words allowed between a negator and "my favourites" ("nothing from my favourites")."""
_DETERMINERS = {"the", "my", "our", "your", "his", "her", "their"}
_EXCLUDERS = {"no", "without", "not", "nothing", "except", "minus", "skip", "avoid", "zero",
              "exclude", "excluding", "but"}
_ARTIST_BEFORE = {("like",), ("more",), ("similar", "to"), ("sounds", "like"),
                  ("inspired", "by"), ("by",), ("from",), ("in", "the", "style", "of"),
                  ("style", "of"), ("fans", "of"), ("for", "fans", "of"), ("artists", "like")}
_ARTIST_AFTER = {"vibes", "vibe", "type", "style", "esque", "inspired", "ish", "radio"}
_STOPWORDS = {
    "a", "an", "the", "some", "any", "for", "to", "of", "and", "or", "with", "in", "on",
    "at", "me", "my", "i", "im", "id", "want", "need", "give", "play", "put", "make",
    "music", "songs", "song", "tracks", "track", "tunes", "playlist", "mix", "list",
    "please", "pls", "stuff", "something", "that", "this", "is", "are", "be", "it", "its",
    "like", "more", "less", "very", "really", "so", "bit", "little", "kind", "kinda",
    "just", "about", "around", "while", "during", "when", "then", "after", "before",
    "but", "also", "vibes", "vibe", "feeling", "feel", "feels", "mood", "moods", "sort", "sorta", "type", "style", "from", "by", "ish", "can", "you",
    "we", "us", "our", "your", "let", "lets", "go", "get", "good", "great", "nice",
    "now", "today", "up", "down", "out", "into", "over", "all", "only", "not", "no",
    "lot", "lots", "much", "way", "even", "quite", "time", "day", "hey", "yo", "sounds",
    "anything", "too", "as", "am", "was", "has", "have", "had", "do",
    "listen", "listening", "hear", "background", "plus", "vs", "than", "last", "next",
    "length", "long", "ok", "okay", "yes", "one", "ones", "what", "which", "energy",
    "playlists", "tune", "sound", "things", "thing", "makes",
}
# common words that look like genre spellings: never fuzzy-matched
_FUZZY_GUARD = {"hard", "dark", "cold", "bold", "lazy", "hazy", "song", "long", "love",
                "rock", "pop", "fun", "run", "light", "night", "right", "tight", "mood",
                "good", "food", "wood", "live", "life", "late", "date", "mate", "more",
                "core", "less", "best", "rest", "test", "west", "east", "fast", "last"}
GENRE_ALIASES: dict[str, tuple[str, ...]] = {
    "hiphop": ("hip-hop", "hip hop", "rap"), "rap": ("rap", "hip-hop", "hip hop"),
    "lofi": ("lo-fi", "lofi"), "kpop": ("k-pop", "kpop"), "jpop": ("j-pop",),
    "randb": ("r&b", "rnb"), "rnb": ("r&b",), "electronic": ("electronic", "edm", "electro"),
    "electronica": ("electronic", "edm"), "edm": ("edm", "electronic"),
    "dnb": ("drum and bass", "drum & bass", "dnb"), "drumandbass": ("drum & bass", "dnb"),
    "orchestral": ("classical",), "latino": ("latin",), "reggaeton": ("reggaeton", "latin"),
    "country": ("country",), "indie": ("indie", "indie rock", "indie pop"),
    "metal": ("metal", "heavy metal"), "soul": ("soul", "r&b"), "classical": ("classical",),
    "punk": ("punk", "punk rock"), "techno": ("techno", "edm"), "house": ("house", "edm"),
    "chillhop": ("lofi", "lo-fi"), "jazzy": ("jazz",), "folky": ("folk",),
    "acoustic": ("acoustic", "folk"), "rock": ("rock",), "emo": ("emo",),
}

# fmt: on
_TOKEN = re.compile(
    r"\d{1,2}(?::\d{2})?\s?(?:am|pm)\b"  # 3pm, 11 am, 7:30pm
    r"|\d{1,2}:\d{2}"  # 22:00
    r"|\d+k\b"  # 5k (a distance: read as unknown)
    r"|'?\d+(?:\.\d+)?s?"  # 90s, '90s, 2016, 1.5, 45
    r"|[a-z][a-z0-9&+]*"  # words (apostrophes are dropped before)
)


def _tokens(text: str) -> list[str]:
    folded = fold(text).replace("'", "").replace("\u2019", "")
    return [t.lstrip("'") for t in _TOKEN.findall(folded)]


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


@lru_cache(maxsize=1)
def _fuzzy_targets() -> dict[str, str]:
    """Words that fuzzy matching may correct a typo to, and the table each lives in."""
    out: dict[str, str] = {}
    for w in MOOD_WORDS:
        out[w] = "mood"
    for w in COMPARATIVES:
        out[w] = "comparative"
    for w in ACTIVITY_WORDS:
        out[w] = "activity"
    for w in _WEEKDAY_FULL:
        out[w] = "weekday"
    for p in DAYPARTS:
        if len(p) == 1:
            out[p[0]] = "daypart"
    for w in ("favourites", "favorites", "discover", "minutes", "songs", "tracks"):
        out[w] = "other"
    return {w: t for w, t in out.items() if len(w) >= 4}


def _may_be_typo(token: str) -> bool:
    """Long enough to correct, and not a word that is already right (stopwords, words VADER
    knows, short common words that look like genre names)."""
    return (
        len(token) >= 4
        and token not in _STOPWORDS
        and token not in _FUZZY_GUARD
        and token not in _lexicon()
    )


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Every word of the phrase tables: spelt right, so never "corrected"."""
    words = {"now", "tonight", "today", "tomorrow", "right", "explicit", "releases"}
    for table in (MOOD_PHRASES, ACTIVITY_PHRASES, DAYPARTS, _FAMILIARITY, _ARC_WORDS):
        for phrase in table:
            words.update(phrase)
    for phrase in _ARTIST_BEFORE:
        words.update(phrase)
    return frozenset(words | _ARTIST_AFTER | _INTENSIFIERS | _SOFTENERS | _STRENGTHENERS | _NEUTRAL)


def _correct(token: str) -> str | None:
    """The vocabulary word a misspelt ``token`` most likely means, or None.

    One edit (OSA: a swap of two letters counts once) for words of 4-6 letters, two for
    longer ones; tokens that are words VADER knows are left alone."""
    if not _may_be_typo(token):
        return None
    if token in _fuzzy_targets() or token in _known_words():
        return token
    limit = 1 if len(token) <= 6 else 2
    best = process.extractOne(
        token, list(_fuzzy_targets()), scorer=OSA.distance, score_cutoff=limit
    )
    return best[0] if best else None


def _number(tok: str) -> float | None:
    if tok in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[tok])
    try:
        return float(tok)
    except ValueError:
        return None


def _decade(tok: str) -> int | None:
    """ "90s" -> 1990, "1990s" -> 1990, "00s" -> 2000, "nineties" -> 1990; else None."""
    if tok in _DECADE_WORDS:
        return _DECADE_WORDS[tok]
    m = re.fullmatch(r"(\d{2}|\d{4})s", tok)
    if not m:
        return None
    n = int(m.group(1))
    if n >= 1000:
        return n if n % 10 == 0 and 1900 <= n <= 2090 else None
    if n % 10:
        return None
    return 2000 + n if n <= 20 else 1900 + n


def _year(tok: str, this_year: int) -> int | None:
    if re.fullmatch(r"(19|20)\d\d", tok):
        y = int(tok)
        return y if 1900 <= y <= this_year + 1 else None
    return None


def _hour_token(tok: str) -> int | None:
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s?(am|pm)?", tok)
    if not m or (m.group(2) is None and m.group(3) is None):
        return None
    h = int(m.group(1))
    if m.group(3):
        if not 1 <= h <= 12:
            return None
        h = (h % 12) + (12 if m.group(3) == "pm" else 0)
    return h if 0 <= h <= 23 else None


# --- the parser -----------------------------------------------------------------------------


class _Scan:
    """One pass over the tokens: every slot reader marks the tokens it used."""

    def __init__(self, tokens: list[str], originals: list[str]) -> None:
        self.t = tokens
        self.orig = originals
        self.used = [False] * len(tokens)

    def free(self, i: int, n: int = 1) -> bool:
        return i + n <= len(self.t) and not any(self.used[i : i + n])

    def take(self, i: int, n: int = 1) -> str:
        for j in range(i, i + n):
            self.used[j] = True
        return " ".join(self.orig[i : i + n])

    def at(self, i: int, phrase: tuple[str, ...]) -> bool:
        n = len(phrase)
        t = self.t
        if i + n > len(t) or t[i] != phrase[0]:  # the cheap test first: this is the hot loop
            return False
        return tuple(t[i : i + n]) == phrase and not any(self.used[i : i + n])

    def before(self, i: int, words: set[str], reach: int = 1) -> int | None:
        """Index of a free token in ``words`` up to ``reach`` tokens before ``i``."""
        for j in range(i - 1, max(-1, i - 1 - reach), -1):
            if self.t[j] in words and not self.used[j]:
                return j
        return None


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _clip(x: float) -> float:
    """Round to 2 places inside 0.02-0.98 (no target is absolute)."""
    return round(min(0.98, max(0.02, x)), 2)


def _daypart_name(hour: int) -> str:
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 21:
        return "evening"
    return "night"


def era_label(era: tuple[int, int]) -> str:
    """ "1990s" for a whole decade, "2016" for one year, "1980-1999" otherwise."""
    lo, hi = era
    if lo == hi:
        return str(lo)
    if lo % 10 == 0 and hi == lo + 9:
        return f"{lo % 100:02d}s" if lo >= 1950 else f"{lo}s"
    return f"{lo}-{hi}"


def parse(
    text: str,
    current: PromptRequest | None = None,
    vocabulary: Vocabulary | None = None,
    now: datetime | None = None,
    tz: str | None = None,
    config: PromptConfig = PromptConfig(),
) -> Reading:
    """Read a prompt into playlist settings.

    Args:
        text: what the person typed (any length; only the first 500 characters are read).
        current: the settings before the prompt (comparatives move from them; slots the
            prompt does not name keep them). None = no settings yet.
        vocabulary: genres, tags and artists that can be named (:func:`vocabulary_from`).
        now: the current instant ("now", "tonight", "today"); aware, or naive meaning UTC.
            Default: the machine's clock.
        tz: the listener's IANA zone (see ``musicrec.clock``); unknown -> UTC.
        config: the reading rules.

    Returns:
        The :class:`Reading`.

    Example:
        >>> parse("not sad, 90s, 20 songs").request.era
        (1990, 1999)
    """
    current = current or PromptRequest()
    vocab = vocabulary or Vocabulary()
    text = str(text or "")[:500]
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    local = now.astimezone(ZoneInfo(clock.resolve(tz)))
    originals = _tokens(text)
    tokens = list(originals)
    # typo correction first, so every reader sees the corrected word
    corrected: dict[int, str] = {}
    genre_keys = vocab.genre_keys
    for i, tok in enumerate(tokens):
        if tok in MOOD_WORDS or tok in ACTIVITY_WORDS or tok in COMPARATIVES:
            continue
        if tok in _WEEKDAYS or tok in genre_keys or tok in _NUMBER_WORDS or tok in _DECADE_WORDS:
            continue
        if tok in vocab.own_keys or tok in vocab.catalog_keys:
            continue
        fixed = _correct(tok)
        if fixed and fixed != tok:
            corrected[i] = fixed
            tokens[i] = fixed
    scan = _Scan(tokens, originals)
    st = _State(scan, current, vocab, local, config)
    for reader in (
        st.familiarity,
        st.length,
        st.arc,
        st.exclusions,
        st.eras,
        st.times,
        st.artists_triggered,
        st.activities,
        st.comparatives,
        st.read_moods,
        st.read_genres,
        st.artists_bare,
        st.sentiment,
    ):
        reader()
    unknown = tuple(
        originals[i]
        for i, tok in enumerate(tokens)
        if not scan.used[i] and tok not in _STOPWORDS and not tok.isdigit()
    )
    request = st.request()
    changed = frozenset(st.set_fields)
    title = _title(st, request)
    description = _description(st, request, unknown, text)
    fixes = {originals[i]: fixed for i, fixed in corrected.items()}
    first = {}
    for i, tok in enumerate(originals):
        first.setdefault(tok, i)
    st.understood.sort(key=lambda u: first.get(u[0].split()[0], len(originals)) if u[0] else 0)
    understood = tuple(
        Understood(
            w, s + "".join(f" (read “{o}” as “{fixes[o]}”)" for o in w.split() if o in fixes)
        )
        for w, s in st.understood
    )
    return Reading(
        prompt=text,
        request=request,
        understood=understood,
        unknown_words=unknown,
        title=title,
        description=description,
        changed=changed,
        mood_words=tuple(st.mood_names),
    )


class _State:
    """The slots a scan fills; one method per kind of words (called in a fixed order)."""

    def __init__(
        self,
        scan: _Scan,
        current: PromptRequest,
        vocab: Vocabulary,
        local: datetime,
        config: PromptConfig,
    ) -> None:
        self.s = scan
        self.current = current
        self.vocab = vocab
        self.local = local
        self.config = config
        self.values: dict[str, object] = {}
        self.set_fields: list[str] = []
        self.understood: list[tuple[str, str]] = []
        self.moods: list[tuple[float | None, float | None]] = []
        self.mood_names: list[str] = []
        self.shifts: list[tuple[int, int, float, str]] = []
        self.genres: list[str] = []
        self.excluded: list[str] = []
        self.seed_names: list[str] = []
        self.excluded_artists: list[str] = []
        self.named_seeds: list[str] = []
        self.title_time: str | None = None
        self.title_activity: str | None = None
        self.title_era: str | None = None
        self.title_familiar: str | None = None

    def put(self, name: str, value: object, words: str, said: str) -> None:
        self.values[name] = value
        if name not in self.set_fields:
            self.set_fields.append(name)
        self.understood.append((words, said))

    # -- readers ---------------------------------------------------------------------------
    def familiarity(self) -> None:
        s = self.s
        phrases = sorted(_FAMILIARITY, key=len, reverse=True)
        for i in range(len(s.t)):
            for p in phrases:
                if not s.at(i, p):
                    continue
                novelty, days, favourites, label = _FAMILIARITY[p]
                neg = self._negated(i) if favourites else None
                words = s.take(i, len(p))
                lead = s.before(i, {"my", "some", "old"})
                if lead is not None and p in {("favourites",), ("favorites",)}:
                    words = s.take(lead) + " " + words
                if neg is not None:  # "nothing from my favourites": an exclusion, not seeds
                    words = s.take(neg, i - neg) + " " + words
                    self._leave_out_favourites(words)
                    break
                if favourites:  # "deep cuts from my favourites": one phrase
                    words += self._absorb(i + len(p))
                said = [label]
                self.title_familiar = _FAMILIAR_TITLES.get(label, label)
                if novelty is not None:
                    self.values["novelty"] = novelty
                    self.set_fields.append("novelty")
                    said.append(f"familiar → new {novelty:.2f}")
                if days is not None:
                    n = self.config.rediscover_days if days < 0 else days
                    self.values["not_played_days"] = n
                    self.set_fields.append("not_played_days")
                    said.append(f"not played in the last {n} days")
                if favourites and self.vocab.own_artists:
                    seeds = list(self.vocab.own_artists[: self.config.favourite_seeds])
                    self.seed_names.extend(a for a in seeds if a not in self.seed_names)
                    said.append("around " + ", ".join(seeds))
                self.understood.append((words, "; ".join(said)))
                break

    def _negated(self, i: int) -> int | None:
        """Index of a free negator ("nothing", "no", "not", "without"...) before token ``i``,
        with only linking words ("from", "by", "any", "my"...) between them, else None."""
        s = self.s
        j = i - 1
        while j >= 0 and not s.used[j] and s.t[j] in _NEGATION_LINKS:
            j -= 1
        if j >= 0 and not s.used[j] and s.t[j] in _EXCLUDERS | {"none"}:
            return j
        return None

    def _leave_out_favourites(self, words: str) -> None:
        left_out = list(self.vocab.own_artists[: self.config.favourites_left_out])
        if not left_out:
            self.understood.append((words, "leave out your favourites (no history to know them)"))
            return
        self.excluded_artists.extend(a for a in left_out if a not in self.excluded_artists)
        if "exclude_artists" not in self.set_fields:
            self.set_fields.append("exclude_artists")
        self.title_familiar = "no favourites"
        shown = ", ".join(left_out[:3]) + (" …" if len(left_out) > 3 else "")
        self.understood.append(
            (words, f"leave out your {len(left_out)} most played artists ({shown})")
        )

    def _absorb(self, j: int) -> str:
        """Words like "from my favourite artists" after token ``j`` (taken), as text."""
        s = self.s
        for tail in (
            ("from", "my", "favourites"), ("from", "my", "favorites"), ("of", "my", "favourites"),
            ("of", "my", "favorites"), ("by", "my", "favourites"), ("by", "my", "favorites"),
            ("from", "my", "favourite", "artists"), ("from", "my", "favorite", "artists"),
            ("by", "my", "favourite", "artists"), ("by", "my", "favorite", "artists"),
            ("from", "favourites"), ("from", "favorites"), ("from", "my", "faves"),
        ):  # fmt: skip
            if s.at(j, tail):
                return " " + s.take(j, len(tail))
        return ""

    def length(self) -> None:
        s = self.s
        t = s.t
        for i in range(len(t)):
            if not s.free(i):
                continue
            # "an hour and a half", "half an hour", "hour and a half"
            if s.at(i, ("half", "an", "hour")) or s.at(i, ("half", "a", "hour")):
                self._minutes(30, s.take(i, 3))
                continue
            if t[i] in ("hour", "hours") and s.at(i, (t[i], "and", "a", "half")):
                lead = (
                    i - 1 if i > 0 and s.free(i - 1) and t[i - 1] in ("an", "a", "1", "one") else i
                )
                words = s.take(lead, i - lead + 4)
                self._minutes(90, words)
                continue
            n = _number(t[i])
            if n is None or n <= 0 or i + 1 >= len(t) or not s.free(i + 1):
                continue
            unit = t[i + 1]
            if unit in _MINUTE_UNITS:
                minutes = n * _MINUTE_UNITS[unit]
                if 5 <= minutes <= 600:
                    self._minutes(round(minutes), s.take(i, 2))
            elif unit in _TRACK_UNITS and t[i] not in ("a", "an") and 1 <= n <= 200:
                self.put("k", int(n), s.take(i, 2), f"{int(n)} tracks")

    def _minutes(self, minutes: int, words: str) -> None:
        self.put("length_minutes", minutes, words, f"about {minutes} minutes")

    def arc(self) -> None:
        s = self.s
        phrases = sorted(_ARC_WORDS, key=len, reverse=True)
        for i in range(len(s.t)):
            for p in phrases:
                if s.at(i, p):
                    arc = _ARC_WORDS[p]
                    lead = s.before(i, {"then", "and", "with"})
                    words = (s.take(lead) + " " if lead is not None else "") + s.take(i, len(p))
                    said = {
                        "rise": "energy arc: rising",
                        "fall": "energy arc: winding down",
                        "peak": "energy arc: warm-up → peak → cool-down",
                        "steady": "energy arc: steady",
                    }[arc]
                    self.put("arc", arc, words, said)
                    break

    def exclusions(self) -> None:
        s = self.s
        t = s.t
        i = 0
        while i < len(t):
            if not (s.free(i) and t[i] in _EXCLUDERS):
                i += 1
                continue
            j = i + 1
            if j < len(t) and t[j] in ("more",):
                j += 1
            found: list[tuple[int, int, str]] = []
            while j < len(t):
                if t[j] in ("or", "and", "nor") and found:
                    j += 1
                    continue
                hit = self._genre_at(j) if s.free(j) else None
                if hit is None and s.free(j) and t[j] == "explicit":
                    hit = (1, "explicit")
                if hit is None:
                    break
                found.append((j, hit[0], hit[1]))
                j += hit[0]
            if not found:
                i += 1
                continue
            words = [s.take(i)]
            for pos, n, name in found:
                words.append(s.take(pos, n))
                if name not in self.excluded:
                    self.excluded.append(name)
            names = [name for _, _, name in found]
            said = "leave out " + ", ".join(
                "explicit tracks" if n == "explicit" else n for n in names
            )
            if "explicit" in names and not self.vocab.has_explicit:
                said += " (this catalog has no explicit flag, so nothing is left out for it)"
            self.put("exclude_genres", None, " ".join(words), said)
            i = j

    def _genre_at(self, i: int) -> tuple[int, str] | None:
        """(token count, genre name) of the longest genre spelled from token ``i``."""
        s = self.s
        keys = self.vocab.genre_keys
        for n in (3, 2, 1):
            if not s.free(i, n):
                continue
            k = key("".join(s.t[i : i + n]))
            if k in keys:
                return n, keys[k]
        return None

    def eras(self) -> None:
        s = self.s
        t = s.t
        this_year = self.local.year
        spans: list[tuple[int, int, list[int]]] = []  # (from, to, token indices)
        for i in range(len(t)):
            if not s.free(i):
                continue
            dec = _decade(t[i])
            if dec is not None:
                lo, hi = dec, dec + 9
                idx = [i]
                if i > 0 and s.free(i - 1) and t[i - 1] in _ERA_PARTS:
                    a, b = _ERA_PARTS[t[i - 1]]
                    lo, hi = dec + a, dec + b
                    idx = [i - 1, i]
                spans.append((lo, hi, idx))
                continue
            y = _year(t[i], this_year)
            if y is None:
                continue
            if i + 1 < len(t) and t[i + 1] in {*_MINUTE_UNITS, *_TRACK_UNITS}:
                continue
            # ranges: "2010 to 2015", "2010-2015" (the hyphen is not a token), "2010 and 2015"
            if spans and spans[-1][2][-1] in (i - 1, i - 2) and len(spans[-1][2]) == 1:
                lo0, hi0, idx0 = spans[-1]
                if lo0 == hi0 and (idx0[-1] == i - 1 or t[i - 1] in ("to", "through", "till")):
                    spans[-1] = (min(lo0, y), max(lo0, y), [*idx0, *range(idx0[-1] + 1, i + 1)])
                    continue
            spans.append((y, y, [i]))
        for word, span in (
            ("oldies", (1950, 1979)),
            ("oldschool", (1970, 1999)),
            ("y2k", (1998, 2004)),
            ("recent", (this_year - 2, this_year)),
            ("latest", (this_year - 1, this_year)),
        ):
            for i in range(len(t)):
                if s.free(i) and t[i] == word:
                    spans.append((*span, [i]))
        for i in range(len(t) - 1):
            if s.at(i, ("old", "school")):
                spans.append((1970, 1999, [i, i + 1]))
            if s.at(i, ("this", "year")):
                spans.append((this_year, this_year, [i, i + 1]))
            if s.at(i, ("new", "releases")):
                spans.append((this_year - 1, this_year, [i, i + 1]))
        if not spans:
            return
        spans.sort(key=lambda x: x[2][0])
        lo = min(x[0] for x in spans)
        hi = max(x[1] for x in spans)
        words = " and ".join(" ".join(s.take(j) for j in x[2]) for x in spans)
        self.title_era = " & ".join(
            era_label((x[0], x[1])) if x[0] != x[1] or len(x[2]) == 1 else f"{x[0]}-{x[1]}"
            for x in spans
        )
        self.put("era", (lo, hi), words, f"released {lo}-{hi}" if lo != hi else f"released in {lo}")

    def times(self) -> None:
        s = self.s
        t = s.t
        local = self.local
        weekday: tuple[int, str] | None = None
        hour: tuple[int, str] | None = None
        for i in range(len(t)):
            if s.at(i, ("right", "now")) or s.at(i, ("now",)):
                n = 2 if t[i] == "right" else 1
                w = s.take(i, n)
                weekday, hour = (local.weekday(), w), (local.hour, w)
            elif s.at(i, ("tonight",)):
                w = s.take(i)
                weekday, hour = (local.weekday(), w), (21, w)
            elif s.at(i, ("today",)):
                weekday = (local.weekday(), s.take(i))
            elif s.at(i, ("tomorrow",)):
                weekday = ((local.weekday() + 1) % 7, s.take(i))
            elif s.free(i) and t[i] in _WEEKDAYS:
                weekday = (_WEEKDAYS[t[i]], s.take(i))
            elif s.free(i) and (h := _hour_token(t[i])) is not None:
                hour = (h, s.take(i))
            elif s.free(i) and i + 1 < len(t) and t[i + 1] in ("am", "pm") and t[i].isdigit():
                h = _hour_token(t[i] + t[i + 1])
                if h is not None:
                    hour = (h, s.take(i, 2))
        phrases = sorted(DAYPARTS, key=len, reverse=True)
        for i in range(len(t)):
            for p in phrases:
                if s.at(i, p):
                    hour = (DAYPARTS[p], s.take(i, len(p)))
                    break
        if weekday is None and hour is None:
            return
        if weekday is not None and hour is not None and weekday[1] != hour[1]:
            words = f"{weekday[1]} {hour[1]}"
        else:
            words = (weekday or hour)[1]  # type: ignore[index]
        parts = []
        if weekday is not None:
            self.values["weekday"] = weekday[0]
            self.set_fields.append("weekday")
            parts.append(WEEKDAY_NAMES[weekday[0]])
        if hour is not None:
            self.values["hour"] = hour[0]
            self.set_fields.append("hour")
            parts.append(f"{hour[0]:02d}:00")
        self.understood.append((words, " ".join(parts)))
        name = _WEEKDAY_FULL[weekday[0]] if weekday is not None else ""
        self.title_time = " ".join(x for x in (name, _daypart_name(hour[0]) if hour else "") if x)

    def artists_triggered(self) -> None:
        s = self.s
        t = s.t
        for i in range(len(t)):
            for p in sorted(_ARTIST_BEFORE, key=len, reverse=True):
                if s.at(i, p) and i + len(p) < len(t):
                    start = i + len(p)
                    hit = self._artist_span(start, fuzzy=True)
                    if hit:
                        n, name, own = hit
                        words = s.take(i, len(p)) + " " + s.take(start, n)
                        self._seed(name, own, words)
                        break
        for i in range(1, len(t)):
            if s.free(i) and t[i] in _ARTIST_AFTER:
                for n in range(min(self.config.max_artist_words, i), 0, -1):
                    if not s.free(i - n, n):
                        continue
                    hit = self._artist_match(t[i - n : i], fuzzy=True)
                    if hit:
                        words = s.take(i - n, n) + " " + s.take(i)
                        self._seed(hit[0], hit[1], words)
                        break

    def _artist_span(self, start: int, fuzzy: bool) -> tuple[int, str, bool] | None:
        s = self.s
        for n in range(min(self.config.max_artist_words, len(s.t) - start), 0, -1):
            if not s.free(start, n):
                continue
            hit = self._artist_match(s.t[start : start + n], fuzzy)
            if hit:
                return n, hit[0], hit[1]
        return None

    def _artist_match(self, words: Sequence[str], fuzzy: bool) -> tuple[str, bool] | None:
        """(artist name, is one of the person's) for these words: exact key, then fuzzy."""
        k = key("".join(words))
        if len(k) < 2:
            return None
        vocab = self.vocab
        if k in vocab.own_keys:
            return vocab.own_keys[k], True
        if k in vocab.catalog_keys:
            return vocab.catalog_keys[k], False
        if k.startswith("the") and k[3:] in vocab.own_keys:
            return vocab.own_keys[k[3:]], True
        if not fuzzy or len(k) < 4:
            return None
        cutoff = self.config.artist_cutoff
        for keys, names, own in (
            (vocab._own_key_list, vocab.own_keys, True),
            (vocab._catalog_key_list, vocab.catalog_keys, False),
        ):
            if keys:
                best = process.extractOne(k, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
                if best:
                    return names[best[0]], own
        return None

    def _seed(self, name: str, own: bool, words: str) -> None:
        if name not in self.seed_names:
            self.seed_names.append(name)
        self.named_seeds.append(name)
        where = "one of your artists" if own else "from the catalog"
        self.understood.append((words, f"seed artist {name} ({where})"))

    def activities(self) -> None:
        s = self.s
        t = s.t
        for i in range(len(t)):
            for p, act in ACTIVITY_PHRASES.items():
                if s.at(i, p):
                    self._activity(act, s.take(i, len(p)), " ".join(p))
        for i in range(len(t)):
            if s.free(i) and t[i] in ACTIVITY_WORDS:
                # "deep" alone is not an activity ("deep house", "deep cuts" are read before)
                if t[i] == "deep":
                    continue
                self._activity(ACTIVITY_WORDS[t[i]], s.take(i), t[i])

    def _activity(self, act: str, words: str, name: str) -> None:
        self.put("activity", act, words, f"activity {act}")
        self.title_activity = name

    def _degree(self, i: int) -> tuple[float, list[int]]:
        """Factor of the modifiers before token ``i`` (very / a bit) and their indices."""
        s = self.s
        t = s.t
        j = i - 1
        idx: list[int] = []
        factor = 1.0
        while j >= 0 and not s.used[j] and t[j] in _INTENSIFIERS | _SOFTENERS | _NEUTRAL:
            if t[j] in _INTENSIFIERS:
                factor = self.config.intensify
            elif t[j] in _SOFTENERS:
                factor = self.config.soften
            idx.insert(0, j)
            j -= 1
        if all(t[k] in ("a", "of") for k in idx):  # "too" alone still joins "not too loud"
            return 1.0, []
        return factor, idx

    def comparatives(self) -> None:
        s = self.s
        t = s.t
        cfg = self.config
        for i in range(len(t)):
            if not s.free(i):
                continue
            direction: tuple[int, int] | None = None
            n = 1
            if t[i] in COMPARATIVES:
                direction = COMPARATIVES[t[i]]
            elif t[i] in _MORE and i + 1 < len(t) and s.free(i + 1):
                sign = _MORE[t[i]]
                nxt = t[i + 1]
                target = MOOD_WORDS.get(nxt)
                if nxt in ("energy", "energetic", "intense", "intensity", "upbeat", "hype"):
                    target = target or (None, 0.9)
                if nxt in ("valence", "positive", "positivity"):
                    target = (0.9, None)
                if target is not None:
                    tv, te = target
                    if tv is not None and te is not None:  # the word's defining dimension
                        tv, te = (tv, None) if abs(tv - 0.5) >= abs(te - 0.5) else (None, te)
                    dv = 0 if tv is None else (1 if tv > 0.5 else -1)
                    de = 0 if te is None else (1 if te > 0.5 else -1)
                    direction = (sign * dv, sign * de)
                    n = 2
            if direction is None or direction == (0, 0):
                continue
            step = cfg.step
            lead: list[int] = []
            j = i - 1
            while j >= 0 and not s.used[j] and t[j] in _SOFTENERS | _STRENGTHENERS | {"a"}:
                if t[j] in _SOFTENERS:
                    step = cfg.small_step
                elif t[j] in _STRENGTHENERS:
                    step = cfg.big_step
                lead.insert(0, j)
                j -= 1
            if lead and all(t[k] == "a" for k in lead):
                lead = []
            words = " ".join([*(s.take(k) for k in lead), s.take(i, n)])
            self.shifts.append((direction[0], direction[1], step, words))

    def read_moods(self) -> None:
        s = self.s
        t = s.t
        for i in range(len(t)):
            for p, target in MOOD_PHRASES.items():
                if s.at(i, p):
                    self._mood(i, len(p), target)
        for i in range(len(t)):
            if s.free(i) and t[i] in MOOD_WORDS:
                self._mood(i, 1, MOOD_WORDS[t[i]])

    def _mood(self, i: int, n: int, target: tuple[float | None, float | None]) -> None:
        s = self.s
        cfg = self.config
        factor, mods = self._degree(i)
        neg = s.before(mods[0] if mods else i, _NEGATORS)
        v, e = target

        def move(x: float | None) -> float | None:
            if x is None:
                return None
            d = (x - 0.5) * factor
            if neg is not None:
                d = -d * cfg.negation
            return _clip(0.5 + d)

        if neg is not None and v is not None and e is not None:
            if abs(v - 0.5) >= abs(e - 0.5):
                e = None
            else:
                v = None
        v, e = move(v), move(e)
        idx = ([neg] if neg is not None else []) + mods
        words = " ".join([*(s.take(k) for k in idx), s.take(i, n)])
        self.moods.append((v, e))
        if neg is None:
            self.mood_names.append(" ".join(s.t[i : i + n]))
        said = ", ".join(
            f"{name} {_fmt(x)}" for name, x in (("valence", v), ("energy", e)) if x is not None
        )
        self.understood.append((words, said))

    def read_genres(self) -> None:
        s = self.s
        t = s.t
        vocab = self.vocab
        for i in range(len(t)):
            hit = self._genre_at(i) if s.free(i) else None
            if hit is None and s.free(i) and _may_be_typo(t[i]) and vocab._fuzzy_genre_keys:
                limit = 1 if len(t[i]) <= 6 else 2
                best = process.extractOne(
                    key(t[i]), vocab._fuzzy_genre_keys, scorer=OSA.distance, score_cutoff=limit
                )
                if best:
                    hit = (1, vocab.genre_keys[best[0]])
            if hit is None or (i > 0 and t[i - 1] in _DETERMINERS):
                continue  # "cleaning the house" is not house music
            n, name = hit
            words = s.take(i, n)
            if name not in self.genres:
                self.genres.append(name)
            self.understood.append((words, f"genre {name}"))

    def artists_bare(self) -> None:
        """Leftover words that spell one of the person's artists (or a catalog artist)."""
        s = self.s
        t = s.t
        i = 0
        while i < len(t):
            hit = None
            for n in range(min(self.config.max_artist_words, len(t) - i), 0, -1):
                if not s.free(i, n):
                    continue
                words = t[i : i + n]
                if n == 1 and (words[0] in _STOPWORDS or len(words[0]) < 3):
                    continue
                hit = self._artist_match(words, fuzzy=False)
                if hit:
                    self._seed(hit[0], hit[1], s.take(i, n))
                    i += n
                    break
            if not hit:
                i += 1

    def sentiment(self) -> None:
        """Other words VADER knows: a small valence nudge each ("lovely", "gloomy")."""
        s = self.s
        lex = _lexicon()
        for i, tok in enumerate(s.t):
            if s.used[i] or tok in _STOPWORDS or tok in _NEGATORS or tok not in lex:
                continue
            neg = s.before(i, _NEGATORS)
            score = lex[tok] * (-self.config.negation if neg is not None else 1.0)
            v = _clip(0.5 + self.config.sentiment_scale * score)
            words = " ".join([*([s.take(neg)] if neg is not None else []), s.take(i)])
            self.moods.append((v, None))
            self.understood.append((words, f"valence {_fmt(v)} (word sentiment)"))

    # -- result ------------------------------------------------------------------------------
    def request(self) -> PromptRequest:
        cur = self.current
        values = dict(self.values)
        vs = [v for v, _ in self.moods if v is not None]
        es = [e for _, e in self.moods if e is not None]
        valence = round(sum(vs) / len(vs), 2) if vs else cur.valence
        energy = round(sum(es) / len(es), 2) if es else cur.energy
        if vs:
            self.set_fields.append("valence")
        if es:
            self.set_fields.append("energy")
        for dv, de, step, words in self.shifts:
            said = []
            if dv:
                valence = _clip((0.5 if valence is None else valence) + dv * step)
                said.append(f"valence {'+' if dv > 0 else '−'}{step:.2f} → {_fmt(valence)}")
                self.set_fields.append("valence")
            if de:
                energy = _clip((0.5 if energy is None else energy) + de * step)
                said.append(f"energy {'+' if de > 0 else '−'}{step:.2f} → {_fmt(energy)}")
                self.set_fields.append("energy")
            self.understood.append((words, ", ".join(said)))
        genres = tuple(g for g in self.genres if g not in self.excluded)
        fields = dataclasses.asdict(cur)
        fields.update(
            valence=valence,
            energy=energy,
            era=values.get("era", cur.era),
            genres=genres if genres else cur.genres,
            exclude_genres=tuple(self.excluded) if self.excluded else cur.exclude_genres,
            seeds=tuple(self.seed_names) if self.seed_names else cur.seeds,
            exclude_artists=(
                tuple(self.excluded_artists) if self.excluded_artists else cur.exclude_artists
            ),
        )
        for name in ("activity", "hour", "weekday", "novelty", "not_played_days",
                     "length_minutes", "k", "arc"):  # fmt: skip
            if name in values:
                fields[name] = values[name]
        if genres:
            self.set_fields.append("genres")
        if self.seed_names:
            self.set_fields.append("seeds")
        if "length_minutes" in values and "k" not in values:
            fields["k"] = None
        if "k" in values and "length_minutes" not in values:
            fields["length_minutes"] = None
        fields["genres"] = tuple(fields["genres"])
        fields["exclude_genres"] = tuple(fields["exclude_genres"])
        fields["seeds"] = tuple(fields["seeds"])
        fields["exclude_artists"] = tuple(fields["exclude_artists"])
        if fields["era"] is not None:
            fields["era"] = tuple(fields["era"])
        return PromptRequest(**fields)


def _title(st: _State, req: PromptRequest) -> str:
    """Daylist style: "mellow indie sunday morning", from the slots that won."""
    parts: list[str] = []
    if st.mood_names:
        parts.extend(st.mood_names[:2])
    elif st.shifts:
        parts.append(" ".join(w for w in st.shifts[0][3].split() if w not in _SOFTENERS | {"a"}))
    parts.extend(st.genres[:2])
    if st.title_era:
        parts.append(st.title_era)
    if st.title_familiar:
        parts.append(st.title_familiar)
    if st.named_seeds and not st.genres:
        parts.append(st.named_seeds[0])
    if st.title_activity:
        parts.append(st.title_activity)
    if st.title_time:
        parts.append(st.title_time)
    if not parts and st.excluded:
        parts.append("no " + " no ".join(st.excluded[:2]))
    title = " ".join(fold(p) for p in parts if p).strip()
    return title[:80] if title else "your mix"


def _feel(st: _State, req: PromptRequest) -> list[str]:
    out = []
    if req.valence is not None and "valence" in st.set_fields:
        v = req.valence
        out.append("happy" if v >= 0.65 else "sad" if v <= 0.35 else "even-tempered")
    if req.energy is not None and "energy" in st.set_fields:
        e = req.energy
        out.append("intense" if e >= 0.7 else "calm" if e <= 0.35 else "medium-energy")
    return out


def _description(st: _State, req: PromptRequest, unknown: tuple[str, ...], text: str) -> str:
    """One line saying what the list will be: "45 minutes of sad, calm tracks for the night"."""
    if not st.understood:
        if not text.strip():
            return "No prompt: the settings are as they were."
        return "Nothing in the prompt was understood, so the settings are as they were."
    what = ", ".join([*_feel(st, req), *st.genres])
    noun = f"{what} tracks" if what else "tracks"
    if "length_minutes" in st.set_fields:
        head = f"about {req.length_minutes} minutes of {noun}"
    elif "k" in st.set_fields:
        head = f"{req.k} {noun}"
    else:
        head = noun
    tail: list[str] = []
    if st.title_era and req.era:
        lo, hi = req.era
        tail.append(f"from {lo}-{hi}" if lo != hi else f"from {lo}")
    if st.seed_names:
        tail.append("around " + ", ".join(st.seed_names[:3]))
    if st.title_activity:
        tail.append(f"for {st.title_activity}")
    if st.title_time:
        tail.append(
            f"on a {st.title_time}" if "weekday" in st.set_fields else f"for the {st.title_time}"
        )
    extra: list[str] = []
    if st.excluded:
        names = ["explicit tracks" if g == "explicit" else g for g in st.excluded]
        extra.append("no " + ", no ".join(names))
    if "novelty" in st.set_fields and req.novelty is not None:
        n = req.novelty
        extra.append(
            "only tracks new to you" if n >= 1 else "mostly new to you" if n >= 0.7
            else "mostly familiar" if n <= 0.3 else "known and new mixed"
        )  # fmt: skip
    if "not_played_days" in st.set_fields:
        extra.append(f"nothing played in the last {req.not_played_days} days")
    if "exclude_artists" in st.set_fields and req.exclude_artists:
        extra.append(f"nothing by your {len(req.exclude_artists)} most played artists")
    if "arc" in st.set_fields and req.arc:
        extra.append(
            {"rise": "energy rising", "fall": "winding down", "peak": "warm-up, peak, cool-down",
             "steady": "steady energy"}[req.arc]
        )  # fmt: skip
    line = " ".join([head, *tail])
    if extra:
        line += "; " + "; ".join(extra)
    line = line[0].upper() + line[1:] + "."
    if unknown:
        line += f" Not understood: {', '.join(unknown[:6])}."
    return line


def current_from(values: dict) -> PromptRequest:
    """A :class:`PromptRequest` from a JSON-like dict (unknown keys ignored, bad values dropped)."""
    fields = {f.name for f in dataclasses.fields(PromptRequest)}
    clean: dict = {}
    for k, v in (values or {}).items():
        if k not in fields or v is None:
            continue
        if k in ("genres", "exclude_genres", "exclude_artists", "seeds"):
            clean[k] = tuple(str(x) for x in v)
        elif k == "era":
            clean[k] = (int(v[0]), int(v[1]))
        elif k in ("valence", "energy", "novelty"):
            clean[k] = float(v)
        elif k in ("hour", "weekday", "not_played_days", "length_minutes", "k"):
            clean[k] = int(v)
        else:
            clean[k] = str(v)
    return PromptRequest(**clean)


def without(reading: Reading, field_name: str) -> PromptRequest:
    """The reading's request with one setting removed (a chip taken off)."""
    empty = {"genres": (), "exclude_genres": (), "exclude_artists": (), "seeds": ()}.get(field_name)
    return dataclasses.replace(reading.request, **{field_name: empty})


def remove_words(text: str, words: str) -> str:
    """``text`` without the words of one understood entry (a chip taken off), as the prompt
    to read again: "sad rainy night, no rap" minus "no rap" -> "sad rainy night".

    Each word of ``words`` removes its first occurrence after the previous one; the rest
    of the prompt keeps its order (folded, without punctuation).
    """
    tokens = _tokens(text)
    start = 0
    for w in words.split():
        try:
            j = tokens.index(w, start)
        except ValueError:
            continue
        del tokens[j]
        start = j
    return " ".join(tokens)
