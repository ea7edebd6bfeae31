"""Chinese words for the machine codes staff see on pages (check results, reasons, statuses). A code
without a word is shown as it is, so a new code is never hidden."""

from __future__ import annotations

from collections.abc import Callable

LABELS: dict[str, str] = {
    # statuses of journeys and evidence packages
    "running": "进行中",
    "waiting_user": "待处理",
    "waiting_external": "核查中",
    "incident": "待处理异常",
    "completed": "已结束",
    "MACHINE_REVIEW": "机审中",
    "HUMAN_REVIEW": "待人工审核",
    "RECTIFICATION": "整改中",
    "PASSED": "通过",
    "CLOSED": "已关闭",
    "RISK_ALERT": "风险预警",
    # outcomes
    "OPENED": "开户成功",
    "REFUSED": "拒绝办理",
    "REFERRED_TO_BRANCH": "转网点办理",
    "PENDING_REVIEW": "待审核",
    "ABANDONED": "客户放弃",
    "APPROVED": "审批通过",
    "DECLINED": "审批未通过",
    "REFERRED": "转人工审批",
    "SUSPENDED_EXTERNAL": "外部系统暂不可用",
    # check results
    "MATCH_WITH_PHOTO": "一致（有照片）",
    "MATCH_NO_PHOTO": "一致（无照片）",
    "MATCH": "一致",
    "MISMATCH": "不一致",
    "NAME_MISMATCH": "姓名不一致",
    "NOT_FOUND": "查无此人",
    "CLEAR": "未命中",
    "PASS": "通过",
    "GRAY": "灰区",
    "FAIL": "不通过",
    "LIVENESS_FAIL": "活体检测未通过",
    # reasons an approval is needed
    "FACE_GRAY": "人脸比对分数处于灰区",
    "IDENTITY_NO_PHOTO": "联网核查无照片",
    "GREY_LIST": "命中灰名单",
    "ELDERLY_CUSTOMER": "高龄客户",
    "OPENING_RISK_REVIEW": "开户风险评分偏高",
    "MOBILE_MVNO": "虚拟运营商号码",
    "MOBILE_NEW_NUMBER": "新入网号码",
    "MOBILE_RISK": "手机号码风险",
    "NON_LOCAL": "非本地客户",
    "PURPOSE_INCONSISTENT": "开户用途与身份不符",
    "VULNERABLE_OCCUPATION": "职业风险提示",
    "AGE_BAND": "年龄风险",
    # products
    "DC_STANDARD": "标准借记卡",
    "DC_PAYROLL": "代发工资卡",
}


def label(code: object) -> str:
    text = str(code) if code is not None else "—"
    return LABELS.get(text, text)


# The outcome screen's heading, said to the customer's face: refusals stay neutral (§6.4).
OUTCOME_HEADINGS: dict[str, str] = {
    "OPENED": "开户成功",
    "APPROVED": "审批通过",
    "REFERRED": "已转人工审批",
    "REFERRED_TO_BRANCH": "请至网点办理",
    "PENDING_REVIEW": "已提交审核",
    "ABANDONED": "已终止办理",
}
ACCOUNT_CLASSES = {"I": "I类账户", "II": "II类账户", "III": "III类账户"}


def outcome_heading(outcome: object) -> str:
    return OUTCOME_HEADINGS.get(str(outcome), "暂不能办理")


def ending_facts(ending: dict[str, object]) -> list[tuple[str, str]]:
    """The masked facts a journey's ending recorded (its projection's `completion_facts`), in words:
    one outcome screen for every journey."""
    shown: list[tuple[str, str, Callable[[object], str]]] = [
        ("application_no", "申请编号", str),
        ("card_no_masked", "卡号", str),
        ("account_class", "账户类别", lambda v: ACCOUNT_CLASSES.get(str(v), str(v))),
        ("credit_limit", "信用额度", lambda v: f"{int(str(v)):,} 元"),
    ]
    return [(name, fmt(ending[key])) for key, name, fmt in shown if ending.get(key) not in (None, "")]
