"""Production wiring of the adapters: J1 opens a card through the HTTP clients, against the sandbox
served over HTTP on 127.0.0.1 (the interface a bank's gateway implements)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import build_services
from api.journey_driver import Customer, J1Driver
from devices.demo import seed_demo_devices
from engine.adapters.sandbox.factory import SandboxAdapters, SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.http_server import serve_sandbox
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.people.demo import seed_demo
from tests.integration.conftest import make_settings


@pytest.fixture
def sandbox_over_http() -> Iterator[tuple[SandboxAdapters, str]]:
    adapters = build_sandbox_adapters(InMemorySandboxStore(), SandboxKnobs(latency_profile="zero"))
    server, thread, url = serve_sandbox(adapters)
    yield adapters, url
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_card_opens_through_the_http_adapters(
    database_url: str, key_dir: Path, tmp_path: Path, sandbox_over_http: tuple[SandboxAdapters, Any]
) -> None:
    sandbox, url = sandbox_over_http
    settings = make_settings(
        database_url, key_dir, tmp_path, adapters="http", adapter_base_url=url, sandbox_fixed_otp="246810"
    )
    services = build_services(settings)
    assert services.sandbox is None and services.http_adapters is not None
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    services.definitions.deploy_all("test")
    with TestClient(create_app(settings, services)) as client:
        assert client.get("/api/v1/sandbox/sms/13900001234").status_code == 404  # no sandbox API in http mode
        result = J1Driver(client, wait_seconds=5, otp_source=lambda _m: "246810").run(
            Customer(card_sequence=8001)
        )
    assert result.outcome == "OPENED"
    # the account exists in the (remote) sandbox core, reached only over HTTP
    assert sandbox.core.lookup_customer("420106199003071238", "张伟", "t").class_i_count == 1
    assert any("246810" in m.text for m in sandbox.sms.inbox("13900001234"))
