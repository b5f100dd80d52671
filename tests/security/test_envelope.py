"""Envelope encryption: round trips, context binding, rotation, re-wrapping and tampering."""

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.security.encryption.envelope import (ByteSource, DecryptionError, IncorrectKeyError, KmsKey, canonical_context,
                                 open_envelope, rewrap, seal)

CTX = {"aws:s3:arn": "arn:aws:s3:::orders/2026/06.csv"}


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000), context=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3))
def test_round_trip_with_any_data_and_context(data, context):
    key = KmsKey("alias/k", test_seed=1)
    assert open_envelope(key, seal(key, data, context), context) == data
    assert key.decrypt(key.encrypt(data, context), context) == data


def test_generate_data_key_returns_plaintext_and_wrapped_copy():
    key = KmsKey("alias/k", test_seed=2)
    dk = key.generate_data_key(CTX)
    assert len(dk.plaintext) == 32 and dk.encrypted.key_id == "alias/k"
    assert key.decrypt(dk.encrypted, CTX) == dk.plaintext
    assert repr(dk.plaintext) not in repr(dk)               # the plaintext key is never printed


def test_each_object_gets_its_own_data_key():
    key = KmsKey("alias/k", test_seed=3)
    a, b = seal(key, b"same", CTX), seal(key, b"same", CTX)
    assert key.decrypt(a.encrypted_data_key, CTX) != key.decrypt(b.encrypted_data_key, CTX)
    assert a.body != b.body


def test_context_order_is_irrelevant_but_case_matters():
    key = KmsKey("alias/k", test_seed=4)
    env = seal(key, b"x", {"a": "1", "b": "2"})
    assert open_envelope(key, env, {"b": "2", "a": "1"}) == b"x"
    with pytest.raises(DecryptionError, match="InvalidCiphertextException"):
        open_envelope(key, env, {"A": "1", "b": "2"})


@pytest.mark.parametrize("tamper, error, message", [
    (lambda env, key, other: (key, dataclasses.replace(env, body=bytes([env.body[0] ^ 1]) + env.body[1:]), CTX),
     DecryptionError, "data ciphertext was altered"),
    (lambda env, key, other: (key, env, {"aws:s3:arn": "arn:aws:s3:::orders/2026/07.csv"}),
     DecryptionError, "encryption context"),
    (lambda env, key, other: (other, env, CTX), IncorrectKeyError, "encrypted under key alias/orders, not alias/other"),
    (lambda env, key, other: (key, dataclasses.replace(env, encrypted_data_key=dataclasses.replace(
        env.encrypted_data_key, body=env.encrypted_data_key.body[:-1] + b"\0")), CTX), DecryptionError, "altered"),
    (lambda env, key, other: (key, dataclasses.replace(env, nonce=bytes(12)), CTX), DecryptionError, "altered"),
])
def test_tampering_raises_a_clear_error(tamper, error, message):
    key, other = KmsKey("alias/orders", test_seed=5), KmsKey("alias/other", test_seed=5)
    env = seal(key, b"card 4111", CTX)
    use_key, bad, ctx = tamper(env, key, other)
    with pytest.raises(error, match=message):
        open_envelope(use_key, bad, ctx)


def test_same_material_under_a_different_key_id_still_fails():
    # Identical seeds give identical key material; the key id in the AAD still separates them.
    a, b = KmsKey("alias/a", test_seed=9), KmsKey("alias/b", test_seed=9)
    blob = a.encrypt(b"x", CTX)
    forged = dataclasses.replace(blob, key_id="alias/b")
    with pytest.raises(DecryptionError):
        b.decrypt(forged, CTX)


def test_rotation_keeps_old_material_and_uses_new_for_new_keys():
    key = KmsKey("alias/k", test_seed=6)
    old = seal(key, b"2025 data", CTX)
    assert key.rotate() == 1 and key.rotate() == 2
    new = seal(key, b"2026 data", CTX)
    assert (old.encrypted_data_key.version, new.encrypted_data_key.version) == (0, 2)
    assert open_envelope(key, old, CTX) == b"2025 data" and open_envelope(key, new, CTX) == b"2026 data"


def test_rewrap_changes_only_the_wrapped_key():
    key, archive = KmsKey("alias/k", test_seed=7), KmsKey("alias/archive", test_seed=8)
    env = seal(key, b"ledger", CTX)
    key.rotate()
    rotated = rewrap(key, env, CTX)
    moved = rewrap(key, env, CTX, destination=archive)
    assert rotated.body == env.body == moved.body and rotated.nonce == env.nonce
    assert rotated.encrypted_data_key.version == 1 and moved.encrypted_data_key.key_id == "alias/archive"
    assert open_envelope(key, rotated, CTX) == open_envelope(archive, moved, CTX) == b"ledger"
    assert key.requests["ReEncrypt"] == 2 and archive.requests == {"Decrypt": 1}


def test_test_mode_is_deterministic_and_real_mode_is_not():
    a, b = KmsKey("alias/k", test_seed=11), KmsKey("alias/k", test_seed=11)
    assert seal(a, b"x", CTX) == seal(b, b"x", CTX)
    c, d = KmsKey("alias/k"), KmsKey("alias/k")
    assert not c.random.test_mode and seal(c, b"x", CTX) != seal(d, b"x", CTX)
    assert ByteSource(test_seed=1)(8) != ByteSource(test_seed=2)(8)


def test_bad_inputs_name_the_parameter():
    key = KmsKey("alias/k", test_seed=1)
    with pytest.raises(TypeError, match="plaintext must be bytes"):
        seal(key, "text", CTX)
    with pytest.raises(TypeError, match=r"context\['n'\] must be str"):
        canonical_context({"n": 1})
    with pytest.raises(ValueError, match="key_id"):
        KmsKey("")
    with pytest.raises(DecryptionError, match="no key material version 5"):
        key.decrypt(dataclasses.replace(key.encrypt(b"x"), version=5))
