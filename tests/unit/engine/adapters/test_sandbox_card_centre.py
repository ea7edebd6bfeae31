"""The simulated card centre: answers at once, decides later by the §13 fixtures, calls back once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from engine.adapters.ports import CardApplication, CardDecision
from engine.adapters.sandbox.callbacks import SANDBOX_CARD_CENTRE, CardCentreCallbacks
from engine.adapters.sandbox.card_centre import SandboxCardCentre
from engine.errors import ExternalServiceError, NotFound

WANG_FANG = "420102198506150026"  # §13.2 clean pass: credit card approve


@pytest.fixture
def centre(make_pacer: Any, store: Any) -> SandboxCardCentre:
    return SandboxCardCentre(make_pacer("zero"), store, decision_delay_s=60)


@pytest.fixture
def application(clock: Any) -> CardApplication:
    return CardApplication(
        request_id="inst-1:submit",
        id_number=WANG_FANG,
        name="王芳",
        product_code="CC-STANDARD",
        annual_income=120_000,
        income_proofs=("income_proof",),
        credit_auth_signed_at=clock() - timedelta(minutes=5),
    )


def decided(centre: SandboxCardCentre, clock: Any) -> dict[str, Any]:
    [(_key, decision)] = centre.due_decisions(clock() + timedelta(days=1))
    return {"decision": decision.decision, "reason": decision.reason, "limit": decision.credit_limit}


def test_an_application_is_numbered_at_once_and_decided_after_the_delay(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    received = centre.submit(application)
    assert received.status == "RECEIVED" and received.application_no.startswith("CC")
    assert centre.submit(application).application_no == received.application_no  # idempotent
    assert centre.due_decisions(clock() + timedelta(seconds=59)) == []
    [(_key, decision)] = centre.due_decisions(clock() + timedelta(seconds=60))
    assert (decision.decision, decision.credit_limit) == ("APPROVED", 24_000)
    assert decision.bureau_queried_at is not None
    assert decision.bureau_queried_at > application.credit_auth_signed_at  # type: ignore[operator]


@pytest.mark.parametrize(
    ("id_number", "expected"),
    [
        ("420116198404049312", ("DECLINED", "BUREAU_DELINQUENT")),  # 931
        ("420117198303039322", ("REFERRED", "THIN_FILE")),  # 932
        ("420102198802029335", ("REFERRED", "MANY_INQUIRIES")),  # 933
    ],
)
def test_bureau_scenarios_by_fixture(
    centre: SandboxCardCentre, application: CardApplication, clock: Any, id_number: str, expected: Any
) -> None:
    centre.submit(replace(application, id_number=id_number))
    assert (decided(centre, clock)["decision"], decided(centre, clock)["reason"]) == expected


def test_a_review_flag_is_referred_and_the_limit_stays_in_its_band(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    centre.submit(replace(application, request_id="r1", flags=("REVIEW_TELCO",)))
    assert decided(centre, clock)["decision"] == "REFERRED"
    low = SandboxCardCentre(centre._pacer, type(centre._store)(), 0)
    low.submit(replace(application, annual_income=10_000))
    assert decided(low, clock)["limit"] == 5_000
    high = SandboxCardCentre(centre._pacer, type(centre._store)(), 0)
    high.submit(replace(application, annual_income=290_000))
    assert decided(high, clock)["limit"] == 50_000


def test_high_income_without_two_proofs_asks_for_documents_then_decides_again(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    number = centre.submit(replace(application, annual_income=400_000)).application_no
    [(key, first)] = centre.due_decisions(clock() + timedelta(days=1))
    assert (first.decision, first.documents_due) == ("PENDING_DOCS", ("bank_statement",))
    centre.mark_delivered(key)
    centre.submit_documents(number, ("bank_statement",), "inst-1:docs")
    centre.submit_documents(number, ("bank_statement",), "inst-1:docs")  # a retried upload counts once
    [(_key, second)] = centre.due_decisions(clock() + timedelta(days=1))
    assert (second.decision, second.credit_limit) == ("APPROVED", 50_000)


def test_no_bureau_query_without_a_signed_authorization(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    for signed in (None, clock() + timedelta(minutes=1)):
        with pytest.raises(ExternalServiceError) as refused:
            centre.submit(replace(application, credit_auth_signed_at=signed))
        assert refused.value.reason == "AUTH_MISSING"
    assert centre.due_decisions(clock() + timedelta(days=1)) == []


class Messages:
    """Stands in for the engine's MessageService: unit scope (the HTTP path is an integration test)."""

    def __init__(self) -> None:
        self.waiting: set[str] = set()
        self.got: list[tuple[str, str, dict[str, Any]]] = []

    def deliver(self, client: Any, message_id: str, name: str, key: str, payload: dict[str, Any]) -> Any:
        assert client == SANDBOX_CARD_CENTRE and name == "card_decision"
        if key not in self.waiting:
            raise NotFound("no instance waits")
        self.got.append((message_id, key, payload))


def test_callbacks_retry_until_the_journey_waits_and_deliver_each_decision_once(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    number = centre.submit(application).application_no
    messages = Messages()
    callbacks = CardCentreCallbacks(centre, messages, lambda: clock() + timedelta(days=1))
    assert callbacks.run_once() == 0  # not waiting yet: offered again
    messages.waiting.add(number)
    assert callbacks.run_once() == 1
    assert callbacks.run_once() == 0
    [(message_id, key, payload)] = messages.got
    assert (key, payload["decision"], payload["credit_limit"]) == (number, "APPROVED", 24_000)
    assert message_id == f"cc-{number}:0"


# --- de-duplication (§J2 step 9) ---------------------------------------------------------------------


def by_number(centre: SandboxCardCentre, clock: Any) -> dict[str, CardDecision]:
    return {d.application_no: d for _key, d in centre.due_decisions(clock() + timedelta(days=1))}


def test_holdings_list_held_and_open_products_of_one_id_number(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    centre.submit(application)
    centre.submit(replace(application, request_id="r-gold", product_code="CC-GOLD", annual_income=400_000))
    deciding = centre.holdings(WANG_FANG, "h-1")
    assert (deciding.held_products, deciding.in_progress_products) == ((), ("CC-GOLD", "CC-STANDARD"))
    clock.advance(60)  # decided: CC-STANDARD approved, CC-GOLD waits for 补件
    decided_ = centre.holdings(WANG_FANG, "h-2")
    assert (decided_.held_products, decided_.in_progress_products) == (("CC-STANDARD",), ("CC-GOLD",))
    clock.advance(7 * 24 * 3600 + 1)  # no documents within 7 days: the 补件 application lapsed
    assert centre.holdings(WANG_FANG, "h-3").in_progress_products == ()
    assert centre.holdings("420106199003071238", "h-4").held_products == ()  # someone else


@pytest.mark.parametrize(("wait_s", "reason"), [(0, "APPLICATION_IN_PROGRESS"), (60, "PRODUCT_HELD")])
def test_a_second_application_for_the_same_product_is_declined_without_a_bureau_query(
    centre: SandboxCardCentre, application: CardApplication, clock: Any, wait_s: int, reason: str
) -> None:
    first = centre.submit(application).application_no
    clock.advance(wait_s)
    second = centre.submit(replace(application, request_id="inst-2:submit")).application_no
    assert second != first
    other = centre.submit(replace(application, request_id="inst-3:submit", product_code="CC-GOLD"))
    decisions = by_number(centre, clock)
    assert decisions[first].decision == "APPROVED"
    assert (decisions[second].decision, decisions[second].reason) == ("DECLINED", reason)
    assert decisions[second].bureau_queried_at is None  # de-duplication comes before the bureau
    assert decisions[other.application_no].decision == "APPROVED"  # another product is no duplicate


def test_after_a_decline_the_person_may_apply_again(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    delinquent = replace(application, id_number="420116198404049312")  # 931: declined by the bureau
    centre.submit(delinquent)
    clock.advance(60)
    again = centre.submit(replace(delinquent, request_id="inst-2:submit")).application_no
    assert by_number(centre, clock)[again].reason == "BUREAU_DELINQUENT"  # on its merits, not a duplicate


def test_of_two_concurrent_submissions_one_is_taken_up(
    make_pacer: Any, slow_store: Any, application: CardApplication, clock: Any
) -> None:
    centre = SandboxCardCentre(make_pacer("zero"), slow_store, 0)
    threads = [
        threading.Thread(target=centre.submit, args=(replace(application, request_id=f"r-{i}"),))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decisions = sorted(d.decision for _key, d in centre.due_decisions(clock() + timedelta(days=1)))
    assert decisions == ["APPROVED", "DECLINED", "DECLINED", "DECLINED"]


# --- the card: production, mailing, activation (§J2 steps 11-12, §7.4) ---------------------------------


def approved(centre: SandboxCardCentre, application: CardApplication, **fields: Any) -> str:
    return centre.submit(replace(application, **fields)).application_no


@pytest.mark.parametrize(
    ("delivery", "returned", "route"),
    [
        ("RESIDENTIAL", False, ["PRODUCED", "MAILED", "DELIVERED", "DELIVERED"]),
        ("WORK", True, ["PRODUCED", "MAILED", "RETURNED", "AT_BRANCH"]),
        ("BRANCH", False, ["PRODUCED", "AT_BRANCH", "AT_BRANCH", "AT_BRANCH"]),
    ],
)
def test_an_approved_card_moves_on_the_sandbox_clock(
    make_pacer: Any,
    store: Any,
    application: CardApplication,
    clock: Any,
    delivery: str,
    returned: bool,
    route: Any,
) -> None:
    centre = SandboxCardCentre(make_pacer("zero"), store, 60, card_step_s=100, mail_returned=returned)
    number = approved(centre, application, delivery=delivery)
    assert centre.card_status(number, "s-0").state == "NOT_ISSUED"
    clock.advance(60 + 99)  # decided, but production takes a step
    assert centre.card_status(number, "s-1").state == "NOT_ISSUED"
    seen = []
    for step in range(4):
        clock.advance(1 if step == 0 else 100)
        status = centre.card_status(number, f"s-{step}")
        seen.append(status.state)
        assert (status.delivery, status.usable, status.fees_from) == (delivery, False, None)
    assert seen == route


def test_a_declined_application_never_gets_a_card(
    centre: SandboxCardCentre, application: CardApplication, clock: Any
) -> None:
    number = approved(centre, application, id_number="420116198404049312")  # 931
    clock.advance(3600)
    assert centre.card_status(number, "s-1").state == "NOT_ISSUED"
    found = centre.activate(number, "420116198404049312", True, False, "0123456789ABCDEF", "a-1")
    assert found.result == "NOT_ISSUED"
    with pytest.raises(ExternalServiceError) as unknown:
        centre.card_status("CC000", "s-2")
    assert unknown.value.reason == "UNKNOWN_APPLICATION"


PIN_BLOCK = "041234FFFFFFFFFF"


def test_activation_needs_the_card_delivered_the_applicant_and_a_verified_identity(
    make_pacer: Any, store: Any, application: CardApplication, clock: Any
) -> None:
    centre = SandboxCardCentre(make_pacer("zero"), store, 0, card_step_s=60)
    number = approved(centre, application)
    clock.advance(120)  # mailed, not delivered
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-1").result == "NOT_DELIVERED"
    clock.advance(60)  # delivered
    assert centre.activate("CC000", WANG_FANG, True, False, PIN_BLOCK, "a-2").result == "UNKNOWN_APPLICATION"
    someone_else = centre.activate(number, "420106199003071238", True, True, PIN_BLOCK, "a-3")
    assert someone_else.result == "IDENTITY_MISMATCH"
    unverified = centre.activate(number, WANG_FANG, False, False, PIN_BLOCK, "a-4")
    assert (unverified.result, centre.card_status(number, "s-1").usable) == ("IDENTITY_NOT_VERIFIED", False)
    with pytest.raises(ValueError):
        centre.activate(number, WANG_FANG, True, False, "123456", "a-5")  # a clear PIN never travels
    done = centre.activate(number, WANG_FANG, False, True, PIN_BLOCK, "a-6")
    assert (done.result, done.activated_at) == ("ACTIVATED", clock())
    status = centre.card_status(number, "s-2")
    assert (status.state, status.usable, status.fees_from) == ("ACTIVE", True, clock().date())
    assert PIN_BLOCK not in str(store.items("cc.active"))  # the PIN block is not kept
    clock.advance(5)
    assert centre.activate(number, WANG_FANG, False, True, PIN_BLOCK, "a-6") == done  # a retry: same answer
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-7").result == "ALREADY_ACTIVE"


def test_a_returned_card_is_activated_at_the_branch(
    make_pacer: Any, store: Any, application: CardApplication, clock: Any
) -> None:
    centre = SandboxCardCentre(make_pacer("zero"), store, 0, card_step_s=60, mail_returned=True)
    number = approved(centre, application)
    clock.advance(180)
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-1").result == "NOT_DELIVERED"
    clock.advance(60)  # back at the branch: collected and activated at the counter
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-2").result == "ACTIVATED"
