# ruff: noqa: E501 - the node table reads best one node per line
"""Scaffold for processes/wealth_risk_assessment.bpmn (J3, domain §4 J3 and §5): a first layout only; the
.bpmn file is the source of truth once written. Run: python scripts/gen_wealth_bpmn.py

First increment: identification (shared), the core's accounts (Class I or II), the current assessment
and the reassessment need, the retake limit, the questionnaire on the customer's screen, scoring by the
DMN table, the signed result confirmation, the shelf (R <= C), the suitability block, the authorizer's
approval for 65+, the product documents with the hand-copied sentence and signature. Purchase is not
modelled yet: the journey ends with the agreement signed (the domain's default, purchase off).
"""

from __future__ import annotations

from pathlib import Path

from bpmn_scaffold import Boundary, Model, Node, error_definition, form, outcome, script, service, write

OUT = Path(__file__).resolve().parent.parent / "processes" / "wealth_risk_assessment.bpmn"
FO, AU = "field_officer", "authorizer"
Flow = tuple[str, str, str, str | None]
QUESTIONS = ("income_band", "invest_share", "experience_type", "experience_years", "knowledge",
             "objective", "horizon", "max_loss", "loss_reaction")  # fmt: skip
ANSWERS = "{" + ", ".join(f"'{q}': {q}" for q in QUESTIONS) + "}"

NODES: list[Node] = [
    ("start", "startEvent", "开始", FO, (0, 1), ""),
    ("identify", "callActivity", "客户身份识别", FO, (1, 1), ""),
    ("identified", "exclusiveGateway", "身份已识别?", FO, (2, 1), ""),
    ("lookup_accounts", "serviceTask", "核心账户查询", FO, (3, 1),
     service("core.lookup_customer", "cif_result", {"name": "customer_name", "id_number": "id_number"}, 1)),
    ("has_account", "exclusiveGateway", "持有I类或II类账户?", FO, (4, 1), ""),
    ("circumstances", "userTask", "客户情况变化确认", FO, (5, 1), form("wealth-circumstances")),
    ("check_assessment", "serviceTask", "查询当前风险测评", FO, (6, 1),
     service("wealth.check_assessment", "assessment_check",
             {"id_number": "id_number", "changed_circumstances": "changed_circumstances"}, 3)),
    ("needs_assessment", "exclusiveGateway", "需要重新评估?", FO, (7, 1), ""),
    ("check_retakes", "serviceTask", "当日测评次数检查", FO, (8, 1),
     service("wealth.check_retake_limit", "retake_check", {"id_number": "id_number"}, 3)),
    ("questionnaire", "userTask", "风险承受能力评估问卷", FO, (9, 1),
     form("wealth-questionnaire", prescript="questionnaire_version = assessment_check['questionnaire_version']\n"
          "age_band = assessment_check['age_band']")),
    ("score", "serviceTask", "评分与定级", FO, (10, 1),
     service("wealth.score_assessment", "assessment",
             {"id_number": "id_number", "questionnaire_version": "questionnaire_version",
              "answers": ANSWERS, "answer_ms": "answer_ms"})),
    ("record_assessment", "serviceTask", "保存测评记录", FO, (11, 1),
     service("wealth.record_assessment", "assessment_receipt",
             {"id_number": "id_number", "assessment": "assessment"}, 3)),
    ("confirmation", "userTask", "评估结果确认签名", FO, (12, 1),
     form("wealth-assessment-confirmation",
          prescript="has_consistency_prompts = len(assessment['consistency_prompts']) > 0")),
    ("keep_signature", "scriptTask", "保存确认签名", FO, (13, 1),
     script("assessment_signature = customer_signature")),
    ("confirm_assessment", "serviceTask", "确认测评结果", FO, (14, 1),
     service("wealth.confirm_assessment", "assessment_confirmed",
             {"assessment_no": "assessment_receipt['assessment_no']", "signature_ref": "assessment_signature"}, 3)),
    ("use_new", "scriptTask", "采用新测评结果", FO, (15, 1), script("current_assessment = assessment")),
    ("use_current", "scriptTask", "沿用有效测评", FO, (8, 0.1),
     script("current_assessment = assessment_check['current']")),
    ("assessed", "exclusiveGateway", "测评有效", FO, (16, 1), ""),
    ("list_shelf", "serviceTask", "查询可售产品", FO, (17, 1),
     service("wealth.list_shelf", "shelf", {"assessment": "current_assessment"}, 3)),
    ("product_selection", "userTask", "理财产品选择", FO, (18, 1), form("wealth-product-selection")),
    ("check_suitability", "serviceTask", "适当性校验", FO, (19, 1),
     service("wealth.check_suitability", "suitability",
             {"product_code": "product_code", "amount": "amount", "assessment": "current_assessment"}, 3)),
    ("keep_product", "scriptTask", "记录所选产品", FO, (20, 1),
     script("chosen_product = suitability['product']")),
    ("elderly", "exclusiveGateway", "65周岁及以上?", FO, (21, 1), ""),
    ("remote_authorization", "userTask", "高龄客户远程授权", AU, (21.8, 0),
     form("remote-authorization", prescript="required_authority_level = 1")),
    ("auth_decision", "exclusiveGateway", "授权结果", AU, (22.8, 0), ""),
    ("authorized", "exclusiveGateway", "可签约", FO, (23, 1), ""),
    ("product_signing", "userTask", "产品文件阅读与签约", FO, (24, 1), form("wealth-product-signing")),
    ("set_signed", "scriptTask", "签约完成", FO, (25, 1), outcome("AGREEMENT_SIGNED", "'AGREEMENT_SIGNED'")),
    ("end_signed", "endEvent", "签约完成", FO, (26, 1), ""),
    # stops
    ("end_stopped", "endEvent", "结束", FO, (2, 2.4), ""),
    ("set_no_account", "scriptTask", "无I类或II类账户", FO, (4, 2.4),
     outcome("REFUSED", "'NO_QUALIFYING_ACCOUNT'")),
    ("set_retake_limit", "scriptTask", "测评次数已达上限", FO, (8, 2.4),
     outcome("REFUSED", "wealth_rejection['reason']")),
    ("set_unsuitable", "scriptTask", "不符合适当性要求", FO, (19, 2.4),
     outcome("REFUSED", "wealth_rejection['code']")),
    ("set_auth_rejected", "scriptTask", "授权拒绝", AU, (23.8, 0),
     outcome("REFUSED", "'ELDERLY_AUTHORIZATION_REJECTED'")),
    ("end_auth", "endEvent", "结束", AU, (24.7, 0), ""),
    ("end_refused", "endEvent", "结束", FO, (12, 3.4), ""),
]  # fmt: skip
BOUNDARIES = [
    Boundary("b_retake_limit", "check_retakes", error_definition("b_retake_limit", "err_retake_limit"),
             (8, 1.45), FO),
    Boundary("b_unsuitable", "check_suitability", error_definition("b_unsuitable", "err_unsuitable"),
             (19, 1.45), FO),
]  # fmt: skip
FLOWS: list[Flow] = [
    ("f1", "start", "identify", None),
    ("f2", "identify", "identified", None),
    ("f3", "identified", "lookup_accounts", "customer_identified"),
    ("f4", "identified", "end_stopped", None),  # default: the shared identification set the outcome
    ("f5", "lookup_accounts", "has_account", None),
    ("f6", "has_account", "circumstances", "cif_result['class_i_count'] + cif_result['class_ii_count'] > 0"),
    ("f7", "has_account", "set_no_account", None),
    ("f8", "set_no_account", "end_refused", None),
    ("f9", "circumstances", "check_assessment", None),
    ("f10", "check_assessment", "needs_assessment", None),
    ("f11", "needs_assessment", "check_retakes", "assessment_check['reassessment_needed']"),
    ("f12", "needs_assessment", "use_current", None),
    ("f13", "check_retakes", "questionnaire", None),
    ("f14", "questionnaire", "score", None),
    ("f15", "score", "record_assessment", None),
    ("f16", "record_assessment", "confirmation", None),
    ("f17", "confirmation", "keep_signature", None),
    ("f18", "keep_signature", "confirm_assessment", None),
    ("f19", "confirm_assessment", "use_new", None),
    ("f20", "use_new", "assessed", None),
    ("f21", "use_current", "assessed", None),
    ("f22", "assessed", "list_shelf", None),
    ("f23", "list_shelf", "product_selection", None),
    ("f24", "product_selection", "check_suitability", None),
    ("f25", "check_suitability", "keep_product", None),
    ("f26", "keep_product", "elderly", None),
    ("f27", "elderly", "remote_authorization", "assessment_check['elderly']"),
    ("f28", "elderly", "authorized", None),
    ("f29", "remote_authorization", "auth_decision", None),
    ("f30", "auth_decision", "authorized", "decision == 'APPROVE'"),
    ("f31", "auth_decision", "set_auth_rejected", None),
    ("f32", "set_auth_rejected", "end_auth", None),
    ("f33", "authorized", "product_signing", None),
    ("f34", "product_signing", "set_signed", None),
    ("f35", "set_signed", "end_signed", None),
    ("f36", "b_retake_limit", "set_retake_limit", None),
    ("f37", "set_retake_limit", "end_refused", None),
    ("f38", "b_unsuitable", "set_unsuitable", None),
    ("f39", "set_unsuitable", "end_refused", None),
]  # fmt: skip
DEFAULTS = {"identified": "f4", "has_account": "f7", "needs_assessment": "f12", "elderly": "f28",
            "auth_decision": "f31"}  # fmt: skip
ERRORS = {
    "err_retake_limit": ("WEALTH_RETAKE_LIMIT", "wealth_rejection"),
    "err_unsuitable": ("WEALTH_UNSUITABLE", "wealth_rejection"),
}


def main() -> None:
    write(
        Model(
            out=OUT,
            process_id="wealth_risk_assessment",
            process_name="理财风险测评与产品签约",
            pool_name="理财风险测评与产品签约",
            lanes=[("lane_authorizer", AU, 1.0), ("lane_field_officer", FO, 3.6)],
            nodes=NODES,
            flows=FLOWS,
            errors=ERRORS,
            boundaries=BOUNDARIES,
            defaults=DEFAULTS,
            called={"identify": "customer_identification"},
            width_cols=27,
            process_extensions=(
                "<bpmn:extensionElements><spiffworkflow:properties>"
                '<spiffworkflow:property name="startQualification" value="wealth_sales" />'
                "</spiffworkflow:properties></bpmn:extensionElements>"
            ),
        )
    )


if __name__ == "__main__":
    main()
