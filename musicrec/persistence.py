"""Saving and loading trained models: the only module that calls joblib.

Pickles run code when loaded, so we only ever load files we wrote ourselves into
the models folder. Each save writes ``<name>.joblib`` plus a JSON header
``<name>.json`` holding the model-format version, the musicrec version, the config, the
data fingerprint and the SHA-256 of the joblib file. ``load_model`` checks the header *before* unpickling
and refuses (``ModelFileError``) a missing, stale, foreign or tampered file.

A checksum alone proves nothing (whoever rewrites the file can rewrite the header), so the
header is signed with an HMAC-SHA256 under a key made on first use and kept on this machine
only (``model_key_path()``: the per-user data directory, or ``$MUSICREC_DATA_DIR``; never in
the repository). A file whose signature does not verify is never unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from musicrec import __version__
from musicrec.errors import ModelFileError

MODELS_DIR = Path(
    os.environ.get("MUSICREC_MODELS_DIR", Path(__file__).resolve().parents[1] / "models")
)
_FORMAT = "musicrec-model/1"
MODEL_FORMAT = 3
"""Version of what a saved model holds: bump it whenever an engine, the hybrid or the workspace
changes its attributes or names, so that files from before are refused (retrain) instead of
unpickled into objects the code no longer understands. 2: one id per engine ("co_listening"),
the workspace's item index, songs cached in the hybrid. 3: co-listening's session decay, the
community model's RP3beta part."""


_KEY_BYTES = 32


def model_key_path() -> Path:
    """Where the signing key lives: ``$MUSICREC_DATA_DIR/model-key``, else the user data dir."""
    import platformdirs

    root = os.environ.get("MUSICREC_DATA_DIR") or platformdirs.user_data_dir("musicrec")
    return Path(root) / "model-key"


def _model_key() -> bytes:
    """The local signing key, created (readable by this user only) on first use.

    A damaged (short) key is replaced; files signed with it are then refused and retrained.

    Raises:
        OSError: when the data directory cannot be created or read.
    """
    path = model_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) >= _KEY_BYTES:
        return key
    key = secrets.token_bytes(_KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)  # first writer wins when two processes start at once
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < _KEY_BYTES:
            os.replace(tmp, path)
            return _model_key()
    finally:
        tmp.unlink(missing_ok=True)
    return key


def _signature(meta: dict, key: bytes) -> str:
    body = json.dumps({k: v for k, v in meta.items() if k != "hmac"}, sort_keys=True)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(*frames: pd.DataFrame) -> str:
    """Stable SHA-256 (hex, 16 chars) of the frames' contents, columns and shapes."""
    h = hashlib.sha256()
    for frame in frames:
        h.update(repr((list(frame.columns), frame.shape)).encode())
        if len(frame):
            h.update(
                pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes()
            )
    return h.hexdigest()[:16]


def _config_repr(config: object) -> str:
    value = (
        dataclasses.asdict(config)
        if dataclasses.is_dataclass(config) and not isinstance(config, type)
        else config
    )
    return json.dumps(value, sort_keys=True, default=str)


def _paths(name: str, models_dir: Path) -> tuple[Path, Path]:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise ModelFileError(f"model name {name!r} must be letters, digits, '.', '_' or '-'")
    base = models_dir.resolve()
    return base / f"{name}.joblib", base / f"{name}.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_model(
    obj: Any, name: str, *, config: object, data_fingerprint: str, models_dir: Path = MODELS_DIR
) -> Path:
    """Write ``obj`` and its header; returns the joblib path."""
    models_dir.mkdir(parents=True, exist_ok=True)
    blob, header = _paths(name, models_dir)
    joblib.dump(obj, blob, compress=3)
    meta = {
        "format": _FORMAT,
        "model_format": MODEL_FORMAT,
        "version": __version__,
        "config": _config_repr(config),
        "data_fingerprint": data_fingerprint,
        "sha256": _sha256(blob),
    }
    meta["hmac"] = _signature(meta, _model_key())
    header.write_text(json.dumps(meta, indent=1))
    return blob


def load_model(
    name: str, *, config: object, data_fingerprint: str, models_dir: Path = MODELS_DIR
) -> Any:
    """Load a model saved by ``save_model`` if, and only if, everything matches.

    Raises:
        ModelFileError: missing file or header, not written by musicrec, other musicrec
            model format, other config, other data, or contents changed since saving.
    """
    blob, header = _paths(name, models_dir)
    if not blob.exists() or not header.exists():
        raise ModelFileError(f"{blob}: no saved model (train it first)")
    try:
        meta = json.loads(header.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelFileError(
            f"{header}: header is not musicrec's JSON; refusing to load {blob.name}"
        ) from None
    checks = [
        (meta.get("format") == _FORMAT, "was not written by musicrec"),
        (
            meta.get("model_format") == MODEL_FORMAT,
            f"holds model format {meta.get('model_format', 1)} (this musicrec reads "
            f"{MODEL_FORMAT}, written by musicrec {__version__}); retrain",
        ),
        (
            meta.get("config") == _config_repr(config),
            "was trained with another configuration; retrain",
        ),
        (
            meta.get("data_fingerprint") == data_fingerprint,
            "was trained on other data (stale); retrain",
        ),
    ]
    for ok, problem in checks:
        if not ok:
            raise ModelFileError(f"{blob}: {problem}")
    try:
        key = _model_key()
    except OSError as exc:
        raise ModelFileError(
            f"{model_key_path()}: model key unavailable ({exc.strerror})"
        ) from None
    signed = meta.get("hmac")
    if not isinstance(signed, str) or not hmac.compare_digest(signed, _signature(meta, key)):
        raise ModelFileError(
            f"{blob}: header is not signed by this machine's musicrec; refusing to unpickle"
        )
    if _sha256(blob) != meta.get("sha256"):
        raise ModelFileError(
            f"{blob}: contents changed since musicrec saved it; refusing to unpickle"
        )
    return joblib.load(blob)
