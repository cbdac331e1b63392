"""Connect Spotify: log in, import what the Web API still allows, save playlists. No Streamlit here.

What the API allows a development-mode app in 2026: the last 50 plays, top tracks and
artists (three time ranges), saved tracks, the user's own playlists and their items
(``/playlists/{id}/items``), creating a playlist (``POST /me/playlists``) and adding
items. No audio features, recommendations, related artists or batch reads; at most 5
allow-listed users; refresh tokens expire after 6 months. Only the data export holds
the full history.

Safety: one ``SpotifySession`` per browser session holds the token in memory
(spotipy's ``MemoryCacheHandler``), never in a ``.cache`` file or a shared object;
the ``state`` of the OAuth round trip is random and checked; spotipy's retries are off
so a multi-hour ``Retry-After`` never hangs the app. Data imported through the API
serves only this person's own profile and playlists: it is never added to a community
model (Spotify's Developer Policy forbids training models on Spotify content).

Where Spotify lives is configuration (``SpotifyConfig.accounts_url`` / ``api_url``,
env ``MUSICREC_SPOTIFY_ACCOUNTS_URL`` / ``MUSICREC_SPOTIFY_API_URL``), which is how the
tests point everything at a fake Spotify on 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth, SpotifyOauthError

from musicrec import schema as S
from musicrec.errors import SpotifyError

SCOPES = (
    "user-read-recently-played", "user-top-read", "user-library-read",
    "playlist-read-private", "playlist-read-collaborative", "playlist-modify-private",
)  # fmt: skip
TIME_RANGES = ("short_term", "medium_term", "long_term")
SOURCE_PREFIX = "spotify-api:"


# --- logs never carry secrets -----------------------------------------------------------------

QUIET_LOGGERS = (
    "spotipy", "spotipy.client", "spotipy.oauth2", "spotipy.cache_handler", "spotipy.util",
    "urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry",
    "urllib3.response", "requests",
)  # fmt: skip
"""Loggers of the HTTP stack under spotipy. Their DEBUG lines hold the client secret (the Basic
authorization header), the code, bearer and refresh tokens and whole API answers."""

_SECRET_PATTERNS = (
    (re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (
        re.compile(
            r"(?i)([\"']?\b(?:access_token|refresh_token|client_secret|code|authorization)[\"']?"
            r"\s*[:=]\s*[\"']?)[^\"'&,\s}]+"
        ),
        r"\1[redacted]",
    ),
)


class _SecretFilter(logging.Filter):
    """Drops the HTTP stack's records below WARNING; redacts credentials from the rest.

    Attached to each logger in ``QUIET_LOGGERS`` itself, so it holds even when someone sets
    one of them (or the root logger) to DEBUG.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        text = record.getMessage()
        for pattern, replacement in _SECRET_PATTERNS:
            text = pattern.sub(replacement, text)
        record.msg, record.args = text, None
        return True


def quiet_http_logs() -> None:
    """Install the secret filter on every logger of ``QUIET_LOGGERS`` (idempotent)."""
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _SecretFilter) for f in logger.filters):
            logger.addFilter(_SecretFilter())
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


quiet_http_logs()


class NotConfigured(SpotifyError):
    """No client id/secret: the app runs without Spotify."""


class StateMismatch(SpotifyError):
    """The OAuth ``state`` that came back is not the one we sent."""


class RateLimited(SpotifyError):
    """429: too many requests; ``retry_after`` seconds as Spotify said."""

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotAllowListed(SpotifyError):
    """403 for a user who is not on the app's allow-list."""


class AuthExpired(SpotifyError):
    """The token is expired or revoked (401, or ``invalid_grant`` on refresh): log in again."""


class SpotifyUnavailable(SpotifyError):
    """Spotify could not be reached (network error, timeout)."""


@dataclass(frozen=True)
class SpotifyConfig:
    """Where and how to talk to Spotify. Secrets come from env or ``st.secrets``, never from files in the repo."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str = "http://127.0.0.1:8501/"
    accounts_url: str = "https://accounts.spotify.com"
    api_url: str = "https://api.spotify.com/v1/"
    scopes: tuple[str, ...] = SCOPES
    timeout: float = 10.0
    """Seconds per request."""
    max_wait: int = 5
    """A 429 asking to wait longer than this many seconds fails at once with RateLimited."""

    @classmethod
    def from_env(cls, secrets_: Mapping | None = None) -> SpotifyConfig:
        """From ``SPOTIPY_CLIENT_ID`` / ``SPOTIPY_CLIENT_SECRET`` / ``SPOTIPY_REDIRECT_URI`` (env or secrets).

        Raises:
            NotConfigured: when no client id or secret is set.
        """

        def get(key: str, default: str | None = None) -> str | None:
            if secrets_ is not None and key in secrets_:
                return str(secrets_[key])
            return os.environ.get(key, default)

        cid, secret = get("SPOTIPY_CLIENT_ID"), get("SPOTIPY_CLIENT_SECRET")
        if not cid or not secret:
            raise NotConfigured(
                "Spotify is not set up: set SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET (env or .streamlit/secrets.toml); "
                "see the README section “Connect Spotify”."
            )
        return cls(
            client_id=cid, client_secret=secret,
            redirect_uri=get("SPOTIPY_REDIRECT_URI", cls.redirect_uri) or cls.redirect_uri,
            accounts_url=get("MUSICREC_SPOTIFY_ACCOUNTS_URL", cls.accounts_url) or cls.accounts_url,
            api_url=get("MUSICREC_SPOTIFY_API_URL", cls.api_url) or cls.api_url,
        )  # fmt: skip


def new_state() -> str:
    """A random, unguessable OAuth ``state``."""
    return secrets.token_urlsafe(24)


BROWSER_COOKIE = "_streamlit_xsrf"
"""Streamlit's XSRF cookie (on by default, ``SameSite=Lax``): set once per browser, sent with
the top-level redirect back from Spotify, so it names the browser that started a log-in."""


def browser_key(cookies: Mapping[str, str]) -> str:
    """A hashed, stable id of the browser that sent ``cookies`` ("" when it sent none).

    The XSRF cookie is re-masked on every response (``2|mask|masked token|time``); the token
    under the mask is what stays the same, so that is what is hashed.
    """
    import hashlib

    raw = cookies.get(BROWSER_COOKIE)
    if not isinstance(raw, str) or not raw:
        return ""
    parts = raw.split("|")
    token = raw.encode()
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            mask = masked = b""
        if mask:
            token = bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked))
    return hashlib.sha256(b"musicrec-browser\0" + token).hexdigest()


class PendingLogins:
    """OAuth states waiting for Spotify's redirect back, each bound to the browser that asked.

    One instance serves the whole server (the redirect back opens a new app session, so the
    state cannot live in the session that made it). A state is redeemed once, only from the
    browser that it was issued to, and only within ``ttl_s``. A session asking again from the
    same browser while its state is still pending gets the same state back, and expired or
    excess states are pruned, so page renders never pile up states. Thread-safe.
    """

    def __init__(
        self, ttl_s: float = 600, max_pending: int = 1000, clock: Callable[[], float] = time.time
    ) -> None:
        self.ttl_s = ttl_s
        self.max_pending = max_pending
        self.clock = clock
        self._by_state: OrderedDict[str, tuple[float, str, str]] = OrderedDict()
        self._by_asker: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._prune(self.clock())
            return len(self._by_state)

    def _drop(self, state: str) -> None:
        _, browser, session = self._by_state.pop(state)
        if self._by_asker.get((session, browser)) == state:
            del self._by_asker[(session, browser)]

    def _prune(self, now: float) -> None:
        while self._by_state:
            state, (issued, _, _) = next(iter(self._by_state.items()))
            if now - issued <= self.ttl_s and len(self._by_state) <= self.max_pending:
                break
            self._drop(state)

    def issue(self, browser: str, session: str) -> str:
        """The state for a log-in started by ``session`` in ``browser`` (see ``browser_key``)."""
        with self._lock:
            now = self.clock()
            self._prune(now)
            state = self._by_asker.get((session, browser))
            if state is not None:
                return state
            state = new_state()
            self._by_state[state] = (now, browser, session)
            self._by_asker[(session, browser)] = state
            self._prune(now)
            return state

    def redeem(self, state: str | None, browser: str) -> bool:
        """True once, if ``state`` was issued to ``browser`` less than ``ttl_s`` ago.

        A state that comes back from another browser is refused (and stays usable by its own
        browser): that is a link crafted to log someone into the sender's account.
        """
        import hmac

        with self._lock:
            now = self.clock()
            self._prune(now)
            entry = self._by_state.get(state or "")
            if entry is None or not hmac.compare_digest(entry[1], browser):
                return False
            self._drop(state)
            return True


def _oauth_class(config: SpotifyConfig) -> type[SpotifyOAuth]:
    """SpotifyOAuth pointed at the configured accounts service (its documented class attributes)."""
    base = config.accounts_url.rstrip("/")
    return type("ConfiguredSpotifyOAuth", (SpotifyOAuth,), {
        "OAUTH_AUTHORIZE_URL": f"{base}/authorize", "OAUTH_TOKEN_URL": f"{base}/api/token",
    })  # fmt: skip


@dataclass(frozen=True)
class SaveResult:
    """What ``save_playlist`` did."""

    playlist_id: str
    playlist_url: str | None
    added: int
    skipped: list[str]
    """Tracks without a Spotify URI (name "artist - track"), reported, not silently dropped."""


class SpotifySession:
    """One person's Spotify connection; keep it in that browser session's state only."""

    def __init__(self, config: SpotifyConfig) -> None:
        self.config = config
        self._cache = MemoryCacheHandler()
        self._auth = _oauth_class(config)(
            client_id=config.client_id, client_secret=config.client_secret, redirect_uri=config.redirect_uri,
            scope=" ".join(config.scopes), cache_handler=self._cache, open_browser=False,
            requests_timeout=config.timeout, show_dialog=True,
        )  # fmt: skip
        self._client: spotipy.Spotify | None = None

    # -- log in ----------------------------------------------------------------------------
    def authorize_url(self, state: str) -> str:
        """The URL to send the person to (Authorization Code flow, our random ``state``)."""
        self._auth.state = state
        return self._auth.get_authorize_url(state=state)

    def exchange(self, code: str, state: str | None, expected_state: str | None) -> None:
        """Trade the returned ``code`` for a token after checking ``state``."""
        if not expected_state or state != expected_state:
            raise StateMismatch(
                "The Spotify log-in came back with an unexpected state: please try connecting again."
            )
        try:
            self._auth.get_access_token(code, as_dict=False, check_cache=False)
        except SpotifyOauthError as exc:
            raise AuthExpired(
                f"Spotify refused the log-in ({exc.error or exc}): please connect again."
            ) from None
        except requests.RequestException as exc:
            raise SpotifyUnavailable(
                f"Could not reach Spotify to finish logging in ({type(exc).__name__})."
            ) from None

    @property
    def connected(self) -> bool:
        return self._cache.get_cached_token() is not None

    def disconnect(self) -> None:
        """Forget the token (the caller deletes imported data from its session)."""
        self._cache.token_info = None
        self._client = None

    # -- calls -----------------------------------------------------------------------------
    def _sp(self) -> spotipy.Spotify:
        if not self.connected:
            raise AuthExpired("Not connected to Spotify: log in first.")
        if self._client is None:
            # No automatic retries at all: spotipy's default retries 429s and honours Retry-After,
            # which can hang for hours. status_forcelist must be non-empty (an empty one means
            # "default"), so it names a status Spotify never sends; 429 then reaches us with its headers.
            sp = spotipy.Spotify(auth_manager=self._auth, requests_timeout=self.config.timeout,
                                 retries=0, status_retries=0, backoff_factor=0, status_forcelist=(599,))  # fmt: skip
            sp.prefix = (
                self.config.api_url
                if self.config.api_url.endswith("/")
                else self.config.api_url + "/"
            )
            self._client = sp
        return self._client

    def _call(self, fn: Callable, *args, **kwargs):
        """Run one API call and translate failures into our named errors."""
        try:
            return fn(*args, **kwargs)
        except spotipy.SpotifyException as exc:
            raise self._translate(exc) from None
        except SpotifyOauthError as exc:
            self.disconnect()
            raise AuthExpired(
                f"Your Spotify log-in has expired or was revoked ({exc.error or 'error'}): please connect again."
            ) from None
        except requests.RequestException as exc:
            raise SpotifyUnavailable(
                f"Could not reach Spotify ({type(exc).__name__}); your uploaded data still works."
            ) from None

    def _translate(self, exc: spotipy.SpotifyException) -> SpotifyError:
        status = exc.http_status
        headers = exc.headers or {}
        if status == 429:
            raw = headers.get("Retry-After") or headers.get("retry-after")
            wait = int(raw) if raw and str(raw).isdigit() else None
            when = (
                f" (Spotify asks to wait {wait // 60} min)"
                if wait and wait >= 60
                else (f" (wait {wait} s)" if wait else "")
            )
            return RateLimited(
                f"Spotify is rate-limiting this app{when}; try again later. Your uploaded data still works.",
                wait,
            )
        if status == 401:
            self.disconnect()
            return AuthExpired("Your Spotify log-in has expired: please connect again.")
        if status == 403:
            return NotAllowListed(
                "Spotify refused access (403). A development-mode Spotify app serves at most 5 users, and only "
                "those on its allow-list (Dashboard → your app → User Management): ask the app owner to add your account."
            )
        return SpotifyError(f"Spotify answered HTTP {status}: {exc.msg}")

    def _pages(self, first: dict) -> list[dict]:
        items, page = list(first.get("items") or []), first
        while page.get("next"):
            page = self._call(self._sp().next, page)
            items += page.get("items") or []
        return items

    def profile(self) -> dict:
        """The person's profile (``id``, ``display_name``)."""
        return self._call(self._sp().me)

    # -- import ----------------------------------------------------------------------------
    def import_all(
        self, progress: Callable[[float, str], None] | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Recently played -> PLAYS; top tracks/artists, saved tracks, own playlists -> LIBRARY.

        Every row's SOURCE says which endpoint it came from ("spotify-api:recently-played"...).
        """
        step = (lambda f, m: progress(f, m)) if progress else (lambda f, m: None)
        sp = self._sp()
        me = self.profile()
        step(0.1, "Recently played")
        recent = self._call(sp.current_user_recently_played, limit=50).get("items") or []
        plays = _plays_from_recent(recent)
        lib: list[dict] = []
        for i, rng in enumerate(TIME_RANGES):
            step(0.2 + 0.1 * i, f"Top tracks and artists ({rng})")
            for t in (
                self._call(sp.current_user_top_tracks, limit=50, time_range=rng).get("items") or []
            ):
                lib.append(_track_row(t, "top", f"top tracks · {rng}", "top-tracks"))
            for a in (
                self._call(sp.current_user_top_artists, limit=50, time_range=rng).get("items") or []
            ):
                lib.append({S.LIB_KIND: "top", S.PLAYLIST: f"top artists · {rng}", S.ARTIST: a.get("name"),
                            S.SOURCE: SOURCE_PREFIX + "top-artists"})  # fmt: skip
        step(0.55, "Saved tracks")
        for it in self._pages(self._call(sp.current_user_saved_tracks, limit=50)):
            lib.append(
                {
                    **_track_row(it.get("track") or {}, "liked", None, "saved-tracks"),
                    S.ADDED_AT: it.get("added_at"),
                }
            )
        step(0.7, "Your playlists")
        playlists = [p for p in self._pages(self._call(sp.current_user_playlists, limit=50))
                     if (p.get("owner") or {}).get("id") == me.get("id") or p.get("collaborative")]  # fmt: skip
        for n, pl in enumerate(playlists):
            step(0.7 + 0.3 * n / max(len(playlists), 1), f"Playlist {pl.get('name')}")
            for entry in self._pages(self._call(sp.playlist_items, pl["id"], limit=50)):
                track = entry.get("item") or entry.get("track") or {}
                if track.get("type", "track") != "track":
                    continue
                lib.append(
                    {
                        **_track_row(track, "playlist", pl.get("name"), "playlist-items"),
                        S.ADDED_AT: entry.get("added_at"),
                    }
                )
        step(1.0, "Done")
        library = pd.DataFrame(lib, columns=list(S.LIBRARY_COLUMNS)) if lib else S.empty_library()
        library[S.ADDED_AT] = pd.to_datetime(library[S.ADDED_AT], utc=True, errors="coerce")
        return plays, S.as_library(library, "Spotify library")

    # -- export ----------------------------------------------------------------------------
    def save_playlist(
        self, name: str, recs: pd.DataFrame, description: str = "Made with musicrec"
    ) -> SaveResult:
        """Create a private playlist and add the tracks that have a Spotify URI, in chunks of 100.

        Needs recs columns track, artist, track_uri.
        """
        sp = self._sp()
        uris = recs[S.TRACK_URI].astype("string")
        ok = uris.str.fullmatch(r"spotify:track:[A-Za-z0-9]{22}").fillna(False).to_numpy(dtype=bool)
        skipped = (
            recs.loc[~ok, S.ARTIST].astype(str) + " - " + recs.loc[~ok, S.TRACK].astype(str)
        ).tolist()
        created = self._call(
            sp.current_user_playlist_create, name, public=False, description=description
        )
        good = uris[ok].tolist()
        for start in range(0, len(good), 100):
            self._call(sp.playlist_add_items, created["id"], good[start : start + 100])
        return SaveResult(
            created["id"], (created.get("external_urls") or {}).get("spotify"), len(good), skipped
        )


def _track_row(track: dict, kind: str, playlist: str | None, endpoint: str) -> dict:
    artists = track.get("artists") or []
    return {
        S.LIB_KIND: kind, S.PLAYLIST: playlist, S.TRACK: track.get("name"),
        S.ARTIST: artists[0].get("name") if artists else None, S.ALBUM: (track.get("album") or {}).get("name"),
        S.TRACK_URI: track.get("uri"), S.ADDED_AT: None, S.SOURCE: SOURCE_PREFIX + endpoint,
    }  # fmt: skip


def _plays_from_recent(items: list[dict]) -> pd.DataFrame:
    """Recently played -> PLAYS (ms_played = track duration: the API says a track was played, not for how long)."""
    if not items:
        return S.empty_plays()
    rows = []
    for it in items:
        t = it.get("track") or {}
        artists = t.get("artists") or []
        rows.append({S.TS: it.get("played_at"), S.TRACK: t.get("name"), S.ARTIST: artists[0].get("name") if artists else None,
                     S.ALBUM: (t.get("album") or {}).get("name"), S.MS_PLAYED: t.get("duration_ms"),
                     S.TRACK_URI: t.get("uri"), S.KIND: S.KIND_MUSIC, S.SOURCE: SOURCE_PREFIX + "recently-played"})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame[S.TS] = pd.to_datetime(frame[S.TS], utc=True, format="ISO8601", errors="coerce")
    return S.as_plays(frame, "Spotify recently played").dropna(subset=[S.TS])
