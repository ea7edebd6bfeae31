"""The device administration page: the ledger of the caller's branches and the pending changes, which
a checker decides there with a reason; a refused decision is shown, not lost."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import DEMO_PASSWORD
from devices.demo import DEVICES, demo_actor, seed_demo_devices
from tests.integration.test_web_pages import post_login, sign_in

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def test_the_ledger_shows_each_branchs_devices_with_masked_holders(
    client: TestClient, services: Services
) -> None:
    seed_demo_devices(services.device_admin)
    page = sign_in(client, "bm001").get("/devices")
    assert page.status_code == 200
    shown = re.findall(r'data-device-id="([^"]+)"', page.text)
    assert shown == [d[0] for d in DEVICES if d[1].startswith("WH0101-")]  # not WH0102's
    assert "李*（fo001）" in page.text and "李明" not in page.text
    assert "已启用（已归还）" in page.text
    everyone = sign_in(client, "da001").get("/devices?branch=WH0102")
    assert re.findall(r'data-device-id="([^"]+)"', everyone.text) == ["web-0000000000000003"]


def test_a_checker_approves_a_pending_change_on_the_page(client: TestClient, services: Services) -> None:
    seed_demo_devices(services.device_admin)
    change = services.device_admin.request(
        demo_actor("da001"),
        "web-0000000000000004",
        "bind",
        {"branch_code": "WH0101", "holder_id": "so001"},
        "新人领用",
    )
    browser = sign_in(client, "bm001")
    page = browser.get("/devices")
    assert f'data-change-id="{change.change_id}"' in page.text and "新人领用" in page.text
    done = browser.post_form(f"/devices/changes/{change.change_id}/approve", {"reason": "同意绑定"})
    assert (done.status_code, done.headers["location"]) == (303, "/devices?done=approve")
    after = browser.get("/devices?done=approve")
    assert "已同意" in after.text and f'data-change-id="{change.change_id}"' not in after.text
    assert 'data-device-id="web-0000000000000004"' in after.text and 'data-state="BOUND"' in after.text


def test_a_refused_decision_is_shown_with_its_reason(client: TestClient, services: Services) -> None:
    seed_demo_devices(services.device_admin)
    change = services.device_admin.request(demo_actor("da001"), "web-0000000000000002", "void", {}, "报废")
    browser = sign_in(client, "bm001")  # void is a security officer's to approve: no form for bm001
    page = browser.get("/devices")
    assert f'data-change-id="{change.change_id}"' in page.text
    assert f'action="/devices/changes/{change.change_id}/approve"' not in page.text
    refused = browser.post_form(f"/devices/changes/{change.change_id}/approve", {"reason": "同意"})
    assert refused.status_code == 403 and "data-problem" in refused.text
    assert "security_officer" in refused.text and f'data-change-id="{change.change_id}"' in refused.text


def test_the_device_area_is_for_device_admins_security_officers_and_branch_managers(
    client: TestClient,
) -> None:
    for who in ("da001", "sec001"):
        r = post_login(client, who, DEMO_PASSWORD)
        assert (r.status_code, r.headers["location"]) == (303, "/devices")
    assert sign_in(client, "fo001").get("/devices").status_code == 403
    assert 'href="/devices"' in sign_in(client, "sec001").get("/devices").text


def test_the_ledger_shows_what_the_tablet_was_asked_apart_from_what_it_confirmed(
    client: TestClient, services: Services
) -> None:
    seed_demo_devices(services.device_admin)
    services.device_admin.request(demo_actor("da001"), "web-0000000000000002", "report_lost", {}, "遗失")
    page = sign_in(client, "sec001").get("/devices")
    row = page.text.split('data-device-id="web-0000000000000002"')[1].split("</tr>")[0]
    assert 'data-state="LOST"' in row and 'data-applied=""' in row  # nothing confirmed yet
    assert 'data-pending-action="lock,wipe"' in row and "待设备确认：锁定、擦除" in row
