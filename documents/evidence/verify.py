"""Check evidence packages offline with nothing but the platform's public key(s).

Hostile input is expected (a package is evidence in a dispute): nothing here raises on bad bytes, every
finding becomes a `Problem` naming the file concerned, and nothing is decompressed or written to disk.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from crypto import BadSignature, MalformedInput, SM2PublicKey, sm2_verify, sm3, sm3_hasher
from documents.evidence.container import ContainerError, Entry, dos_stamp, read_zip
from documents.evidence.manifest import MANIFEST_NAME, SIGNATURE_NAME, ManifestError, parse_manifest

ProblemKind = Literal["digest", "size", "missing", "unexpected", "signature", "chain", "malformed"]
FILE_KINDS: frozenset[str] = frozenset({"digest", "size", "missing", "unexpected"})
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024

EXIT_OK, EXIT_FILES, EXIT_SIGNATURE, EXIT_CHAIN, EXIT_MALFORMED = 0, 2, 3, 4, 5
# Highest first: an unreadable package says least about its contents, a forged signature means nothing
# in the manifest can be trusted, a broken chain means a package is gone, then files that differ.
_EXIT_PRIORITY: tuple[tuple[frozenset[str], int], ...] = (
    (frozenset({"malformed"}), EXIT_MALFORMED),
    (frozenset({"signature"}), EXIT_SIGNATURE),
    (frozenset({"chain"}), EXIT_CHAIN),
    (FILE_KINDS, EXIT_FILES),
)


@dataclass(frozen=True)
class Problem:
    """One finding. `file` is the entry inside the ZIP, or for `chain` the package (its source)."""

    kind: ProblemKind
    file: str | None
    detail: str


@dataclass(frozen=True)
class PackageReport:
    source: str
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    """The parsed manifest if it is well-formed (even when its signature fails), else None."""
    manifest_sm3: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sequence(self) -> int | None:
        return None if self.manifest is None else int(self.manifest["sequence"])

    @property
    def previous_manifest_sm3(self) -> str | None:
        return None if self.manifest is None else self.manifest["previous_manifest_sm3"]


def verify_package(
    zip_bytes: bytes, public_keys: Mapping[str, SM2PublicKey], *, source: str = "package"
) -> PackageReport:
    """Check container, manifest, signature and every file of one package; never raises on bad input.

    `public_keys` maps key id → key (`KeyStore.verification_keys()`, or one key loaded from a PEM).
    """
    if len(zip_bytes) > MAX_PACKAGE_BYTES:
        return PackageReport(source, [Problem("malformed", None, "package is larger than 200 MiB")])
    try:
        entries = read_zip(zip_bytes)
    except ContainerError as exc:
        return PackageReport(source, [Problem("malformed", exc.name, exc.detail)])
    by_name = {entry.name: entry for entry in entries}
    if MANIFEST_NAME not in by_name:
        return PackageReport(source, [Problem("malformed", None, "the package has no manifest.json")])
    problems = _check_order([entry.name for entry in entries])
    raw = bytes(by_name[MANIFEST_NAME].content)
    manifest: dict[str, Any] | None = None
    try:
        manifest = parse_manifest(raw)
    except ManifestError as exc:
        problems.append(Problem("malformed", MANIFEST_NAME, str(exc)))
    problems += _check_signature(raw, by_name.get(SIGNATURE_NAME), manifest, public_keys)
    if manifest is not None:
        problems += _check_files(manifest, by_name)
        problems += _check_stamps(manifest, entries)
    problems += _check_crc(entries, problems)
    return PackageReport(source, problems, manifest, sm3(raw).hex())


def verify_chain(reports_in_order: Sequence[PackageReport]) -> list[Problem]:
    """Check the hash chain across packages in the order given (sort by `sequence` first for a folder).

    Names the later package of each broken link: a sequence gap (a deleted package), a repeat or a step
    back (reordering), or a previous-manifest digest that is not its predecessor's. Packages whose
    manifest could not be read are skipped (they already carry a `malformed` problem). The chain cannot
    show a package deleted from the end: compare the last sequence with the platform's current head.
    """
    placed = [report for report in reports_in_order if report.manifest is not None]
    problems = []
    first_of_instance: dict[str, PackageReport] = {}
    for report in placed:
        assert report.manifest is not None
        earlier = first_of_instance.setdefault(report.manifest["instance_id"], report)
        if earlier is not report:
            detail = f"second package for instance {report.manifest['instance_id']} (first: {earlier.source})"
            problems.append(Problem("chain", report.source, detail))
    for before, after in itertools.pairwise(placed):
        link = _link_problem(before, after)
        if link:
            problems.append(Problem("chain", after.source, link))
    return problems


def exit_code(problems: Iterable[Problem]) -> int:
    """0 OK; else the highest-priority kind found: 5 malformed > 3 signature > 4 chain > 2 files."""
    kinds = {problem.kind for problem in problems}
    for group, code in _EXIT_PRIORITY:
        if kinds & group:
            return code
    return EXIT_OK


def _link_problem(before: PackageReport, after: PackageReport) -> str | None:
    b, a = before.sequence, after.sequence
    assert a is not None and b is not None
    if a == b:
        return f"sequence {a} appears twice (also in {before.source})"
    if a < b:
        return f"out of order: sequence {a} comes after sequence {b} ({before.source})"
    if a == b + 2:
        return f"previous package (sequence {b + 1}) missing"
    if a > b + 2:
        return f"previous packages (sequences {b + 1}-{a - 1}) missing"
    if after.previous_manifest_sm3 != before.manifest_sm3:
        return f"previous manifest digest does not match {before.source} (sequence {b})"
    return None


def _check_order(names: list[str]) -> list[Problem]:
    head = [name for name in (MANIFEST_NAME, SIGNATURE_NAME) if name in names]
    expected = head + sorted(name for name in names if name not in head)
    if names == expected:
        return []
    return [Problem("malformed", None, "entries are not in canonical order (manifest, signature, by name)")]


def _check_signature(
    raw: bytes, entry: Entry | None, manifest: dict[str, Any] | None, public_keys: Mapping[str, SM2PublicKey]
) -> list[Problem]:
    if entry is None:
        return [Problem("signature", SIGNATURE_NAME, "the package has no manifest.sig")]
    candidates = list(public_keys.values())
    if manifest is not None:
        key = public_keys.get(manifest["signing_key_id"])
        if key is None:
            detail = f"signed with key {manifest['signing_key_id'][:64]!r}, which is not a trusted key"
            return [Problem("signature", SIGNATURE_NAME, detail)]
        candidates = [key]
    signature = bytes(entry.content)
    for key in candidates:
        try:
            sm2_verify(key, raw, signature)
        except (BadSignature, MalformedInput):
            continue
        return []
    return [Problem("signature", SIGNATURE_NAME, "manifest.sig does not verify over manifest.json")]


def _check_files(manifest: dict[str, Any], by_name: Mapping[str, Entry]) -> list[Problem]:
    problems = []
    listed = {item["name"]: item for item in manifest["files"]}
    for name, item in listed.items():
        entry = by_name.get(name)
        if entry is None:
            problems.append(Problem("missing", name, "listed in the manifest, absent from the ZIP"))
        elif len(entry.content) != item["size"]:
            detail = f"manifest says {item['size']} bytes, the file has {len(entry.content)}"
            problems.append(Problem("size", name, detail))
        elif _sm3_hex(entry.content) != item["sm3"]:
            problems.append(Problem("digest", name, "SM3 differs from the manifest"))
    for name in by_name:
        if name not in listed and name not in (MANIFEST_NAME, SIGNATURE_NAME):
            problems.append(Problem("unexpected", name, "in the ZIP but not in the manifest"))
    return problems


def _check_stamps(manifest: dict[str, Any], entries: list[Entry]) -> list[Problem]:
    expected = dos_stamp(datetime.fromisoformat(manifest["completed_at"]))
    detail = "ZIP entry time differs from the manifest's completed_at"
    return [Problem("malformed", entry.name, detail) for entry in entries if entry.dos_stamp != expected]


def _check_crc(entries: list[Entry], found: list[Problem]) -> list[Problem]:
    """A CRC that disagrees with intact content means an edited header; a changed file is named already."""
    named = {problem.file for problem in found if problem.kind in FILE_KINDS}
    if any(problem.kind == "signature" for problem in found):
        named |= {MANIFEST_NAME, SIGNATURE_NAME}
    return [
        Problem("malformed", entry.name, "CRC-32 in the ZIP headers does not match the content")
        for entry in entries
        if entry.name not in named and zlib.crc32(entry.content) != entry.crc32
    ]


def _sm3_hex(content: memoryview) -> str:
    hasher = sm3_hasher()
    for start in range(0, len(content), _CHUNK):
        hasher.update(bytes(content[start : start + _CHUNK]))
    return hasher.finalize().hex()
