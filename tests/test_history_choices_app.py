"""AppTest of the person's corrections on Your data: shows set apart and moved back, a zone per period.

Both are generated exports with a known answer: an old account export mixing a show into
music, and an extended history of a person who moved from Mexico City to Madrid.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def _isolated(app_isolated):
    st.cache_resource.clear()


def _old_export() -> bytes:
    """StreamingHistory0.json from before Spotify split podcasts off: 30 plays of 3 bands
    (4 min each) and 8 plays of "Morning Table", a show (8 distinct 45-minute episodes)."""
    t0 = pd.Timestamp("2021-03-01 07:00")
    recs = [
        {"endTime": f"{t0 + pd.Timedelta(hours=i):%Y-%m-%d %H:%M}", "artistName": f"Band {i % 3}",
         "trackName": f"Song {i % 10}", "msPlayed": 240_000}
        for i in range(30)
    ] + [
        {"endTime": f"{t0 + pd.Timedelta(days=2, hours=i):%Y-%m-%d %H:%M}",
         "artistName": "Morning Table", "trackName": f"Monday {i}: the week", "msPlayed": 2_700_000}
        for i in range(8)
    ]  # fmt: skip
    return json.dumps(recs).encode()


def _load(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("pages/your_data.py").run()
    at.file_uploader(key="history_files").upload(name, data, "application/json")
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, at.exception
    return at


def _fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def _taste_plays(at: AppTest) -> int:
    at.switch_page("pages/taste.py").run()
    assert not at.exception, at.exception
    return int(at.metric[0].value.replace(",", ""))


def _home_says(at: AppTest) -> str:
    at.switch_page("pages/home.py").run()
    return next(s.value for s in at.success if s.value.startswith("Your upload"))


def test_a_show_found_in_an_old_export_moves_back_to_music_and_stays_moved_after_a_refresh():
    at = _load(_fresh(), "StreamingHistory0.json", _old_export())
    shows = next(d.value for d in at.dataframe if "show or artist" in d.value.columns)
    assert shows["show or artist"].tolist() == ["Morning Table"]
    assert shows["plays"].tolist() == [8] and shows["hours played"].tolist() == [6.0]
    assert shows["counted as"].tolist() == ["podcast"]
    assert any(c.value.startswith("1 artist is counted as a podcast or audiobook show: 8 plays, "
                                  "6.0 hours kept out") for c in at.caption)  # fmt: skip
    assert _taste_plays(at) == 30
    assert _home_says(at).startswith("Your upload: 30 plays")
    at.switch_page("pages/your_data.py").run()
    at.selectbox(key="pod_back_pick").set_value("Morning Table").run()
    at.button(key="pod_back").click().run()
    assert not at.exception, at.exception
    shows = next(d.value for d in at.dataframe if "show or artist" in d.value.columns)
    assert shows["counted as"].tolist() == ["music"]
    assert _taste_plays(at) == 38  # every page counts the show's plays as music now
    assert _home_says(at).startswith("Your upload: 38 plays")
    for page in ("pages/mood.py", "pages/playlist.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert "Morning Table" in set(at.session_state["workspace"].plays["artist"])  # engines learn it
    # a refresh (new session) and a restart (caches emptied) keep the choice with the data
    st.cache_resource.clear()
    again = _fresh()
    assert _taste_plays(again) == 38


def test_any_music_artist_can_be_set_apart_as_a_show():
    at = _load(_fresh(), "StreamingHistory0.json", _old_export())
    at.selectbox(key="pod_out_pick").set_value("Band 0").run()
    at.button(key="pod_out").click().run()
    assert not at.exception, at.exception
    shows = next(d.value for d in at.dataframe if "show or artist" in d.value.columns)
    row = shows[shows["show or artist"] == "Band 0"].iloc[0]
    assert (row["plays"], row["why"], row["counted as"]) == (10, "you set it apart", "podcast")
    assert _taste_plays(at) == 20
    at.switch_page("pages/your_data.py").run()
    assert "Band 0" not in at.selectbox(key="pod_out_pick").options


def _mover_export() -> bytes:
    """Extended history: every play at 20:15 on the person's own wall clock, in Mexico City
    (MX) from 2019-03 to 2020-08, then in Madrid (ES)."""
    recs = []
    for i, day in enumerate(pd.date_range("2019-03-01", "2021-06-30", freq="7D")):
        zone, country = (
            ("America/Mexico_City", "MX")
            if day < pd.Timestamp("2020-09-01")
            else ("Europe/Madrid", "ES")
        )
        ts = (day + pd.Timedelta(hours=20, minutes=15)).tz_localize(zone).tz_convert("UTC")
        recs.append({"ts": f"{ts:%Y-%m-%dT%H:%M:%SZ}", "ms_played": 200_000, "conn_country": country,
                     "master_metadata_track_name": f"Song {i % 7}",
                     "master_metadata_album_artist_name": f"Band {i % 3}",
                     "master_metadata_album_album_name": "Album",
                     "spotify_track_uri": f"spotify:track:{i % 7:022d}", "reason_end": "trackdone"})  # fmt: skip
    return json.dumps(recs).encode()


def _clock_hours(at: AppTest) -> set[int]:
    """The hours of day with plays on the Taste page's listening clock."""
    import base64

    import numpy as np

    at.switch_page("pages/taste.py").run()
    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Listening clock"
    )
    z = spec["data"][0]["z"]
    if isinstance(z, dict):
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(7, 24)
    grid = np.asarray(z, dtype=float)
    return {h for h in range(24) if np.nansum(grid[:, h]) > 0}


def test_a_person_who_moved_reads_each_period_in_its_own_zone():
    at = _fresh()
    at.switch_page("pages/your_data.py").run()
    at.selectbox(key="tz_your_data_UTC").set_value("Europe/Madrid").run()
    _load(at, "Streaming_History_Audio_2019-2021.json", _mover_export())
    offer = [t.value for t in at.text if "look like they were in" in t.value]
    assert offer == ["Your plays from 2019-03 to 2020-08 look like they were in America/Mexico_City "
                     "(79 plays streamed from Mexico, short ones and podcasts included) — use it for that period?"]  # fmt: skip
    assert _clock_hours(at) == {3, 4, 20}  # Mexico's evenings read in Madrid: the small hours
    at.switch_page("pages/your_data.py").run()
    at.button(key="zone_use_0").click().run()
    assert not at.exception, at.exception
    assert any("read in America/Mexico_City" in t.value for t in at.text)
    assert _clock_hours(at) == {20}  # every play at 20:15, as lived
    for page in ("pages/mood.py", "pages/playlist.py", "pages/home.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    st.cache_resource.clear()
    again = _fresh()  # kept with the data
    again.switch_page("pages/your_data.py").run()
    again.selectbox(key="tz_your_data_UTC").set_value("Europe/Madrid").run()
    assert _clock_hours(again) == {20}
