"""What a diagram must say for FieldBank to route an external message to it (README "Messages from
external systems"): each message a process waits for lands in a variable, and the waiting event names
the one process variable that is its correlation key, matched by the message's correlation property.
Without these the library accepts the file and the message is silently dropped or never found."""

from __future__ import annotations

import re
from typing import Any

from engine.errors import DefinitionProblem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CATCHING = ("intermediateCatchEvent", "boundaryEvent", "receiveTask")


def lint_messages(name: str, root: Any) -> list[DefinitionProblem]:
    messages = {m.get("id"): m for m in root.iterfind(".//bpmn:message", NS)}
    paths = _retrieval_paths(root)
    problems = [
        DefinitionProblem(
            name, start.get("id"), "message start events are not supported: staff start journeys"
        )
        for start in root.iterfind(".//bpmn:startEvent", NS)
        if start.find("bpmn:messageEventDefinition", NS) is not None
    ]
    for tag in CATCHING:
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            definition = element if tag == "receiveTask" else element.find("bpmn:messageEventDefinition", NS)
            if definition is None:
                continue
            problems += _lint_wait(name, element.get("id"), definition, messages, paths)
    return problems


def _lint_wait(
    name: str, element_id: str, definition: Any, messages: dict[str, Any], paths: dict[tuple[str, str], str]
) -> list[DefinitionProblem]:
    message = messages.get(definition.get("messageRef"))
    if message is None:
        return [DefinitionProblem(name, element_id, "waits for a message that is not defined (messageRef)")]
    problems = []
    variable = definition.find(".//spiffworkflow:messageVariable", NS)
    if variable is None or not (variable.text or "").strip():
        problems.append(
            DefinitionProblem(
                name,
                element_id,
                "the wait has no spiffworkflow:messageVariable: the payload would be dropped",
            )
        )
    if message.find(".//spiffworkflow:messageVariable", NS) is not None:
        problems.append(
            DefinitionProblem(
                name,
                message.get("id"),
                "spiffworkflow:messageVariable belongs on the waiting event's messageEventDefinition",
            )
        )
    correlations = definition.findall(".//spiffworkflow:processVariableCorrelation", NS)
    if len(correlations) != 1:
        problems.append(
            DefinitionProblem(
                name,
                element_id,
                "a waiting message needs exactly one spiffworkflow:processVariableCorrelation (its key)",
            )
        )
        return problems
    prop = (correlations[0].findtext("spiffworkflow:propertyId", default="", namespaces=NS) or "").strip()
    expression = (
        correlations[0].findtext("spiffworkflow:expression", default="", namespaces=NS) or ""
    ).strip()
    if not IDENTIFIER.match(expression):
        problems.append(
            DefinitionProblem(name, element_id, "the correlation expression must name one process variable")
        )
    path = paths.get((prop, message.get("id")))
    if path is None:
        problems.append(
            DefinitionProblem(
                name,
                element_id,
                f"no correlationProperty {prop!r} with a retrieval expression for this message",
            )
        )
    elif not IDENTIFIER.match(path):
        problems.append(DefinitionProblem(name, prop, "the messagePath must name one payload field"))
    return problems


def _retrieval_paths(root: Any) -> dict[tuple[str, str], str]:
    """(correlation property id, message id) → its messagePath."""
    paths = {}
    for prop in root.iterfind(".//bpmn:correlationProperty", NS):
        for rule in prop.iterfind("bpmn:correlationPropertyRetrievalExpression", NS):
            paths[(prop.get("id"), rule.get("messageRef"))] = (
                rule.findtext("bpmn:messagePath", default="", namespaces=NS) or ""
            ).strip()
    return paths
