"""The process catalogue: parse, lint and describe the BPMN and DMN files an analyst hands over.

Layout: `processes/*.bpmn` are journeys (each process in them is deployed and can be started);
`processes/shared/*.bpmn` are libraries: processes that journeys reach through call activities, linted
like any other file but never deployed or started on their own; `processes/decisions/*.dmn` are the
decision tables business rule tasks name. A journey is parsed together with everything it calls and
every decision it (or a called process) uses, and its version pins that whole bundle: the specs are
serialized together and the content hash covers every file, so editing a shared file redeploys each
journey that uses it while running instances stay on the version they started on.

Validation names file, element id and reason for every problem (ARCHITECTURE decision 2), and goes
beyond the library's XSD check: forms, operators, lanes, gateways, every expression, and every call
activity target and decision id resolved inside the bundle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from engine.errors import DefinitionProblem
from engine.message_lint import lint_messages
from engine.people.roles import role_for_lane
from engine.workflow.decisions import DecisionContract, validate_decision
from engine.workflow.spiff import BpmnRejected, UnsafeScript, check_script_safety, parse_bundle
from forms.catalogue import FormCatalogue

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
LIBRARY_DIR = "shared"
DECISIONS_DIR = "decisions"


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
    dependencies: list[str] = field(default_factory=list)
    """The shared BPMN and DMN files (relative to processes/) this version pins besides its own file."""
    start_qualification: str | None = None
    """The qualification a field officer must hold to start it (the process's `startQualification`
    property, e.g. credit-card face signing)."""


@dataclass
class ValidationReport:
    processes: list[ParsedProcess]
    problems: list[DefinitionProblem]


@dataclass
class SourceFile:
    """One BPMN or DMN file as read, with what it defines and what it refers to."""

    name: str  # relative to the processes folder: "debit_card_opening.bpmn", "shared/x.bpmn"
    raw: bytes
    root: Any
    library: bool = False
    decision: bool = False
    defines: list[str] = field(default_factory=list)  # process ids, or decision ids of a DMN file
    calls: list[tuple[str, str]] = field(default_factory=list)  # (call activity id, process id)
    uses: list[tuple[str, str]] = field(default_factory=list)  # (business rule task id, decision id)


@dataclass
class Catalogue:
    """Every readable file of a processes folder, indexed by the process and decision ids they define."""

    files: dict[str, SourceFile] = field(default_factory=dict)
    process_file: dict[str, str] = field(default_factory=dict)
    decision_file: dict[str, str] = field(default_factory=dict)
    problems: list[DefinitionProblem] = field(default_factory=list)

    def add(self, source: SourceFile) -> None:
        index = self.decision_file if source.decision else self.process_file
        for defined in source.defines:
            if defined in index:
                kind = "decision" if source.decision else "process"
                self.problems.append(
                    DefinitionProblem(source.name, defined, f"{kind} id is also defined in {index[defined]}")
                )
                continue
            index[defined] = source.name
        self.files[source.name] = source

    def closure(self, name: str) -> list[str]:
        """The file and every file it reaches through call activities and decision ids, in order."""
        seen: dict[str, None] = {}
        todo = [name]
        while todo:
            current = todo.pop(0)
            if current in seen or current not in self.files:
                continue
            seen[current] = None
            source = self.files[current]
            todo += [self.process_file[p] for _e, p in source.calls if p in self.process_file]
            todo += [self.decision_file[d] for _e, d in source.uses if d in self.decision_file]
        return list(seen)


def load_lane_roles(processes_dir: Path) -> dict[str, str]:
    path = processes_dir / "lanes.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def read_catalogue(processes_dir: Path) -> Catalogue:
    catalogue = Catalogue()
    paths = [
        *sorted(processes_dir.glob("*.bpmn")),
        *sorted((processes_dir / LIBRARY_DIR).glob("*.bpmn")),
        *sorted((processes_dir / DECISIONS_DIR).glob("*.dmn")),
    ]
    for path in paths:
        name = path.relative_to(processes_dir).as_posix()
        raw = path.read_bytes()
        try:
            root = etree.fromstring(raw)
        except etree.XMLSyntaxError as exc:
            catalogue.problems.append(DefinitionProblem(name, None, f"not well-formed XML: {exc}"))
            continue
        catalogue.add(_index(name, raw, root))
    return catalogue


def _index(name: str, raw: bytes, root: Any) -> SourceFile:
    if name.endswith(".dmn"):
        decisions = [el.get("id") for el in root.iter() if etree.QName(el).localname == "decision"]
        return SourceFile(name, raw, root, decision=True, defines=[d for d in decisions if d])
    source = SourceFile(name, raw, root, library=name.startswith(f"{LIBRARY_DIR}/"))
    source.defines = [p.get("id") for p in root.iterfind("bpmn:process", NS) if p.get("id")]
    source.calls = [
        (el.get("id"), el.get("calledElement") or "") for el in root.iterfind(".//bpmn:callActivity", NS)
    ]
    for task in root.iterfind(".//bpmn:businessRuleTask", NS):
        ref = task.find(".//spiffworkflow:calledDecisionId", NS)
        source.uses.append((task.get("id"), (ref.text or "").strip() if ref is not None else ""))
    return source


def validate_directory(
    processes_dir: Path,
    forms: FormCatalogue,
    operations: Iterable[str],
    decisions: Mapping[str, DecisionContract] | None = None,
) -> ValidationReport:
    """Every journey, shared process and decision table of the folder (each table with its contract in
    `decisions`, the declared journeys' `OperationRegistry.decisions`); journeys come back deployable."""
    catalogue = read_catalogue(processes_dir)
    return _validate(
        catalogue, list(catalogue.files), forms, set(operations), load_lane_roles(processes_dir), decisions
    )


def validate_file(
    path: Path,
    forms: FormCatalogue,
    operations: set[str],
    lane_roles: dict[str, str],
    processes_dir: Path | None = None,
    decisions: Mapping[str, DecisionContract] | None = None,
) -> ValidationReport:
    """One file with the shared processes and decisions it uses, read from `processes_dir` (default:
    the folder the file is in, or above it for a file in shared/)."""
    if processes_dir is None:
        processes_dir = path.parent.parent if path.parent.name == LIBRARY_DIR else path.parent
    catalogue = read_catalogue(processes_dir)
    try:
        name = path.relative_to(processes_dir).as_posix()
    except ValueError:
        name = path.name
    if name not in catalogue.files and not any(p.file == name for p in catalogue.problems):
        raw = path.read_bytes()
        try:
            catalogue.add(_index(name, raw, etree.fromstring(raw)))
        except etree.XMLSyntaxError as exc:
            return ValidationReport([], [DefinitionProblem(name, None, f"not well-formed XML: {exc}")])
    own = [p for p in catalogue.problems if p.file == name]
    if name not in catalogue.files:
        return ValidationReport([], own)
    catalogue.problems = own
    report = _validate(catalogue, catalogue.closure(name), forms, operations, lane_roles, decisions)
    report.processes = [p for p in report.processes if p.file == name]
    return report


def _validate(
    catalogue: Catalogue,
    names: list[str],
    forms: FormCatalogue,
    operations: set[str],
    lane_roles: dict[str, str],
    decisions: Mapping[str, DecisionContract] | None = None,
) -> ValidationReport:
    """Lint each file, then parse each BPMN file with its bundle; a file is described only when it and
    everything it uses are clean (a broken shared file is reported once, at the shared file)."""
    problems = list(catalogue.problems)
    broken: set[str] = {p.file for p in problems}
    for name in names:
        source = catalogue.files[name]
        if source.decision:
            found = validate_decision(source.raw, name, decisions)
        else:
            found = _lint_xml(name, source.root, forms, operations, lane_roles)
        found += _lint_references(catalogue, source)
        if found:
            broken.add(name)
            problems += found
    specs: dict[str, list[tuple[str, Any, dict[str, Any]]]] = {}
    for name in names:
        source = catalogue.files[name]
        if source.decision or name in broken:
            continue
        bundle = catalogue.closure(name)
        bad = [dep for dep in bundle[1:] if dep in broken]
        if bad:
            problems.append(DefinitionProblem(name, None, f"uses {', '.join(bad)}, which has problems"))
            continue
        try:
            specs[name] = parse_bundle(
                [(n, catalogue.files[n].raw) for n in bundle if not catalogue.files[n].decision],
                [(n, catalogue.files[n].raw) for n in bundle if catalogue.files[n].decision],
                source.defines,
            )
        except BpmnRejected as exc:
            file = exc.file if exc.file in catalogue.files else name
            problems.append(DefinitionProblem(file, exc.element, exc.reason))
            broken.add(name)
    processes = [
        _describe(pid, spec, subs, catalogue, name, forms, lane_roles)
        for name, parsed in specs.items()
        if not catalogue.files[name].library
        for pid, spec, subs in parsed
    ]
    return ValidationReport(processes, problems)


def _lint_references(catalogue: Catalogue, source: SourceFile) -> list[DefinitionProblem]:
    """Call activities must name a process of processes/shared/, business rule tasks a known decision."""
    problems = []
    for element, target in source.calls:
        where = catalogue.process_file.get(target)
        if not target:
            problems.append(DefinitionProblem(source.name, element, "call activity names no calledElement"))
        elif where is None:
            problems.append(
                DefinitionProblem(
                    source.name, element, f"calls process {target!r}, which no file in {LIBRARY_DIR}/ defines"
                )
            )
        elif not catalogue.files[where].library:
            problems.append(
                DefinitionProblem(
                    source.name,
                    element,
                    f"calls process {target!r} of the journey {where}; only {LIBRARY_DIR}/ is callable",
                )
            )
    for element, decision in source.uses:
        if decision not in catalogue.decision_file:
            problems.append(
                DefinitionProblem(
                    source.name,
                    element,
                    f"uses decision {decision!r}, which no file in {DECISIONS_DIR}/ defines"
                    if decision
                    else "business rule task names no decision (calledDecisionId)",
                )
            )
    return problems


def _describe(
    pid: str,
    spec: Any,
    subs: dict[str, Any],
    catalogue: Catalogue,
    name: str,
    forms: FormCatalogue,
    lane_roles: dict[str, str],
) -> ParsedProcess:
    bundle = [catalogue.files[n] for n in catalogue.closure(name)]
    root, raw = bundle[0].root, bundle[0].raw
    form_files: dict[str, Any] = {}
    for filename in sorted(set().union(*(_form_filenames(f.root) for f in bundle if not f.decision))):
        form_files[filename] = json.loads((forms.directory / filename).read_text(encoding="utf-8"))
    process_el = root.find(f"bpmn:process[@id='{pid}']", NS)
    title = process_el.get("name") if process_el is not None and process_el.get("name") else pid
    qualification = _process_property(process_el, "startQualification")
    lanes = {
        lane.get("name") for f in bundle if not f.decision for lane in f.root.iterfind(".//bpmn:lane", NS)
    }
    digest = hashlib.sha256(raw + json.dumps(form_files, sort_keys=True).encode())
    for dependency in sorted(bundle[1:], key=lambda f: f.name):  # a journey on its own hashes as before
        digest.update(b"\0" + dependency.name.encode() + b"\0" + dependency.raw)
    return ParsedProcess(
        process_id=pid,
        name=title,
        file=name,
        xml=raw.decode("utf-8"),
        sha=digest.hexdigest(),
        spec=spec,
        subprocess_specs=subs,
        forms=form_files,
        lane_roles={lane: role_for_lane(lane, lane_roles) or "" for lane in lanes if lane},
        dependencies=sorted(f.name for f in bundle[1:]),
        start_qualification=qualification,
    )


def _process_property(process_el: Any, name: str) -> str | None:
    """A `spiffworkflow:property` of the process itself (not of a task inside it)."""
    if process_el is None:
        return None
    for prop in process_el.iterfind(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    ):
        if prop.get("name") == name and prop.get("value"):
            return str(prop.get("value"))
    return None


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
    problems += _lint_ids(name, root)
    return problems


def _lint_ids(name: str, root: Any) -> list[DefinitionProblem]:
    """Ids of BPMN elements must be unique, and no service-task parameter may be named like a flow
    element: the library resolves a flow's target by id over the whole file, so it would wire the flow
    to the parameter, with an error that names neither."""
    bpmn: dict[str, list[str]] = {}
    flow_elements: set[str] = set()
    for element in root.iter():
        if (
            not isinstance(element.tag, str)
            or etree.QName(element).namespace != BPMN_NS
            or not element.get("id")
        ):
            continue
        bpmn.setdefault(element.get("id"), []).append(etree.QName(element).localname)
        parent = element.getparent()
        if parent is not None and etree.QName(parent).localname in ("process", "subProcess"):
            flow_elements.add(element.get("id"))
    problems = [
        DefinitionProblem(
            name, element_id, f"id used by {len(tags)} elements ({', '.join(tags)}); ids must be unique"
        )
        for element_id, tags in bpmn.items()
        if len(tags) > 1
    ]
    for param in root.iterfind(".//spiffworkflow:parameter", NS):
        if param.get("id") in flow_elements:
            problems.append(
                DefinitionProblem(
                    name, param.get("id"), "a service-task parameter has the id of a flow element; rename one"
                )
            )
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
