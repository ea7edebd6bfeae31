"""The device gate on the tablet (domain §9.4): fo101 starts a J1 on tablet A; the device admin locks A;
A's next step shows the refusal screen; fo101 signs in on tablet B, finds the journey held by the lock,
resumes it there with one button and carries on, and the trail names tablet B for the step done there."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser

from api.journey_driver import J1Driver
from tests.browser.conftest import TABLET, Server, new_page, shoot, sign_in
from tests.browser.tablet_driver import TabletJourney

OFFICER = "fo101"  # 洪山支行: tablets of their own, so the session's other tests keep theirs
TABLET_A, TABLET_B = "tab-gate-a", "tab-gate-b"


def _provision(api: J1Driver, device_id: str, number: int) -> None:
    """Register, bind to fo101 (bm101 approves) and activate (sec001 approves), over the API."""

    def call(who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = api.client.post(f"/api/v1{path}", headers=api.headers(who), json=body)
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    call(
        "da001",
        "/devices",
        {
            "device_id": device_id,
            "asset_no": f"WH0102-PAD-{880000 + number}",
            "model": "Huawei MatePad 11",
            "serial": f"HWMP11-GATE-{number:04d}",
            "wifi_mac": f"A4:5E:60:88:00:{number:02X}",
            "os_version": "HarmonyOS 4.2",
            "purchase_date": "2026-03-01",
            "branch_code": "WH0102",
            "peripherals": {
                "id_reader_serial": f"IDR-GATE-{number:04d}",
                "sam_id": f"05.01-20260301-{number:010d}",
            },
            "reason": "门禁测试",
        },
    )
    bind = {"transition": "bind", "reason": "门禁测试", "branch_code": "WH0102", "holder_id": OFFICER}
    change = call("da001", f"/devices/{device_id}/changes", bind)
    call("bm101", f"/device-changes/{change['change_id']}/approve", {"reason": "同意"})
    change = call("da001", f"/devices/{device_id}/changes", {"transition": "activate", "reason": "门禁测试"})
    call("sec001", f"/device-changes/{change['change_id']}/approve", {"reason": "同意"})


def test_a_locked_tablet_is_refused_and_the_journey_goes_on_from_the_officers_other_tablet(
    server: Server, browser: Browser, api: J1Driver
) -> None:
    _provision(api, TABLET_A, 1)
    _provision(api, TABLET_B, 2)
    page = new_page(browser, TABLET)
    page.context.add_cookies([{"name": "fb_device", "value": TABLET_A, "url": server.base_url}])
    sign_in(page, server, OFFICER, "/tablet")
    j = TabletJourney(page, server.base_url, officer=OFFICER)
    assert j.start() == "id_card"
    instance_id = page.url.rsplit("/", 1)[-1]
    j.read_id_card("张伟")
    assert j.next() == "customer_consents"

    r = api.client.post(
        f"/api/v1/devices/{TABLET_A}/changes",
        headers=api.headers("da001"),
        json={"transition": "lock", "reason": "测试：远程锁定"},
    )
    assert r.status_code == 201, r.text

    j.customer_consents()
    page.get_by_role("button", name="下一步").click()
    refusal = page.wait_for_selector("[data-device-refusal=device_locked]")
    assert refusal is not None
    assert "此设备已被锁定，请联系设备管理员" in page.inner_text("main")

    other = new_page(browser, TABLET)
    other.context.add_cookies([{"name": "fb_device", "value": TABLET_B, "url": server.base_url}])
    sign_in(other, server, OFFICER, "/tablet")
    listed = other.locator(f"a[href='/tablet/journeys/{instance_id}']")
    assert "已暂停" in listed.inner_text()  # held by the lock (engine/device_hold.py)
    listed.click()
    held = other.wait_for_selector("[data-held=LOCKED]")
    assert held is not None
    assert f"此业务因设备 {TABLET_A} 锁定而暂停，请在本设备上继续办理" in other.inner_text("main")
    assert other.query_selector("section.task") is None  # nothing to fill until it is resumed here
    shoot(other, "tablet-journey-held")
    other.get_by_role("button", name="在本设备继续办理").click()
    k = TabletJourney(other, server.base_url, officer=OFFICER)
    assert k.wait_screen() == "customer_consents"  # the same journey, where tablet A left it
    k.customer_consents()
    assert k.next() == "face_check"

    api.use_device(OFFICER, TABLET_B)
    events = api.client.get(f"/api/v1/instances/{instance_id}/events", headers=api.headers(OFFICER)).json()
    done = [(e["task_spec"], e["device_id"]) for e in events if e["kind"] == "task_completed"]
    assert ("id_card", TABLET_A) in done and ("customer_consents", TABLET_B) in done, done
    [resumed] = [e for e in events if e["kind"] == "journey_resumed"]
    assert resumed["detail"] == {"from_device_id": TABLET_A, "to_device_id": TABLET_B}
    kinds = [e["kind"] for e in events]
    assert kinds.index("journey_held") < kinds.index("journey_resumed")
