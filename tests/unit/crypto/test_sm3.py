"""SM3 and HMAC-SM3 against GB/T 32905 and an independent HMAC (the system OpenSSL through hashlib)."""

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import BadSignature, hmac_sm3, hmac_sm3_hasher, sm3, sm3_hasher, verify_hmac_sm3

HAS_HASHLIB_SM3 = "sm3" in hashlib.algorithms_available


def test_sm3_of_abc_matches_gb_t_32905_example_1():
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_of_the_64_byte_message_matches_gb_t_32905_example_2():
    digest = sm3(b"abcd" * 16)
    assert digest.hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=5))
def test_streaming_sm3_equals_one_shot_sm3(chunks):
    hasher = sm3_hasher()
    for chunk in chunks:
        hasher.update(chunk)
    assert hasher.finalize() == sm3(b"".join(chunks))


@pytest.mark.skipif(not HAS_HASHLIB_SM3, reason="system OpenSSL without SM3")
@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=1, max_size=100), data=st.binary(max_size=300))
def test_hmac_sm3_equals_the_generic_hmac_construction_over_system_sm3(key, data):
    assert hmac_sm3(key, data) == hmac.new(key, data, "sm3").digest()


@settings(max_examples=30, deadline=None)
@given(key=st.binary(min_size=16, max_size=32), chunks=st.lists(st.binary(max_size=200), max_size=4))
def test_streaming_hmac_sm3_equals_one_shot_hmac_sm3(key, chunks):
    mac = hmac_sm3_hasher(key)
    for chunk in chunks:
        mac.update(chunk)
    assert mac.finalize() == hmac_sm3(key, b"".join(chunks))


def test_a_correct_hmac_sm3_tag_verifies():
    verify_hmac_sm3(b"k" * 16, b"message", hmac_sm3(b"k" * 16, b"message"))


def test_every_flipped_bit_in_an_hmac_sm3_tag_raises_bad_signature():
    tag = hmac_sm3(b"k" * 16, b"message")
    for bit in range(len(tag) * 8):
        flipped = bytearray(tag)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(BadSignature):
            verify_hmac_sm3(b"k" * 16, b"message", bytes(flipped))


def test_a_truncated_hmac_sm3_tag_raises_bad_signature():
    with pytest.raises(BadSignature):
        verify_hmac_sm3(b"k" * 16, b"message", hmac_sm3(b"k" * 16, b"message")[:16])
