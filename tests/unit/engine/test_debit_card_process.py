"""The J1 diagram itself, in memory with the real operations on the sandbox: every path, run straight
and through a save/restore of the engine state at every step (style.md, habit 6)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from typing import Any

import pytest

from api.bootstrap import operation_registry as build_operation_registry
from engine.adapters.sandbox.factory import SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.catalogue import validate_directory, validate_file
from engine.operations.registry import Adapters, OperationContext
from engine.otp import OtpService
from engine.settings import REPO_ROOT
from engine.workflow.instance import WorkflowInstance
from engine.workflow.spiff import SPEC_CACHE, FieldBankScriptEngine, spec_from_json, spec_to_json
from forms.catalogue import FormCatalogue
from forms.formats import id_birth_date, id_sex_code, luhn_check_digit
from tests.unit.engine.process_steps import run_service_call

OPS = build_operation_registry()
_report = validate_file(
    REPO_ROOT / "processes" / "debit_card_opening.bpmn",
    FormCatalogue(REPO_ROOT / "forms" / "definitions"),
    set(OPS),
    {},
)
_parsed = next(p for p in _report.processes if p.process_id == "debit_card_opening")
SPEC = spec_from_json(spec_to_json(_parsed.spec, _parsed.subprocess_specs))
SPEC_CACHE.put("test-j1", SPEC)


def card(seq: int) -> str:
    body = f"6219994201{seq:08d}"
    return body + luhn_check_digit(body)


class Journey:
    """Runs one J1 with scripted answers; `restore=True` reloads the engine from JSON after every step."""

    def __init__(self, restore: bool, spec: Any = SPEC) -> None:
        self.spec = spec
        store = InMemorySandboxStore()
        sandbox = build_sandbox_adapters(store, SandboxKnobs(latency_profile="zero"), sleep=lambda _s: None)
        self.adapters = Adapters(
            sandbox.identity, sandbox.face, sandbox.watchlist, sandbox.telco, sandbox.sms, sandbox.core
        )
        self.otp = OtpService(
            InMemorySandboxStore(), sandbox.sms, lambda: datetime.now(UTC), fixed_code="123456"
        )
        self.restore = restore
        self.engine = FieldBankScriptEngine(frozenset(OPS.inline_names()), self._inline)
        self.steps: list[str] = []
        self.errors: list[str] = []
        self.runs = 0

    def ctx(self, task_id: str) -> OperationContext:
        iid = f"j{self.runs}"
        return OperationContext(
            self.adapters, self.otp, f"{iid}:{task_id}", iid, "WH0101", "fo001", lambda: datetime.now(UTC)
        )

    def _inline(self, op: str, task_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return OPS.get(op).handler(self.ctx(task_id), params)

    def run(self, answers: dict[str, Any]) -> dict[str, Any]:
        self.runs += 1
        self.steps, self.errors = [], []
        wf = WorkflowInstance.start(self.spec, self.engine, {})
        wf.run()
        for _ in range(60):
            if self.restore:
                wf = WorkflowInstance.load(wf.dump(), self.engine)
            calls = wf.pending_service_calls()
            if calls:
                for call in calls:
                    if wf.is_started_service(call.task_id):
                        self._service(wf, call)
                wf.run()
                continue
            tasks = wf.ready_user_tasks()
            if not tasks:
                break
            task = tasks[0]
            answer = answers[task.spec_name]
            data = answer(self) if callable(answer) else answer
            wf.complete_user_task(task.task_id, data)
            self.steps.append(task.spec_name)
            wf.run()
        assert wf.completed
        return wf.data

    def _service(self, wf: WorkflowInstance, call: Any) -> None:
        run_service_call(wf, call, OPS, self.ctx(call.task_id), self.errors)


def answers(name: str = "张伟", id_number: str = "420106199003071238", **over: Any) -> dict[str, Any]:
    birth = id_birth_date(id_number)
    base: dict[str, Any] = {
        "id_card": {
            "customer_name": name,
            "sex": id_sex_code(id_number),
            "birth_date": birth.isoformat() if birth else None,
            "id_number": id_number,
            "id_valid_to": "2040-01-01",
            "chip_photo": "att_" + "c" * 32,  # the form requires the chip photo the face check shows
        },
        "customer_consents": {},
        "face_check": {
            "live_face_image": "att_" + "0" * 32,
            "person_matches_id_attested": True,
            "simulated_camera": "live_ok",
        },
        "customer_details": {
            "product_code": "DC_STANDARD",
            "reserved_mobile": "13900001234",
            "occupation_code": "4",
            "account_purpose": "daily_spending",
            "residential_address": {"province_code": "420000", "detail": "武昌区中南路99号"},
        },
        "otp_entry": {"otp_code": "123456"},
        "telco_retry": {"reserved_mobile": "13900009002"},
        "class_ii_offer": {"accept_class_ii": True},
        "remote_authorization": {"decision": "APPROVE"},
        "risk_notice": {"tax_residency": "CN_ONLY", "pep_declaration": False, "marketing_optin": False},
        "card_scan": {"card_no": card(1001)},
        "signing": {},
        "signing_witness": {},
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def journey(request: pytest.FixtureRequest) -> Journey:
    return Journey(restore=request.param)


def test_a_clean_journey_opens_a_class_i_account(journey: Journey) -> None:
    data = journey.run(answers())
    assert (data["outcome"], data["core_result"]["card_no"], data["account_decision"]["account_class"]) == (
        "OPENED",
        card(1001),
        "I",
    )
    assert journey.steps == [
        "id_card",
        "customer_consents",
        "face_check",
        "customer_details",
        "otp_entry",
        "risk_notice",
        "card_scan",
        "signing",
        "signing_witness",
    ]


@pytest.mark.parametrize(
    ("name", "id_number", "valid_to", "outcome", "reason"),
    [
        ("吴丽", "420105197505059006", "2020-01-01", "REFUSED", "ID_CARD_EXPIRED"),
        ("孙浩然", "420104201205050053", "2040-01-01", "REFUSED", "UNDER_AGE"),
        ("黄嘉豪", "810000199001019419", "2040-01-01", "REFERRED_TO_BRANCH", "DOCUMENT_TYPE_NOT_SUPPORTED"),
        ("冯婷", "420112199209099022", "2040-01-01", "REFERRED_TO_BRANCH", "IDENTITY_NOT_FOUND"),
        ("罗斌", "420102197903039079", "2040-01-01", "REFUSED", "ID_CARD_INVALIDATED"),
        ("曹琳", "420111199808089145", "2040-01-01", "REFUSED", "INTERNAL_RISK_LIST"),
        ("蔡明", "420106199101019230", "2040-01-01", "REFUSED", "CUSTOMER_RESTRICTED"),
    ],
)
def test_documents_and_prechecks_end_the_journey_before_the_face_check(
    journey: Journey, name: str, id_number: str, valid_to: str, outcome: str, reason: str
) -> None:
    data = journey.run(answers(name=name, id_number=id_number, id_card={"id_valid_to": valid_to}))
    assert (data["outcome"], data["outcome_reason"]) == (outcome, reason)
    # the card's own rules refuse at once; checks with third parties run only after the customer consented
    on_the_card = reason in ("ID_CARD_EXPIRED", "UNDER_AGE", "DOCUMENT_TYPE_NOT_SUPPORTED")
    assert journey.steps == (["id_card"] if on_the_card else ["id_card", "customer_consents"])


def test_three_failed_face_comparisons_refuse_the_customer(journey: Journey) -> None:
    data = journey.run(answers(name="许静", id_number="420116199505059047"))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "FACE_VERIFICATION_FAILED")
    assert journey.steps == ["id_card", "customer_consents", "face_check", "face_check", "face_check"]


def test_two_liveness_failures_stop_the_journey(journey: Journey) -> None:
    data = journey.run(answers(face_check={"simulated_camera": "spoof"}))
    assert data["outcome_reason"] == "FACE_VERIFICATION_FAILED"
    assert journey.steps.count("face_check") == 2


def test_no_registry_photo_and_the_elderly_go_to_the_authorizer(journey: Journey) -> None:
    data = journey.run(answers(name="何军", id_number="420115197707079032"))
    assert data["outcome"] == "OPENED"
    assert "IDENTITY_NO_PHOTO" in data["account_decision"]["authorization_reasons"]
    assert "remote_authorization" in journey.steps
    elderly = Journey(journey.restore).run(answers(name="李建国", id_number="420111195501010035"))
    assert "ELDERLY_CUSTOMER" in elderly["account_decision"]["authorization_reasons"]


def test_full_class_ii_and_iii_counts_refuse_for_the_account_limit(journey: Journey) -> None:
    data = journey.run(answers(name="蒋欣", id_number="420115198909099220"))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "ACCOUNT_LIMIT")


def test_a_wrong_otp_can_be_entered_again(journey: Journey) -> None:
    codes = iter(["654321", "123456"])
    data = journey.run(answers(otp_entry=lambda _j: {"otp_code": next(codes)}))
    assert data["outcome"] == "OPENED"
    assert journey.steps.count("otp_entry") == 2


def test_a_customer_who_declares_a_foreign_pep_is_referred_to_the_branch_before_any_card(
    journey: Journey,
) -> None:
    risk_notice = {"tax_residency": "CN_ONLY", "pep_declaration": True, "marketing_optin": False}
    data = journey.run(answers(risk_notice=risk_notice))
    assert (data["outcome"], data["outcome_reason"]) == ("REFERRED_TO_BRANCH", "FOREIGN_PEP")
    assert journey.steps[-1] == "risk_notice" and "core_result" not in data


def test_a_pre_bound_card_is_rejected_and_another_card_is_scanned(journey: Journey) -> None:
    cards = iter([card(3), card(1002)])
    data = journey.run(answers(card_scan=lambda _j: {"card_no": next(cards)}))
    assert data["outcome"] == "OPENED" and data["core_result"]["card_no"] == card(1002)
    assert journey.errors == ["CARD_REJECTED"]


def test_three_refused_mobile_numbers_refer_the_customer_to_the_branch(journey: Journey) -> None:
    data = journey.run(answers(customer_details={"reserved_mobile": "13900009002"}))
    assert (data["outcome"], data["outcome_reason"]) == ("REFERRED_TO_BRANCH", "MOBILE_NOT_VERIFIED")
    assert journey.errors == ["MOBILE_REJECTED"] * 3


def test_a_young_non_local_student_with_a_business_purpose_is_refused_for_opening_risk(
    journey: Journey,
) -> None:
    data = journey.run(
        answers(
            name="赵雨桐",
            id_number="42010320070220004X",
            customer_details={
                "occupation_code": "student",
                "account_purpose": "business",
                "reserved_mobile": "17000009001",
                "residential_address": {"province_code": "110000", "detail": "北京市朝阳区"},
            },
        )
    )
    # age band 15 + purpose 20 + MVNO 15 + occupation 10 = 60: authorizer; non-local needs a non-42 ID
    assert data["account_decision"]["risk_score"] == 60
    assert "OPENING_RISK_REVIEW" in data["account_decision"]["authorization_reasons"]


def test_a_sixth_code_to_one_number_within_the_hour_asks_for_another_number(journey: Journey) -> None:
    for i in range(5):  # five journeys use up the hour's five codes for 13900001234 (§2.6)
        assert journey.run(answers(card_scan={"card_no": card(1100 + i)}))["outcome"] == "OPENED"
    data = journey.run(
        answers(card_scan={"card_no": card(1200)}, telco_retry={"reserved_mobile": "13900001299"})
    )
    assert data["outcome"] == "OPENED" and data["reserved_mobile"] == "13900001299"
    assert journey.errors == ["MOBILE_REJECTED"] and "telco_retry" in journey.steps


# ---------------------------------------------------------------- the shared processes J1 calls


def _until(journey: Journey, answers_: dict[str, Any], stop_at: str) -> WorkflowInstance:
    """Runs J1 until `stop_at` is the ready user task (service calls answered on the way)."""
    wf = WorkflowInstance.start(SPEC, journey.engine, {})
    wf.run()
    for _ in range(30):
        for call in wf.pending_service_calls():
            journey._service(wf, call)
        wf.run()
        tasks = wf.ready_user_tasks()
        if tasks and tasks[0].spec_name == stop_at:
            return wf
        if tasks:
            wf.complete_user_task(tasks[0].task_id, answers_[tasks[0].spec_name])
            wf.run()
    raise AssertionError(f"never reached {stop_at}")


def test_the_customer_checks_run_inside_called_shared_processes() -> None:
    assert set(SPEC[1]) >= {
        "id_card_reading",
        "identity_screening",
        "face_verification",
        "mobile_verification",
    }
    journey = Journey(restore=False)
    journey.runs = 1
    wf = _until(journey, answers(), "otp_entry")
    [task] = wf.ready_user_tasks()
    # one screen per user task of the called process, in its lane, with the caller's data copied in
    assert (task.lane, task.form_schema) == ("field_officer", "debit-card-otp-schema.json")
    assert task.data["id_number"] == "420106199003071238" and task.data["mobile_result"]["result"] == "MATCH"
    done, current = wf.path()
    assert {"read_id_card", "prechecks", "verify_face", "customer_details"} <= set(done)
    assert {"verify_mobile", "otp_entry"} <= set(current)


def test_an_instance_waiting_inside_a_called_process_survives_a_save_and_restore() -> None:
    journey = Journey(restore=False)
    journey.runs = 1
    wf = _until(journey, answers(), "face_check")
    before = wf.ready_user_tasks()[0]
    restored = WorkflowInstance.load(wf.dump(), journey.engine)
    [after] = restored.ready_user_tasks()
    assert (after.task_id, after.spec_name, after.data) == (before.task_id, before.spec_name, before.data)
    restored.complete_user_task(after.task_id, answers()["face_check"])
    restored.run()
    [call] = restored.pending_service_calls()
    assert call.spec_name == "face_compare" and call.params["attempt"] == 1


def test_the_face_check_sees_only_the_subject_its_caller_binds_and_hands_back_only_its_outcome() -> None:
    journey = Journey(restore=False)
    journey.runs = 1
    wf = _until(journey, answers(), "face_check")
    [task] = wf.ready_user_tasks()
    # the called process's ioSpecification: the subject goes in, nothing else of the journey
    assert task.data["face_subject"]["id_number"] == "420106199003071238"
    assert task.data["face_subject_title"] == "客户本人"
    assert task.data["face_reference_photo"] == "att_" + "c" * 32
    assert "customer_name" not in task.data and "identity_result" not in task.data
    # while it waits there the journey's data stays the journey's own
    assert wf.data["customer_name"] == "张伟" and "face_reference_photo" not in wf.data
    wf.complete_user_task(task.task_id, answers()["face_check"])
    wf.run()
    [call] = wf.pending_service_calls()
    assert call.params["id_number"] == "420106199003071238" and call.params["has_registry_photo"] is True


def test_a_journey_abandoned_inside_a_called_process_keeps_what_it_collected_there() -> None:
    journey = Journey(restore=False)
    journey.runs = 1
    wf = _until(journey, answers(), "otp_entry")
    wf.cancel()
    data = wf.data
    assert data["mobile_result"]["result"] == "MATCH" and data["otp_sent"]
    assert data["reserved_mobile"] == "13900001234"


def test_a_bpmn_error_inside_a_called_process_ends_j1_through_its_boundary_event(journey: Journey) -> None:
    """The watch-list hit is thrown by a task of identity_screening; J1's boundary on `prechecks`
    (around the call activity) catches it with the data the journey had collected."""
    data = journey.run(answers(name="曹琳", id_number="420111199808089145"))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "INTERNAL_RISK_LIST")
    assert data["id_number"] == "420111199808089145" and data["customer_name"] == "曹琳"
    assert journey.errors == ["PRECHECK_REFUSED"]


IDENTIFY_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_identify_only"
  targetNamespace="https://fieldbank.example/bpmn">
<bpmn:process id="identify_only" isExecutable="true">
<bpmn:startEvent id="start" /><bpmn:callActivity id="identify" calledElement="customer_identification" />
<bpmn:endEvent id="end" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="identify" />
<bpmn:sequenceFlow id="f2" sourceRef="identify" targetRef="end" />
</bpmn:process></bpmn:definitions>
"""


@pytest.fixture(scope="module")
def identify_only(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A journey that only calls the shared customer_identification (the shape J2-J6 can take)."""
    directory = tmp_path_factory.mktemp("processes")
    shutil.copytree(REPO_ROOT / "processes" / "shared", directory / "shared")
    (directory / "identify_only.bpmn").write_text(IDENTIFY_ONLY, encoding="utf-8")
    report = validate_directory(directory, FormCatalogue(REPO_ROOT / "forms" / "definitions"), set(OPS))
    assert report.problems == []
    [parsed] = report.processes
    pair = spec_from_json(spec_to_json(parsed.spec, parsed.subprocess_specs))
    SPEC_CACHE.put("test-identify-only", pair)
    return pair


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
@pytest.mark.parametrize(
    ("name", "id_number", "outcome", "reason", "identified"),
    [
        ("张伟", "420106199003071238", None, None, True),
        ("冯婷", "420112199209099022", "REFERRED_TO_BRANCH", "IDENTITY_NOT_FOUND", False),
        ("曹琳", "420111199808089145", "REFUSED", "INTERNAL_RISK_LIST", False),
        ("许静", "420116199505059047", "REFUSED", "FACE_VERIFICATION_FAILED", False),
        ("吴丽", "420105197505059006", "REFUSED", "ID_CARD_EXPIRED", False),
    ],
)
def test_customer_identification_ends_its_caller_with_the_outcome_of_the_step_that_stopped(
    identify_only: Any,
    restore: bool,
    name: str,
    id_number: str,
    outcome: str | None,
    reason: str | None,
    identified: bool,
) -> None:
    """Registry and watch-list errors are thrown two call levels down and caught by the boundary events
    on customer_identification's call activity; the caller gets the outcome and every collected field."""
    journey = Journey(restore, spec=identify_only)
    valid_to = "2020-01-01" if reason == "ID_CARD_EXPIRED" else "2040-01-01"
    data = journey.run(answers(name=name, id_number=id_number, id_card={"id_valid_to": valid_to}))
    assert (data.get("outcome"), data.get("outcome_reason")) == (outcome, reason)
    assert data.get("customer_identified", False) is identified
    assert data["id_number"] == id_number
