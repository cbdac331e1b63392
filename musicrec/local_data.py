"""A person's data kept on their own machine between visits: history, catalog choice, feedback.

On a person's own machine the app keeps what they loaded, so a refresh or a restart shows
their data again instead of the demo. Everything lives under one folder, ``data_dir()``:

    history/plays.parquet, history/library.parquet, history/shows.parquet (the shows found),
    history/reports.json, history/load.json,
    history/choices.json (artists moved between music and shows, a zone per period)
    catalog/catalog.parquet, catalog/community.parquet, catalog/name.json
    feedback.sqlite3 (likes and dislikes, see ``musicrec.feedback``; forgotten through it)

``MUSICREC_DATA_DIR`` moves the folder (tests use temporary ones). Rows imported through
the Spotify API are never written here: they live only in the session and go when it ends
or Spotify is disconnected. When the app is served to several people (``served()``),
nothing personal is kept at all: each visitor's data lives only in their session.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from musicrec.history import FileReport, IngestResult
from musicrec.history.podcasts import SHOW_COLUMNS

SERVED_ENV = "MUSICREC_SERVED"
DATA_DIR_ENV = "MUSICREC_DATA_DIR"
_TRUE = {"1", "true", "yes", "on"}
CHOICE_KEYS = ("music_artists", "show_artists", "zone_periods")
"""What ``save_choices`` keeps: artists moved back to music, artists set apart as shows,
and the zones accepted per period as [start ISO, end ISO, IANA zone]."""


def data_dir() -> Path:
    """``$MUSICREC_DATA_DIR``, else the per-user data directory (e.g. ~/.local/share/musicrec)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("musicrec"))


def served(secrets: Mapping | None = None) -> bool:
    """True when the app is served to several people, so nothing personal may be kept.

    Set by the environment (``MUSICREC_SERVED=1``) or by Streamlit secrets
    (``[musicrec]`` ``served = true`` in ``.streamlit/secrets.toml``).
    """
    if os.environ.get(SERVED_ENV, "").strip().lower() in _TRUE:
        return True
    section = (secrets or {}).get("musicrec") or {}
    value = section.get("served", False) if isinstance(section, Mapping) else False
    return value is True or str(value).strip().lower() in _TRUE


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)  # a crash mid-write never leaves half a file behind


def _write_json(value: object, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    tmp.replace(path)


def _tuple(value: object) -> tuple[str, ...]:
    """A list-like cell (a tuple, a list, an array read back from Parquet) as a tuple of text."""
    if value is None or isinstance(value, float | str):
        return ()
    return tuple(str(v) for v in value)


def _load_facts(result: IngestResult) -> dict:
    """The load's own plain counts (e.g. duplicates found), beside the tables and reports."""
    facts = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name in ("plays", "library", "reports"):
            continue
        if isinstance(value, int | float | str | bool) or (
            isinstance(value, tuple) and all(isinstance(v, str) for v in value)
        ):
            facts[f.name] = list(value) if isinstance(value, tuple) else value
    return facts


class LocalData:
    """The folder that keeps one person's data on their own machine."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else data_dir()

    @property
    def history_dir(self) -> Path:
        return self.root / "history"

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalog"

    def save_history(self, result: IngestResult | None) -> None:
        """Keep ``result`` (without rows from the Spotify API); None forgets the history."""
        from musicrec.spotify_import import without_spotify

        if result is None:
            shutil.rmtree(self.history_dir, ignore_errors=True)
            return
        kept = without_spotify(result)
        self.history_dir.mkdir(parents=True, exist_ok=True)
        _write_parquet(kept.plays, self.history_dir / "plays.parquet")
        _write_parquet(kept.library, self.history_dir / "library.parquet")
        shows = kept.shows.assign(episodes=[list(_tuple(e)) for e in kept.shows["episodes"]])
        _write_parquet(shows, self.history_dir / "shows.parquet")
        _write_json([r.as_dict() for r in kept.reports], self.history_dir / "reports.json")
        _write_json(_load_facts(kept), self.history_dir / "load.json")

    def load_history(self) -> IngestResult | None:
        """The kept history, or None when there is none (or it cannot be read any more)."""
        folder = self.history_dir
        if not (folder / "plays.parquet").exists():
            return None
        try:
            plays = pd.read_parquet(folder / "plays.parquet")
            library = pd.read_parquet(folder / "library.parquet")
            names = {f.name for f in dataclasses.fields(FileReport)}
            reports = [
                FileReport(**{k: v for k, v in r.items() if k in names})
                for r in json.loads((folder / "reports.json").read_text(encoding="utf-8"))
            ]
            shows_path = folder / "shows.parquet"
            shows = pd.read_parquet(shows_path) if shows_path.exists() else None
            facts_path = folder / "load.json"
            facts = (
                json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else {}
            )
        except (OSError, ValueError, TypeError):  # damaged or from an older version: start clean
            return None
        known = {f.name for f in dataclasses.fields(IngestResult)}
        extra = {k: tuple(v) if isinstance(v, list) else v for k, v in facts.items() if k in known}
        if shows is not None and set(SHOW_COLUMNS) <= set(shows.columns):
            extra["shows"] = shows.assign(episodes=[_tuple(e) for e in shows["episodes"]])
        return IngestResult(plays=plays, library=library, reports=reports, **extra)

    def save_choices(self, choices: Mapping[str, list]) -> None:
        """Keep the person's choices about their history: ``CHOICE_KEYS`` -> lists (see there)."""
        self.history_dir.mkdir(parents=True, exist_ok=True)
        _write_json(
            {k: list(choices.get(k, [])) for k in CHOICE_KEYS}, self.history_dir / "choices.json"
        )

    def load_choices(self) -> dict[str, list]:
        """The kept choices (``CHOICE_KEYS``); empty lists for what is missing or unreadable."""
        try:
            raw = json.loads((self.history_dir / "choices.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        raw = raw if isinstance(raw, dict) else {}
        out: dict[str, list] = {}
        for key in CHOICE_KEYS:
            value = raw.get(key)
            out[key] = value if isinstance(value, list) else []
        out["music_artists"] = [a for a in out["music_artists"] if isinstance(a, str)]
        out["show_artists"] = [a for a in out["show_artists"] if isinstance(a, str)]
        out["zone_periods"] = [
            p for p in out["zone_periods"]
            if isinstance(p, list) and len(p) == 3 and all(isinstance(x, str) for x in p)
        ]  # fmt: skip
        return out

    def save_catalog(
        self, catalog: pd.DataFrame | None, name: str | None, community: pd.DataFrame | None
    ) -> None:
        """Keep the catalog choice (None: no catalog chosen)."""
        shutil.rmtree(self.catalog_dir, ignore_errors=True)
        if catalog is None:
            return
        self.catalog_dir.mkdir(parents=True, exist_ok=True)
        _write_parquet(catalog, self.catalog_dir / "catalog.parquet")
        if community is not None:
            _write_parquet(community, self.catalog_dir / "community.parquet")
        _write_json({"name": name}, self.catalog_dir / "name.json")

    def load_catalog(self) -> tuple[pd.DataFrame | None, str | None, pd.DataFrame | None]:
        """(catalog, its name, its community) as kept, or (None, None, None)."""
        folder = self.catalog_dir
        try:
            catalog = pd.read_parquet(folder / "catalog.parquet")
            name = json.loads((folder / "name.json").read_text(encoding="utf-8")).get("name")
            community_path = folder / "community.parquet"
            community = pd.read_parquet(community_path) if community_path.exists() else None
        except (OSError, ValueError, AttributeError):
            return None, None, None
        return catalog, name, community

    def listing(self) -> list[tuple[str, int]]:
        """What is kept: (path relative to the folder, size in bytes), sorted."""
        if not self.root.exists():
            return []
        return sorted(
            (str(p.relative_to(self.root)), p.stat().st_size)
            for p in self.root.rglob("*")
            if p.is_file()
        )

    def forget(self) -> None:
        """Delete the kept history and catalog choice (feedback: ``FeedbackStore.forget``)."""
        shutil.rmtree(self.history_dir, ignore_errors=True)
        shutil.rmtree(self.catalog_dir, ignore_errors=True)
