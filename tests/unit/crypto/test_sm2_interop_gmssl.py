"""Interop with the independent pure-Python `gmssl` 3.2.2 (tests only: it must not sign or decrypt in
production, see crypto/README.md).

gmssl quirks handled here: public keys are 128 hex characters without 04 (its constructor's
`lstrip("04")` would also eat a leading 0 or 4 of x, so the attribute is set directly); signatures are
raw r||s hex; `mode=1` is C1C3C2 with a bare x||y C1; and its nonces come from `random`, so signing
nonces are passed in from `secrets`.
"""

import secrets

from gmssl import func as gmssl_func
from gmssl import sm2 as gmssl_sm2
from gmssl import sm3 as gmssl_sm3
from gmssl import sm4 as gmssl_sm4
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    SM2PrivateKey,
    generate_sm4_key,
    sm2_ciphertext_from_raw,
    sm2_ciphertext_to_raw,
    sm2_decrypt,
    sm2_encrypt,
    sm2_sign,
    sm2_signature_from_raw,
    sm2_signature_to_raw,
    sm2_verify,
    sm3,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
)
from crypto._sm2_curve import N

OURS = SM2PrivateKey.generate()
D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
R_S = (
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


def gmssl_for(key: SM2PrivateKey) -> gmssl_sm2.CryptSM2:
    crypt = gmssl_sm2.CryptSM2(private_key=key.to_bytes().hex(), public_key=key.public_key.xy.hex(), mode=1)
    crypt.public_key = key.public_key.xy.hex()  # bypass the lstrip("04") bug
    return crypt


def gmssl_sign(crypt: gmssl_sm2.CryptSM2, message: bytes) -> str:
    while True:
        nonce = f"{secrets.randbelow(N - 1) + 1:064x}"
        signature = crypt.sign_with_sm3(message, nonce)
        if signature is not None:
            return signature


def test_gmssl_with_the_annex_nonce_reproduces_the_annex_signature():
    key = SM2PrivateKey(bytes.fromhex(D))
    assert gmssl_for(key).sign_with_sm3(b"message digest", K).upper() == R_S


@settings(max_examples=25, deadline=None)
@given(message=st.binary(max_size=300))
def test_our_signature_verifies_in_gmssl(message):
    raw = sm2_signature_to_raw(sm2_sign(OURS, message))
    assert gmssl_for(OURS).verify_with_sm3(raw.hex(), message)


@settings(max_examples=25, deadline=None)
@given(message=st.binary(max_size=300))
def test_a_gmssl_signature_verifies_here_after_conversion_to_der(message):
    raw = bytes.fromhex(gmssl_sign(gmssl_for(OURS), message))
    sm2_verify(OURS.public_key, message, sm2_signature_from_raw(raw))


@settings(max_examples=25, deadline=None)
@given(plaintext=st.binary(min_size=1, max_size=64))
def test_a_gmssl_c1c3c2_ciphertext_decrypts_here_after_conversion(plaintext):
    raw = gmssl_for(OURS).encrypt(plaintext)  # mode=1: x || y || C3 || C2, no 04
    assert sm2_decrypt(OURS, sm2_ciphertext_from_raw(raw, point_prefix=False)) == plaintext


@settings(max_examples=25, deadline=None)
@given(plaintext=st.binary(min_size=1, max_size=64))
def test_our_ciphertext_decrypts_in_gmssl_after_conversion(plaintext):
    raw = sm2_ciphertext_to_raw(sm2_encrypt(OURS.public_key, plaintext), point_prefix=False)
    assert gmssl_for(OURS).decrypt(raw) == plaintext


def test_keys_whose_x_starts_with_04_work_in_gmssl_through_the_helper():
    key = SM2PrivateKey((11).to_bytes(32, "big"))  # 11*G has x = 04b3cb...: gmssl would strip "04b"
    assert key.public_key.xy[:1] == b"\x04"
    raw = sm2_signature_to_raw(sm2_sign(key, b"m"))
    assert gmssl_for(key).verify_with_sm3(raw.hex(), b"m")


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=200))
def test_our_sm3_equals_gmssl_sm3(data):
    assert sm3(data).hex() == gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(data))


@settings(max_examples=30, deadline=None)
@given(plaintext=st.binary(max_size=100))
def test_our_sm4_cbc_with_pkcs7_equals_gmssl_sm4_cbc(plaintext):
    key, iv = generate_sm4_key(), generate_sm4_key()
    theirs = gmssl_sm4.CryptSM4()
    theirs.set_key(key, gmssl_sm4.SM4_ENCRYPT)
    ciphertext = bytes(theirs.crypt_cbc(iv, plaintext))
    assert sm4_cbc_encrypt(key, plaintext, iv=iv) == ciphertext
    assert sm4_cbc_decrypt(key, ciphertext, iv=iv) == plaintext
