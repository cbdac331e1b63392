"""The rules for Spotify data inside a person's loaded data: merge an import, drop it on disconnect."""

from __future__ import annotations

import pandas as pd

from musicrec import schema as S
from musicrec.history import IngestResult
from musicrec.spotify_import import from_spotify, merge_import, without_spotify
from tests.test_spotify import login


def _plays(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(ts, track, source) rows as PLAYS."""
    base = S.empty_plays()
    frame = pd.DataFrame(
        {
            S.TS: pd.to_datetime([r[0] for r in rows], utc=True),
            S.TRACK: [r[1] for r in rows],
            S.ARTIST: "Artist",
            S.MS_PLAYED: 200_000,
            S.KIND: S.KIND_MUSIC,
            S.SOURCE: [r[2] for r in rows],
        }
    )
    for c in S.PLAYS_COLUMNS:
        if c not in frame.columns:
            frame[c] = pd.NA
    return frame[list(S.PLAYS_COLUMNS)].astype({c: base[c].dtype for c in S.PLAYS_COLUMNS})


EXPORT = _plays([("2024-01-01 10:00", "Old song", "StreamingHistory_music_0.json")])
API_A = _plays([("2024-06-01 10:00", "New song", "spotify-api:recently-played")])
API_B = _plays(
    [
        ("2024-06-01 10:00", "New song", "spotify-api:recently-played"),  # seen in the first import
        ("2024-06-02 10:00", "Newer song", "spotify-api:recently-played"),
    ]
)


def test_from_spotify_marks_only_api_rows():
    both = pd.concat([EXPORT, API_A], ignore_index=True)
    assert from_spotify(both).tolist() == [False, True]
    assert from_spotify(S.empty_plays()).tolist() == []


def test_an_import_adds_to_the_export_and_a_second_import_adds_only_what_is_new():
    first = merge_import(IngestResult(plays=EXPORT), API_A, S.empty_library())
    assert first.plays[S.TRACK].tolist() == ["Old song", "New song"]
    second = merge_import(first, API_B, S.empty_library())
    assert second.plays[S.TRACK].tolist() == ["Old song", "New song", "Newer song"]


def test_an_import_into_nothing_and_a_disconnect_keep_only_the_export():
    assert merge_import(None, API_A, S.empty_library()).plays[S.TRACK].tolist() == ["New song"]
    merged = merge_import(IngestResult(plays=EXPORT), API_B, S.empty_library())
    left = without_spotify(merged)
    assert left.plays[S.TRACK].tolist() == ["Old song"]
    assert without_spotify(None) is None


def test_a_play_both_in_the_export_and_the_import_is_kept_once_as_the_export_row():
    # merge_import is history.add_plays: one rule for each play once, whatever the source
    same = EXPORT.assign(**{S.SOURCE: "spotify-api:recently-played"})
    merged = merge_import(IngestResult(plays=EXPORT), pd.concat([same, API_A]), S.empty_library())
    assert merged.plays[S.TRACK].tolist() == ["Old song", "New song"]
    assert merged.duplicates == 1
    assert without_spotify(merged).plays[S.TRACK].tolist() == ["Old song"]  # the export's row


def test_importing_three_times_from_a_real_http_spotify_gives_the_same_data(
    fake, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # spotipy must not leave a token cache anywhere we look
    session = login(fake, "alice")
    once = merge_import(IngestResult(plays=EXPORT), *session.import_all())
    thrice = once
    for _ in range(2):
        thrice = merge_import(thrice, *session.import_all())
    assert len(once.plays) > 1 and len(once.library) > 0
    assert len(thrice.plays) == len(once.plays) and len(thrice.library) == len(once.library)
    left = without_spotify(thrice)
    assert left.plays[S.TRACK].tolist() == ["Old song"] and left.library.empty
