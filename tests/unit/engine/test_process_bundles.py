"""A journey deploys as a bundle: the shared processes it calls (processes/shared/) and the decision
tables it uses (processes/decisions/) are parsed with it, pinned in its version and covered by its sha."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalogue import validate_directory, validate_file
from engine.settings import REPO_ROOT
from engine.workflow.instance import WorkflowInstance
from engine.workflow.spiff import FieldBankScriptEngine, spec_from_json, spec_to_json
from forms.catalogue import FormCatalogue

FORMS = FormCatalogue(REPO_ROOT / "forms" / "definitions")

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{pid}" '
    'targetNamespace="https://fieldbank.example/bpmn">'
)


def process(pid: str, body: str, flows: list[tuple[str, str]]) -> str:
    """A straight-line process start -> ... -> end whose nodes are given in `body`."""
    xml = HEAD.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
    xml += '<bpmn:startEvent id="start" />' + body + '<bpmn:endEvent id="end" />'
    for i, (src, tgt) in enumerate(flows):
        xml += f'<bpmn:sequenceFlow id="f{i}" sourceRef="{src}" targetRef="{tgt}" />'
    return xml + "</bpmn:process></bpmn:definitions>"


def journey(call: str = "grade_customer", decision: str = "risk_band") -> str:
    return process(
        "graded_journey",
        f'<bpmn:businessRuleTask id="band"><bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision}'
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"
        f'<bpmn:callActivity id="grade" calledElement="{call}" />',
        [("start", "band"), ("band", "grade"), ("grade", "end")],
    )


def shared(script: str = "grade = band + '!'") -> str:
    return process(
        "grade_customer",
        f'<bpmn:scriptTask id="set_grade"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>',
        [("start", "set_grade"), ("set_grade", "end")],
    )


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_risk_band" name="risk band"
  namespace="https://fieldbank.example/dmn">
  <decision id="risk_band" name="风险等级">
    <decisionTable id="risk_band_table" hitPolicy="FIRST">
      <input id="in_score" label="score"><inputExpression id="in_score_expr" typeRef="integer">
        <text>score</text></inputExpression></input>
      <output id="out_band" name="band" typeRef="string" />
      <rule id="r_high"><inputEntry id="r_high_in"><text>&gt;= 60</text></inputEntry>
        <outputEntry id="r_high_out"><text>"HIGH"</text></outputEntry></rule>
      <rule id="r_low"><inputEntry id="r_low_in"><text>-</text></inputEntry>
        <outputEntry id="r_low_out"><text>"LOW"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def bundle(tmp_path: Path, **over: str) -> Path:
    files = {
        "graded_journey.bpmn": journey(),
        "shared/grade_customer.bpmn": shared(),
        "decisions/risk_band.dmn": DMN,
    }
    files.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in over.items()})
    return folder(tmp_path, files)


def problems(directory: Path) -> list[str]:
    return [str(p) for p in validate_directory(directory, FORMS, set()).problems]


def test_a_journey_runs_its_decision_table_and_called_process_from_the_deployed_spec(tmp_path: Path) -> None:
    report = validate_directory(bundle(tmp_path), FORMS, set())
    assert report.problems == []
    [parsed] = report.processes
    assert parsed.dependencies == ["decisions/risk_band.dmn", "shared/grade_customer.bpmn"]
    pair = spec_from_json(spec_to_json(parsed.spec, parsed.subprocess_specs))  # what a version stores
    assert "grade_customer" in pair[1]
    for score, grade in ((75, "HIGH!"), (20, "LOW!")):
        wf = WorkflowInstance.start(pair, FieldBankScriptEngine(frozenset()), {"score": score})
        wf.run()
        assert wf.completed and wf.data["grade"] == grade


def test_shared_processes_are_linted_but_never_deployable_journeys(tmp_path: Path) -> None:
    report = validate_directory(bundle(tmp_path), FORMS, set())
    assert [p.process_id for p in report.processes] == ["graded_journey"]
    broken = bundle(tmp_path, shared__grade_customer_dot_bpmn=shared("import os"))
    assert problems(broken) == [
        "shared/grade_customer.bpmn:set_grade: script refused: import is not allowed in scripts",
        "graded_journey.bpmn: uses shared/grade_customer.bpmn, which has problems",
    ]


def test_the_shipped_shared_processes_are_libraries_only() -> None:
    report = validate_directory(REPO_ROOT / "processes", FORMS, _operations())
    assert report.problems == []
    files = {p.file for p in report.processes}
    assert not any(f.startswith("shared/") for f in files)
    j1 = next(p for p in report.processes if p.process_id == "debit_card_opening")
    assert {d for d in j1.dependencies if d.startswith("shared/")} <= {
        f"shared/{p.name}" for p in (REPO_ROOT / "processes" / "shared").glob("*.bpmn")
    }
    assert set(j1.subprocess_specs) >= {"face_verification", "mobile_verification"}


def _operations() -> set[str]:
    from api.bootstrap import operation_registry

    return set(operation_registry())


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        (
            {"graded_journey_dot_bpmn": journey(call="grade_someone")},
            "graded_journey.bpmn:grade: calls process 'grade_someone', which no file in shared/ defines",
        ),
        (
            {"graded_journey_dot_bpmn": journey(decision="risk_bands")},
            "graded_journey.bpmn:band: uses decision 'risk_bands', which no file in decisions/ defines",
        ),
    ],
    ids=["missing-call-target", "missing-decision"],
)
def test_a_missing_call_target_or_decision_is_refused_with_file_and_element(
    tmp_path: Path, over: dict[str, str], expected: str
) -> None:
    assert problems(bundle(tmp_path, **over)) == [expected]


def test_a_journey_cannot_call_another_journey(tmp_path: Path) -> None:
    directory = bundle(tmp_path, graded_journey_dot_bpmn=journey(call="other_journey"))
    folder(directory, {"other.bpmn": process("other_journey", "", [("start", "end")])})
    assert problems(directory) == [
        "graded_journey.bpmn:grade: calls process 'other_journey' of the journey other.bpmn;"
        " only shared/ is callable"
    ]


def test_a_process_id_defined_twice_is_refused(tmp_path: Path) -> None:
    directory = bundle(tmp_path)
    folder(directory, {"shared/copy.bpmn": shared()})
    assert "shared/grade_customer.bpmn:grade_customer: process id is also defined in shared/copy.bpmn" in (
        problems(directory)
    )


def test_a_broken_decision_table_is_reported_at_the_dmn_file(tmp_path: Path) -> None:
    directory = bundle(tmp_path, decisions__risk_band_dot_dmn="<definitions")
    assert problems(directory)[0].startswith("decisions/risk_band.dmn: not well-formed XML")


def test_the_sha_covers_the_shared_files_a_journey_uses(tmp_path: Path) -> None:
    def sha(directory: Path) -> str:
        [parsed] = validate_directory(directory, FORMS, set()).processes
        return parsed.sha

    directory = bundle(tmp_path)
    before = sha(directory)
    assert sha(directory) == before
    folder(directory, {"shared/grade_customer.bpmn": shared("grade = band + '?'")})
    after_shared = sha(directory)
    folder(directory, {"decisions/risk_band.dmn": DMN.replace('"LOW"', '"MEDIUM"')})
    after_decision = sha(directory)
    assert len({before, after_shared, after_decision}) == 3
    folder(directory, {"shared/unused.bpmn": process("unused", "", [("start", "end")])})
    assert sha(directory) == after_decision  # a file the journey does not use leaves its version alone


def test_validate_file_reads_the_shared_files_next_to_it(tmp_path: Path) -> None:
    directory = bundle(tmp_path)
    report = validate_file(directory / "graded_journey.bpmn", FORMS, set(), {})
    assert report.problems == [] and [p.process_id for p in report.processes] == ["graded_journey"]
    assert validate_file(directory / "shared" / "grade_customer.bpmn", FORMS, set(), {}).processes == []
