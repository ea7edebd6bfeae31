"""An approver on a phone (390×844): the task list with counts, the masked facts and evidence images,
and rejecting an exception with a reason code and text."""

from __future__ import annotations

from playwright.sync_api import Browser

from api.journey_driver import Customer, J1Driver
from tests.browser.conftest import PHONE, TABLET, Server, new_page, shoot, sign_in


def test_an_approver_rejects_an_exception_on_a_phone(server: Server, browser: Browser, api: J1Driver) -> None:
    # 宋涛's face comparison is grey: the journey waits for a remote authorization (domain §2.9)
    customer = Customer(name="宋涛", id_number="420104199202029099", mobile="13900002301")
    waiting = api.run(customer, officer="fo001", stop_before="remote_authorization")
    instance_id = waiting.instance["instance_id"]

    page = new_page(browser, PHONE)
    sign_in(page, server, "au001", "/phone")
    assert int(page.inner_text("[data-total]")) >= 1
    shoot(page, "phone-approvals")
    # its own task: other tests of the session may leave 远程授权 tasks for the same customer
    tasks = api.client.get("/api/v1/tasks", headers=api.headers("au001")).json()
    [task] = [t for t in tasks if t["instance_id"] == instance_id]
    link = page.locator(f"a[data-task-id='{task['task_id']}']")
    link.click()
    page.wait_for_selector("form.task-form")
    facts = page.inner_text("dl.facts")
    assert "420104199202029099" not in facts and "*" in facts  # masked (§8.3)
    images = page.locator("[data-image] img")
    assert images.count() >= 3
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-image] img')].every(i => i.naturalWidth > 0)"
    )
    shoot(page, "phone-approval-detail")

    page.check("#field-decision input[value=REJECT]")
    page.select_option("#in-reason_code", "RISK_TOO_HIGH")
    page.fill("#in-reason_text", "人脸比对分数偏低，且客户无法提供其他证件")
    page.get_by_role("button", name="提交审批").click()
    page.wait_for_selector("text=已提交")
    shoot(page, "phone-approvals-after")
    assert page.locator(f"a[href*='{instance_id}']").count() == 0

    ended = api.next_state(
        "fo001", api.client.get(f"/api/v1/instances/{instance_id}", headers=api.headers("fo001")).json()
    )
    assert (ended["outcome"], ended["outcome_reason"]) == ("REFUSED", "AUTHORIZATION_REJECTED")

    tablet = new_page(browser, TABLET)
    sign_in(tablet, server, "au001", "/phone")
    shoot(tablet, "tablet-approvals")
