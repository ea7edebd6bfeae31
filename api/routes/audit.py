"""Post-supervision's view of who saw clear personal data (§8.5)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import AccessLogDep, CurrentActorDep
from api.openapi import SIGNED_IN
from api.params import Instant

router = APIRouter(tags=["audit"], responses=SIGNED_IN)


class PersonalDataViewOut(BaseModel):
    at: datetime
    staff_id: str
    device_id: str | None
    branch_code: str
    instance_id: str | None
    subject: str
    fields: list[str]
    purpose: str


@router.get("/audit/personal-data-views", response_model=list[PersonalDataViewOut])
def personal_data_views(
    access_log: AccessLogDep,
    actor: CurrentActorDep,
    staff_id: Annotated[str | None, Query(max_length=64)] = None,
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
) -> list[PersonalDataViewOut]:
    views = access_log.views(actor, staff_id=staff_id, since=from_, until=to)
    return [PersonalDataViewOut.model_validate(asdict(v)) for v in views]
