"""``musicrec taste``: the Taste page's figures in the terminal, on a generated export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musicrec.cli import main


def _export(folder: Path) -> Path:
    """40 songs on Mondays at 03:xx UTC, 5 plays of 10 s, 3 podcast episodes (known answers)."""
    songs = [
        {"endTime": f"2024-03-{4 + 7 * (i % 4):02d} 03:{i:02d}", "artistName": f"Artist {i % 3}",
         "trackName": f"Song {i % 8}", "msPlayed": 180_000}
        for i in range(40)
    ]  # fmt: skip
    short = [
        {"endTime": f"2024-03-05 12:0{i}", "artistName": "Artist 0", "trackName": "Skipped",
         "msPlayed": 10_000}
        for i in range(5)
    ]  # fmt: skip
    episodes = [
        {"endTime": f"2024-03-06 08:0{i}", "podcastName": "A Show", "episodeName": f"Ep {i}",
         "msPlayed": 1_800_000}
        for i in range(3)
    ]  # fmt: skip
    (folder / "StreamingHistory_music_0.json").write_text(json.dumps(songs + short))
    (folder / "StreamingHistory_podcast_0.json").write_text(json.dumps(episodes))
    return folder


def _taste(capsys, *args: str) -> dict:
    assert main(["taste", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_taste_json_has_the_documented_shape_and_the_known_counts(tmp_path, capsys):
    out = _taste(capsys, str(_export(tmp_path)))
    assert list(out) == ["plays", "hours", "set_apart", "top_artists", "top_tracks", "clock",
                         "timezone", "skip_rate"]  # fmt: skip
    assert out["plays"] == 40 and out["hours"] == pytest.approx(40 * 3 / 60)
    assert out["set_apart"]["podcast"] == 3 and out["set_apart"]["short"] == 5
    assert set(out["set_apart"]) == {"podcast", "short", "duplicate", "bad"}
    assert [a["artist"] for a in out["top_artists"]] == ["Artist 0", "Artist 1", "Artist 2"]
    assert out["top_artists"][0] == {"artist": "Artist 0", "plays": 14, "hours": 0.7}
    assert set(out["top_tracks"][0]) == {"track", "artist", "plays", "hours"}
    assert len(out["clock"]) == 7 and all(len(day) == 24 for day in out["clock"])
    assert out["clock"][0][3] == 40 and out["timezone"] == "UTC"


def test_taste_in_the_listeners_zone_and_period(tmp_path, capsys):
    folder = _export(tmp_path)
    out = _taste(capsys, str(folder), "--tz", "America/Mexico_City")
    assert out["clock"][6][21] == 40 and out["timezone"] == "America/Mexico_City"  # Sunday 21:xx
    # Mexico City days: the plays of Monday 4 March 03:xx UTC are on Sunday 3 March there
    assert _taste(capsys, str(folder), "--tz", "America/Mexico_City", "--from", "2024-03-03",
                  "--to", "2024-03-03")["plays"] == 10  # fmt: skip
    assert _taste(capsys, str(folder), "--from", "2024-03-03", "--to", "2024-03-03")["plays"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Mars/Olympus"], "not a time zone"),
        (["--from", "yesterday"], "not a date"),
        (["--from", "2024-03-10", "--to", "2024-03-01"], "is after"),
    ],
)
def test_taste_refuses_bad_arguments_in_one_line(tmp_path, capsys, args, message):
    assert main(["taste", str(_export(tmp_path)), *args, "--json"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
