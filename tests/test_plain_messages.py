"""Messages that carry untrusted text (file names, Spotify's words) show it literally, never as Markdown.

Streamlit renders ``st.error``/``st.warning`` bodies as Markdown: a file named
``**x**[a](javascript:1).json`` would show bold text and a link. ``shown`` reads a body as
CommonMark does for text without markup: a backslash before punctuation shows that
character; any other Markdown character is live syntax, so the body is not literal.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_rows

APP = str(Path(__file__).resolve().parents[1] / "app.py")
NAME = "**x**[a](javascript:1)"
LIVE = set("*_[]()<>`!#|~$:\\")  # what CommonMark or Streamlit's directives would act on


def shown(body: str) -> str | None:
    """The text a reader sees for ``body`` if it has no live Markdown syntax, else None."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] in string.punctuation:
            out.append(body[i + 1])
            i += 2
            continue
        if c in LIVE:
            return None
        out.append(c)
        i += 1
    return "".join(out)


def test_shown_tells_literal_text_from_markup():
    assert shown(r"\*\*x\*\* is fine") == "**x** is fine"
    assert shown("**x** is bold") is None
    assert shown("[a](javascript:1)") is None


@pytest.fixture()
def your_data(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICREC_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/your_data.py").run()
    assert not at.exception, at.exception
    return at


def _messages(at: AppTest) -> list[str]:
    return [e.value for e in (*at.error, *at.warning, *at.success, *at.info)]


def test_a_history_file_named_like_markdown_is_shown_literally_in_the_report(your_data):
    your_data.file_uploader(key="history_files").upload(
        f"{NAME}.json", b"hello", "application/json"
    )
    your_data.run()
    your_data.button(key="load_files").click().run()
    assert not your_data.exception, your_data.exception
    report = next(d.value for d in your_data.dataframe if "file" in d.value.columns)
    assert report["file"].tolist() == [f"{NAME}.json"]  # a table cell: never Markdown
    assert all(shown(m) is not None for m in _messages(your_data) if "x" in m)


def test_a_csv_named_like_markdown_is_shown_literally_by_the_mapping_form(your_data):
    your_data.file_uploader(key="map_file").upload(f"{NAME}.csv", b"a,b\n1,2\n", "text/csv")
    your_data.run()
    (error,) = [m for m in _messages(your_data) if "header row" in m]
    assert shown(error).startswith(f"{NAME}.csv has no header row")


def test_a_catalog_named_like_markdown_is_shown_literally_in_its_error(your_data):
    your_data.file_uploader(key="catalog_file").upload(f"{NAME}.csv", b"a,b\n1,2\n", "text/csv")
    your_data.run()
    your_data.button(key="use_catalog").click().run()
    assert not your_data.exception, your_data.exception
    (error,) = [m for m in _messages(your_data) if "x" in m and "catalog" in m.lower()]
    assert f"{NAME}.csv" in shown(error)


def test_spotifys_own_words_in_a_failed_import_are_shown_literally(fake, monkeypatch, tmp_path):
    from tests.test_spotify import _app_login

    for key, value in {
        "SPOTIPY_CLIENT_ID": "cid",
        "SPOTIPY_CLIENT_SECRET": "secret",
        "MUSICREC_SPOTIFY_ACCOUNTS_URL": fake.accounts_url,
        "MUSICREC_SPOTIFY_API_URL": fake.api_url,
        "MUSICREC_FEEDBACK_DB": str(tmp_path / "fb.sqlite3"),
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    at = _app_login(fake, "alice", monkeypatch)
    words = f"![p](http://127.0.0.1:9/pixel.png) {NAME}"
    fake.fail["/v1/me/player"] = (500, {}, {"error": {"status": 500, "message": words}})
    at.button(key="spotify_import").click().run()
    assert not at.exception, at.exception
    (error,) = [m for m in _messages(at) if "HTTP 500" in m]
    assert words in shown(error)


HOSTILE = ["![x](http://127.0.0.1:9/pixel.png)", "[link](javascript:alert(1))", ":red[colour] **bold**",
           "<img src=x onerror=alert(1)>", "$x^2$ and `code`"]  # fmt: skip


def test_titles_and_artists_from_an_upload_show_literally_on_the_builder(your_data):
    recs = [
        {"endTime": f"2024-03-{1 + i % 20:02d} {10 + i % 9}:{i % 60:02d}", "artistName": HOSTILE[(i + 1) % 5],
         "trackName": HOSTILE[i % 5], "msPlayed": 200_000}
        for i in range(60)
    ]  # fmt: skip
    your_data.file_uploader(key="history_files").upload(
        "StreamingHistory_music_0.json", json.dumps(recs).encode(), "application/json"
    )
    your_data.run()
    your_data.button(key="load_files").click().run()
    your_data.switch_page("pages/playlist.py").run()
    assert not your_data.exception, your_data.exception
    rows = app_rows.rows(your_data)
    assert rows, "the builder listed no track"
    # the list sends each text as it came; the browser sets it as text, never as HTML or
    # Markdown (tests/browser/test_track_list.py reads what a browser shows)
    assert {r["track"] for r in rows} | {r["artist"] for r in rows} <= set(HOSTILE)
    assert all(r["url"].startswith("https://open.spotify.com/search/") for r in rows)
