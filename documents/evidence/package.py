"""Build one evidence package: a canonical ZIP of the documents, images, data, trail and signed manifest.

Pure: no clock, no database, no randomness except the SM2 nonce. Given the same facts, documents and
chain position, the manifest bytes and every file are identical; only `manifest.sig` differs between
builds, because an SM2 signature takes a fresh random nonce (reusing one would leak the key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crypto import SM2PrivateKey, sm2_sign, sm3
from documents.evidence.container import ENTRY_NAME, dos_stamp, write_zip
from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.evidence.manifest import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    build_manifest,
    canonical_json,
    manifest_bytes,
)

DOCUMENT_MEDIA_TYPES = {".pdf": "application/pdf", ".ofd": "application/ofd"}
# a capture's media type -> its folder and extension: photos and signatures, and 双录 recordings
CAPTURE_FILES = {
    "image/jpeg": ("images", "jpg"),
    "image/png": ("images", "png"),
    "video/mp4": ("recordings", "mp4"),
}
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class BuiltPackage:
    zip_bytes: bytes
    manifest: dict[str, Any]
    manifest_sm3: str
    """Hex SM3 of the manifest bytes: the next package's `previous_manifest_sm3`."""


def build_package(
    facts: EvidenceFacts,
    documents: Mapping[str, bytes],
    *,
    sequence: int,
    previous_manifest_sm3: str | None,
    signing_key: SM2PrivateKey,
) -> BuiltPackage:
    """Package one finished instance at position `sequence` of the platform chain.

    `documents` maps a file name such as ``voucher.pdf`` to its bytes; it is stored under ``documents/``.
    Raises ValueError for input the format cannot hold (odd names, other image types, an image whose
    bytes no longer match the SM3 taken at upload: better to stop than to seal a corrupted capture).
    """
    files = package_files(facts, documents)
    manifest = build_manifest(
        facts,
        files,
        sequence=sequence,
        previous_manifest_sm3=previous_manifest_sm3,
        signing_key_id=signing_key.key_id,
    )
    signed = manifest_bytes(manifest)
    entries = [(MANIFEST_NAME, signed), (SIGNATURE_NAME, sm2_sign(signing_key, signed))]
    entries += [(name, files[name][1]) for name in sorted(files)]
    zip_bytes = write_zip(entries, dos_stamp(facts.completed_at))
    return BuiltPackage(zip_bytes, manifest, sm3(signed).hex())


def package_files(facts: EvidenceFacts, documents: Mapping[str, bytes]) -> dict[str, tuple[str, bytes]]:
    """Every file of the package except the manifest and its signature: name → (media type, bytes)."""
    files: dict[str, tuple[str, bytes]] = {
        "data.json": (JSON_MEDIA_TYPE, canonical_json(facts.data)),
        "trail.json": (JSON_MEDIA_TYPE, canonical_json(facts.trail)),
    }
    for name, content in documents.items():
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if "/" in name or suffix not in DOCUMENT_MEDIA_TYPES:
            raise ValueError(f"document {name!r} must be a plain .pdf or .ofd file name")
        files[f"documents/{name}"] = (DOCUMENT_MEDIA_TYPES[suffix], content)
    for name, image in _image_names(facts.images).items():
        files[name] = (image.media_type, image.content)
    for name in files:
        if not ENTRY_NAME.fullmatch(name):
            raise ValueError(f"not a valid package file name: {name!r}")
    return files


def _image_names(images: list[EvidenceImage]) -> dict[str, EvidenceImage]:
    """``images/<role>.<ext>`` (``recordings/<role>.mp4`` for a 双录); a role captured again (a second
    live face) becomes ``<role>-2`` etc."""
    named: dict[str, EvidenceImage] = {}
    seen: dict[str, int] = {}
    for image in images:
        place = CAPTURE_FILES.get(image.media_type)
        if place is None:
            raise ValueError(
                f"image {image.attachment_id}: media type {image.media_type!r} is not JPEG/PNG/MP4"
            )
        folder, extension = place
        if sm3(image.content).hex() != image.sm3.lower():
            raise ValueError(f"image {image.attachment_id}: content no longer matches its upload SM3")
        seen[image.role] = seen.get(image.role, 0) + 1
        suffix = "" if seen[image.role] == 1 else f"-{seen[image.role]}"
        name = f"{folder}/{image.role}{suffix}.{extension}"
        if name in named:
            raise ValueError(f"image {image.attachment_id}: two images would be named {name}")
        named[name] = image
    return named
