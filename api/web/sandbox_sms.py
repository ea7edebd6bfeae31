"""Sandbox only: the customer's phone beside the OTP screen. The sandbox SMS gateway sends nothing, so
a tester on the tablet reads the code here instead of reaching for the API with a bearer token. The
panel shows only the messages of the journey on screen, to staff who may see that journey."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import InstancesDep, SandboxDep
from api.web.pages import WebSessionDep, render
from engine.errors import NotFound

router = APIRouter(include_in_schema=False)
InstanceId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
STOP_POLLING = 286  # htmx stops an `every` trigger on this status


@router.get("/tablet/journeys/{instance_id}/sandbox-sms", response_class=HTMLResponse)
def sandbox_sms(
    request: Request,
    instance_id: InstanceId,
    instances: InstancesDep,
    sandbox: SandboxDep,
    session: WebSessionDep,
) -> Response:
    if sandbox is None:
        raise NotFound("not available")
    instances.get(session.actor, instance_id)  # 404 unless the journey is the caller's to see
    messages = sandbox.sms.sent_for(instance_id)
    return render(
        request,
        "tablet/sandbox_sms.html",
        {"messages": messages[-3:][::-1]},
        session=session,
        status_code=STOP_POLLING if messages else 200,
    )
