"""J3, wealth-management risk assessment and product signing (理财风险测评 / 产品签约): its declaration
(domain J3, §5)."""

from __future__ import annotations

from typing import Any

from engine.journeys.declaration import EndingFact, JourneyDeclaration
from engine.journeys.wealth.operations import DECISION_CONTRACTS, OPERATIONS
from engine.journeys.wealth.projection import PROCESS_ID, PROJECTION
from engine.outcomes import NEUTRAL_REFUSAL
from engine.settings import Settings

QUALIFICATION = "wealth_sales"  # 理财销售资格 (domain J3 preconditions)
RISK_LEVELS = {"C1": "C1 保守型", "C2": "C2 稳健型", "C3": "C3 平衡型", "C4": "C4 成长型", "C5": "C5 进取型"}
PRODUCT_RISK_LEVELS = {"R1": "R1 低", "R2": "R2 中低", "R3": "R3 中", "R4": "R4 中高", "R5": "R5 高"}
AGREEMENT_SIGNED = "产品签约已完成。认购请到本行网点或通过手机银行办理，购买前请再次确认产品风险等级。"
ORDER_PLACED = "认购已受理，认购资金已冻结，份额以产品管理人确认为准，确认结果将以短信通知您。"
COOLING_OFF_ENDED = "冷静期已结束，您的认购已生效，份额以产品管理人确认为准，确认结果将以短信通知您。"
CANCELLED_IN_COOLING_OFF = "您已在冷静期内撤销认购，认购资金已全额解冻退回原账户。"


def start_variables(settings: Settings) -> dict[str, bool]:
    """The diagram's purchase switch (`purchase_on_tablet`), from the bank's setting (off by default)."""
    return {"purchase_on_tablet": settings.wealth_purchase_on_tablet}


def approval_facts(data: dict[str, Any]) -> dict[str, Any]:
    """What the authorizer confirms for a customer of 65 or more (§5.3): level, product and its risk."""
    assessment = data.get("current_assessment") if isinstance(data.get("current_assessment"), dict) else {}
    product = data.get("chosen_product") if isinstance(data.get("chosen_product"), dict) else {}
    assert isinstance(assessment, dict) and isinstance(product, dict)
    facts = {
        "风险承受能力等级": RISK_LEVELS.get(str(assessment.get("level"))),
        "产品": product.get("name"),
        "产品风险等级": PRODUCT_RISK_LEVELS.get(str(product.get("risk_level"))),
    }
    return {
        "facts": {name: value for name, value in facts.items() if value},
        "authorization_reasons": ["ELDERLY_INVESTOR"],
    }


JOURNEY = JourneyDeclaration(
    process_id=PROCESS_ID,
    title="理财风险测评与产品签约",
    projection=PROJECTION,
    start_qualification=QUALIFICATION,
    outcome_headings={
        "AGREEMENT_SIGNED": "产品签约完成",
        "ORDER_PLACED": "认购已受理",
        "CANCELLED_IN_COOLING_OFF": "冷静期内已撤销认购",
    },
    outcome_words={
        "AGREEMENT_SIGNED": AGREEMENT_SIGNED,
        "ORDER_PLACED": ORDER_PLACED,
        "CANCELLED_IN_COOLING_OFF": CANCELLED_IN_COOLING_OFF,
    },
    reason_words={
        "NO_QUALIFYING_ACCOUNT": "购买理财产品需持有本行I类或II类账户，请先开立账户后再办理。",
        "RETAKE_LIMIT_REACHED": "您今日的风险测评次数已达上限，请于下一个工作日再进行评估。",
        "PRODUCT_RISK_ABOVE_LEVEL": "该产品风险等级高于您的风险承受能力等级，不能购买。",
        "ASSESSMENT_EXPIRED": "您的风险测评已过有效期，请重新评估后再购买。",
        "BELOW_PRODUCT_MINIMUM": "认购金额低于产品起购金额。",
        "BELOW_QUALIFIED_INVESTOR_MINIMUM": "认购金额低于私募产品合格投资者最低投资额。",
        "INVESTMENT_EXPERIENCE_UNDER_2_YEARS": "很抱歉，您暂不符合私募产品合格投资者条件。",
        "ASSETS_AND_INCOME_BELOW_THRESHOLD": "很抱歉，您暂不符合私募产品合格投资者条件。",
        "PROOF_MISSING": "很抱歉，您暂不符合私募产品合格投资者条件。",
        "DECLARATION_NOT_SIGNED": "很抱歉，您暂不符合私募产品合格投资者条件。",
        "QUALIFIED_INVESTOR_FACTS_MISSING": "私募产品须先完成合格投资者认定，请到本行网点办理。",
        "PRODUCT_NOT_ON_SHELF": "所选产品当前不在销售货架上。",
        "ELDERLY_AUTHORIZATION_REJECTED": NEUTRAL_REFUSAL,
        "AGREEMENT_SIGNED": AGREEMENT_SIGNED,
        "ORDER_PLACED": ORDER_PLACED,
        "COOLING_OFF_ENDED": COOLING_OFF_ENDED,
        "CANCELLED_IN_COOLING_OFF": CANCELLED_IN_COOLING_OFF,
        "CANCELLATION_AFTER_COOLING_OFF": "冷静期已结束，撤销申请未受理，您的认购已生效。",
        "INSUFFICIENT_FUNDS": "扣款账户可用余额不足，认购未受理，资金未被冻结。",
        "ACCOUNT_NOT_FOUND": "扣款账户不是您本人在本行的账户，认购未受理，资金未被冻结。",
        "BELOW_MINIMUM": "认购金额低于产品起购金额，认购未受理。",
        "PRODUCT_NOT_FOUND": "所选产品当前不可认购。",
    },
    labels={
        "AGREEMENT_SIGNED": "产品签约完成",
        "ORDER_PLACED": "认购已受理（资金已冻结）",
        "COOLING_OFF_ENDED": "冷静期届满，认购生效",
        "CANCELLED_IN_COOLING_OFF": "冷静期内撤销，全额退款",
        "CANCELLATION_AFTER_COOLING_OFF": "冷静期后撤销，未受理",
        "INSUFFICIENT_FUNDS": "可用余额不足",
        "ACCOUNT_NOT_FOUND": "扣款账户非本人账户",
        "BELOW_MINIMUM": "低于起购金额（销售系统）",
        "PRODUCT_NOT_FOUND": "销售系统无此产品",
        **RISK_LEVELS,
        **PRODUCT_RISK_LEVELS,
        "NO_QUALIFYING_ACCOUNT": "无本行I类或II类账户",
        "RETAKE_LIMIT_REACHED": "当日测评次数已达上限",
        "PRODUCT_RISK_ABOVE_LEVEL": "产品风险等级高于客户等级",
        "ASSESSMENT_EXPIRED": "风险测评已过期",
        "BELOW_PRODUCT_MINIMUM": "低于产品起购金额",
        "BELOW_QUALIFIED_INVESTOR_MINIMUM": "低于合格投资者最低投资额",
        "INVESTMENT_EXPERIENCE_UNDER_2_YEARS": "投资经历不足2年",
        "ASSETS_AND_INCOME_BELOW_THRESHOLD": "资产及收入未达合格投资者标准",
        "PROOF_MISSING": "缺少资产或收入证明",
        "DECLARATION_NOT_SIGNED": "合格投资者声明未签署",
        "QUALIFIED_INVESTOR_FACTS_MISSING": "未完成合格投资者认定",
        "PRODUCT_NOT_ON_SHELF": "产品不在货架",
        "ELDERLY_AUTHORIZATION_REJECTED": "高龄客户授权未通过",
        "ELDERLY_INVESTOR": "65周岁及以上客户",
        "wealth_cooling_off_cancel": "客户撤销认购（手机银行、网点或客服）",
        "NO_ASSESSMENT": "无风险测评记录",
        "EXPIRED": "测评已满一年",
        "CHANGED_CIRCUMSTANCES": "客户情况发生变化",
        "QUESTIONNAIRE_RETIRED": "问卷版本已停用",
        "ELDERLY_OLDER_THAN_6_MONTHS": "65周岁以上且测评已满6个月",
        "ANSWERED_TOO_FAST": "答题总用时过短",
        "LEVEL_ROSE_TODAY": "当日重测等级上升",
        # J3's machine rules (documents/journeys/wealth/rules.py)
        "ASSESSMENT_BEFORE_SIGNING": "风险测评早于产品签约",
        "LEVEL_COVERS_PRODUCT": "客户风险等级不低于产品风险等级",
        "ANSWERED_BY_CUSTOMER": "问卷由客户本人完成",
        "RECORDED_FLAGS": "办理过程预警",
        "LEVEL_JUMP": "30日内风险等级跃升",
        "ASSESSMENTS_ON_DEVICE": "同一设备一小时内多次测评",
        "HAND_COPY_PRESENT": "风险语句已手写抄录",
        "WEALTH_OFFICER_QUALIFIED": "经办人具备理财销售资格",
        "ELDERLY_APPROVED": "高龄客户已获授权人审批",
        "DUAL_RECORDING_PRESENT": "双录已留存",
        "SAME_ANSWER_PATTERN": "同一经办人多名客户答案雷同",
        "COOLING_OFF_RESPECTED": "冷静期已遵守（届满前未确认、撤销全额退款）",
    },
    start_variables=start_variables,
    ending_facts=(
        EndingFact("risk_level", "风险承受能力等级", values=RISK_LEVELS),
        EndingFact("product_code", "签约产品"),
        EndingFact("product_risk_level", "产品风险等级", values=PRODUCT_RISK_LEVELS),
        EndingFact("order_no", "认购订单号"),
        EndingFact("order_amount", "认购金额", unit="元", kind="money"),
        EndingFact("frozen_account", "资金冻结账户"),
        EndingFact("cooling_off_ends_at", "冷静期截止", kind="time"),
        EndingFact("refund_amount", "全额退回", unit="元", kind="money"),
    ),
    approval_facts=approval_facts,
    decision_fields=frozenset({"changed_circumstances", "product_code"}),
    operations=OPERATIONS,
    decision_contracts=DECISION_CONTRACTS,
    personal_fields=frozenset(
        {
            "household_net_financial_assets",
            "household_financial_assets",
            "avg_annual_income_3y",
            "proof_image_1",
            "proof_image_2",
            "proof_image_3",
            "payment_account_no",
            "risk_hand_copy_image",
            "assessment_signature",
            "agreement_signature",
            "qualified_investor_signature",
            "qualified_investor",
            "income_band",
        }
    ),
)
