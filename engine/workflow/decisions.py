"""Analyst-owned DMN decision tables (`processes/decisions/*.dmn`), read and evaluated by SpiffWorkflow.

A table is evaluated exactly as a business rule task in a diagram would evaluate it: SpiffWorkflow's
`DMNEngine` with FieldBank's script engine, so cells are *Python* expressions (not FEEL) under the same
safety check and curated globals as every other BPMN expression (reference §4.5, §6). Only the first
decision of a file and the first table of a decision are read by the library; we refuse files that
have more instead of silently ignoring them. Hit policies: UNIQUE and FIRST both return the first
matching row (the library does not check uniqueness), COLLECT returns lists; any other policy is
refused because the library would quietly treat it as FIRST.

`validate_decision` reports problems as `DefinitionProblem(file, element_id, reason)` for
`fieldbank processes validate`; a `DecisionContract` adds a decision's own checks (names it must read
and write, and sample inputs every one of which must reach a row with a sensible output).
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from crypto import sm3
from engine.errors import DefinitionProblem, ProcessDefinitionError
from engine.workflow.spiff import FieldBankScriptEngine, UnsafeScript, check_script_safety

SUPPORTED_HIT_POLICIES = frozenset({"UNIQUE", "FIRST", "COLLECT"})
_ANY = "-"  # DMN's "no condition" cell
_INPUT_PLACEHOLDER = "dmninputexpr"  # what the library substitutes for "?" in a cell
_ROW = re.compile(r"row (\d+)")


@dataclass(frozen=True)
class DecisionContract:
    """What one decision must look like to the Python code that calls it.

    `inputs`: the only task-data names its input expressions may read; `outputs`: the output names it
    must produce. `samples` yields input dicts that must each reach a row; `check_output` returns why an
    output is wrong (None when it is fine).
    """

    inputs: frozenset[str]
    outputs: frozenset[str]
    samples: Callable[[], Iterable[Mapping[str, Any]]] = lambda: ()
    check_output: Callable[[Mapping[str, Any]], str | None] = lambda _out: None


@dataclass(frozen=True)
class Decision:
    """One parsed decision table; `content_sm3` identifies the exact file for the evidence trail."""

    file: str
    decision_id: str
    name: str
    table_id: str
    hit_policy: str
    input_expressions: tuple[str, ...]
    output_names: tuple[str, ...]
    rule_ids: tuple[str, ...]
    content_sm3: str
    _table: Any = field(repr=False, compare=False)

    def evaluate(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs of the first matching row (lists of every match under COLLECT).

        Raises `ProcessDefinitionError` naming the rule whose cell failed, or the table when no row
        matched: both are defects of the table, not of the customer's answers.
        """
        task = _EvaluationTask(dict(inputs), self.decision_id, self.file)
        try:
            result = DMNEngine(self._table).result(task)
        except (SpiffWorkflowException, UnsafeScript) as exc:
            raise ProcessDefinitionError([self._problem(self._failed_rule(exc), _first_line(exc))]) from exc
        if not result and self.hit_policy != "COLLECT":
            shown = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
            raise ProcessDefinitionError([self._problem(self.table_id, f"no rule matches {shown}")])
        return dict(result)

    def _failed_rule(self, exc: Exception) -> str:
        notes = " ".join([*getattr(exc, "notes", []), *getattr(exc, "__notes__", [])])
        found = _ROW.search(notes)
        if found and 0 < int(found.group(1)) <= len(self.rule_ids):
            return self.rule_ids[int(found.group(1)) - 1]
        return self.table_id

    def _problem(self, element_id: str, reason: str) -> DefinitionProblem:
        return DefinitionProblem(self.file, element_id, reason)


_SCRIPT_ENGINE = FieldBankScriptEngine(frozenset())


class _EvaluationTask:
    """What `DMNEngine` and its error reporting need of a task: data, a spec name, a workflow."""

    def __init__(self, data: dict[str, Any], decision_id: str, filename: str) -> None:
        self.data = data
        self.task_spec = SimpleNamespace(name=decision_id, bpmn_name=decision_id, bpmn_id=decision_id)
        self.workflow = SimpleNamespace(script_engine=_SCRIPT_ENGINE, spec=SimpleNamespace(file=filename))
        self.workflow.top_workflow = self.workflow


def load_decision(raw: bytes, filename: str) -> Decision:
    """Parse one .dmn file; `ProcessDefinitionError` with every problem found if it is not usable."""
    decision, problems = _parse(raw, filename)
    if decision is None or problems:
        raise ProcessDefinitionError(problems)
    return decision


_file_cache: dict[Path, tuple[tuple[int, int], Decision]] = {}
_file_cache_lock = threading.Lock()


def load_decision_file(path: Path) -> Decision:
    """`load_decision` of a file on disk, parsed again only when the file changed."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    decision = load_decision(path.read_bytes(), path.name)
    with _file_cache_lock:
        _file_cache[path] = (stamp, decision)
    return decision


def evaluate_decision(path: Path, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return load_decision_file(path).evaluate(inputs)


def validate_decision(
    raw: bytes, filename: str, contracts: Mapping[str, DecisionContract] | None = None
) -> list[DefinitionProblem]:
    """Every problem that should stop a deploy of this .dmn file; empty means deployable."""
    decision, problems = _parse(raw, filename)
    if decision is None or problems:
        return problems
    contract = (contracts or {}).get(decision.decision_id)
    return _contract_problems(decision, contract) if contract else []


def validate_decision_file(
    path: Path, contracts: Mapping[str, DecisionContract] | None = None
) -> list[DefinitionProblem]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [DefinitionProblem(path.name, None, f"cannot read the file: {exc}")]
    return validate_decision(raw, path.name, contracts)


# --- parsing -----------------------------------------------------------------------------------------


def _parse(raw: bytes, filename: str) -> tuple[Decision | None, list[DefinitionProblem]]:
    def problem(element: str | None, reason: str) -> list[DefinitionProblem]:
        return [DefinitionProblem(filename, element or None, reason)]

    try:
        root = etree.fromstring(raw)
    except etree.XMLSyntaxError as exc:
        return None, problem(None, f"not well-formed XML: {exc}")
    namespace = etree.QName(root).namespace
    if namespace not in SCHEMAS or etree.QName(root).localname != "definitions":
        return None, problem(None, "not a DMN 1.1/1.2/1.3 <definitions> document")
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        return None, problem(None, f"a file must hold exactly one decision, found {len(decisions)}")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_dmn_xml(root, filename=filename)
        dmn_parser = next(iter(parser.dmn_parsers.values()))
        dmn_parser.parse()
    except SpiffWorkflowException as exc:
        return None, problem(_element_of(exc, root), _first_line(exc) + _line_suffix(exc))
    except (KeyError, IndexError) as exc:  # the library indexes attributes and columns without checks
        return None, problem(decisions[0].get("id"), f"incomplete decision table ({exc!r} missing)")
    parsed = dmn_parser.decision
    tables = parsed.decisionTables
    if len(tables) != 1:
        found = len(tables)
        return None, problem(parsed.id, f"a decision must hold exactly one decisionTable, found {found}")
    decision = _decision(parsed, tables[0], filename, raw)
    return decision, _table_problems(decision, tables[0], decisions[0], namespace)


def _decision(parsed: Any, table: Any, filename: str, raw: bytes) -> Decision:
    return Decision(
        file=filename,
        decision_id=parsed.id,
        name=parsed.name,
        table_id=table.id,
        hit_policy=table.hit_policy,
        input_expressions=tuple(i.expression or "" for i in table.inputs),
        output_names=tuple(o.name or "" for o in table.outputs),
        rule_ids=tuple(r.id for r in table.rules),
        content_sm3=sm3(raw).hex(),
        _table=table,
    )


def _element_of(exc: SpiffWorkflowException, root: Any) -> str | None:
    """The element id the library names, or else the nearest element with an id on the reported line."""
    element = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", "")
    if element or not isinstance(line, int):
        return element
    on_line = [e for e in root.iter() if e.sourceline == line and e.get("id")]
    return on_line[0].get("id") if on_line else None


def _line_suffix(exc: Exception) -> str:
    line = getattr(exc, "line_number", "")
    return f" (line {line})" if isinstance(line, int) and line else ""


def _first_line(exc: Exception) -> str:
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


# --- structure and cells -----------------------------------------------------------------------------


def _table_problems(decision: Decision, table: Any, element: Any, namespace: str) -> list[DefinitionProblem]:
    out: list[DefinitionProblem] = []

    def add(element_id: str, reason: str) -> None:
        out.append(DefinitionProblem(decision.file, element_id, reason))

    if table.hit_policy not in SUPPORTED_HIT_POLICIES:
        add(table.id, f"hit policy {table.hit_policy} is not supported; use FIRST, UNIQUE or COLLECT")
    if not table.rules:
        add(table.id, "the table has no rules")
    for column in table.inputs:
        source = column.expression or ""
        reason = "the input has no expression" if not source.strip() else _cell_problem(source, "eval")
        if reason:
            add(column.id, reason)
    for column in table.outputs:
        if not column.name:
            add(column.id, "the output needs a name: it is the task-data key the decision writes")
    entry_counts = _entry_counts(element, namespace)
    for rule in table.rules:
        inputs, outputs = entry_counts.get(rule.id, (0, 0))
        if (inputs, outputs) != (len(table.inputs), len(table.outputs)):
            add(
                rule.id,
                f"the rule has {inputs} input and {outputs} output cells; the table has "
                f"{len(table.inputs)} inputs and {len(table.outputs)} outputs",
            )
        for entry in rule.inputEntries:
            reason = _input_cell_problem(entry.lhs[0] if entry.lhs else None)
            if reason:
                add(entry.id, reason)
        for entry in rule.outputEntries:
            reason = _cell_problem(entry.text, "eval") if entry.text else "the output cell is empty"
            if reason:
                add(entry.id, reason)
    return out


def _entry_counts(decision_element: Any, namespace: str) -> dict[str, tuple[int, int]]:
    """Cells per rule, counted in the XML (the library stops silently at the shorter side)."""
    counts = {}
    for rule in decision_element.iter(f"{{{namespace}}}rule"):
        counts[rule.get("id")] = (
            len(rule.findall(f"{{{namespace}}}inputEntry")),
            len(rule.findall(f"{{{namespace}}}outputEntry")),
        )
    return counts


def _input_cell_problem(text: str | None) -> str | None:
    """A cell is a value (`"C1"`, `True`), a comparison tail (`>= 70`) or a test with `?` (`1 <= ? <= 5`)."""
    if text is None or text.strip() in ("", _ANY):
        return None
    if "?" in text:
        return _cell_problem(text.replace("?", _INPUT_PLACEHOLDER), "eval")
    if _cell_problem(text, "eval") is None:
        return None
    if _cell_problem(f"v {text}", "eval") is None:
        return None
    return f"cell {text!r} is neither a value nor a comparison such as '>= 70' or '1 <= ? <= 5'"


def _cell_problem(source: str, mode: str) -> str | None:
    try:
        check_script_safety(source, mode)
        ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return f"cell {source!r} is not a Python expression: {exc.msg}"
    except UnsafeScript as exc:
        return f"cell {source!r}: {exc}"
    return None


# --- contracts ---------------------------------------------------------------------------------------


def _contract_problems(decision: Decision, contract: DecisionContract) -> list[DefinitionProblem]:
    out: list[DefinitionProblem] = []
    read = set().union(*(_names(source) for source in decision.input_expressions))
    unknown = read - contract.inputs
    if unknown:
        reason = f"inputs read {sorted(unknown)}, which FieldBank does not provide"
        out.append(_at(decision, decision.table_id, reason))
    missing = contract.outputs - set(decision.output_names)
    if missing:
        out.append(_at(decision, decision.table_id, f"outputs {sorted(missing)} are missing"))
    if out:
        return out
    for sample in contract.samples():
        try:
            result = decision.evaluate(sample)
        except ProcessDefinitionError as exc:
            return [*out, *exc.problems]
        wrong = contract.check_output(result)
        if wrong:
            shown = ", ".join(f"{k}={v!r}" for k, v in sample.items())
            return [*out, _at(decision, decision.table_id, f"for {shown}: {wrong}")]
    return out


def _names(source: str) -> set[str]:
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _at(decision: Decision, element_id: str, reason: str) -> DefinitionProblem:
    return DefinitionProblem(decision.file, element_id, reason)
