"""Key store: creation, loading, overrides, rotation and the guards around secret files."""

import json
import os
import stat

import pytest

from crypto import (
    FieldCipher,
    KeyStoreError,
    SM2PrivateKey,
    UnknownKeyId,
    generate_sm4_key,
    init_key_store,
    kek_key_id,
    load_key_store,
    load_or_init_key_store,
    open_envelope,
    seal,
    sm2_sign,
    sm2_verify,
    sm3,
    sm4_encrypt_block,
)

CONTEXT = b"customer.mobile:1"


def test_init_creates_a_private_directory_of_secret_files(tmp_path):
    store = init_key_store(tmp_path / "keys")
    directory = tmp_path / "keys"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted(
        [
            "keys.json",
            "index-key.hex",
            f"kek-{store.kek_id}.hex",
            f"signing-{store.signing_key_id}.pem",
            f"signing-{store.signing_key_id}.pub.pem",
            f"encryption-{store.encryption_key_id}.pem",
            f"encryption-{store.encryption_key_id}.pub.pem",
        ]
    )
    for path in directory.iterdir():
        if not path.name.endswith(".pub.pem"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_init_refuses_to_overwrite_an_existing_store(tmp_path):
    init_key_store(tmp_path)
    with pytest.raises(KeyStoreError, match="refusing"):
        init_key_store(tmp_path)


def test_a_loaded_store_has_the_same_keys_as_the_created_one(tmp_path):
    created = init_key_store(tmp_path)
    token = FieldCipher(created).encrypt("13912341234", context=CONTEXT)
    loaded = load_key_store(tmp_path)
    assert (loaded.signing_key_id, loaded.encryption_key_id, loaded.kek_id) == (
        created.signing_key_id,
        created.encryption_key_id,
        created.kek_id,
    )
    assert loaded.index_key == created.index_key
    assert FieldCipher(loaded).decrypt_text(token, context=CONTEXT) == "13912341234"
    sm2_verify(loaded.signing_key.public_key, b"m", sm2_sign(created.signing_key, b"m"))


def test_key_ids_derive_from_the_sm3_of_the_public_key_and_of_the_kek_check_block(tmp_path):
    store = init_key_store(tmp_path)
    assert store.signing_key_id == sm3(store.signing_key.public_key.to_bytes())[:8].hex()
    kek_id, kek = store.current_kek()
    assert kek_id == kek_key_id(kek) == sm3(sm4_encrypt_block(kek, bytes(16)))[:8].hex()


def test_loading_a_missing_store_says_how_to_create_one(tmp_path):
    with pytest.raises(KeyStoreError, match="keys init"):
        load_key_store(tmp_path / "nowhere")


def test_load_or_init_creates_once_then_loads(tmp_path):
    first = load_or_init_key_store(tmp_path / "keys")
    again = load_or_init_key_store(tmp_path / "keys")
    assert again.signing_key_id == first.signing_key_id


def test_rotating_the_signing_key_keeps_the_old_one_for_verification(tmp_path):
    store = init_key_store(tmp_path)
    old_id, old_signature = store.signing_key_id, sm2_sign(store.signing_key, b"manifest")
    new_id = store.rotate_signing_key()
    assert store.signing_key_id == new_id != old_id
    reloaded = load_key_store(tmp_path)
    assert reloaded.signing_key_id == new_id
    sm2_verify(reloaded.verification_keys()[old_id], b"manifest", old_signature)
    assert set(reloaded.verification_keys()) == {old_id, new_id}


def test_rotating_the_kek_keeps_old_values_readable_and_rewrappable(tmp_path):
    store = init_key_store(tmp_path)
    token = FieldCipher(store).encrypt("420106199001011238", context=CONTEXT)
    index = FieldCipher(store).blind_index("420106199001011238")
    new_id = store.rotate_kek()
    cipher = FieldCipher(load_key_store(tmp_path))
    assert cipher.decrypt_text(token, context=CONTEXT) == "420106199001011238"
    rewrapped = cipher.rewrap(token)
    assert isinstance(rewrapped, str) and rewrapped.split(".")[1] == new_id
    assert cipher.blind_index("420106199001011238") == index


def test_envelopes_sealed_to_a_retired_encryption_key_still_open(tmp_path):
    store = init_key_store(tmp_path)
    old_id = store.encryption_key_id
    data = seal(b"session key", [(old_id, store.encryption_key.public_key)])
    store.rotate_encryption_key()
    opened = open_envelope(
        data, old_id, store.encryption_private_key(old_id), trusted_senders=None, seen_nonces=None
    )
    assert opened.content == b"session key"


def test_an_unknown_key_id_raises_unknown_key_id(tmp_path):
    store = init_key_store(tmp_path)
    with pytest.raises(UnknownKeyId):
        store.kek("0000000000000000")
    with pytest.raises(UnknownKeyId):
        store.encryption_private_key("0000000000000000")


def test_secret_files_readable_by_others_are_refused(tmp_path):
    store = init_key_store(tmp_path)
    os.chmod(tmp_path / f"kek-{store.kek_id}.hex", 0o644)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        load_key_store(tmp_path)


def test_a_key_file_holding_another_key_is_refused(tmp_path):
    store = init_key_store(tmp_path)
    path = tmp_path / f"kek-{store.kek_id}.hex"
    path.write_text(generate_sm4_key().hex())
    with pytest.raises(KeyStoreError, match="different key"):
        load_key_store(tmp_path)


def test_a_damaged_manifest_is_refused(tmp_path):
    init_key_store(tmp_path)
    manifest = json.loads((tmp_path / "keys.json").read_text())
    manifest["kek"]["current"] = "ffffffffffffffff"
    (tmp_path / "keys.json").write_text(json.dumps(manifest))
    with pytest.raises(KeyStoreError):
        load_key_store(tmp_path)


def test_all_keys_can_come_from_overrides_without_a_directory():
    signing, encryption, kek = SM2PrivateKey.generate(), SM2PrivateKey.generate(), generate_sm4_key()
    store = load_key_store(
        None, signing_key_pem=signing.to_pem(), encryption_key_pem=encryption.to_pem().decode(), kek=kek,
        index_key=b"x" * 32,
    )  # fmt: skip
    assert (store.signing_key_id, store.encryption_key_id, store.kek_id) == (
        signing.key_id,
        encryption.key_id,
        kek_key_id(kek),
    )


def test_overrides_without_a_directory_must_be_complete():
    with pytest.raises(KeyStoreError, match="without a key directory"):
        load_key_store(None, signing_key_pem=SM2PrivateKey.generate().to_pem())


def test_an_override_becomes_current_and_the_directory_keys_stay_for_old_data(tmp_path):
    created = init_key_store(tmp_path)
    token = FieldCipher(created).encrypt("x", context=CONTEXT)
    kek = generate_sm4_key()
    store = load_key_store(tmp_path, kek=kek)
    assert store.kek_id == kek_key_id(kek)
    assert FieldCipher(store).decrypt_text(token, context=CONTEXT) == "x"
    with pytest.raises(KeyStoreError, match="overrides"):
        store.rotate_kek()


def test_an_index_key_override_that_differs_from_the_store_is_refused(tmp_path):
    init_key_store(tmp_path)
    with pytest.raises(KeyStoreError, match="index key"):
        load_key_store(tmp_path, index_key=b"y" * 32)


def test_a_bad_override_is_a_key_store_error():
    good = SM2PrivateKey.generate().to_pem()
    with pytest.raises(KeyStoreError, match="not an SM2 private key"):
        load_key_store(
            None, signing_key_pem=b"not a pem", encryption_key_pem=good, kek=b"k" * 16, index_key=b"x" * 32
        )
    with pytest.raises(KeyStoreError, match="16 bytes"):
        load_key_store(None, signing_key_pem=good, encryption_key_pem=good, kek=b"short", index_key=b"x" * 32)


def test_the_store_repr_shows_key_ids_only(tmp_path):
    store = init_key_store(tmp_path)
    assert store.index_key.hex() not in repr(store) and store.kek_id in repr(store)
