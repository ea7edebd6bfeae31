"""Scaffold for processes/debit_card_opening.bpmn (J1): writes the process and a grid diagram layout.

The customer checks every journey shares are call activities to processes/shared/ (gen_shared_bpmn.py);
J1 calls the identification steps one by one because its core customer lookup runs beside the registry
and watch-list checks, inside the `prechecks` subprocess whose boundary events catch all three's errors.

The .bpmn file is the source of truth for analysts, who edit it in a modeler; this script exists so a
developer can regenerate the first layout after structural changes. Run: python scripts/gen_debit_card_bpmn.py
"""

from __future__ import annotations

from pathlib import Path

from bpmn_scaffold import Boundary, Model, SubProcess, error_definition, form, outcome, script, service, write

OUT = Path(__file__).resolve().parent.parent / "processes" / "debit_card_opening.bpmn"
PID = "debit_card_opening"

# error id -> (errorCode, variable receiving the payload)
ERRORS = {
    "err_precheck_refused": ("PRECHECK_REFUSED", "precheck_rejection"),
    "err_precheck_referred": ("PRECHECK_REFERRED", "precheck_rejection"),
    "err_precheck_review": ("PRECHECK_PENDING_REVIEW", "precheck_rejection"),
    "err_card_rejected": ("CARD_REJECTED", "card_rejection"),
    "err_core_refused": ("CORE_REFUSED", "core_rejection"),
    "err_core_referred": ("CORE_REFERRED", "core_rejection"),
    "err_core_class_i": ("CORE_CLASS_I_EXISTS", "core_rejection"),
    "err_core_card": ("CORE_CARD_REJECTED", "core_rejection"),
}


FO, AU = "field_officer", "authorizer"
# id, tag, name, lane, (col, row), inner xml
NODES: list[tuple[str, str, str, str, tuple[float, float], str]] = [
    ("start", "startEvent", "开始开卡", FO, (0, 1), ""),
    ("init_counters", "scriptTask", "初始化", FO, (0.7, 1), script("card_rejections = 0")),
    ("read_id_card", "callActivity", "读取身份证", FO, (1.9, 1), ""),
    ("id_ok", "exclusiveGateway", "证件可受理?", FO, (3.3, 1), ""),
    ("prechecks", "subProcess", "并行预检查", FO, (4.2, 1), ""),
    ("verify_face", "callActivity", "活体检测与人脸比对", FO, (7.6, 1), ""),
    ("face_ok", "exclusiveGateway", "人脸核验通过?", FO, (8.5, 1), ""),
    ("customer_details", "userTask", "确认客户信息", FO, (9.4, 1), form("debit-card-customer-details")),
    ("verify_mobile", "callActivity", "手机号实名核验与短信验证", FO, (11.4, 1), ""),
    ("mobile_ok", "exclusiveGateway", "手机号已验证?", FO, (13.2, 1), ""),
    (
        "decide_account",
        "serviceTask",
        "账户分类与开户风险评估",
        FO,
        (15.1, 1),
        service(
            "rules.decide_account",
            "account_decision",
            {
                "id_number": "id_number",
                "cif": "cif_result",
                "identity": "identity_result",
                "watchlist": "watchlist_result",
                "face": "face_result",
                "mobile": "mobile_result",
                "occupation_code": "occupation_code",
                "account_purpose": "account_purpose",
                "residential_address": "residential_address",
                "product_code": "product_code",
            },
        ),
    ),
    ("account_gate", "exclusiveGateway", "开户决定", FO, (16, 1), ""),
    ("class_ii_offer", "userTask", "提供II类账户", FO, (16, 2.8), form("debit-card-class-ii-offer")),
    ("class_ii_gate", "exclusiveGateway", "客户接受II类?", FO, (17, 2.6), ""),
    (
        "use_class_ii",
        "scriptTask",
        "采用II类账户",
        FO,
        (17, 1.8),
        script("account_decision = dict(account_decision, account_class='II', decision='OK')"),
    ),
    ("auth_gate", "exclusiveGateway", "需要远程授权?", FO, (17, 1), ""),
    (
        "remote_authorization",
        "userTask",
        "远程授权",
        AU,
        (17.8, 0),
        form(
            "remote-authorization",
            prescript="required_authority_level = account_decision.get('required_authority_level', 1)",
        ),
    ),
    ("auth_decision", "exclusiveGateway", "授权结果", AU, (18.8, 0), ""),
    ("risk_notice", "userTask", "开户风险告知与声明", FO, (18.8, 1), form("debit-card-risk-notice")),
    ("card_scan", "userTask", "扫描空白卡并设置密码", FO, (19.8, 1), form("debit-card-card-scan")),
    (
        "check_card",
        "serviceTask",
        "校验卡片库存",
        FO,
        (20.8, 1),
        service("core.check_card", "card_check", {"card_no": "card_no"}, retries=1),
    ),
    (
        "open_account",
        "serviceTask",
        "核心开户绑卡",
        FO,
        (21.8, 1),
        service(
            "core.open_account",
            "core_result",
            {
                "id_number": "id_number",
                "name": "customer_name",
                "mobile": "reserved_mobile",
                "account_class": "account_decision['account_class']",
                "product_code": "product_code",
                "card_no": "card_no",
            },
            retries=3,
        ),
    ),
    ("signing", "userTask", "电子签名", FO, (22.8, 1), form("debit-card-signing")),
    ("signing_witness", "userTask", "经办人员确认", FO, (23.8, 1), form("debit-card-signing-witness")),
    ("set_opened", "scriptTask", "开户成功", FO, (24.8, 1), outcome("OPENED", "'CARD_OPENED'")),
    ("end_opened", "endEvent", "开卡完成", FO, (25.6, 1), ""),
    # refusals and referrals
    ("end_id_refused", "endEvent", "结束", FO, (3.3, 2.6), ""),
    (
        "set_precheck_refused",
        "scriptTask",
        "拒绝开户",
        FO,
        (4.6, 3.2),
        outcome("REFUSED", "precheck_rejection['reason']"),
    ),
    (
        "set_precheck_referred",
        "scriptTask",
        "转网点办理",
        FO,
        (5.6, 3.2),
        outcome("REFERRED_TO_BRANCH", "precheck_rejection['reason']"),
    ),
    (
        "set_precheck_review",
        "scriptTask",
        "待反洗钱复核",
        FO,
        (6.6, 3.2),
        outcome("PENDING_REVIEW", "precheck_rejection['reason']"),
    ),
    ("end_precheck", "endEvent", "结束", FO, (5.6, 4.2), ""),
    ("end_face", "endEvent", "结束", FO, (8.5, 2.6), ""),
    ("end_mobile", "endEvent", "结束", FO, (13.2, 2.6), ""),
    (
        "set_account_refused",
        "scriptTask",
        "拒绝开户",
        FO,
        (16, 4),
        script("outcome = 'REFUSED'\noutcome_reason = account_decision['reason']"),
    ),
    ("end_account", "endEvent", "结束", FO, (16.9, 4), ""),
    ("set_abandoned", "scriptTask", "客户放弃", FO, (18, 2.6), outcome("ABANDONED", "'CLASS_II_DECLINED'")),
    ("end_abandoned", "endEvent", "结束", FO, (18.9, 2.6), ""),
    (
        "set_auth_rejected",
        "scriptTask",
        "授权拒绝",
        AU,
        (19.8, 0),
        outcome("REFUSED", "'AUTHORIZATION_REJECTED'"),
    ),
    ("end_auth", "endEvent", "结束", AU, (20.7, 0), ""),
    (
        "count_card_rejection",
        "scriptTask",
        "更换卡片",
        FO,
        (20.8, 2.6),
        script("card_rejections = card_rejections + 1"),
    ),
    ("card_retry_gate", "exclusiveGateway", "可更换卡片?", FO, (21.8, 2.6), ""),
    (
        "set_card_referred",
        "scriptTask",
        "卡片问题",
        FO,
        (22.8, 2.6),
        outcome("REFERRED_TO_BRANCH", "'CARD_STOCK_PROBLEM'"),
    ),
    ("end_card", "endEvent", "结束", FO, (23.6, 2.6), ""),
    (
        "set_core_refused",
        "scriptTask",
        "核心拒绝",
        FO,
        (21.8, 4),
        outcome("REFUSED", "core_rejection['reason']"),
    ),
    (
        "set_core_referred",
        "scriptTask",
        "核心转网点",
        FO,
        (22.8, 4),
        outcome("REFERRED_TO_BRANCH", "core_rejection['reason']"),
    ),
    ("end_core", "endEvent", "结束", FO, (23.6, 4), ""),
]

SUB_NODES = [  # inside prechecks; positions relative to the subprocess origin
    ("pc_start", "startEvent", "开始", (0.1, 1)),
    ("pc_split", "parallelGateway", "并行", (0.6, 1)),
    ("screen_identity", "callActivity", "联网核查与黑名单筛查", (1.3, 0.5), ""),
    (
        "cif_lookup",
        "serviceTask",
        "核心客户查询",
        (1.3, 2),
        service(
            "core.lookup_customer",
            "cif_result",
            {"name": "customer_name", "id_number": "id_number"},
            retries=1,
        ),
    ),
    ("pc_join", "parallelGateway", "汇合", (2.1, 1)),
    ("pc_end", "endEvent", "预检查通过", (2.6, 1)),
]
SUB_FLOWS = [
    ("pc_f1", "pc_start", "pc_split", None),
    ("pc_f2", "pc_split", "screen_identity", None),
    ("pc_f4", "pc_split", "cif_lookup", None),
    ("pc_f5", "screen_identity", "pc_join", None),
    ("pc_f7", "cif_lookup", "pc_join", None),
    ("pc_f8", "pc_join", "pc_end", None),
]
SUB_SIZE = (3.0, 3.0)  # in grid units

# boundary id, attached to, error id, (col,row)
BOUNDARIES = [
    Boundary(
        "b_precheck_refused",
        "prechecks",
        error_definition("b_precheck_refused", "err_precheck_refused"),
        (4.6, 2.35),
        FO,
    ),
    Boundary(
        "b_precheck_referred",
        "prechecks",
        error_definition("b_precheck_referred", "err_precheck_referred"),
        (5.6, 2.35),
        FO,
    ),
    Boundary(
        "b_precheck_review",
        "prechecks",
        error_definition("b_precheck_review", "err_precheck_review"),
        (6.6, 2.35),
        FO,
    ),
    Boundary("b_card", "check_card", error_definition("b_card", "err_card_rejected"), (20.8, 1.45), FO),
    Boundary(
        "b_core_refused",
        "open_account",
        error_definition("b_core_refused", "err_core_refused"),
        (21.6, 1.45),
        FO,
    ),
    Boundary(
        "b_core_referred",
        "open_account",
        error_definition("b_core_referred", "err_core_referred"),
        (22.0, 1.45),
        FO,
    ),
    Boundary(
        "b_core_class_i",
        "open_account",
        error_definition("b_core_class_i", "err_core_class_i"),
        (21.4, 0.55),
        FO,
    ),
    Boundary(
        "b_core_card", "open_account", error_definition("b_core_card", "err_core_card"), (22.2, 0.55), FO
    ),
]

FLOWS: list[tuple[str, str, str, str | None]] = [
    ("f1", "start", "init_counters", None),
    ("f1b", "init_counters", "read_id_card", None),
    ("f3", "read_id_card", "id_ok", None),
    ("f4", "id_ok", "prechecks", "id_card_accepted"),
    ("f5", "id_ok", "end_id_refused", None),  # default: id_card_reading set the outcome
    ("f7", "prechecks", "verify_face", None),
    ("f8", "verify_face", "face_ok", None),
    ("f9", "face_ok", "customer_details", "face_verified"),
    ("f9b", "face_ok", "end_face", None),  # default: face_verification set the outcome
    ("f10", "customer_details", "verify_mobile", None),
    ("f11", "verify_mobile", "mobile_ok", None),
    ("f15", "mobile_ok", "decide_account", "mobile_verified"),
    ("f18", "mobile_ok", "end_mobile", None),  # default: mobile_verification set the outcome
    ("f20", "decide_account", "account_gate", None),
    ("f21", "account_gate", "auth_gate", "account_decision['decision'] == 'OK'"),
    ("f22", "account_gate", "class_ii_offer", "account_decision['decision'] == 'OFFER_CLASS_II'"),
    ("f23", "account_gate", "set_account_refused", None),  # default: refuse
    ("f24", "set_account_refused", "end_account", None),
    ("f25", "class_ii_offer", "class_ii_gate", None),
    ("f26", "class_ii_gate", "use_class_ii", "accept_class_ii"),
    ("f26b", "use_class_ii", "auth_gate", None),
    ("f27", "class_ii_gate", "set_abandoned", None),  # default: declined
    ("f28", "set_abandoned", "end_abandoned", None),
    ("f29", "auth_gate", "remote_authorization", "len(account_decision['authorization_reasons']) > 0"),
    ("f30", "auth_gate", "risk_notice", None),  # default: nothing to authorize
    ("f31", "remote_authorization", "auth_decision", None),
    ("f32", "auth_decision", "risk_notice", "decision == 'APPROVE'"),
    ("f33", "auth_decision", "set_auth_rejected", None),  # default: rejected
    ("f34", "set_auth_rejected", "end_auth", None),
    ("f35", "risk_notice", "card_scan", None),
    ("f36", "card_scan", "check_card", None),
    ("f37", "check_card", "open_account", None),
    ("f38", "open_account", "signing", None),
    ("f39", "signing", "signing_witness", None),
    ("f39b", "signing_witness", "set_opened", None),
    ("f40", "set_opened", "end_opened", None),
    ("f41", "b_precheck_refused", "set_precheck_refused", None),
    ("f42", "b_precheck_referred", "set_precheck_referred", None),
    ("f43", "b_precheck_review", "set_precheck_review", None),
    ("f44", "set_precheck_refused", "end_precheck", None),
    ("f45", "set_precheck_referred", "end_precheck", None),
    ("f46", "set_precheck_review", "end_precheck", None),
    ("f57", "b_card", "count_card_rejection", None),
    ("f58", "b_core_card", "count_card_rejection", None),
    ("f59", "count_card_rejection", "card_retry_gate", None),
    ("f60", "card_retry_gate", "set_card_referred", "card_rejections >= 3"),
    ("f61", "card_retry_gate", "card_scan", None),  # default: scan another card
    ("f62", "set_card_referred", "end_card", None),
    ("f63", "b_core_refused", "set_core_refused", None),
    ("f64", "b_core_referred", "set_core_referred", None),
    ("f65", "set_core_refused", "end_core", None),
    ("f66", "set_core_referred", "end_core", None),
    ("f67", "b_core_class_i", "class_ii_offer", None),
]
# call activity -> shared process (processes/shared/, scripts/gen_shared_bpmn.py)
CALLED = {
    "read_id_card": "id_card_reading",
    "screen_identity": "identity_screening",
    "verify_face": "face_verification",
    "verify_mobile": "mobile_verification",
}
DEFAULTS = {
    "id_ok": "f5",
    "face_ok": "f9b",
    "mobile_ok": "f18",
    "account_gate": "f23",
    "class_ii_gate": "f27",
    "auth_gate": "f30",
    "auth_decision": "f33",
    "card_retry_gate": "f61",
}


def main() -> None:
    write(
        Model(
            out=OUT,
            process_id=PID,
            process_name="借记卡开户开卡",
            pool_name="借记卡开户开卡",
            lanes=[("lane_authorizer", AU, 1.0), ("lane_field_officer", FO, 4.6)],
            nodes=NODES,
            flows=FLOWS,
            errors=ERRORS,
            boundaries=BOUNDARIES,
            defaults=DEFAULTS,
            called=CALLED,
            width_cols=26.5,
            subprocess=SubProcess(
                "prechecks",
                [(n[0], n[1], n[2], n[3], n[4] if len(n) > 4 else "") for n in SUB_NODES],
                SUB_FLOWS,
                SUB_SIZE,
            ),
        )
    )


if __name__ == "__main__":
    main()
