"""Amazon S3 server-side encryption choices, built from the envelope model.

A bank offers four ways to keep your valuables: its own vault key (SSE-S3),
a safe-deposit box opened with a key from a key service you control and audit
(SSE-KMS), the same box inside a second locked box (DSSE-KMS), or a box that
opens with a key you bring on every visit and the bank never keeps (SSE-C).
S3 Bucket Keys are the bank fetching one key for the whole counter for a
while, instead of calling the key service for every box.

The model: :class:`Bucket` stores objects under one of the four modes and
counts the requests your KMS key receives (that is what KMS bills). For
DSSE-KMS the count is a lower bound: the model asks your key only for the
inner layer's data key, while AWS says DSSE-KMS makes more KMS API calls than
SSE-KMS without saying how many.

References
----------
Amazon S3 User Guide: "Protecting data with server-side encryption" and
"Setting default server-side encryption behavior" (SSE-S3, AES-256, is the
base level of encryption for every bucket; since January 5, 2023 all new
object uploads are encrypted automatically); "Using server-side encryption
with AWS KMS keys (SSE-KMS)"; "Reducing the cost of SSE-KMS with Amazon S3
Bucket Keys" (a bucket-level key from KMS, used for a time-limited period to
create unique data keys for new objects; up to 99 % fewer KMS requests; with
a Bucket Key the encryption context is the bucket ARN, not the object ARN;
Bucket Keys are not supported for DSSE-KMS); "Using dual-layer server-side
encryption with AWS KMS keys (DSSE-KMS)" (two independent layers of AES-256;
the first with a data key from KMS, the second with a separate key managed
by S3); "Using server-side encryption with customer-provided keys (SSE-C)"
(HTTPS required; S3 does not store the key, only a randomly salted HMAC of it
to validate future requests; lose the key, lose the object); "Blocking or
unblocking SSE-C for a general purpose bucket" (since April 2026 SSE-C is
disabled by default for new general purpose buckets; such uploads get HTTP
403 AccessDenied).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from labsupport.checks import check_number, check_type, out_of_range
from labsupport.security.encryption.envelope import (KEY_BYTES, NONCE_BYTES, Ciphertext, DecryptionError, Envelope, KmsKey, open_envelope,
                                 seal)

__all__ = ["MODES", "AccessDenied", "Bucket"]

MODES = ("SSE-S3", "SSE-KMS", "DSSE-KMS", "SSE-C")


class AccessDenied(PermissionError):
    """S3 refused the request (HTTP 403 AccessDenied)."""


@dataclass(frozen=True)
class _Stored:
    mode: str
    envelope: Envelope
    salt: bytes = b""          # bucket-key derivation salt, or SSE-C HMAC salt
    key_hmac: bytes = b""      # SSE-C: salted HMAC of the customer key
    inner_key: Ciphertext | None = None  # DSSE-KMS: the KMS-wrapped data key of the inner layer


class Bucket:
    """An S3 general purpose bucket with a default encryption mode, optionally with an S3 Bucket Key.

    Parameters
    ----------
    name : bucket name (its ARN is ``arn:aws:s3:::name``).
    kms_key : your KMS key, needed for SSE-KMS and DSSE-KMS.
    bucket_key : use an S3 Bucket Key for SSE-KMS.
    bucket_key_ttl_s : how long S3 keeps using one bucket-level key (AWS says only "a time-limited
        period"; the value here is illustrative).
    allow_sse_c : new buckets block SSE-C since April 2026; True unblocks it.
    test_seed : TEST MODE randomness for S3's own keys (see :mod:`labsupport.security.encryption.envelope`).

    Examples
    --------
    >>> kms = KmsKey("alias/orders", test_seed=1)
    >>> b = Bucket("orders", kms_key=kms, test_seed=2)
    >>> b.put("a.csv", b"1,2", "SSE-KMS"); b.put("b.csv", b"3,4", "SSE-KMS")
    >>> b.get("a.csv"), kms.requests
    (b'1,2', {'GenerateDataKey': 2, 'Decrypt': 1})
    >>> b.put("c.csv", b"5", "SSE-C", customer_key=bytes(32))
    Traceback (most recent call last):
    labsupport.security.encryption.sse.AccessDenied: AccessDenied (403): SSE-C is blocked on bucket orders (the default for new general purpose buckets since April 2026)
    """

    def __init__(self, name: str, *, kms_key: KmsKey | None = None, bucket_key: bool = False,
                 bucket_key_ttl_s: float = 300.0, allow_sse_c: bool = False, test_seed: int | None = None) -> None:
        check_number("bucket_key_ttl_s", bucket_key_ttl_s, low=0, low_open=True)
        self.name, self.kms_key, self.bucket_key = name, kms_key, bucket_key
        self.bucket_key_ttl_s, self.allow_sse_c = bucket_key_ttl_s, allow_sse_c
        self._s3_key = KmsKey(f"s3-owned/{name}", test_seed=test_seed)        # SSE-S3: S3's own key
        self._second_layer = KmsKey(f"s3-dsse/{name}", test_seed=None if test_seed is None else test_seed + 1)
        self._objects: dict[str, _Stored] = {}
        self._active: tuple[float, bytes, object] | None = None   # (created_s, plaintext, wrapped) bucket key
        self._unwrapped: dict[object, tuple[float, bytes]] = {}   # S3's short-lived cache of decrypted bucket keys

    def arn(self, key: str | None = None) -> str:
        return f"arn:aws:s3:::{self.name}" + (f"/{key}" if key is not None else "")

    def _kms(self, mode: str) -> KmsKey:
        if self.kms_key is None:
            raise ValueError(f"mode {mode} needs a KMS key: Bucket(..., kms_key=KmsKey(...))")
        return self.kms_key

    def _derive(self, bucket_key: bytes, salt: bytes, key: str) -> bytes:
        return HKDF(hashes.SHA256(), KEY_BYTES, salt, self.arn(key).encode()).derive(bucket_key)

    def put(self, key: str, data: bytes, mode: str = "SSE-S3", *, customer_key: bytes | None = None,
            now_s: float = 0.0, https: bool = True) -> None:
        """Store ``data`` under ``key`` encrypted with ``mode``."""
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is unknown; choose one of {', '.join(MODES)}")
        if mode == "SSE-S3":
            self._objects[key] = _Stored(mode, seal(self._s3_key, data, {"aws:s3:arn": self.arn(key)}))
        elif mode == "SSE-KMS" and self.bucket_key:
            kms = self._kms(mode)
            if self._active is None or now_s - self._active[0] >= self.bucket_key_ttl_s:
                dk = kms.generate_data_key({"aws:s3:arn": self.arn()})        # the context is the bucket ARN
                self._active = (now_s, dk.plaintext, dk.encrypted)
            salt = self._s3_key.random(16)
            nonce = self._s3_key.random(NONCE_BYTES)
            body = AESGCM(self._derive(self._active[1], salt, key)).encrypt(nonce, data, self.arn(key).encode())
            self._objects[key] = _Stored(mode, Envelope(self._active[2], nonce, body), salt)
        elif mode == "SSE-KMS":
            self._objects[key] = _Stored(mode, seal(self._kms(mode), data, {"aws:s3:arn": self.arn(key)}))
        elif mode == "DSSE-KMS":   # a KMS data-key layer, then a second, independent layer with an S3-managed key
            inner = seal(self._kms(mode), data, {"aws:s3:arn": self.arn(key)})
            outer = seal(self._second_layer, inner.nonce + inner.body, {"aws:s3:arn": self.arn(key)})
            self._objects[key] = _Stored(mode, outer, inner_key=inner.encrypted_data_key)
        else:
            if not self.allow_sse_c:
                raise AccessDenied(f"AccessDenied (403): SSE-C is blocked on bucket {self.name} (the default for new "
                                   f"general purpose buckets since April 2026)")
            if not https:
                raise AccessDenied("SSE-C requests must use HTTPS; a key sent over HTTP should be considered compromised")
            if len(check_type("customer_key", customer_key, (bytes, bytearray))) != KEY_BYTES:
                raise out_of_range("customer_key", f"<{len(customer_key)} bytes>", "32 bytes (AES-256) for SSE-C",
                                   why="has the wrong length")
            salt, nonce = self._s3_key.random(16), self._s3_key.random(NONCE_BYTES)
            body = AESGCM(bytes(customer_key)).encrypt(nonce, data, self.arn(key).encode())
            mac = hmac.new(salt, bytes(customer_key), hashlib.sha256).digest()   # the key itself is not stored
            self._objects[key] = _Stored(mode, Envelope(None, nonce, body), salt, mac)

    def get(self, key: str, *, customer_key: bytes | None = None, now_s: float = 0.0) -> bytes:
        """Return the object's data, decrypting as its mode requires."""
        if key not in self._objects:
            raise KeyError(f"no object {key!r} in bucket {self.name}")
        stored, ctx = self._objects[key], {"aws:s3:arn": self.arn(key)}
        if stored.mode == "SSE-S3":
            return open_envelope(self._s3_key, stored.envelope, ctx)
        if stored.mode == "SSE-KMS" and stored.salt:
            wrapped = stored.envelope.encrypted_data_key
            cached = self._unwrapped.get(wrapped)
            if cached is None or now_s - cached[0] >= self.bucket_key_ttl_s:
                cached = (now_s, self._kms("SSE-KMS").decrypt(wrapped, {"aws:s3:arn": self.arn()}))
                self._unwrapped[wrapped] = cached
            env = stored.envelope
            return AESGCM(self._derive(cached[1], stored.salt, key)).decrypt(env.nonce, env.body, self.arn(key).encode())
        if stored.mode == "SSE-KMS":
            return open_envelope(self._kms("SSE-KMS"), stored.envelope, ctx)
        if stored.mode == "DSSE-KMS":
            outer = open_envelope(self._second_layer, stored.envelope, ctx)
            inner = Envelope(stored.inner_key, outer[:NONCE_BYTES], outer[NONCE_BYTES:])
            return open_envelope(self._kms("DSSE-KMS"), inner, ctx)
        if customer_key is None:
            raise AccessDenied("the object is encrypted with SSE-C: the request must carry the customer key")
        if not hmac.compare_digest(hmac.new(stored.salt, bytes(customer_key), hashlib.sha256).digest(), stored.key_hmac):
            raise AccessDenied("AccessDenied (403): the customer key does not match the salted HMAC S3 stored")
        try:
            return AESGCM(bytes(customer_key)).decrypt(stored.envelope.nonce, stored.envelope.body, self.arn(key).encode())
        except InvalidTag:
            raise DecryptionError("SSE-C object failed authentication") from None
