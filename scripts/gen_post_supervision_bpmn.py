# ruff: noqa: E501
"""Scaffold for processes/post_supervision.bpmn (事后监督, domain §2.11): machine review, human review,
error notice, rectification with an overdue escalation, re-check until closed.

The .bpmn file is the source of truth once written. Run: python scripts/gen_post_supervision_bpmn.py
"""

from __future__ import annotations

from pathlib import Path

from bpmn_scaffold import Boundary, Model, form, script, service, timer_definition, write

OUT = Path(__file__).resolve().parent.parent / "processes" / "post_supervision.bpmn"
PS, FO, BM = "post_supervisor", "field_officer", "branch_manager"

NODES = [
    ("start", "startEvent", "证据包入队", PS, (0, 1), ""),
    (
        "init",
        "scriptTask",
        "初始化",
        PS,
        (0.8, 1),
        script("rectification_rounds = 0\npackage_status = 'MACHINE_REVIEW'"),
    ),
    (
        "machine_review",
        "serviceTask",
        "机审",
        PS,
        (1.8, 1),
        service("supervision.machine_review", "machine_review", {"package_id": "package_id"}, retries=2),
    ),
    ("needs_human", "exclusiveGateway", "需要人审?", PS, (2.8, 1), ""),
    (
        "set_auto_passed",
        "scriptTask",
        "机审通过",
        PS,
        (2.8, 0),
        script("outcome = 'PASSED'\noutcome_reason = 'MACHINE_REVIEW_CLEAN'\npackage_status = 'PASSED'"),
    ),
    ("end_auto", "endEvent", "结束", PS, (3.8, 0), ""),
    ("mark_human", "scriptTask", "进入人审", PS, (3.8, 1), script("package_status = 'HUMAN_REVIEW'")),
    ("human_review", "userTask", "人审", PS, (4.8, 1), form("post-supervision-review")),
    ("review_gate", "exclusiveGateway", "审核结论", PS, (5.8, 1), ""),
    (
        "set_passed",
        "scriptTask",
        "审核通过",
        PS,
        (6.8, 0),
        script(
            "outcome = 'CLOSED' if rectification_rounds > 0 else 'PASSED'\noutcome_reason = 'REVIEWED'\npackage_status = outcome"
        ),
    ),
    ("end_passed", "endEvent", "结束", PS, (7.8, 0), ""),
    (
        "risk_alert",
        "serviceTask",
        "风险预警转反洗钱",
        PS,
        (6.8, 1),
        service(
            "supervision.notify",
            "risk_notice",
            {"package_id": "package_id", "kind": "'RISK_ALERT'", "reason": "review_reason"},
            retries=2,
        ),
    ),
    (
        "set_risk",
        "scriptTask",
        "风险预警",
        PS,
        (7.8, 1),
        script("outcome = 'RISK_ALERT'\noutcome_reason = 'RISK_ALERT'\npackage_status = 'RISK_ALERT'"),
    ),
    ("end_risk", "endEvent", "结束", PS, (8.6, 1), ""),
    (
        "error_notice",
        "serviceTask",
        "发出差错通知书",
        PS,
        (6.8, 2),
        service(
            "supervision.notify",
            "error_notice",
            {
                "package_id": "package_id",
                "kind": "'ERROR_NOTICE'",
                "reason": "review_reason",
                "severity": "review_outcome",
            },
            retries=2,
        ),
    ),
    (
        "set_rectifying",
        "scriptTask",
        "待整改",
        PS,
        (7.8, 2),
        script("rectification_rounds = rectification_rounds + 1\npackage_status = 'RECTIFICATION'"),
    ),
    ("rectification", "userTask", "差错整改", FO, (7.8, 3.2), form("evidence-rectification")),
    ("escalate_overdue", "userTask", "整改逾期督办", BM, (7.8, 4.4), form("supervision-escalation")),
    ("end_escalation", "endEvent", "督办完成", BM, (8.8, 4.4), ""),
]
BOUNDARIES = [
    Boundary(
        "b_overdue",
        "rectification",
        timer_definition("b_overdue", "error_notice['due_at']"),
        (8.1, 3.6),
        FO,
        interrupting=False,
    ),
]
FLOWS = [
    ("f1", "start", "init", None),
    ("f2", "init", "machine_review", None),
    ("f3", "machine_review", "needs_human", None),
    ("f4", "needs_human", "mark_human", "machine_review['flagged'] or journey_outcome == 'OPENED'"),
    ("f5", "needs_human", "set_auto_passed", None),  # default: clean and not an account opening
    ("f6", "set_auto_passed", "end_auto", None),
    ("f7", "mark_human", "human_review", None),
    ("f8", "human_review", "review_gate", None),
    ("f9", "review_gate", "set_passed", "review_outcome == 'PASSED'"),
    ("f10", "review_gate", "risk_alert", "review_outcome == 'RISK_ALERT'"),
    ("f11", "review_gate", "error_notice", None),  # default: ERROR_MINOR / ERROR_MAJOR
    ("f12", "set_passed", "end_passed", None),
    ("f13", "risk_alert", "set_risk", None),
    ("f14", "set_risk", "end_risk", None),
    ("f15", "error_notice", "set_rectifying", None),
    ("f16", "set_rectifying", "rectification", None),
    ("f17", "rectification", "human_review", None),  # the supervisor re-checks the rectified evidence
    ("f18", "b_overdue", "escalate_overdue", None),
    ("f19", "escalate_overdue", "end_escalation", None),
]


def main() -> None:
    write(
        Model(
            out=OUT,
            process_id="post_supervision",
            process_name="事后监督",
            pool_name="事后监督",
            lanes=[
                ("lane_post_supervisor", PS, 3.0),
                ("lane_field_officer", FO, 1.2),
                ("lane_branch_manager", BM, 1.2),
            ],
            nodes=NODES,
            flows=FLOWS,
            boundaries=BOUNDARIES,
            defaults={"needs_human": "f5", "review_gate": "f11"},
            width_cols=10,
        )
    )


if __name__ == "__main__":
    main()
