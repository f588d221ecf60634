"""Field encryption (store/crypto.py): round trip, key rotation, tamper and context binding, unknown keys."""

from __future__ import annotations

import base64
import os

import pytest

from store.crypto import DecryptionError, FieldCipher
from store.settings import Settings

OLD_KEY, NEW_KEY = os.urandom(32), os.urandom(32)
CONTEXT = "profiles:3f9c2a1e-0000-4000-8000-000000000001:health_notes"


def cipher(active: str = "old", **keys: bytes) -> FieldCipher:
    return FieldCipher(active, keys or {"old": OLD_KEY})


@pytest.mark.parametrize("plaintext", ["", "knee surgery 2021", "Ünïcødé ✓ 膝", "x" * 10_000])
def test_round_trip(plaintext: str) -> None:
    box = cipher()
    stored = box.encrypt(plaintext, CONTEXT)
    assert plaintext == "" or plaintext not in stored
    assert stored.startswith("v1.old.")
    assert box.decrypt(stored, CONTEXT) == plaintext


def test_same_plaintext_encrypts_differently_each_time() -> None:
    """A fresh nonce per value: equal notes must not show up as equal ciphertexts."""
    box = cipher()
    assert box.encrypt("asthma", CONTEXT) != box.encrypt("asthma", CONTEXT)


def test_rotation_keeps_old_values_readable_and_writes_with_the_active_key() -> None:
    before = cipher("old", old=OLD_KEY).encrypt("asthma", CONTEXT)
    rotated = cipher("new", old=OLD_KEY, new=NEW_KEY)
    assert rotated.decrypt(before, CONTEXT) == "asthma"
    after = rotated.encrypt("asthma", CONTEXT)
    assert rotated.key_id_of(after) == "new"
    assert rotated.key_id_of(before) == "old"
    # Once the old key is retired, only re-encrypted values remain readable.
    retired = cipher("new", new=NEW_KEY)
    assert retired.decrypt(after, CONTEXT) == "asthma"
    with pytest.raises(DecryptionError, match="not configured"):
        retired.decrypt(before, CONTEXT)


def test_rotation_from_settings() -> None:
    def b64(key: bytes) -> str:
        return base64.b64encode(key).decode()

    keys = f"old:{b64(OLD_KEY)}, new:{b64(NEW_KEY)}"
    settings = Settings(_env_file=None, encryption_keys=keys, encryption_active_key_id="new")
    active, parsed = settings.field_keys
    assert active == "new"
    assert parsed == {"old": OLD_KEY, "new": NEW_KEY}
    box = FieldCipher(active, parsed)
    assert box.decrypt(cipher().encrypt("gout", CONTEXT), CONTEXT) == "gout"
    default_active = Settings(_env_file=None, encryption_keys=keys).field_keys[0]
    assert default_active == "old"


def test_tampering_is_detected() -> None:
    box = cipher()
    stored = box.encrypt("no known conditions", CONTEXT)
    prefix, payload = stored.rsplit(".", 1)
    raw = bytearray(base64.b64decode(payload))
    for position in (0, len(raw) // 2, len(raw) - 1):  # nonce, ciphertext, tag
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        with pytest.raises(DecryptionError, match="corrupt"):
            box.decrypt(f"{prefix}.{base64.b64encode(bytes(flipped)).decode()}", CONTEXT)
    with pytest.raises(DecryptionError):
        box.decrypt(f"{prefix}.{base64.b64encode(bytes(raw[:-4])).decode()}", CONTEXT)


def test_value_is_bound_to_its_row_and_field() -> None:
    box = cipher()
    stored = box.encrypt("type 2 diabetes", CONTEXT)
    other_row = CONTEXT.replace("0001", "0002")
    other_field = CONTEXT.replace("health_notes", "medical_conditions")
    for context in (other_row, other_field, ""):
        with pytest.raises(DecryptionError, match="another row or field"):
            box.decrypt(stored, context)


def test_relabelled_key_id_fails() -> None:
    """Claiming another configured key id does not help: that key does not open the value."""
    box = cipher("old", old=OLD_KEY, new=NEW_KEY)
    stored = box.encrypt("hypertension", CONTEXT)
    with pytest.raises(DecryptionError):
        box.decrypt(stored.replace("v1.old.", "v1.new.", 1), CONTEXT)


@pytest.mark.parametrize(
    "stored", ["v1.ghost.AAAA", "v2.old.AAAA", "v1.old.not base64!", "plain text", "v1.old"]
)
def test_unknown_key_id_or_malformed_value_is_a_decryption_error(stored: str) -> None:
    with pytest.raises(DecryptionError):
        cipher().decrypt(stored, CONTEXT)


def test_active_key_must_be_configured() -> None:
    with pytest.raises(ValueError, match="not among the keys"):
        FieldCipher("missing", {"old": OLD_KEY})
