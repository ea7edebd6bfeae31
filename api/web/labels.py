"""Chinese words for the machine codes staff see on pages (check results, reasons, statuses). A code
without a word is shown as it is, so a new code is never hidden."""

from __future__ import annotations

from collections.abc import Mapping

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
    # the shared identification's evidence images (an approver sees them labelled)
    "chip_photo": "身份证芯片照片",
    "id_front_image": "身份证人像面",
    "id_back_image": "身份证国徽面",
    "live_face_image": "现场人脸照片",
    # post-supervision: review outcomes, notices and what the history records
    "ERROR_MINOR": "一般差错",
    "ERROR_MAJOR": "重大差错",
    "ERROR_NOTICE": "差错通知书",
    "DOWNLOAD": "下载证据包",
    "machine_rule": "机审规则",
    "notice": "通知",
    "decision": "人审结论",
    "task": "处理",
    "download": "下载",
    # the machine rules every package gets (documents/supervision/review.py); a journey words its own
    # rules in its declaration's labels
    "PACKAGE_INTEGRITY": "证据包完整性（摘要与签名）",
    "CHECKS_MATCH_CUSTOMER": "核查结果与客户一致",
    "MAKER_NOT_CHECKER": "经办与复核非同一人",
    "DEVICE_ACTIVE": "设备状态正常",
    "ID_VALID": "身份证件在有效期内",
    "AGE_BAND": "年龄段风险",
    "VELOCITY": "经办频次",
    "NOT_APPLICABLE": "不适用",
    "FLAG": "需人工复核",
    # what a journey's trail records (engine events)
    "instance_started": "发起业务",
    "task_completed": "完成",
    "service_result": "外部核查结果",
    "service_failed": "外部调用失败",
    "incident_raised": "异常待处理",
    "incident_retried": "异常重试",
    "message_received": "收到外部消息",
    "rule_evaluated": "规则判断",
    "timer_fired": "到期触发",
    "instance_completed": "业务结束",
    "instance_abandoned": "客户放弃",
    "journey_held": "设备停用，业务暂停",
    "journey_resumed": "换设备继续办理",
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


def journey_title(process_id: object, deployed_name: str | None = None) -> str:
    """A journey's Chinese title from its declaration, else the deployed definition's name, else the
    id (a process no declaration covers, e.g. a test diagram, still shows something)."""
    declaration = registry().get(str(process_id)) if process_id else None
    return declaration.title if declaration else deployed_name or str(process_id or "—")


def staff_label(staff_id: object, names: Mapping[str, str]) -> str:
    """李明（fo001）: people are known by name, the id tells two 李明 apart."""
    if not staff_id:
        return "—"
    name = names.get(str(staff_id))
    return f"{name}（{staff_id}）" if name else str(staff_id)


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
