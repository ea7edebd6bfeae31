"""The process catalogue: parse, lint and describe the BPMN files an analyst hands over.

Validation names file, element id and reason for every problem (ARCHITECTURE decision 2), and goes
beyond the library's XSD check: forms, operators, lanes, gateways and every expression.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from engine.errors import DefinitionProblem
from engine.message_lint import lint_messages
from engine.people.roles import role_for_lane
from engine.workflow.spiff import BpmnRejected, UnsafeScript, check_script_safety, parse_bpmn
from forms.catalogue import FormCatalogue

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


@dataclass
class ParsedProcess:
    """A validated process, ready to deploy: its spec pair and everything pinned with the version."""

    process_id: str
    name: str
    file: str
    xml: str
    sha: str
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, Any] = field(default_factory=dict)
    lane_roles: dict[str, str] = field(default_factory=dict)


@dataclass
class ValidationReport:
    processes: list[ParsedProcess]
    problems: list[DefinitionProblem]


def load_lane_roles(processes_dir: Path) -> dict[str, str]:
    path = processes_dir / "lanes.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def validate_directory(
    processes_dir: Path, forms: FormCatalogue, operations: Iterable[str]
) -> ValidationReport:
    lane_roles = load_lane_roles(processes_dir)
    report = ValidationReport([], [])
    for path in sorted(processes_dir.glob("*.bpmn")):
        one = validate_file(path, forms, set(operations), lane_roles)
        report.processes.extend(one.processes)
        report.problems.extend(one.problems)
    return report


def validate_file(
    path: Path, forms: FormCatalogue, operations: set[str], lane_roles: dict[str, str]
) -> ValidationReport:
    name = path.name
    raw = path.read_bytes()
    try:
        root = etree.fromstring(raw)
    except etree.XMLSyntaxError as exc:
        return ValidationReport([], [DefinitionProblem(name, None, f"not well-formed XML: {exc}")])
    problems = _lint_xml(name, root, forms, operations, lane_roles)
    try:
        specs = parse_bpmn(raw, name)
    except BpmnRejected as exc:
        return ValidationReport([], [*problems, DefinitionProblem(name, exc.element, exc.reason)])
    if problems:  # a described process pins its forms, which must exist
        return ValidationReport([], problems)
    return ValidationReport(
        [_describe(pid, spec, subs, name, raw, root, forms, lane_roles) for pid, spec, subs in specs], []
    )


def _describe(
    pid: str,
    spec: Any,
    subs: dict[str, Any],
    name: str,
    raw: bytes,
    root: Any,
    forms: FormCatalogue,
    lane_roles: dict[str, str],
) -> ParsedProcess:
    form_files: dict[str, Any] = {}
    for filename in sorted(_form_filenames(root)):
        form_files[filename] = json.loads((forms.directory / filename).read_text(encoding="utf-8"))
    process_el = root.find(f"bpmn:process[@id='{pid}']", NS)
    title = process_el.get("name") if process_el is not None and process_el.get("name") else pid
    lanes = {lane.get("name") for lane in root.iterfind(".//bpmn:lane", NS)}
    return ParsedProcess(
        process_id=pid,
        name=title,
        file=name,
        xml=raw.decode("utf-8"),
        sha=hashlib.sha256(raw + json.dumps(form_files, sort_keys=True).encode()).hexdigest(),
        spec=spec,
        subprocess_specs=subs,
        forms=form_files,
        lane_roles={lane: role_for_lane(lane, lane_roles) or "" for lane in lanes if lane},
    )


def _form_filenames(root: Any) -> set[str]:
    names = set()
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        if prop.get("name") in ("formJsonSchemaFilename", "formUiSchemaFilename") and prop.get("value"):
            names.add(prop.get("value"))
    return names


def _lint_xml(
    name: str, root: Any, forms: FormCatalogue, operations: set[str], lane_roles: dict[str, str]
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    problems += _lint_user_tasks(name, root, forms)
    problems += _lint_service_tasks(name, root, operations)
    problems += _lint_lanes(name, root, lane_roles)
    problems += _lint_gateways(name, root)
    problems += _lint_expressions(name, root)
    problems += lint_messages(name, root)
    return problems


def _lint_user_tasks(name: str, root: Any, forms: FormCatalogue) -> list[DefinitionProblem]:
    problems = []
    for task in root.iterfind(".//bpmn:userTask", NS):
        tid = task.get("id")
        props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        schema = props.get("formJsonSchemaFilename")
        if not schema:
            problems.append(DefinitionProblem(name, tid, "user task names no form (formJsonSchemaFilename)"))
            continue
        for form_problem in forms.lint_form(schema, props.get("formUiSchemaFilename")):
            where = f" at {form_problem.pointer}" if form_problem.pointer else ""
            problems.append(
                DefinitionProblem(name, tid, f"form {form_problem.file}{where}: {form_problem.reason}")
            )
    return problems


def _lint_service_tasks(name: str, root: Any, operations: set[str]) -> list[DefinitionProblem]:
    problems = []
    for task in root.iterfind(".//bpmn:serviceTask", NS):
        op = task.find(".//spiffworkflow:serviceTaskOperator", NS)
        if op is None or not op.get("id"):
            problems.append(DefinitionProblem(name, task.get("id"), "service task has no operator"))
        elif op.get("id") not in operations:
            problems.append(
                DefinitionProblem(name, task.get("id"), f"operator {op.get('id')!r} is not registered")
            )
    return problems


def _lint_lanes(name: str, root: Any, lane_roles: dict[str, str]) -> list[DefinitionProblem]:
    return [
        DefinitionProblem(name, lane.get("id"), f"lane {lane.get('name')!r} maps to no role")
        for lane in root.iterfind(".//bpmn:lane", NS)
        if role_for_lane(lane.get("name"), lane_roles) is None
    ]


def _lint_gateways(name: str, root: Any) -> list[DefinitionProblem]:
    problems = []
    flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for gateway in root.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        for flow in outgoing:
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            if not has_condition and flow.get("id") != default:
                problems.append(
                    DefinitionProblem(
                        name,
                        gateway.get("id"),
                        f"outgoing flow {flow.get('id')!r} has no condition and is not the default",
                    )
                )
    return problems


def _expressions(root: Any) -> Iterable[tuple[str | None, str, str, str]]:
    """(element id, kind, source, compile mode) of every snippet the engine will eval or exec."""
    for el in root.iterfind(".//bpmn:scriptTask", NS):
        script = el.find("bpmn:script", NS)
        if script is not None and script.text:
            yield el.get("id"), "script", script.text, "exec"
    for tag in ("preScript", "postScript"):
        for el in root.iterfind(f".//spiffworkflow:{tag}", NS):
            owner = el.getparent().getparent()
            if el.text:
                yield owner.get("id"), tag, el.text, "exec"
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        cond = flow.find("bpmn:conditionExpression", NS)
        if cond is not None and cond.text:
            yield flow.get("id"), "condition", cond.text, "eval"
    for param in root.iterfind(".//spiffworkflow:parameter", NS):
        task = param.getparent().getparent().getparent().getparent()
        yield task.get("id"), f"parameter {param.get('id')}", param.get("value") or "", "eval"


def _lint_expressions(name: str, root: Any) -> list[DefinitionProblem]:
    problems = []
    for element_id, kind, source, mode in _expressions(root):
        try:
            check_script_safety(source, mode)
            compile(source, f"{name}:{element_id}", mode)
        except SyntaxError as exc:
            problems.append(
                DefinitionProblem(name, element_id, f"{kind} does not compile: {exc.msg} (line {exc.lineno})")
            )
        except UnsafeScript as exc:
            problems.append(DefinitionProblem(name, element_id, f"{kind} refused: {exc}"))
    return problems
