"""Genre -> sound (musicrec.sound_genre): label sets with known sounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec import sound
from musicrec.genres import ARTIST_KEY, EVIDENCE_KIND, EVIDENCE_WEIGHT, LABEL, GenreConfig
from musicrec.sound_genre import GenreSoundModel

# Five kinds of artist, ten of each, four tracks apiece. "rap" and "latin" alone are middling
# in valence, but the artists carrying both are the happiest: a combination, not a sum.
KINDS = {
    "pop": (("pop",), 0.85, 0.70),
    "metal": (("metalcore", "melodic metalcore"), 0.20, 0.95),
    "rap": (("rap",), 0.40, 0.60),
    "latin": (("latin",), 0.55, 0.55),
    "latin rap": (("rap", "latin"), 0.90, 0.80),
}


def catalog() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for kind, (labels, valence, energy) in KINDS.items():
        for a in range(10):
            for t in range(4):
                rows.append(
                    (f"{kind}-{a}-{t}", f"Song {t}", f"{kind.title()} Band {a}",
                     ", ".join(labels) + ", ",  # a list about the artist (", "-joined)
                     valence + rng.normal(0, 0.03), energy + rng.normal(0, 0.03))
                )  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=[S.TRACK_ID, S.TRACK, S.ARTISTS, S.TAGS, S.VALENCE, S.ENERGY]
    )
    frame[S.GENRE] = ""
    for f in S.AUDIO_FEATURES:
        if f not in frame:
            frame[f] = 0.5
    return frame


def evidence(artist: str, *labels: str) -> pd.DataFrame:
    """MusicBrainz-style artist evidence for an uncatalogued artist."""
    return pd.DataFrame(
        {ARTIST_KEY: [artist] * len(labels), LABEL: list(labels),
         EVIDENCE_WEIGHT: [1.0] * len(labels), EVIDENCE_KIND: ["artist"] * len(labels)}
    )  # fmt: skip


GENRES = GenreConfig(min_label_artists=1)


def model(genre_model: str = sound.GENRE_RIDGE_KNN, extra: pd.DataFrame | None = None):
    cfg = sound.SoundConfig(genre_model=genre_model, genres=GENRES)
    return sound.SoundModel(cfg).fit(catalog(), evidence=extra)


@pytest.mark.parametrize(
    ("labels", "valence", "energy"),
    [
        (("pop",), 0.85, 0.70),
        (("metalcore",), 0.20, 0.95),
        # a label no catalog artist carries, sharing a word with one they do
        (("swedish metalcore",), 0.20, 0.95),
    ],
)
def test_an_uncatalogued_artist_sounds_like_its_label_set(labels, valence, energy):
    est = model(extra=evidence("newcomer", *labels)).genre_estimate(["newcomer"]).iloc[0]
    assert est[S.VALENCE] == pytest.approx(valence, abs=0.1)
    assert est[S.ENERGY] == pytest.approx(energy, abs=0.1)


def test_label_combinations_beat_label_means():
    """Rap + latin artists are happier than either label alone: the label-mean model averages
    the labels' means and misses it; the label-set model reads the combination."""
    ev = evidence("newcomer", "rap", "latin")
    truth = KINDS["latin rap"][1]
    means = model(sound.GENRE_LABEL_MEANS, ev).genre_estimate(["newcomer"]).iloc[0]
    sets = model(sound.GENRE_RIDGE_KNN, ev).genre_estimate(["newcomer"]).iloc[0]
    assert abs(sets[S.VALENCE] - truth) < abs(means[S.VALENCE] - truth) - 0.05
    assert sets[S.VALENCE] > max(KINDS["rap"][1], KINDS["latin"][1]) + 0.1


def test_no_known_label_no_guess():
    est = model(extra=evidence("newcomer", "polka")).genre_estimate(["newcomer", "nobody"])
    assert est.isna().all(axis=None)


def test_estimates_stay_in_the_range_of_catalog_artists():
    m = model(extra=evidence("newcomer", "pop", "pop rock", "dance pop", "happy pop"))
    est = m.genre_estimate(["newcomer"])
    assert ((est >= 0) & (est <= 1)).all(axis=None)


def test_no_labelled_artist_gives_no_estimates():
    cat = catalog().assign(**{S.TAGS: ""})
    reg = GenreSoundModel()
    m = sound.SoundModel(sound.SoundConfig(genres=GENRES)).fit(cat, evidence=evidence("x", "pop"))
    assert m.genre_estimate(["x"]).isna().all(axis=None)
    assert (
        len(reg.fit(evidence("x", "pop").iloc[:0], pd.DataFrame(), pd.DataFrame()).vocabulary_) == 0
    )
