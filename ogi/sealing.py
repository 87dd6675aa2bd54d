"""Sealing personal data that leaves a service's store (integration events): AES-GCM with the
platform's cipher key, so the stream never holds it in clear. Where another service only needs to
tell applicants apart (Art 44: distinct applicants), it gets a pseudonym instead."""

from __future__ import annotations

import base64
import hashlib
import hmac
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


class Pseudonymizer:
    """The same applicant always gets the same pseudonym; the pseudonym reveals nothing without
    the platform's key (a keyed HMAC, not a plain hash an identity number could be guessed from).
    A pseudonym made for one `purpose` (a client's address, say) matches none made for another."""

    def __init__(self, cipher_key: str, purpose: bytes = b"ogi applicant pseudonym") -> None:
        self._key = hmac.new(base64.b64decode(cipher_key), purpose, hashlib.sha256).digest()

    def pseudonym(self, identity: str) -> str:
        normalized = "".join(identity.split()).upper()
        return hmac.new(self._key, normalized.encode(), hashlib.sha256).hexdigest()[:32]
