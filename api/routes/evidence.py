"""The evidence desk: post-supervisors search the queue, read a package and its review history,
download it and have the server verify it. Review decisions use the normal task endpoints."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentActorDep, DeskDep
from api.openapi import MISSING, SIGNED_IN
from api.params import Instant

router = APIRouter(tags=["evidence"], responses=SIGNED_IN)
PackageId = Annotated[str, Path(pattern=r"^EP-[0-9a-f-]{36}$")]
Status = Literal["MACHINE_REVIEW", "HUMAN_REVIEW", "RECTIFICATION", "PASSED", "CLOSED", "RISK_ALERT"]


class PackageOut(BaseModel):
    package_id: str
    instance_id: str
    process_id: str
    outcome: str
    branch_code: str
    staff_id: str
    status: str
    sequence: int
    created_at: datetime


class PackageDetailOut(PackageOut):
    manifest: dict[str, Any]
    review_instance_id: str | None
    history: list[dict[str, Any]]


class VerificationOut(BaseModel):
    package_id: str
    ok: bool
    problems: list[dict[str, Any]]
    manifest_sm3: str | None
    sequence: int


@router.get("/evidence", response_model=list[PackageOut])
def search_packages(
    desk: DeskDep,
    actor: CurrentActorDep,
    status: Status | None = None,
    branch: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{1,32}$")] = None,
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
) -> list[PackageOut]:
    found = desk.search(actor, status=status, branch=branch, since=from_, until=to)
    return [PackageOut.model_validate(asdict(p)) for p in found]


@router.get("/evidence/{package_id}", response_model=PackageDetailOut, responses=MISSING)
def package_detail(package_id: PackageId, desk: DeskDep, actor: CurrentActorDep) -> PackageDetailOut:
    d = desk.detail(actor, package_id)
    return PackageDetailOut.model_validate(
        {
            **asdict(d.summary),
            "manifest": d.manifest,
            "review_instance_id": d.review_instance_id,
            "history": d.history,
        }
    )


@router.get(
    "/evidence/{package_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **MISSING},
)
def download_package(package_id: PackageId, desk: DeskDep, actor: CurrentActorDep) -> Response:
    name, content = desk.download(actor, package_id)
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/evidence/{package_id}/verify", response_model=VerificationOut, responses=MISSING)
def verify_package_on_server(package_id: PackageId, desk: DeskDep, actor: CurrentActorDep) -> VerificationOut:
    return VerificationOut.model_validate(desk.verify(actor, package_id))
