"""Keyed hashes that stand in for people in logs and the audit log."""

from __future__ import annotations

import hashlib
import hmac


class PersonHasher:
    """Turns (platform, id) into a stable tag that cannot be reversed without the key."""

    def __init__(self, key: bytes) -> None:
        self._key = hmac.new(key, b"person-hash", hashlib.sha256).digest()

    def tag(self, platform: str, external_id: str) -> str:
        digest = hmac.new(self._key, f"{platform}:{external_id}".encode(), hashlib.sha256)
        return "p:" + digest.hexdigest()[:16]
