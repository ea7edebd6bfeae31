"""Diagrams that wait for messages are refused with file, element and reason when a message could not
be routed to them (dropped payload, no key, key not in the payload)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.catalogue import validate_directory
from engine.message_lint import lint_messages
from engine.workflow.spiff import parse_bpmn
from forms.catalogue import FormCatalogue

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
            "retrieval expression \"payload['no']\"",
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


# What bpmn-js (the modeller and bpmn.io) writes when it saves a correlation property's retrieval
# expression; SpiffWorkflow reads either element.
SAVED_BY_BPMN_IO = GOOD.replace(
    "<bpmn:messagePath>application_no</bpmn:messagePath>",
    "<bpmn:formalExpression>application_no</bpmn:formalExpression>",
)


def test_a_diagram_saved_by_bpmn_io_with_formal_expressions_is_clean() -> None:
    assert "formalExpression" in SAVED_BY_BPMN_IO and "messagePath" not in SAVED_BY_BPMN_IO
    assert problems(SAVED_BY_BPMN_IO) == []
    [(_pid, spec, _subs)] = parse_bpmn(SAVED_BY_BPMN_IO.encode(), "awaiting_decision.bpmn")
    # the wait sits behind an event-based gateway, which holds the message and the deadline timer
    gateway = spec.task_specs["reply_or_deadline"].event_definition
    [prop] = [p for d in gateway.event_definitions for p in getattr(d, "correlation_properties", [])]
    assert prop.retrieval_expression == "application_no"


def test_a_bpmn_io_diagram_validates_for_deployment(tmp_path: Path) -> None:
    (tmp_path / "awaiting_decision.bpmn").write_text(SAVED_BY_BPMN_IO)
    report = validate_directory(tmp_path, FormCatalogue(tmp_path), [])
    assert report.problems == []


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace("<bpmn:messagePath>application_no</bpmn:messagePath>", ""),
        SAVED_BY_BPMN_IO.replace("<bpmn:formalExpression>application_no</bpmn:formalExpression>", ""),
        SAVED_BY_BPMN_IO.replace(">application_no</bpmn:formalExpression>", "> </bpmn:formalExpression>"),
    ],
)
def test_a_missing_retrieval_expression_names_file_element_and_what_is_missing(text: str) -> None:
    found = [str(p) for p in lint_messages("awaiting_decision.bpmn", etree.fromstring(text.encode()))]
    assert found == [
        "awaiting_decision.bpmn:application_no: correlationProperty 'application_no' has no retrieval "
        "expression for message 'msg_decision': its correlationPropertyRetrievalExpression needs a "
        "bpmn:messagePath or bpmn:formalExpression naming the payload field"
    ], found
