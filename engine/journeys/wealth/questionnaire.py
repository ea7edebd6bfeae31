"""The wealth risk questionnaire (domain.md §5.2) as versioned data [Sim: compliance owns the real text].

Every stored result names its `questionnaire_version`; every question carries a `text_hash` (SM3 of
the text and the options exactly as displayed, §5.6), so an auditor can prove which wording a customer
saw. A version is never edited once used: a new wording is a new version, and the old one is marked
retired, which makes every assessment taken on it due for renewal (J3 step 2). The form shown to the
customer (`forms/definitions/wealth-questionnaire-schema.json`) must show this text exactly; a unit test
compares them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from crypto import sm3
from forms.formats import age_on

CURRENT_VERSION = "WRQ-2025-1"
# Earlier versions are kept only by name: assessments taken on them must be renewed.
RETIRED_VERSIONS = frozenset({"WRQ-2019-2", "WRQ-2022-1"})
KNOCK_OUT = ("max_loss", "no_principal_loss")  # Q9 "cannot lose principal" → C1 (§5.3) [Practice]
DERIVED_QUESTION = "age_band"  # Q1 comes from the ID, never from the customer


@dataclass(frozen=True)
class Option:
    code: str
    text: str
    points: int


@dataclass(frozen=True)
class Question:
    number: int
    id: str
    text: str
    options: tuple[Option, ...]

    @cached_property
    def text_hash(self) -> str:
        """SM3 (hex) of what the customer saw: question text and option texts in order."""
        shown = {"id": self.id, "text": self.text, "options": [[o.code, o.text] for o in self.options]}
        canonical = json.dumps(shown, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return "sm3:" + sm3(canonical.encode()).hex()

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def answered_ids(self) -> tuple[str, ...]:
        """The questions the customer answers (all but the derived age band)."""
        return tuple(q.id for q in self.questions if q.id != DERIVED_QUESTION)

    @property
    def score_range(self) -> tuple[int, int]:
        lows = sum(min(o.points for o in q.options) for q in self.questions)
        highs = sum(max(o.points for o in q.options) for q in self.questions)
        return lows, highs


def _q(number: int, qid: str, text: str, *options: tuple[str, str, int]) -> Question:
    return Question(number, qid, text, tuple(Option(*o) for o in options))


WRQ_2025_1 = Questionnaire(
    CURRENT_VERSION,
    "个人客户风险承受能力评估问卷",
    (
        _q(
            1,
            "age_band",
            "您的年龄（根据身份证件自动带出，不可修改）",
            ("le30", "30岁及以下", 8),
            ("31_50", "31–50岁", 10),
            ("51_60", "51–60岁", 6),
            ("61_65", "61–65岁", 3),
            ("gt65", "65岁以上", 0),
        ),
        _q(
            2,
            "income_band",
            "您的家庭年收入（折合人民币）",
            ("lt50k", "5万元以下", 2),
            ("50k_200k", "5万（含）–20万元", 4),
            ("200k_500k", "20万（含）–50万元", 6),
            ("500k_1m", "50万（含）–100万元", 8),
            ("gt1m", "100万元及以上", 10),
        ),
        _q(
            3,
            "invest_share",
            "您计划用于投资的资金占家庭金融资产的比例",
            ("gt70", "70%以上", 2),
            ("50_70", "50%–70%", 4),
            ("30_50", "30%–50%", 6),
            ("10_30", "10%–30%", 8),
            ("lt10", "10%以下", 10),
        ),
        _q(
            4,
            "experience_type",
            "您曾经持有过的风险最高的金融产品",
            ("deposits_bonds", "仅存款、国债", 2),
            ("bank_wm_money_funds", "银行理财产品、货币基金", 4),
            ("bonds_bond_funds", "债券、债券基金", 6),
            ("stocks_equity_funds", "股票、股票型基金", 8),
            ("derivatives_private", "期货、期权、私募基金或结构性产品", 10),
        ),
        _q(
            5,
            "experience_years",
            "您投资存款以外金融产品的年限",
            ("none", "没有经验", 2),
            ("lt1", "1年以下", 4),
            ("1_3", "1–3年", 6),
            ("3_5", "3–5年", 8),
            ("gt5", "5年以上", 10),
        ),
        _q(
            6,
            "knowledge",
            "您的投资知识水平",
            ("none", "没有投资知识", 2),
            ("little", "略有了解", 4),
            ("basic", "理解投资产品的风险与收益", 6),
            ("good", "有较丰富的投资知识", 8),
            ("professional", "具有金融专业知识或从业经历", 10),
        ),
        _q(
            7,
            "objective",
            "您的主要投资目的",
            ("preservation", "保本保值", 2),
            ("above_deposit", "获得略高于存款的收益", 4),
            ("balanced", "收益与风险平衡", 6),
            ("growth", "追求资产较快增长", 8),
            ("max_return", "追求收益最大化，可承受大幅波动", 10),
        ),
        _q(
            8,
            "horizon",
            "这笔资金的预计投资期限",
            ("lt6m", "6个月以内", 2),
            ("6_12m", "6–12个月", 4),
            ("1_3y", "1–3年", 6),
            ("3_5y", "3–5年", 8),
            ("gt5y", "5年以上", 10),
        ),
        _q(
            9,
            "max_loss",
            "您能接受的最大投资损失",
            ("no_principal_loss", "不能接受本金损失", 0),
            ("le5", "5%以内", 3),
            ("5_10", "5%–10%", 5),
            ("10_30", "10%–30%", 8),
            ("gt30", "30%以上", 10),
        ),
        _q(
            10,
            "loss_reaction",
            "如果您的投资下跌20%，您会",
            ("sell_all", "全部卖出", 2),
            ("sell_part", "卖出一部分", 4),
            ("hold", "继续持有", 6),
            ("hold_maybe_add", "继续持有，可能加仓", 8),
            ("add_significantly", "大幅加仓", 10),
        ),
    ),
)

QUESTIONNAIRES: dict[str, Questionnaire] = {WRQ_2025_1.version: WRQ_2025_1}


def questionnaire(version: str) -> Questionnaire:
    """The questionnaire of `version`; KeyError for a retired or unknown one (it cannot be taken)."""
    return QUESTIONNAIRES[version]


def is_retired(version: str | None) -> bool:
    return version is None or version in RETIRED_VERSIONS or version not in QUESTIONNAIRES


def age_band(birth: date, day: date) -> str:
    """Q1's option, from the birth date in the ID (§5.2: derived, not editable)."""
    age = age_on(birth, day)
    if age <= 30:
        return "le30"
    if age <= 50:
        return "31_50"
    if age <= 60:
        return "51_60"
    if age <= 65:
        return "61_65"
    return "gt65"
