"""Browser tests: a real `fieldbank serve` (the README's embedded default: SQLite, in-process worker,
sandbox adapters) driven by Playwright through Debian's Chromium. Screenshots go to var/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.journey_driver import J1Driver
from devices.demo import DEMO_DEVICE_OF
from tests.server_process import Served, fieldbank_serve

CHROMIUM = os.environ.get("FIELDBANK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "fieldbank-demo"


Server = Served


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fieldbank_serve(tmp_path_factory.mktemp("web")) as served:
        yield served
    server_log = served.log.read_text()
    for clear in ("13900001234", "420106199003071238", "420103199303039118"):
        assert clear not in server_log, f"a clear personal number reached the server log: {clear[:3]}…"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a script or style the pages' Content-Security-Policy blocks is a bug, not noise
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
        ),
    )
    page.fb_errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def api(server: Server) -> Iterator[J1Driver]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield J1Driver(client)


def sign_in(page: Page, server: Server, username: str, path: str = "/") -> None:
    """A tablet officer signs in on their demo tablet (the `fb_device` cookie the enrolled app would
    set), unless the test put another tablet's cookie in the browser first."""
    has_device = any(c["name"] == "fb_device" for c in page.context.cookies(server.base_url))
    if username in DEMO_DEVICE_OF and not has_device:
        page.context.add_cookies(
            [{"name": "fb_device", "value": DEMO_DEVICE_OF[username], "url": server.base_url}]
        )
    page.goto(server.base_url + path)
    page.get_by_label("工号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("header.bar")


def shoot(page: Page, name: str) -> Path:
    """Screenshot for the CI artefacts, after checking what a reviewer would look for first: no
    horizontal scroll, the CJK font really loaded (no empty-box glyphs), no script errors."""
    size = page.viewport_size or {"width": 0, "height": 0}
    layout = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, width: window.innerWidth,
                   cjk: document.fonts.check('16px "Noto Sans CJK SC"', '开户成功')})"""
    )
    assert layout["scroll"] <= layout["width"], f"{name}: horizontal scroll {layout}"
    assert layout["cjk"], f"{name}: the CJK font is not available"
    assert not page.fb_errors, f"{name}: script errors {page.fb_errors}"  # type: ignore[attr-defined]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
