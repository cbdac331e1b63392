"""History ingestion: every format by content, bad input, counting rule, real exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musicrec import schema as S
from musicrec.config import CountingRule, IngestLimits
from musicrec.history import (
    apply_counting_rule,
    load_generic_csv,
    load_paths,
    load_report,
    load_uploads,
    move_artist,
)
from musicrec.history.load import add_plays, parse_mapping


def _json(obj: object) -> bytes:
    return json.dumps(obj).encode()


ACCOUNT = [
    {
        "endTime": "2024-01-01 08:00",
        "artistName": "Björk",
        "trackName": "Jóga",
        "msPlayed": 200_000,
    },
    {
        "endTime": "2024-01-01 08:04",
        "artistName": "Unknown Artist",
        "trackName": "Unknown Track",
        "msPlayed": 90_000,
    },
    {
        "endTime": "2024-01-01 08:05",
        "artistName": "Unknown Mortal Orchestra",
        "trackName": "Multi-Love",
        "msPlayed": 5_000,
    },
]
PODCAST = [
    {
        "endTime": "2024-01-02 09:00",
        "podcastName": "Show",
        "episodeName": "Ep 1",
        "msPlayed": 600_000,
    }
]
EXTENDED = [
    {
        "ts": "2024-02-01T10:00:00Z", "username": "secret-user", "platform": "iOS 13.3.1 (iPhone10,3)",
        "ms_played": 180_000, "conn_country": "SE", "ip_addr_decrypted": "10.0.0.1",
        "master_metadata_track_name": "Hyperballad", "master_metadata_album_artist_name": "Björk",
        "master_metadata_album_album_name": "Post", "spotify_track_uri": "spotify:track:1234567890123456789012",
        "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
        "reason_start": "clickrow", "reason_end": "trackdone", "shuffle": False, "skipped": None,
        "offline": False, "offline_timestamp": 1612345678901, "incognito_mode": False,
    },
    {
        "ts": "2024-02-01T11:00:00Z", "platform": "android", "ms_played": 1_000_000, "conn_country": "ZZ",
        "ip_addr": "10.0.0.2", "master_metadata_track_name": None, "master_metadata_album_artist_name": None,
        "master_metadata_album_album_name": None, "spotify_track_uri": None, "episode_name": "Episode 9",
        "episode_show_name": "A Podcast", "spotify_episode_uri": "spotify:episode:abc",
        "reason_start": "playbtn", "reason_end": "endplay", "shuffle": False, "skipped": False,
        "offline": False, "offline_timestamp": 1612345678, "incognito_mode": False,
    },
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "payload", "fmt", "records", "kinds"),
    [
        ("StreamingHistory0.json", _json(ACCOUNT), "spotify-account", 3, {"music"}),
        ("StreamingHistory_podcast_0.json", _json(PODCAST), "spotify-account", 1, {"podcast"}),
        ("whatever.json", _json(EXTENDED), "spotify-extended", 2, {"music", "podcast"}),
        (
            "Streaming_History_Video_2020.json",
            _json(EXTENDED[:1]),
            "spotify-extended",
            1,
            {"video"},
        ),
    ],
)
def test_json_formats_are_recognised_by_content(name, payload, fmt, records, kinds):
    result = load_uploads([(name, payload)])
    (report,) = result.reports
    assert (report.format, report.records, report.error) == (fmt, records, None)
    assert set(result.plays[S.KIND]) == kinds
    assert list(result.plays.columns) == list(S.PLAYS_COLUMNS)
    assert str(result.plays[S.TS].dtype) == "datetime64[ns, UTC]"


def test_extended_rows_are_normalised_and_personal_fields_dropped():
    plays = load_uploads([("x.json", _json(EXTENDED))]).plays
    music = plays[plays[S.KIND] == "music"].iloc[0]
    assert (music[S.ARTIST], music[S.TRACK], music[S.ALBUM]) == ("Björk", "Hyperballad", "Post")
    assert music[S.PLATFORM] == "ios" and music[S.COUNTRY] == "SE"
    assert pd.isna(music[S.SKIPPED])  # null means unknown, not False
    podcast = plays[plays[S.KIND] == "podcast"].iloc[0]
    assert (podcast[S.ARTIST], podcast[S.TRACK]) == ("A Podcast", "Episode 9")
    assert pd.isna(podcast[S.COUNTRY])  # "ZZ" is unknown
    text = plays.to_csv()
    assert "secret-user" not in text and "10.0.0" not in text


def test_account_end_time_is_utc_minute():
    plays = load_uploads([("a.json", _json(ACCOUNT))]).plays
    assert plays[S.TS].iloc[0] == pd.Timestamp("2024-01-01 08:00", tz="UTC")


def test_counting_rule_keeps_long_music_and_real_bands_named_unknown():
    plays = load_uploads([("a.json", _json(ACCOUNT)), ("p.json", _json(PODCAST))]).plays
    kept = apply_counting_rule(plays, CountingRule())
    assert list(kept[S.TRACK]) == ["Jóga"]
    short_ok = apply_counting_rule(plays, CountingRule(min_ms_played=0, include_podcasts=True))
    assert set(short_ok[S.ARTIST]) == {"Björk", "Unknown Mortal Orchestra", "Show"}


def test_overlapping_files_are_deduplicated():
    result = load_uploads([("a.json", _json(ACCOUNT)), ("b.json", _json(ACCOUNT + ACCOUNT[:1]))])
    assert len(result.plays) == 3
    assert sum(r.kept for r in result.reports) == 3


@pytest.mark.parametrize(
    ("platform", "token"),
    [
        ("iOS 13.3.1 (iPhone10,3)", "ios"),
        ("Android OS 9 API 28 (samsung, SM-G960F)", "android"),
        ("Windows 10 (10.0.19041; x64)", "windows"),
        ("OS X 10.15.7 [x86 8]", "osx"),
        ("web_player linux ;chrome", "linux"),  # the first rule that matches wins
        ("Partner sonos_ppc Sonos;Play:1", "cast"),
        ("weird thing", "other"),
        ("", "other"),
        ("not_applicable", None),
        ("unknown", None),
        (None, None),
    ],
)
def test_extended_platform_becomes_a_coarse_token(platform, token):
    records = [{**EXTENDED[0], "platform": platform, "conn_country": None}]
    plays = load_uploads([("x.json", _json(records))]).plays
    assert (plays[S.PLATFORM].iloc[0] if token else None) == token
    assert pd.isna(plays[S.PLATFORM].iloc[0]) == (token is None)
    assert pd.isna(plays[S.COUNTRY].iloc[0])


def test_extended_fast_and_general_decoders_agree():
    """Records the typed decoder rejects (a text duration) take the general path, same result."""
    typed = [{**r, "ms_played": float(r["ms_played"]) + 0.5} for r in EXTENDED]
    general = [{**typed[0], "ms_played": "180000.5"}, typed[1]]
    a = load_uploads([("a.json", _json(typed))]).plays
    b = load_uploads([("a.json", _json(general))]).plays
    pd.testing.assert_frame_equal(a, b)
    assert list(a[S.MS_PLAYED]) == [180_000, 1_000_000]  # rounded half to even


def test_parallel_load_matches_serial_load(tmp_path, monkeypatch):
    from musicrec.history import parallel as history

    for i in range(6):
        (tmp_path / f"Streaming_History_Audio_{i}.json").write_bytes(_json(EXTENDED * (i + 1)))
    (tmp_path / "StreamingHistory0.json").write_bytes(_json(ACCOUNT))
    (tmp_path / "broken.json").write_bytes(b"[{")
    serial = load_paths([tmp_path])
    monkeypatch.setattr(history, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(history, "PARALLEL_MIN_BYTES", 0)
    parallel = load_paths([tmp_path])
    pd.testing.assert_frame_equal(serial.plays, parallel.plays)
    assert serial.reports == parallel.reports
    (bad,) = parallel.errors  # errors come back from worker processes intact
    assert "broken.json" in bad.error and "truncated" in bad.error


def test_a_missing_path_among_many_is_that_files_error(tmp_path, monkeypatch):
    from musicrec.history import parallel as history

    monkeypatch.setattr(history, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(history, "PARALLEL_MIN_BYTES", 0)
    names = [tmp_path / f"Streaming_History_Audio_{i}.json" for i in range(3)]
    for path in names[:2]:
        path.write_bytes(_json(EXTENDED))
    result = load_paths(names)  # the third was never written
    (missing,) = result.errors
    assert missing.path == str(names[2]) and "cannot be read" in missing.error
    assert len(result.plays) == len(EXTENDED)  # the two others loaded


play_row = st.tuples(
    st.integers(0, 5),  # ts: few values, so many plays share a timestamp
    st.one_of(st.none(), st.integers(0, 2)),
    st.sampled_from([None, "A", "B"]),
    st.sampled_from([None, "x", "y"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(play_row, max_size=12), min_size=1, max_size=4))
def test_property_dedupe_keeps_first_and_orders_by_ts(files):
    from musicrec.history import plays_table

    frames = []
    for f, rows in enumerate(files):
        frame = S.empty_plays().reindex(range(len(rows)))
        frame[S.TS] = pd.to_datetime([r[0] for r in rows], unit="s", utc=True).astype(
            "datetime64[ns, UTC]"
        )
        frame[S.MS_PLAYED] = pd.array([r[1] for r in rows], dtype="Int64")
        frame[S.ARTIST] = pd.array([r[2] for r in rows], dtype="string")
        frame[S.TRACK] = pd.array([r[3] for r in rows], dtype="string")
        frame[S.SOURCE] = pd.array([f"f{f}"] * len(rows), dtype="string")
        frame[S.ALBUM] = pd.array([f"{f}.{i}" for i in range(len(rows))], dtype="string")
        frames.append(frame.astype(S.empty_plays().dtypes.to_dict()))
    got = plays_table.to_plays([plays_table.from_frame(f) for f in frames if len(f)])
    everything = pd.concat([S.empty_plays(), *frames], ignore_index=True)
    keys = [S.TS, S.MS_PLAYED, S.ARTIST, S.TRACK]
    expected = (
        everything.drop_duplicates(subset=keys, keep="first")
        .sort_values(S.TS, kind="stable")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(got, expected)


LASTFM_GHAN = (
    "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\r\n"
    '"1720688852","11 Jul 2024, 09:07","The Cure","","Faith","","Primary",""\r\n'
    '"1720688656","11 Jul 2024, 09:04","Go‐Go’s","","Beauty and the Beat","","This Town",""\r\n'
)
LASTFM_R = (
    '"","date","artist","track","album"\n"1",2020-04-13 05:01:31,"Dark Tranquillity","Haven","NA"\n'
)
LASTFM_NOHEADER = "Radiohead,OK Computer,Airbag,22 Mar 2022 17:55\nRadiohead,OK Computer,Lucky,22 Mar 2022 18:01\n"


@pytest.mark.parametrize(
    ("text", "fmt", "first_ts", "artist"),
    [
        (LASTFM_GHAN, "lastfm-csv", "2024-07-11 09:04:16", "Go‐Go’s"),
        (LASTFM_R, "lastfm-csv-r", "2020-04-13 05:01:31", "Dark Tranquillity"),
        (LASTFM_NOHEADER, "lastfm-csv-noheader", "2022-03-22 17:55", "Radiohead"),
    ],
)
def test_lastfm_csv_shapes(text, fmt, first_ts, artist):
    result = load_uploads([("scrobbles.csv", text.encode())], rule=CountingRule())
    assert result.reports[0].format == fmt and result.reports[0].error is None
    assert result.plays[S.TS].iloc[0] == pd.Timestamp(first_ts, tz="UTC")
    assert artist in set(result.plays[S.ARTIST])
    assert result.plays[S.MS_PLAYED].isna().all()  # scrobbles carry no duration, yet they count


def test_generic_csv_with_mapping():
    data = b"when,who,what,ms\n1700000000,A,Song,40000\n1700000100,B,Other,1000\n"
    mapping = {S.TS: "when", S.ARTIST: "who", S.TRACK: "what", S.MS_PLAYED: "ms"}
    result = load_generic_csv("mine.csv", data, mapping, rule=CountingRule())
    assert list(result.plays[S.TRACK]) == ["Song"]
    bad = load_generic_csv("mine.csv", data, {S.TS: "when", S.ARTIST: "nope", S.TRACK: "what"})
    assert "nope" in bad.reports[0].error


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_whole_export_zip_with_nested_folders_and_macos_junk():
    data = _zip(
        {
            "Spotify Account Data/StreamingHistory_music_0.json": _json(ACCOUNT),
            "Spotify Account Data/Userdata.json": _json({"username": "x"}),
            "Spotify Extended Streaming History/Streaming_History_Audio_2024.json": _json(EXTENDED),
            "__MACOSX/Spotify Account Data/._StreamingHistory_music_0.json": b"\x00\x05junk",
            "Spotify Extended Streaming History/ReadMeFirst.pdf": b"%PDF-1.4",
        }
    )
    result = load_uploads([("my_spotify_data.zip", data)])
    by_path = {r.path: r for r in result.reports}
    assert (
        by_path["my_spotify_data.zip/Spotify Account Data/StreamingHistory_music_0.json"].records
        == 3
    )
    assert by_path["my_spotify_data.zip/Spotify Account Data/Userdata.json"].format == "skipped"
    assert not any("__MACOSX" in p for p in by_path)
    assert len(result.plays) == 5 and not result.errors


def test_broken_history_inside_a_zip_is_an_error_and_the_rest_still_loads():
    data = _zip(
        {
            "Spotify Account Data/StreamingHistory_music_0.json": _json(ACCOUNT),
            "Spotify Account Data/StreamingHistory_music_1.json": _json(ACCOUNT)[:-20],
            "Spotify Account Data/StreamingHistory_podcast_0.json": b"[]",
            "Spotify Account Data/Identity.json": _json({"displayName": "x"}),
        }
    )
    result = load_uploads([("my_spotify_data.zip", data)])
    by_path = {r.path: r for r in result.reports}
    root = "my_spotify_data.zip/Spotify Account Data/"
    broken = by_path[root + "StreamingHistory_music_1.json"]
    assert broken.format is None and "truncated" in broken.error
    assert [r.path for r in result.errors] == [root + "StreamingHistory_music_1.json"]
    # Readable files that are not history (an empty podcast list, the identity) are skipped.
    assert by_path[root + "StreamingHistory_podcast_0.json"].format == "skipped"
    assert by_path[root + "Identity.json"].format == "skipped"
    assert by_path[root + "StreamingHistory_music_0.json"].records == 3
    assert len(result.plays) == 3


BAD_CASES = [
    ("notjson.json", b"this is not json", "not valid JSON"),
    (
        "flags.json",
        _json([{**EXTENDED[0], "skipped": 1}, {**EXTENDED[0], "skipped": "yes"}]),
        "none of its 2 records is readable",
    ),
    ("huge.json", _json([{**EXTENDED[0], "ms_played": 2**70}]), "no record has a readable play"),
    ("truncated.json", _json(ACCOUNT)[:-20], "truncated"),
    ("empty.json", b"", "empty"),
    ("latin1.csv", "artist,track\ncaf\xe9,x\n".encode("latin-1"), "not UTF-8"),
    ("nothing.zip", _zip({"readme.txt": b"hello"}), "holds no listening history"),
    ("evil.zip", _zip({"../../etc/passwd.json": _json(ACCOUNT)}), "path traversal"),
    ("bomb.zip", _zip({"big.json": b"[" + b" " * 50_000_000 + b"]"}), "zip bomb"),
    ("fake.zip", b"PK\x03\x04 not really", "not a readable zip"),
]


@pytest.mark.parametrize(("name", "data", "problem"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_names_the_file_and_problem_while_good_files_still_load(name, data, problem):
    result = load_uploads([("good.json", _json(ACCOUNT)), (name, data)])
    errors = [r for r in result.reports if r.error]
    assert errors, result.reports
    assert any(name in r.error and problem in r.error for r in errors), errors
    assert len(result.plays) == 3  # the good file still loaded


def test_one_bad_value_costs_its_record_not_the_file():
    good = {"endTime": "2024-01-01 08:00", "artistName": "A", "trackName": "t", "msPlayed": 200_000}
    bad = [
        {**good, "endTime": "9999-12-31 23:59"},
        {**good, "artistName": 5},
        {**good, "artistName": ["A", "B"]},
        {**good, "msPlayed": "abc"},
        {**good, "msPlayed": None},
        "not an object",
    ]
    text = _json([good, *bad])[:-1] + (
        b', {"endTime": "2024-01-01 09:00", "artistName": "B", "trackName": "u", "msPlayed": 1e400}'
        b', {"endTime": "2024-01-01 09:10", "artistName": "B", "trackName": "v", "msPlayed": NaN}]'
    )
    extended = [EXTENDED[0], {**EXTENDED[0], "skipped": "yes"}, {**EXTENDED[0], "ts": "soon"}]
    result = load_uploads([("StreamingHistory0.json", text), ("x.json", _json(extended))])
    account, ext = result.reports
    assert (account.records, account.bad, account.kept, account.error) == (9, 8, 1, None)
    assert (ext.records, ext.bad, ext.kept, ext.error) == (3, 2, 1, None)
    assert len(result.plays) == 2
    report = load_report(result, CountingRule(min_ms_played=0))
    assert report.set_apart["bad"] == 10 and report.plays == 2


def test_spotify_files_without_listening_are_skipped_not_errors_one_by_one_or_zipped():
    others = {
        "UserAddress.json": b"List(Map(street -> x, city -> y))",
        "Identity.json": _json({"displayName": "someone", "imageUrl": None}),
        "Payments.json": _json({"payment_method": "card"}),
        "SearchQueries.json": _json([{"platform": "ANDROID", "searchQuery": "x"}]),
        "StreamingHistory_podcast_0.json": b"[]",
    }
    history = ("StreamingHistory_music_0.json", _json(ACCOUNT))
    one_by_one = load_uploads([history, *others.items()])
    zipped = load_uploads([("my_spotify_data.zip", _zip(dict([history, *others.items()])))])
    for result in (one_by_one, zipped):
        assert not result.errors, result.errors
        skipped = [r for r in result.reports if r.format == "skipped"]
        assert len(skipped) == 5 and all(r.note.startswith("not listening data") for r in skipped)
        assert result.totals()["files"] == 1 and result.totals()["not_listening"] == 5
        assert load_report(result).files == 1


def test_a_csv_we_cannot_place_alone_is_an_error_that_points_to_the_mapping():
    result = load_uploads([("mine.csv", b"when,who,what\n2024-01-01,a,b\n")])
    (report,) = result.reports
    assert "column mapping" in report.error


def test_load_report_counts_agree_with_the_plays():
    """records = plays + everything set apart; each reason counted once."""
    files = [
        ("StreamingHistory0.json", _json(ACCOUNT)),
        ("StreamingHistory1.json", _json(ACCOUNT[:1])),  # a repeat of one play
        ("StreamingHistory_podcast_0.json", _json(PODCAST)),
    ]
    result = load_uploads(files)
    report = load_report(result)
    assert report.plays == 1 and report.files == 3 and report.records == 5
    assert report.set_apart == {
        "podcast": 1, "short": 1, "unknown": 1, "duplicate": 1, "bad": 0,
    }  # fmt: skip
    assert report.hours_apart["podcast"] == pytest.approx(600_000 / 3_600_000)
    assert report.records == report.plays + sum(report.set_apart.values())
    same = load_report(load_uploads(files, rule=CountingRule()))  # the rule applied at load
    assert same == report
    assert "1 plays" in report.summary() and "1 repeated plays" in report.summary()


def test_a_person_moves_a_show_back_and_a_misjudged_artist_out():
    result = load_uploads([("a.json", _json(ACCOUNT)), ("p.json", _json(PODCAST))])
    rule = move_artist(CountingRule(), "Show", to="music")
    assert set(apply_counting_rule(result.plays, rule)[S.ARTIST]) == {"Björk", "Show"}
    rule = move_artist(rule, "Björk", to="podcast")
    assert set(apply_counting_rule(result.plays, rule)[S.ARTIST]) == {"Show"}
    assert rule.music_artists == ("Show",) and rule.show_artists == ("Björk",)
    assert load_report(result, rule).set_apart["podcast"] == 1
    with pytest.raises(ValueError, match="music"):
        move_artist(rule, "x", to="video")


def _patched_zip(
    entries: dict[str, bytes], bad: str, *, flags: int = 0, method: int | None = None
) -> bytes:
    """A zip whose member ``bad`` claims encryption (flag bit 0) or another compression method."""
    data = bytearray(_zip(entries))
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (pos := data.find(sig, start)) >= 0:
            start = pos + 4
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(bad)] != bad.encode():
                continue
            data[pos + at] |= flags
            if method is not None:
                data[pos + at + 2 : pos + at + 4] = method.to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("flags", "method", "problem"),
    [(1, None, "encrypted"), (0, 9, "method this app cannot read")],
    ids=["encrypted", "deflate64"],
)
def test_an_unreadable_zip_member_is_its_own_error_and_the_rest_loads(flags, method, problem):
    entries = {
        "MyData/StreamingHistory_music_0.json": _json(ACCOUNT),
        "MyData/StreamingHistory_music_1.json": _json(PODCAST),
    }
    bad = "MyData/StreamingHistory_music_1.json"
    result = load_uploads([("x.zip", _patched_zip(entries, bad, flags=flags, method=method))])
    (err,) = result.errors
    assert err.path == f"x.zip/{bad}" and problem in err.error
    assert len(result.plays) == 3


def test_a_member_whose_name_starts_with_two_dots_is_not_path_traversal():
    result = load_uploads([("x.zip", _zip({"..MyData/StreamingHistory0.json": _json(ACCOUNT)}))])
    assert not result.errors and len(result.plays) == 3


def test_size_message_uses_mib_for_a_mib_limit():
    limits = IngestLimits(max_file_bytes=512 * 2**20)
    result = load_uploads([("big.json", b" " * (538 * 10**6))], limits=limits)
    assert "513 MiB is over the 512 MiB limit" in result.reports[0].error
    result = load_uploads([("big.json", b" " * (512 * 2**20 + 1))], limits=limits)
    assert "512.00 MiB is over the 512 MiB limit" in result.reports[0].error


def _old_account_export() -> tuple[list[dict], dict, dict[str, int]]:
    """An account export from before Spotify split music and podcasts, with a known answer.

    Returns the StreamingHistory records, a YourLibrary.json and the plays of each show.
    """
    t0 = pd.Timestamp("2021-03-01 07:00")
    recs: list[dict] = []

    def play(artist: str, track: str, minutes: float) -> None:
        end = t0 + pd.Timedelta(minutes=7 * len(recs))
        recs.append({"endTime": end.strftime("%Y-%m-%d %H:%M"), "artistName": artist,
                     "trackName": track, "msPlayed": int(minutes * 60_000)})  # fmt: skip

    for a in range(20):
        for t in range(10):
            for _ in range(3):
                play(f"Band {a}", f"Song {a}.{t}", 3 + (a + t) % 3)
    play("Prog Band", "A Twenty-Minute Suite", 20)  # one long song among many short ones
    for t in range(9):
        play("Prog Band", f"Short {t}", 4)
    play("Drone Band", "Dopesmoker", 63)  # an hour-long song, one of fifteen
    for t in range(14):
        play("Drone Band", f"Riff {t}", 6)
    for e in range(40):  # a sports show: many distinct long episodes
        play("Daily Sports Talk", f"Monday recap {e}: the league", 30 + e % 30)
        play("Daily Sports Talk", f"Monday recap {e}: the league", 2)  # resumed later
    for e in range(6):  # short episodes, titled like episodes, one played long
        play("Tiny Stories", f"Ep. {e + 1} - A story", 15 if e == 0 else 8)
    play("Followed Show", "Trailer", 2)  # short, but in YourLibrary.json's shows
    play("Followed Show", "Why we started", 3)
    library = {"tracks": [{"artist": "Band 1", "album": "x", "track": "Song 1.1",
                           "uri": "spotify:track:1234567890123456789012"}],
               "shows": [{"name": "Followed Show", "publisher": "Someone"}], "episodes": []}  # fmt: skip
    return recs, library, {"Daily Sports Talk": 80, "Tiny Stories": 6, "Followed Show": 2}


def test_podcasts_mixed_into_an_old_account_export_are_set_apart():
    recs, library, show_plays = _old_account_export()
    result = load_uploads(
        [("StreamingHistory0.json", _json(recs)), ("YourLibrary.json", _json(library))]
    )
    podcast = result.plays[result.plays[S.KIND] == S.KIND_PODCAST]
    assert podcast[S.ARTIST].value_counts().to_dict() == show_plays
    assert set(result.shows["artist"]) == set(show_plays)
    reasons = dict(zip(result.shows["artist"], result.shows["reason"], strict=True))
    assert "YourLibrary" in reasons["Followed Show"] and "episodes" in reasons["Tiny Stories"]
    counted = apply_counting_rule(result.plays, CountingRule())
    assert set(counted[S.ARTIST]) == {f"Band {a}" for a in range(20)} | {"Prog Band", "Drone Band"}
    assert len(counted) == 600 + 10 + 15  # every music play, none of the show's
    report = load_report(result)
    assert report.set_apart["podcast"] == sum(show_plays.values())
    show_ms = sum(r["msPlayed"] for r in recs if r["artistName"] in show_plays)
    assert report.hours_apart["podcast"] == pytest.approx(show_ms / 3_600_000)
    assert report.shows[0] == "Daily Sports Talk"  # most hours first
    back = move_artist(CountingRule(), "Daily Sports Talk", to="music")
    assert load_report(result, back).plays == 625 + 80  # all of its plays count again


def test_a_band_and_a_show_sharing_a_name_give_up_only_the_episodes():
    """The band Cults and the podcast "Cults": long episode-like titles go, the songs stay;
    a show of two "Topic: Subtitle" titles, one played long, goes whole."""
    t0 = pd.Timestamp("2022-05-02 08:00")
    rows = [("Cults", f"Song {i}", 3.5) for i in range(5) for _ in range(3)]
    rows += [("Cults", "The Moonies Pt. 1: Reverend Moon", 22), ("Cults", "House of Yahweh Pt. 1", 20),
             ("Cults", "House of Yahweh Pt. 1", 1)]  # fmt: skip
    rows += [("Heroes Talk", "Hello, World: Programming Languages", 14),
             ("Heroes Talk", "Ready to Commit: Open Source", 0.2)]  # fmt: skip
    rows += [
        ("Orchestra", "Symphony No. 9 in D Minor, Op. 125: IV. Presto", 24),
        ("Orchestra", "Symphony No. 9 in D Minor, Op. 125: II. Molto vivace", 13),
    ]
    rows += [("Orchestra", f"Waltz {i}: Allegro", 5) for i in range(4)]  # fmt: skip
    rows += [("Prog Band", "Suite Pt. 1", 13)] + [("Prog Band", f"Song {i}", 4) for i in range(9)]
    recs = [{"endTime": f"{t0 + pd.Timedelta(minutes=30 * i):%Y-%m-%d %H:%M}", "artistName": a,
             "trackName": t, "msPlayed": int(m * 60_000)} for i, (a, t, m) in enumerate(rows)]  # fmt: skip
    result = load_uploads([("StreamingHistory0.json", _json(recs))])
    kinds = result.plays.groupby([S.ARTIST, S.KIND]).size().to_dict()
    assert kinds == {("Cults", "music"): 15, ("Cults", "podcast"): 3, ("Heroes Talk", "podcast"): 2,
                     ("Orchestra", "music"): 6, ("Prog Band", "music"): 10}  # fmt: skip
    cults = result.shows.set_index("artist").loc["Cults"]
    assert cults["plays"] == 3 and "other titles stay music" in cults["reason"]
    assert set(cults["episodes"]) == {"The Moonies Pt. 1: Reverend Moon", "House of Yahweh Pt. 1"}
    back = move_artist(CountingRule(min_ms_played=0), "Cults", to="music")
    assert (
        load_report(result, back).plays == 15 + 3 + 6 + 10
    )  # every Cults play, Orchestra, Prog Band
    # an import later (each play once) sets the new episode plays apart the same way
    more = load_uploads(
        [("StreamingHistory1.json", _json([{**recs[15], "endTime": "2023-01-01 10:00"}]))]
    )
    added = add_plays(result, more.plays)
    assert added.plays.groupby([S.ARTIST, S.KIND]).size()[("Cults", "podcast")] == 4


def test_labelled_plays_are_never_judged_by_length():
    """Extended history says what each play is: a long track with a URI stays music."""
    long_song = {**EXTENDED[0], "ms_played": 40 * 60_000}
    songs = [{**long_song, "ts": f"2024-02-0{d}T10:00:00Z"} for d in range(1, 4)]
    result = load_uploads([("x.json", _json(songs))])
    assert set(result.plays[S.KIND]) == {S.KIND_MUSIC} and result.shows.empty


def test_no_shared_history_loses_music_to_the_podcast_rules(shared_data: Path):
    """Histories whose podcasts Spotify already split off lose no artist; mixed ones lose only shows."""
    root = shared_data / "spotify-account-history"
    split = ["egonik-unlp", "justsujay", "sinzys", "xkitsune47", "mohammaddsameer"]
    for person in split:
        result = load_paths([root / person])
        assert result.shows.empty, (person, list(result.shows["artist"]))
    mixed = {"chadallison": ("Last Podcast On The Left", "Huberman Lab", "Cults", "Command Line Heroes"),
             "barbarosacet": ("KALT'ın Podcast'i",)}  # fmt: skip
    for person, known_shows in mixed.items():
        result = load_paths([root / person])
        shows = set(result.shows["artist"])
        assert set(known_shows) <= shows
        # every artist taken for a show has mostly long or episode-like plays, or says so
        assert all(r != "" for r in result.shows["reason"])
        music = result.plays[result.plays[S.KIND] == S.KIND_MUSIC]
        partial = {
            a: set(e)
            for a, e in zip(result.shows["artist"], result.shows["episodes"], strict=True)
            if len(e)
        }
        assert not (set(music[S.ARTIST]) & (shows - set(partial)))
        for artist, episodes in partial.items():  # a band sharing a show's name keeps its songs
            own = music[music[S.ARTIST] == artist]
            assert len(own) and not (set(own[S.TRACK]) & episodes)
    bar = load_report(load_paths([root / "barbarosacet"]))
    assert bar.hours_apart["podcast"] > 400  # the show that was #1 "artist" by hours


def _both_formats(n: int = 50, last: int = 20) -> tuple[list[dict], list[dict]]:
    """Extended history of ``n`` plays and account data holding the ``last`` of them again."""
    t0 = pd.Timestamp("2024-05-01 18:00:17", tz="UTC")
    extended, account = [], []
    for i in range(n):
        end = t0 + pd.Timedelta(minutes=4 * i, seconds=i % 50)
        ms = 150_000 + 997 * i
        extended.append({**EXTENDED[0], "ts": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "ms_played": ms,
                         "master_metadata_track_name": f"Song {i % 7}"})  # fmt: skip
        if i >= n - last:
            account.append({"endTime": end.strftime("%Y-%m-%d %H:%M"), "artistName": "Björk",
                            "trackName": f"Song {i % 7}", "msPlayed": ms})  # fmt: skip
    return extended, account


def test_the_same_play_in_extended_and_account_data_counts_once():
    extended, account = _both_formats()
    end = pd.Timestamp(extended[-1]["ts"]) + pd.Timedelta(minutes=5)
    only_account = {"endTime": end.strftime("%Y-%m-%d %H:%M"), "artistName": "Björk",
                    "trackName": "Song 3", "msPlayed": 200_000}  # fmt: skip
    replayed = {**account[-1], "msPlayed": 20_000}  # same minute, same song, a different play
    files = [
        ("Streaming_History_Audio_2024.json", _json(extended)),
        ("StreamingHistory_music_0.json", _json([*account, only_account, replayed])),
    ]
    result = load_uploads(files)
    assert len(result.plays) == 50 + 2 and result.merged == 20
    assert result.plays[S.PLATFORM].notna().sum() == 50  # the richer records were kept
    report = load_report(result, CountingRule(min_ms_played=0))
    assert report.set_apart["duplicate"] == 20 and report.merged == 20
    assert report.records == report.plays + sum(report.set_apart.values())
    alone = load_uploads(files[1:])  # account data alone: nothing to merge
    assert len(alone.plays) == 22 and alone.merged == 0


def test_importing_the_same_spotify_data_three_times_adds_nothing():
    base = load_uploads([("a.json", _json(ACCOUNT))])
    spotify = load_uploads([("x.json", _json(EXTENDED))])
    liked = S.as_library(
        pd.DataFrame({S.LIB_KIND: ["liked"], S.TRACK: ["Jóga"], S.ARTIST: ["Björk"]})
    )
    once = add_plays(base, spotify.plays, liked)
    thrice = add_plays(add_plays(once, spotify.plays, liked), spotify.plays, liked)
    assert len(once.plays) == 5 and len(once.library) == 1
    pd.testing.assert_frame_equal(thrice.plays, once.plays)
    assert len(thrice.library) == 1 and thrice.duplicates == once.duplicates + 4


def test_the_most_precise_time_column_wins_and_distinct_plays_stay_distinct():
    """played_at to the minute beats a day-only date: no play lands at 00:00, none merges."""
    rows = [
        f"2023-01-24,2023-01-24 {h:02d}:{m:02d},Artist,Song,Album" for h in range(3) for m in (5, 9)
    ]
    text = "date,played_at,artist,track,album\n" + "\n".join(rows + rows[:1]) + "\n"
    result = load_uploads([("scrobbles.csv", text.encode())])
    (report,) = result.reports
    assert (report.format, report.records, report.error) == ("scrobbles-csv", 7, None)
    assert len(result.plays) == 6 and result.duplicates == 1  # only the real repeat goes
    assert (result.plays[S.TS].dt.hour == [0, 0, 1, 1, 2, 2]).all()
    assert result.plays[S.TS].iloc[1] == pd.Timestamp("2023-01-24 00:09", tz="UTC")


@pytest.mark.parametrize(
    ("text", "fmt", "ts", "artist", "track", "album"),
    [
        ('utc_time,artist,album,track\n"24 Jan 2023, 09:42",Björk,Post,Hyperballad\n',
         "scrobbles-csv", "2023-01-24 09:42", "Björk", "Hyperballad", "Post"),
        ("artist,track,album,played_at\nBjörk,Jóga,Homogenic,2023-01-24T09:42:00Z\n",
         "scrobbles-csv", "2023-01-24 09:42", "Björk", "Jóga", "Homogenic"),
        ("\ufeffendTime,artistName,trackName,msPlayed\n1/24/2023 9:42,Björk,Jóga,200000\n",
         "spotify-account-csv", "2023-01-24 09:42", "Björk", "Jóga", None),
        ("ts,ms_played,master_metadata_track_name,master_metadata_album_artist_name,"
         "master_metadata_album_album_name,spotify_track_uri,shuffle,skipped\n"
         "2023-01-24 09:42:10,200000,Jóga,Björk,Homogenic,,TRUE,FALSE\n",
         "spotify-extended-csv", "2023-01-24 09:42:10", "Björk", "Jóga", "Homogenic"),
    ],
    ids=["utc_time", "played_at-last", "account-excel", "extended-excel"],
)  # fmt: skip
def test_more_csv_shapes(text, fmt, ts, artist, track, album):
    result = load_uploads([("history.csv", text.encode())])
    (report,) = result.reports
    assert (report.format, report.error) == (fmt, None)
    (row,) = result.plays.to_dict(orient="records")
    assert row[S.TS] == pd.Timestamp(ts, tz="UTC")
    assert (row[S.ARTIST], row[S.TRACK]) == (artist, track)
    assert (row[S.ALBUM] if pd.notna(row[S.ALBUM]) else None) == album


def test_extended_csv_reads_flags_and_durations():
    text = (
        "ts,ms_played,master_metadata_track_name,master_metadata_album_artist_name,shuffle,skipped\n"
        "2023-01-24T09:42:10Z,200000,A,B,true,false\n2023-01-24T09:50:10Z,abc,A,B,true,false\n"
    )
    result = load_uploads([("e.csv", text.encode())])
    assert len(result.plays) == 1 and result.reports[0].bad == 1
    assert bool(result.plays[S.SHUFFLE].iloc[0]) and not bool(result.plays[S.SKIPPED].iloc[0])


def test_column_mapping_import_with_the_zone_of_the_times():
    text = (
        "When,Who,What,Record,Length\n"
        "2024-07-01 21:30,Björk,Jóga,Homogenic,200000\n"
        "2024-07-01T21:40:00+00:00,Björk,Hunter,Homogenic,180000\n"
    ).encode()
    mapping = parse_mapping("time=When,artist=Who,track=What,album=Record,ms_played=Length")
    result = load_generic_csv("mine.csv", text, mapping, tz="America/Mexico_City")
    assert result.reports[0].format == "generic-csv" and not result.errors
    got = dict(zip(result.plays[S.TRACK], result.plays[S.TS], strict=True))
    assert got["Jóga"] == pd.Timestamp("2024-07-02 03:30", tz="UTC")  # 21:30 in Mexico City
    assert got["Hunter"] == pd.Timestamp("2024-07-01 21:40", tz="UTC")  # had its own offset
    assert list(result.plays[S.MS_PLAYED]) == [180_000, 200_000]  # in time order
    with pytest.raises(ValueError, match="time zone"):
        load_generic_csv("mine.csv", text, mapping, tz="Mars/Olympus")
    with pytest.raises(ValueError, match="not one of"):
        parse_mapping("when=When")
    bad = load_generic_csv("mine.csv", text, {"artist": "Who", "track": "What"})
    assert "must name CSV columns for time" in bad.reports[0].error


def test_the_2019_playlist_shape_loads():
    payload = {"playlists": [{"name": "Road", "lastModifiedDate": "2019-05-01",
                              "tracks": [{"trackName": "Jóga", "artistName": "Björk",
                                          "albumName": "Homogenic", "trackUri": None},
                                         {"trackName": "Hunter", "artistName": "Björk"}]}]}  # fmt: skip
    result = load_uploads([("Playlist1.json", _json(payload))])
    (report,) = result.reports
    assert (report.format, report.records, report.kept) == ("spotify-playlists", 2, 2)
    assert list(result.library[S.TRACK]) == ["Jóga", "Hunter"]
    assert set(result.library[S.PLAYLIST]) == {"Road"}


def test_a_person_who_moved_gets_a_zone_per_period():
    from musicrec.history.zones import country_name, country_zone, propose_zones

    days = pd.date_range("2023-01-01 20:00", periods=120, freq="D", tz="UTC")
    country = ["MX"] * 50 + ["US"] * 5 + ["MX"] * 15 + ["ES"] * 50  # a 5-day trip, then a move
    plays = S.as_plays(pd.DataFrame({S.TS: days, S.TRACK: "t", S.ARTIST: "a", S.COUNTRY: country}))
    plays.loc[3, S.COUNTRY] = pd.NA  # a play without a country is ignored
    got = propose_zones(plays)
    assert list(got["country"]) == ["MX", "ES"]
    assert list(got["zone"]) == ["America/Mexico_City", "Europe/Madrid"]
    assert list(got["plays"]) == [69, 50]
    assert got["start"].iloc[1] == days[70] and got["end"].iloc[0] == days[69]
    assert country_zone("se") == "Europe/Stockholm" and country_zone("XX") is None
    assert [country_name(c) for c in ("IN", "mx", "XX")] == ["India", "Mexico", "XX"]
    assert propose_zones(S.empty_plays()).empty


def test_one_load_reads_at_most_its_limit_and_says_so(tmp_path):
    limits = IngestLimits(max_upload_bytes=2 * len(_json(ACCOUNT)))
    files = [(f"StreamingHistory{i}.json", _json(ACCOUNT)) for i in range(3)]
    result = load_uploads(files, limits=limits)
    assert [r.error is None for r in result.reports] == [True, True, False]
    assert "limit for one load is" in result.reports[2].error and "MiB" in result.reports[2].error
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    from_disk = load_paths([tmp_path], limits=limits)
    assert sum(r.error is not None for r in from_disk.reports) == 1
    archive = _zip(dict(files))  # the zip and what its members expand to both count
    limits = IngestLimits(max_upload_bytes=len(archive) + 2 * len(files[0][1]))
    zipped = load_uploads([("x.zip", archive)], limits=limits)
    assert [r.error is None for r in zipped.reports] == [True, True, False, True]  # last: the zip


def test_size_limit_is_configurable():
    limits = IngestLimits(max_file_bytes=100)
    result = load_uploads([("big.json", _json(ACCOUNT))], limits=limits)
    assert "over the" in result.reports[0].error and "big.json" in result.reports[0].error


account_record = st.fixed_dictionaries(
    {
        "endTime": st.datetimes(
            min_value=pd.Timestamp("2000-01-01"), max_value=pd.Timestamp("2030-01-01")
        ).map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
        "artistName": st.text(min_size=1, max_size=20),
        "trackName": st.text(min_size=1, max_size=20),
        "msPlayed": st.integers(min_value=0, max_value=10_000_000),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(account_record, min_size=1, max_size=30))
def test_property_account_records_round_trip(records):
    result = load_uploads([("h.json", _json(records))])
    assert result.reports[0].records == len(records)
    distinct = {(r["endTime"], r["msPlayed"], r["artistName"], r["trackName"]) for r in records}
    assert len(result.plays) == len(distinct)


@settings(max_examples=25, deadline=None)
@given(st.lists(account_record, min_size=1, max_size=20), st.randoms())
def test_property_file_order_and_repeats_do_not_change_result(records, rnd):
    files = [
        ("a.json", _json(records[: len(records) // 2])),
        ("b.json", _json(records[len(records) // 2 :])),
    ]
    shuffled = files + files[:1]
    rnd.shuffle(shuffled)
    key = [S.TS, S.ARTIST, S.TRACK, S.MS_PLAYED]
    a = load_uploads(files).plays[key].sort_values(key).reset_index(drop=True)
    b = load_uploads(shuffled).plays[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["x.json", "x.csv", "x.zip", "x"]))
def test_property_arbitrary_bytes_never_crash(data, name):
    result = load_uploads([(name, data)])
    assert len(result.reports) >= 1
    assert all((r.error is None) or (name in r.error) for r in result.reports)


# --- the real exports in ../shared/data ------------------------------------------------


def _manifest_records(shared: Path) -> list[tuple[str, int]]:
    entries = json.loads((shared / "manifest.json").read_text())
    out = []
    for e in entries:
        if e["category"] not in (
            "spotify-account-history",
            "spotify-extended-history",
            "lastfm-scrobbles",
            "playlists",
        ):
            continue
        rec = e["records"]
        if isinstance(rec, dict):
            rec = rec["items"] if "items" in rec else sum(rec.values())
        out.append((e["dest"], rec))
    return out


def test_every_shared_export_loads_with_its_record_count(shared_data: Path):
    expected = _manifest_records(shared_data)
    assert len(expected) >= 60
    result = load_paths([shared_data / dest for dest, _ in expected])
    got = {Path(r.path).relative_to(shared_data).as_posix(): r for r in result.reports}
    for dest, records in expected:
        assert got[dest].error is None, got[dest]
        assert got[dest].records == records, dest
    assert not result.plays[S.TS].isna().any()


def test_shared_quirks(shared_data: Path):
    josh = load_paths([shared_data / "spotify-account-history" / "josh-blas"], rule=CountingRule())
    assert not (josh.plays[S.ARTIST] == "Unknown Artist").any()
    bar = load_paths(
        [shared_data / "spotify-account-history" / "barbarosacet"], rule=CountingRule()
    )
    assert (bar.plays[S.ARTIST] == "Unknown Mortal Orchestra").any()
    erick = load_paths([shared_data / "spotify-extended-history" / "erickmay"]).plays
    assert erick[S.SKIPPED].isna().sum() > 2000  # legacy nulls stay unknown
    assert set(erick[S.PLATFORM].dropna()) <= {
        "ios",
        "android",
        "windows",
        "osx",
        "linux",
        "web",
        "cast",
        "other",
    }
