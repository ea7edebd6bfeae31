"""What staff may say to the customer for each outcome reason (§6.4: neutral, never a list hit)."""

from __future__ import annotations

NEUTRAL_REFUSAL = "很抱歉，根据本行规定，暂时无法为您办理此项业务。如有疑问请咨询本行网点。"

CUSTOMER_MESSAGES: dict[str, str] = {
    "CARD_OPENED": "开户成功，您的借记卡已激活。",
    "GENERAL_POLICY": NEUTRAL_REFUSAL,
    "INTERNAL_RISK_LIST": NEUTRAL_REFUSAL,
    "OPENING_RISK": NEUTRAL_REFUSAL,
    "AUTHORIZATION_REJECTED": NEUTRAL_REFUSAL,
    "FACE_VERIFICATION_FAILED": "人脸核验未通过，请携带本人有效身份证件到本行网点办理。",
    "DISCIPLINE_LIST": (
        "根据相关监管规定，您的账户业务受到限制，暂时无法开立新账户。"
        "如有异议，可向作出认定的公安机关或本行网点提出申诉。"
    ),
    "CUSTOMER_RESTRICTED": "您的客户信息存在业务限制，请到本行网点咨询办理。",
    "ACCOUNT_LIMIT": "您在本行的账户数量已达到监管上限，暂时无法开立新账户。",
    "ID_CARD_EXPIRED": "您的身份证件已过有效期，请更换有效证件后再办理。",
    "ID_CARD_INVALIDATED": "您的身份证件状态异常，请到本行网点办理。",
    "UNDER_AGE": "未满18周岁的客户请在监护人陪同下到本行网点办理。",
    "PENDING_COMPLIANCE_REVIEW": "您的申请需要进一步审核，审核完成后我们将与您联系。",
    "CLASS_II_DECLINED": "您已取消本次办理。",
}
REFERRAL_MESSAGE = "此项业务需要到本行网点办理，我们已为您登记转介，请携带有效身份证件前往网点。"
# what staff say when the reason names no message of its own, by outcome
OUTCOME_MESSAGES: dict[str, str] = {
    "OPENED": CUSTOMER_MESSAGES["CARD_OPENED"],
    "APPROVED": "您的信用卡申请已通过审批，卡片将按您选择的方式寄送，收到后请按卡函提示激活。",
    "REFERRED": "您的申请需要进一步审核，审核结果将以短信通知您。",
    "DECLINED": NEUTRAL_REFUSAL,
    "REFUSED": NEUTRAL_REFUSAL,
    "REFERRED_TO_BRANCH": REFERRAL_MESSAGE,
}


def customer_message(outcome: str | None, reason: str | None) -> str | None:
    if outcome is None:
        return None
    if reason in CUSTOMER_MESSAGES:
        return CUSTOMER_MESSAGES[reason]
    return OUTCOME_MESSAGES.get(outcome)
