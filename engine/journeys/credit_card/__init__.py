"""J2, credit-card face signing (信用卡面签): its declaration (domain J2, §7)."""

from __future__ import annotations

from engine.journeys.credit_card.operations import DOCUMENT_NAMES, OPERATIONS
from engine.journeys.credit_card.projection import PROCESS_ID, PROJECTION
from engine.journeys.declaration import EndingFact, JourneyDeclaration

QUALIFICATION = "credit_card_face_sign"

SUPPLEMENTARY_PERSONAL_FIELDS = (
    "supp_name",
    "supp_sex",
    "supp_birth_date",
    "supp_id_number",
    "supp_registered_address",
    "supp_id_valid_from",
    "supp_id_valid_to",
    "supp_chip_photo",
    "supp_live_face_image",
    "supp_id_front_image",
    "supp_id_back_image",
    "supp_signature",
    "supp_signature_strokes",
    "supplementary_holder",
)

JOURNEY = JourneyDeclaration(
    process_id=PROCESS_ID,
    title="信用卡面签",
    projection=PROJECTION,
    start_qualification=QUALIFICATION,
    outcome_headings={"APPROVED": "审批通过", "REFERRED": "已转人工审批"},
    outcome_words={
        "APPROVED": "您的信用卡申请已通过审批，卡片将按您选择的方式寄送，收到后请按卡函提示激活。",
        "REFERRED": "您的申请需要进一步审核，审核结果将以短信通知您。",
    },
    reason_words={
        "PRODUCT_ALREADY_HELD": "您已持有本行该信用卡产品，无需重复申请。",
        "APPLICATION_IN_PROGRESS": "您已有一笔该产品的申请正在审批中，请等待审批结果短信通知。",
        "PRODUCT_HELD": "您已持有本行该信用卡产品，无需重复申请。",
        "OUTSIDE_SERVICE_AREA": "很抱歉，您的居住地和工作单位不在本行信用卡服务区域内，暂时无法办理。",
        "OVER_AGE": "很抱歉，根据本行规定，暂时无法为您办理此项业务。如有疑问请咨询本行网点。",
    },
    labels={
        "APPROVED": "审批通过",
        "DECLINED": "审批未通过",
        "REFERRED": "转人工审批",
        "PRODUCT_ALREADY_HELD": "已持有该卡产品",
        "PRODUCT_HELD": "已持有该卡产品",
        "APPLICATION_IN_PROGRESS": "已有申请在审批中",
        "OUTSIDE_SERVICE_AREA": "不在服务区域",
        "OVER_AGE": "超出主卡年龄上限",
        "DOCUMENTS_OVERDUE": "补件逾期",
        "CARD_CENTRE_NO_ANSWER": "信用卡中心未答复",
        "STUDENT": "在校学生",
        "SUPPLEMENTARY_UNDER_AGE": "附属卡持卡人未满16周岁",
        "SUPPLEMENTARY_IS_APPLICANT": "附属卡持卡人不能是申请人本人",
        "SUPPLEMENTARY_CARD_REFUSED": "附属卡未受理",
        "SUBMITTED_WITH_MAIN": "随主卡申请",
        "NOT_ACCEPTED": "未受理（主卡申请继续）",
        # its machine rules at post-supervision (documents/journeys/credit_card/rules.py)
        "SIGHTINGS_COMPLETE": "三亲见完整",
        "AUTHORIZATION_BEFORE_QUERY": "征信授权先于查询",
        "CONTACT_MOBILES": "联系人手机号合规",
        "SHARED_CONTACTS": "联系人及单位电话未与他人申请共用",
        "DOCUMENTS_WITHIN_DEADLINE": "补件未逾期",
        "OFFICER_QUALIFIED": "经办人具备面签资格",
        "OFFICER_NOT_APPLICANT": "经办人非申请人本人",
        "INCOME_PROOF_LEGIBLE": "收入证明影像清晰",
    },
    ending_facts=(
        EndingFact("application_no", "申请编号"),
        EndingFact("credit_limit", "信用额度", unit="元"),
        # staff tell the applicant and the holder whether the supplementary card went with the application;
        # why it did not stays in the trail (a watch-list hit is AML's alone, §2.5)
        EndingFact(
            "supplementary_card",
            "附属卡",
            values={
                "SUBMITTED_WITH_MAIN": "随主卡申请提交",
                "NOT_ACCEPTED": "未受理，请附属卡持卡人到网点咨询",
            },
        ),
    ),
    operations=OPERATIONS,
    personal_fields=frozenset(
        {
            "email",
            "employer_address",
            "employer_phone",
            "family_contact",
            "other_contact",
            "annual_income",
            "auto_repay_account",
            "applicant_photo",
            "credit_auth_signature",
            "hand_copy_image",
            # the supplementary card's holder: their own chip data, images and signature (§7.2)
            *SUPPLEMENTARY_PERSONAL_FIELDS,
            *(f"{kind}_{doc}_photo" for kind in ("doc", "supplement") for doc in DOCUMENT_NAMES),
        }
    ),
)
