"""J3's cooling-off over HTTP on PostgreSQL (domain J3 step 10, §5.4), with the purchase on the tablet.

王芳 (§13.2; 8 000 000.00 on her sandbox core account) buys the private `PWM-R3-101` (300 000.00, 24 h
cooling-off). The journey waits at the cooling-off; her cancellation comes from a channel (mobile banking)
as the `wealth_cooling_off_cancel` message through `POST /api/v1/messages`, correlated by the order number
(the key the instance waits on). The timer runs on the engine's clock, which the test moves; the sandbox
shares that clock. The in-process worker's timer sweep is held back so the test sweeps when it means to:
a cancellation can then arrive after the window ended but before the sweep, as it does when a worker is late.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services, build_services
from devices.demo import seed_demo_devices
from documents.journeys.wealth import cooling_off_rules
from engine import dispatch
from engine.adapters.ports import SHANGHAI
from engine.people.demo import seed_demo
from engine.persistence.records import InstanceEventRecord, MessageSubscriptionRecord
from engine.timers import fire_due_timers
from tests.integration.conftest import clear_personal_data, make_settings
from tests.integration.test_wealth_journey import machine_rules, open_account
from tests.integration.test_web_pages import sign_in
from tests.integration.wealth_driver import Investor, WealthDriver

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

MESSAGE = "wealth_cooling_off_cancel"
BALANCE, AMOUNT = Decimal("8000000.00"), Decimal("300000.00")


class Clock:
    """The wall clock plus an offset the test moves (engine, SpiffWorkflow's timers and the sandbox)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(
    database_url: str, key_dir: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setattr(dispatch, "fire_due_timers", lambda _deps, limit=50: 0)  # the test sweeps
    settings = make_settings(database_url, key_dir, tmp_path, wealth_purchase_on_tablet=True)
    built = build_services(settings, now=clock)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    yield built
    assert not clear_personal_data(built.deps.sessions.kw["bind"])


@pytest.fixture
def mobile_banking(services: Services) -> dict[str, str]:
    """The channel the customer cancels through, a system client allowed this one message."""
    token = services.system_clients.register("mobile_banking", "手机银行 (test)", [MESSAGE])
    return {"Authorization": f"Bearer {token}"}


class Purchase:
    """A private product bought on the tablet, waiting in its cooling-off."""

    def __init__(self, client: TestClient, services: Services) -> None:
        self.client, self.services = client, services
        self.investor = Investor(product_code="PWM-R3-101", amount=str(AMOUNT))
        self.investor.payment_account_no = open_account(services, self.investor)
        self.driver = WealthDriver(client, wait_seconds=2)
        before = self.driver.run(self.investor, stop_before="product_signing")
        assert before.steps[-2:] == ["product_selection", "qualification"], before.steps
        [task] = before.instance["tasks"]
        self.instance_id = before.instance["instance_id"]
        # signed here, not by the driver: it would wait for a next task that comes a day later at most
        data = self.driver.form_data("product_signing", self.investor, "fo001", before.steps)
        r = client.post(
            f"/api/v1/tasks/{task['task_id']}/complete", headers=self.headers(), json={"data": data}
        )
        assert r.status_code == 200, r.text
        self.order_no = self._awaited_order_no()

    def headers(self) -> dict[str, str]:
        return self.driver.headers("fo001")

    def _awaited_order_no(self, seconds: float = 30) -> str:
        """The order number the journey waits on once the order is placed (what the channel knows)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.services.deps.sessions() as session:
                waiting = session.query(MessageSubscriptionRecord).filter_by(instance_id=self.instance_id)
                keys = [(s.message_name, s.correlation_key) for s in waiting]
            if keys:
                [(name, key)] = keys
                assert name == MESSAGE
                return key
            time.sleep(0.1)
        raise AssertionError(f"no cooling-off wait: {self.view()}")

    def view(self) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/instances/{self.instance_id}", headers=self.headers())
        assert r.status_code == 200, r.text
        return dict(r.json())

    def finished(self, seconds: float = 30) -> dict[str, Any]:
        """The journey once the worker has run what the message or timer set off."""
        deadline = time.monotonic() + seconds
        while (view := self.view())["status"] not in ("completed", "incident"):
            assert time.monotonic() < deadline, view
            time.sleep(0.1)
        return view

    def later(self, clock: Clock, by: timedelta) -> None:
        clock.offset = by
        self.driver._tokens.clear()  # the morning's token has expired by then: sign in again

    def available(self) -> Decimal:
        assert self.services.sandbox is not None
        return Decimal(self.services.sandbox.core.balances.available(self.investor.payment_account_no))

    def ending(self) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/instances/{self.instance_id}/events", headers=self.headers())
        assert r.status_code == 200, r.text
        [completed] = [e for e in r.json() if e["kind"] == "instance_completed"]
        return dict(completed["detail"])

    def cooling_off_rule(self) -> dict[str, Any]:
        """COOLING_OFF_RESPECTED's result on the finished journey's package (machine review)."""
        rules = machine_rules(self.client, self.driver, self.instance_id)
        return dict(rules["COOLING_OFF_RESPECTED"]["detail"])

    def outcome_page(self) -> str:
        page = sign_in(self.client, "fo001").get(f"/tablet/journeys/{self.instance_id}")
        assert page.status_code == 200, page.text
        return page.text


def deliver(
    client: TestClient, headers: dict[str, str], key: str, message_id: str, name: str = MESSAGE
) -> Any:
    body = {"message_id": message_id, "name": name, "correlation_key": key, "payload": {"channel": "MB"}}
    return client.post("/api/v1/messages", json=body, headers=headers)


def test_a_cancellation_inside_the_cooling_off_refunds_the_full_amount(
    client: TestClient, services: Services, clock: Clock, mobile_banking: dict[str, str]
) -> None:
    bought = Purchase(client, services)
    waiting = bought.view()
    assert (waiting["status"], waiting["outcome"], waiting["tasks"]) == ("waiting_external", None, [])
    assert bought.available() == BALANCE - AMOUNT  # frozen on her core account
    # the tablet's waiting screen says what the journey waits for and the order number to cancel with
    waiting_page = bought.outcome_page()
    assert bought.order_no in waiting_page and "300,000.00 元" in waiting_page
    assert "客户撤销认购" in waiting_page and "data-timer-due" in waiting_page

    bought.later(clock, timedelta(hours=20))
    r = deliver(client, mobile_banking, bought.order_no, "mb-1")
    assert (r.status_code, r.json()) == (200, {"message_id": "mb-1", "status": "delivered"}), r.text
    done = bought.finished()
    assert (done["status"], done["outcome"], done["outcome_reason"]) == (
        "completed",
        "CANCELLED_IN_COOLING_OFF",
        "CANCELLED_IN_COOLING_OFF",
    )
    assert bought.available() == BALANCE  # the full amount is back
    again = deliver(client, mobile_banking, bought.order_no, "mb-1")  # the channel lost our answer
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert bought.available() == BALANCE  # refunded once
    ending = bought.ending()
    assert (ending["order_no"], ending["refund_amount"]) == (bought.order_no, "300000.00")
    page = bought.outcome_page()
    assert "冷静期内已撤销认购" in page and bought.order_no in page
    assert "300,000.00 元" in page and "全额退回" in page
    assert bought.cooling_off_rule() == {
        "result": "PASS",
        "reason": "cancelled in a 24 h cooling-off, refunded in full",
    }


def test_when_the_cooling_off_runs_out_the_order_takes_effect(
    client: TestClient, services: Services, clock: Clock, mobile_banking: dict[str, str]
) -> None:
    bought = Purchase(client, services)
    bought.later(clock, timedelta(hours=23))
    assert fire_due_timers(services.deps) == 0
    assert bought.view()["status"] == "waiting_external"  # 23 hours in, still cooling off
    bought.later(clock, timedelta(hours=24, seconds=1))
    assert fire_due_timers(services.deps) == 1
    done = bought.finished()
    assert (done["outcome"], done["outcome_reason"]) == ("ORDER_PLACED", "COOLING_OFF_ENDED"), done
    assert bought.available() == BALANCE - AMOUNT  # invested: the money stays frozen for the TA
    too_late = deliver(client, mobile_banking, bought.order_no, "mb-2")
    assert too_late.status_code == 404  # nothing waits for a cancellation any more

    ending = bought.ending()
    ends = datetime.fromisoformat(ending["cooling_off_ends_at"])
    assert ends.utcoffset() == timedelta(hours=8) and ending["order_no"] == bought.order_no
    page = bought.outcome_page()
    assert "认购已受理" in page and "冷静期已结束，您的认购已生效" in page
    assert f"{ends.astimezone(SHANGHAI):%Y-%m-%d %H:%M}（北京时间）" in page
    assert "300,000.00 元" in page and bought.order_no in page
    assert f"尾号{bought.investor.payment_account_no[-4:]}" in page
    assert bought.investor.payment_account_no not in page  # masked (§8.3)
    assert bought.cooling_off_rule() == {"result": "PASS", "reason": "24 h cooling-off respected"}
    with services.deps.sessions() as session:  # the timer as the rule looks for it in the trail
        [fired] = session.query(InstanceEventRecord).filter_by(
            instance_id=bought.instance_id, kind="timer_fired"
        )
        assert fired.task_spec in cooling_off_rules.COOLING_OFF_TIMER_STEPS


def test_a_cancellation_after_the_window_but_before_the_sweep_is_refused_and_the_order_stands(
    client: TestClient, services: Services, clock: Clock, mobile_banking: dict[str, str]
) -> None:
    bought = Purchase(client, services)
    bought.later(clock, timedelta(hours=24, seconds=1))  # the timer is due; nobody has swept it yet
    r = deliver(client, mobile_banking, bought.order_no, "mb-3")
    assert r.status_code == 200, r.text
    done = bought.finished()
    assert (done["outcome"], done["outcome_reason"]) == ("ORDER_PLACED", "CANCELLATION_AFTER_COOLING_OFF")
    assert "冷静期已结束，撤销申请未受理" in (done["customer_message"] or "")
    assert bought.available() == BALANCE - AMOUNT  # wm_sales refused: nothing refunded
    assert fire_due_timers(services.deps) == 0  # the message took the gateway: no timer is left
    assert bought.cooling_off_rule() == {"result": "PASS", "reason": "24 h cooling-off respected"}


def test_bad_cancellation_messages_are_refused_as_the_messages_api_defines(
    client: TestClient, services: Services, mobile_banking: dict[str, str]
) -> None:
    bought = Purchase(client, services)
    malformed = client.post(
        "/api/v1/messages",
        json={"message_id": "mb 1", "name": "Wealth Cancel", "correlation_key": "", "payload": []},
        headers=mobile_banking,
    )
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["details"]} >= {"message_id", "name", "correlation_key"}
    assert deliver(client, mobile_banking, "WO20990101" + "0" * 10, "mb-4").status_code == 404
    assert deliver(client, bought.headers(), bought.order_no, "mb-5").status_code == 401  # staff
    card_centre = services.system_clients.register("card_centre", "", ["card_decision"])
    other = deliver(client, {"Authorization": f"Bearer {card_centre}"}, bought.order_no, "mb-6")
    assert (other.status_code, other.json()["code"]) == (403, "forbidden")
    assert bought.view()["status"] == "waiting_external" and bought.available() == BALANCE - AMOUNT

    assert deliver(client, mobile_banking, bought.order_no, "mb-7").status_code == 200
    reused = deliver(client, mobile_banking, "WO20990101" + "1" * 10, "mb-7")
    assert reused.status_code == 409  # one message id for another order: the channel's bug
    assert bought.finished()["outcome"] == "CANCELLED_IN_COOLING_OFF"
