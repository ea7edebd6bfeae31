"""Post-supervision's DEVICE_ACTIVE over the device registry's history (§2.11: the device was ACTIVE
and not LOCKED when each step was done): what the changes record, the state at a moment, the
migration that filled the older rows, and J1 packages reviewed by the real worker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.journey_driver import Customer, J1Driver
from devices.demo import DEMO_DEVICE_OF, demo_actor, provision_tablet, seed_demo_devices
from engine.people.demo import seed_demo
from engine.persistence.device_history import DeviceHistory
from engine.persistence.devices import DeviceRepository
from engine.settings import REPO_ROOT
from tests.integration.conftest import make_settings
from tests.integration.test_credit_card_evidence import reviewed_package

TABLET = "web-00000000000000a1"
BEFORE_TO_STATE = "b4e8d2f6a913"
PRESENTED = {"presented_in_person": True}


class Clock:
    """Real time plus an offset, or a frozen instant: the engine's clock for the device steps."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        return self.frozen or datetime.now(UTC) + self.offset


@dataclass
class Clocked:
    services: Services
    clock: Clock
    client: TestClient


@pytest.fixture
def clocked(database_url: str, key_dir: Path, tmp_path: Path) -> Iterator[Clocked]:
    clock = Clock()
    settings = make_settings(database_url, key_dir, tmp_path)
    services = build_services(settings, now=clock.now)
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    services.definitions.deploy_all("test")
    with TestClient(create_app(settings, services)) as client:
        yield Clocked(services, clock, client)


def live_through_a_lock(services: Services) -> None:
    """Register, bind, activate, take out, lock (the risk engine), an unlock rejected, one pending."""
    admin = services.device_admin
    provision_tablet(admin, 41, TABLET, "fo001")
    admin.request(demo_actor("fo001"), TABLET, "check_out", {}, "外拓领用")
    admin.lock_automatically(TABLET, "风险评分≥80")
    asked = admin.request(demo_actor("da001"), TABLET, "unlock", PRESENTED, "当面核验")
    admin.decide(demo_actor("sec001"), asked.change_id, False, "设备未到场")
    admin.request(demo_actor("da001"), TABLET, "unlock", PRESENTED, "再次申请")


def stored_states(services: Services) -> list[tuple[str, str, str | None]]:
    rows = DeviceRepository(services.deps.sessions).history(TABLET)
    return [(r.transition, r.status, r.to_state) for r in rows]


LIVED = [
    ("register", "APPLIED", "REGISTERED"),
    ("bind", "APPROVED", "BOUND"),
    ("activate", "APPROVED", "ACTIVE"),
    ("check_out", "APPLIED", "ACTIVE"),
    ("lock", "APPLIED", "LOCKED"),
    ("unlock", "REJECTED", None),
    ("unlock", "PENDING", None),
]


def test_each_change_that_took_effect_keeps_the_state_it_put_the_device_in(services: Services) -> None:
    live_through_a_lock(services)
    assert stored_states(services) == LIVED


def test_the_migration_fills_the_older_rows_as_the_administration_writes_them(
    services: Services, database_url: str
) -> None:
    live_through_a_lock(services)
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    try:
        command.downgrade(config, BEFORE_TO_STATE)  # the column and what the code wrote in it go
    finally:
        command.upgrade(config, "head")  # the next test finds the schema it expects, whatever happens
    assert stored_states(services) == LIVED


def test_the_state_at_a_moment_is_the_last_change_in_effect_by_then(clocked: Clocked) -> None:
    admin, clock = clocked.services.device_admin, clocked.clock
    t0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    minute = timedelta(minutes=1)
    clock.frozen = t0
    provision_tablet(admin, 42, TABLET, "fo001")  # registered, bound, active in one instant: in order
    clock.frozen = t0 + 10 * minute
    admin.lock_automatically(TABLET, "风险评分≥80")
    clock.frozen = t0 + 20 * minute
    asked = admin.request(demo_actor("da001"), TABLET, "unlock", PRESENTED, "当面核验")
    clock.frozen = t0 + 30 * minute
    admin.decide(demo_actor("sec001"), asked.change_id, True, "核验通过")  # asked at +20, in effect at +30

    history = DeviceHistory(clocked.services.deps.sessions)
    moments = [t0 - minute, t0, t0 + 10 * minute - timedelta(microseconds=1), t0 + 10 * minute]
    moments += [t0 + 25 * minute, t0 + 30 * minute, t0 + timedelta(days=300)]
    assert history.device_states_at(TABLET, moments) == [
        None,  # not registered yet
        "ACTIVE",
        "ACTIVE",
        "LOCKED",
        "LOCKED",  # the unlock was asked, not yet approved
        "ACTIVE",
        "ACTIVE",
    ]
    assert history.device_states_at(TABLET, []) == []
    assert history.device_states_at("web-00000000000000ff", [t0]) == [None]


def machine_rules(client: TestClient, driver: J1Driver, instance_id: str) -> dict[str, dict[str, Any]]:
    detail = reviewed_package(client, driver, instance_id)
    return {h["code"]: h["detail"] for h in detail["history"] if h["kind"] == "machine_rule"}


def test_a_j1_done_on_an_active_tablet_passes(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    done = driver.run(Customer())
    assert done.outcome == "OPENED"
    rule = machine_rules(client, driver, done.instance["instance_id"])["DEVICE_ACTIVE"]
    assert rule["result"] == "PASS", rule
    assert re.fullmatch(r"\d+ trail events on ACTIVE devices", rule["reason"]), rule


def test_steps_done_while_the_tablets_history_says_locked_are_flagged(clocked: Clocked) -> None:
    services, clock, client = clocked.services, clocked.clock, clocked.client
    admin, tablet = services.device_admin, DEMO_DEVICE_OF["fo001"]
    driver, customer = J1Driver(client, wait_seconds=5), Customer()
    begun = driver.run(customer, stop_before="customer_details")

    admin.lock_automatically(tablet, "风险评分≥80")
    # the unlock is recorded an hour on, so the history has the tablet LOCKED for the steps below
    clock.offset = timedelta(hours=1)
    asked = admin.request(demo_actor("da001"), tablet, "unlock", PRESENTED, "当面核验")
    admin.decide(demo_actor("sec001"), asked.change_id, True, "核验通过")
    clock.offset = timedelta(0)

    # the lock held the journey: the officer resumes it on the (unlocked) tablet, then carries on
    instance_id = begun.instance["instance_id"]
    resumed = client.post(f"/api/v1/instances/{instance_id}/resume-here", headers=driver.headers("fo001"))
    assert resumed.status_code == 200, resumed.text
    done = driver.run_from(resumed.json(), customer, skip=begun.steps)
    assert done.outcome == "OPENED"
    rule = machine_rules(client, driver, done.instance["instance_id"])["DEVICE_ACTIVE"]
    assert rule["result"] == "FLAG", rule
    pattern = rf"device {tablet} was LOCKED at \d{{4}}-\d\d-\d\d \d\d:\d\d \(journey_resumed\)"
    assert re.fullmatch(pattern, rule["reason"]), rule
