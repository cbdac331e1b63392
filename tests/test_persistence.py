"""Saved models are signed with a local key: a forged header or file is never unpickled."""

from __future__ import annotations

import hashlib
import json
import pickle
import stat

import pandas as pd
import pytest

from musicrec import persistence
from musicrec.errors import ModelFileError
from musicrec.persistence import fingerprint, load_model, model_key_path, save_model

FP = fingerprint(pd.DataFrame({"a": [1, 2]}))
CONFIG = {"l2": 1}


class Boom:
    """A pickle that runs code when loaded (what an attacker would plant)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture()
def key_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(d))
    return d


def _save(models):
    save_model({"w": [1, 2, 3]}, "m", config=CONFIG, data_fingerprint=FP, models_dir=models)
    return models / "m.joblib", models / "m.json"


def _load(models):
    return load_model("m", config=CONFIG, data_fingerprint=FP, models_dir=models)


def test_key_made_on_first_use_outside_the_repo_and_private(key_dir, tmp_path):
    assert not (key_dir / "model-key").exists()
    _save(tmp_path / "models")
    path = model_key_path()
    assert path == key_dir / "model-key"
    assert len(path.read_bytes()) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _load(tmp_path / "models") == {"w": [1, 2, 3]}
    assert "hmac" in json.loads((tmp_path / "models" / "m.json").read_text())


def test_forged_file_with_matching_checksum_is_refused_before_unpickling(key_dir, tmp_path):
    blob, header = _save(tmp_path / "models")
    marker = tmp_path / "pwned"
    blob.write_bytes(pickle.dumps(Boom(marker)))
    meta = json.loads(header.read_text())
    meta["sha256"] = hashlib.sha256(blob.read_bytes()).hexdigest()  # the attack that used to work
    header.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="not signed by this machine"):
        _load(tmp_path / "models")
    assert not marker.exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda meta: {k: v for k, v in meta.items() if k != "hmac"},  # signature removed
        lambda meta: {**meta, "hmac": "0" * 64},  # made-up signature
        lambda meta: {**meta, "hmac": 12345},  # not even text
        lambda meta: {**meta, "note": "extra field"},  # header changed after signing
    ],
)
def test_forged_headers_are_refused(key_dir, tmp_path, forge):
    _, header = _save(tmp_path / "models")
    header.write_text(json.dumps(forge(json.loads(header.read_text()))))
    with pytest.raises(ModelFileError, match="refusing to unpickle"):
        _load(tmp_path / "models")


def test_file_signed_on_another_machine_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "theirs"))
    _save(tmp_path / "models")
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "mine"))
    with pytest.raises(ModelFileError, match="not signed by this machine"):
        _load(tmp_path / "models")


def test_damaged_key_is_replaced_and_old_files_retrain(key_dir, tmp_path):
    _save(tmp_path / "models")
    model_key_path().write_bytes(b"short")
    with pytest.raises(ModelFileError, match="not signed"):
        _load(tmp_path / "models")
    assert len(model_key_path().read_bytes()) == 32
    _save(tmp_path / "models")
    assert _load(tmp_path / "models") == {"w": [1, 2, 3]}


def test_unusable_key_directory_is_a_model_error_on_load(tmp_path, monkeypatch):
    models = tmp_path / "models"
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "ok"))
    _save(models)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(blocker / "sub"))
    with pytest.raises(ModelFileError, match="model key unavailable"):
        _load(models)


def test_key_is_never_written_into_the_repository():
    root = persistence.Path(persistence.__file__).resolve().parents[1]
    assert not list(root.rglob("model-key"))
