"""Sealing personal data that leaves a service's store (integration events): AES-GCM with the
platform's cipher key, so the stream never holds it in clear."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class Sealer:
    def __init__(self, cipher_key: str) -> None:
        self._aead = AESGCM(base64.b64decode(cipher_key))

    def seal(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, None)

    def open(self, sealed: bytes) -> bytes:
        """Raises cryptography's InvalidTag for a wrong key or altered bytes."""
        return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
