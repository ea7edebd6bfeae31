"""`fieldbank evidence verify`: plain functions the CLI wires up, so they are tested without a shell."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from crypto import MalformedInput, SM2PrivateKey, SM2PublicKey
from documents.evidence.verify import (
    MAX_PACKAGE_BYTES,
    PackageReport,
    Problem,
    exit_code,
    verify_chain,
    verify_package,
)

EXIT_CANNOT_VERIFY = 1
"""A package or key file could not be read, or no key was given: the answer would be incomplete."""


def run_verify(
    paths: list[Path],
    public_key_pem: Path | None,
    key_dir_verification_keys: Mapping[str, SM2PublicKey] | None,
    out: Callable[[str], None],
) -> int:
    """Verify each ZIP, then the chain across them (by manifest sequence); print one line per finding.

    Prints ``OK <file>`` for a package without findings. Returns 0, or the exit code of the worst
    finding (`verify.exit_code`), or 1 if something could not be read at all.
    """
    if not paths:
        out("no package given")
        return EXIT_CANNOT_VERIFY
    keys = dict(key_dir_verification_keys or {})
    if public_key_pem is not None:
        try:
            key = SM2PublicKey.from_pem(public_key_pem.read_bytes())
        except (OSError, MalformedInput) as exc:
            out(f"{public_key_pem}: cannot read the public key: {exc}")
            return EXIT_CANNOT_VERIFY
        keys[key.key_id] = key
    if not keys:
        out("no public key: pass --public-key PEM or point FIELDBANK_KEYS_DIR at the key store")
        return EXIT_CANNOT_VERIFY
    reports: list[PackageReport] = []
    unreadable = False
    for path in paths:
        try:
            data = _read_capped(path)
        except OSError as exc:
            out(f"{path}: cannot read: {exc.strerror or exc}")
            unreadable = True
            continue
        reports.append(verify_package(data, keys, source=str(path)))
    placed = sorted((r for r in reports if r.sequence is not None), key=lambda r: r.sequence or 0)
    chain = verify_chain(placed)
    findings: list[Problem] = list(chain)
    for report in reports:
        own = report.problems + [problem for problem in chain if problem.file == report.source]
        findings += report.problems
        if not own:
            out(f"OK {report.source}")
        for problem in own:
            out(f"{report.source}: {describe(problem)}")
    if unreadable:
        return EXIT_CANNOT_VERIFY
    return exit_code(findings)


def describe(problem: Problem) -> str:
    """The text after ``<file>: `` on the verify output line."""
    if problem.kind == "digest":
        return f"digest mismatch {problem.file}"
    if problem.kind == "size":
        return f"size mismatch {problem.file} ({problem.detail})"
    if problem.kind == "missing":
        return f"missing file {problem.file}"
    if problem.kind == "unexpected":
        return f"unexpected file {problem.file}"
    if problem.kind == "signature":
        return f"bad signature ({problem.detail})"
    if problem.kind == "chain":
        return f"chain broken: {problem.detail}"
    where = f"{problem.file}: " if problem.file else ""
    return f"malformed: {where}{problem.detail}"


def export_public_key_pem(key: SM2PrivateKey | SM2PublicKey) -> bytes:
    """The SubjectPublicKeyInfo PEM auditors verify with (`--public-key`); never the private key."""
    public = key.public_key if isinstance(key, SM2PrivateKey) else key
    return public.to_pem()


def _read_capped(path: Path) -> bytes:
    """Read at most one byte over the limit, so a huge file is reported without loading it."""
    with path.open("rb") as handle:
        return handle.read(MAX_PACKAGE_BYTES + 1)
