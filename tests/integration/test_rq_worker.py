"""Production mode on PostgreSQL + Redis: rq workers in their own processes, Redis outages, killed workers.

Each test runs a private redis-server on its own port so that "Redis down" and "worker killed" can be
staged without touching the machine's shared Redis.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.bootstrap import build_services
from api.journey_driver import Customer, J1Driver
from devices.demo import seed_demo_devices
from engine.people.demo import seed_demo
from engine.persistence.records import OutboxRecord
from tests.integration.conftest import POSTGRES_URL, _reset_postgres, make_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    yield server
    server.stop()


def worker_env(settings: Any) -> dict[str, str]:
    return {
        **os.environ,
        "FIELDBANK_DATABASE_URL": settings.database_url,
        "FIELDBANK_REDIS_URL": settings.redis_url,
        "FIELDBANK_KEYS_DIR": str(settings.keys_dir),
        "FIELDBANK_DATA_DIR": str(settings.data_dir),
        "FIELDBANK_SANDBOX_LATENCY": settings.sandbox_latency,
        "FIELDBANK_OUTBOX_LEASE_SECONDS": str(settings.outbox_lease_seconds),
        "FIELDBANK_RETRY_BACKOFF_SCALE": "0.01",
        "FIELDBANK_ENVIRONMENT": "test",
    }


def start_worker(settings: Any, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        env=worker_env(settings),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def rq_settings(key_dir: Path, tmp_path: Path, redis_server: RedisServer) -> Any:
    _reset_postgres()
    return make_settings(
        POSTGRES_URL,
        key_dir,
        tmp_path,
        redis_url=redis_server.url,
        outbox_lease_seconds=5,
        sandbox_latency="fast",
    )


def app_client(settings: Any) -> TestClient:
    services = build_services(settings)
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    services.definitions.deploy_all("test")
    return TestClient(create_app(settings, services))


def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_redis_down_delays_work_but_loses_none(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    with app_client(rq_settings) as client:
        driver = J1Driver(client, wait_seconds=2)
        customer = Customer(card_sequence=7001)
        stopped = driver.run(customer, stop_before="face_check")  # id_card completes, pre-checks are parked
        instance = stopped.instance
        assert instance["status"] == "waiting_external"  # Redis is down: nothing could be enqueued
        services = client.app.state.services  # type: ignore[attr-defined]
        with services.deps.sessions() as session:
            pending = session.scalars(select(OutboxRecord).where(OutboxRecord.done_at.is_(None))).all()
            assert len(pending) == 1
        redis_server.start()
        worker = start_worker(rq_settings, tmp_path / "worker.log")
        try:
            result = driver.run_from(instance, customer)
        finally:
            stop_worker(worker)
        assert result.outcome == "OPENED", (tmp_path / "worker.log").read_text()[-2000:]


def test_a_worker_killed_during_the_prechecks_is_replaced_and_one_account_opens(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    redis_server.start()
    log = tmp_path / "worker.log"
    settings = rq_settings.model_copy(update={"sandbox_latency": "normal"})
    with app_client(settings) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        worker = start_worker(settings, log)
        try:
            driver = J1Driver(client, wait_seconds=2)
            customer = Customer(card_sequence=7101)
            instance = driver.start("fo001")
            task = instance["tasks"][0]
            for name in ("id_card", "customer_consents"):  # the pre-checks start after the consents
                r = client.post(
                    f"/api/v1/tasks/{task['task_id']}/complete",
                    headers=driver.headers("fo001"),
                    json={"data": driver.form_data(name, customer, "fo001", [])},
                )
                assert r.status_code == 200, r.text
                task = (r.json()["tasks"] or [task])[0]

            def leased() -> bool:
                with services.deps.sessions() as session:
                    rows = session.scalars(select(OutboxRecord)).all()
                    return any(row.lease_until is not None and row.done_at is None for row in rows)

            assert wait_for(leased, 20), log.read_text()[-2000:]
            time.sleep(0.3)  # the calls are in flight (normal latency: 0.05-2 s each)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            worker = start_worker(settings, log)
            result = driver.run_from(r.json(), customer, skip=["id_card", "customer_consents"])
        finally:
            stop_worker(worker)
        assert result.outcome == "OPENED", log.read_text()[-3000:]
        lookup = services.deps.adapters.core.lookup_customer(customer.id_number, customer.name, "test:lookup")
        assert lookup.class_i_count == 1


def packages_of(services: Any, instance_id: str) -> list[Any]:
    from engine.persistence.records import EvidencePackageRecord

    with services.deps.sessions() as session:
        return list(
            session.scalars(
                select(EvidencePackageRecord).where(EvidencePackageRecord.instance_id == instance_id)
            )
        )


def test_redis_stopped_at_the_end_of_a_journey_delays_the_package_until_it_returns(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    redis_server.start()
    log = tmp_path / "worker.log"
    with app_client(rq_settings) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        worker = start_worker(rq_settings, log)
        try:
            driver = J1Driver(client, wait_seconds=2)
            customer = Customer(card_sequence=7201)
            stopped = driver.run(customer, stop_before="signing")
            redis_server.stop()
            stop_worker(worker)
            result = driver.run_from(stopped.instance, customer, skip=stopped.steps)
            assert result.outcome == "OPENED"
            iid = result.instance["instance_id"]
            time.sleep(2)
            assert packages_of(services, iid) == []  # nothing could be queued, nothing is lost either
            redis_server.start()
            worker = start_worker(rq_settings, log)
            assert wait_for(lambda: len(packages_of(services, iid)) == 1, 90), log.read_text()[-3000:]
        finally:
            stop_worker(worker)
        assert len(packages_of(services, iid)) == 1


def test_a_worker_killed_while_building_a_package_leaves_exactly_one_package(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    redis_server.start()
    log = tmp_path / "worker.log"
    with app_client(rq_settings) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        worker = start_worker(rq_settings, log)
        try:
            result = J1Driver(client, wait_seconds=2).run(Customer(card_sequence=7301))
            assert result.outcome == "OPENED"
            iid = result.instance["instance_id"]

            def building() -> bool:
                with services.deps.sessions() as session:
                    rows = session.scalars(
                        select(OutboxRecord).where(OutboxRecord.kind == "build_evidence")
                    ).all()
                    return any(row.lease_until is not None and row.done_at is None for row in rows)

            assert wait_for(building, 30), log.read_text()[-2000:]
            worker.send_signal(signal.SIGKILL)  # rendering takes seconds: the kill lands mid-build
            worker.wait(10)
            assert packages_of(services, iid) == []
            worker = start_worker(rq_settings, log)
            assert wait_for(lambda: len(packages_of(services, iid)) == 1, 90), log.read_text()[-3000:]
            time.sleep(2)
        finally:
            stop_worker(worker)
        [package] = packages_of(services, iid)
        assert package.sequence == 1


def test_the_supervision_loop_runs_on_rq_workers(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    from tests.integration.test_evidence_loop import run_supervision_loop

    redis_server.start()
    log = tmp_path / "worker.log"
    with app_client(rq_settings) as client:
        worker = start_worker(rq_settings, log)
        try:
            run_supervision_loop(client)
        finally:
            stop_worker(worker)


REDIS_OUTAGE_S = 12  # several of the worker's reconnect rounds (0.5, 1, 2, 4, 5 s) and relay rounds


def test_the_worker_waits_out_a_redis_outage_and_the_journey_finishes_with_no_operator(
    rq_settings: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    from redis import Redis

    redis_server.start()
    log = tmp_path / "worker.log"
    worker = start_worker(rq_settings, log)
    try:
        assert wait_for(lambda: bool(Redis.from_url(redis_server.url).smembers("rq:workers")), 60)
        with app_client(rq_settings) as client:
            redis_server.stop()  # the running worker loses Redis
            driver = J1Driver(client, wait_seconds=2)
            customer = Customer(card_sequence=7101)
            stopped = driver.run(customer, stop_before="face_check")
            assert stopped.instance["status"] == "waiting_external"
            time.sleep(REDIS_OUTAGE_S)  # the outage itself: relay and worker both keep failing to reach Redis
            assert worker.poll() is None, log.read_text()[-3000:]
            services = client.app.state.services  # type: ignore[attr-defined]
            with services.deps.sessions() as session:
                row = session.scalars(select(OutboxRecord).where(OutboxRecord.done_at.is_(None))).one()
                assert row.attempts == 0, "failed relay rounds must not count as attempts"
            redis_server.start()
            result = driver.run_from(stopped.instance, customer)
            assert result.outcome == "OPENED", log.read_text()[-3000:]
            assert worker.poll() is None
    finally:
        stop_worker(worker)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM is a warm shutdown: rq lets the running job (a package render, seconds on a loaded
    machine) finish first, so give it time before killing; cleanup must not fail the test."""
    worker.terminate()
    try:
        worker.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
