"""Photos and signatures leave the tablet the moment they are captured: uploaded here (cookie session +
CSRF header), referenced by id in the form, never carried in form posts or sent back with a 422."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile, status
from fastapi.responses import JSONResponse, Response

from api.deps import AttachmentsDep, ReadsDep, SettingsDep
from api.web.pages import WebSessionDep
from engine.watermark import parse_watermark_request

router = APIRouter(include_in_schema=False)
AttachmentId = Annotated[str, Path(pattern=r"^att_[0-9a-f]{32}$")]


@router.post("/media/attachments", status_code=status.HTTP_201_CREATED)
def upload(
    file: Annotated[UploadFile, File()],
    attachments: AttachmentsDep,
    settings: SettingsDep,
    session: WebSessionDep,
    watermark: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form()] = None,
    lon: Annotated[str | None, Form()] = None,
    accuracy_m: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """The same fields as `POST /api/v1/attachments`; a watermarked photo's preview is the server's
    watermarked image at `url`, so the officer sees what was stored."""
    asked = parse_watermark_request(watermark, lat, lon, accuracy_m)
    # one byte over the largest kind's limit is enough for the service to refuse by the actual kind
    content = file.file.read(attachments.largest_upload + 1)
    view = attachments.upload(session.actor, content, asked)
    body = {
        **asdict(view),
        "created_at": view.created_at.isoformat(),
        "url": f"/media/attachments/{view.attachment_id}",
    }
    return JSONResponse(body, status_code=201)


@router.get("/media/attachments/{attachment_id}")
def own_capture(
    attachment_id: AttachmentId, attachments: AttachmentsDep, reads: ReadsDep, session: WebSessionDep
) -> Response:
    """The capturing officer's preview of their own recent upload; anyone else gets 404."""
    blob_key, media_type = reads.own_upload(session.actor, attachment_id)
    return Response(
        attachments.read_blob(blob_key),
        media_type=media_type,
        headers={"Cache-Control": "private, no-store"},
    )
