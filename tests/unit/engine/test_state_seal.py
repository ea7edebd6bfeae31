"""Engine state is compressed before it is sealed, and rows sealed before compression still open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crypto import FieldCipher, init_key_store
from engine.state_seal import open_state, seal_state

STATE = json.dumps(
    {"tasks": [{"spec": "customer_details", "data": {"name": "张伟"}}] * 200}, ensure_ascii=False
)


@pytest.fixture
def cipher(tmp_path: Path) -> FieldCipher:
    return FieldCipher(init_key_store(tmp_path / "keys"))


def test_state_round_trips_and_travels_compressed(cipher: FieldCipher) -> None:
    sealed = seal_state(cipher, STATE, context=b"instance:1")
    assert open_state(cipher, sealed, context=b"instance:1") == STATE
    assert len(sealed) < len(cipher.encrypt(STATE, context=b"instance:1")) / 5


def test_a_row_sealed_before_compression_still_opens(cipher: FieldCipher) -> None:
    legacy = cipher.encrypt(STATE, context=b"instance:1")
    assert open_state(cipher, legacy, context=b"instance:1") == STATE


def test_state_is_bound_to_its_instance(cipher: FieldCipher) -> None:
    sealed = seal_state(cipher, STATE, context=b"instance:1")
    with pytest.raises(Exception):  # noqa: B017 - whichever error the cipher raises for a wrong context
        open_state(cipher, sealed, context=b"instance:2")
