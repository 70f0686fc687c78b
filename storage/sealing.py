"""Envelope encryption: each person's data is sealed with their own key (AES-256-GCM).

A person's data key is stored wrapped by the master key in `users.data_key`. Deleting that
one value makes every sealed column and blob of theirs unreadable (crypto-shredding), even
in backups and in database pages that have not been overwritten yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.core.errors import ConfigError, StorageError

log = logging.getLogger(__name__)
_NONCE = 12
_VERSION = b"\x01"


class KeyRing:
    """Wraps per-person data keys with the master key and seals data with them."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ConfigError("COACH_MASTER_KEY: must be 32 bytes, base64-encoded")
        self._master = AESGCM(master_key)
        self._lookup_key = hmac.new(master_key, b"identity-lookup", hashlib.sha256).digest()

    def new_data_key(self) -> bytes:
        """A fresh data key, returned wrapped (safe to store)."""
        return self._encrypt(self._master, AESGCM.generate_key(bit_length=256), b"data-key")

    def seal(self, wrapped_key: bytes, plaintext: bytes, *, bound_to: str) -> bytes:
        """Encrypt under a person's key, bound to `bound_to` (owner and field).

        A sealed value opens only with the same binding, so it cannot be moved to another
        person's row or another column and still decrypt.
        """
        return self._encrypt(self._data_aead(wrapped_key), plaintext, bound_to.encode())

    def open(self, wrapped_key: bytes, sealed: bytes, *, bound_to: str) -> bytes:
        return self._decrypt(self._data_aead(wrapped_key), sealed, bound_to.encode())

    def lookup_hash(self, platform: str, external_id: str) -> str:
        """A keyed hash of a platform identity: rows are found by it, ids are never stored."""
        digest = hmac.new(self._lookup_key, f"{platform}:{external_id}".encode(), hashlib.sha256)
        return digest.hexdigest()

    def _data_aead(self, wrapped_key: bytes) -> AESGCM:
        return AESGCM(self._decrypt(self._master, wrapped_key, b"data-key"))

    @staticmethod
    def _encrypt(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + aead.encrypt(nonce, plaintext, aad)

    @staticmethod
    def _decrypt(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
        if sealed[:1] != _VERSION:
            raise StorageError("sealed value has an unknown format")
        try:
            return aead.decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], aad)
        except InvalidTag as exc:
            raise StorageError("sealed value cannot be opened with this key") from exc


def load_master_key(configured: str | None, key_file: Path) -> bytes:
    """The configured key (base64), else the one in `key_file`, made once (0600) with a warning.

    Keep the key file outside the data folder: a copy of the data without the key is
    unreadable, and that is the point of keeping them apart.
    """
    if configured:
        return _decode_key(configured, "COACH_MASTER_KEY")
    path = key_file.expanduser()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.urlsafe_b64encode(os.urandom(32)))
        log.warning(
            "generated a new master key in %s: back it up and keep it apart from the data; "
            "without it the stored data cannot be read",
            path,
        )
    return _decode_key(path.read_text(), "COACH_MASTER_KEY_FILE")


def _decode_key(text: str, variable: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "==")
    except ValueError as exc:
        raise ConfigError(f"{variable}: not valid base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{variable}: must decode to 32 bytes")
    return key
