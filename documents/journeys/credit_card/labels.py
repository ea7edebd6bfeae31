"""Chinese labels of the codes only J2 records, as its forms word them (forms/definitions/credit-card-*).

Documents may not read the forms, so the lists a printed document needs are repeated here; an unknown
code prints as itself (documents/vocabulary.py `label`), so a new form option degrades to its code.
"""

from __future__ import annotations

PRODUCTS = {"CC-STANDARD": "标准卡", "CC-GOLD": "金卡", "CC-RURAL": "乡村振兴卡"}

OUTCOMES = {
    "APPROVED": "审批通过",
    "DECLINED": "审批未通过",
    "REFERRED": "转人工审批",
    "REFUSED": "不予受理",
    "REFERRED_TO_BRANCH": "转网点办理",
    "PENDING_REVIEW": "待合规复核",
    "ABANDONED": "已中止",
}

# the card centre's decisions (`card_decision['decision']`)
DECISIONS = {
    "APPROVED": "核准",
    "DECLINED": "拒绝",
    "REFERRED": "转人工审批",
    "PENDING_DOCS": "补充资料",
}

# Reasons the journey itself sets (processes/credit_card_face_sign.bpmn). The card centre's own reasons
# can be credit-report information (a delinquency, a thin file) and never go on paper (§J2, projection).
OWN_REASONS = {
    "DOCUMENTS_OVERDUE": "补件逾期",
    "CARD_CENTRE_NO_ANSWER": "发卡中心逾期未答复",
}

CREDIT_REPORT_PURPOSES = {"CREDIT_CARD_APPROVAL": "信用卡审批"}

NATIONALITIES = {"CHN": "中国"}

HOUSING = {
    "OWNED_NO_LOAN": "自有住房（无贷款）",
    "MORTGAGE": "自有住房（按揭贷款）",
    "RENTED": "租住",
    "DORMITORY": "单位宿舍",
    "WITH_RELATIVES": "与亲属同住",
}

MARITAL = {"10": "未婚", "20": "已婚", "30": "丧偶", "40": "离婚", "90": "未说明的婚姻状况"}

EDUCATION = {
    "10": "研究生",
    "20": "大学本科",
    "30": "大学专科",
    "40": "中等职业教育（中专、职高、技校）",
    "60": "普通高中",
    "70": "初中",
    "80": "小学",
    "90": "其他",
}

EMPLOYMENT = {
    "EMPLOYEE": "单位在职员工",
    "BUSINESS_OWNER": "企业主",
    "SOLE_TRADER": "个体工商户",
    "FREELANCE": "自由职业者",
    "FARMER": "农户",
    "RETIRED": "离退休人员",
    "STUDENT": "全日制在校学生",
    "UNEMPLOYED": "无业",
}

# GB/T 4754 sections
INDUSTRIES = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

POSITIONS = {
    "HEAD": "单位负责人",
    "SENIOR_MANAGER": "高级管理人员",
    "MIDDLE_MANAGER": "中层管理人员",
    "STAFF": "一般员工",
    "OTHER": "其他",
}

RELATIONS = {
    "SPOUSE": "配偶",
    "PARENT": "父母",
    "CHILD": "子女",
    "SIBLING": "兄弟姐妹",
    "OTHER_RELATIVE": "其他亲属",
    "FRIEND": "朋友",
    "COLLEAGUE": "同事",
}

STATEMENT_CHANNELS = {
    "APP": "手机银行电子账单",
    "EMAIL": "电子邮件账单",
    "SMS": "短信账单",
    "PAPER": "纸质账单（邮寄）",
}

AUTO_REPAY_MODES = {"FULL": "全额还款", "MINIMUM": "最低还款额"}

DELIVERY = {
    "RESIDENTIAL": "邮寄至居住地址",
    "WORK": "邮寄至工作单位地址",
    "BRANCH": "到经办网点领取",
}
