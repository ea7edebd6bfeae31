"""Sandbox test data, copied from domain.md §13.2–13.5 [Sim]. Plain tables: the simulators read them,
testers read README.md, and production uses `is_sandbox_fixture_id` to block leaked test identities."""

from __future__ import annotations

from datetime import date
from typing import Any

# §13.2: every fixture ID number with its fixture name ("" where the brief gives none).
FIXTURE_PERSONS: dict[str, str] = {
    "420106199003071238": "张伟",
    "420102198506150026": "王芳",
    "420111195501010035": "李建国",
    "420102195901010070": "刘志强",
    "420115194909090084": "陈秀英",
    "42010320070220004X": "赵雨桐",
    "420104201205050053": "孙浩然",
    "11010519491231002X": "周淑兰",
    "440524188001010014": "",
    "420106199003071230": "",
    "420105197505059006": "吴丽",
    "420105198808089012": "郑强",
    "420112199209099022": "冯婷",
    "420115197707079032": "何军",
    "420116199505059047": "许静",
    "420117198606069051": "高峰",
    "420106198101019068": "林娜",
    "420102197903039079": "罗斌",
    "420103199401019081": "梁雪",
    "420104199202029099": "宋涛",
    "420103199303039118": "谢鹏",
    "420104197004049129": "唐敏",
    "420105199606069130": "韩磊",
    "420111199808089145": "曹琳",
    "42011119680808915X": "邓刚",
    "420112198707079214": "彭军",
    "420115198909099220": "蒋欣",
    "420106199101019230": "蔡明",
    "420116198404049312": "余勇",
    "420117198303039322": "潘颖",
    "420102198802029335": "杜伟",
    "810000199001019419": "黄嘉豪",
    "931156198501019424": "",
    "420103197203039517": "叶波",
    "420104199904049529": "程琳",
    "420105196605059535": "魏东",
    "420106196006069543": "袁芳",
    "420111195807079553": "邱勇",
}

# §13.2, subsystem 0 (identity / face), by sequence code "9AB".
IDENTITY_SCENARIOS: dict[str, str] = {
    "901": "NAME_MISMATCH",
    "902": "NOT_FOUND",
    "903": "MATCH_NO_PHOTO",
    "905": "TIMEOUT",  # registry answers after 15 s; the client gives up at 10 s
    "906": "UNAVAILABLE",
    "907": "ID_CARD_INVALIDATED",
}
IDENTITY_TIMEOUT_LATENCY_S = 15.0
FACE_SCENARIOS: dict[str, str] = {"904": "SCORE_40", "908": "LIVENESS_FAIL", "909": "SCORE_72"}
FACE_FIXED_SCORES: dict[str, float] = {"SCORE_40": 40.0, "SCORE_72": 72.0}

# §13.2, subsystem 1 (watch-list): exact-ID hits.
WATCHLIST_VERSION = "WL-2025.06-r1"
WATCHLIST_SCENARIOS: dict[str, tuple[str, str]] = {
    "911": ("BLOCK_DISCIPLINE", "DUANKA_DISCIPLINE"),
    "912": ("BLOCK_SANCTIONS", "SANCTIONS_CN_UN"),
    "913": ("REVIEW_AML", "AML_PEP_FUZZY"),
    "914": ("BLOCK_INTERNAL", "INTERNAL_FRAUD"),
    "915": ("REVIEW_ENHANCED", "INTERNAL_GREY"),
}
# §13.2 name-based hits: a romanised sanctions entry and its variants; DOB range rules a person out.
FUZZY_NAME_ENTRIES: tuple[dict[str, Any], ...] = (
    {
        "entry_ref": "SANCTIONS_CN_UN/0042",
        "list_code": "SANCTIONS_CN_UN",
        "aliases": ("WANG Wei", "WANG WEI", "王伟", "王偉", "王维"),
        "born_from": date(1960, 1, 1),
        "born_to": date(1975, 12, 31),
    },
    {
        "entry_ref": "AML_PEP/0117",
        "list_code": "AML_PEP",
        "aliases": ("ZHANG Wei", "ZHANG WEI", "张伟", "張偉", "张玮"),
        "born_from": date(1955, 1, 1),
        "born_to": date(1972, 12, 31),
    },
)

# §13.3 mobiles. Values: result, operator, ported, status, tenure bucket.
MOBILE_SCENARIOS: dict[str, dict[str, Any]] = {
    "13900009001": {"result": "MISMATCH", "operator": "cmcc"},
    "13900009002": {"result": "NO_RECORD", "operator": None},
    "13900009003": {"result": "MATCH", "operator": "cmcc", "status": "suspended", "tenure": "[24,inf)"},
    "13900009004": {"result": "MATCH", "operator": "cmcc", "status": "cancelled", "tenure": "[24,inf)"},
    "13900009005": {"result": "MATCH", "operator": "cmcc", "status": "normal", "tenure": "[0,3)"},
    "13900009006": {
        "result": "MATCH",
        "operator": "cmcc",
        "ported": True,
        "status": "normal",
        "tenure": "[24,inf)",
    },
    "17000009001": {"result": "MATCH", "operator": "ctcc", "status": "normal", "tenure": "[12,24)"},
    "19200009001": {"result": "MATCH", "operator": "cbn", "status": "normal", "tenure": "[6,12)"},
}
TELCO_TIMEOUT_MOBILES: dict[str, float] = {"13900009007": 12.0}  # answers after 12 s; client gives up at 8 s
TELCO_UNAVAILABLE_MOBILES = frozenset({"13900009008"})
CLEAN_MOBILE_PREFIX = "1390000"  # 1390000xxxx, xxxx < 9000: MATCH, normal, ≥ 24 months, cmcc
MVNO_PREFIXES = ("162", "165", "167", "170", "171")  # §2.6 [Practice; ranges change]
MOBILE_WATCHLIST: dict[str, tuple[str, str]] = {
    "13900009009": ("BLOCK_MOBILE", "STAFF_PHONE"),
    "13900009010": ("REVIEW_MOBILE", "SHARED_RESERVED_MOBILE"),
}

# §13.5 core and card management.
CARD_BIN = "621999"
CARD_REGION = "4201"
CARD_STOCK_RANGE = (1, 899_999)  # blank stock every field officer holds unless configured otherwise
CARD_DAMAGED_SEQUENCES = frozenset({99})
# Pre-bound card …0036 (sequence 3) belongs to the 921 fixture's existing Class I account.
PREBOUND_CARDS: dict[int, str] = {3: "420112198707079214"}
CORE_CUSTOMERS: dict[str, dict[str, Any]] = {
    "921": {"class_i": 1, "class_ii": 0, "class_iii": 0, "restrictions": ()},
    "922": {"class_i": 1, "class_ii": 5, "class_iii": 5, "restrictions": ()},
    "923": {"class_i": 1, "class_ii": 0, "class_iii": 0, "restrictions": ("NON_COUNTER_SUSPENDED",)},
}
CLASS_LIMITS: dict[str, int] = {"I": 1, "II": 5, "III": 5}  # per person per bank, §6.1
# §13.5 balances: what each account the sandbox core opened for the person holds, CNY (core_balances.py);
# J3's purchases freeze against it.
CORE_BALANCES: dict[str, str] = {
    "420102198506150026": "8000000.00",  # 王芳: enough for every private product
    "420106199003071238": "200000.00",  # 张伟: public products only
}
CORE_DEFAULT_BALANCE = "500000.00"


def sequence_code(id_number: str) -> str:
    """Positions 15–17 of an 18-character ID: `9AB` selects a sandbox scenario (§13.1)."""
    return id_number[14:17] if len(id_number) == 18 else ""


def is_sandbox_fixture_id(id_number: str) -> bool:
    """Production guard (§13.1): true for the explicit fixture IDs, which production must block.

    Production must never branch on sequence codes (real people have 9xx codes), only on this list.
    """
    return id_number.strip().upper() in FIXTURE_PERSONS


# J3 wealth sales (`wm_sales`) [Sim]: §13 names no wealth scenarios, so these reuse the §13.2 persons.
# Current assessments are dated relative to the sandbox clock (age_days before today, 10:00 Shanghai),
# so "valid", "expired" and "older than 6 months" stay true whenever the sandbox runs.
WM_ASSESSMENTS: dict[str, dict[str, Any]] = {
    "420106199003071238": {"level": "C3", "score": 52, "age_days": 90, "version": "WRQ-2025-1"},  # valid
    "420102198506150026": {"level": "C4", "score": 70, "age_days": 400, "version": "WRQ-2025-1"},  # expired
    "420111195501010035": {"level": "C2", "score": 34, "age_days": 200, "version": "WRQ-2025-1"},  # 70
    "420102195901010070": {"level": "C3", "score": 45, "age_days": 30, "version": "WRQ-2025-1"},  # 66, recent
    "420112198707079214": {"level": "C5", "score": 86, "age_days": 100, "version": "WRQ-2019-2"},  # retired
    "420115198909099220": {"level": "C2", "score": 30, "age_days": 0, "version": "WRQ-2025-1"},  # retakes
}
# Attempts already made today (levels, oldest first): 蒋欣 has used up a 2-per-day retake limit.
WM_ATTEMPTS_TODAY: dict[str, tuple[str, ...]] = {"420115198909099220": ("C1", "C2")}
WM_SHELF_VERSION = "SHELF-2025.06-r1"
WM_DOCUMENT_TITLES: dict[str, str] = {
    "product_description": "产品说明书",
    "risk_disclosure": "风险揭示书",
    "sales_agreement": "销售协议书",
    "investor_rights": "投资者权益须知",
}
# code, name, risk, offering, asset class, issuer, minimum (CNY), cooling-off hours, document version
WM_PRODUCTS: tuple[tuple[str, str, str, str, str, str, str, int, str], ...] = (
    ("WM-R1-001", "天天利现金管理", "R1", "public", "cash", "wm_company", "1.00", 0, "2025.01"),
    ("WM-R2-002", "稳享90天固收", "R2", "public", "fixed_income", "wm_company", "10000.00", 0, "2025.03"),
    ("WM-R3-003", "平衡增利一年", "R3", "public", "mixed", "wm_company", "10000.00", 0, "2025.03"),
    ("WM-R4-004", "权益精选", "R4", "public", "equity", "wm_company", "10000.00", 0, "2025.02"),
    (
        "WM-R5-005",
        "商品衍生进取",
        "R5",
        "public",
        "commodity_derivatives",
        "wm_company",
        "10000.00",
        0,
        "2025.02",
    ),
    ("PWM-R3-101", "私享固收一号", "R3", "private", "fixed_income", "wm_company", "300000.00", 24, "2025.04"),
    ("PWM-R4-102", "私享混合二号", "R4", "private", "mixed", "wm_company", "400000.00", 24, "2025.04"),
    ("PWM-R5-103", "私享权益三号", "R5", "private", "equity", "wm_company", "1000000.00", 48, "2025.05"),
)
