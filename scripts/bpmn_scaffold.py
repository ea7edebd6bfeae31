# ruff: noqa: E501 - XML literals read best on one line
"""Writes a BPMN file with a grid diagram layout from a small declarative description.

Used by the scaffolding scripts of the shipped processes; once written, the .bpmn file is the source of
truth that analysts edit in a modeler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

COL, ROW, X0, Y0 = 150, 120, 200, 60
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "parallelGateway": (50, 50),
    "exclusiveGateway": (50, 50),
    "eventBasedGateway": (50, 50),
    "intermediateCatchEvent": (36, 36),
}
Flow = tuple[str, str, str, str | None]
Node = tuple[str, str, str, str, tuple[float, float], str]


def form(schema: str, instructions: str = "", prescript: str = "") -> str:
    extra = (
        f"<spiffworkflow:instructionsForEndUser>{escape(instructions)}</spiffworkflow:instructionsForEndUser>"
        if instructions
        else ""
    )
    if prescript:
        extra += f"<spiffworkflow:preScript>{escape(prescript)}</spiffworkflow:preScript>"
    return (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{schema}-schema.json" />'
        f'<spiffworkflow:property name="formUiSchemaFilename" value="{schema}-uischema.json" />'
        f"</spiffworkflow:properties>{extra}</bpmn:extensionElements>"
    )


def service(op: str, result: str, params: dict[str, str], retries: int | None = None) -> str:
    p = "".join(
        f'<spiffworkflow:parameter id={quoteattr(k)} type="any" value={quoteattr(v)} />'
        for k, v in params.items()
    )
    retry = f'<spiffworkflow:retry retries="{retries}" backoff_base="2" />' if retries is not None else ""
    return (
        f'<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="{op}" resultVariable="{result}">'
        f"<spiffworkflow:parameters>{p}</spiffworkflow:parameters>{retry}</spiffworkflow:serviceTaskOperator>"
        "</bpmn:extensionElements>"
    )


def script(src: str) -> str:
    return f"<bpmn:script>{escape(src)}</bpmn:script>"


def outcome(outcome_: str, reason: str) -> str:
    return script(f"outcome = '{outcome_}'\noutcome_reason = {reason}")


def error_definition(bid: str, error_id: str) -> str:
    return f'<bpmn:errorEventDefinition id="{bid}_def" errorRef="{error_id}" />'


def timer_definition(bid: str, time_date_expression: str) -> str:
    return (
        f'<bpmn:timerEventDefinition id="{bid}_def"><bpmn:timeDate>{escape(time_date_expression)}'
        "</bpmn:timeDate></bpmn:timerEventDefinition>"
    )


def timer_duration(bid: str, duration_expression: str) -> str:
    return (
        f'<bpmn:timerEventDefinition id="{bid}_def"><bpmn:timeDuration>{escape(duration_expression)}'
        "</bpmn:timeDuration></bpmn:timerEventDefinition>"
    )


def message_wait(bid: str, message: Message) -> str:
    """The event definition of a wait for `message`, keyed by the process variable of the same name as
    its correlation property (README "Messages from external systems")."""
    return (
        f'<bpmn:messageEventDefinition id="{bid}_def" messageRef="{message.id}"><bpmn:extensionElements>'
        f"<spiffworkflow:messageVariable>{message.variable}</spiffworkflow:messageVariable>"
        "<spiffworkflow:processVariableCorrelation>"
        f"<spiffworkflow:propertyId>{message.key}</spiffworkflow:propertyId>"
        f"<spiffworkflow:expression>{message.key}</spiffworkflow:expression>"
        "</spiffworkflow:processVariableCorrelation></bpmn:extensionElements></bpmn:messageEventDefinition>"
    )


@dataclass(frozen=True)
class Message:
    """A message the process waits for: its name, the variable its payload lands in, and the key (a
    process variable and the payload field of the same name)."""

    id: str
    name: str
    variable: str
    key: str


@dataclass
class Boundary:
    id: str
    attached_to: str
    definition: str
    at: tuple[float, float]
    lane: str
    interrupting: bool = True


@dataclass
class SubProcess:
    id: str
    nodes: list[tuple[str, str, str, tuple[float, float], str]]
    flows: list[Flow]
    size: tuple[float, float]


@dataclass
class Model:
    out: Path
    process_id: str
    process_name: str
    pool_name: str
    lanes: list[tuple[str, str, float]]  # lane id, lane name (a role id), height in rows
    nodes: list[Node]
    flows: list[Flow]
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (code, payload variable)
    boundaries: list[Boundary] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    subprocess: SubProcess | None = None
    width_cols: float = 25.5
    called: dict[str, str] = field(default_factory=dict)  # call activity id -> called process id
    messages: list[Message] = field(default_factory=list)
    process_extensions: str = ""  # the process's own extensionElements (e.g. startQualification)


def size(tag: str) -> tuple[int, int]:
    return SIZES.get(tag, (100, 80))


def pos(cr: tuple[float, float], tag: str) -> tuple[int, int, int, int]:
    w, h = size(tag)
    cx, cy = X0 + cr[0] * COL, Y0 + cr[1] * ROW + 60
    return int(cx - w / 2), int(cy - h / 2), w, h


def flows_of(flows: list[Flow], node: str) -> str:
    inc = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _s, t, _c in flows if t == node)
    out = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, s, _t, _c in flows if s == node)
    return inc + out


def element(model: Model, nid: str, tag: str, name: str, inner: str, flows: list[Flow]) -> str:
    attrs = f'id="{nid}" name={quoteattr(name)}'
    if nid in model.defaults:
        attrs += f' default="{model.defaults[nid]}"'
    if nid in model.called:
        attrs += f' calledElement="{model.called[nid]}"'
    ext = inner if inner.startswith("<bpmn:extensionElements>") else ""
    body = inner if not ext else ""
    return f"<bpmn:{tag} {attrs}>{ext}{flows_of(flows, nid)}{body}</bpmn:{tag}>"


def flow_xml(fid: str, src: str, tgt: str, cond: str | None) -> str:
    c = f"<bpmn:conditionExpression>{escape(cond)}</bpmn:conditionExpression>" if cond else ""
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{tgt}">{c}</bpmn:sequenceFlow>'


def write(model: Model) -> None:
    shapes: dict[str, tuple[int, int, int, int]] = {}
    parts = [_header(model)]
    parts.append(
        f'<bpmn:process id="{model.process_id}" name={quoteattr(model.process_name)} isExecutable="true">'
        + model.process_extensions
    )
    parts.append('<bpmn:laneSet id="lanes">')
    for lane_id, lane, _rows in model.lanes:
        refs = [n[0] for n in model.nodes if n[3] == lane] + [
            b.id for b in model.boundaries if b.lane == lane
        ]
        parts.append(
            f'<bpmn:lane id="{lane_id}" name="{lane}">'
            + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
            + "</bpmn:lane>"
        )
    parts.append("</bpmn:laneSet>")
    for nid, tag, name, _lane, cr, inner in model.nodes:
        sub = model.subprocess
        if sub is not None and nid == sub.id:
            parts.append(_subprocess_xml(model, sub, name))
            _subprocess_shapes(sub, cr, shapes)
        else:
            parts.append(element(model, nid, tag, name, inner, model.flows))
            shapes[nid] = pos(cr, tag)
    for b in model.boundaries:
        cancel = "true" if b.interrupting else "false"
        parts.append(
            f'<bpmn:boundaryEvent id="{b.id}" attachedToRef="{b.attached_to}" cancelActivity="{cancel}">'
            f"{flows_of(model.flows, b.id)}{b.definition}</bpmn:boundaryEvent>"
        )
        shapes[b.id] = pos(b.at, "boundaryEvent")
    parts.extend(flow_xml(*f) for f in model.flows)
    parts.append("</bpmn:process>")
    parts.extend(_diagram(model, shapes))
    model.out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {model.out}")


def _header(model: Model) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="defs_{model.process_id}" targetNamespace="https://fieldbank.example/bpmn">',
    ]
    for eid, (code, var) in model.errors.items():
        parts.append(
            f'<bpmn:error id="{eid}" name="{code}" errorCode="{code}"><bpmn:extensionElements>'
            f"<spiffworkflow:variableName>{var}</spiffworkflow:variableName></bpmn:extensionElements></bpmn:error>"
        )
    keys = "".join(
        f'<bpmn:correlationKey name="{m.key}"><bpmn:correlationPropertyRef>{m.key}</bpmn:correlationPropertyRef>'
        "</bpmn:correlationKey>"
        for m in model.messages
    )
    parts.append(
        f'<bpmn:collaboration id="collab_{model.process_id}"><bpmn:participant id="pool_bank" '
        f'name={quoteattr(model.pool_name)} processRef="{model.process_id}" />{keys}</bpmn:collaboration>'
    )
    for m in model.messages:
        parts.append(f'<bpmn:message id="{m.id}" name="{m.name}" />')
        parts.append(
            f'<bpmn:correlationProperty id="{m.key}" name="{m.key}">'
            f'<bpmn:correlationPropertyRetrievalExpression messageRef="{m.id}">'
            f"<bpmn:messagePath>{m.key}</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>"
            "</bpmn:correlationProperty>"
        )
    return "\n".join(parts)


def _subprocess_xml(model: Model, sub: SubProcess, name: str) -> str:
    inner = "".join(element(model, s[0], s[1], s[2], s[4], sub.flows) for s in sub.nodes)
    inner += "".join(flow_xml(*f) for f in sub.flows)
    return f'<bpmn:subProcess id="{sub.id}" name={quoteattr(name)}>{flows_of(model.flows, sub.id)}{inner}</bpmn:subProcess>'


def _subprocess_shapes(
    sub: SubProcess, cr: tuple[float, float], shapes: dict[str, tuple[int, int, int, int]]
) -> None:
    x, y = X0 + cr[0] * COL - 60, Y0 + cr[1] * ROW - 60
    shapes[sub.id] = (int(x), int(y), int(sub.size[0] * COL), int(sub.size[1] * ROW))
    for s in sub.nodes:
        w, h = size(s[1])
        cx, cy = x + s[3][0] * COL + 40, y + s[3][1] * ROW + 60
        shapes[s[0]] = (int(cx - w / 2), int(cy - h / 2), w, h)


def _diagram(model: Model, shapes: dict[str, tuple[int, int, int, int]]) -> list[str]:
    parts = [
        f'<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="collab_{model.process_id}">'
    ]
    width = int(X0 + model.width_cols * COL)
    total_rows = sum(rows for _i, _n, rows in model.lanes)
    parts.append(
        f'<bpmndi:BPMNShape id="pool_bank_di" bpmnElement="pool_bank" isHorizontal="true">'
        f'<dc:Bounds x="60" y="20" width="{width}" height="{int(total_rows * ROW)}" /></bpmndi:BPMNShape>'
    )
    top = 20
    for lane_id, _lane, rows in model.lanes:
        parts.append(
            f'<bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
            f'<dc:Bounds x="90" y="{top}" width="{width - 30}" height="{int(rows * ROW)}" /></bpmndi:BPMNShape>'
        )
        top += int(rows * ROW)
    for sid, (x, y, w, h) in shapes.items():
        expanded = ' isExpanded="true"' if model.subprocess is not None and sid == model.subprocess.id else ""
        parts.append(
            f'<bpmndi:BPMNShape id="{sid}_di" bpmnElement="{sid}"{expanded}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        )
    sub_flows = model.subprocess.flows if model.subprocess else []
    for fid, src, tgt, _c in model.flows + sub_flows:
        sx, sy, sw, sh = shapes[src]
        tx, ty, tw, th = shapes[tgt]
        parts.append(
            f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">'
            f'<di:waypoint x="{sx + sw // 2}" y="{sy + sh // 2}" />'
            f'<di:waypoint x="{tx + tw // 2}" y="{ty + th // 2}" /></bpmndi:BPMNEdge>'
        )
    parts.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>")
    return parts
