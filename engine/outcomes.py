"""What staff may say to the customer when a shared step ends a journey (§6.4: neutral, never a list
hit). A journey's own words live in its declaration (`engine/journeys/<journey>/`)."""

from __future__ import annotations

NEUTRAL_REFUSAL = "很抱歉，根据本行规定，暂时无法为您办理此项业务。如有疑问请咨询本行网点。"
REFERRAL_MESSAGE = "此项业务需要到本行网点办理，我们已为您登记转介，请携带有效身份证件前往网点。"

# reasons the shared identification, screening and mobile steps (processes/shared) set
SHARED_REASON_WORDS: dict[str, str] = {
    "GENERAL_POLICY": NEUTRAL_REFUSAL,
    "INTERNAL_RISK_LIST": NEUTRAL_REFUSAL,
    "FACE_VERIFICATION_FAILED": "人脸核验未通过，请携带本人有效身份证件到本行网点办理。",
    "DISCIPLINE_LIST": (
        "根据相关监管规定，您的账户业务受到限制，暂时无法办理此项业务。"
        "如有异议，可向作出认定的公安机关或本行网点提出申诉。"
    ),
    "CUSTOMER_RESTRICTED": "您的客户信息存在业务限制，请到本行网点咨询办理。",
    "ID_CARD_EXPIRED": "您的身份证件已过有效期，请更换有效证件后再办理。",
    "ID_CARD_INVALIDATED": "您的身份证件状态异常，请到本行网点办理。",
    "UNDER_AGE": "未满18周岁的客户请在监护人陪同下到本行网点办理。",
    "PENDING_COMPLIANCE_REVIEW": "您的申请需要进一步审核，审核完成后我们将与您联系。",
}
# outcomes every journey may end with, when neither the journey nor the reason says more
SHARED_OUTCOME_WORDS: dict[str, str] = {
    "REFUSED": NEUTRAL_REFUSAL,
    "DECLINED": NEUTRAL_REFUSAL,
    "REFERRED_TO_BRANCH": REFERRAL_MESSAGE,
}
