"""A journey's linking values become blind indexes: the number never appears, equal numbers however
written give the same index, and only filled fields count."""

from __future__ import annotations

from pathlib import Path

from crypto import FieldCipher, init_key_store
from documents.evidence.linking import linking_indexes

FIELDS = {"family.mobile": "contact_mobile", "other.mobile": "contact_mobile", "work_phone": "work_phone"}


def test_linking_values_are_blind_indexed_per_link_and_never_kept_in_clear(tmp_path: Path) -> None:
    cipher = FieldCipher(init_key_store(tmp_path / "keys"))
    data = {
        "family": {"mobile": "13900002345"},
        "other": {"mobile": "+86 139-0000-2345"},
        "work_phone": "027-87654321",
    }
    found = linking_indexes(data, FIELDS, cipher)
    # the two contacts hold one number, written two ways: one index, kept once
    assert found == [
        ("contact_mobile", cipher.blind_index("13900002345", kind="mobile")),
        ("work_phone", cipher.blind_index("02787654321", kind="mobile")),
    ]
    assert not any("13900002345" in index or "87654321" in index for _, index in found)


def test_missing_or_empty_linking_fields_give_nothing(tmp_path: Path) -> None:
    cipher = FieldCipher(init_key_store(tmp_path / "keys"))
    assert linking_indexes({"family": None, "other": {"mobile": " "}}, FIELDS, cipher) == []


def test_another_key_gives_other_indexes(tmp_path: Path) -> None:
    one = FieldCipher(init_key_store(tmp_path / "one"))
    two = FieldCipher(init_key_store(tmp_path / "two"))
    data = {"work_phone": "027-87654321"}
    assert linking_indexes(data, FIELDS, one) != linking_indexes(data, FIELDS, two)
