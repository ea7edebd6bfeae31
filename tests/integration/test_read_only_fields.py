"""A field the UI schema shows `ui:readonly` or `ui:disabled` is read-only on the server too, like a
schema `readOnly` one: a changed value is a 422 `read_only` on that field, an omitted one keeps what the
journey knows. Diagram: `processes/read_only_screen.bpmn` (the journey knows `age_band` and
`held_products` before its `answer` screen; `review` shows what was kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver
from tests.integration.conftest import services_with_test_processes

PROCESS = "read_only_screen"


@pytest.fixture
def services(database_url: str, key_dir: Path, tmp_path: Path) -> Services:
    return services_with_test_processes(database_url, key_dir, tmp_path, PROCESS)


def test_ui_read_only_and_disabled_fields_keep_what_the_journey_knows(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    started = client.post(f"/api/v1/processes/{PROCESS}/instances", json={}, headers=headers)
    assert started.status_code == 201, started.text
    [task] = started.json()["tasks"]
    complete = f"/api/v1/tasks/{task['task_id']}/complete"

    changed = client.post(
        complete,
        json={"data": {"age_band": "B3", "held_products": "信用卡", "comment": "ok"}},
        headers=headers,
    )
    assert changed.status_code == 422, changed.text
    assert sorted((e["field"], e["code"]) for e in changed.json()["details"]) == [
        ("age_band", "read_only"),
        ("held_products", "read_only"),
    ]

    kept = client.post(complete, json={"data": {"comment": "ok"}}, headers=headers)  # both omitted
    assert kept.status_code == 200, kept.text
    [review] = kept.json()["tasks"]
    shown = client.get(f"/api/v1/tasks/{review['task_id']}", headers=headers).json()["data"]
    assert shown == {"age_band": "B2", "held_products": "借记卡", "comment": "ok"}
