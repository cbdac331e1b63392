"""Artist genres and tags from MusicBrainz's public web service, only when the person allows it.

What leaves the machine: artist names, one per search, nothing else (no plays, no
track titles, no account). MusicBrainz asks for at most one request per second and a
descriptive User-Agent; both are enforced here, for every request of the process.

Each artist costs two requests: a search (``/ws/2/artist?query=artist:"NAME"&fmt=json``)
and, for an exact match, a lookup with ``inc=genres+tags``. Results go to a JSON-lines
cache in the per-user data directory (``MUSICREC_DATA_DIR`` overrides it), so a run that
stops (closed tab, rate limit, network) resumes where it left off and an artist is never
asked twice.

Outcomes per artist (``status``): ``ok``; ``no-match`` (no artist of that name);
``ambiguous`` (two or more artists share the name and nothing tells them apart, i.e.
not exactly one of them has community tags: no genre, since "unknown" beats a wrong label); ``rate-limited`` or ``error`` (retried by
the next run). The base URL is a setting (``MusicBrainzConfig.base_url``), never an
address a visitor types.

Public API:
    MusicBrainzConfig, data_dir(), MusicBrainzCache(path)
    artists_by_listening(plays, limit) -> names covering most listening time
    fetch_artists(names, cache, config, progress=None, stop=None) -> FetchReport
    evidence(cache, names=None) -> EVIDENCE frame for musicrec.genres
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from musicrec import genres as G
from musicrec import schema as S
from musicrec.matching import normalise_name

STATUS_OK = "ok"
STATUS_NO_MATCH = "no-match"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_RATE_LIMITED = "rate-limited"
STATUS_ERROR = "error"
FINAL_STATUSES = frozenset({STATUS_OK, STATUS_NO_MATCH, STATUS_AMBIGUOUS})


@dataclass(frozen=True)
class MusicBrainzConfig:
    """Where and how politely to ask MusicBrainz."""

    base_url: str = "https://musicbrainz.org/ws/2"
    """The web service root (tests point it at a fake on 127.0.0.1)."""
    user_agent: str = "musicrec/0.1 (local music recommender; https://github.com/musicrec/musicrec)"
    """Descriptive User-Agent, as MusicBrainz's rules ask."""
    min_interval: float = 1.0
    """Seconds between two requests (MusicBrainz allows one per second)."""
    timeout: float = 10.0
    """Socket timeout per request, in seconds."""
    retries: int = 2
    """Extra tries after a 503 (rate limit) reply, waiting Retry-After or ``backoff``."""
    backoff: float = 2.0
    """Seconds to wait after a 503 without Retry-After (doubled each retry)."""
    min_score: int = 90
    """Search score (0-100) a candidate needs to count as the artist."""
    min_tag_count: int = 1
    """A tag needs this many votes to count."""
    evidence_weight: float = 1.0
    """Weight of a MusicBrainz genre list in ``musicrec.genres`` (like one Spotify artist list)."""


DEFAULT_MUSICBRAINZ = MusicBrainzConfig()
HOST = "musicbrainz.org"
"""The only host this module ever contacts (plus hosts in ``MUSICREC_FETCH_ALLOW_HOSTS``, for tests)."""
URL_ENV = "MUSICREC_MUSICBRAINZ_URL"
"""Environment variable: a web-service root for tests (a fake on 127.0.0.1); used only when
its host is in ``MUSICREC_FETCH_ALLOW_HOSTS``."""


def _allowed_hosts() -> frozenset[str]:
    from musicrec.catalog_sources import default_rules

    return frozenset({HOST}) | default_rules().allow_hosts


def host_allowed(url: str) -> bool:
    """True when ``url`` is https on musicbrainz.org, or on a host the test allow-list names."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == HOST:
        return parts.scheme == "https"
    return host in _allowed_hosts() and parts.scheme in ("http", "https")


def config_from_env() -> MusicBrainzConfig:
    """The app's settings: MusicBrainz itself, or the test root named in ``MUSICREC_MUSICBRAINZ_URL``
    when its host is allowed."""
    url = os.environ.get(URL_ENV, "")
    if url and host_allowed(url):
        return MusicBrainzConfig(base_url=url)
    return DEFAULT_MUSICBRAINZ


def cache_path(user: str | None = None) -> Path:
    """Where the answers are kept: the per-user data directory, or one folder per person when the
    app is served (``user``: an opaque session key, hashed into the folder name)."""
    import hashlib

    base = data_dir() / "musicbrainz"
    if user is not None:
        base = base / "people" / hashlib.sha256(user.encode()).hexdigest()[:24]
    return base / "artists.jsonl"


def data_dir() -> Path:
    """The per-user data directory (``MUSICREC_DATA_DIR`` overrides it)."""
    root = os.environ.get("MUSICREC_DATA_DIR")
    if root:
        return Path(root)
    import platformdirs

    return Path(platformdirs.user_data_dir("musicrec"))


class _Pacer:
    """At most one request per ``interval`` seconds across every thread of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0.0

    def wait(self, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._last + interval - now
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()


_PACER = _Pacer()


class MusicBrainzCache:
    """Answers per artist name in a JSON-lines file; the last line for a name wins."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "musicbrainz" / "artists.jsonl"
        self._lock = threading.Lock()
        self._rows: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a crash: that artist is simply asked again
                if isinstance(row, dict) and isinstance(row.get("key"), str):
                    self._rows[row["key"]] = row

    def get(self, key: str) -> dict | None:
        """The cached answer for a normalised artist name, or None."""
        return self._rows.get(key)

    def put(self, row: dict) -> None:
        """Store one answer (needs ``key``) and append it to the file."""
        with self._lock:
            self._rows[row["key"]] = row
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def rows(self) -> list[dict]:
        """Every cached answer."""
        return list(self._rows.values())


@dataclass
class FetchReport:
    """What a fetch run did, in counts per status, plus the names still to ask."""

    asked: int = 0
    cached: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    stopped: bool = False

    def summary(self) -> str:
        """One plain sentence for the page."""
        c = self.counts
        parts = [
            f"{c.get(STATUS_OK, 0)} with genres",
            f"{c.get(STATUS_NO_MATCH, 0)} not found",
            f"{c.get(STATUS_AMBIGUOUS, 0)} left out because several artists share the name",
        ]
        failed = c.get(STATUS_RATE_LIMITED, 0) + c.get(STATUS_ERROR, 0)
        if failed:
            parts.append(f"{failed} not answered (busy or unreachable; they are retried next time)")
        head = f"Asked MusicBrainz about {self.asked} artists ({self.cached} already known): "
        tail = " Stopped before the end; run it again to continue." if self.stopped else ""
        return head + ", ".join(parts) + "." + tail


class MusicBrainzError(Exception):
    """One request failed; ``status`` says how (rate-limited or error)."""

    def __init__(self, status: str, message: str) -> None:
        self.status = status
        super().__init__(message)


class _SameHostsRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an allowed host; any other ends the request (an HTTP error)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not host_allowed(newurl):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _get(url: str, config: MusicBrainzConfig) -> dict:
    """GET a JSON document, paced, retrying 503s; raises MusicBrainzError.

    Only ``HOST`` (over https) or a host of the test allow-list is ever contacted; any other
    URL is refused before a connection is made.
    """
    if not host_allowed(url):
        raise MusicBrainzError(STATUS_ERROR, f"only {HOST} is asked; this address is not allowed")
    host = urllib.parse.urlparse(url).hostname or ""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({})
        if host in ("127.0.0.1", "localhost")
        else urllib.request.ProxyHandler(),
        _SameHostsRedirect(),
    )
    wait = config.backoff
    for attempt in range(config.retries + 1):
        _PACER.wait(config.min_interval)
        req = urllib.request.Request(
            url, headers={"User-Agent": config.user_agent, "Accept": "application/json"}
        )
        try:
            with opener.open(req, timeout=config.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 503 and attempt < config.retries:
                retry = exc.headers.get("Retry-After", "") if exc.headers else ""
                time.sleep(float(retry) if retry.isdigit() else wait)
                wait *= 2
                continue
            status = STATUS_RATE_LIMITED if exc.code == 503 else STATUS_ERROR
            raise MusicBrainzError(status, f"MusicBrainz answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MusicBrainzError(STATUS_ERROR, f"MusicBrainz did not answer ({reason})") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MusicBrainzError(
                STATUS_ERROR, "MusicBrainz sent something that is not JSON"
            ) from None
    raise MusicBrainzError(STATUS_RATE_LIMITED, "MusicBrainz is busy (HTTP 503)")


def _labels(doc: dict, key: str, min_count: int) -> list[list]:
    out = []
    for t in doc.get(key) or []:
        if isinstance(t, dict) and isinstance(t.get("name"), str):
            count = t.get("count") if isinstance(t.get("count"), int) else 0
            if count >= min_count:
                out.append([t["name"].strip().lower(), count])
    return sorted(out, key=lambda x: -x[1])


def lookup_artist(name: str, config: MusicBrainzConfig = DEFAULT_MUSICBRAINZ) -> dict:
    """Ask MusicBrainz about one artist name; returns the cache row (status and genres/tags).

    Raises:
        MusicBrainzError: on a failed request (the caller records it as retryable).
    """
    key = normalise_name(pd.Series([name])).iloc[0]
    query = urllib.parse.urlencode(
        {"query": f'artist:"{name.replace(chr(34), " ")}"', "fmt": "json", "limit": 5}
    )
    found = _get(f"{config.base_url.rstrip('/')}/artist?{query}", config)
    candidates = [
        a
        for a in found.get("artists") or []
        if isinstance(a, dict)
        and isinstance(a.get("name"), str)
        and int(a.get("score") or 0) >= config.min_score
        and normalise_name(pd.Series([a["name"]])).iloc[0] == key
    ]
    row = {"key": key, "name": name, "fetched": time.time()}
    if not candidates:
        return row | {"status": STATUS_NO_MATCH}
    if len(candidates) > 1:
        # namesakes: keep the one the community has tagged, if only one has tags
        tagged = [a for a in candidates if a.get("tags")]
        if len(tagged) != 1:
            return row | {"status": STATUS_AMBIGUOUS, "candidates": len(candidates)}
        candidates = tagged
    mbid = str(candidates[0].get("id", ""))
    if not mbid or not all(c.isalnum() or c == "-" for c in mbid):
        return row | {"status": STATUS_NO_MATCH}
    doc = _get(f"{config.base_url.rstrip('/')}/artist/{mbid}?inc=genres+tags&fmt=json", config)
    return row | {
        "status": STATUS_OK,
        "mbid": mbid,
        "genres": _labels(doc, "genres", config.min_tag_count),
        "tags": _labels(doc, "tags", config.min_tag_count),
    }


def artists_by_listening(plays: pd.DataFrame, limit: int = 200) -> list[str]:
    """The artists covering most listening time, most first (at most ``limit``).

    Needs artist and ms_played (listening time; one per play in a history without durations).
    """
    if plays.empty:
        return []
    ms = S.listening_weights(plays)[0]
    names = plays[S.ARTIST].astype("string")
    total = ms.groupby(names.to_numpy()).sum().sort_values(ascending=False, kind="stable")
    return [str(a) for a in total.index[:limit] if str(a).strip()]


def fetch_artists(
    names: Iterable[str],
    cache: MusicBrainzCache,
    config: MusicBrainzConfig = DEFAULT_MUSICBRAINZ,
    progress: Callable[[int, int, str], None] | None = None,
    stop: threading.Event | None = None,
) -> FetchReport:
    """Ask MusicBrainz about every name the cache has no final answer for.

    Args:
        names: artist display names, most important first.
        cache: where answers are read from and written to (resumable).
        config: base URL, pacing, retries.
        progress: called with (done, total, artist name) after each artist.
        stop: set it to stop after the current artist (a background run can be cancelled).

    Returns:
        A FetchReport; ``pending`` lists the names still without a final answer.
    """
    names = list(dict.fromkeys(n for n in names if isinstance(n, str) and n.strip()))
    keys = normalise_name(pd.Series(names, dtype="string")).tolist() if names else []
    report = FetchReport()
    todo = []
    for name, key in zip(names, keys, strict=True):
        row = cache.get(key)
        if row is not None and row.get("status") in FINAL_STATUSES:
            report.cached += 1
            report.counts[row["status"]] = report.counts.get(row["status"], 0) + 1
        elif key:
            todo.append(name)
    report.asked = len(names)
    for i, name in enumerate(todo):
        if stop is not None and stop.is_set():
            report.stopped = True
            report.pending = todo[i:]
            break
        try:
            row = lookup_artist(name, config)
        except MusicBrainzError as exc:
            key = normalise_name(pd.Series([name])).iloc[0]
            row = {"key": key, "name": name, "status": exc.status, "error": str(exc)}
            report.pending.append(name)
        cache.put(row)
        report.counts[row["status"]] = report.counts.get(row["status"], 0) + 1
        if progress is not None:
            progress(i + 1, len(todo), name)
    return report


def evidence(
    cache: MusicBrainzCache, config: MusicBrainzConfig = DEFAULT_MUSICBRAINZ
) -> pd.DataFrame:
    """EVIDENCE rows (``musicrec.genres``) from the cached answers: genres, else tags.

    MusicBrainz genres are a curated vocabulary; tags are free text and used only for
    artists without genres. Each artist's list counts like one artist-genre list.
    """
    rows = []
    for row in cache.rows():
        if row.get("status") != STATUS_OK:
            continue
        labels = row.get("genres") or row.get("tags") or []
        for label, _count in labels[:8]:
            rows.append((row["key"], label, config.evidence_weight, "artist"))
    frame = pd.DataFrame(rows, columns=list(G.EVIDENCE_COLUMNS))
    return frame.astype(
        {G.ARTIST_KEY: object, G.LABEL: object, G.EVIDENCE_WEIGHT: float, G.EVIDENCE_KIND: object}
    )


def coverage_of(cache: MusicBrainzCache, plays: pd.DataFrame) -> float:
    """Share of listening time whose artist has a MusicBrainz genre in the cache."""
    if plays.empty:
        return 0.0
    ok = {r["key"] for r in cache.rows() if r.get("status") == STATUS_OK and r.get("genres")}
    keys = G.normalise_unique(plays[S.ARTIST])
    ms = S.listening_weights(plays)[0].to_numpy()
    hit = np.isin(keys, list(ok))
    return float(ms[hit].sum() / ms.sum()) if ms.sum() > 0 else 0.0
