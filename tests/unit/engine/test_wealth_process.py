"""The J3 diagram itself, in memory with the real operations on the sandbox: every path, run straight and
through a save/restore of the engine state at every wait (style.md, habit 6).

A wait is a user task or a parked service call. The test plays the worker and the tablet (and the
authorizer's phone) at the `WorkflowInstance` level: service calls go to the registered operations on the
sandbox core and the sandbox wealth sales system, user tasks take scripted answers. The sandbox's
fixture assessments are dated from its clock, which the test holds still.

Clean sandbox customers hold no account in the sandbox core, and J3 needs a Class I or II account: a
test opens one through the sandbox core's own API first (as a J1 would), never by changing the fixtures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from api.bootstrap import operation_registry as build_operation_registry
from engine.adapters.ports import SHANGHAI, OpenAccountRequest
from engine.adapters.sandbox.factory import SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.catalogue import validate_file
from engine.errors import ExternalServiceError
from engine.journeys.wealth import JOURNEY
from engine.operations.registry import Adapters, BusinessRejection, OperationContext
from engine.otp import OtpService
from engine.settings import REPO_ROOT
from engine.workflow.instance import UserTaskView, WorkflowInstance
from engine.workflow.spiff import SPEC_CACHE, FieldBankScriptEngine, spec_from_json, spec_to_json
from forms.catalogue import FormCatalogue
from forms.formats import id_birth_date, id_sex_code, luhn_check_digit

OPS = build_operation_registry()
FORMS = FormCatalogue(REPO_ROOT / "forms" / "definitions")
_report = validate_file(REPO_ROOT / "processes" / "wealth_risk_assessment.bpmn", FORMS, set(OPS), {})
_parsed = next(p for p in _report.processes if p.process_id == "wealth_risk_assessment")
SPEC = spec_from_json(spec_to_json(_parsed.spec, _parsed.subprocess_specs))
SPEC_CACHE.put("test-j3", SPEC)

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
# §13.2 identities and what the sandbox's wm_sales fixtures hold for them
ZHANG_WEI = ("张伟", "420106199003071238")  # a valid C3 of 90 days
WANG_FANG = ("王芳", "420102198506150026")  # a C4 of 400 days: expired
LI_JIANGUO = ("李建国", "420111195501010035")  # 70, a C2 of 200 days: 65+ and older than 6 months
LIU_ZHIQIANG = ("刘志强", "420102195901010070")  # 66, a C3 of 30 days
JIANG_XIN = ("蒋欣", "420115198909099220")  # a C2 of today, two attempts today; Class II held (922)

IDENTIFICATION = ["id_card", "customer_consents", "face_check"]
QUESTIONNAIRE = ["circumstances", "questionnaire", "confirmation"]
SIGNING = ["product_selection", "product_signing"]


def card(seq: int) -> str:
    body = f"6219994201{seq:08d}"
    return body + luhn_check_digit(body)


class Journey:
    """Runs one J3 with scripted answers; `restore=True` reloads the engine from JSON at every wait."""

    def __init__(self, restore: bool) -> None:
        store = InMemorySandboxStore()
        self.sandbox = build_sandbox_adapters(
            store, SandboxKnobs(latency_profile="zero"), clock=self.now, sleep=lambda _s: None
        )
        sandbox = self.sandbox
        self.adapters = Adapters(
            sandbox.identity,
            sandbox.face,
            sandbox.watchlist,
            sandbox.telco,
            sandbox.sms,
            sandbox.core,
            wm_sales=sandbox.wm_sales,
        )
        self.otp = OtpService(InMemorySandboxStore(), sandbox.sms, self.now, fixed_code="123456")
        self.restore = restore
        self.engine = FieldBankScriptEngine(frozenset(OPS.inline_names()), self._inline)
        self.steps: list[str] = []
        self.errors: list[str] = []
        self.waits: list[str] = []
        self.runs = 0
        self.accounts = 0

    @staticmethod
    def now() -> datetime:
        return NOW

    def open_account(self, person: tuple[str, str], account_class: str = "I") -> str:
        """What a J1 leaves behind: the customer's account in the sandbox core."""
        self.accounts += 1
        result = self.sandbox.core.open_account(
            OpenAccountRequest(
                channel_serial_no=f"j1-{self.accounts}",
                id_number=person[1],
                name=person[0],
                mobile="13900001234",
                account_class=account_class,  # type: ignore[arg-type]
                product_code="DC_STANDARD",
                card_no=card(2000 + self.accounts),
                branch_code="WH0101",
                operator_id="fo001",
            )
        )
        assert result.result == "OK" and result.account_no, result
        return result.account_no

    def ctx(self, task_id: str) -> OperationContext:
        iid = f"j{self.runs}"
        return OperationContext(self.adapters, self.otp, f"{iid}:{task_id}", iid, "WH0101", "fo001", self.now)

    def _inline(self, op: str, task_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return OPS.get(op).handler(self.ctx(task_id), params)

    def _saved(self, wf: WorkflowInstance, wait: str) -> WorkflowInstance:
        self.waits.append(wait)
        return WorkflowInstance.load(wf.dump(), self.engine) if self.restore else wf

    def run(self, answers: dict[str, Any]) -> dict[str, Any]:
        self.runs += 1
        self.steps, self.errors, self.waits = [], [], []
        wf = WorkflowInstance.start(SPEC, self.engine, {})
        wf.run()
        for _ in range(60):
            if wf.completed:
                return wf.data
            calls = [c for c in wf.pending_service_calls() if wf.is_started_service(c.task_id)]
            if calls:
                wf = self._saved(wf, "service")
                for call in calls:
                    if wf.is_started_service(call.task_id):
                        self._service(wf, call)
                wf.run()
                continue
            tasks = wf.ready_user_tasks()
            assert tasks, f"J3 waits for nothing: at {wf.path()[1]}"
            wf = self._saved(wf, tasks[0].spec_name)
            task = wf.ready_user_tasks()[0]
            answer = answers[task.spec_name]
            data = answer(task) if callable(answer) else answer
            wf.complete_user_task(task.task_id, as_submitted(task, data))
            self.steps.append(task.spec_name)
            wf.run()
        raise AssertionError(f"J3 did not end: at {wf.path()[1]}")

    def _service(self, wf: WorkflowInstance, call: Any) -> None:
        try:
            wf.complete_service(
                call.task_id, OPS.get(call.operation).handler(self.ctx(call.task_id), call.params)
            )
        except BusinessRejection as exc:
            self.errors.append(exc.code)
            assert wf.throw_business_error(call.task_id, exc.code, exc.payload), exc.code
        except ExternalServiceError as exc:
            raise AssertionError(f"unexpected technical failure {exc.reason}") from exc


def as_submitted(task: UserTaskView, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of the task's form exists in the data after it, as completing a task leaves it; what
    the journey knew already (read-only fields) is kept."""
    fields = FORMS.get(task.form_schema).schema.get("properties", {}) if task.form_schema else {}
    return {**{name: None for name in fields if name not in task.data}, **data}


BALANCED = {  # a middle-of-the-road customer's answers (Q2-Q10)
    "income_band": "200k_500k",
    "invest_share": "30_50",
    "experience_type": "bonds_bond_funds",
    "experience_years": "1_3",
    "knowledge": "basic",
    "objective": "balanced",
    "horizon": "1_3y",
    "max_loss": "5_10",
    "loss_reaction": "hold",
}


def answers(person: tuple[str, str] = WANG_FANG, **over: Any) -> dict[str, Any]:
    name, id_number = person
    birth = id_birth_date(id_number)
    base: dict[str, Any] = {
        "id_card": {
            "customer_name": name,
            "sex": id_sex_code(id_number),
            "birth_date": birth.isoformat() if birth else None,
            "id_number": id_number,
            "id_valid_to": "2040-01-01",
            "chip_photo": "att_" + "c" * 32,
        },
        "customer_consents": {},
        "face_check": {
            "live_face_image": "att_" + "0" * 32,
            "person_matches_id_attested": True,
            "simulated_camera": "live_ok",
        },
        "circumstances": {"changed_circumstances": False},
        "questionnaire": {**BALANCED, "answer_ms": {q: 9_000 for q in BALANCED}},
        "confirmation": {
            "result_acknowledged": True,
            "customer_signature": "att_" + "1" * 32,
            "operator_attestation": True,
        },
        "product_selection": {
            "product_code": "WM-R2-002",
            "amount": 50_000,
            "payment_account_no": "to be set by the test",
            "product_introduced": True,
        },
        "remote_authorization": {
            "decision": "APPROVE",
            "reason_code": "VERIFIED_IN_PERSON",
            "reason_text": "客户本人到场，理解产品风险",
        },
        "product_signing": {
            "product_documents_read": True,
            "risk_disclosure_read": True,
            "risk_hand_copy_image": "att_" + "2" * 32,
            "agreement_signature": "att_" + "3" * 32,
        },
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def with_account(journey: Journey, person: tuple[str, str], **over: Any) -> dict[str, Any]:
    account_no = journey.open_account(person)
    given = answers(person, **over)
    given["product_selection"] = {**given["product_selection"], "payment_account_no": account_no}
    return given


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def journey(request: pytest.FixtureRequest) -> Journey:
    return Journey(restore=request.param)


def test_a_clean_assessment_is_scored_confirmed_and_the_product_signed(journey: Journey) -> None:
    data = journey.run(with_account(journey, WANG_FANG))
    assert (data["outcome"], data["outcome_reason"]) == ("AGREEMENT_SIGNED", "AGREEMENT_SIGNED")
    assert journey.steps == [*IDENTIFICATION, *QUESTIONNAIRE, *SIGNING]
    assert data["assessment_check"]["reasons"] == ["EXPIRED"]
    assessment = data["current_assessment"]
    assert assessment["questionnaire_version"] == "WRQ-2025-1" and assessment["level"] in ("C3", "C4")
    assert len(assessment["questions"]) == 10 and assessment["questions"][0]["selected"] == "31_50"
    assert data["assessment_confirmed"]["status"] == "CONFIRMED"
    assert data["chosen_product"]["code"] == "WM-R2-002"
    shelf_levels = {p["risk_level"] for p in data["shelf"]["products"]}
    assert shelf_levels == set(assessment["allowed_product_levels"])  # R ≤ C only
    # the signed result is now the customer's current assessment in the wealth sales system
    current = journey.sandbox.wm_sales.current_assessment(WANG_FANG[1], "check").assessment
    assert current is not None and current.level == assessment["level"]
    assert {"service", "questionnaire", "product_signing"} <= set(journey.waits)


def test_a_customer_without_a_class_i_or_ii_account_is_refused(journey: Journey) -> None:
    data = journey.run(answers(WANG_FANG))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "NO_QUALIFYING_ACCOUNT")
    assert journey.steps == IDENTIFICATION and "assessment_check" not in data


def test_a_current_valid_assessment_is_used_without_the_questionnaire(journey: Journey) -> None:
    data = journey.run(with_account(journey, ZHANG_WEI, product_selection={"product_code": "WM-R3-003"}))
    assert data["outcome"] == "AGREEMENT_SIGNED"
    assert journey.steps == [*IDENTIFICATION, "circumstances", *SIGNING]
    assert data["assessment_check"]["reassessment_needed"] is False
    assert data["current_assessment"]["level"] == "C3" and "assessment" not in data


def test_a_declared_change_of_circumstances_asks_the_questionnaire_again(journey: Journey) -> None:
    data = journey.run(with_account(journey, ZHANG_WEI, circumstances={"changed_circumstances": True}))
    assert data["outcome"] == "AGREEMENT_SIGNED"
    assert journey.steps == [*IDENTIFICATION, *QUESTIONNAIRE, *SIGNING]
    assert data["assessment_check"]["reasons"] == ["CHANGED_CIRCUMSTANCES"]
    assert data["current_assessment"] == data["assessment"]


def test_a_customer_who_used_up_the_day_s_retakes_is_refused_and_flagged(journey: Journey) -> None:
    data = journey.run(answers(JIANG_XIN, circumstances={"changed_circumstances": True}))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "RETAKE_LIMIT_REACHED")
    assert journey.steps == [*IDENTIFICATION, "circumstances"]
    assert journey.errors == ["WEALTH_RETAKE_LIMIT"]
    assert "RETAKE_LIMIT_REACHED" in data["wealth_rejection"]["flags"]
    assert data["wealth_rejection"]["attempts_today"] == 2
    assert "LEVEL_ROSE_TODAY" in data["wealth_rejection"]["flags"]  # C1 then C2 earlier today


@pytest.mark.parametrize(
    ("person", "asked"),
    [
        (LI_JIANGUO, QUESTIONNAIRE),  # 70 with a C2 of 200 days: renewed first (65+, over 6 months)
        (LIU_ZHIQIANG, ["circumstances"]),  # 66 with a recent C3
    ],
)
def test_a_customer_of_65_or_more_signs_after_the_authorizer_approves(
    journey: Journey, person: tuple[str, str], asked: list[str]
) -> None:
    data = journey.run(with_account(journey, person, product_selection={"product_code": "WM-R1-001"}))
    assert data["outcome"] == "AGREEMENT_SIGNED"
    assert journey.steps == [
        *IDENTIFICATION,
        *asked,
        "product_selection",
        "remote_authorization",
        "product_signing",
    ]
    assert data["assessment_check"]["elderly"] is True and data["decision"] == "APPROVE"


def test_a_customer_of_65_or_more_is_refused_when_the_authorizer_rejects(journey: Journey) -> None:
    data = journey.run(
        with_account(
            journey,
            LIU_ZHIQIANG,
            product_selection={"product_code": "WM-R1-001"},
            remote_authorization={"decision": "REJECT", "reason_code": "RISK_TOO_HIGH"},
        )
    )
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "ELDERLY_AUTHORIZATION_REJECTED")
    assert journey.steps == [*IDENTIFICATION, "circumstances", "product_selection", "remote_authorization"]


def test_a_product_above_the_customer_s_level_cannot_be_chosen(journey: Journey) -> None:
    data = journey.run(with_account(journey, ZHANG_WEI, product_selection={"product_code": "WM-R4-004"}))
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "PRODUCT_RISK_ABOVE_LEVEL")
    assert journey.steps == [*IDENTIFICATION, "circumstances", "product_selection"]
    assert journey.errors == ["WEALTH_UNSUITABLE"] and "chosen_product" not in data
    assert "WM-R4-004" not in {p["code"] for p in data["shelf"]["products"]}


def test_an_assessment_on_a_retired_questionnaire_is_renewed(journey: Journey) -> None:
    peng_jun = ("彭军", "420112198707079214")  # a C5 on WRQ-2019-2; already holds a Class I (921)
    given = answers(peng_jun, product_selection={"payment_account_no": "4201011" + "0" * 12})
    data = journey.run(given)
    assert data["outcome"] == "AGREEMENT_SIGNED"
    assert data["assessment_check"]["reasons"] == ["QUESTIONNAIRE_RETIRED"]
    assert journey.steps == [*IDENTIFICATION, *QUESTIONNAIRE, *SIGNING]
    assert data["current_assessment"]["questionnaire_version"] == "WRQ-2025-1"


def test_every_attempt_of_the_day_counts_and_the_third_is_refused(journey: Journey) -> None:
    changed = {"circumstances": {"changed_circumstances": True}}
    first = journey.run(with_account(journey, ZHANG_WEI, **changed))
    second = journey.run(
        answers(ZHANG_WEI, **changed, product_selection={"payment_account_no": first["payment_account_no"]})
    )
    assert (first["outcome"], second["outcome"]) == ("AGREEMENT_SIGNED", "AGREEMENT_SIGNED")
    assert (first["retake_check"]["remaining"], second["retake_check"]["remaining"]) == (2, 1)
    third = journey.run(answers(ZHANG_WEI, **changed))
    assert (third["outcome"], third["outcome_reason"]) == ("REFUSED", "RETAKE_LIMIT_REACHED")
    assert "questionnaire" not in journey.steps
    # both attempts of the day were kept, none overwritten (§5.4)
    assert journey.sandbox.wm_sales.count_attempts(ZHANG_WEI[1], NOW.date(), "check").count == 2


@pytest.mark.parametrize(
    ("product_code", "amount", "reason"),
    [
        ("WM-R2-002", 5_000, "BELOW_PRODUCT_MINIMUM"),  # its minimum is 10,000
        (
            "PWM-R3-101",
            300_000,
            "QUALIFIED_INVESTOR_FACTS_MISSING",
        ),  # private: no qualified-investor step yet
        ("WM-R9-999", 50_000, "PRODUCT_NOT_ON_SHELF"),
    ],
)
def test_a_product_that_is_not_suitable_is_refused_with_its_first_reason(
    journey: Journey, product_code: str, amount: int, reason: str
) -> None:
    data = journey.run(
        with_account(journey, ZHANG_WEI, product_selection={"product_code": product_code, "amount": amount})
    )
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", reason)
    assert journey.errors == ["WEALTH_UNSUITABLE"] and "chosen_product" not in data
    assert reason in JOURNEY.reason_words and reason in JOURNEY.labels  # worded for customer and staff
