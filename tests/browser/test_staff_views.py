"""What staff read, in Chromium at the sizes they use (issue 28, 3-7): a tablet in landscape (1180×820)
and a phone (390×844). Names and words instead of codes, Beijing time, only declared journeys offered,
approval rows that tell tasks apart, the chip photo beside the live one, the rectification task."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Browser

from api.journey_driver import Customer, J1Driver
from api.web.bank_time import BANK_TIME
from tests.browser.conftest import PHONE, SCREENSHOTS, Server, new_page, shoot, sign_in
from tests.browser.test_desk import _package_in_review

LANDSCAPE_TABLET = {"width": 1180, "height": 820}
SIZES = pytest.mark.parametrize(("viewport", "size"), [(LANDSCAPE_TABLET, "tablet"), (PHONE, "phone")])


@SIZES
def test_the_desk_filters_with_empty_dates_and_shows_names(
    server: Server, browser: Browser, api: J1Driver, viewport: dict[str, int], size: str
) -> None:
    opened = api.run(Customer(name="刘志强", id_number="420102195901010070", mobile="13900002303"))
    package_id = _package_in_review(api, opened.instance["instance_id"])

    page = new_page(browser, viewport)
    sign_in(page, server, "ps001", "/desk")
    page.select_option("#f-status", "")  # 全部, the date boxes left empty as staff leave them
    page.get_by_role("button", name="筛选").click()
    page.wait_for_selector(f"a[href='/desk/packages/{package_id}']")
    row = page.locator("tr", has=page.locator(f"a[href='/desk/packages/{package_id}']"))
    assert "借记卡开户开卡" in row.inner_text() and "李明（fo001）" in row.inner_text()
    assert "debit_card_opening" not in page.inner_text("main")
    shoot(page, f"{size}-desk-queue-all")

    page.click(f"a[href='/desk/packages/{package_id}']")
    trail = page.inner_text("section:has(h2:text('操作轨迹'))")
    assert "客户授权与同意" in trail and "机审规则 · 证据包完整性" in trail
    assert "customer_consents" not in trail and "PACKAGE_INTEGRITY" not in trail
    shoot(page, f"{size}-desk-package-words")


def beijing_minutes() -> set[str]:
    """ "HH:MM" now in Beijing and a minute either side: the page and the test read the clock apart."""
    now = datetime.now(BANK_TIME).timestamp()
    return {datetime.fromtimestamp(now + d, BANK_TIME).strftime("%H:%M") for d in (-60, 0, 60)}


@SIZES
def test_the_officers_list_shows_beijing_time(
    server: Server, browser: Browser, api: J1Driver, viewport: dict[str, int], size: str
) -> None:
    started = api.start("fo001")
    page = new_page(browser, viewport)
    sign_in(page, server, "fo001", "/tablet")
    row = page.locator(f"a[href='/tablet/journeys/{started['instance_id']}']").inner_text()
    assert any(minute in row for minute in beijing_minutes()), row
    shoot(page, f"{size}-tablet-home-beijing-time")


@SIZES
def test_the_officer_is_offered_only_declared_journeys(
    server: Server, browser: Browser, viewport: dict[str, int], size: str
) -> None:
    page = new_page(browser, viewport)
    sign_in(page, server, "fo001", "/tablet")
    buttons = page.locator(".start-list button").all_inner_texts()
    # the registry's order; no peer or test diagram
    assert buttons == ["借记卡开户开卡", "信用卡面签", "理财风险测评与产品签约"]
    assert "Account Opening Journey" not in page.inner_text("main")
    shoot(page, f"{size}-tablet-start-buttons")


@SIZES
def test_the_approver_tells_tasks_apart_and_compares_the_photos_in_place(
    server: Server, browser: Browser, api: J1Driver, viewport: dict[str, int], size: str
) -> None:
    # 宋涛's face comparison is grey (72): the journey waits for a remote authorization (§2.9)
    customer = Customer(name="宋涛", id_number="420104199202029099", mobile="13900002305")
    waiting = api.run(customer, officer="fo001", stop_before="remote_authorization")
    tasks = api.client.get("/api/v1/tasks", headers=api.headers("au001")).json()
    [task] = [t for t in tasks if t["instance_id"] == waiting.instance["instance_id"]]

    page = new_page(browser, viewport)
    sign_in(page, server, "au001", "/phone")
    row = page.locator(f"a[data-task-id='{task['task_id']}']")
    text = row.inner_text()
    for expected in ("宋*", "借记卡开户开卡", "人脸比对分数处于灰区", "李明（fo001）", "已等待"):
        assert expected in text, (expected, text)
    shoot(page, f"{size}-phone-rows")

    row.click()
    page.wait_for_selector("[data-face-pair]")
    chip, live = (page.locator(f"[data-image={f}] img") for f in ("chip_photo", "live_face_image"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-face-pair] img')].every(i => i.naturalWidth > 0)"
    )
    chip_box, live_box = chip.bounding_box(), live.bounding_box()
    assert chip_box and live_box
    assert chip_box["x"] + chip_box["width"] <= live_box["x"]  # side by side, the chip photo first
    assert abs(chip_box["y"] - live_box["y"]) < 5
    pair = page.inner_text("[data-face-pair]")
    assert "身份证芯片照片" in pair and "现场人脸照片" in pair and "灰区" in pair and "72" in pair
    shoot(page, f"{size}-phone-face-pair")

    chip.click()  # opens in place: the same page, the photo over it
    page.wait_for_selector("#view-chip_photo:target")
    assert len(page.context.pages) == 1
    zoomed = page.locator("#view-chip_photo img").bounding_box()
    assert zoomed and zoomed["width"] > chip_box["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{size}-phone-photo-open.png"))
    page.locator("#view-chip_photo .zoom-close").click()
    page.wait_for_function("() => !document.querySelector('#view-chip_photo:target')")


@SIZES
def test_the_officer_finds_the_rectification_and_reads_what_was_wrong(
    server: Server, browser: Browser, api: J1Driver, viewport: dict[str, int], size: str
) -> None:
    # 赵雨桐 is 18: machine review flags the age band; ps001 judges it a minor error
    opened = api.run(Customer(name="赵雨桐", id_number="42010320070220004X", mobile="13900002304"))
    package_id = _package_in_review(api, opened.instance["instance_id"])
    review_instance = api.client.get(f"/api/v1/evidence/{package_id}", headers=api.headers("ps001")).json()[
        "review_instance_id"
    ]
    review = _task_of(api, "ps001", review_instance, "human_review")
    note = "风险告知书签名模糊，请回访客户重新签署"
    decided = api.client.post(
        f"/api/v1/tasks/{review['task_id']}/complete",
        headers=api.headers("ps001"),
        json={"data": {"review_outcome": "ERROR_MINOR", "review_reason": note}},
    )
    assert decided.status_code == 200, decided.text
    rectify = _task_of(api, "fo001", review_instance, "rectification")

    page = new_page(browser, viewport)
    sign_in(page, server, "fo001", "/tablet")
    page.click(f"[data-todo] a[data-task-id='{rectify['task_id']}']")
    findings = page.locator("[data-findings]")
    findings.wait_for()
    text = findings.inner_text()
    assert "一般差错" in text and "年龄段风险" in text and note in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）", page.inner_text("[data-finding-due]"))
    shoot(page, f"{size}-tablet-rectification")

    page.fill("#in-rectification_note", "已回访客户，重新签署风险告知书")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_selector("text=已提交")
    assert page.locator(f"a[data-task-id='{rectify['task_id']}']").count() == 0


def _task_of(api: J1Driver, user: str, instance_id: str, name: str) -> dict[str, Any]:
    """The review journey moves on in the background: wait for its task to reach `user`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for task in api.client.get("/api/v1/tasks", headers=api.headers(user)).json():
            if task["instance_id"] == instance_id and task["name"] == name:
                return dict(task)
        time.sleep(0.3)
    raise AssertionError(f"{user} never got the {name} task")
