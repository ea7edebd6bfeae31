"""Interop with the system `openssl` (OpenSSL 3 understands SM2): our PEM files, signatures and
ciphertexts are read there, and its are read here. Skipped where openssl lacks SM2."""

import shutil
import subprocess

import pytest

from crypto import SM2PrivateKey, SM2PublicKey, sm2_decrypt, sm2_encrypt, sm2_sign, sm2_verify

OPENSSL = shutil.which("openssl")


def _openssl(*args: str, stdin: bytes | None = None) -> bytes:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], input=stdin, capture_output=True, check=True).stdout


def _openssl_has_sm2() -> bool:
    if OPENSSL is None:
        return False
    try:
        _openssl("genpkey", "-algorithm", "SM2")
    except subprocess.CalledProcessError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _openssl_has_sm2(), reason="no openssl with SM2 on this machine")
SM3_WITH_ID = ["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    directory = tmp_path_factory.mktemp("openssl")
    key = SM2PrivateKey.generate()
    (directory / "key.pem").write_bytes(key.to_pem())
    (directory / "pub.pem").write_bytes(key.public_key.to_pem())
    return key, directory


def test_openssl_reads_our_private_key_pem_and_finds_the_same_public_key(ours):
    key, directory = ours
    public_pem = _openssl("pkey", "-in", str(directory / "key.pem"), "-pubout")
    assert SM2PublicKey.from_pem(public_pem) == key.public_key
    assert b"ASN1 OID: SM2" in _openssl("pkey", "-in", str(directory / "key.pem"), "-text", "-noout")


def test_openssl_reads_our_public_key_pem(ours):
    _key, directory = ours
    text = _openssl("pkey", "-pubin", "-in", str(directory / "pub.pem"), "-text", "-noout")
    assert b"ASN1 OID: SM2" in text


def test_we_read_an_openssl_generated_key():
    key = SM2PrivateKey.from_pem(_openssl("genpkey", "-algorithm", "SM2"))
    sm2_verify(key.public_key, b"m", sm2_sign(key, b"m"))


def test_our_signature_verifies_in_openssl(ours):
    key, directory = ours
    (directory / "msg").write_bytes(b"evidence manifest")
    (directory / "sig").write_bytes(sm2_sign(key, b"evidence manifest"))
    out = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(directory / "pub.pem"),
        "-in", str(directory / "msg"), "-sigfile", str(directory / "sig"), *SM3_WITH_ID,
    )  # fmt: skip
    assert b"Signature Verified Successfully" in out


def test_an_openssl_signature_verifies_here(ours):
    key, directory = ours
    (directory / "msg2").write_bytes(b"device enrolment")
    signature = _openssl(
        "pkeyutl", "-sign", "-inkey", str(directory / "key.pem"), "-in", str(directory / "msg2"), *SM3_WITH_ID
    )
    sm2_verify(key.public_key, b"device enrolment", signature)


def test_openssl_ciphertexts_decrypt_here_and_ours_decrypt_there(ours):
    key, directory = ours
    theirs = _openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(directory / "pub.pem"), stdin=b"k" * 16)
    assert sm2_decrypt(key, theirs) == b"k" * 16
    (directory / "ct").write_bytes(sm2_encrypt(key.public_key, b"content key 0123"))
    key_file, ciphertext_file = str(directory / "key.pem"), str(directory / "ct")
    plain = _openssl("pkeyutl", "-decrypt", "-inkey", key_file, "-in", ciphertext_file)
    assert plain == b"content key 0123"
