"""The simulated card centre: answers at once, decides later by the §13 fixtures, calls back once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from engine.adapters.ports import CardApplication
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
