"""Chinese display labels for coded values the shared steps record (GB/T codes, the ID card, tax).

The forms own the authoritative titles (forms/definitions/*.json), but documents may only depend on engine
and crypto, so the few lists a printed document needs are repeated here. An unknown code prints as itself,
so a new form option degrades to its code instead of breaking a render.
"""

from __future__ import annotations

SEX = {"1": "男", "2": "女"}

OCCUPATIONS = {
    "1": "党的机关、国家机关、群众团体和社会组织、企事业单位负责人",
    "2": "专业技术人员",
    "3": "办事人员和有关人员",
    "4": "社会生产服务和生活服务人员",
    "5": "农、林、牧、渔业生产及辅助人员",
    "6": "生产制造及有关人员",
    "7": "军人",
    "8": "不便分类的其他从业人员",
    "student": "学生",
    "retired": "离退休人员",
    "unemployed": "无业、失业人员",
    "sole_trader": "个体工商户",
    "freelance": "自由职业者",
    "farmer": "农户",
}

ACCOUNT_PURPOSES = {
    "payroll": "代发工资",
    "daily_spending": "日常消费",
    "savings_wm": "储蓄理财",
    "business": "经营收付",
    "social_insurance": "社保、医保",
    "loan_repayment": "贷款还款",
    "other": "其他",
}

TAX_RESIDENCY = {
    "CN_ONLY": "仅为中国税收居民",
    "NON_CN": "仅为非居民",
    "BOTH": "既是中国税收居民又是其他国家（地区）税收居民",
}

AUTHORIZATION_DECISIONS = {"APPROVE": "同意", "REJECT": "拒绝"}


def label(table: dict[str, str], code: object) -> str | None:
    """The label for `code`, the code itself when the table does not know it, None when there is none."""
    if code is None or code == "":
        return None
    return table.get(str(code), str(code))
