"""What staff read, in Chromium at the sizes they use (issue 28, 3-7): a tablet in landscape (1180×820)
and a phone (390×844). Names and words instead of codes, Beijing time, only declared journeys offered,
approval rows that tell tasks apart, the chip photo beside the live one, the rectification task."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Browser

from api.journey_driver import Customer, J1Driver
from api.web.bank_time import BANK_TIME
from tests.browser.conftest import PHONE, Server, new_page, shoot, sign_in
from tests.browser.test_desk import _package_in_review

LANDSCAPE_TABLET = {"width": 1180, "height": 820}
SIZES = pytest.mark.parametrize(("viewport", "size"), [(LANDSCAPE_TABLET, "tablet"), (PHONE, "phone")])


@SIZES
def test_the_desk_filters_with_empty_dates_and_shows_names(
    server: Server, browser: Browser, api: J1Driver, viewport: dict[str, int], size: str
) -> None:
    opened = api.run(Customer(name="刘志强", id_number="420102195901010070"))
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
    assert buttons == ["借记卡开户开卡", "信用卡面签"]  # the registry's order; no peer or test diagram
    assert "Account Opening Journey" not in page.inner_text("main")
    shoot(page, f"{size}-tablet-start-buttons")
