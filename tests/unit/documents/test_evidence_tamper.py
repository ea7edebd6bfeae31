"""Verifying one package: every kind of tampering is named, hostile bytes are reported, never raised."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_evidence_samples import build_sample, flip, rezip

from crypto import SM2PrivateKey, sm3
from documents.evidence import verify
from documents.evidence.container import read_zip, write_zip
from documents.evidence.manifest import manifest_bytes
from documents.evidence.verify import exit_code, verify_package

KEY = SM2PrivateKey.generate()
KEYS = {KEY.key_id: KEY.public_key}
PACKAGE = build_sample(KEY)
ZIP = PACKAGE.zip_bytes
FILES = [item["name"] for item in PACKAGE.manifest["files"]]
STAMP = (0, 0)


def kinds(zip_bytes: bytes, keys=KEYS) -> set[tuple[str, str | None]]:
    return {(problem.kind, problem.file) for problem in verify_package(zip_bytes, keys).problems}


@pytest.mark.parametrize("name", FILES)
def test_one_changed_byte_in_any_file_is_named_as_a_digest_problem(name):
    original = content_of(ZIP, name)
    tampered = rezip(ZIP, {name: flip(original, len(original) // 2)})

    report = verify_package(tampered, KEYS)

    assert [(p.kind, p.file) for p in report.problems] == [("digest", name)]
    assert exit_code(report.problems) == 2


@pytest.mark.parametrize("name", ["documents/voucher.pdf", "images/live_face.jpg"])
def test_a_changed_byte_written_straight_into_the_zip_is_a_digest_problem_too(name):
    tampered = flip(ZIP, ZIP.index(content_of(ZIP, name)) + 3)

    assert kinds(tampered) == {("digest", name)}


def test_one_changed_byte_of_the_manifest_is_a_bad_signature():
    manifest = content_of(ZIP, "manifest.json")
    tampered = rezip(
        ZIP, {"manifest.json": manifest.replace(b'"outcome":"COMPLETED"', b'"outcome":"COMPLETEE"')}
    )

    report = verify_package(tampered, KEYS)

    assert [(p.kind, p.file) for p in report.problems] == [("signature", "manifest.sig")]
    assert exit_code(report.problems) == 3


def test_a_manifest_rewritten_to_match_a_swapped_file_still_fails_on_the_signature():
    forged_pdf = b"%PDF-1.7\n% a different voucher\n%%EOF\n"
    manifest = PACKAGE.manifest | {
        "files": [
            item | {"size": len(forged_pdf), "sm3": sm3(forged_pdf).hex()}
            if item["name"] == "documents/voucher.pdf"
            else item
            for item in PACKAGE.manifest["files"]
        ]
    }
    tampered = rezip(ZIP, {"manifest.json": manifest_bytes(manifest), "documents/voucher.pdf": forged_pdf})

    assert kinds(tampered) == {("signature", "manifest.sig")}


def test_verifying_with_another_key_is_a_bad_signature():
    other = SM2PrivateKey.generate()

    assert kinds(ZIP, {other.key_id: other.public_key}) == {("signature", "manifest.sig")}


def test_a_trusted_key_filed_under_the_signing_key_id_must_still_verify():
    other = SM2PrivateKey.generate()

    assert kinds(ZIP, {KEY.key_id: other.public_key}) == {("signature", "manifest.sig")}


def test_a_changed_signature_byte_is_a_bad_signature():
    signature = content_of(ZIP, "manifest.sig")

    assert kinds(rezip(ZIP, {"manifest.sig": flip(signature)})) == {("signature", "manifest.sig")}


def test_a_missing_signature_is_a_signature_problem():
    assert kinds(rezip(ZIP, {"manifest.sig": None})) == {("signature", "manifest.sig")}


def test_a_removed_file_is_missing_and_an_added_one_unexpected():
    removed = rezip(ZIP, {"images/live_face.jpg": None})
    added = rezip(ZIP, {}, add=(("zz/extra.txt", b"hello"),))

    assert kinds(removed) == {("missing", "images/live_face.jpg")}
    assert kinds(added) == {("unexpected", "zz/extra.txt")}


def test_a_file_of_another_length_is_a_size_problem():
    assert kinds(rezip(ZIP, {"trail.json": b"[]"})) == {("size", "trail.json")}


@pytest.mark.parametrize(
    "data",
    [ZIP[: len(ZIP) // 2], ZIP[:-1], ZIP + b"\x00", b"", b"not a zip at all", b"PK\x05\x06" + bytes(18)],
    ids=["half", "minus-one", "appended", "empty", "text", "empty-end-record"],
)
def test_truncated_or_non_zip_input_is_malformed(data):
    report = verify_package(data, KEYS)

    assert {p.kind for p in report.problems} == {"malformed"}
    assert exit_code(report.problems) == 5


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", "a\\b", "a//b", "ü.txt"])
def test_unsafe_entry_names_are_malformed(name):
    tampered = write_zip([("manifest.json", b"{}"), (name, b"x")], STAMP) if name.isascii() else None
    if tampered is None:
        tampered = write_zip([("manifest.json", b"{}"), ("u.txt", b"x")], STAMP).replace(
            b"u.txt", b"\xfc.txt"
        )

    problems = verify_package(tampered, KEYS).problems

    assert [p.kind for p in problems] == ["malformed"]
    assert "name" in problems[0].detail


def test_duplicate_entry_names_are_malformed():
    manifest = content_of(ZIP, "manifest.json")
    tampered = write_zip([("manifest.json", manifest), ("manifest.json", b"{}")], STAMP)

    problems = verify_package(tampered, KEYS).problems

    assert [(p.kind, p.file) for p in problems] == [("malformed", "manifest.json")]
    assert "duplicate" in problems[0].detail


@pytest.mark.parametrize("content", [b"not json", b"[]", b'{"format":"fieldbank-evidence/1"}', b"\xff"])
def test_a_manifest_that_is_not_a_format_1_manifest_is_malformed(content):
    report = verify_package(rezip(ZIP, {"manifest.json": content}), KEYS)

    assert ("malformed", "manifest.json") in {(p.kind, p.file) for p in report.problems}
    assert exit_code(report.problems) == 5


def test_a_package_without_manifest_is_malformed():
    assert kinds(rezip(ZIP, {"manifest.json": None})) == {("malformed", None)}


def test_the_same_files_rezipped_by_another_tool_are_malformed_not_ok():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for entry in read_zip(ZIP):
            archive.writestr(zipfile.ZipInfo(entry.name, (2025, 6, 3, 10, 4, 32)), bytes(entry.content))

    assert {p.kind for p in verify_package(buffer.getvalue(), KEYS).problems} == {"malformed"}


def test_a_deflate_bomb_is_refused_without_inflating_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("data.json", b"\x00" * 20_000_000)

    assert len(buffer.getvalue()) < 100_000
    assert {p.kind for p in verify_package(buffer.getvalue(), KEYS).problems} == {"malformed"}


def test_a_package_over_the_size_cap_is_malformed(monkeypatch):
    monkeypatch.setattr(verify, "MAX_PACKAGE_BYTES", len(ZIP) - 1)

    assert kinds(ZIP) == {("malformed", None)}


def test_entries_out_of_canonical_order_are_malformed():
    entries = [(e.name, bytes(e.content)) for e in read_zip(ZIP)]
    reordered = write_zip([entries[0], entries[1], *reversed(entries[2:])], read_zip(ZIP)[0].dos_stamp)

    assert kinds(reordered) == {("malformed", None)}


def test_a_changed_entry_time_is_malformed():
    entries = [(e.name, bytes(e.content)) for e in read_zip(ZIP)]

    assert {k for k, _ in kinds(write_zip(entries, STAMP))} == {"malformed"}


def test_a_crc_edited_in_both_headers_of_an_intact_file_is_malformed():
    entry = next(e for e in read_zip(ZIP) if e.name == "data.json")
    old = entry.crc32.to_bytes(4, "little")
    new = (entry.crc32 ^ 1).to_bytes(4, "little")
    assert ZIP.count(old) == 2

    assert kinds(ZIP.replace(old, new)) == {("malformed", "data.json")}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0, max_value=len(ZIP) - 1), xor=st.integers(min_value=1, max_value=255))
def test_any_single_changed_byte_anywhere_is_never_ok(position, xor):
    tampered = bytearray(ZIP)
    tampered[position] ^= xor

    report = verify_package(bytes(tampered), KEYS)

    assert report.problems
    assert exit_code(report.problems) != 0


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data):
    assert verify_package(data, KEYS).problems


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(ZIP) - 1))
def test_every_truncation_is_malformed(length):
    assert {p.kind for p in verify_package(ZIP[:length], KEYS).problems} == {"malformed"}


def content_of(zip_bytes: bytes, name: str) -> bytes:
    return next(bytes(entry.content) for entry in read_zip(zip_bytes) if entry.name == name)


def test_every_header_byte_is_covered():
    """Content bytes are covered by SM3; this walks every other byte of the archive, one by one."""
    content: set[int] = set()
    for entry in read_zip(ZIP):
        start = ZIP.index(bytes(entry.content)) if len(entry.content) else 0
        content.update(range(start, start + len(entry.content)))
    headers = [position for position in range(len(ZIP)) if position not in content]
    names = [entry.name for entry in read_zip(ZIP)]
    assert len(headers) == sum(30 + 46 + 2 * len(name) for name in names) + 22

    for position in headers:
        report = verify_package(flip(ZIP, position), KEYS)
        assert exit_code(report.problems) != 0, position
