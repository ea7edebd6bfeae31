"""The J3 diagram itself, in memory with the real operations on the sandbox: every path, run straight and
through a save/restore of the engine state at every wait (style.md, habit 6).

A wait is a user task, a parked service call or the cooling-off (the customer's cancellation message
or the timer). The test plays the worker and the tablet (and the authorizer's phone, and the channel the
customer cancels through) at the `WorkflowInstance` level: service calls go to the registered operations
on the sandbox core and the sandbox wealth sales system, user tasks take scripted answers, the
cancellation goes in through `deliver_message` and the timer fires with `refresh_timers` + `run` on a
clock the test moves (`use_clock`, as the composition root sets it). The sandbox's fixture assessments
are dated from that clock, which stands still until the cooling-off.

The purchase on the tablet is a setting (`wealth_purchase_on_tablet`, off by default): the test starts
each journey with the start variables the declaration derives from the settings, as the engine does.

Clean sandbox customers hold no account in the sandbox core, and J3 needs a Class I or II account: a
test opens one through the sandbox core's own API first (as a J1 would), never by changing the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from api.bootstrap import operation_registry as build_operation_registry
from engine.adapters.ports import SHANGHAI, OpenAccountRequest
from engine.adapters.sandbox.factory import SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.catalogue import validate_file
from engine.errors import ExternalServiceError
from engine.journeys.wealth import JOURNEY
from engine.operations.registry import Adapters, OperationContext
from engine.otp import OtpService
from engine.settings import REPO_ROOT, Settings
from engine.workflow.clock import use_clock
from engine.workflow.instance import UserTaskView, WorkflowInstance
from engine.workflow.spiff import SPEC_CACHE, FieldBankScriptEngine, spec_from_json, spec_to_json
from forms.catalogue import FormCatalogue
from forms.formats import id_birth_date, id_sex_code, luhn_check_digit
from tests.unit.engine.process_steps import run_service_call

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


@dataclass(frozen=True)
class Wait:
    """The customer lets the cooling-off run: the clock moves on by `by` and the timer may fire."""

    by: timedelta


@dataclass(frozen=True)
class Cancel:
    """The customer cancels inside the cooling-off (through mobile banking or the call centre): the
    channel sends the `wealth_cooling_off_cancel` message for the order."""

    after: timedelta = timedelta(hours=2)


IDENTIFICATION = ["id_card", "customer_consents", "face_check"]
QUESTIONNAIRE = ["circumstances", "questionnaire", "confirmation"]
SIGNING = ["product_selection", "product_signing"]


def card(seq: int) -> str:
    body = f"6219994201{seq:08d}"
    return body + luhn_check_digit(body)


class Journey:
    """Runs one J3 with scripted answers; `restore=True` reloads the engine from JSON at every wait."""

    def __init__(self, restore: bool, *, purchase_on_tablet: bool | None = None) -> None:
        self.clock = NOW
        store = InMemorySandboxStore()
        self.store = store
        settings = (
            Settings()
            if purchase_on_tablet is None
            else Settings(wealth_purchase_on_tablet=purchase_on_tablet)
        )
        self.start_data = JOURNEY.start_variables(settings)
        self.outage_at: str | None = None  # the operation during which wm_sales goes down once
        self.outage: dict[str, Any] | None = None  # what the journey looked like while it was down
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

    def now(self) -> datetime:
        return self.clock

    def orders(self) -> list[dict[str, Any]]:
        return [order for _, order in self.store.items("wm.order")]

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
        wf = WorkflowInstance.start(SPEC, self.engine, dict(self.start_data))
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
            if not tasks:
                waited = answers["cooling_off"]
                wf = self._cooling_off(wf, waited.pop(0) if isinstance(waited, list) else waited)
                continue
            wf = self._saved(wf, tasks[0].spec_name)
            task = wf.ready_user_tasks()[0]
            answer = answers[task.spec_name]
            data = answer(task) if callable(answer) else answer
            wf.complete_user_task(task.task_id, as_submitted(task, data))
            self.steps.append(task.spec_name)
            wf.run()
        raise AssertionError(f"J3 did not end: at {wf.path()[1]}")

    def _cooling_off(self, wf: WorkflowInstance, answer: Wait | Cancel) -> WorkflowInstance:
        """The only wait that is neither a task nor a call: the customer cancels, or the time runs out."""
        [waiting] = wf.waiting_messages()
        assert waiting.name == "wealth_cooling_off_cancel", waiting
        wf = self._saved(wf, "cooling_off")
        if isinstance(answer, Cancel):
            self.clock += answer.after
            assert wf.deliver_message(
                waiting.name, waiting.correlation_key, {"order_no": waiting.correlation_key}
            )
        else:
            self.clock += answer.by
            wf.refresh_timers()
        wf.run()
        return wf

    def _service(self, wf: WorkflowInstance, call: Any) -> None:
        if call.operation == self.outage_at:
            self._outage(wf, call)
        run_service_call(wf, call, OPS, self.ctx(call.task_id), self.errors)

    def _outage(self, wf: WorkflowInstance, call: Any) -> None:
        """wm_sales is down for this call: it fails as UNAVAILABLE and the journey stays where it is (the
        engine retries it and then raises an incident an operator retries); then the system is back."""
        self.outage_at = None
        self.sandbox.wm_sales.unavailable = True
        with pytest.raises(ExternalServiceError) as down:
            OPS.get(call.operation).handler(self.ctx(call.task_id), call.params)
        self.sandbox.wm_sales.unavailable = False
        restored = WorkflowInstance.load(wf.dump(), self.engine) if self.restore else wf
        self.outage = {
            "reason": down.value.reason,
            "completed": restored.completed,
            "waiting_for": [c.operation for c in restored.pending_service_calls()],
            "orders": len(self.orders()),
            "outcome": restored.data.get("outcome"),
        }


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
            "dual_recording": "att_" + "4" * 32,
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


def available(journey: Journey, data: dict[str, Any]) -> Decimal:
    """What the sandbox core says is left on the account the journey paid from."""
    return journey.sandbox.core.balances.available(data["payment_account_no"])


@pytest.fixture(autouse=True)
def engine_clock() -> Iterator[None]:
    """SpiffWorkflow's timers read the journey's clock, as the composition root points them at the
    engine's (each journey sets the module's clock when it is made)."""
    yield
    use_clock(lambda: datetime.now(UTC))


def make_journey(restore: bool, **kwargs: Any) -> Journey:
    made = Journey(restore, **kwargs)
    use_clock(made.now)
    return made


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def journey(request: pytest.FixtureRequest) -> Journey:
    return make_journey(request.param)


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def buying(request: pytest.FixtureRequest) -> Journey:
    """A journey with the purchase on the tablet switched on (`wealth_purchase_on_tablet`)."""
    return make_journey(request.param, purchase_on_tablet=True)


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
    # the purchase on the tablet is off by default: signed, nothing bought, no funds frozen
    assert journey.start_data == {"purchase_on_tablet": False}
    assert "order" not in data and journey.orders() == []


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
    assert data["current_assessment"] == {
        **data["assessment"],
        "assessment_no": data["assessment_receipt"]["assessment_no"],
    }


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


# --- the qualified-investor step (§5.5) ----------------------------------------------------------------

QUALIFIED = {  # §5.5: 2+ years of investing and net financial assets of 3 million or more, proven, signed
    "investment_years": 5,
    "household_net_financial_assets": 3_500_000,
    "household_financial_assets": 4_000_000,
    "avg_annual_income_3y": 200_000,
    "proof_image_1": "att_" + "4" * 32,
    "qualified_declaration": True,
    "customer_signature": "att_" + "5" * 32,
}
PRIVATE = {"product_code": "PWM-R3-101", "amount": 300_000}  # R3, fixed income, minimum 300,000, 24 h


def test_a_private_product_asks_the_qualified_investor_step_and_passes_its_facts_to_suitability(
    journey: Journey,
) -> None:
    data = journey.run(with_account(journey, ZHANG_WEI, product_selection=PRIVATE, qualification=QUALIFIED))
    assert (data["outcome"], data["outcome_reason"]) == ("AGREEMENT_SIGNED", "AGREEMENT_SIGNED")
    assert journey.steps == [
        *IDENTIFICATION,
        "circumstances",
        "product_selection",
        "qualification",
        "product_signing",
    ]
    assert data["qualified_investor"]["investment_years"] == 5
    assert data["qualified_investor"]["proof_image_1"] == QUALIFIED["proof_image_1"]
    assert data["qualified_investor_signature"] == QUALIFIED["customer_signature"]
    assert data["suitability"]["decision"] == "ALLOW"
    assert data["chosen_product"]["requires_qualified_investor"] is True
    assert "qualification" in journey.waits


def test_a_public_product_never_asks_the_qualified_investor_step(journey: Journey) -> None:
    data = journey.run(with_account(journey, ZHANG_WEI, product_selection={"product_code": "WM-R3-003"}))
    assert "qualification" not in journey.steps and data["qualified_investor"] is None


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"investment_years": 1}, "INVESTMENT_EXPERIENCE_UNDER_2_YEARS"),
        (
            {
                "household_net_financial_assets": 1_000_000,
                "household_financial_assets": 2_000_000,
                "avg_annual_income_3y": 300_000,
            },
            "ASSETS_AND_INCOME_BELOW_THRESHOLD",
        ),
    ],
)
def test_a_failed_qualified_investor_check_blocks_the_private_product(
    journey: Journey, facts: dict[str, Any], reason: str
) -> None:
    data = journey.run(
        with_account(journey, ZHANG_WEI, product_selection=PRIVATE, qualification={**QUALIFIED, **facts})
    )
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", reason)
    assert journey.steps == [*IDENTIFICATION, "circumstances", "product_selection", "qualification"]
    assert journey.errors == ["WEALTH_UNSUITABLE"] and "chosen_product" not in data
    assert data["wealth_rejection"]["product_code"] == "PWM-R3-101"
    assert reason in JOURNEY.reason_words and reason in JOURNEY.labels


# --- the purchase on the tablet (setting `wealth_purchase_on_tablet`) --------------------------------------


def test_the_purchase_setting_is_off_by_default_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FIELDBANK_WEALTH_PURCHASE_ON_TABLET", raising=False)
    assert JOURNEY.start_variables(Settings()) == {"purchase_on_tablet": False}
    monkeypatch.setenv("FIELDBANK_WEALTH_PURCHASE_ON_TABLET", "true")
    assert JOURNEY.start_variables(Settings()) == {"purchase_on_tablet": True}


def test_a_public_product_bought_on_the_tablet_freezes_the_funds_and_places_the_order(
    buying: Journey,
) -> None:
    data = buying.run(
        with_account(buying, ZHANG_WEI, product_selection={"product_code": "WM-R3-003", "amount": 50_000})
    )
    assert (data["outcome"], data["outcome_reason"]) == ("ORDER_PLACED", "ORDER_PLACED")
    assert buying.steps == [*IDENTIFICATION, "circumstances", *SIGNING]
    assert data["order"]["status"] == "ACCEPTED" and data["order"]["amount"] == "50000.00"
    assert data["order"]["cooling_off_ends_at"] is None and "cooling_off" not in data
    assert data["signing"]["signed_at"] == NOW.isoformat()
    [order] = buying.orders()
    assert order["order_no"] == data["order"]["order_no"]
    assert available(buying, data) == Decimal("150000.00")  # 200,000 less 50,000
    assert "ORDER_PLACED" in JOURNEY.outcome_headings and "ORDER_PLACED" in JOURNEY.labels


def test_an_amount_above_the_available_balance_is_refused_and_nothing_is_frozen(buying: Journey) -> None:
    data = buying.run(
        with_account(buying, ZHANG_WEI, product_selection={"product_code": "WM-R3-003", "amount": 250_000})
    )
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "INSUFFICIENT_FUNDS")
    assert buying.errors == ["WEALTH_ORDER_REJECTED"] and "order" not in data
    assert buying.orders() == []
    assert "INSUFFICIENT_FUNDS" in JOURNEY.reason_words and "INSUFFICIENT_FUNDS" in JOURNEY.labels


def private_purchase(journey: Journey, cooling_off: Any) -> dict[str, Any]:
    """王芳 (assessment expired: she answers the questionnaire again; 8 million available) buys a private
    product after the qualified-investor step."""
    given = with_account(journey, WANG_FANG, product_selection=PRIVATE, qualification=QUALIFIED)
    return journey.run({**given, "cooling_off": cooling_off})


def test_a_private_order_is_confirmed_only_when_the_24_hour_cooling_off_has_run_out(buying: Journey) -> None:
    data = private_purchase(buying, [Wait(timedelta(hours=23)), Wait(timedelta(hours=1, seconds=1))])
    assert (data["outcome"], data["outcome_reason"]) == ("ORDER_PLACED", "COOLING_OFF_ENDED")
    assert buying.steps == [
        *IDENTIFICATION,
        *QUESTIONNAIRE,
        "product_selection",
        "qualification",
        "product_signing",
    ]
    assert buying.waits.count("cooling_off") == 2  # 23 hours in, the timer had not fired
    assert data["cooling_off"] == {
        "started_at": NOW.isoformat(),
        "ends_at": (NOW + timedelta(hours=24)).isoformat(),
        "duration": "PT24H",
    }
    assert data["order"]["status"] == "COOLING_OFF" and "cancellation" not in data
    assert len(buying.orders()) == 1


def test_a_cancellation_inside_the_cooling_off_returns_the_full_amount(buying: Journey) -> None:
    data = private_purchase(buying, Cancel(after=timedelta(hours=20)))
    assert (data["outcome"], data["outcome_reason"]) == (
        "CANCELLED_IN_COOLING_OFF",
        "CANCELLED_IN_COOLING_OFF",
    )
    assert data["cancellation"]["result"] == "OK"
    assert data["cancellation"]["refund_amount"] == "300000.00" == data["order"]["amount"]
    assert available(buying, data) == Decimal("8000000.00")  # nothing stays frozen
    assert buying.waits.count("cooling_off") == 1
    assert (
        "CANCELLED_IN_COOLING_OFF" in JOURNEY.outcome_headings
        and "CANCELLED_IN_COOLING_OFF" in JOURNEY.labels
    )


def test_wm_sales_down_at_the_order_leaves_the_journey_waiting_and_never_orders_offline(
    buying: Journey,
) -> None:
    buying.outage_at = "wealth.place_order"
    data = buying.run(
        with_account(buying, ZHANG_WEI, product_selection={"product_code": "WM-R3-003", "amount": 50_000})
    )
    assert buying.outage == {
        "reason": "UNAVAILABLE",
        "completed": False,
        "waiting_for": ["wealth.place_order"],
        "orders": 0,
        "outcome": None,
    }
    # back up, the same call (same serial) places the order exactly once
    assert data["outcome"] == "ORDER_PLACED" and len(buying.orders()) == 1


def test_a_cancellation_arriving_when_the_cooling_off_has_ended_is_refused_and_the_order_stands(
    buying: Journey,
) -> None:
    data = private_purchase(buying, Cancel(after=timedelta(hours=24)))  # the message beat the timer
    assert (data["outcome"], data["outcome_reason"]) == ("ORDER_PLACED", "CANCELLATION_AFTER_COOLING_OFF")
    assert (
        buying.errors == ["WEALTH_CANCEL_REFUSED"] and data["cancel_rejection"]["code"] == "COOLING_OFF_ENDED"
    )
    assert available(buying, data) == Decimal("7700000.00")  # still invested
    assert "CANCELLATION_AFTER_COOLING_OFF" in JOURNEY.reason_words
