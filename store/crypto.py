"""AES-256-GCM for sensitive free text (health notes, medical conditions) at rest.

A stored value is `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>`. The key id names the key that
encrypted it, so keys rotate: add a new key, make it active, and old values still decrypt (and are
re-encrypted under the active key on their next write). The associated data binds a ciphertext to its
row and field: a value copied into another user's row or another column fails to decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """Unknown key id, tampered value, or a value moved from another row or field."""


class FieldCipher:
    def __init__(self, active_key_id: str, keys: dict[str, bytes]) -> None:
        if active_key_id not in keys:
            raise ValueError(f"active key {active_key_id!r} is not among the keys")
        self.active_key_id = active_key_id
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self.active_key_id].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}.{self.active_key_id}.{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, context: str) -> str:
        try:
            version, kid, payload = stored.split(".", 2)
            if version != _VERSION:
                raise DecryptionError(f"unknown format {version!r}")
            aead = self._keys[kid]
            raw = base64.b64decode(payload, validate=True)
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()).decode()
        except KeyError as exc:
            raise DecryptionError("value encrypted under a key that is not configured") from exc
        except (ValueError, InvalidTag) as exc:
            raise DecryptionError("value is corrupt or belongs to another row or field") from exc

    def key_id_of(self, stored: str) -> str:
        return stored.split(".", 2)[1]
