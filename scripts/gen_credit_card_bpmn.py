"""Scaffold for processes/credit_card_face_sign.bpmn (J2, domain §4 J2 and §7): a first layout only; the
.bpmn file is the source of truth once written. Run: python scripts/gen_credit_card_bpmn.py

The customer checks are the shared processes (`customer_identification`, `mobile_verification`); J2 adds
product eligibility, the signed credit-report authorization (its time stamped before any bureau query),
三亲见, the application (its form holds the contact rules) and the service area it makes known (where
the applicant lives or works), key terms + hand-copy + signatures, the officer's witness declaration,
the submission with the applicant's SMS, and the card centre's asynchronous decision (`card_decision`
message keyed by `application_no`), with 补件 on a 7-day deadline.

A supplementary card (§7.2: its holder present and signing; §7.3: 16+) has its holder's own steps, under
their own field names (`supp_*`, never the applicant's): ID read, ID rules, consents, 联网核查 and the
watch-list (the same operations with the holder's data as parameters, one after the other so a BPMN error
leaves no parallel branch waiting), and their signature after the applicant's. Anything that stops the
holder (ID rules, registry, a watch-list BLOCK or REVIEW_AML) drops the supplementary card only: the
applicant's own application goes on and the card centre is told (`supplementary_refusal`). §7.2 lets a
supplementary card be applied for by someone else than its holder, so the card is an accessory of the
applicant's application, and the applicant's own checks all passed.

Layout: the holder's identification sits under the main line between eligibility and the authorization,
their signature above it between the applicant's signature and the witness; `at` shifts the columns after
each insertion.
"""

from __future__ import annotations

from pathlib import Path

from bpmn_scaffold import (
    Boundary,
    Message,
    Model,
    Node,
    error_definition,
    form,
    message_wait,
    outcome,
    script,
    service,
    timer_definition,
    timer_duration,
    write,
)

OUT = Path(__file__).resolve().parent.parent / "processes" / "credit_card_face_sign.bpmn"
FO = "field_officer"
LANE = "lane_field_officer"
Flow = tuple[str, str, str, str | None]
DOCUMENTS = (
    "work_certificate",
    "income_proof",
    "social_insurance_record",
    "property_certificate",
    "vehicle_certificate",
    "bank_statement",
    "second_repayment_source",
)
DECISION = Message("msg_card_decision", "card_decision", "card_decision", "application_no")
SUPP_FROM, SUPP_COLS = 6, 8  # the holder's identification: 8 columns from the old column 6
SIGN_FROM, SIGN_COLS = 15, 3  # the holder's signature: 3 more from the old column 15 (the witness)
SUPP_ERRORS = {  # the shared checks' BPMN errors, caught on the holder's own checks
    "err_supp_refused": "PRECHECK_REFUSED",
    "err_supp_referred": "PRECHECK_REFERRED",
    "err_supp_review": "PRECHECK_PENDING_REVIEW",
}
# The holder as the card centre gets it, once their checks passed (the signature comes later)
SUPP_ACCEPTED = (
    "supplementary_card_accepted = True\n"
    "supplementary_refusal = None\n"
    "supplementary_holder = {'id_number': supp_id_number, 'name': supp_name,"
    " 'relation': supplementary_holder_relation, 'identity_result': supp_identity_result['result'],"
    " 'watchlist_result': supp_watchlist_result['result']}"
)


def at(column: float, row: float) -> tuple[float, float]:
    """A position of the first layout, moved right past the supplementary holder's inserted steps."""
    shift = (SUPP_COLS if column >= SUPP_FROM else 0) + (SIGN_COLS if column >= SIGN_FROM else 0)
    return (column + shift, row)


def dropped(reason: str) -> str:
    return script(
        f"supplementary_card_accepted = False\nsupplementary_holder = None\nsupplementary_refusal = {reason}"
    )


PROPERTIES = (
    "<bpmn:extensionElements><spiffworkflow:properties>"
    '<spiffworkflow:property name="startQualification" value="credit_card_face_sign" />'
    "</spiffworkflow:properties></bpmn:extensionElements>"
)


def supplementary_nodes() -> list[Node]:
    """The supplementary card's holder (§7.2, §7.3), at their own positions (not shifted)."""
    return [
        ("supp_wanted", "exclusiveGateway", "申请附属卡?", FO, (6, 1), ""),
        (
            "set_no_supp",
            "scriptTask",
            "不申请附属卡",
            FO,
            (10, 1),
            dropped("None"),  # nothing asked for, nothing refused
        ),
        (
            "supp_id_card",
            "userTask",
            "读取附属卡持卡人身份证",
            FO,
            (7, 2.2),
            form("credit-card-supp-id-card"),
        ),
        (
            "supp_assess_id",
            "serviceTask",
            "附属卡证件规则检查",
            FO,
            (8, 2.2),
            service(
                "credit_card.assess_supplementary_id",
                "supp_id_assessment",
                {
                    "supp_id_number": "supp_id_number",
                    "supp_id_valid_to": "supp_id_valid_to",
                    "applicant_id_number": "id_number",
                },
            ),
        ),
        ("supp_id_ok", "exclusiveGateway", "附属卡证件可受理?", FO, (9, 2.2), ""),
        # the holder consents before their name and number reach a third party (§2.7)
        (
            "supp_consents",
            "userTask",
            "附属卡持卡人授权与同意",
            FO,
            (10, 2.2),
            form("credit-card-supp-consents"),
        ),
        (
            "supp_identity_check",
            "serviceTask",
            "附属卡持卡人联网核查",
            FO,
            (11, 2.2),
            service(
                "identity.verify",
                "supp_identity_result",
                {"name": "supp_name", "id_number": "supp_id_number"},
                retries=1,
            ),
        ),
        (
            "supp_watchlist_screen",
            "serviceTask",
            "附属卡持卡人黑名单筛查",
            FO,
            (12, 2.2),
            service(
                "watchlist.screen_person",
                "supp_watchlist_result",
                {"name": "supp_name", "id_number": "supp_id_number", "birth_date": "supp_birth_date"},
                retries=1,
            ),
        ),
        ("set_supp_accepted", "scriptTask", "附属卡持卡人已识别", FO, (13, 2.2), script(SUPP_ACCEPTED)),
        (
            "set_supp_id_refused",
            "scriptTask",
            "附属卡证件不可受理",
            FO,
            (9, 3.4),
            dropped("{'code': supp_id_assessment['decision'], 'reason': supp_id_assessment['reason']}"),
        ),
        (
            "set_supp_checks_refused",
            "scriptTask",
            "附属卡持卡人未通过核查",
            FO,
            (11.5, 3.4),
            dropped("supp_precheck_rejection"),
        ),
        ("supp_join", "exclusiveGateway", "附属卡已处理", FO, (14, 1), ""),
        ("supp_signs", "exclusiveGateway", "附属卡持卡人签名?", FO, (23, 1), ""),
        ("supp_signing", "userTask", "附属卡持卡人签名", FO, (24, 0.2), form("credit-card-supp-signing")),
        ("supp_signed", "exclusiveGateway", "签名完成", FO, (25, 1), ""),
    ]


SUPPLEMENTARY_FLOWS: list[Flow] = [
    ("fs1", "supp_wanted", "supp_id_card", "supplementary_card_wanted is True"),
    ("fs2", "supp_wanted", "set_no_supp", None),  # default
    ("fs3", "set_no_supp", "supp_join", None),
    ("fs4", "supp_id_card", "supp_assess_id", None),
    ("fs5", "supp_assess_id", "supp_id_ok", None),
    ("fs6", "supp_id_ok", "supp_consents", "supp_id_assessment['decision'] == 'OK'"),
    ("fs7", "supp_id_ok", "set_supp_id_refused", None),  # default
    ("fs8", "supp_consents", "supp_identity_check", None),
    ("fs9", "supp_identity_check", "supp_watchlist_screen", None),
    ("fs10", "supp_watchlist_screen", "set_supp_accepted", None),
    ("fs11", "set_supp_accepted", "supp_join", None),
    ("fs12", "set_supp_id_refused", "supp_join", None),
    ("fs13", "set_supp_checks_refused", "supp_join", None),
    ("fs14", "supp_join", "credit_authorization", None),
    *(
        (f"fs{15 + i}", f"b_{task}_{kind}", "set_supp_checks_refused", None)
        for i, (task, kind) in enumerate(
            (task, kind)
            for task in ("supp_identity_check", "supp_watchlist_screen")
            for kind in ("refused", "referred", "review")
        )
    ),
    ("fs21", "supp_signs", "supp_signing", "supplementary_card_accepted"),
    ("fs22", "supp_signs", "supp_signed", None),  # default: no supplementary card to sign for
    ("fs23", "supp_signing", "supp_signed", None),
    ("fs24", "supp_signed", "witness", None),
]


def model() -> Model:
    nodes: list[Node] = [
        ("start", "startEvent", "开始面签", FO, (0, 1), ""),
        ("product_choice", "userTask", "选择卡产品", FO, (1, 1), form("credit-card-product")),
        ("identify", "callActivity", "客户身份识别", FO, (2, 1), ""),
        ("identified", "exclusiveGateway", "身份已识别?", FO, (3, 1), ""),
        (
            "check_eligibility",
            "serviceTask",
            "申请资格预审",
            FO,
            (4, 1),
            service(
                "credit_card.eligibility",
                "eligibility",
                {
                    "id_number": "id_number",
                    "product_code": "product_code",
                    "full_time_student": "full_time_student",
                    "held_card_products": "held_card_products",
                },
            ),
        ),
        ("eligible", "exclusiveGateway", "符合申请条件?", FO, (5, 1), ""),
        ("credit_authorization", "userTask", "征信查询授权", FO, (6, 1), form("credit-card-credit-auth")),
        (
            "stamp_authorization",
            "serviceTask",
            "记录授权时间",
            FO,
            (7, 1),
            service(
                "credit_card.record_authorization",
                "credit_auth",
                {
                    "credit_report_purpose": "credit_report_purpose",
                    "credit_auth_signature": "credit_auth_signature",
                },
            ),
        ),
        ("verify_mobile", "callActivity", "手机号核验", FO, (8, 1), ""),
        ("mobile_ok", "exclusiveGateway", "手机号已验证?", FO, (9, 1), ""),
        ("sightings", "userTask", "三亲见", FO, (10, 1), form("credit-card-sightings")),
        ("application", "userTask", "填写申请资料", FO, (11, 1), form("credit-card-application")),
        (
            "check_service_area",
            "serviceTask",
            "服务区域核对",
            FO,
            (12, 1),
            service(
                "credit_card.service_area",
                "service_area",
                {"residential_address": "residential_address", "employer_address": "employer_address"},
            ),
        ),
        ("in_service_area", "exclusiveGateway", "在服务区域内?", FO, (13, 1), ""),
        (
            "set_outside_area",
            "scriptTask",
            "不在服务区域",
            FO,
            (13, 2.2),
            outcome("REFUSED", "service_area['reason']"),
        ),
        ("signing", "userTask", "阅读合约并签名", FO, (14, 1), form("credit-card-signing")),
        ("witness", "userTask", "面签见证声明", FO, (15, 1), form("credit-card-witness")),
        (
            "submit",
            "serviceTask",
            "提交发卡中心",
            FO,
            (16, 1),
            service(
                "credit_card.submit",
                "cc_submission",
                {
                    "id_number": "id_number",
                    "name": "customer_name",
                    "product_code": "product_code",
                    "annual_income": "annual_income",
                    "credit_auth_signed_at": "credit_auth['signed_at']",
                    **{f"doc_{code}_seen": f"doc_{code}_seen" for code in DOCUMENTS},
                    "eligibility": "eligibility",
                    "identity": "identity_result",
                    "watchlist": "watchlist_result",
                    "face": "face_result",
                    "mobile": "mobile_result",
                    "supplementary_holder": "supplementary_holder",
                    # only an accepted holder has signed: the expression reads the signature only then
                    "supp_signature": "supp_signature if supplementary_holder else None",
                    "supplementary_refusal": "supplementary_refusal",
                },
                retries=3,
            ),
        ),
        (
            "number",
            "scriptTask",
            "记录申请编号",
            FO,
            (17, 1),
            script("application_no = cc_submission['application_no']"),
        ),
        (
            "notify_applicant",
            "serviceTask",
            "短信通知申请人",
            FO,
            (18, 1),
            service(
                "credit_card.notify_submitted",
                "submitted_notice",
                {"mobile": "reserved_mobile", "application_no": "application_no"},
                retries=3,
            ),
        ),
        ("await_decision", "eventBasedGateway", "等待审批结果", FO, (19, 1), ""),
        (
            "decision_received",
            "intermediateCatchEvent",
            "收到审批结果",
            FO,
            (20, 1),
            message_wait("decision_received", DECISION),
        ),
        (
            "no_answer",
            "intermediateCatchEvent",
            "30天无回复",
            FO,
            (20, 2.2),
            timer_duration("no_answer", '"P30D"'),
        ),
        ("decision", "exclusiveGateway", "审批结果", FO, (21, 1), ""),
        (
            "set_approved",
            "scriptTask",
            "核准",
            FO,
            (22, 0.2),
            script(
                "outcome = 'APPROVED'\noutcome_reason = None\ncredit_limit = card_decision['credit_limit']"
            ),
        ),
        ("set_declined", "scriptTask", "拒绝", FO, (22, 1), outcome("DECLINED", "card_decision['reason']")),
        (
            "set_referred",
            "scriptTask",
            "转人工审批",
            FO,
            (22, 1.8),
            outcome("REFERRED", "card_decision['reason']"),
        ),
        (
            "ask_documents",
            "serviceTask",
            "补件通知",
            FO,
            (22, 3.0),
            service(
                "credit_card.documents_request",
                "supplement_request",
                {"documents_due": "card_decision['documents_due']"},
            ),
        ),
        (
            "supplement",
            "userTask",
            "补件",
            FO,
            (23, 3.0),
            form(
                "credit-card-documents",
                prescript="supplement_documents_due = supplement_request['documents']\n"
                "supplement_deadline = supplement_request['deadline_shown']",
            ),
        ),
        (
            "submit_documents",
            "serviceTask",
            "提交补件",
            FO,
            (21, 3.6),
            service(
                "credit_card.submit_documents",
                "documents_submission",
                {
                    "application_no": "application_no",
                    "documents_due": "supplement_request['documents_due']",
                    "deadline": "supplement_request['deadline']",
                    **{f"supplement_{code}_seen": f"supplement_{code}_seen" for code in DOCUMENTS},
                },
                retries=3,
            ),
        ),
        (
            "set_docs_late",
            "scriptTask",
            "补件逾期",
            FO,
            (24, 3.6),
            outcome("DECLINED", "'DOCUMENTS_OVERDUE'"),
        ),
        (
            "set_no_answer",
            "scriptTask",
            "发卡中心无回复",
            FO,
            (21, 2.2),
            outcome("REFERRED", "'CARD_CENTRE_NO_ANSWER'"),
        ),
        ("end_decided", "endEvent", "面签结束", FO, (24, 1), ""),
        (
            "set_ineligible",
            "scriptTask",
            "不符合申请条件",
            FO,
            (5, 2.2),
            script("outcome = eligibility['outcome']\noutcome_reason = eligibility['reason']"),
        ),
        (
            "set_submit_refused",
            "scriptTask",
            "申请不能提交",
            FO,
            (16, 2.2),
            outcome("REFUSED", "submit_rejection['code']"),
        ),
        ("end_stopped", "endEvent", "结束", FO, (5, 3.4), ""),
        ("end_refused", "endEvent", "结束", FO, (13, 3.4), ""),
    ]
    nodes = [(i, tag, name, lane, at(*cr), inner) for i, tag, name, lane, cr, inner in nodes]
    nodes += supplementary_nodes()
    flows: list[Flow] = [
        ("f1", "start", "product_choice", None),
        ("f2", "product_choice", "identify", None),
        ("f3", "identify", "identified", None),
        ("f4", "identified", "check_eligibility", "customer_identified"),
        ("f5", "identified", "end_stopped", None),  # default: the shared process set the outcome
        ("f6", "check_eligibility", "eligible", None),
        ("f7", "eligible", "supp_wanted", "eligibility['result'] == 'ELIGIBLE'"),
        ("f8", "eligible", "set_ineligible", None),
        ("f9", "set_ineligible", "end_stopped", None),
        ("f10", "credit_authorization", "stamp_authorization", None),
        ("f11", "stamp_authorization", "verify_mobile", None),
        ("f12", "verify_mobile", "mobile_ok", None),
        ("f13", "mobile_ok", "sightings", "mobile_verified"),
        ("f14", "mobile_ok", "end_refused", None),  # default: the shared process set the outcome
        ("f15", "sightings", "application", None),
        ("f16", "application", "check_service_area", None),  # the form itself refuses forbidden contacts
        ("f17", "check_service_area", "in_service_area", None),
        ("f18", "in_service_area", "signing", "service_area['result'] == 'IN_AREA'"),
        ("f19", "in_service_area", "set_outside_area", None),
        ("f20", "set_outside_area", "end_refused", None),
        ("f21", "signing", "supp_signs", None),
        ("f22", "witness", "submit", None),
        ("f23", "submit", "number", None),
        ("f24", "number", "notify_applicant", None),
        ("f47", "notify_applicant", "await_decision", None),
        ("f25", "await_decision", "decision_received", None),
        ("f26", "await_decision", "no_answer", None),
        ("f27", "decision_received", "decision", None),
        ("f28", "decision", "set_approved", "card_decision['decision'] == 'APPROVED'"),
        ("f29", "decision", "set_referred", "card_decision['decision'] == 'REFERRED'"),
        ("f30", "decision", "ask_documents", "card_decision['decision'] == 'PENDING_DOCS'"),
        ("f48", "ask_documents", "supplement", None),
        ("f31", "decision", "set_declined", None),  # default: DECLINED
        ("f32", "supplement", "submit_documents", None),
        ("f33", "submit_documents", "await_decision", None),
        ("f34", "b_docs_deadline", "set_docs_late", None),
        ("f35", "no_answer", "set_no_answer", None),
        ("f36", "set_approved", "end_decided", None),
        ("f37", "set_declined", "end_decided", None),
        ("f38", "set_referred", "end_decided", None),
        ("f39", "set_docs_late", "end_decided", None),
        ("f40", "set_no_answer", "end_decided", None),
        ("f41", "b_submit_incomplete", "sightings", None),  # a student's second repayment source is missing
        ("f42", "b_submit_refused", "set_submit_refused", None),
        ("f43", "b_submit_no_auth", "set_submit_refused", None),
        ("f44", "set_submit_refused", "end_refused", None),
        ("f45", "b_documents_incomplete", "supplement", None),
        ("f46", "b_documents_late", "set_docs_late", None),
        *SUPPLEMENTARY_FLOWS,
    ]
    boundaries = [
        Boundary(
            # the deadline the task shows: a return to the task (incomplete documents) keeps it
            "b_docs_deadline",
            "supplement",
            timer_definition("b_docs_deadline", "supplement_request['deadline']"),
            at(23.3, 3.4),
            FO,
        ),
        *(
            Boundary(bid, task, error_definition(bid, error), at(*cr), FO)
            for bid, task, error, cr in (
                ("b_submit_incomplete", "submit", "err_incomplete", (15.8, 1.4)),
                ("b_submit_refused", "submit", "err_not_eligible", (16.1, 1.4)),
                ("b_submit_no_auth", "submit", "err_auth_missing", (16.4, 1.4)),
                ("b_documents_incomplete", "submit_documents", "err_documents_incomplete", (20.8, 4.0)),
                ("b_documents_late", "submit_documents", "err_documents_late", (21.2, 4.0)),
            )
        ),
        *(
            Boundary(
                f"b_{task}_{kind}", task, error_definition(f"b_{task}_{kind}", f"err_supp_{kind}"), cr, FO
            )
            for task, row in (("supp_identity_check", 11), ("supp_watchlist_screen", 12))
            for kind, cr in (
                ("refused", (row - 0.3, 2.6)),
                ("referred", (row, 2.6)),
                ("review", (row + 0.3, 2.6)),
            )
        ),
    ]
    return Model(
        OUT,
        "credit_card_face_sign",
        "信用卡面签",
        "信用卡面签",
        [(LANE, FO, 4.8)],
        nodes,
        flows,
        boundaries=boundaries,
        errors={
            "err_incomplete": ("CC_APPLICATION_INCOMPLETE", "submit_rejection"),
            "err_not_eligible": ("CC_NOT_ELIGIBLE", "submit_rejection"),
            "err_auth_missing": ("CC_AUTH_MISSING", "submit_rejection"),
            "err_documents_incomplete": ("CC_DOCUMENTS_INCOMPLETE", "documents_rejection"),
            "err_documents_late": ("CC_DOCUMENTS_LATE", "documents_rejection"),
            **{eid: (code, "supp_precheck_rejection") for eid, code in SUPP_ERRORS.items()},
        },
        defaults={
            "identified": "f5",
            "eligible": "f8",
            "mobile_ok": "f14",
            "in_service_area": "f19",
            "decision": "f31",
            "supp_wanted": "fs2",
            "supp_id_ok": "fs7",
            "supp_signs": "fs22",
        },
        width_cols=26 + SUPP_COLS + SIGN_COLS,
        called={"identify": "customer_identification", "verify_mobile": "mobile_verification"},
        messages=[DECISION],
        process_extensions=PROPERTIES,
    )


if __name__ == "__main__":
    write(model())
