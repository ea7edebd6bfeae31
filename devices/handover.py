"""The handover record (移交单) that completes a device transfer (§9.1), signed by both holders.

Each holder signs on a tablet they may use — their own, or one they are backup holder of (the device
gate lets nobody work on the one being handed over) — by uploading the image of their handwritten
signature (`POST /attachments`); `complete_transfer` names the two uploads. The upload row records who
uploaded it, so the check is that the outgoing signature came from the device's holder and the
incoming one from the receiving holder (`transfer_to`); the change keeps both ids and both staff ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.errors import FieldError, ValidationFailed
from engine.persistence.devices import DeviceRow, DeviceTransaction

_SIGNED_BY = {
    "outgoing_signature": ("outgoing_holder_id", "须由原保管人本人上传签名"),
    "incoming_signature": ("incoming_holder_id", "须由接收保管人本人上传签名"),
}


def check_handover(tx: DeviceTransaction, device: DeviceRow, payload: dict[str, Any]) -> dict[str, str]:
    """§9.1: the handover record is signed by both holders, each signature an image the holder it
    stands for uploaded; answers the two holders' staff ids, which the change keeps with the ids."""
    holders = {
        "outgoing_holder_id": device.holder_id or "",
        "incoming_holder_id": str((device.transfer_to or {}).get("holder_id") or ""),
    }
    errors = []
    for field, (holder_field, wrong_signer) in _SIGNED_BY.items():
        upload = tx.upload(str(payload[field]))
        if upload is None:
            errors.append(FieldError(field, "attachment_not_found", "未找到该附件，请重新上传"))
        elif not upload.image:
            errors.append(FieldError(field, "attachment_kind", "此处应上传签名图片"))
        elif not holders[holder_field] or upload.uploaded_by != holders[holder_field]:
            errors.append(FieldError(field, "not_signed_by_holder", wrong_signer))
        elif _aware(upload.uploaded_at) < _aware(device.updated_at):
            # the device entered TRANSFER_PENDING then: an older image (an ID photo, an earlier
            # signature) is not this handover's signature
            errors.append(FieldError(field, "signed_before_transfer", "签名须在移交批准后签署上传"))
    if payload["outgoing_signature"] == payload["incoming_signature"]:
        errors.append(FieldError("incoming_signature", "same_as_outgoing", "两位保管人的签名不能是同一附件"))
    if errors:
        raise ValidationFailed("the handover record is not signed by both holders", errors)
    return holders


def _aware(at: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored as UTC)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
