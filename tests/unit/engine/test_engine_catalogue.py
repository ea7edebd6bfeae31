"""`fieldbank processes validate`: bad BPMN is refused with file, element id and reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.bootstrap import operation_registry as build_operation_registry
from engine.catalogue import validate_directory, validate_file
from engine.settings import REPO_ROOT
from forms.catalogue import FormCatalogue

J1 = REPO_ROOT / "processes" / "debit_card_opening.bpmn"
FORMS = FormCatalogue(REPO_ROOT / "forms" / "definitions")
REGISTRY = build_operation_registry()
OPERATIONS = set(REGISTRY)


SHARED = REPO_ROOT / "processes" / "shared"


def broken_copy(tmp_path: Path, old: str, new: str, count: int = 1, file: str = J1.name) -> Path:
    """J1 and the shared processes it calls, copied to tmp_path with one edit in `file`."""
    shutil.copy(J1, tmp_path / J1.name)
    shutil.copytree(SHARED, tmp_path / "shared", dirs_exist_ok=True)
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return tmp_path / J1.name


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in validate_file(path, FORMS, OPERATIONS, {}).problems]


def test_the_shipped_processes_validate_clean() -> None:
    report = validate_directory(REPO_ROOT / "processes", FORMS, OPERATIONS)
    assert report.problems == []
    assert {p.process_id for p in report.processes} == {
        "debit_card_opening",
        "credit_card_face_sign",
        "Process_account_opening",
        "post_supervision",
        "wealth_risk_assessment",
    }
    [j2] = [p for p in report.processes if p.process_id == "credit_card_face_sign"]
    assert j2.start_qualification == "credit_card_face_sign"  # the process's own startQualification
    assert "shared/customer_identification.bpmn" in j2.dependencies


def test_a_gateway_flow_without_condition_or_default_is_refused(tmp_path: Path) -> None:
    path = broken_copy(
        tmp_path,
        '<bpmn:exclusiveGateway id="id_ok" name="证件可受理?" default="f5">',
        '<bpmn:exclusiveGateway id="id_ok" name="证件可受理?">',
    )
    problems = problems_of(path)
    assert (
        "debit_card_opening.bpmn:id_ok: outgoing flow 'f5' has no condition and is not the default"
        in problems
    )
    # SpiffWorkflow's own parser names the flow too; every problem points at an element
    assert all(
        p.startswith("debit_card_opening.bpmn:id_ok:") or p.startswith("debit_card_opening.bpmn:f5:")
        for p in problems
    )


def test_a_missing_form_is_refused_with_the_task_id(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "debit-card-card-scan-schema.json", "debit-card-no-such-schema.json")
    [problem] = problems_of(path)
    assert problem.startswith("debit_card_opening.bpmn:card_scan: form debit-card-no-such-schema.json")
    assert "not found" in problem


def test_a_problem_in_a_shared_process_is_reported_there_and_blocks_its_callers(tmp_path: Path) -> None:
    path = broken_copy(
        tmp_path,
        "debit-card-otp-schema.json",
        "debit-card-no-such-schema.json",
        file="shared/mobile_verification.bpmn",
    )
    first, second = problems_of(path)
    assert first.startswith("shared/mobile_verification.bpmn:otp_entry: form debit-card-no-such-schema.json")
    assert second.startswith("debit_card_opening.bpmn: uses ") and "shared/mobile_verification.bpmn" in second


def test_a_missing_shared_process_is_refused_at_the_call_activity(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'calledElement="face_verification"', 'calledElement="face_check"')
    assert problems_of(path) == [
        "debit_card_opening.bpmn:verify_face: calls process 'face_check', which no file in shared/ defines"
    ]


def test_an_unregistered_operator_is_refused(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'id="core.check_card"', 'id="core.check_cards"')
    assert problems_of(path) == [
        "debit_card_opening.bpmn:check_card: operator 'core.check_cards' is not registered"
    ]


def test_a_lane_without_a_role_is_refused(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'name="authorizer"', 'name="Approvers"')
    assert problems_of(path) == ["debit_card_opening.bpmn:lane_authorizer: lane 'Approvers' maps to no role"]


@pytest.mark.parametrize(
    ("old", "new", "element", "reason"),
    [
        (
            "len(account_decision[&apos;authorization_reasons&apos;]) &gt; 0",
            "len(account_decision[",
            "f29",
            "does not compile",
        ),
        (
            "card_rejections = card_rejections + 1",
            "import os",
            "count_card_rejection",
            "import is not allowed",
        ),
        ("card_rejections &gt;= 3", "().__class__ &gt;= 3", "f60", "private attribute"),
    ],
)
def test_scripts_and_conditions_that_do_not_compile_or_escape_are_refused(
    tmp_path: Path, old: str, new: str, element: str, reason: str
) -> None:
    text = J1.read_text(encoding="utf-8")
    if old not in text:  # the generator may escape quotes differently
        old = old.replace("&apos;", "'")
    path = broken_copy(tmp_path, old, new)
    [problem] = problems_of(path)
    assert problem.startswith(f"debit_card_opening.bpmn:{element}: ") and reason in problem


def test_unparseable_xml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.bpmn"
    path.write_text("<bpmn:definitions", encoding="utf-8")
    [problem] = problems_of(path)
    assert problem.startswith("bad.bpmn: not well-formed XML")


def test_the_cli_prints_each_problem_and_exits_non_zero(tmp_path: Path) -> None:
    from api.cli import app

    broken_copy(
        tmp_path,
        '<bpmn:exclusiveGateway id="id_ok" name="证件可受理?" default="f5">',
        '<bpmn:exclusiveGateway id="id_ok" name="证件可受理?">',
    )
    result = CliRunner().invoke(app, ["processes", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert re.search(r"ERROR debit_card_opening\.bpmn:id_ok: outgoing flow 'f5'", result.output)


def test_a_form_outside_the_renderers_subset_is_refused_when_the_bpmn_is_validated(tmp_path: Path) -> None:
    """The pages render a fixed subset of JSON Schema; a form beyond it fails here, not on a tablet."""
    forms_dir = tmp_path / "forms"
    forms_dir.mkdir()
    for source in (REPO_ROOT / "forms" / "definitions").glob("*.json"):
        (forms_dir / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    otp = forms_dir / "debit-card-otp-schema.json"
    otp.write_text(
        otp.read_text(encoding="utf-8").replace(
            '"required"', '"anyOf": [{"required": ["otp_code"]}], "required"', 1
        ),
        encoding="utf-8",
    )
    problems = [str(p) for p in validate_file(J1, FormCatalogue(forms_dir), OPERATIONS, {}).problems]
    assert problems, "an anyOf form must not deploy"
    *at_the_task, blocked_caller = problems
    assert all(p.startswith("shared/mobile_verification.bpmn:otp_entry:") for p in at_the_task)
    assert any("anyOf" in p for p in at_the_task)
    assert blocked_caller.startswith("debit_card_opening.bpmn: uses shared/mobile_verification.bpmn")


def test_validate_holds_decision_tables_to_their_contract(tmp_path: Path) -> None:
    """An analyst's edit that makes the risk-level table answer an unknown level is refused at the rule."""
    shutil.copytree(REPO_ROOT / "processes", tmp_path / "processes")
    table = tmp_path / "processes" / "decisions" / "wealth_risk_level.dmn"
    text = table.read_text(encoding="utf-8")
    broken = '<outputEntry id="rule_band_c1_level"><text>"C9"</text>'
    table.write_text(
        text.replace('<outputEntry id="rule_band_c1_level"><text>"C1"</text>', broken), encoding="utf-8"
    )
    # the contract is the declaring journey's, handed over with the operators
    report = validate_directory(tmp_path / "processes", FORMS, OPERATIONS, REGISTRY.decisions)
    [problem] = report.problems
    assert (problem.file, problem.element_id) == (
        "decisions/wealth_risk_level.dmn",
        "wealth_risk_level_table",
    )
    assert "got 'C9'" in problem.reason


def test_an_id_used_twice_is_refused_at_that_id(tmp_path: Path) -> None:
    """A parameter named like a task once made the parser wire a flow to the parameter (J2's eligibility)."""
    shutil.copytree(REPO_ROOT / "processes", tmp_path / "processes")
    broken = tmp_path / "processes" / "debit_card_opening.bpmn"
    text = broken.read_text(encoding="utf-8")
    collision = '<spiffworkflow:parameter id="decide_account"'
    broken.write_text(text.replace('<spiffworkflow:parameter id="cif"', collision, 1), encoding="utf-8")
    report = validate_file(broken, FORMS, OPERATIONS, {})
    assert any(
        p.element_id == "decide_account" and "has the id of a flow element" in p.reason
        for p in report.problems
    ), report.problems
