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
# A retrieval expression is written `bpmn:messagePath` by hand and by our scaffold, `bpmn:formalExpression`
# by bpmn-js (the modeller, bpmn.io); SpiffWorkflow reads either (its validator renames the second).
RETRIEVAL_TAGS = frozenset(f"{{{BPMN_NS}}}{tag}" for tag in ("messagePath", "formalExpression"))


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
    key = (prop, message.get("id"))
    if key not in paths:
        problems.append(
            DefinitionProblem(
                name,
                element_id,
                f"no correlationProperty {prop!r} with a retrieval expression for this message",
            )
        )
    elif not paths[key]:
        problems.append(
            DefinitionProblem(
                name,
                prop,
                f"correlationProperty {prop!r} has no retrieval expression for message {key[1]!r}: its "
                "correlationPropertyRetrievalExpression needs a bpmn:messagePath or bpmn:formalExpression "
                "naming the payload field",
            )
        )
    elif not IDENTIFIER.match(paths[key]):
        problems.append(
            DefinitionProblem(
                name,
                prop,
                f"the retrieval expression {paths[key]!r} (bpmn:messagePath or bpmn:formalExpression) "
                "must name one payload field",
            )
        )
    return problems


def _retrieval_paths(root: Any) -> dict[tuple[str, str], str]:
    """(correlation property id, message id) → its retrieval expression ("" when it has none)."""
    paths = {}
    for prop in root.iterfind(".//bpmn:correlationProperty", NS):
        for rule in prop.iterfind("bpmn:correlationPropertyRetrievalExpression", NS):
            found = next((child for child in rule if child.tag in RETRIEVAL_TAGS), None)
            paths[(prop.get("id"), rule.get("messageRef"))] = (
                (found.text or "").strip() if found is not None else ""
            )
    return paths
