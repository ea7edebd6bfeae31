"""SM4 block, CBC and GCM against GB/T 32907, draft-ribose-cfrg-sm4 A.2.2 and RFC 8998 A.2."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    DecryptionFailed,
    MalformedInput,
    generate_sm4_key,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
    sm4_encrypt_block,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
    sm4_kcv,
)

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")

# RFC 8998 A.2 (as carried by the cryptography-vectors package, ciphers/SM4/rfc8998.txt)
GCM_IV = bytes.fromhex("00001234567800000000abcd")
GCM_AAD = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
GCM_PLAINTEXT = bytes.fromhex(
    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
    "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa"
)
GCM_CIPHERTEXT = bytes.fromhex(
    "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
    "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
)
GCM_TAG = bytes.fromhex("83de3541e4c2b58177e065a9bf7b62ec")

# draft-ribose-cfrg-sm4-10 A.2.2.1 and A.2.2.2
CBC_PLAINTEXT = bytes.fromhex("aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffffaaaaaaaabbbbbbbb")
CBC_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
CBC_VECTORS = [
    (KEY, "78ebb11cc40b0a48312aaeb2040244cb4cb7016951909226979b0d15dc6a8f6d"),
    (
        bytes.fromhex("fedcba98765432100123456789abcdef"),
        "0d3a6ddc2d21c698857215587b7bb59a91f2c147911a4144665e1fa1d40bae38",
    ),
]


def test_sm4_block_matches_gb_t_32907_example():
    assert sm4_encrypt_block(KEY, KEY).hex() == "681edf34d206965e86b3e94f536e4246"


def test_kcv_is_the_first_three_bytes_of_the_encrypted_zero_block():
    assert sm4_kcv(KEY) == sm4_encrypt_block(KEY, bytes(16))[:3]
    assert len(sm4_kcv(generate_sm4_key())) == 3


@pytest.mark.parametrize(("key", "expected"), CBC_VECTORS)
def test_sm4_cbc_matches_the_published_vectors_both_ways(key, expected):
    ciphertext = sm4_cbc_encrypt(key, CBC_PLAINTEXT, iv=CBC_IV, pkcs7=False)
    assert ciphertext.hex() == expected
    assert sm4_cbc_decrypt(key, ciphertext, iv=CBC_IV, pkcs7=False) == CBC_PLAINTEXT


def test_sm4_gcm_encryption_matches_rfc_8998_a2():
    sealed = sm4_gcm_encrypt(KEY, GCM_PLAINTEXT, associated_data=GCM_AAD, nonce=GCM_IV)
    assert sealed == GCM_IV + GCM_CIPHERTEXT + GCM_TAG


def test_sm4_gcm_decryption_of_rfc_8998_a2_gives_the_plaintext():
    sealed = GCM_IV + GCM_CIPHERTEXT + GCM_TAG
    assert sm4_gcm_decrypt(KEY, sealed, associated_data=GCM_AAD) == GCM_PLAINTEXT


@settings(max_examples=80, deadline=None)
@given(plaintext=st.binary(max_size=500), aad=st.binary(max_size=64))
def test_sm4_gcm_round_trips_any_plaintext(plaintext, aad):
    key = generate_sm4_key()
    sealed = sm4_gcm_encrypt(key, plaintext, associated_data=aad)
    assert sm4_gcm_decrypt(key, sealed, associated_data=aad) == plaintext


def test_sm4_gcm_draws_a_fresh_nonce_each_time():
    key = generate_sm4_key()
    assert sm4_gcm_encrypt(key, b"same")[:12] != sm4_gcm_encrypt(key, b"same")[:12]


def test_every_flipped_bit_in_an_sm4_gcm_ciphertext_raises_decryption_failed():
    key = generate_sm4_key()
    sealed = sm4_gcm_encrypt(key, b"personal data", associated_data=b"ctx")
    for bit in range(len(sealed) * 8):
        flipped = bytearray(sealed)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(DecryptionFailed):
            sm4_gcm_decrypt(key, bytes(flipped), associated_data=b"ctx")


def test_sm4_gcm_with_other_associated_data_raises_decryption_failed():
    key = generate_sm4_key()
    with pytest.raises(DecryptionFailed):
        sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, b"x", associated_data=b"a"), associated_data=b"b")


def test_sm4_gcm_with_another_key_raises_decryption_failed():
    sealed = sm4_gcm_encrypt(generate_sm4_key(), b"x")
    with pytest.raises(DecryptionFailed):
        sm4_gcm_decrypt(generate_sm4_key(), sealed)


def test_a_truncated_sm4_gcm_ciphertext_raises_decryption_failed():
    with pytest.raises(DecryptionFailed):
        sm4_gcm_decrypt(KEY, b"\x00" * 27)


def test_a_key_of_the_wrong_length_is_malformed_input():
    with pytest.raises(MalformedInput):
        sm4_gcm_encrypt(b"short", b"x")


@settings(max_examples=60, deadline=None)
@given(plaintext=st.binary(max_size=300))
def test_sm4_cbc_with_pkcs7_round_trips_any_plaintext(plaintext):
    key, iv = generate_sm4_key(), generate_sm4_key()
    assert sm4_cbc_decrypt(key, sm4_cbc_encrypt(key, plaintext, iv=iv), iv=iv) == plaintext


def test_sm4_cbc_with_broken_padding_raises_decryption_failed():
    ciphertext = sm4_cbc_encrypt(KEY, bytes(16), iv=CBC_IV, pkcs7=False)  # decrypts to zero padding
    with pytest.raises(DecryptionFailed):
        sm4_cbc_decrypt(KEY, ciphertext, iv=CBC_IV)


def test_sm4_cbc_with_a_partial_block_raises_decryption_failed():
    with pytest.raises(DecryptionFailed):
        sm4_cbc_decrypt(KEY, b"\x00" * 17, iv=CBC_IV)


def test_unpadded_sm4_cbc_refuses_a_partial_block():
    with pytest.raises(MalformedInput):
        sm4_cbc_encrypt(KEY, b"\x00" * 17, iv=CBC_IV, pkcs7=False)
