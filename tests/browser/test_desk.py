"""A post-supervisor at a desk: the review queue, one package (verification, PDFs, images, trail and
the diagram with the path taken), recording ERROR_MINOR; the analyst's definitions and diagram."""

from __future__ import annotations

import time

from playwright.sync_api import Browser

from api.journey_driver import Customer, J1Driver
from tests.browser.conftest import DESKTOP, PHONE, TABLET, Server, new_page, shoot, sign_in


def _package_in_review(api: J1Driver, instance_id: str) -> str:
    """The evidence package renders in the background; wait until it reaches the human review."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = api.client.get("/api/v1/evidence", headers=api.headers("ps001")).json()
        for package in found:
            if package["instance_id"] == instance_id and package["status"] == "HUMAN_REVIEW":
                return str(package["package_id"])
        time.sleep(0.5)
    raise AssertionError("the package never reached the human review")


def test_a_post_supervisor_opens_a_package_and_records_a_minor_error(
    server: Server, browser: Browser, api: J1Driver
) -> None:
    opened = api.run(Customer(name="王芳", id_number="420102198506150026", mobile="13900002302"))
    assert opened.outcome == "OPENED"
    package_id = _package_in_review(api, opened.instance["instance_id"])

    page = new_page(browser, DESKTOP)
    sign_in(page, server, "ps001", "/desk")
    shoot(page, "desk-queue")
    page.click(f"a[href='/desk/packages/{package_id}']")
    page.wait_for_selector("[data-verification=ok]")
    page.wait_for_selector(".diagram[data-rendered=true]")
    assert page.locator(".djs-element.path-done").count() >= 5  # the path taken is coloured
    assert page.locator("iframe.pdf").count() >= 1
    page.locator(".thumbs").scroll_into_view_if_needed()  # images load lazily, as on a real desk
    page.wait_for_function(
        "() => [...document.querySelectorAll('.thumbs img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert "客户本人操作" in page.inner_text("ol.trail")  # the hand-over screens, as the trail has them
    shoot(page, "desk-package")

    page.check("#field-review_outcome input[value=ERROR_MINOR]")
    page.wait_for_selector("#field-review_reason:not([hidden])")
    page.fill("#in-review_reason", "客户签名页未逐份展示文件，须补充说明")
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_selector("text=审核结论已记录")
    assert "人审结论 · 一般差错" in page.inner_text("main")  # the decision is in the review history, in words
    # the review journey goes on in the background: error notice, then the officer's rectification
    deadline = time.monotonic() + 30
    status = "[data-package-status]"
    while page.get_attribute(status, "data-package-status") != "RECTIFICATION":
        assert time.monotonic() < deadline, "the review journey did not move on to the rectification"
        time.sleep(0.5)
        page.reload()
    assert page.inner_text(status) == "整改中"
    shoot(page, "desk-package-decided")

    for viewport, name in ((TABLET, "tablet"), (PHONE, "phone")):
        small = new_page(browser, viewport)
        sign_in(small, server, "ps001", "/desk")
        shoot(small, f"{name}-desk-queue")
        small.goto(f"{server.base_url}/desk/packages/{package_id}")
        small.wait_for_selector(".diagram[data-rendered=true]")
        shoot(small, f"{name}-desk-package")


def test_an_analyst_sees_versions_validation_and_the_diagram(server: Server, browser: Browser) -> None:
    page = new_page(browser, DESKTOP)
    sign_in(page, server, "an001", "/analyst")
    page.wait_for_selector("[data-validation=ok]")
    assert "debit_card_opening" in page.inner_text("main")
    shoot(page, "analyst-processes")
    page.click("a[href^='/analyst/processes/debit_card_opening/']")
    page.wait_for_selector(".diagram[data-rendered=true]")
    assert page.locator(".djs-element").count() > 20
    shoot(page, "analyst-diagram")
    phone = new_page(browser, PHONE)
    sign_in(phone, server, "an001", "/analyst")
    shoot(phone, "phone-analyst-processes")
