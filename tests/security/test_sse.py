"""S3 server-side encryption modes on the envelope model: what each protects and what KMS is asked."""

import pytest

from labsupport.security.encryption.envelope import DecryptionError, IncorrectKeyError, KmsKey
from labsupport.security.encryption.sse import AccessDenied, Bucket


def bucket(**kw):
    return Bucket("orders", kms_key=KmsKey("alias/orders", test_seed=1), test_seed=2, **kw)


@pytest.mark.parametrize("mode", ["SSE-S3", "SSE-KMS", "DSSE-KMS"])
def test_modes_round_trip(mode):
    b = bucket()
    b.put("a.csv", b"1,2,3", mode)
    assert b.get("a.csv") == b"1,2,3"


def test_sse_s3_never_calls_your_kms_key_and_sse_kms_calls_it_per_object():
    b = bucket()
    for i in range(5):
        b.put(f"s3-{i}", b"x", "SSE-S3")
    assert b.kms_key.requests == {}
    for i in range(5):
        b.put(f"kms-{i}", b"x", "SSE-KMS")
        b.get(f"kms-{i}")
    assert b.kms_key.requests == {"GenerateDataKey": 5, "Decrypt": 5}


def test_dsse_uses_kms_once_per_layer_that_it_owns():
    b = bucket()
    b.put("top-secret", b"x", "DSSE-KMS")
    assert b.get("top-secret") == b"x" and b.kms_key.requests == {"GenerateDataKey": 1, "Decrypt": 1}


def test_bucket_key_cuts_kms_requests_to_one_per_period():
    b = bucket(bucket_key=True, bucket_key_ttl_s=60)
    for t in range(300):                      # one PUT and one GET per second for 5 minutes
        b.put(f"obj-{t}", b"x", "SSE-KMS", now_s=t)
        assert b.get(f"obj-{t}", now_s=t) == b"x"
    assert b.kms_key.requests == {"GenerateDataKey": 5, "Decrypt": 5}


def test_bucket_key_context_is_the_bucket_arn():
    b = bucket(bucket_key=True)
    b.put("a", b"x", "SSE-KMS")
    wrapped = b._objects["a"].envelope.encrypted_data_key
    assert b.kms_key.decrypt(wrapped, {"aws:s3:arn": "arn:aws:s3:::orders"})
    with pytest.raises(DecryptionError):
        b.kms_key.decrypt(wrapped, {"aws:s3:arn": "arn:aws:s3:::orders/a"})


def test_object_copied_under_another_name_does_not_decrypt():
    b = bucket()
    b.put("a", b"x", "SSE-KMS")
    b._objects["b"] = b._objects["a"]          # a ciphertext moved to another object ARN
    with pytest.raises(DecryptionError):
        b.get("b")


def test_kms_key_swap_is_detected():
    b = bucket()
    b.put("a", b"x", "SSE-KMS")
    b.kms_key = KmsKey("alias/attacker", test_seed=1)
    with pytest.raises(IncorrectKeyError):
        b.get("a")


def test_sse_c_is_blocked_by_default_and_checks_the_key_when_allowed():
    with pytest.raises(AccessDenied, match="blocked .* since April 2026"):
        bucket().put("c", b"x", "SSE-C", customer_key=bytes(32))
    b = bucket(allow_sse_c=True)
    key = bytes(range(32))
    with pytest.raises(AccessDenied, match="HTTPS"):
        b.put("c", b"x", "SSE-C", customer_key=key, https=False)
    b.put("c", b"secret", "SSE-C", customer_key=key)
    assert b.get("c", customer_key=key) == b"secret"
    stored = b._objects["c"]
    assert key not in stored.key_hmac + stored.salt + stored.envelope.body   # S3 keeps a salted HMAC, not the key
    with pytest.raises(AccessDenied, match="salted HMAC"):
        b.get("c", customer_key=bytes(32))
    with pytest.raises(AccessDenied, match="must carry the customer key"):
        b.get("c")


def test_bad_configuration_is_reported():
    with pytest.raises(ValueError, match="needs a KMS key"):
        Bucket("x").put("a", b"x", "SSE-KMS")
    with pytest.raises(ValueError, match="mode='SSE-X'"):
        bucket().put("a", b"x", "SSE-X")
    with pytest.raises(ValueError, match="bucket_key_ttl_s"):
        Bucket("x", bucket_key_ttl_s=0)
