"""Digital envelope: round trips, the policy checks (sender, freshness, recipient, replay) and tampering."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    BadSignature,
    CryptoError,
    DecryptionFailed,
    EnvelopeExpired,
    EnvelopeNotForRecipient,
    EnvelopeReplayed,
    InMemorySeenNonces,
    MalformedInput,
    SM2PrivateKey,
    UntrustedSender,
    open_envelope,
    seal,
    sm2_decrypt,
    sm2_verify,
    sm4_gcm_decrypt,
)

NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
KMS = SM2PrivateKey.generate()
DEVICE_A = SM2PrivateKey.generate()
DEVICE_B = SM2PrivateKey.generate()
TRUSTED = {"kms-1": KMS.public_key}


def sealed(content=b"DMK payload", *, signed=True, now=NOW):
    recipients = [("dev-a", DEVICE_A.public_key), ("dev-b", DEVICE_B.public_key)]
    return seal(content, recipients, ("kms-1", KMS) if signed else None, now=now)


def open_as_a(data, *, trusted=TRUSTED, nonces=None, now=NOW, window=300):
    store = nonces if nonces is not None else InMemorySeenNonces(clock=lambda: now)
    return open_envelope(
        data, "dev-a", DEVICE_A, trusted_senders=trusted, seen_nonces=store, window_seconds=window, now=now
    )


@settings(max_examples=40, deadline=None)
@given(content=st.binary(max_size=2000))
def test_every_recipient_opens_a_signed_envelope_and_learns_the_verified_sender(content):
    data = sealed(content)
    opened = open_as_a(data)
    assert (opened.content, opened.sender_key_id, opened.timestamp) == (content, "kms-1", NOW)
    other = open_envelope(data, "dev-b", DEVICE_B, trusted_senders=TRUSTED, seen_nonces=None, now=NOW)
    assert other.content == content and other.nonce == opened.nonce


def test_an_unsigned_envelope_opens_when_no_sender_is_required():
    opened = open_as_a(sealed(signed=False), trusted=None)
    assert opened.content == b"DMK payload" and opened.sender_key_id is None


def test_a_signed_envelope_opened_without_trusted_senders_reports_no_sender():
    assert open_as_a(sealed(), trusted=None).sender_key_id is None


def test_an_unsigned_envelope_is_refused_when_a_sender_is_required():
    with pytest.raises(UntrustedSender):
        open_as_a(sealed(signed=False))


def test_a_sender_outside_the_trusted_set_is_refused():
    with pytest.raises(UntrustedSender):
        open_as_a(sealed(), trusted={"kms-2": KMS.public_key})


def test_a_trusted_key_id_with_another_key_is_a_bad_signature():
    with pytest.raises(BadSignature):
        open_as_a(sealed(), trusted={"kms-1": DEVICE_B.public_key})


def test_an_envelope_for_other_devices_is_not_for_this_recipient():
    data = seal(b"x", [("dev-b", DEVICE_B.public_key)], ("kms-1", KMS), now=NOW)
    with pytest.raises(EnvelopeNotForRecipient):
        open_as_a(data)


def test_the_right_key_id_with_the_wrong_private_key_fails_to_decrypt():
    with pytest.raises(DecryptionFailed):
        open_envelope(sealed(), "dev-a", DEVICE_B, trusted_senders=TRUSTED, seen_nonces=None, now=NOW)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_envelopes_within_the_window_either_way_are_fresh(skew):
    open_as_a(sealed(), now=NOW + timedelta(seconds=skew))


@pytest.mark.parametrize("skew", [-301, 301, 86400])
def test_envelopes_outside_the_window_are_expired(skew):
    with pytest.raises(EnvelopeExpired):
        open_as_a(sealed(), now=NOW + timedelta(seconds=skew))


def test_the_window_is_configurable_and_can_be_disabled_for_archives():
    with pytest.raises(EnvelopeExpired):
        open_as_a(sealed(), now=NOW + timedelta(seconds=61), window=60)
    old = sealed(now=NOW - timedelta(days=3650))
    opened = open_envelope(
        old, "dev-a", DEVICE_A, trusted_senders=TRUSTED, seen_nonces=None, window_seconds=None
    )
    assert opened.content == b"DMK payload"


def test_a_second_opening_within_the_window_is_a_replay():
    data, store = sealed(), InMemorySeenNonces(clock=lambda: NOW)
    open_as_a(data, nonces=store)
    with pytest.raises(EnvelopeReplayed):
        open_as_a(data, nonces=store, now=NOW + timedelta(seconds=10))


def test_the_nonce_store_forgets_nonces_once_their_envelopes_would_be_expired_anyway():
    clock = [NOW]
    store = InMemorySeenNonces(clock=lambda: clock[0])
    open_as_a(sealed(), nonces=store)
    assert len(store) == 1
    clock[0] = NOW + timedelta(seconds=301)
    open_as_a(sealed(now=clock[0]), nonces=store, now=clock[0])
    assert len(store) == 1


def test_a_tampered_copy_does_not_use_up_the_genuine_nonce():
    data, store = sealed(), InMemorySeenNonces(clock=lambda: NOW)
    tampered = bytearray(data)
    tampered[-80] ^= 1
    with pytest.raises(CryptoError):
        open_as_a(bytes(tampered), nonces=store)
    open_as_a(data, nonces=store)


def test_a_replay_check_without_a_window_is_refused():
    with pytest.raises(ValueError, match="window"):
        open_as_a(sealed(), window=None)


SIGNED = sealed()
UNSIGNED = sealed(signed=False)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_flipped_bit_in_a_signed_envelope_is_rejected_by_name(data):
    bit = data.draw(st.integers(0, len(SIGNED) * 8 - 1))
    flipped = bytearray(SIGNED)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises((BadSignature, MalformedInput, UntrustedSender)):
        open_as_a(bytes(flipped))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_flipped_bit_in_an_unsigned_envelope_is_rejected_by_name(data):
    bit = data.draw(st.integers(0, len(UNSIGNED) * 8 - 1))
    flipped = bytearray(UNSIGNED)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises((DecryptionFailed, MalformedInput, EnvelopeNotForRecipient, EnvelopeExpired)):
        open_as_a(bytes(flipped), trusted=None)


def layout(data):
    """Split an envelope by the README's byte layout: (prefix, header, signed part, body, signature)."""
    header_end = 9 + int.from_bytes(data[5:9], "big")
    body_end = header_end + 8 + int.from_bytes(data[header_end : header_end + 8], "big")
    sig_len = int.from_bytes(data[body_end : body_end + 2], "big")
    assert len(data) == body_end + 2 + sig_len
    header = json.loads(data[9:header_end])
    return data[:header_end], header, data[:body_end], data[header_end + 8 : body_end], data[body_end + 2 :]


def test_every_flipped_bit_in_the_signature_is_a_bad_signature():
    start = len(SIGNED) - len(layout(SIGNED)[4])
    for bit in range(start * 8, len(SIGNED) * 8):
        flipped = bytearray(SIGNED)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(BadSignature):
            open_as_a(bytes(flipped))


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_truncated_or_extended_envelopes_are_malformed(cut):
    with pytest.raises(MalformedInput):
        open_as_a(SIGNED[:-cut])
    with pytest.raises(MalformedInput):
        open_as_a(SIGNED + b"\x00" * cut)


def test_an_unknown_format_version_is_malformed():
    with pytest.raises(MalformedInput, match="version"):
        open_as_a(SIGNED[:4] + b"\x02" + SIGNED[5:])


def test_the_bytes_follow_the_layout_documented_in_the_readme():
    prefix, header, signed, body, signature = layout(SIGNED)
    assert SIGNED[:5] == b"FBEV\x01"
    assert set(header) == {"suite", "ts", "nonce", "sender", "recipients"}
    assert (header["suite"], header["sender"]) == ("SM2-SM4GCM-SM3", "kms-1")
    assert header["ts"] == int(NOW.timestamp())
    assert len(bytes.fromhex(header["nonce"])) == 16
    sm2_verify(KMS.public_key, signed, signature)
    entry = next(r for r in header["recipients"] if r["kid"] == "dev-a")
    content_key = sm2_decrypt(DEVICE_A, base64.b64decode(entry["ek"]))
    assert sm4_gcm_decrypt(content_key, body, associated_data=prefix) == b"DMK payload"


def test_sealing_needs_unique_recipients_and_an_aware_time():
    with pytest.raises(ValueError):
        seal(b"x", [], None)
    with pytest.raises(ValueError):
        seal(b"x", [("a", DEVICE_A.public_key), ("a", DEVICE_B.public_key)], None)
    with pytest.raises(ValueError):
        seal(b"x", [("a", DEVICE_A.public_key)], None, now=datetime(2025, 1, 1))
