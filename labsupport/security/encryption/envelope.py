"""Envelope encryption as AWS KMS does it: a master key wraps a fresh data key per object.

Think of a hotel: the master key (the **KMS key**) never leaves the manager's
safe (the HSMs of AWS KMS). Each guest's room has its own key (a **data key**);
the hotel keeps a copy of every room key only inside a sealed envelope that
only the master key opens. To read an object you hand KMS the envelope (the
*encrypted data key*), get the room key back, open the room locally, and
forget the room key. KMS never sees the data, and a stolen envelope is useless
without KMS.

Every seal carries a label, the **encryption context**: non-secret key-value
pairs (for S3, the object's ARN) that are bound to the ciphertext as AES-GCM
*additional authenticated data*. Move a ciphertext to another context and it
no longer decrypts. **Rotation** adds new key material to a KMS key and uses it
for new data keys, while the old material stays to decrypt old ones;
**re-wrapping** (KMS ``ReEncrypt``) replaces the envelope without touching the
data.

.. warning:: TEST MODE. ``KmsKey(..., test_seed=n)`` draws key material and
   nonces from a seeded pseudo-random generator so that book outputs and tests
   are reproducible. That is insecure by construction; without ``test_seed``
   every byte comes from ``os.urandom``.

References
----------
AWS KMS API Reference: "GenerateDataKey" (returns a plaintext copy of the data
key and a copy encrypted under the KMS key; use the plaintext key outside KMS
and remove it from memory as soon as possible), "Decrypt", "ReEncrypt".
AWS KMS Developer Guide: "Encryption context" (non-secret key-value pairs used
as additional authenticated data; to decrypt you must supply the same, exact
case-sensitive, encryption context), "Rotate AWS KMS keys" (rotation changes
only the current key material; KMS uses the material that encrypted a
ciphertext to decrypt it; default period one year, custom 90-2560 days, plus
on-demand rotation). AWS KMS Cryptographic Details, "Rotating key material"
(all previous versions remain available to decrypt in perpetuity).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from labsupport.checks import check_int, check_type, out_of_range
from labsupport.seeds import as_rng

__all__ = ["DecryptionError", "IncorrectKeyError", "ByteSource", "Ciphertext", "DataKey", "KmsKey", "Envelope",
           "canonical_context", "seal", "open_envelope", "rewrap"]

KEY_BYTES = 32    # AES-256
NONCE_BYTES = 12  # 96-bit GCM nonce


class DecryptionError(ValueError):
    """Authenticated decryption failed (KMS: ``InvalidCiphertextException``)."""


class IncorrectKeyError(DecryptionError):
    """The ciphertext belongs to a different KMS key (KMS: ``IncorrectKeyException``)."""


class ByteSource:
    """Random bytes: ``os.urandom``, or -- TEST MODE only -- a seeded generator.

    Examples
    --------
    >>> ByteSource(test_seed=1)(4) == ByteSource(test_seed=1)(4), ByteSource().test_mode
    (True, False)
    """

    def __init__(self, test_seed: int | None = None) -> None:
        if test_seed is not None:
            check_int("test_seed", test_seed)  # any int; a generator or a float is a slip here
        self.test_mode = test_seed is not None
        self._rng = as_rng(test_seed) if self.test_mode else None

    def __call__(self, n: int) -> bytes:
        return self._rng.randbytes(n) if self.test_mode else os.urandom(n)


def canonical_context(context: Mapping[str, str] | None) -> bytes:
    """The encryption context as bytes: pair order does not matter, case does.

    Examples
    --------
    >>> canonical_context({"b": "2", "a": "1"}) == canonical_context({"a": "1", "b": "2"})
    True
    >>> canonical_context({"a": 1})
    Traceback (most recent call last):
    TypeError: context['a'] must be str, not int
    """
    context = {} if context is None else context
    check_type("context", context, Mapping)  # strings to strings
    for k, v in context.items():
        check_type(f"context[{k!r}]", v, str)
        if not check_type("context key", k, str):
            raise out_of_range("context key", k, "a non-empty string", why="is empty")
    return json.dumps(dict(sorted(context.items())), separators=(",", ":")).encode()


@dataclass(frozen=True)
class Ciphertext:
    """A KMS ciphertext blob: which key and key material, the nonce, and the sealed bytes."""

    key_id: str
    version: int
    nonce: bytes
    body: bytes


@dataclass(frozen=True)
class DataKey:
    """``GenerateDataKey``'s answer: use ``plaintext`` locally, store only ``encrypted``."""

    plaintext: bytes = field(repr=False)
    encrypted: Ciphertext


class KmsKey:
    """A symmetric KMS key: versions of key material, the current one used for new ciphertexts.

    ``requests`` counts API calls by name, as a KMS bill would.

    Examples
    --------
    >>> key = KmsKey("alias/orders", test_seed=7)
    >>> ctx = {"aws:s3:arn": "arn:aws:s3:::orders/2026/06.csv"}
    >>> blob = key.encrypt(b"secret", ctx)
    >>> key.decrypt(blob, ctx)
    b'secret'
    >>> key.decrypt(blob, {"aws:s3:arn": "arn:aws:s3:::orders/2026/07.csv"})
    Traceback (most recent call last):
    labsupport.security.encryption.envelope.DecryptionError: InvalidCiphertextException: key alias/orders cannot authenticate this ciphertext with the given encryption context; the context differs from the one used to encrypt, or the ciphertext was altered
    """

    def __init__(self, key_id: str, *, test_seed: int | None = None) -> None:
        if not check_type("key_id", key_id, str):
            raise out_of_range("key_id", key_id, "a non-empty string", why="is empty")
        self.key_id = key_id
        self.random = ByteSource(test_seed)
        self._materials = [self.random(KEY_BYTES)]
        self.requests: dict[str, int] = {}

    @property
    def current_version(self) -> int:
        return len(self._materials) - 1

    def _count(self, api: str) -> None:
        self.requests[api] = self.requests.get(api, 0) + 1

    def rotate(self) -> int:
        """New key material for new ciphertexts; the old material is kept to decrypt old ones."""
        self._materials.append(self.random(KEY_BYTES))
        return self.current_version

    def _aad(self, version: int, context) -> bytes:
        return f"{self.key_id}|{version}|".encode() + canonical_context(context)

    def _seal(self, plaintext: bytes, context) -> Ciphertext:
        check_type("plaintext", plaintext, (bytes, bytearray))
        v, nonce = self.current_version, self.random(NONCE_BYTES)
        body = AESGCM(self._materials[v]).encrypt(nonce, bytes(plaintext), self._aad(v, context))
        return Ciphertext(self.key_id, v, nonce, body)

    def encrypt(self, plaintext: bytes, context: Mapping[str, str] | None = None) -> Ciphertext:
        """KMS ``Encrypt``: seal a small secret directly under the current key material."""
        self._count("Encrypt")
        return self._seal(plaintext, context)

    def generate_data_key(self, context: Mapping[str, str] | None = None) -> DataKey:
        """KMS ``GenerateDataKey``: a fresh AES-256 key, in plaintext and wrapped."""
        self._count("GenerateDataKey")
        plaintext = self.random(KEY_BYTES)
        return DataKey(plaintext, self._seal(plaintext, context))

    def decrypt(self, ciphertext: Ciphertext, context: Mapping[str, str] | None = None) -> bytes:
        """KMS ``Decrypt``: the material version recorded in the ciphertext opens it, if the context matches."""
        self._count("Decrypt")
        check_type("ciphertext", ciphertext, Ciphertext)
        if ciphertext.key_id != self.key_id:
            raise IncorrectKeyError(f"IncorrectKeyException: the ciphertext was encrypted under key "
                                    f"{ciphertext.key_id}, not {self.key_id}")
        if not 0 <= ciphertext.version < len(self._materials):
            raise DecryptionError(f"InvalidCiphertextException: key {self.key_id} has no key material "
                                  f"version {ciphertext.version}")
        try:
            return AESGCM(self._materials[ciphertext.version]).decrypt(
                ciphertext.nonce, ciphertext.body, self._aad(ciphertext.version, context))
        except InvalidTag:
            raise DecryptionError(f"InvalidCiphertextException: key {self.key_id} cannot authenticate this "
                                  f"ciphertext with the given encryption context; the context differs from the one "
                                  f"used to encrypt, or the ciphertext was altered") from None

    def re_encrypt(self, ciphertext: Ciphertext, context=None, *, destination: "KmsKey | None" = None,
                   destination_context=None) -> Ciphertext:
        """KMS ``ReEncrypt``: decrypt and encrypt again (under ``destination``'s current material) inside KMS."""
        destination = destination or self
        plaintext = self.decrypt(ciphertext, context)
        self.requests["Decrypt"] -= 1   # one ReEncrypt request, not a Decrypt plus an Encrypt
        self._count("ReEncrypt")
        return destination._seal(plaintext, context if destination_context is None else destination_context)


@dataclass(frozen=True)
class Envelope:
    """An encrypted object: the wrapped data key, the nonce and the data ciphertext."""

    encrypted_data_key: Ciphertext
    nonce: bytes
    body: bytes


def seal(key: KmsKey, plaintext: bytes, context: Mapping[str, str] | None = None) -> Envelope:
    """Encrypt ``plaintext`` under a new data key from ``key``, bound to ``context``.

    Examples
    --------
    >>> key = KmsKey("alias/app", test_seed=1)
    >>> env = seal(key, b"invoice 42", {"tenant": "acme"})
    >>> open_envelope(key, env, {"tenant": "acme"}), key.requests
    (b'invoice 42', {'GenerateDataKey': 1, 'Decrypt': 1})
    """
    check_type("plaintext", plaintext, (bytes, bytearray))
    data_key = key.generate_data_key(context)
    nonce = key.random(NONCE_BYTES)
    body = AESGCM(data_key.plaintext).encrypt(nonce, bytes(plaintext), canonical_context(context))
    return Envelope(data_key.encrypted, nonce, body)


def open_envelope(key: KmsKey, envelope: Envelope, context: Mapping[str, str] | None = None) -> bytes:
    """Unwrap the data key with KMS (same context), then decrypt and authenticate the data locally."""
    data_key = key.decrypt(envelope.encrypted_data_key, context)
    try:
        return AESGCM(data_key).decrypt(envelope.nonce, envelope.body, canonical_context(context))
    except InvalidTag:
        raise DecryptionError("the data ciphertext was altered, or was sealed with another data key or "
                              "encryption context; AES-GCM authentication failed") from None


def rewrap(key: KmsKey, envelope: Envelope, context: Mapping[str, str] | None = None, *,
           destination: KmsKey | None = None) -> Envelope:
    """Replace only the wrapped data key (after rotation, or to move to another KMS key); the data stays as is.

    Examples
    --------
    >>> key = KmsKey("alias/app", test_seed=3)
    >>> env = seal(key, b"x", {"t": "1"})
    >>> _ = key.rotate()
    >>> new = rewrap(key, env, {"t": "1"})
    >>> (env.encrypted_data_key.version, new.encrypted_data_key.version, new.body == env.body)
    (0, 1, True)
    """
    wrapped = key.re_encrypt(envelope.encrypted_data_key, context, destination=destination)
    return Envelope(wrapped, envelope.nonce, envelope.body)
