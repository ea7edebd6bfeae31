"""The J2 diagram itself, in memory with the real operations on the sandbox: every path, run straight and
through a save/restore of the engine state at every wait (style.md, habit 6).

A wait is a user task, a parked service call, the card centre's `card_decision` message or a timer. The
test plays the worker, the tablet and the card centre's callback at the `WorkflowInstance` level: service
calls go to the registered operations, the message goes in through `deliver_message` (as
`MessageService` does), and timers fire with `refresh_timers` + `run` (as `fire_due_timers` does) on a
clock the test moves: `use_clock` points SpiffWorkflow's timer module at it, the operations and the
sandbox card centre read the same clock, nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.bootstrap import operation_registry as build_operation_registry
from engine.adapters.ports import SHANGHAI
from engine.adapters.sandbox.factory import SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.catalogue import validate_file
from engine.operations.registry import Adapters, OperationContext
from engine.otp import OtpService
from engine.settings import REPO_ROOT
from engine.workflow.clock import use_clock
from engine.workflow.instance import UserTaskView, WorkflowInstance
from engine.workflow.spiff import SPEC_CACHE, FieldBankScriptEngine, spec_from_json, spec_to_json
from forms.catalogue import FormCatalogue
from forms.formats import id_birth_date, id_check_char, id_sex_code
from tests.unit.engine.process_steps import run_service_call

OPS = build_operation_registry()
FORMS = FormCatalogue(REPO_ROOT / "forms" / "definitions")
_report = validate_file(
    REPO_ROOT / "processes" / "credit_card_face_sign.bpmn",
    FORMS,
    set(OPS),
    {},
)
_parsed = next(p for p in _report.processes if p.process_id == "credit_card_face_sign")
SPEC = spec_from_json(spec_to_json(_parsed.spec, _parsed.subprocess_specs))
SPEC_CACHE.put("test-j2", SPEC)

START = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
WANG_FANG = ("王芳", "420102198506150026")  # §13.2: clean, credit card approve
ADDRESS = {
    "province_code": "420000",
    "city_code": "420100",
    "district_code": "420106",
    "detail": "中北路100号",
}
BEIJING = {"province_code": "110000", "city_code": "110100", "district_code": "110105", "detail": "朝阳路1号"}
DOCUMENTS_LATE = timedelta(days=7, seconds=1)  # past the 补件 deadline [Sim 7 days]
NO_ANSWER = timedelta(days=30, seconds=1)  # past the card centre's 30 days


def resident_id(area: str, born: str, sequence: str = "123") -> str:
    first17 = f"{area}{born}{sequence}"
    return first17 + id_check_char(first17)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Wait:
    """An answer that is not a form: the officer leaves the task open while the clock moves on."""

    by: timedelta


class Journey:
    """Runs one J2 with scripted answers; `restore=True` reloads the engine from JSON at every wait."""

    def __init__(self, restore: bool, clock: Clock, *, card_centre_answers: bool = True) -> None:
        self.clock = clock
        store = InMemorySandboxStore()
        self.sandbox = build_sandbox_adapters(
            store, SandboxKnobs(latency_profile="zero"), clock=clock, sleep=lambda _s: None
        )
        sandbox = self.sandbox
        self.adapters = Adapters(
            sandbox.identity,
            sandbox.face,
            sandbox.watchlist,
            sandbox.telco,
            sandbox.sms,
            sandbox.core,
            card_centre=sandbox.card_centre,
        )
        self.otp = OtpService(InMemorySandboxStore(), sandbox.sms, clock, fixed_code="123456")
        self.restore = restore
        self.answers_decisions = card_centre_answers
        self.engine = FieldBankScriptEngine(frozenset(OPS.inline_names()), self._inline)
        self.steps: list[str] = []
        self.errors: list[str] = []
        self.waits: list[str] = []
        self.runs = 0

    def ctx(self, task_id: str) -> OperationContext:
        iid = f"j{self.runs}"
        return OperationContext(
            self.adapters, self.otp, f"{iid}:{task_id}", iid, "WH0101", "fo001", self.clock
        )

    def _inline(self, op: str, task_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return OPS.get(op).handler(self.ctx(task_id), params)

    def _saved(self, wf: WorkflowInstance, wait: str) -> WorkflowInstance:
        self.waits.append(wait)
        return WorkflowInstance.load(wf.dump(), self.engine) if self.restore else wf

    def start(self) -> WorkflowInstance:
        self.runs += 1
        self.steps, self.errors, self.waits = [], [], []
        wf = WorkflowInstance.start(SPEC, self.engine, {})
        wf.run()
        return wf

    def run(self, answers: dict[str, Any], stop_at: str | None = None) -> WorkflowInstance:
        return self.go_on(self.start(), answers, stop_at)

    def go_on(
        self, wf: WorkflowInstance, answers: dict[str, Any], stop_at: str | None = None
    ) -> WorkflowInstance:
        """Answers every wait until the journey ends (or `stop_at` is the ready user task)."""
        for _ in range(80):
            if wf.completed:
                return wf
            calls = [c for c in wf.pending_service_calls() if wf.is_started_service(c.task_id)]
            if calls:
                wf = self._saved(wf, "service")
                for call in calls:
                    if wf.is_started_service(call.task_id):  # a sibling's error may have cancelled it
                        self._service(wf, call)
                wf.run()
                continue
            tasks = wf.ready_user_tasks()
            if tasks:
                task = tasks[0]
                if task.spec_name == stop_at:
                    return wf
                wf = self._saved(wf, task.spec_name)
                task = wf.ready_user_tasks()[0]
                answer = answers[task.spec_name]
                data = answer(self) if callable(answer) else answer
                if isinstance(data, Wait):
                    self._advance(data.by)
                    wf = self._saved(wf, "timer")
                    wf.refresh_timers()
                    wf.run()
                    continue
                wf.complete_user_task(task.task_id, as_submitted(task, data))
                self.steps.append(task.spec_name)
                wf.run()
                continue
            [waiting] = wf.waiting_messages()
            assert waiting.name == "card_decision"
            wf = self._saved(wf, "message")
            if not (self.answers_decisions and self._deliver(wf, waiting.correlation_key)):
                self._advance(NO_ANSWER)  # the centre stays silent: the gateway's timer decides
                wf = self._saved(wf, "timer")
                wf.refresh_timers()
            wf.run()
        raise AssertionError(f"J2 did not end: at {wf.path()[1]}")

    def _advance(self, by: timedelta) -> None:
        self.clock.now += by

    def _deliver(self, wf: WorkflowInstance, application_no: str) -> bool:
        """The sandbox centre's due decision for this application, as its callback sends it."""
        for key, decision in self.sandbox.card_centre.due_decisions(self.clock()):
            if decision.application_no != application_no:
                continue
            payload = asdict(decision)
            payload["bureau_queried_at"] = (
                decision.bureau_queried_at.isoformat() if decision.bureau_queried_at else None
            )
            payload["documents_due"] = list(decision.documents_due)
            assert wf.deliver_message("card_decision", application_no, payload)
            self.sandbox.card_centre.mark_delivered(key)
            return True
        return False

    def _service(self, wf: WorkflowInstance, call: Any) -> None:
        run_service_call(wf, call, OPS, self.ctx(call.task_id), self.errors)


def as_submitted(task: UserTaskView, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of the task's form exists in the data after it, as completing a task leaves it; what
    the journey knew already (the chip's data on the application's read-only fields) is kept."""
    fields = FORMS.get(task.form_schema).schema.get("properties", {}) if task.form_schema else {}
    return {**{name: None for name in fields if name not in task.data}, **data}


def answers(
    name: str = WANG_FANG[0],
    id_number: str = WANG_FANG[1],
    *,
    income: int = 180_000,
    originals: tuple[str, ...] = ("income_proof", "bank_statement"),
    supplements: tuple[str, ...] = ("bank_statement",),
    **over: Any,
) -> dict[str, Any]:
    birth = id_birth_date(id_number)
    base: dict[str, Any] = {
        "product_choice": {
            "product_code": "CC-STANDARD",
            "reserved_mobile": "13900001234",
            "supplementary_card_wanted": False,
            "full_time_student": False,
        },
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
        "credit_authorization": {
            "credit_report_purpose": "CREDIT_CARD_APPROVAL",
            "credit_auth_read": True,
            "credit_auth_signature": "att_" + "1" * 32,
        },
        "otp_entry": {"otp_code": "123456"},
        "sightings": {
            "applicant_photo": "att_" + "2" * 32,
            **{f"doc_{code}_seen": True for code in originals},
            **{f"doc_{code}_photo": f"att_{i:032d}" for i, code in enumerate(originals)},
        },
        "application": {
            "residential_address": ADDRESS,
            "employer_address": ADDRESS,
            "annual_income": income,
            "delivery_address_choice": "WORK",
        },
        "signing": {
            "agreement_read": True,
            "hand_copy_image": "att_" + "3" * 32,
            "customer_signature": "att_" + "4" * 32,
        },
        "witness": {"witness_person_seen": True, "witness_signature": "att_" + "5" * 32},
        "supplement": {
            **{f"supplement_{code}_seen": True for code in supplements},
            **{f"supplement_{code}_photo": f"att_{i + 50:032d}" for i, code in enumerate(supplements)},
        },
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def with_supplementary(holder_name: str, holder_id: str, **over: Any) -> dict[str, Any]:
    birth = id_birth_date(holder_id)
    return answers(
        product_choice={
            "supplementary_card_wanted": True,
            "supplementary_holder_relation": "CHILD",
            "supplementary_holder_present": True,
        },
        supp_id_card={
            "supp_name": holder_name,
            "supp_id_number": holder_id,
            "supp_sex": id_sex_code(holder_id),
            "supp_birth_date": birth.isoformat() if birth else None,
            "supp_id_valid_to": "2040-01-01",
            "supp_chip_photo": "att_" + "d" * 32,
        },
        supp_consents={"supp_privacy_notice_ack": True, "supp_third_party_verification": True},
        supp_signing={"supp_agreement_read": True, "supp_signature": "att_" + "6" * 32},
        **over,
    )


MAIN_PATH = [
    "product_choice",
    "id_card",
    "customer_consents",
    "face_check",
    "credit_authorization",
    "otp_entry",
    "sightings",
    "application",
    "signing",
    "witness",
]


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock()
    use_clock(moving)  # SpiffWorkflow's timers read the engine's clock, as the composition root sets it
    yield moving
    use_clock(lambda: datetime.now(UTC))


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def journey(request: pytest.FixtureRequest, clock: Clock) -> Journey:
    return Journey(restore=request.param, clock=clock)


def test_a_clean_applicant_is_approved_with_a_limit(journey: Journey) -> None:
    data = journey.run(answers()).data
    assert (data["outcome"], data["outcome_reason"], data["credit_limit"]) == ("APPROVED", None, 36_000)
    assert data["cc_submission"]["application_no"] == data["application_no"]
    assert journey.steps == MAIN_PATH
    assert journey.sandbox.sms.inbox("13900001234")[-1].text.count(data["application_no"]) == 1
    # every kind of wait was met (and, in save-restore, survived a reload)
    assert {"service", "message", "product_choice", "signing"} <= set(journey.waits)


@pytest.mark.parametrize(
    ("name", "id_number", "outcome", "reason"),
    [
        ("余勇", "420116198404049312", "DECLINED", "BUREAU_DELINQUENT"),  # 931 连三累六
        ("潘颖", "420117198303039322", "REFERRED", "THIN_FILE"),  # 932 白户
        ("杜伟", "420102198802029335", "REFERRED", "MANY_INQUIRIES"),  # 933
    ],
)
def test_the_card_centre_declines_or_refers(
    journey: Journey, name: str, id_number: str, outcome: str, reason: str
) -> None:
    data = journey.run(answers(name, id_number)).data
    assert (data["outcome"], data["outcome_reason"]) == (outcome, reason)
    assert data.get("credit_limit") is None and journey.steps == MAIN_PATH


def test_documents_asked_for_are_supplied_and_the_application_is_approved(journey: Journey) -> None:
    data = journey.run(answers(income=400_000, originals=("income_proof",))).data
    assert (data["outcome"], data["credit_limit"]) == ("APPROVED", 50_000)  # a fifth of 400,000, capped
    assert journey.steps == [*MAIN_PATH, "supplement"]
    assert data["supplement_request"]["documents_due"] == ["bank_statement"]
    assert journey.waits.count("message") == 2  # PENDING_DOCS, then APPROVED


def test_incomplete_documents_go_back_to_the_same_task_and_its_deadline(journey: Journey) -> None:
    given = iter(
        [
            {"supplement_income_proof_seen": True, "supplement_income_proof_photo": "att_" + "8" * 32},
            {"supplement_bank_statement_seen": True, "supplement_bank_statement_photo": "att_" + "9" * 32},
        ]
    )
    data = journey.run(
        answers(income=400_000, originals=("income_proof",), supplement=lambda _j: next(given))
    ).data
    assert data["outcome"] == "APPROVED"
    assert journey.errors == ["CC_DOCUMENTS_INCOMPLETE"] and journey.steps.count("supplement") == 2


def test_documents_not_supplied_within_7_days_decline_the_application_by_the_timer(journey: Journey) -> None:
    data = journey.run(
        answers(income=400_000, originals=("income_proof",), supplement=Wait(DOCUMENTS_LATE))
    ).data
    assert (data["outcome"], data["outcome_reason"]) == ("DECLINED", "DOCUMENTS_OVERDUE")
    assert "supplement" not in journey.steps and "timer" in journey.waits
    assert not journey.errors  # the deadline's timer ended it, not a late submission


def test_a_task_left_open_but_within_the_deadline_is_still_answered(journey: Journey) -> None:
    waited = iter([Wait(timedelta(days=6, hours=23)), answers()["supplement"]])
    data = journey.run(
        answers(income=400_000, originals=("income_proof",), supplement=lambda _j: next(waited))
    ).data
    assert data["outcome"] == "APPROVED" and journey.steps[-1] == "supplement"


def test_no_answer_from_the_card_centre_in_30_days_refers_the_application(
    clock: Clock, restore: bool
) -> None:
    journey = Journey(restore, clock, card_centre_answers=False)
    data = journey.run(answers()).data
    assert (data["outcome"], data["outcome_reason"]) == ("REFERRED", "CARD_CENTRE_NO_ANSWER")
    assert "card_decision" not in data and clock() - START >= NO_ANSWER


@pytest.fixture(params=[False, True], ids=["straight", "save-restore"])
def restore(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.mark.parametrize(
    ("name", "id_number", "over", "reason"),
    [
        ("李建国", "420111195501010035", {}, "OVER_AGE"),  # 70: over the main card's 60 [Practice]
        (*WANG_FANG, {"product_choice": {"held_card_products": ["CC-STANDARD"]}}, "PRODUCT_ALREADY_HELD"),
    ],
)
def test_an_ineligible_applicant_is_refused_before_the_authorization(
    journey: Journey, name: str, id_number: str, over: dict[str, Any], reason: str
) -> None:
    data = journey.run(answers(name, id_number, **over)).data
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", reason)
    assert journey.steps == ["product_choice", "id_card", "customer_consents", "face_check"]
    assert "credit_auth" not in data and "cc_submission" not in data


def test_an_applicant_neither_living_nor_working_in_the_service_area_is_refused(journey: Journey) -> None:
    beijing_id = resident_id("110105", "19900101")
    data = journey.run(
        answers("赵磊", beijing_id, application={"residential_address": BEIJING, "employer_address": BEIJING})
    ).data
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "OUTSIDE_SERVICE_AREA")
    assert journey.steps[-1] == "application" and "cc_submission" not in data


def test_a_non_local_id_holder_working_in_the_service_area_goes_on(journey: Journey) -> None:
    data = journey.run(
        answers("赵磊", resident_id("110105", "19900101"), application={"residential_address": BEIJING})
    ).data
    assert data["outcome"] == "APPROVED"


def test_a_watch_listed_applicant_is_refused_inside_the_shared_identification(journey: Journey) -> None:
    data = journey.run(answers("曹琳", "420111199808089145")).data  # 914 BLOCK_INTERNAL
    assert (data["outcome"], data["outcome_reason"]) == ("REFUSED", "INTERNAL_RISK_LIST")
    assert journey.steps == ["product_choice", "id_card", "customer_consents"]


def test_a_student_without_the_second_repayment_source_goes_back_to_the_sightings(journey: Journey) -> None:
    sightings = iter(
        [
            answers()["sightings"],
            {**answers()["sightings"], "doc_second_repayment_source_seen": True},
        ]
    )
    data = journey.run(
        answers(product_choice={"full_time_student": True}, sightings=lambda _j: next(sightings))
    ).data
    assert data["outcome"] == "APPROVED"
    assert journey.errors == ["CC_APPLICATION_INCOMPLETE"] and journey.steps.count("sightings") == 2


# ---------------------------------------------------------------- abandoned where the diagram waits


@pytest.mark.parametrize("at", ["credit_authorization", "otp_entry", "signing", "witness"])
def test_a_journey_abandoned_at_a_task_keeps_what_it_collected_and_submits_nothing(
    journey: Journey, at: str
) -> None:
    wf = journey.run(answers(), stop_at=at)
    if journey.restore:
        wf = WorkflowInstance.load(wf.dump(), journey.engine)
    wf.cancel()
    data = wf.data
    assert data["id_number"] == WANG_FANG[1] and "cc_submission" not in data
    assert not wf.completed and wf.ready_user_tasks() == [] and wf.pending_service_calls() == []


def test_a_journey_abandoned_while_waiting_for_the_decision_no_longer_takes_it(journey: Journey) -> None:
    wf = _until_waiting(journey, journey.start(), answers())
    [waiting] = wf.waiting_messages()
    if journey.restore:
        wf = WorkflowInstance.load(wf.dump(), journey.engine)
    wf.cancel()
    assert wf.waiting_messages() == []  # its subscription goes with it: a late decision finds no one
    assert not wf.deliver_message("card_decision", waiting.correlation_key, {"decision": "APPROVED"})


def _until_waiting(journey: Journey, wf: WorkflowInstance, given: dict[str, Any]) -> WorkflowInstance:
    """Runs until the instance waits for the card centre's decision."""
    for _ in range(40):
        if wf.waiting_messages():
            return wf
        for call in wf.pending_service_calls():
            if wf.is_started_service(call.task_id):
                journey._service(wf, call)
        wf.run()
        tasks = wf.ready_user_tasks()
        if tasks:
            wf.complete_user_task(tasks[0].task_id, as_submitted(tasks[0], given[tasks[0].spec_name]))
            wf.run()
    raise AssertionError("never waited for the decision")


# ---------------------------------------------------------------- the supplementary card (§7.2, §7.3)

ZHAO = ("赵雨桐", "42010320070220004X")  # §13.2: clean, 18


def test_a_present_supplementary_holder_is_checked_signs_and_goes_with_the_application(
    journey: Journey,
) -> None:
    data = journey.run(with_supplementary(*ZHAO)).data
    assert data["outcome"] == "APPROVED"
    assert journey.steps == [
        *MAIN_PATH[:4],
        "supp_id_card",
        "supp_consents",
        "face_check",
        *MAIN_PATH[4:9],
        "supp_signing",
        "witness",
    ]
    # the second face_check is the holder's, by the same shared process
    assert (data["customer_name"], data["id_number"]) == WANG_FANG  # the applicant's chip data untouched
    assert (data["supp_identity_result"]["result"], data["supp_watchlist_result"]["result"]) == (
        "MATCH_WITH_PHOTO",
        "CLEAR",
    )
    held = journey.sandbox.card_centre.received(data["application_no"]).supplementary_holder
    assert held is not None and (held.id_number, held.signature_ref) == (ZHAO[1], "att_" + "6" * 32)


def test_the_present_holder_s_face_is_checked_under_their_own_names(journey: Journey) -> None:
    holder_face = {**answers()["face_check"], "live_face_image": "att_" + "e" * 32}
    faces = iter([answers()["face_check"], holder_face])
    data = journey.run(with_supplementary(*ZHAO, face_check=lambda _j: next(faces))).data
    assert data["outcome"] == "APPROVED" and data["supplementary_card_accepted"] is True
    assert data["supp_face_verified"] is True and data["supp_face_result"]["result"] == "PASS"
    assert data["supp_live_face_image"] == "att_" + "e" * 32
    # the applicant's face results are the applicant's, not overwritten by the holder's check
    assert data["live_face_image"] == "att_" + "0" * 32 and data["face_result"]["result"] == "PASS"
    assert data["supplementary_holder"]["face_result"] == "PASS"


def test_a_holder_failing_the_face_check_drops_only_the_supplementary_card(journey: Journey) -> None:
    spoof = {**answers()["face_check"], "live_face_image": "att_" + "e" * 32, "simulated_camera": "spoof"}
    faces = iter([answers()["face_check"], spoof, spoof])
    data = journey.run(with_supplementary(*ZHAO, face_check=lambda _j: next(faces))).data
    assert (data["outcome"], data["outcome_reason"]) == ("APPROVED", None)
    assert journey.steps.count("face_check") == 3 and "supp_signing" not in journey.steps
    assert journey.errors == ["FACE_REJECTED", "FACE_REJECTED"]
    assert data["supplementary_card_accepted"] is False and data["supplementary_holder"] is None
    assert data["supplementary_refusal"]["reason"] == "FACE_VERIFICATION_FAILED"
    assert data["supp_face_verified"] is False and data["supp_face_rejection"]["code"] == "LIVENESS_FAIL"
    assert data["face_verified"] is True and data["face_result"]["result"] == "PASS"  # the applicant's
    received = journey.sandbox.card_centre.received(data["application_no"])
    assert received.supplementary_holder is None and "SUPPLEMENTARY_CARD_REFUSED" in received.flags


@pytest.mark.parametrize(
    ("holder", "error", "reason"),
    [
        (("谢鹏", "420103199303039118"), "PRECHECK_REFUSED", "DISCIPLINE_LIST"),  # 911 on the 断卡 list
        (("唐敏", "420104197004049129"), "PRECHECK_REFUSED", "GENERAL_POLICY"),  # 912 sanctions: neutral
        (("韩磊", "420105199606069130"), "PRECHECK_PENDING_REVIEW", "PENDING_COMPLIANCE_REVIEW"),  # 913
        (
            ("冯婷", "420112199209099022"),
            "PRECHECK_REFERRED",
            "IDENTITY_NOT_FOUND",
        ),  # 902 not in the registry
    ],
)
def test_a_supplementary_holder_stopped_by_a_check_drops_only_the_supplementary_card(
    journey: Journey, holder: tuple[str, str], error: str, reason: str
) -> None:
    data = journey.run(with_supplementary(*holder)).data
    assert (data["outcome"], data["outcome_reason"]) == ("APPROVED", None)
    assert journey.errors == [error] and "supp_signing" not in journey.steps
    assert data["supplementary_card_accepted"] is False and data["supplementary_refusal"]["reason"] == reason
    received = journey.sandbox.card_centre.received(data["application_no"])
    assert received.supplementary_holder is None and "SUPPLEMENTARY_CARD_REFUSED" in received.flags


@pytest.mark.parametrize(
    ("holder_id", "reason"),
    [
        (resident_id("420106", "20100101"), "SUPPLEMENTARY_UNDER_AGE"),  # 15 on the day [Practice 16+]
        (WANG_FANG[1], "SUPPLEMENTARY_IS_APPLICANT"),
    ],
)
def test_a_supplementary_holder_failing_the_id_rules_is_never_checked_with_third_parties(
    journey: Journey, holder_id: str, reason: str
) -> None:
    data = journey.run(with_supplementary("孙小明", holder_id)).data
    assert data["outcome"] == "APPROVED" and data["supplementary_refusal"]["reason"] == reason
    assert "supp_consents" not in journey.steps and "supp_identity_result" not in data


def test_a_sixteen_year_old_may_hold_a_supplementary_card(journey: Journey) -> None:
    data = journey.run(with_supplementary("孙小明", resident_id("420106", "20090612"))).data
    assert data["supplementary_card_accepted"] is True and data["supp_id_assessment"]["age"] == 16


def test_the_waits_are_reloaded_at_every_kind_in_save_restore(clock: Clock) -> None:
    journey = Journey(restore=True, clock=clock)
    journey.run(answers(income=400_000, originals=("income_proof",), supplement=Wait(DOCUMENTS_LATE)))
    assert {"service", "message", "timer", "supplement", "product_choice"} <= set(journey.waits)
