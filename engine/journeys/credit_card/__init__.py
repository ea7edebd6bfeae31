"""J2, credit-card face signing (信用卡面签): its declaration (domain J2, §7)."""

from __future__ import annotations

from engine.journeys.credit_card.projection import PROCESS_ID, PROJECTION
from engine.journeys.declaration import EndingFact, JourneyDeclaration

QUALIFICATION = "credit_card_face_sign"
# the originals photographed for 三亲见 (§7.1) and asked for again in 补件
ORIGINAL_DOCUMENTS = (
    "work_certificate",
    "income_proof",
    "social_insurance_record",
    "property_certificate",
    "vehicle_certificate",
    "bank_statement",
    "second_repayment_source",
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
    labels={"APPROVED": "审批通过", "DECLINED": "审批未通过", "REFERRED": "转人工审批"},
    ending_facts=(
        EndingFact("application_no", "申请编号"),
        EndingFact("credit_limit", "信用额度", unit="元"),
    ),
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
            *(f"{kind}_{doc}_photo" for kind in ("doc", "supplement") for doc in ORIGINAL_DOCUMENTS),
        }
    ),
)
