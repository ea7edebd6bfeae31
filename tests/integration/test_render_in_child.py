"""The embedded server (in-process worker) renders evidence PDFs in a child process, so requests do not
wait behind WeasyPrint; a child that dies loses no package: the outbox row runs again after its lease
and a fresh child renders it. Over the real worker and database."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.journey_driver import Customer, J1Driver
from devices.demo import seed_demo_devices
from engine.people.demo import seed_demo
from tests.integration.conftest import make_settings


@pytest.fixture
def services(database_url: str, key_dir: Path, tmp_path: Path) -> Iterator[Services]:
    settings = make_settings(database_url, key_dir, tmp_path, outbox_lease_seconds=5, render_in_child=True)
    built = build_services(settings)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    yield built


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def package_of(client: TestClient, driver: J1Driver, instance_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        packages = client.get("/api/v1/evidence", headers=driver.headers("ps001")).json()
        found = [p for p in packages if p["instance_id"] == instance_id]
        if found:
            return dict(found[0])
        time.sleep(0.2)
    raise AssertionError(f"no package for {instance_id}")


def test_packages_render_in_a_child_process(client: TestClient, services: Services) -> None:
    assert services.render_pool is not None
    driver = J1Driver(client, wait_seconds=5)
    journey = driver.run(Customer(name="赵雨桐", id_number="42010320070220004X", card_sequence=9201))
    package = package_of(client, driver, journey.instance["instance_id"])
    assert package["outcome"] == "OPENED"
    child = services.render_pool.child_pid()
    assert child is not None and child != os.getpid()


def test_a_render_child_that_dies_loses_no_package(client: TestClient, services: Services) -> None:
    pool = services.render_pool
    assert pool is not None
    pool.warm_up()
    dead = pool.child_pid()
    assert dead is not None
    os.kill(dead, signal.SIGKILL)  # the render process crashes before the package's turn
    driver = J1Driver(client, wait_seconds=5)
    journey = driver.run(Customer(name="赵雨桐", id_number="42010320070220004X", card_sequence=9202))
    package = package_of(client, driver, journey.instance["instance_id"])  # after the row's lease
    assert package["outcome"] == "OPENED"
    assert pool.child_pid() not in (None, dead)


def test_rq_workers_and_cli_commands_render_in_their_own_process(
    database_url: str, key_dir: Path, tmp_path: Path
) -> None:
    settings = make_settings(database_url, key_dir, tmp_path / "cli", render_in_child=True)
    assert build_services(settings, in_process_worker=False).render_pool is None
