"""Evidence uploaded from the tablet: images (JPEG/PNG, watermarked when asked) and 双录 recordings
(MP4 with sound, their length read from the container), checked, digested with SM3, stored encrypted.

Blobs are content-addressed by a keyed SM3 (HMAC) so equal files do not reveal themselves
(ARCHITECTURE decision 8); the database keeps the index row, the blob folder the ciphertext. A
watermarked photo (§7.1) is stored only as watermarked: the digest, the blob and what a reviewer
sees are the same bytes, and the row keeps what the strip says.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crypto import FieldCipher, hmac_sm3, sm3
from engine.errors import FieldError, Forbidden, NotFound, ValidationFailed
from engine.people.roles import CAPTURE_ROLES
from engine.persistence.attachments import AttachmentRepository
from engine.persistence.database import SessionFactory
from engine.persistence.records import AttachmentRecord
from engine.recordings import MP4_MEDIA_TYPE, is_mp4, recording_duration_ms
from engine.views import Actor
from engine.watermark import WatermarkRequest, watermark_facts, watermark_lines
from engine.watermark_image import draw_watermark

_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


@dataclass(frozen=True)
class AttachmentView:
    attachment_id: str
    media_type: str
    size: int
    sm3: str
    created_at: datetime
    watermark: dict[str, Any] | None = None  # WatermarkFacts.as_json(); None when none was drawn
    duration_ms: int | None = None  # a recording's length from its container; None for an image


def sniff_media_type(content: bytes) -> str | None:
    """Trust the bytes, not the client's Content-Type."""
    for magic, media_type in _SIGNATURES.items():
        if content.startswith(magic):
            return media_type
    return MP4_MEDIA_TYPE if is_mp4(content) else None


class AttachmentService:
    def __init__(
        self,
        sessions: SessionFactory,
        cipher: FieldCipher,
        blob_dir: Path,
        address_key: bytes,
        max_bytes: int,
        now: Callable[[], datetime],
        recording_max_bytes: int | None = None,
    ) -> None:
        self._attachments = AttachmentRepository(sessions)
        self._cipher = cipher
        self._dir = blob_dir
        self._key = address_key
        self._max = max_bytes
        self._max_recording = max_bytes if recording_max_bytes is None else recording_max_bytes
        self._now = now

    @property
    def largest_upload(self) -> int:
        """The most bytes any upload may have: what a route reads before the kind is known."""
        return max(self._max, self._max_recording)

    def upload(
        self, actor: Actor, content: bytes, watermark: WatermarkRequest | None = None
    ) -> AttachmentView:
        if not actor.roles & CAPTURE_ROLES:
            raise Forbidden("only field staff capture evidence images")
        if not content:
            raise ValidationFailed("empty upload", [FieldError("file", "empty", "文件为空")])
        media_type = sniff_media_type(content)
        if media_type is None:
            raise ValidationFailed(
                "only JPEG, PNG or MP4", [FieldError("file", "media_type", "仅支持JPEG、PNG图片或MP4录像")]
            )
        recording = media_type == MP4_MEDIA_TYPE
        _check_size(content, self._max_recording if recording else self._max)
        now = self._now()
        facts, duration_ms = None, None
        if recording:
            duration_ms = _recording_length(content, watermark)
        elif watermark is not None:
            facts = watermark_facts(watermark, now, actor.staff_id, actor.device_id)
            content = draw_watermark(content, watermark_lines(facts))
            media_type = "image/jpeg"
        blob_key = hmac_sm3(self._key, content).hex()
        self._write_blob(blob_key, content)
        record = AttachmentRecord(
            id="att_" + secrets.token_hex(16),
            media_type=media_type,
            size=len(content),
            sm3=sm3(content).hex(),
            blob_key=blob_key,
            uploaded_by=actor.staff_id,
            branch_code=actor.branch_code,
            created_at=now,
            watermark=facts.as_json() if facts else None,
            duration_ms=duration_ms,
        )
        self._attachments.add(record)
        return AttachmentView(
            record.id,
            record.media_type,
            record.size,
            record.sm3,
            record.created_at,
            record.watermark,
            record.duration_ms,
        )

    def read(self, attachment_id: str) -> tuple[AttachmentRecord, bytes]:
        record = self._attachments.get(attachment_id)
        if record is None:
            raise NotFound("no such attachment")
        return record, self.read_blob(record.blob_key)

    def read_blob(self, blob_key: str) -> bytes:
        blob = (self._dir / blob_key[:2] / blob_key).read_bytes()
        return self._cipher.decrypt_bytes(blob, context=b"blob:" + blob_key.encode())

    def write_blob(self, blob_key: str, content: bytes) -> None:
        self._write_blob(blob_key, content)

    def _write_blob(self, blob_key: str, content: bytes) -> None:
        path = self._dir / blob_key[:2] / blob_key
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp" + secrets.token_hex(4))
        tmp.write_bytes(self._cipher.encrypt_bytes(content, context=b"blob:" + blob_key.encode()))
        tmp.replace(path)  # atomic: a crash never leaves half a blob under its final name


def _check_size(content: bytes, limit: int) -> None:
    if len(content) > limit:
        raise ValidationFailed(
            "file too large", [FieldError("file", "too_large", f"文件不能超过{limit // 1024} KB")]
        )


def _recording_length(content: bytes, watermark: WatermarkRequest | None) -> int:
    """A recording is stored as recorded (a strip drawn over video would re-encode it) and must have
    sound and a length the server can read."""
    if watermark is not None:
        raise ValidationFailed(
            "recordings are not watermarked", [FieldError("watermark", "not_for_recording", "录像不加水印")]
        )
    duration_ms = recording_duration_ms(content)
    if duration_ms is None:
        raise ValidationFailed(
            "unreadable recording",
            [FieldError("file", "recording_unreadable", "无法读取录像的声音或时长，请重新录制")],
        )
    return duration_ms
