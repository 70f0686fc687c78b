"""Envelope encryption: sealed data opens only with its own key; erasing the key shreds it."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from bot.core.errors import ConfigError, StorageError
from storage.blobs import FileBlobStore
from storage.sealing import KeyRing, load_master_key


def test_sealed_data_round_trips_and_hides_the_plaintext() -> None:
    ring = KeyRing(os.urandom(32))
    key = ring.new_data_key()
    sealed = ring.seal(key, b"my answer about the outage", bound_to="turns.transcript:user=1")
    assert b"outage" not in sealed
    assert ring.open(key, sealed, bound_to="turns.transcript:user=1") == (
        b"my answer about the outage"
    )


def test_a_sealed_value_moved_to_another_field_or_person_does_not_open() -> None:
    ring = KeyRing(os.urandom(32))
    key = ring.new_data_key()
    sealed = ring.seal(key, b"answer", bound_to="turns.transcript:user=1")
    for elsewhere in ("turns.assessment:user=1", "turns.transcript:user=2"):
        with pytest.raises(StorageError):
            ring.open(key, sealed, bound_to=elsewhere)


def test_identity_lookup_hashes_are_stable_keyed_and_hide_the_id() -> None:
    ring = KeyRing(os.urandom(32))
    first = ring.lookup_hash("telegram", "123456789")
    assert first == ring.lookup_hash("telegram", "123456789")
    assert "123456789" not in first
    assert first != ring.lookup_hash("discord", "123456789")
    assert first != KeyRing(os.urandom(32)).lookup_hash("telegram", "123456789")


def test_another_persons_key_cannot_open_the_data() -> None:
    ring = KeyRing(os.urandom(32))
    sealed = ring.seal(ring.new_data_key(), b"secret", bound_to="f")
    with pytest.raises(StorageError):
        ring.open(ring.new_data_key(), sealed, bound_to="f")


def test_a_different_master_key_cannot_unwrap_data_keys() -> None:
    key = KeyRing(os.urandom(32)).new_data_key()
    with pytest.raises(StorageError):
        KeyRing(os.urandom(32)).seal(key, b"x", bound_to="f")


def test_the_master_key_is_generated_once_with_owner_only_permissions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "keys" / "master.key"
    first = load_master_key(None, key_file)
    assert "back it up" in caplog.text
    assert load_master_key(None, key_file) == first and len(first) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_master_key_must_be_32_bytes_of_base64(tmp_path: Path) -> None:
    good = base64.urlsafe_b64encode(os.urandom(32)).decode()
    assert len(load_master_key(good, tmp_path / "unused.key")) == 32
    with pytest.raises(ConfigError, match="COACH_MASTER_KEY"):
        load_master_key(base64.urlsafe_b64encode(b"short").decode(), tmp_path / "unused.key")


def test_blob_keys_cannot_escape_the_blob_folder(tmp_path: Path) -> None:
    blobs = FileBlobStore(tmp_path / "blobs")
    key = blobs.put(b"data", prefix="answer")
    assert blobs.get(key) == b"data" and blobs.keys() == [key]
    for bad in ("../master.key", "", ".hidden", "a/b"):
        with pytest.raises(ValueError):
            blobs.get(bad)
    assert blobs.delete(key) and not blobs.delete(key)
