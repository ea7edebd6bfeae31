"""The device administration page: the devices of the caller's branches (state, custody, holder, last
contact, risk, what the tablet confirmed against what it was asked) and the pending changes, which a
checker approves or rejects with a reason here. The rules are the JSON API's
(`devices/administration.py`); a refused decision is shown on the page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DeviceAdminDep, DeviceEventsDep, ReadsDep
from api.params import RowId
from api.web.pages import WebSessionDep, redirect, render
from api.web.session import WebSession
from devices.administration import DeviceAdministration
from devices.security_events import ACKNOWLEDGERS, DeviceSecurityEvents
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.journey_reads import JourneyReads

router = APIRouter(include_in_schema=False)

WORDS = {
    "REGISTERED": "已入库",
    "BOUND": "已绑定",
    "KEY_PENDING": "待下发密钥",
    "ACTIVE": "已启用",
    "LOCKED": "已锁定",
    "TRANSFER_PENDING": "移交中",
    "REPAIR": "维修中",
    "LOST": "已挂失",
    "VOIDED": "已作废",
    "CHECKED_OUT": "已领用",
    "CHECKED_IN": "已归还",
    "register": "入库登记",
    "bind": "绑定",
    "activate": "启用",
    "check_out": "领用",
    "check_in": "归还",
    "lock": "锁定",
    "unlock": "解锁",
    "transfer": "移交",
    "complete_transfer": "完成移交",
    "send_to_repair": "送修",
    "return_from_repair": "维修返回",
    "report_lost": "挂失",
    "recover": "找回",
    "void": "作废",
    "wipe": "擦除",
    "rekey": "更新密钥",
    "WIPED": "已擦除",
    "allow": "正常",
    "step_up": "需加强认证",
    "restrict": "受限",
    "branch_manager": "网点负责人",
    "security_officer": "安全管理员",
    "auto_lock": "自动锁定",
    "wipe_failed": "擦除未完成",
}


@router.get("/devices", response_class=HTMLResponse)
def devices_page(
    request: Request,
    devices: DeviceAdminDep,
    events: DeviceEventsDep,
    reads: ReadsDep,
    session: WebSessionDep,
    branch: Annotated[str, Query(pattern=r"^[A-Z0-9]{0,32}$")] = "",
    done: Annotated[Literal["approve", "reject", "acknowledge", ""], Query()] = "",
) -> Response:
    return _page(request, devices, events, reads, session, branch, done=done)


@router.post("/devices/security-events/{event_id}/acknowledge", response_class=HTMLResponse)
def acknowledge_event(
    request: Request,
    event_id: RowId,
    note: Annotated[str, Form(max_length=500)],
    devices: DeviceAdminDep,
    events: DeviceEventsDep,
    reads: ReadsDep,
    session: WebSessionDep,
) -> Response:
    try:
        events.acknowledge(session.actor, event_id, note)
    except (Conflict, Forbidden, NotFound, ValidationFailed) as refused:
        status = {Conflict: 409, Forbidden: 403, NotFound: 404}.get(type(refused), 422)
        return _page(
            request, devices, events, reads, session, "", problem=refused.message, status_code=status
        )
    return redirect(request, "/devices?done=acknowledge")


@router.post("/devices/changes/{change_id}/{verdict}", response_class=HTMLResponse)
def decide(
    request: Request,
    change_id: RowId,
    verdict: Annotated[Literal["approve", "reject"], Path()],
    reason: Annotated[str, Form(max_length=500)],
    devices: DeviceAdminDep,
    events: DeviceEventsDep,
    reads: ReadsDep,
    session: WebSessionDep,
) -> Response:
    try:
        devices.decide(session.actor, change_id, verdict == "approve", reason)
    except (Conflict, Forbidden, NotFound, ValidationFailed) as refused:
        # the list again, saying why: the checker sees the change still pending and decides again
        status = {Conflict: 409, Forbidden: 403, NotFound: 404}.get(type(refused), 422)
        return _page(
            request, devices, events, reads, session, "", problem=refused.message, status_code=status
        )
    return redirect(request, f"/devices?done={verdict}")


def _page(
    request: Request,
    devices: DeviceAdministration,
    events: DeviceSecurityEvents,
    reads: JourneyReads,
    session: WebSession,
    branch: str,
    *,
    done: str = "",
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = devices.devices(session.actor, branch or None)
    pending = devices.pending(session.actor)
    context: dict[str, Any] = {
        "events": events.events(session.actor),
        "can_acknowledge": bool(session.actor.roles & ACKNOWLEDGERS),
        "devices": rows,
        "pending": pending,
        "branch": branch,
        "done": done,
        "problem": problem,
        "words": WORDS,
        "staff_names": reads.staff_names(c.requested_by for c in pending),
    }
    return render(request, "devices/list.html", context, session=session, status_code=status_code)
