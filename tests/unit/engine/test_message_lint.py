"""Diagrams that wait for messages are refused with file, element and reason when a message could not
be routed to them (dropped payload, no key, key not in the payload)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.message_lint import lint_messages

GOOD = (
    Path(__file__).resolve().parents[2] / "integration" / "processes" / "awaiting_decision.bpmn"
).read_text()


def problems(text: str) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.reason) for p in lint_messages("x.bpmn", etree.fromstring(text.encode()))]


def test_the_example_process_is_clean() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "element", "reason"),
    [
        (
            "<spiffworkflow:messageVariable>card_decision</spiffworkflow:messageVariable>",
            "",
            "wait_decision",
            "payload would be dropped",
        ),
        (
            '<bpmn:message id="msg_decision" name="card_decision" />',
            '<bpmn:message id="msg_decision" name="card_decision"><bpmn:extensionElements>'
            "<spiffworkflow:messageVariable>x</spiffworkflow:messageVariable></bpmn:extensionElements></bpmn:message>",
            "msg_decision",
            "belongs on the waiting event",
        ),
        (
            "<spiffworkflow:propertyId>application_no</spiffworkflow:propertyId>",
            "<spiffworkflow:propertyId>other</spiffworkflow:propertyId>",
            "wait_decision",
            "no correlationProperty 'other'",
        ),
        (
            "<spiffworkflow:expression>application_no</spiffworkflow:expression>",
            "<spiffworkflow:expression>application_no + 'x'</spiffworkflow:expression>",
            "wait_decision",
            "must name one process variable",
        ),
        (
            "<bpmn:messagePath>application_no</bpmn:messagePath>",
            "<bpmn:messagePath>payload['no']</bpmn:messagePath>",
            "application_no",
            "messagePath must name one payload field",
        ),
        (
            'messageRef="msg_decision">\n        <bpmn:extensionElements>',
            'messageRef="msg_none">\n        <bpmn:extensionElements>',
            "wait_decision",
            "not defined",
        ),
    ],
)
def test_each_gap_is_named_at_its_element(old: str, new: str, element: str, reason: str) -> None:
    assert old in GOOD
    found = problems(GOOD.replace(old, new, 1))
    assert any(e == element and reason in r for e, r in found), found


def test_a_wait_without_its_key_and_message_start_events_are_refused() -> None:
    start, end = (
        GOOD.index("<spiffworkflow:processVariableCorrelation>"),
        GOOD.index("</spiffworkflow:processVariableCorrelation>"),
    )
    keyless = GOOD[:start] + GOOD[end + len("</spiffworkflow:processVariableCorrelation>") :]
    assert (
        "wait_decision",
        "a waiting message needs exactly one spiffworkflow:processVariableCorrelation (its key)",
    ) in problems(keyless)
    started = GOOD.replace(
        '<bpmn:startEvent id="start">',
        '<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="msg_decision" />',
    )
    assert any(e == "start" and "not supported" in r for e, r in problems(started))
