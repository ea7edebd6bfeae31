"""Chinese words for the machine codes staff see on pages (check results, reasons, statuses). A code
without a word is shown as it is, so a new code is never hidden."""

from __future__ import annotations

from api.journeys import registry

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
    "REFUSED": "拒绝办理",
    "REFERRED_TO_BRANCH": "转网点办理",
    "PENDING_REVIEW": "待审核",
    "ABANDONED": "客户放弃",
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
    "MOBILE_MVNO": "虚拟运营商号码",
    "MOBILE_NEW_NUMBER": "新入网号码",
    "MOBILE_RISK": "手机号码风险",
}


def _journey_labels() -> dict[str, str]:
    """Every declared journey's own codes; a code two journeys word differently is a declaration bug
    (`tests/unit/api/test_journeys.py`), and the shared words win over any journey's."""
    merged: dict[str, str] = {}
    for declaration in registry():
        merged.update(declaration.labels)
    return {**merged, **LABELS}


ALL_LABELS = _journey_labels()


def label(code: object) -> str:
    text = str(code) if code is not None else "—"
    return ALL_LABELS.get(text, text)


# The outcome screen's heading, said to the customer's face: refusals stay neutral (§6.4).
SHARED_HEADINGS: dict[str, str] = {
    "REFERRED_TO_BRANCH": "请至网点办理",
    "PENDING_REVIEW": "已提交审核",
    "ABANDONED": "已终止办理",
}


def outcome_heading(outcome: object, process_id: str | None = None) -> str:
    declaration = registry().get(process_id)
    own = declaration.outcome_headings if declaration else {}
    return own.get(str(outcome)) or SHARED_HEADINGS.get(str(outcome), "暂不能办理")


def ending_facts(ending: dict[str, object], process_id: str | None = None) -> list[tuple[str, str]]:
    """The masked facts a journey's ending recorded (its projection's `completion_facts`), in the
    words its declaration gives: one outcome screen for every journey."""
    declaration = registry().get(process_id)
    shown = declaration.ending_facts if declaration else ()
    return [(f.name, f.shown(ending[f.key])) for f in shown if ending.get(f.key) not in (None, "")]
