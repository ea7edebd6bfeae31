"""Building a package: contents, manifest, determinism, and refusal of input the format cannot hold."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from uuid import UUID

import pytest
from test_evidence_samples import COMPLETED, DOCUMENTS, PNG, build_sample, image, sample_facts

from crypto import SM2PrivateKey, sm2_verify, sm3
from documents.evidence.container import read_zip
from documents.evidence.manifest import (
    FORMAT,
    ManifestError,
    build_manifest,
    canonical_json,
    manifest_bytes,
    parse_manifest,
)
from documents.evidence.package import build_package
from documents.evidence.verify import verify_package

KEY = SM2PrivateKey.generate()
KEYS = {KEY.key_id: KEY.public_key}


def test_a_fresh_j1_package_verifies_ok():
    report = verify_package(build_sample(KEY).zip_bytes, KEYS)

    assert report.ok, report.problems
    assert report.sequence == 1 and report.previous_manifest_sm3 is None


def test_the_zip_holds_manifest_signature_then_every_file_by_name():
    names = [entry.name for entry in read_zip(build_sample(KEY).zip_bytes)]

    assert names == [
        "manifest.json",
        "manifest.sig",
        "data.json",
        "documents/account_application.pdf",
        "documents/debit_card_agreement.pdf",
        "documents/risk_notice.pdf",
        "documents/voucher.pdf",
        "images/id_back.jpg",
        "images/id_front.jpg",
        "images/live_face.jpg",
        "images/signature.png",
        "trail.json",
    ]


def test_the_manifest_names_the_instance_and_digests_every_file():
    built = build_sample(KEY)
    manifest = built.manifest
    entries = {entry.name: bytes(entry.content) for entry in read_zip(built.zip_bytes)}

    assert manifest["format"] == FORMAT
    assert manifest["process_id"] == "debit_card_opening" and manifest["definition_version"] == 3
    assert manifest["created_at"] == manifest["completed_at"] == "2025-06-03T10:04:33.412000+08:00"
    assert manifest["signing_key_id"] == KEY.key_id
    for item in manifest["files"]:
        assert item["sm3"] == sm3(entries[item["name"]]).hex()
        assert item["size"] == len(entries[item["name"]])
    assert {i["name"]: i["media_type"] for i in manifest["files"]}[
        "documents/voucher.pdf"
    ] == "application/pdf"
    assert entries["manifest.json"] == manifest_bytes(manifest)
    assert built.manifest_sm3 == sm3(entries["manifest.json"]).hex()


def test_manifest_sig_is_the_der_sm2_signature_of_the_manifest_bytes():
    entries = {entry.name: bytes(entry.content) for entry in read_zip(build_sample(KEY).zip_bytes)}

    assert entries["manifest.sig"][0] == 0x30  # DER SEQUENCE{r, s}
    sm2_verify(KEY.public_key, entries["manifest.json"], entries["manifest.sig"])


def test_a_rebuild_gives_the_same_manifest_and_files_and_only_a_new_signature():
    first, second = build_sample(KEY), build_sample(KEY)
    one = {entry.name: bytes(entry.content) for entry in read_zip(first.zip_bytes)}
    two = {entry.name: bytes(entry.content) for entry in read_zip(second.zip_bytes)}

    assert manifest_bytes(first.manifest) == manifest_bytes(second.manifest)
    assert first.manifest_sm3 == second.manifest_sm3
    assert one.pop("manifest.sig") != two.pop("manifest.sig")  # SM2 takes a fresh nonce per signature
    assert one == two


def test_data_and_trail_are_canonical_json_with_exact_decimals_and_iso_times():
    entries = {entry.name: bytes(entry.content) for entry in read_zip(build_sample(KEY).zip_bytes)}
    data = json.loads(entries["data.json"])
    trail = json.loads(entries["trail.json"])

    assert data["checks"]["face"]["score"] == "91.50"
    assert data["voucher"]["business_date"] == "2025-06-03"
    assert data["checks"]["identity"]["responded_at"] == "2025-06-03T10:01:43+08:00"
    assert trail[2]["detail"] == {"request_id": "idv-7f3a91c2", "result": "MATCH"}
    assert entries["data.json"] == canonical_json(data)
    assert "张伟".encode() in entries["data.json"]


def test_canonical_json_converts_non_json_values_deterministically():
    class Colour(Enum):
        RED = "red"

    value = {
        "b": {3, 1, 2},
        "a": (Decimal("1E+3"), UUID(int=1), Colour.RED, datetime(2025, 1, 1, tzinfo=UTC)),
    }
    assert canonical_json(value) == (
        b'{"a":["1E+3","00000000-0000-0000-0000-000000000001","red","2025-01-01T00:00:00+00:00"],"b":[1,2,3]}'
    )
    with pytest.raises(TypeError):
        canonical_json({"raw": b"bytes"})
    with pytest.raises(TypeError):
        canonical_json({1: "int key"})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_python_zipfile_reads_the_package_with_fixed_times_and_permissions():
    with zipfile.ZipFile(io.BytesIO(build_sample(KEY).zip_bytes)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert archive.read("documents/voucher.pdf") == DOCUMENTS["voucher.pdf"]
    assert {info.date_time for info in infos} == {(2025, 6, 3, 10, 4, 32)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}


@pytest.mark.skipif(shutil.which("unzip") is None, reason="no Info-ZIP unzip")
def test_info_zip_unzip_tests_the_package_clean(tmp_path):
    path = tmp_path / "package.zip"
    path.write_bytes(build_sample(KEY).zip_bytes)

    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_live_face_is_numbered_rather_than_overwritten():
    facts = sample_facts()
    again = image("live_face", PNG + b"2", "image/png", 9)
    built = build_package(
        replace(facts, images=[*facts.images, again]),
        {},
        sequence=1,
        previous_manifest_sm3=None,
        signing_key=KEY,
    )
    names = [item["name"] for item in built.manifest["files"]]

    assert "images/live_face.jpg" in names and "images/live_face-2.png" in names


@pytest.mark.parametrize(
    ("documents", "facts"),
    [
        ({"../voucher.pdf": b"%PDF"}, sample_facts()),
        ({"voucher.docx": b"PK"}, sample_facts()),
        ({".hidden.pdf": b"%PDF"}, sample_facts()),
        ({}, sample_facts(images=[replace(image("signature", PNG, "image/png", 1), sm3="00" * 32)])),
        ({}, sample_facts(images=[image("signature", b"GIF89a", "image/gif", 1)])),
        ({}, sample_facts(images=[image("../x", PNG, "image/png", 1)])),
        ({}, sample_facts(completed_at=datetime(2025, 6, 3, 10, 4, 33))),
    ],
    ids=["traversal", "not-pdf", "dot-name", "image-sm3", "gif", "role-traversal", "naive-time"],
)
def test_input_the_format_cannot_hold_is_refused_at_build(documents, facts):
    with pytest.raises(ValueError):
        build_package(facts, documents, sequence=1, previous_manifest_sm3=None, signing_key=KEY)


@pytest.mark.parametrize(
    ("sequence", "previous"),
    [(0, None), (1, "ab" * 32), (2, None), (2, "AB" * 32), (2, "ab" * 31)],
)
def test_a_chain_position_that_cannot_exist_is_refused(sequence, previous):
    with pytest.raises(ValueError):
        build_manifest(
            sample_facts(), {}, sequence=sequence, previous_manifest_sm3=previous, signing_key_id="k"
        )


def test_parse_manifest_accepts_exactly_what_build_manifest_writes():
    manifest = build_manifest(
        sample_facts(), {}, sequence=2, previous_manifest_sm3="ab" * 32, signing_key_id="k"
    )
    raw = manifest_bytes(manifest)

    assert parse_manifest(raw) == manifest
    for spoiled in (
        json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode(),  # insignificant whitespace
        raw.replace(b'{"authorizer_id":null,', b'{"authorizer_id":null,"authorizer_id":null,'),
        raw.replace(b'"sequence":2', b'"sequence":true'),
        raw.replace(b'"format":"fieldbank-evidence/1"', b'"format":"fieldbank-evidence/9"'),
        raw.replace(b'"created_at":"2025-06-03T10:04:33.412', b'"created_at":"2025-06-03T10:04:34.412'),
        b"[" * 100_000 + b"]" * 100_000,
        b'{"x":"\\ud800"}',
        b"\xff\xfe",
    ):
        with pytest.raises(ManifestError):
            parse_manifest(spoiled)


def test_a_package_completed_in_utc_is_stamped_with_its_own_wall_clock():
    utc = COMPLETED.astimezone(UTC)
    built = build_package(
        sample_facts(completed_at=utc, started_at=utc - timedelta(minutes=3)),
        DOCUMENTS,
        sequence=1,
        previous_manifest_sm3=None,
        signing_key=KEY,
    )

    assert verify_package(built.zip_bytes, KEYS).ok
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as archive:
        assert archive.infolist()[0].date_time == (2025, 6, 3, 2, 4, 32)
    assert date.fromisoformat(built.manifest["completed_at"][:10]) == date(2025, 6, 3)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no system openssl")
def test_openssl_verifies_manifest_sig_as_the_readme_shows(tmp_path):
    entries = {entry.name: bytes(entry.content) for entry in read_zip(build_sample(KEY).zip_bytes)}
    (tmp_path / "manifest.json").write_bytes(entries["manifest.json"])
    (tmp_path / "manifest.sig").write_bytes(entries["manifest.sig"])
    (tmp_path / "key.pem").write_bytes(KEY.public_key.to_pem())
    command = "openssl pkeyutl -verify -pubin -inkey key.pem -rawin -digest sm3"
    command += " -pkeyopt distid:1234567812345678 -in manifest.json -sigfile manifest.sig"

    result = subprocess.run(command.split(), cwd=tmp_path, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verified Successfully" in result.stdout
