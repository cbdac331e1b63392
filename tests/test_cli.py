"""The ``musicrec`` command line, each sub-command really run on tiny generated files or the demo.

In-process through ``main([...])`` (fast), plus subprocesses where the process itself is the
point: the console-script module, ``--help`` staying light, and errors without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.cli import main

ROOT = Path(__file__).resolve().parents[1]
RECOMMENDATION_KEYS = [S.RANK, S.TRACK, S.ARTIST, S.TRACK_URI, S.REASON]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "musicrec.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def _json_out(capsys) -> object:
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """The demo written by ``musicrec demo --out`` (catalog.parquet, plays.parquet...)."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--json"]) == 0
    return out


@pytest.fixture(scope="module")
def history(demo_dir, tmp_path_factory) -> Path:
    """The demo listener's last 3000 plays as a Spotify extended streaming history file."""
    plays = pd.read_parquet(demo_dir / "plays.parquet").sort_values(S.TS).tail(3000)
    records = [
        {
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": "linux",
            "ms_played": int(ms),
            "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": album,
            "spotify_track_uri": None,
            "reason_start": "trackdone",
            "reason_end": "trackdone",
            "shuffle": False,
            "skipped": False,
        }
        for ts, ms, track, artist, album in zip(
            plays[S.TS], plays[S.MS_PLAYED], plays[S.TRACK], plays[S.ARTIST], plays[S.ALBUM],
            strict=True,
        )
    ]  # fmt: skip
    folder = tmp_path_factory.mktemp("export")
    path = folder / "Streaming_History_Audio_2024.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


# --- the process: entry points, help, errors ----------------------------------------------


def test_module_entry_and_help_do_not_import_the_core():
    code = (
        "import sys; from musicrec.cli import build_parser; build_parser(); "
        "heavy = [m for m in ('pandas', 'numpy', 'sklearn', 'scipy', 'musicrec.hybrid') "
        "if m in sys.modules]; print(heavy)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.stdout.strip() == "[]", proc.stderr
    helped = _cli("--help", timeout=60)
    assert helped.returncode == 0
    for command in ("ingest", "demo", "catalog", "recommend-users", "recommend", "evaluate"):
        assert command in helped.stdout


def test_no_core_module_parses_arguments():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "musicrec").rglob("*.py")
        if "argparse" in p.read_text(encoding="utf-8") and p.parent.name != "cli"
    ]
    assert offenders == []
    assert "musicrec.demo" not in (ROOT / "musicrec" / "hybrid.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "{missing}", "--json"],
        ["catalog", "match", "--history", "{missing}", "--catalog", "{missing}"],
        ["recommend-users", "--interactions", "{missing}", "--out", "{tmp}/r.tsv"],
        ["recommend", "--history", "{dir}", "--k", "5"],
    ],
)
def test_bad_paths_give_one_line_and_exit_2(tmp_path, args):
    missing = str(tmp_path / "nowhere.json")
    args = [a.format(missing=missing, tmp=tmp_path, dir=tmp_path) for a in args]
    proc = _cli(*args)
    assert proc.returncode in (1, 2), proc.stderr
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert proc.stderr.startswith("musicrec: ")
        assert len(proc.stderr.strip().splitlines()) == 1


def test_musicrec_error_prints_its_message_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "train.tsv"
    bad.write_text("who\twhat\n1\t2\n")
    code = main(["recommend-users", "--interactions", str(bad), "--out", str(tmp_path / "r.tsv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"musicrec: {bad}: header must be 'user item weight'")
    assert not (tmp_path / "r.tsv").exists()


def test_unwritable_out_is_an_error_not_a_traceback(tmp_path, history):
    proc = _cli("ingest", str(history), "--out", str(tmp_path / "no" / "such" / "dir.csv"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("musicrec: ") and "no/such" in proc.stderr


# --- each sub-command ---------------------------------------------------------------------


def test_demo_json_shape(demo_dir, capsys):
    assert main(["demo", "--json"]) == 0
    summary = _json_out(capsys)
    assert list(summary) == [
        "label", "seconds", "tracks", "artists", "genres", "plays", "first", "last",
        "community_users", "community_interactions", "library_rows",
    ]  # fmt: skip
    assert summary["label"].startswith("Fictional demo")
    written = {p.name: len(pd.read_parquet(p)) for p in demo_dir.glob("*.parquet")}
    assert written == {
        "catalog.parquet": summary["tracks"],
        "plays.parquet": summary["plays"],
        "community.parquet": summary["community_interactions"],
        "library.parquet": summary["library_rows"],
    }


def test_ingest_json_report_and_out(history, tmp_path, capsys):
    broken = history.parent / "Streaming_History_Audio_broken.json"
    broken.write_text("[{not json", encoding="utf-8")
    try:
        out = tmp_path / "plays.csv"
        assert main(["ingest", str(history.parent), "--json", "--out", str(out)]) == 0
        report = _json_out(capsys)
    finally:
        broken.unlink()
    assert list(report) == ["files", "totals", "report"]
    assert list(report["totals"]) == [
        "files", "failed", "not_listening", "records", "plays", "library", "first", "last"
    ]  # fmt: skip
    assert report["report"]["plays"] == report["totals"]["plays"]
    assert set(report["report"]["set_apart"]) == {"podcast", "short", "unknown", "duplicate", "bad"}
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert set(by_name) == {history.name, broken.name}
    for f in report["files"]:
        assert list(f) == ["path", "format", "records", "kept", "bad", "error", "note"]
    assert by_name[history.name]["records"] == 3000 and by_name[history.name]["error"] is None
    assert by_name[broken.name]["error"]
    assert report["totals"]["files"] == 1 and report["totals"]["failed"] == 1  # files that loaded
    written = pd.read_csv(out)
    assert len(written) == report["totals"]["plays"] > 0
    assert set(S.PLAYS_COLUMNS) <= set(written.columns)


def test_ingest_counting_rule_and_all_failed(history, tmp_path, capsys):
    assert main(["ingest", str(history), "--json", "--min-ms", "0"]) == 0
    all_plays = _json_out(capsys)["totals"]["plays"]
    assert main(["ingest", str(history), "--json", "--min-ms", "10000000"]) == 0
    assert _json_out(capsys)["totals"]["plays"] < all_plays
    junk = tmp_path / "junk.json"
    junk.write_text("{", encoding="utf-8")
    assert main(["ingest", str(junk)]) == 1
    assert "ERROR" in capsys.readouterr().out


def test_catalog_match_json_shape(history, demo_dir, capsys):
    catalog = demo_dir / "catalog.parquet"
    args = ["catalog", "match", "--history", str(history), "--catalog", str(catalog)]
    assert main([*args, "--json"]) == 0
    summary = _json_out(capsys)
    assert list(summary) == ["counted_plays", "hours", "levels", "note"]
    rows = summary["levels"]
    assert [r["level"] for r in rows] == [
        "uri",
        "name",
        "fuzzy",
        "artist",
        "genre",
        "alongside",
        "none",
    ]
    assert [list(r) for r in rows] == [
        ["level", "plays", "share_plays", "hours", "share_time"]
    ] * len(rows)
    assert sum(r["share_plays"] for r in rows) == pytest.approx(1, abs=1e-3)
    matched = sum(r["share_plays"] for r in rows if r["level"] != "none")
    assert matched > 0.9  # the history is the demo's own listening
    assert main(args) == 0
    assert "share_plays" in capsys.readouterr().out


@pytest.fixture()
def catalog_server(demo_dir):
    from tests.catalog_fake import CatalogServer

    body = (demo_dir / "catalog.parquet").read_bytes()
    server = CatalogServer({"/demo.parquet": body})
    yield server.url, hashlib.sha256(body).hexdigest()
    server.close()


def test_catalog_fetch_prints_cached_path_and_progress(
    catalog_server, tmp_path, monkeypatch, capsys
):
    url, sha = catalog_server
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")  # off by default
    assert main(["catalog", "fetch", f"{url}/demo.parquet", "--sha256", sha, "--name", "demo"]) == 0
    captured = capsys.readouterr()
    path = Path(captured.out.strip())
    assert path.parent == tmp_path / "catalogs" and path.suffix == ".parquet"
    assert len(pd.read_parquet(path)) > 100
    assert "MB" in captured.err
    assert main(["catalog", "fetch", f"{url}/missing.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("musicrec: ") and "HTTP 404" in err


def test_recommend_demo_json_shape(capsys):
    assert main(["recommend", "--mood", "chill", "--hour", "23", "--k", "7", "--json"]) == 0
    rows = _json_out(capsys)
    assert len(rows) == 7
    assert [list(r) for r in rows] == [RECOMMENDATION_KEYS] * 7
    assert [r["rank"] for r in rows] == list(range(1, 8))
    assert all(r["reason"] for r in rows)


def test_recommend_from_a_history_and_catalog(history, demo_dir, capsys):
    args = ["recommend", "--history", str(history), "--catalog", str(demo_dir / "catalog.parquet")]
    assert main([*args, "--k", "5", "--activity", "workout"]) == 0
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert len(lines) == 5 and lines[0].startswith(" 1. ")


def test_recommend_users_writes_top_k(tmp_path):
    rows = [
        f"u{u}\ti{i}\t{1 + (u * i) % 7}" for u in range(12) for i in range(15) if (u + i) % 3 == 0
    ]
    (tmp_path / "train.tsv").write_text("user\titem\tweight\n" + "\n".join(rows) + "\n")
    out = tmp_path / "recs.tsv"
    assert (
        main(
            [
                "recommend-users",
                "--interactions",
                str(tmp_path / "train.tsv"),
                "--k",
                "4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    recs = pd.read_csv(out, sep="\t", dtype=str)
    assert list(recs.columns) == ["user", "item", "rank", "score"]
    train = {tuple(r.split("\t")[:2]) for r in rows}
    assert not any((u, i) in train for u, i in zip(recs["user"], recs["item"], strict=True))
    assert set(recs["rank"].astype(int)) == {1, 2, 3, 4}


def test_evaluate_json_shape(history, capsys):
    assert main(["evaluate", "--history", str(history), "--json"]) == 0
    result = _json_out(capsys)
    assert list(result) == ["sessions", "notes", "weights", "tables"]
    assert result["sessions"] > 0
    assert result["tables"], "at least one task is measured"
    for table in result["tables"].values():
        assert table and all(isinstance(row, dict) for row in table)


# --- only regular files are read ------------------------------------------------------------


def _limited_cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a process that may use at most 1.5 GB of address space, 60 s at most."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "musicrec.cli", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=ROOT, preexec_fn=limit)  # fmt: skip


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_ingest_dev_zero_is_refused_not_read():
    proc = _limited_cli("ingest", "/dev/zero", "--json")
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert "not a regular file" in report["error"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_ingest_fifo_named_json_does_not_hang(tmp_path, capsys):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    assert main(["ingest", str(fifo), "--json"]) == 1  # a hang would time the test out
    (report,) = _json_out(capsys)["files"]
    assert "not a regular file" in report["error"]
    assert main(["ingest", str(tmp_path), "--json"]) == 1  # in a folder it is not even listed
    assert _json_out(capsys)["files"] == []


def test_ingest_folder_does_not_follow_symlinks(history, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Streaming_History_Audio_secret.json").write_bytes(history.read_bytes())
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Streaming_History_Audio_2024.json").write_bytes(history.read_bytes())
    (folder / "Streaming_History_Audio_link.json").symlink_to(
        outside / "Streaming_History_Audio_secret.json"
    )
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    assert main(["ingest", str(folder), "--json"]) == 0
    report = _json_out(capsys)
    assert [Path(f["path"]).name for f in report["files"]] == ["Streaming_History_Audio_2024.json"]
    assert report["totals"]["records"] == 3000


# --- the listener's time zone ---------------------------------------------------------------


def test_unknown_time_zone_is_refused(capsys):
    assert main(["recommend", "--tz", "Mars/Olympus", "--k", "3"]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


def test_recommend_reads_habits_in_the_listeners_zone(history, demo_dir, capsys):
    base = ["recommend", "--history", str(history), "--catalog", str(demo_dir / "catalog.parquet"),
            "--hour", "8", "--k", "10", "--json"]  # fmt: skip
    lists = {}
    for tz in ("UTC", "Asia/Tokyo"):
        assert main([*base, "--tz", tz]) == 0
        lists[tz] = [r["track"] for r in _json_out(capsys)]
    # 08:00 in Tokyo is 23:00 UTC: the habits the context engine reads move with the zone
    assert len(lists["UTC"]) == len(lists["Asia/Tokyo"]) == 10
    assert lists["UTC"] != lists["Asia/Tokyo"]


def test_ingest_with_a_column_mapping(tmp_path, capsys):
    mine = tmp_path / "mine.csv"
    mine.write_text("When,Who,What\n2024-07-01 21:30,Björk,Jóga\n", encoding="utf-8")
    args = ["ingest", str(mine), "--map", "time=When,artist=Who,track=What"]
    assert main([*args, "--times-tz", "America/Mexico_City", "--json", "--min-ms", "0"]) == 0
    report = _json_out(capsys)
    assert report["files"][0]["format"] == "generic-csv" and report["totals"]["plays"] == 1
    assert report["totals"]["first"].startswith("2024-07-02T03:30")
    assert main([*args[:2], "--map", "when=When"]) == 2
    assert "not one of" in capsys.readouterr().err
