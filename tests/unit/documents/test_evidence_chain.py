"""The hash chain across packages, the exit codes, and `fieldbank evidence verify` as a plain function."""

from __future__ import annotations

import pytest
from test_evidence_samples import build_sample, flip, rezip

from crypto import SM2PrivateKey, SM2PublicKey
from documents.evidence.cli import export_public_key_pem, run_verify
from documents.evidence.container import read_zip
from documents.evidence.verify import PackageReport, Problem, exit_code, verify_chain, verify_package

KEY = SM2PrivateKey.generate()
KEYS = {KEY.key_id: KEY.public_key}


def build_chain(count: int, start: int = 1) -> list[bytes]:
    packages, previous = [], None if start == 1 else "ab" * 32
    for sequence in range(start, start + count):
        built = build_sample(KEY, number=sequence, sequence=sequence, previous=previous)
        packages.append(built.zip_bytes)
        previous = built.manifest_sm3
    return packages


CHAIN = build_chain(3)


def reports(packages: list[bytes], names: list[str] | None = None) -> list[PackageReport]:
    names = names or [f"p{i + 1}.zip" for i in range(len(packages))]
    return [verify_package(data, KEYS, source=name) for data, name in zip(packages, names, strict=True)]


def chain_findings(packages: list[bytes], names: list[str] | None = None) -> list[tuple[str | None, str]]:
    return [(problem.file, problem.detail) for problem in verify_chain(reports(packages, names))]


def test_a_chain_of_three_verifies():
    assert all(report.ok for report in reports(CHAIN))
    assert verify_chain(reports(CHAIN)) == []


def test_each_package_names_its_predecessors_manifest_digest():
    first, second, _ = reports(CHAIN)

    assert second.previous_manifest_sm3 == first.manifest_sm3


def test_deleting_the_middle_package_is_a_gap_named_at_the_next_one():
    findings = chain_findings([CHAIN[0], CHAIN[2]], ["p1.zip", "p3.zip"])

    assert findings == [("p3.zip", "previous package (sequence 2) missing")]


def test_deleting_several_packages_names_the_whole_gap():
    longer = build_chain(5)

    assert chain_findings([longer[0], longer[4]], ["p1.zip", "p5.zip"]) == [
        ("p5.zip", "previous packages (sequences 2-4) missing")
    ]


def test_swapping_two_packages_is_detected():
    findings = chain_findings([CHAIN[0], CHAIN[2], CHAIN[1]], ["p1.zip", "p3.zip", "p2.zip"])

    assert ("p2.zip", "out of order: sequence 2 comes after sequence 3 (p3.zip)") in findings


def test_a_package_chained_to_the_wrong_predecessor_is_detected():
    forged = build_sample(KEY, number=2, sequence=2, previous="cd" * 32).zip_bytes

    findings = chain_findings([CHAIN[0], forged, CHAIN[2]], ["p1.zip", "p2.zip", "p3.zip"])

    assert findings == [
        ("p2.zip", "previous manifest digest does not match p1.zip (sequence 1)"),
        ("p3.zip", "previous manifest digest does not match p2.zip (sequence 2)"),
    ]


def test_a_replaced_middle_package_breaks_the_next_link_even_when_validly_signed():
    after_first = reports(CHAIN)[0].manifest_sm3
    rebuilt_other = build_sample(KEY, number=99, sequence=2, previous=after_first).zip_bytes

    findings = chain_findings([CHAIN[0], rebuilt_other, CHAIN[2]])

    assert findings == [("p3.zip", "previous manifest digest does not match p2.zip (sequence 2)")]


def test_a_second_package_for_the_same_instance_is_detected():
    first = build_sample(KEY, number=7, sequence=1).zip_bytes
    again = build_sample(KEY, number=7, sequence=2, previous=reports([first])[0].manifest_sm3).zip_bytes

    detail = f"second package for instance {_instance(first)} (first: p1.zip)"
    assert chain_findings([first, again]) == [("p2.zip", detail)]


def test_a_segment_starting_mid_chain_verifies_on_its_own():
    assert verify_chain(reports(build_chain(2, start=40))) == []


def test_an_unreadable_package_is_left_out_of_the_chain_but_reported_malformed():
    result = reports([CHAIN[0], b"garbage", CHAIN[1]])

    assert [p.kind for p in result[1].problems] == ["malformed"]
    assert verify_chain(result) == []


@pytest.mark.parametrize(
    ("kinds", "code"),
    [
        ([], 0),
        (["digest"], 2),
        (["size", "missing", "unexpected"], 2),
        (["signature"], 3),
        (["chain"], 4),
        (["digest", "chain"], 4),
        (["chain", "signature"], 3),
        (["signature", "malformed", "digest"], 5),
    ],
)
def test_exit_code_reports_the_highest_priority_kind(kinds, code):
    assert exit_code([Problem(kind, "f", "") for kind in kinds]) == code


# --- fieldbank evidence verify -------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "key.pem").write_bytes(export_public_key_pem(KEY))
    for number, data in enumerate(CHAIN, start=1):
        (tmp_path / f"p{number}.zip").write_bytes(data)
    return tmp_path


def run(paths, pem=None, keys=None) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run_verify(paths, pem, keys, lines.append)
    return code, lines


def test_cli_prints_ok_for_every_intact_package_in_any_order(folder):
    paths = [folder / "p3.zip", folder / "p1.zip", folder / "p2.zip"]

    code, lines = run(paths, folder / "key.pem")

    assert code == 0
    assert lines == [f"OK {path}" for path in paths]


def test_cli_names_the_tampered_file(folder):
    voucher = next(bytes(e.content) for e in read_zip(CHAIN[1]) if e.name == "documents/voucher.pdf")
    (folder / "p2.zip").write_bytes(rezip(CHAIN[1], {"documents/voucher.pdf": flip(voucher)}))

    code, lines = run(sorted(folder.glob("p*.zip")), folder / "key.pem")

    assert code == 2
    assert lines == [
        f"OK {folder / 'p1.zip'}",
        f"{folder / 'p2.zip'}: digest mismatch documents/voucher.pdf",
        f"OK {folder / 'p3.zip'}",
    ]


def test_cli_names_a_deleted_package_as_a_chain_gap(folder):
    (folder / "p2.zip").unlink()

    code, lines = run(sorted(folder.glob("p*.zip")), folder / "key.pem")

    assert code == 4
    assert lines[1] == f"{folder / 'p3.zip'}: chain broken: previous package (sequence 2) missing"


def test_cli_reports_a_bad_signature_with_the_key_store_keys(folder):
    other = SM2PrivateKey.generate()

    code, lines = run([folder / "p1.zip"], None, {other.key_id: other.public_key})

    assert code == 3
    assert lines[0].startswith(f"{folder / 'p1.zip'}: bad signature (")


def test_cli_reports_a_malformed_file(folder):
    (folder / "p1.zip").write_bytes(b"PK\x03\x04 truncated")

    code, lines = run([folder / "p1.zip"], folder / "key.pem")

    assert code == 5
    assert lines[0].startswith(f"{folder / 'p1.zip'}: malformed: ")


def test_cli_without_a_key_or_with_an_unreadable_file_says_so_and_exits_1(folder):
    code, lines = run([folder / "p1.zip"])
    assert code == 1 and lines[0].startswith("no public key")
    code, lines = run([folder / "nope.zip", folder / "p1.zip"], folder / "key.pem")
    assert code == 1
    assert lines == [f"{folder / 'nope.zip'}: cannot read: No such file or directory", f"OK {folder}/p1.zip"]
    (folder / "bad.pem").write_text("not a key")
    assert run([folder / "p1.zip"], folder / "bad.pem")[0] == 1
    assert run([], folder / "key.pem") == (1, ["no package given"])


def test_the_exported_pem_is_the_public_key_only():
    pem = export_public_key_pem(KEY)

    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert SM2PublicKey.from_pem(pem) == KEY.public_key
    assert export_public_key_pem(KEY.public_key) == pem


def _instance(zip_bytes: bytes) -> str:
    manifest = verify_package(zip_bytes, KEYS).manifest
    assert manifest is not None
    return str(manifest["instance_id"])
