"""J1 → signed package → machine review → human review → error notice → rectification → closed, over
the HTTP API with the real worker; the package verifies offline and tampering is named."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.bootstrap import Services, build_services
from api.cli import app as cli_app
from api.journey_driver import Customer, J1Driver
from devices.demo import provision_tablet, seed_demo_devices
from engine.people.demo import seed_demo
from tests.integration.conftest import make_settings


def wait_for_task(
    client: TestClient, driver: J1Driver, user: str, name: str, seconds: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for task in client.get("/api/v1/tasks", headers=driver.headers(user)).json():
            if task["name"] == name:
                return dict(task)
        time.sleep(0.2)
    raise AssertionError(f"{user} never got a {name} task")


def complete(
    client: TestClient, driver: J1Driver, user: str, task: dict[str, Any], data: dict[str, Any]
) -> Any:
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers(user), json={"data": data}
    )
    assert r.status_code == 200, r.text
    return r.json()


def package_of(client: TestClient, driver: J1Driver, instance_id: str) -> dict[str, Any]:
    packages = client.get("/api/v1/evidence", headers=driver.headers("ps001")).json()
    [package] = [p for p in packages if p["instance_id"] == instance_id]
    return dict(package)


def test_the_full_supervision_loop_from_journey_to_closed(client: TestClient) -> None:
    run_supervision_loop(client)


def run_supervision_loop(client: TestClient) -> None:
    """J1 → package → machine review flags it → ERROR_MINOR → the officer rectifies → CLOSED."""
    driver = J1Driver(client, wait_seconds=5)
    # 赵雨桐 is 18: the AML age band makes machine review flag the package
    journey = driver.run(Customer(name="赵雨桐", id_number="42010320070220004X", card_sequence=9101))
    assert journey.outcome == "OPENED"
    review = wait_for_task(client, driver, "ps001", "human_review")
    package = package_of(client, driver, journey.instance["instance_id"])
    assert (package["status"], package["outcome"], package["sequence"]) == ("HUMAN_REVIEW", "OPENED", 1)
    detail = client.get(f"/api/v1/evidence/{package['package_id']}", headers=driver.headers("ps001")).json()
    flags = {h["code"] for h in detail["history"] if h["kind"] == "machine_rule" and h["passed"] is False}
    assert flags == {"AGE_BAND"}
    assert detail["manifest"]["instance_id"] == journey.instance["instance_id"]

    # the auditor records an error; the officer who opened the account must rectify
    complete(
        client, driver, "ps001", review, {"review_outcome": "ERROR_MINOR", "review_reason": "签名影像不清晰"}
    )
    rectify = wait_for_task(client, driver, "fo001", "rectification")
    assert not [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("fo002")).json()
        if t["name"] == "rectification"
    ]
    status = package_of(client, driver, journey.instance["instance_id"])["status"]
    assert status == "RECTIFICATION"
    photo = driver.upload("fo001", 7)
    complete(
        client,
        driver,
        "fo001",
        rectify,
        {"rectification_note": "已回访客户重新签名", "rectification_image": photo},
    )
    recheck = wait_for_task(client, driver, "ps001", "human_review")
    done = complete(client, driver, "ps001", recheck, {"review_outcome": "PASSED"})
    assert (done["outcome"], done["status"]) == ("CLOSED", "completed")
    assert package_of(client, driver, journey.instance["instance_id"])["status"] == "CLOSED"
    history = client.get(f"/api/v1/evidence/{package['package_id']}", headers=driver.headers("ps001")).json()[
        "history"
    ]
    decisions = [h["code"] for h in history if h["kind"] == "decision"]
    assert decisions == ["ERROR_MINOR", "PASSED"]
    assert [h["code"] for h in history if h["kind"] == "notice"] == ["ERROR_NOTICE"]


def test_a_package_verifies_offline_and_every_tampering_is_named(client: TestClient, tmp_path: Path) -> None:
    driver = J1Driver(client, wait_seconds=5)
    journey = driver.run(Customer(card_sequence=9201))
    wait_for_task(client, driver, "ps001", "human_review")
    package = package_of(client, driver, journey.instance["instance_id"])
    r = client.get(f"/api/v1/evidence/{package['package_id']}/download", headers=driver.headers("ps001"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    zip_path = tmp_path / "package.zip"
    zip_path.write_bytes(r.content)
    views = client.get("/api/v1/audit/personal-data-views", headers=driver.headers("ps001")).json()
    assert [(v["staff_id"], v["subject"]) for v in views] == [("ps001", f"evidence:{package['package_id']}")]
    assert "id_number" in views[0]["fields"] and views[0]["purpose"] == "post-supervision review"
    assert client.get("/api/v1/audit/personal-data-views", headers=driver.headers("ps101")).json() == []
    pem = tmp_path / "platform.pem"
    runner = CliRunner()
    assert (
        runner.invoke(cli_app, ["keys", "export-public", "--out", str(pem)], env=_env(client)).exit_code == 0
    )
    ok = runner.invoke(cli_app, ["evidence", "verify", str(zip_path), "--public-key", str(pem)])
    assert ok.exit_code == 0 and f"OK {zip_path}" in ok.output
    assert client.post(
        f"/api/v1/evidence/{package['package_id']}/verify", headers=driver.headers("ps001")
    ).json()["ok"]

    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        voucher = archive.read("documents/voucher.pdf")
        info = archive.getinfo("documents/voucher.pdf")
    (tmp_path / "voucher.pdf").write_bytes(voucher)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "voucher.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "电子凭证" in text and "4201**********1238" in text and "420106199003071238" not in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "voucher.pdf")], capture_output=True, text=True, check=True
    ).stdout
    font_rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_rows and all(" yes " in row for row in font_rows) and "CJK" in fonts

    # one byte of the voucher's content changed in place inside the ZIP
    content = bytearray(r.content)
    name_len, extra_len = (
        int.from_bytes(content[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(content[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    data_start = info.header_offset + 30 + name_len + extra_len  # entries are stored, not deflated
    assert bytes(content[data_start : data_start + 5]) == b"%PDF-"
    content[data_start + 500] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bytes(content))
    bad = runner.invoke(cli_app, ["evidence", "verify", str(tampered), "--public-key", str(pem)])
    assert bad.exit_code == 2 and "documents/voucher.pdf" in bad.output


def _env(client: TestClient) -> dict[str, str]:
    settings = client.app.state.services.settings  # type: ignore[attr-defined]
    return {"FIELDBANK_KEYS_DIR": str(settings.keys_dir), "FIELDBANK_DATA_DIR": str(settings.data_dir)}


def test_the_desk_is_scoped_by_branch_and_closed_to_other_roles(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    journey = driver.run(Customer(card_sequence=9301))
    wait_for_task(client, driver, "ps001", "human_review")
    package = package_of(client, driver, journey.instance["instance_id"])
    url = f"/api/v1/evidence/{package['package_id']}"
    other_branch = driver.headers("ps101")  # a post-supervisor of 洪山支行: WH0101's package does not exist
    assert client.get(url, headers=other_branch).status_code == 404
    assert client.get(f"{url}/download", headers=other_branch).status_code == 404
    assert all(
        p["instance_id"] != journey.instance["instance_id"]
        for p in client.get("/api/v1/evidence", headers=other_branch).json()
    )
    assert not [
        t for t in client.get("/api/v1/tasks", headers=other_branch).json() if t["name"] == "human_review"
    ]
    r = client.get("/api/v1/evidence", headers=driver.headers("fo001"))
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert client.get(url, headers=driver.headers("aml001")).status_code == 200


class ShiftedClock:
    """Real time plus an offset the test moves forward: the engine's clock and SpiffWorkflow's timers."""

    offset = timedelta(0)

    @classmethod
    def now(cls) -> datetime:
        return datetime.now(UTC) + cls.offset


def test_an_overdue_rectification_escalates_to_the_branch_manager(
    database_url: str, key_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            moment = ShiftedClock.now()
            return moment if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(timer_module, "datetime", FakeDatetime)
    ShiftedClock.offset = timedelta(0)
    settings = make_settings(database_url, key_dir, tmp_path)
    services = build_services(settings, now=ShiftedClock.now)
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    services.definitions.deploy_all("test")
    with TestClient(create_app(settings, services)) as client:
        driver = J1Driver(client, wait_seconds=5)
        driver.run(Customer(card_sequence=9401))
        review = wait_for_task(client, driver, "ps001", "human_review")
        complete(
            client,
            driver,
            "ps001",
            review,
            {"review_outcome": "ERROR_MAJOR", "review_reason": "缺少风险告知签名"},
        )
        wait_for_task(client, driver, "fo001", "rectification")
        assert not client.get("/api/v1/tasks", headers=driver.headers("bm001")).json()
        ShiftedClock.offset = timedelta(days=6)  # past three working days, whatever the weekday
        driver = J1Driver(client, wait_seconds=5)  # six days on, yesterday's tokens have expired
        escalation = wait_for_task(client, driver, "bm001", "escalate_overdue", seconds=20)
        assert escalation["process_id"] == "post_supervision"
        # non-interrupting: the officer can still rectify
        assert wait_for_task(client, driver, "fo001", "rectification")


def test_a_post_supervisor_never_reviews_a_journey_they_took_part_in(
    client: TestClient, services: Services
) -> None:
    from engine.people.auth import hash_password
    from engine.persistence.records import StaffRecord

    with services.deps.sessions() as session:  # a member of staff who also holds the auditor role
        session.add(
            StaffRecord(
                id="fx001",
                name="兼岗",
                branch_code="WH0101",
                roles=["field_officer", "post_supervisor"],
                password_hash=hash_password("fieldbank-demo"),
                status="active",
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
    provision_tablet(services.device_admin, 50, "tab-fx001", "fx001")  # the device gate wants one
    driver = J1Driver(client, wait_seconds=5)
    driver.use_device("fx001", "tab-fx001")
    journey = driver.run(Customer(card_sequence=9501), officer="fx001")
    assert journey.outcome == "OPENED"
    task = wait_for_task(client, driver, "ps001", "human_review")  # an independent auditor gets it
    assert task["instance_id"] != journey.instance["instance_id"]
    assert not [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("fx001")).json()
        if t["name"] == "human_review"
    ]
    r = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fx001"))
    assert r.status_code == 404
