"""Chinese labels of the codes only J1 records (its products, account classes, outcomes)."""

from __future__ import annotations

PRODUCTS = {"DC_STANDARD": "标准借记卡", "DC_PAYROLL": "代发工资卡"}

ACCOUNT_CLASSES = {"I": "I类账户", "II": "II类账户", "III": "III类账户"}

OUTCOMES = {
    "OPENED": "开户成功",
    "REFUSED": "拒绝开户",
    "REFERRED_TO_BRANCH": "转网点办理",
    "PENDING_REVIEW": "待合规复核",
    "ABANDONED": "已中止",
}
