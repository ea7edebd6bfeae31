"""Field encryption of personal data and blind indexes, with an in-memory key ring as the key store."""

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import DecryptionFailed, FieldCipher, UnknownKeyId, generate_sm4_key, kek_key_id

ID_NUMBER = "42010619900101123X"
CONTEXT = b"customer.id_number:7f3c"


@dataclass
class FakeFieldKeys:
    keks: dict[str, bytes] = field(default_factory=dict)
    current: str = ""
    index_key: bytes = b"i" * 32

    def add_kek(self) -> str:
        kek = generate_sm4_key()
        self.current = kek_key_id(kek)
        self.keks[self.current] = kek
        return self.current

    def current_kek(self) -> tuple[str, bytes]:
        return self.current, self.keks[self.current]

    def kek(self, key_id: str) -> bytes:
        if key_id not in self.keks:
            raise UnknownKeyId(key_id)
        return self.keks[key_id]


def make_cipher() -> tuple[FieldCipher, FakeFieldKeys]:
    keys = FakeFieldKeys()
    keys.add_kek()
    return FieldCipher(keys), keys


CIPHER, KEYS = make_cipher()


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=200), context=st.binary(min_size=1, max_size=40))
def test_text_round_trips_through_the_column_form(text, context):
    token = CIPHER.encrypt(text, context=context)
    assert token.isascii() and CIPHER.decrypt_text(token, context=context) == text


@settings(max_examples=40, deadline=None)
@given(blob=st.binary(max_size=3000))
def test_blobs_round_trip_through_the_binary_form(blob):
    assert CIPHER.decrypt_bytes(CIPHER.encrypt_bytes(blob, context=b"blob:1"), context=b"blob:1") == blob


def test_the_column_form_names_the_kek_and_hides_the_value():
    token = CIPHER.encrypt(ID_NUMBER, context=CONTEXT)
    prefix, kek_id, _wrapped, _data = token.split(".")
    assert (prefix, kek_id) == ("fb1", KEYS.current)
    assert ID_NUMBER not in token


def test_equal_values_encrypt_differently():
    assert CIPHER.encrypt(ID_NUMBER, context=CONTEXT) != CIPHER.encrypt(ID_NUMBER, context=CONTEXT)


def test_a_value_copied_to_another_column_or_record_does_not_decrypt():
    token = CIPHER.encrypt(ID_NUMBER, context=CONTEXT)
    with pytest.raises(DecryptionFailed):
        CIPHER.decrypt(token, context=b"customer.id_number:other-record")
    with pytest.raises(DecryptionFailed):
        CIPHER.decrypt(token, context=b"customer.mobile:7f3c")


def test_encryption_without_a_context_is_refused():
    with pytest.raises(ValueError, match="context"):
        CIPHER.encrypt("x", context=b"")


def test_every_flipped_bit_in_a_column_value_is_rejected_by_name():
    token = CIPHER.encrypt("13912341234", context=CONTEXT).encode()
    for bit in range(len(token) * 8):
        if bit % 8 == 7:
            continue  # stays ASCII, as a str column holds it
        flipped = bytearray(token)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises((DecryptionFailed, UnknownKeyId)):
            CIPHER.decrypt(flipped.decode(), context=CONTEXT)


def test_every_flipped_bit_in_an_encrypted_blob_is_rejected_by_name():
    blob = CIPHER.encrypt_bytes(b"\x89PNG face image", context=b"blob:1")
    for bit in range(len(blob) * 8):
        flipped = bytearray(blob)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises((DecryptionFailed, UnknownKeyId)):
            CIPHER.decrypt_bytes(bytes(flipped), context=b"blob:1")


def test_a_value_under_a_kek_we_do_not_hold_raises_unknown_key_id():
    token = FieldCipher(make_cipher()[1]).encrypt("x", context=CONTEXT)
    with pytest.raises(UnknownKeyId):
        CIPHER.decrypt(token, context=CONTEXT)


def test_after_a_kek_rotation_old_values_decrypt_and_rewrap_to_the_new_kek():
    cipher, keys = make_cipher()
    old_kek = keys.current
    token = cipher.encrypt(ID_NUMBER, context=CONTEXT)
    blob = cipher.encrypt_bytes(b"image", context=b"blob:2")
    new_kek = keys.add_kek()
    assert cipher.decrypt_text(token, context=CONTEXT) == ID_NUMBER
    assert cipher.needs_rewrap(token) and cipher.needs_rewrap(blob)
    rewrapped = cipher.rewrap(token)
    assert isinstance(rewrapped, str) and rewrapped.split(".")[1] == new_kek != old_kek
    assert rewrapped.split(".")[3] == token.split(".")[3]  # the data part is untouched
    assert not cipher.needs_rewrap(rewrapped)
    del keys.keks[old_kek]
    assert cipher.decrypt_text(rewrapped, context=CONTEXT) == ID_NUMBER
    with pytest.raises(UnknownKeyId):
        cipher.rewrap(blob)  # not re-wrapped before its KEK was removed: lost


def test_a_new_value_uses_the_current_kek():
    cipher, keys = make_cipher()
    keys.add_kek()
    assert cipher.encrypt("x", context=CONTEXT).split(".")[1] == keys.current


def test_the_blind_index_ignores_spaces_and_the_case_of_x():
    assert CIPHER.blind_index(ID_NUMBER) == CIPHER.blind_index(" 42010619900101123x ")
    assert CIPHER.blind_index(ID_NUMBER) == CIPHER.blind_index("420106 19900101 123X")


def test_the_blind_index_is_a_32_hex_character_keyed_token():
    index = CIPHER.blind_index(ID_NUMBER)
    assert len(index) == 32 and int(index, 16) >= 0
    other_key = FieldCipher(FakeFieldKeys(index_key=b"j" * 32))
    assert other_key.blind_index(ID_NUMBER) != index


def test_blind_indexes_of_different_kinds_never_collide_for_the_same_text():
    mobile = CIPHER.blind_index("13912341234", kind="mobile")
    assert mobile != CIPHER.blind_index("13912341234", kind="id_number")


def test_mobile_blind_indexes_normalise_the_country_code_and_separators():
    normalised = CIPHER.blind_index("13912341234", kind="mobile")
    assert CIPHER.blind_index("+86 139-1234-1234", kind="mobile") == normalised


def test_an_unknown_blind_index_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        CIPHER.blind_index("x", kind="id_numbr")


def test_the_blind_index_does_not_change_with_the_kek():
    cipher, keys = make_cipher()
    before = cipher.blind_index(ID_NUMBER)
    keys.add_kek()
    assert cipher.blind_index(ID_NUMBER) == before
