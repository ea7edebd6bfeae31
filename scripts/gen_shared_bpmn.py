"""Scaffold for processes/shared/*.bpmn: the customer checks every journey starts with (domain §2.3-2.7).

Each file is one callable process. A process that can stop the journey sets the journey's `outcome` and
`outcome_reason` itself and a flag its caller routes on (`id_card_accepted`, `face_verified`,
`mobile_verified`, `customer_identified`), then ends normally, so the caller gets every field collected
inside it. `identity_screening` catches nothing: its checks' BPMN errors reach the caller's boundary
events, which decide the outcome. The .bpmn files are the source of truth once written; run this only to
regenerate a first layout: python scripts/gen_shared_bpmn.py
"""

from __future__ import annotations

from pathlib import Path

from bpmn_scaffold import Boundary, Model, Node, error_definition, form, outcome, script, service, write

SHARED = Path(__file__).resolve().parent.parent / "processes" / "shared"
FO = "field_officer"
LANE = "lane_field_officer"
Flow = tuple[str, str, str, str | None]


def stop(flag: str, outcome_: str, reason: str) -> str:
    return outcome(outcome_, reason).replace("<bpmn:script>", f"<bpmn:script>{flag} = False\n", 1)


def id_card_reading() -> Model:
    nodes: list[Node] = [
        ("start", "startEvent", "开始", FO, (0, 1), ""),
        ("id_card", "userTask", "读取身份证", FO, (1, 1), form("debit-card-id-card")),
        (
            "assess_id",
            "serviceTask",
            "证件规则检查",
            FO,
            (2, 1),
            service(
                "rules.assess_id_card",
                "id_assessment",
                {"id_number": "id_number", "birth_date": "birth_date", "id_valid_to": "id_valid_to"},
            ),
        ),
        ("id_ok", "exclusiveGateway", "证件可受理?", FO, (3, 1), ""),
        # the customer consents once the card is acceptable, before any check reaches a third party (§2.7)
        ("customer_consents", "userTask", "客户授权与同意", FO, (4, 1), form("customer-consents")),
        ("set_id_accepted", "scriptTask", "证件可受理", FO, (5, 1), script("id_card_accepted = True")),
        ("end_id_accepted", "endEvent", "证件已读取", FO, (6, 1), ""),
        (
            "set_id_refused",
            "scriptTask",
            "证件不符合受理条件",
            FO,
            (3, 2.2),
            script(
                "id_card_accepted = False\noutcome = id_assessment['outcome']\n"
                "outcome_reason = id_assessment['reason']"
            ),
        ),
        ("end_id_refused", "endEvent", "结束", FO, (4, 2.2), ""),
    ]
    flows: list[Flow] = [
        ("f1", "start", "id_card", None),
        ("f2", "id_card", "assess_id", None),
        ("f3", "assess_id", "id_ok", None),
        ("f4", "id_ok", "customer_consents", "id_assessment['decision'] == 'OK'"),
        ("f8", "customer_consents", "set_id_accepted", None),
        ("f5", "id_ok", "set_id_refused", None),  # default
        ("f6", "set_id_accepted", "end_id_accepted", None),
        ("f7", "set_id_refused", "end_id_refused", None),
    ]
    return Model(
        SHARED / "id_card_reading.bpmn",
        "id_card_reading",
        "读取身份证 (共用)",
        "读取身份证",
        [(LANE, FO, 2.6)],
        nodes,
        flows,
        defaults={"id_ok": "f5"},
        width_cols=6.6,
    )


def identity_screening() -> Model:
    nodes: list[Node] = [
        ("start", "startEvent", "开始", FO, (0, 1), ""),
        ("split", "parallelGateway", "并行", FO, (1, 1), ""),
        (
            "identity_check",
            "serviceTask",
            "联网核查",
            FO,
            (2, 0.3),
            service(
                "identity.verify",
                "identity_result",
                {"name": "customer_name", "id_number": "id_number"},
                retries=1,
            ),
        ),
        (
            "watchlist_screen",
            "serviceTask",
            "黑名单筛查",
            FO,
            (2, 1.7),
            service(
                "watchlist.screen_person",
                "watchlist_result",
                {"name": "customer_name", "id_number": "id_number", "birth_date": "birth_date"},
                retries=1,
            ),
        ),
        ("join", "parallelGateway", "汇合", FO, (3, 1), ""),
        ("end", "endEvent", "核查完成", FO, (4, 1), ""),
    ]
    flows: list[Flow] = [
        ("f1", "start", "split", None),
        ("f2", "split", "identity_check", None),
        ("f3", "split", "watchlist_screen", None),
        ("f4", "identity_check", "join", None),
        ("f5", "watchlist_screen", "join", None),
        ("f6", "join", "end", None),
    ]
    return Model(
        SHARED / "identity_screening.bpmn",
        "identity_screening",
        "联网核查与黑名单筛查 (共用)",
        "联网核查与黑名单筛查",
        [(LANE, FO, 2.4)],
        nodes,
        flows,
        width_cols=4.6,
    )


def face_verification() -> Model:
    nodes: list[Node] = [
        ("start", "startEvent", "开始", FO, (0, 1), ""),
        (
            "init_face",
            "scriptTask",
            "初始化",
            FO,
            (0.8, 1),
            script("face_failures = 0\nliveness_failures = 0"),
        ),
        ("face_check", "userTask", "活体检测与人脸比对", FO, (1.8, 1), form("debit-card-face-check")),
        (
            "face_compare",
            "serviceTask",
            "人脸比对",
            FO,
            (2.8, 1),
            service(
                "face.compare",
                "face_result",
                {
                    "id_number": "id_number",
                    "live_face_image": "live_face_image",
                    "has_registry_photo": "identity_result['has_registry_photo']",
                    "attempt": "face_failures + liveness_failures + 1",
                    "simulated_camera": "simulated_camera",
                },
                retries=1,
            ),
        ),
        ("set_face_verified", "scriptTask", "人脸核验通过", FO, (3.8, 1), script("face_verified = True")),
        ("end_face_verified", "endEvent", "核验完成", FO, (4.7, 1), ""),
        (
            "count_face_failure",
            "scriptTask",
            "记录比对失败",
            FO,
            (2.8, 2.4),
            script(
                "if face_rejection['code'] == 'LIVENESS_FAIL':\n"
                "    liveness_failures = liveness_failures + 1\n"
                "else:\n    face_failures = face_failures + 1"
            ),
        ),
        ("face_retry_gate", "exclusiveGateway", "可重试?", FO, (1.8, 2.4), ""),
        (
            "set_face_refused",
            "scriptTask",
            "人脸核验未通过",
            FO,
            (1.8, 3.5),
            stop("face_verified", "REFUSED", "'FACE_VERIFICATION_FAILED'"),
        ),
        ("end_face", "endEvent", "结束", FO, (2.8, 3.5), ""),
    ]
    flows: list[Flow] = [
        ("f1", "start", "init_face", None),
        ("f2", "init_face", "face_check", None),
        ("f3", "face_check", "face_compare", None),
        ("f4", "face_compare", "set_face_verified", None),
        ("f5", "set_face_verified", "end_face_verified", None),
        ("f6", "b_face", "count_face_failure", None),
        ("f7", "count_face_failure", "face_retry_gate", None),
        ("f8", "face_retry_gate", "set_face_refused", "face_failures >= 3 or liveness_failures >= 2"),
        ("f9", "face_retry_gate", "face_check", None),  # default: try again
        ("f10", "set_face_refused", "end_face", None),
    ]
    return Model(
        SHARED / "face_verification.bpmn",
        "face_verification",
        "活体检测与人脸比对 (共用)",
        "活体检测与人脸比对",
        [(LANE, FO, 4.0)],
        nodes,
        flows,
        errors={"err_face_rejected": ("FACE_REJECTED", "face_rejection")},
        boundaries=[
            Boundary(
                "b_face", "face_compare", error_definition("b_face", "err_face_rejected"), (2.8, 1.45), FO
            )
        ],
        defaults={"face_retry_gate": "f9"},
        width_cols=5.2,
    )


def mobile_verification() -> Model:
    nodes: list[Node] = [
        ("start", "startEvent", "开始", FO, (0, 1), ""),
        (
            "init_mobile",
            "scriptTask",
            "初始化",
            FO,
            (0.8, 1),
            script("mobile_rejections = 0\notp_resend = False"),
        ),
        (
            "mobile_check",
            "serviceTask",
            "手机号实名核验",
            FO,
            (1.8, 1),
            service(
                "mobile.verify",
                "mobile_result",
                {"name": "customer_name", "id_number": "id_number", "mobile": "reserved_mobile"},
                retries=1,
            ),
        ),
        (
            "send_otp",
            "serviceTask",
            "发送短信验证码",
            FO,
            (2.8, 1),
            service("otp.send", "otp_sent", {"mobile": "reserved_mobile"}, retries=1),
        ),
        ("otp_entry", "userTask", "输入短信验证码", FO, (3.8, 1), form("debit-card-otp")),
        ("otp_resend_gate", "exclusiveGateway", "重新发送?", FO, (4.3, 1.9), ""),
        ("clear_resend", "scriptTask", "重新发送验证码", FO, (3.3, 1.9), script("otp_resend = False")),
        (
            "verify_otp",
            "serviceTask",
            "校验验证码",
            FO,
            (4.8, 1),
            service("otp.verify", "otp_result", {"code": "otp_code"}),
        ),
        ("otp_ok", "exclusiveGateway", "验证码结果", FO, (5.7, 1), ""),
        (
            "set_mobile_verified",
            "scriptTask",
            "手机号已验证",
            FO,
            (6.6, 1),
            script("mobile_verified = True"),
        ),
        ("end_mobile_verified", "endEvent", "验证完成", FO, (7.5, 1), ""),
        (
            "set_otp_failed",
            "scriptTask",
            "验证码已锁定",
            FO,
            (5.7, 3.6),
            stop("mobile_verified", "REFERRED_TO_BRANCH", "'OTP_LOCKED'"),
        ),
        ("end_otp", "endEvent", "结束", FO, (6.6, 3.6), ""),
        (
            "count_mobile_rejection",
            "scriptTask",
            "记录手机号问题",
            FO,
            (1.8, 2.6),
            script("mobile_rejections = mobile_rejections + 1"),
        ),
        ("mobile_retry_gate", "exclusiveGateway", "可更换号码?", FO, (2.8, 2.6), ""),
        ("telco_retry", "userTask", "更换预留手机号", FO, (2.8, 3.6), form("debit-card-telco-retry")),
        (
            "set_mobile_referred",
            "scriptTask",
            "手机号无法核验",
            FO,
            (3.8, 2.6),
            stop("mobile_verified", "REFERRED_TO_BRANCH", "'MOBILE_NOT_VERIFIED'"),
        ),
        ("end_mobile", "endEvent", "结束", FO, (4.7, 2.6), ""),
    ]
    flows: list[Flow] = [
        ("f1", "start", "init_mobile", None),
        ("f2", "init_mobile", "mobile_check", None),
        ("f3", "mobile_check", "send_otp", None),
        ("f4", "send_otp", "otp_entry", None),
        ("f5", "otp_entry", "otp_resend_gate", None),
        ("f20", "otp_resend_gate", "clear_resend", "otp_resend == True"),
        ("f21", "otp_resend_gate", "verify_otp", None),  # default: check the code
        ("f22", "clear_resend", "send_otp", None),
        ("f6", "verify_otp", "otp_ok", None),
        ("f7", "otp_ok", "set_mobile_verified", "otp_result['result'] == 'VERIFIED'"),
        ("f8", "otp_ok", "otp_entry", "otp_result['result'] == 'WRONG'"),
        ("f9", "otp_ok", "send_otp", "otp_result['result'] in ('EXPIRED', 'NOT_ISSUED')"),
        ("f10", "otp_ok", "set_otp_failed", None),  # default: locked
        ("f11", "set_mobile_verified", "end_mobile_verified", None),
        ("f12", "set_otp_failed", "end_otp", None),
        ("f13", "b_mobile", "count_mobile_rejection", None),
        ("f14", "b_otp_limit", "count_mobile_rejection", None),
        ("f15", "count_mobile_rejection", "mobile_retry_gate", None),
        ("f16", "mobile_retry_gate", "set_mobile_referred", "mobile_rejections >= 3"),
        ("f17", "mobile_retry_gate", "telco_retry", None),  # default: ask for another number
        ("f18", "telco_retry", "mobile_check", None),
        ("f19", "set_mobile_referred", "end_mobile", None),
    ]
    return Model(
        SHARED / "mobile_verification.bpmn",
        "mobile_verification",
        "手机号实名核验与短信验证 (共用)",
        "手机号实名核验与短信验证",
        [(LANE, FO, 4.1)],
        nodes,
        flows,
        errors={"err_mobile_rejected": ("MOBILE_REJECTED", "mobile_rejection")},
        boundaries=[
            Boundary(
                "b_mobile",
                "mobile_check",
                error_definition("b_mobile", "err_mobile_rejected"),
                (1.8, 1.45),
                FO,
            ),
            Boundary(
                "b_otp_limit",
                "send_otp",
                error_definition("b_otp_limit", "err_mobile_rejected"),
                (2.8, 1.45),
                FO,
            ),
        ],
        defaults={"otp_ok": "f10", "mobile_retry_gate": "f17", "otp_resend_gate": "f21"},
        width_cols=8.0,
    )


PRECHECK_ERRORS = {
    "err_precheck_refused": ("PRECHECK_REFUSED", "precheck_rejection"),
    "err_precheck_referred": ("PRECHECK_REFERRED", "precheck_rejection"),
    "err_precheck_review": ("PRECHECK_PENDING_REVIEW", "precheck_rejection"),
}


def customer_identification() -> Model:
    """The three identification steps in a row, for journeys with no check of their own to run beside
    the registry and watch-list checks (J1 runs its core lookup there, so it calls the steps itself)."""
    nodes: list[Node] = [
        ("start", "startEvent", "开始", FO, (0, 1), ""),
        ("read_id_card", "callActivity", "读取身份证", FO, (1, 1), ""),
        ("id_ok", "exclusiveGateway", "证件可受理?", FO, (2, 1), ""),
        ("screen_identity", "callActivity", "联网核查与黑名单筛查", FO, (3, 1), ""),
        ("verify_face", "callActivity", "活体检测与人脸比对", FO, (4.2, 1), ""),
        ("face_ok", "exclusiveGateway", "人脸核验通过?", FO, (5.2, 1), ""),
        ("set_identified", "scriptTask", "客户已识别", FO, (6.1, 1), script("customer_identified = True")),
        ("end_identified", "endEvent", "识别完成", FO, (7, 1), ""),
        (
            "set_not_identified",
            "scriptTask",
            "未能识别",
            FO,
            (2.6, 3.6),
            script("customer_identified = False"),
        ),
        ("end_not_identified", "endEvent", "结束", FO, (3.6, 3.6), ""),
        (
            "set_precheck_refused",
            "scriptTask",
            "拒绝办理",
            FO,
            (2.4, 2.6),
            stop("customer_identified", "REFUSED", "precheck_rejection['reason']"),
        ),
        (
            "set_precheck_referred",
            "scriptTask",
            "转网点办理",
            FO,
            (3.4, 2.6),
            stop("customer_identified", "REFERRED_TO_BRANCH", "precheck_rejection['reason']"),
        ),
        (
            "set_precheck_review",
            "scriptTask",
            "待反洗钱复核",
            FO,
            (4.4, 2.6),
            stop("customer_identified", "PENDING_REVIEW", "precheck_rejection['reason']"),
        ),
    ]
    flows: list[Flow] = [
        ("f1", "start", "read_id_card", None),
        ("f2", "read_id_card", "id_ok", None),
        ("f3", "id_ok", "screen_identity", "id_card_accepted"),
        ("f4", "id_ok", "set_not_identified", None),  # default: outcome set by id_card_reading
        ("f5", "screen_identity", "verify_face", None),
        ("f6", "verify_face", "face_ok", None),
        ("f7", "face_ok", "set_identified", "face_verified"),
        ("f8", "face_ok", "set_not_identified", None),  # default: outcome set by face_verification
        ("f9", "set_identified", "end_identified", None),
        ("f10", "b_precheck_refused", "set_precheck_refused", None),
        ("f11", "b_precheck_referred", "set_precheck_referred", None),
        ("f12", "b_precheck_review", "set_precheck_review", None),
        ("f13", "set_precheck_refused", "end_not_identified", None),
        ("f14", "set_precheck_referred", "end_not_identified", None),
        ("f15", "set_precheck_review", "end_not_identified", None),
        ("f16", "set_not_identified", "end_not_identified", None),
    ]
    boundaries = [
        Boundary(b, "screen_identity", error_definition(b, e), (x, 1.45), FO)
        for b, e, x in (
            ("b_precheck_refused", "err_precheck_refused", 2.7),
            ("b_precheck_referred", "err_precheck_referred", 3.0),
            ("b_precheck_review", "err_precheck_review", 3.3),
        )
    ]
    return Model(
        SHARED / "customer_identification.bpmn",
        "customer_identification",
        "客户身份识别 (共用)",
        "客户身份识别",
        [(LANE, FO, 4.1)],
        nodes,
        flows,
        errors=PRECHECK_ERRORS,
        boundaries=boundaries,
        defaults={"id_ok": "f4", "face_ok": "f8"},
        width_cols=7.5,
        called={
            "read_id_card": "id_card_reading",
            "screen_identity": "identity_screening",
            "verify_face": "face_verification",
        },
    )


def main() -> None:
    SHARED.mkdir(exist_ok=True)
    for model in (
        id_card_reading(),
        identity_screening(),
        face_verification(),
        mobile_verification(),
        customer_identification(),
    ):
        write(model)


if __name__ == "__main__":
    main()
