"""SM2 against the GB/T 32918.5 annex examples, plus round trips, key forms, PEM and tamper checks."""

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto._der as _der
from crypto import (
    BadSignature,
    DecryptionFailed,
    MalformedInput,
    SM2PrivateKey,
    SM2PublicKey,
    sm2_ciphertext_from_raw,
    sm2_ciphertext_to_raw,
    sm2_decrypt,
    sm2_encrypt,
    sm2_sign,
    sm2_signature_from_raw,
    sm2_signature_to_raw,
    sm2_verify,
)
from crypto._sm2_curve import N
from crypto.sm2 import sm2_za
from crypto.sm2_keys import _pem_encode
from crypto.sm3 import sm3

# GB/T 32918.5-2017 annex (same example as GM/T 0003.5-2012 A.2): key, signature, encryption
D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC_XY = bytes.fromhex(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
Z_A = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
E = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
R_S = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)
C1 = bytes.fromhex(
    "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"  # x1 itself starts with 04
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"
)
C3 = bytes.fromhex("59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766")
C2 = bytes.fromhex("21886CA989CA9C7D58087307CA93092D651EFA")
CIPHERTEXT_DER = bytes.fromhex(
    "307C022004EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73022100E858F9D81E"
    "5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0042059983C18F809E262923C53AEC295D3"
    "0383B54E39D609D160AFCB1908D0BD8766041321886CA989CA9C7D58087307CA93092D651EFA"
)

ALICE = SM2PrivateKey.generate()
BOB = SM2PrivateKey.generate()


def flips(data: bytes):
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        yield bytes(flipped)


def test_the_annex_private_key_derives_the_annex_public_key():
    assert SM2PrivateKey(D).public_key.xy == PUBLIC_XY


def test_z_a_and_e_match_the_annex_for_the_default_user_id():
    key = SM2PublicKey(PUBLIC_XY)
    assert sm2_za(key, b"1234567812345678") == Z_A
    assert sm3(Z_A + b"message digest") == E


def test_the_annex_signature_verifies():
    sm2_verify(SM2PublicKey(PUBLIC_XY), b"message digest", sm2_signature_from_raw(R_S))


def test_the_annex_signature_fails_for_another_message_or_user_id():
    signature = sm2_signature_from_raw(R_S)
    with pytest.raises(BadSignature):
        sm2_verify(SM2PublicKey(PUBLIC_XY), b"message digesT", signature)
    with pytest.raises(BadSignature):
        sm2_verify(SM2PublicKey(PUBLIC_XY), b"message digest", signature, user_id=b"ALICE123@YAHOO.COM")


def test_the_annex_ciphertext_decrypts_to_encryption_standard():
    assert sm2_decrypt(SM2PrivateKey(D), CIPHERTEXT_DER) == b"encryption standard"


def test_raw_c1c3c2_forms_of_the_annex_ciphertext_convert_to_its_der():
    assert sm2_ciphertext_from_raw(C1 + C3 + C2, point_prefix=False) == CIPHERTEXT_DER
    assert sm2_ciphertext_from_raw(b"\x04" + C1 + C3 + C2, point_prefix=True) == CIPHERTEXT_DER
    assert sm2_ciphertext_to_raw(CIPHERTEXT_DER, point_prefix=True) == b"\x04" + C1 + C3 + C2


def test_a_raw_ciphertext_with_the_wrong_point_prefix_setting_is_refused():
    with pytest.raises(MalformedInput):
        sm2_ciphertext_from_raw(b"\x04" + C1 + C3 + C2, point_prefix=False)


def test_the_raw_annex_signature_round_trips_through_der():
    assert sm2_signature_to_raw(sm2_signature_from_raw(R_S)) == R_S


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=512), user_id=st.binary(min_size=1, max_size=40))
def test_sign_then_verify_round_trips_for_any_message_and_user_id(message, user_id):
    signature = sm2_sign(ALICE, message, user_id=user_id)
    sm2_verify(ALICE.public_key, message, signature, user_id=user_id)


def test_a_signature_made_with_another_user_id_is_a_bad_signature():
    signature = sm2_sign(ALICE, b"m", user_id=b"ALICE123@YAHOO.COM")
    with pytest.raises(BadSignature):
        sm2_verify(ALICE.public_key, b"m", signature)


def test_a_signature_by_another_key_is_a_bad_signature():
    with pytest.raises(BadSignature):
        sm2_verify(BOB.public_key, b"m", sm2_sign(ALICE, b"m"))


def test_every_flipped_bit_in_a_signature_raises_bad_signature():
    signature = sm2_sign(ALICE, b"evidence manifest")
    for flipped in flips(signature):
        with pytest.raises(BadSignature):
            sm2_verify(ALICE.public_key, b"evidence manifest", flipped)


def test_non_der_signature_encodings_are_bad_signatures():
    r, s = int.from_bytes(R_S[:32], "big"), int.from_bytes(R_S[32:], "big")
    padded_r = _der.encode_tlv(_der.INTEGER, b"\x00\x00" + r.to_bytes(32, "big"))  # one 00 is enough
    signature = sm2_signature_from_raw(R_S)
    for bad in (
        _der.encode_sequence(padded_r, _der.encode_integer(s)),
        signature + b"\x00",
        _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s + N)),
        b"",
    ):
        with pytest.raises(BadSignature):
            sm2_verify(SM2PublicKey(PUBLIC_XY), b"message digest", bad)


def test_signatures_are_der_with_r_and_s_in_range():
    raw = sm2_signature_to_raw(sm2_sign(ALICE, b"m"))
    assert len(raw) == 64


@settings(max_examples=60, deadline=None)
@given(plaintext=st.binary(min_size=1, max_size=255))
def test_encrypt_then_decrypt_round_trips_any_key_sized_plaintext(plaintext):
    ciphertext = sm2_encrypt(BOB.public_key, plaintext)
    assert sm2_decrypt(BOB, ciphertext) == plaintext
    raw = sm2_ciphertext_to_raw(ciphertext, point_prefix=False)
    assert sm2_ciphertext_from_raw(raw, point_prefix=False) == ciphertext


def test_every_flipped_bit_in_a_ciphertext_raises_decryption_failed():
    ciphertext = sm2_encrypt(BOB.public_key, b"0123456789abcdef")
    for flipped in flips(ciphertext):
        with pytest.raises(DecryptionFailed):
            sm2_decrypt(BOB, flipped)


def test_decrypting_with_the_wrong_private_key_raises_decryption_failed():
    with pytest.raises(DecryptionFailed):
        sm2_decrypt(ALICE, sm2_encrypt(BOB.public_key, b"content key"))


@pytest.mark.parametrize("size", [0, 256])
def test_sm2_only_encrypts_1_to_255_bytes(size):
    with pytest.raises(MalformedInput):
        sm2_encrypt(BOB.public_key, b"k" * size)


def test_public_keys_load_from_uncompressed_bare_and_compressed_forms():
    key = ALICE.public_key
    x, y = key.xy[:32], key.xy[32:]
    compressed = bytes([2 + (y[-1] & 1)]) + x
    assert SM2PublicKey.from_bytes(key.to_bytes()) == key
    assert SM2PublicKey.from_bytes(key.xy) == key
    assert SM2PublicKey.from_bytes(compressed) == key


def test_a_point_off_the_curve_is_not_a_public_key():
    with pytest.raises(MalformedInput):
        SM2PublicKey(PUBLIC_XY[:-1] + bytes([PUBLIC_XY[-1] ^ 1]))


@pytest.mark.parametrize("d", [0, N - 1, N])
def test_private_keys_outside_1_to_n_minus_2_are_refused(d):
    with pytest.raises(MalformedInput):
        SM2PrivateKey(d.to_bytes(32, "big"))


def test_key_ids_are_16_hex_characters_of_the_sm3_of_the_public_key():
    assert ALICE.key_id == sm3(ALICE.public_key.to_bytes())[:8].hex()
    assert ALICE.key_id != BOB.key_id


def test_private_key_repr_shows_the_key_id_not_the_secret():
    assert ALICE.to_bytes().hex() not in repr(ALICE)
    assert ALICE.key_id in repr(ALICE)


def test_private_and_public_keys_round_trip_through_pem():
    loaded = SM2PrivateKey.from_pem(ALICE.to_pem())
    assert loaded.to_bytes() == ALICE.to_bytes()
    assert loaded.public_key == ALICE.public_key
    assert SM2PublicKey.from_pem(ALICE.public_key.to_pem().decode()) == ALICE.public_key


def test_the_annex_key_pem_has_the_openssl_layout():
    der = SM2PrivateKey(D).to_der()
    header = "308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420"
    assert der.startswith(bytes.fromhex(header) + D)
    assert der.endswith(bytes.fromhex("a14403420004") + PUBLIC_XY)


def test_a_sec1_ec_private_key_pem_is_accepted():
    ec_private_key = _der.DerReader(_der.DerReader(ALICE.to_der(), "t").read(_der.SEQUENCE), "t")
    ec_private_key.read_integer()
    ec_private_key.read(_der.SEQUENCE)
    body = ec_private_key.read(_der.OCTET_STRING)
    pem = _pem_encode("EC PRIVATE KEY", body)
    assert SM2PrivateKey.from_pem(pem).key_id == ALICE.key_id


def test_a_pkcs8_key_whose_public_key_does_not_match_is_refused():
    der = ALICE.to_der().replace(ALICE.public_key.xy, BOB.public_key.xy)
    with pytest.raises(MalformedInput):
        SM2PrivateKey.from_der(der)


def test_a_key_on_another_curve_is_refused():
    sm2p256v1, prime256v1 = bytes.fromhex("2a811ccf5501822d"), bytes.fromhex("2a8648ce3d030107")
    spki = ALICE.public_key.to_der().replace(sm2p256v1, prime256v1)
    with pytest.raises(MalformedInput):
        SM2PublicKey.from_der(spki)


def test_pem_without_the_expected_block_is_malformed_input():
    with pytest.raises(MalformedInput):
        SM2PrivateKey.from_pem(ALICE.public_key.to_pem())


def test_an_encrypted_pem_is_refused_with_a_hint():
    pem = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
    with pytest.raises(MalformedInput, match="openssl pkey"):
        SM2PrivateKey.from_pem(pem)


def test_signing_and_verifying_from_several_threads_at_once_is_safe():
    messages = [secrets.token_bytes(64) for _ in range(200)]

    def round_trip(message: bytes) -> None:
        sm2_verify(ALICE.public_key, message, sm2_sign(ALICE, message))
        assert sm2_decrypt(BOB, sm2_encrypt(BOB.public_key, message[:16])) == message[:16]

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(round_trip, messages))


def test_z_a_is_computed_once_per_key_and_user_id():
    before = sm2_za.cache_info().hits
    sm2_sign(ALICE, b"one")
    sm2_sign(ALICE, b"two")
    assert sm2_za.cache_info().hits >= before + 1
