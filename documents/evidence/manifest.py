"""The manifest: what a package holds and where it sits in the platform chain, in canonical JSON.

Canonical so that a rebuild after a crash yields the same bytes (the signature is over these bytes) and
so that a verifier can refuse any manifest a builder would not have written (no duplicate keys, no
reformatting that would let two byte strings mean the same thing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from crypto import sm3
from documents.evidence.container import ENTRY_NAME
from documents.evidence.facts import EvidenceFacts

FORMAT = "fieldbank-evidence/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")

# Every manifest key and what it must hold; format 1 has exactly these (a new key is a new format).
_TEXT, _OPTIONAL_TEXT, _INT, _TIME = "text", "optional text", "int", "time"
FIELDS: dict[str, str] = {
    "format": _TEXT,
    "package_id": _TEXT,
    "sequence": _INT,
    "previous_manifest_sm3": _OPTIONAL_TEXT,
    "process_id": _TEXT,
    "process_name": _TEXT,
    "definition_version": _INT,
    "definition_sha": _TEXT,
    "instance_id": _TEXT,
    "business_key": _OPTIONAL_TEXT,
    "branch_code": _TEXT,
    "branch_name": _TEXT,
    "staff_id": _TEXT,
    "staff_name": _TEXT,
    "reviewer_id": _OPTIONAL_TEXT,
    "authorizer_id": _OPTIONAL_TEXT,
    "device_id": _OPTIONAL_TEXT,
    "outcome": _TEXT,
    "outcome_reason": _OPTIONAL_TEXT,
    "started_at": _TIME,
    "completed_at": _TIME,
    "created_at": _TIME,
    "signing_key_id": _TEXT,
    "files": "files",
}
FILE_FIELDS = frozenset({"name", "media_type", "size", "sm3"})


class ManifestError(ValueError):
    """A manifest that format 1 does not allow."""


def build_manifest(
    facts: EvidenceFacts,
    files: Mapping[str, tuple[str, bytes]],
    *,
    sequence: int,
    previous_manifest_sm3: str | None,
    signing_key_id: str,
) -> dict[str, Any]:
    """The manifest of a package holding `files` (name → (media type, content)), as a plain dict."""
    _check_chain_position(sequence, previous_manifest_sm3)
    for moment in (facts.started_at, facts.completed_at):
        if moment.utcoffset() is None:
            raise ValueError("evidence times must carry their UTC offset")
    listed = []
    for name in sorted(files):
        if not ENTRY_NAME.fullmatch(name) or name in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ValueError(f"not a valid package file name: {name!r}")
        media_type, content = files[name]
        digest = sm3(content).hex()
        listed.append({"name": name, "media_type": media_type, "size": len(content), "sm3": digest})
    return {
        "format": FORMAT,
        "package_id": facts.package_id,
        "sequence": sequence,
        "previous_manifest_sm3": previous_manifest_sm3,
        "process_id": facts.process_id,
        "process_name": facts.process_name,
        "definition_version": facts.definition_version,
        "definition_sha": facts.definition_sha,
        "instance_id": facts.instance_id,
        "business_key": facts.business_key,
        "branch_code": facts.branch_code,
        "branch_name": facts.branch_name,
        "staff_id": facts.staff_id,
        "staff_name": facts.staff_name,
        "reviewer_id": facts.reviewer_id,
        "authorizer_id": facts.authorizer_id,
        "device_id": facts.device_id,
        "outcome": facts.outcome,
        "outcome_reason": facts.outcome_reason,
        "started_at": facts.started_at.isoformat(),
        "completed_at": facts.completed_at.isoformat(),
        # The package is dated by the journey's end, never by the build, so a rebuild is identical.
        "created_at": facts.completed_at.isoformat(),
        "signing_key_id": signing_key_id,
        "files": listed,
    }


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The signed form: UTF-8 JSON, keys sorted, no insignificant whitespace, non-ASCII kept."""
    return canonical_json(manifest)


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON for the manifest, data.json and trail.json (see `json_ready`)."""
    text = json.dumps(
        json_ready(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def json_ready(value: Any) -> Any:
    """Plain JSON values from form data and trail entries, the same way every time.

    Datetimes, dates and times become ISO 8601 text; Decimals their exact text (never a float, amounts
    must not round); UUIDs text; enums their value; sets sorted lists; dataclasses dicts. Anything else
    that JSON cannot hold is an error rather than a guess, so the worker finds it at once.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return json_ready(value.value)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("evidence JSON object keys must be strings")
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, set | frozenset):
        items = [json_ready(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    if is_dataclass(value) and not isinstance(value, type):
        return json_ready(asdict(value))
    raise TypeError(f"no evidence JSON form for {type(value).__name__}")


def parse_manifest(raw: bytes) -> dict[str, Any]:
    """Read a manifest as format 1 allows it, or raise `ManifestError` saying what is wrong."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError("manifest is larger than 4 MiB")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ManifestError("manifest is not valid UTF-8 JSON") from None
    if not isinstance(manifest, dict):
        raise ManifestError("manifest is not a JSON object")
    if set(manifest) != set(FIELDS):
        raise ManifestError(f"manifest keys differ from {FORMAT}")
    for key, kind in FIELDS.items():
        _check_field(key, kind, manifest[key])
    if manifest["format"] != FORMAT:
        raise ManifestError(f"unsupported format {manifest['format'][:64]!r}")
    try:
        canonical = manifest_bytes(manifest) == raw
    except ValueError:  # a lone surrogate escaped in a string cannot be UTF-8
        canonical = False
    if not canonical:
        raise ManifestError("manifest is not in canonical form")
    try:
        _check_chain_position(manifest["sequence"], manifest["previous_manifest_sm3"])
    except ValueError as exc:
        raise ManifestError(str(exc)) from None
    if manifest["created_at"] != manifest["completed_at"]:
        raise ManifestError("created_at differs from completed_at")
    return manifest


def _check_chain_position(sequence: int, previous_manifest_sm3: str | None) -> None:
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError("sequence must be a positive integer")
    if (sequence == 1) != (previous_manifest_sm3 is None):
        raise ValueError("only the first package (sequence 1) has no previous manifest digest")
    if previous_manifest_sm3 is not None and not _HEX64.fullmatch(previous_manifest_sm3):
        raise ValueError("previous_manifest_sm3 must be 64 lower-case hex digits")


def _check_field(key: str, kind: str, value: Any) -> None:
    if kind == _TEXT and isinstance(value, str):
        return
    if kind == _OPTIONAL_TEXT and (value is None or isinstance(value, str)):
        return
    if kind == _INT and isinstance(value, int) and not isinstance(value, bool):
        return
    if kind == _TIME and isinstance(value, str) and _is_aware_iso(value):
        return
    if kind == "files" and isinstance(value, list):
        _check_files(value)
        return
    raise ManifestError(f"manifest field {key} is not {kind}")


def _is_aware_iso(value: str) -> bool:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.utcoffset() is not None and moment.isoformat() == value


def _check_files(files: list[Any]) -> None:
    names = []
    for item in files:
        if not isinstance(item, dict) or set(item) != FILE_FIELDS:
            raise ManifestError("a files entry does not have exactly name, media_type, size, sm3")
        name, size, digest = item["name"], item["size"], item["sm3"]
        if not isinstance(name, str) or not ENTRY_NAME.fullmatch(name):
            raise ManifestError(f"files entry has an unsafe name {name!r}")
        if name in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ManifestError(f"files entry may not list {name}")
        if not isinstance(item["media_type"], str):
            raise ManifestError(f"files entry {name}: media_type is not text")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ManifestError(f"files entry {name}: size is not a non-negative integer")
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            raise ManifestError(f"files entry {name}: sm3 is not 64 lower-case hex digits")
        names.append(name)
    if names != sorted(set(names)):
        raise ManifestError("files are not sorted by name, or a name repeats")
