"""Data kept on a person's own machine: real Parquet files in a real folder, the served setting."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.history import FileReport, IngestResult
from musicrec.local_data import LocalData, data_dir, served
from tests.test_spotify_import import API_A, EXPORT


def test_history_round_trip_keeps_types_and_reports_and_never_the_spotify_rows(tmp_path):
    kept = LocalData(tmp_path)
    result = IngestResult(
        plays=pd.concat([EXPORT, API_A], ignore_index=True),
        reports=[FileReport("StreamingHistory_music_0.json", "account", 1, 1)],
    )
    kept.save_history(result)
    back = kept.load_history()
    assert back.plays[S.TRACK].tolist() == ["Old song"]  # the API row is not written
    assert dict(back.plays.dtypes) == dict(EXPORT.dtypes)
    assert back.reports == result.reports
    assert {p for p, _ in kept.listing()} == {
        "history/plays.parquet", "history/library.parquet", "history/reports.json",
        "history/load.json", "history/shows.parquet",
    }  # fmt: skip
    kept.forget()
    assert kept.load_history() is None and kept.listing() == []


def test_the_shows_found_and_the_persons_choices_are_kept_with_the_history(tmp_path):
    from musicrec.history import load_uploads

    titles = [*(f"Song {i}" for i in range(4)), "The Moonies Pt. 1: Moon", "House of Yahweh Pt. 1"]
    recs = [{"endTime": f"2022-05-0{d} 10:00", "artistName": "Cults", "trackName": t,
             "msPlayed": 1_300_000 if "Pt." in t else 200_000} for d, t in enumerate(titles, 1)]  # fmt: skip
    result = load_uploads([("StreamingHistory0.json", json.dumps(recs).encode())])
    kept = LocalData(tmp_path)
    kept.save_history(result)
    kept.save_choices(
        {"music_artists": ["Cults"], "zone_periods": [["2019-01-01", "2020-01-01", "Asia/Tokyo"]]}
    )
    back = kept.load_history()
    assert back.shows["artist"].tolist() == ["Cults"]
    assert set(back.shows["episodes"][0]) == {"The Moonies Pt. 1: Moon", "House of Yahweh Pt. 1"}
    pd.testing.assert_frame_equal(back.plays, result.plays)
    assert kept.load_choices() == {"music_artists": ["Cults"], "show_artists": [],
                                   "zone_periods": [["2019-01-01", "2020-01-01", "Asia/Tokyo"]]}  # fmt: skip
    (tmp_path / "history" / "choices.json").write_text(
        '{"music_artists": [1, "x"], "zone_periods": "no"}'
    )
    assert kept.load_choices() == {"music_artists": ["x"], "show_artists": [], "zone_periods": []}


def test_a_damaged_file_means_nothing_kept_not_a_crash(tmp_path):
    kept = LocalData(tmp_path)
    kept.save_history(IngestResult(plays=EXPORT))
    (tmp_path / "history" / "plays.parquet").write_bytes(b"not parquet")
    assert kept.load_history() is None


def test_catalog_choice_round_trip(tmp_path):
    kept = LocalData(tmp_path)
    assert kept.load_catalog() == (None, None, None)
    catalog = pd.DataFrame({S.TRACK_ID: ["a"], S.TRACK: ["Song"]}).astype("string")
    kept.save_catalog(catalog, "tiny.csv", None)
    back, name, community = kept.load_catalog()
    assert name == "tiny.csv" and community is None and back.equals(catalog)
    kept.save_catalog(None, None, None)
    assert kept.load_catalog() == (None, None, None)


@pytest.mark.parametrize(
    ("env", "secrets", "expected"),
    [
        (None, None, False),
        ("1", None, True),
        ("true", None, True),
        ("0", None, False),
        (None, {"musicrec": {"served": True}}, True),
        (None, {"musicrec": {"served": "false"}}, False),
        (None, {"other": {"served": True}}, False),
    ],
)
def test_served_setting(monkeypatch, env, secrets, expected):
    if env is None:
        monkeypatch.delenv("MUSICREC_SERVED", raising=False)
    else:
        monkeypatch.setenv("MUSICREC_SERVED", env)
    assert served(secrets) is expected


def test_the_data_dir_env_moves_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == tmp_path / "here"
    assert LocalData().root == tmp_path / "here"
