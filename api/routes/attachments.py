from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from api.deps import AttachmentsDep, CurrentActorDep, SettingsDep
from api.openapi import SIGNED_IN
from api.schemas import AttachmentOut
from engine.watermark import parse_watermark_request

router = APIRouter(tags=["attachments"], responses=SIGNED_IN)


@router.post(
    "/attachments",
    response_model=AttachmentOut,
    status_code=status.HTTP_201_CREATED,
    # the bytes are sniffed: a part labelled image/png that is not a PNG is refused 422 all the same
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"file": {"contentType": "image/jpeg, image/png, video/mp4"}}
                }
            }
        }
    },
)
def upload_attachment(
    file: Annotated[
        UploadFile,
        File(
            json_schema_extra={"minLength": 1},
            description="the image or 双录 recording (MP4 with sound); never empty",
        ),
    ],
    attachments: AttachmentsDep,
    settings: SettingsDep,
    actor: CurrentActorDep,
    # strings, parsed by the engine: the API and the tablet refuse the same values with the same words
    watermark: Annotated[
        str | None,
        Form(
            description="true: draw the server's Beijing time, the position, staff and device id "
            "on the photo (stored as JPEG); false or absent: store the image as sent"
        ),
    ] = None,
    lat: Annotated[str | None, Form(description="latitude the device reported, -90..90; with lon")] = None,
    lon: Annotated[str | None, Form(description="longitude the device reported, -180..180; with lat")] = None,
    accuracy_m: Annotated[
        str | None, Form(description="the position's accuracy in metres, 0..10000; with lat/lon")
    ] = None,
) -> AttachmentOut:
    asked = parse_watermark_request(watermark, lat, lon, accuracy_m)
    # one byte over the largest kind's limit is enough for the service to refuse by the actual kind
    content = file.file.read(attachments.largest_upload + 1)
    return AttachmentOut.model_validate(asdict(attachments.upload(actor, content, asked)))
