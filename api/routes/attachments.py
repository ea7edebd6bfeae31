from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from api.deps import AttachmentsDep, CurrentActorDep, SettingsDep
from api.openapi import SIGNED_IN
from api.schemas import AttachmentOut
from engine.errors import FieldError, ValidationFailed

router = APIRouter(tags=["attachments"], responses=SIGNED_IN)


@router.post(
    "/attachments",
    response_model=AttachmentOut,
    status_code=status.HTTP_201_CREATED,
    # the bytes are sniffed: a part labelled image/png that is not a PNG is refused 422 all the same
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {"encoding": {"file": {"contentType": "image/jpeg, image/png"}}}
            }
        }
    },
)
def upload_attachment(
    file: Annotated[
        UploadFile, File(json_schema_extra={"minLength": 1}, description="the image; never empty")
    ],
    attachments: AttachmentsDep,
    settings: SettingsDep,
    actor: CurrentActorDep,
) -> AttachmentOut:
    limit = settings.attachment_max_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(
            "file too large", [FieldError("file", "too_large", f"文件不能超过{limit // 1024} KB")]
        )
    return AttachmentOut.model_validate(asdict(attachments.upload(actor, content)))
