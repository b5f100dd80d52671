"""The stable hash: fixed values, independent of PYTHONHASHSEED, and hash mod n."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.stable_hash import HASH_SPACE, check_nodes, hash_mod_n, mix64, stable_hash64


def test_known_values():
    # BLAKE2b with an 8-byte digest, big-endian; pinned so a change of hash is noticed.
    assert stable_hash64("") == 16476032584258269876
    assert stable_hash64("user:42") == int.from_bytes(hashlib.blake2b(b"user:42", digest_size=8).digest(), "big")


@settings(max_examples=100, deadline=None, database=None)
@given(text=st.text(max_size=30))
def test_str_hashes_as_its_utf8_bytes_and_stays_in_range(text):
    h = stable_hash64(text)
    assert h == stable_hash64(text.encode("utf-8")) == stable_hash64(bytearray(text.encode("utf-8")))
    assert 0 <= h < HASH_SPACE


def test_same_value_in_processes_with_different_hash_seeds():
    code = "from labsupport.stable_hash import stable_hash64; print(stable_hash64('user:42'), hash('user:42'))"
    outputs = []
    for seed in ("1", "2"):
        repo = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outputs.append(done.stdout.split())
    assert outputs[0][0] == outputs[1][0] == str(stable_hash64("user:42"))
    assert outputs[0][1] != outputs[1][1]  # the built-in hash() really is salted


def test_hash_mod_n():
    assert [hash_mod_n("user:42", n) for n in (1, 7, 10)] == [stable_hash64("user:42") % n for n in (1, 7, 10)]
    with pytest.raises(ValueError, match="num_buckets=0 .*num_buckets >= 1"):
        hash_mod_n("k", 0)
    with pytest.raises(TypeError, match="num_buckets must be an int"):
        hash_mod_n("k", 2.0)


def test_mix64_is_a_permutation_that_scrambles():
    outputs = {mix64(x) for x in range(5000)}
    assert len(outputs) == 5000 and all(0 <= y < HASH_SPACE for y in outputs)
    # Avalanche: flipping one input bit flips about half of the 64 output bits.
    flips = [bin(mix64(x) ^ mix64(x ^ (1 << b))).count("1") for x in range(50) for b in range(64)]
    assert 30 < sum(flips) / len(flips) < 34


def test_bad_keys_and_node_lists():
    with pytest.raises(TypeError, match="key must be str or bytes, not int"):
        stable_hash64(42)
    with pytest.raises(ValueError, match="nodes is empty; give at least 1 node"):
        check_nodes([])
    with pytest.raises(ValueError, match="duplicate name 'a'"):
        check_nodes(["a", "b", "a"])
    with pytest.raises(TypeError, match="nodes must be list, tuple, set, frozenset or dict, not str"):
        check_nodes("abc")
