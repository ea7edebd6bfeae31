"""An OTP entry screen (a form field drawn with `"ui:widget": "otp"`) answered in the request, before
the task completes: a wrong code is a 422 on that field saying how many tries are left, so the typed code
stays on the screen to be corrected; a resend asked (`otp_resend: true`) before the 60 s are up is a 422
saying when. What passes completes the task and the diagram routes as before (verify, or send again)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from engine.errors import FieldError, ValidationFailed
from engine.operations.registry import OtpPort

RESEND_FIELD = "otp_resend"


def otp_field(ui_schema: Mapping[str, Any]) -> str | None:
    for name, ui in ui_schema.items():
        if isinstance(ui, Mapping) and ui.get("ui:widget") == "otp":
            return str(name)
    return None


def check_otp_entry(
    otp: OtpPort, key: str, ui_schema: Mapping[str, Any], data: Mapping[str, Any], now: Callable[[], datetime]
) -> None:
    field = otp_field(ui_schema)
    if field is None:
        return
    if data.get(RESEND_FIELD) is True:
        ready = otp.resend_ready_at(key)
        wait = math.ceil((ready - now()).total_seconds()) if ready else 0
        if wait > 0:
            message = f"请在 {wait} 秒后重新发送验证码"
            raise ValidationFailed("too soon", [FieldError(field, "otp_resend_too_soon", message)])
        return
    code = data.get(field)
    if not isinstance(code, str):
        return
    if otp.verify(key, code) == "WRONG":
        left = otp.attempts_left(key)
        message = f"验证码不正确，还可输入 {left} 次"
        raise ValidationFailed("wrong code", [FieldError(field, "otp_wrong", message)])
