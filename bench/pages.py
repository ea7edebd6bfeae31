"""Tablet page bench: what the first J1 screen costs a field officer on a weak network and a slow tablet,
and how many screens, taps and typed characters a clean J1 and a clean J2 take.

Run: .venv/bin/python bench/pages.py [--runs N] [--base-url URL]   (about 40 s with the defaults)

Method (as in /work/shared/reference/ui-spike.md). A `fieldbank serve` on a fresh temporary data dir
(SQLite, sandbox adapters, FIELDBANK_SANDBOX_LATENCY=fast) is driven by Playwright through Debian's
Chromium. fo001 signs in and starts a debit-card opening without any throttling; the URL of the first
J1 screen (/tablet/journeys/<id>, the id_card task form) is what is measured. Each of the N cold runs
uses a new browser context (empty cache) holding a copy of the session cookies, with CDP CPU throttling
4x and the DevTools "Slow 4G" preset (562.5 ms latency, 180,000 B/s down, 84,375 B/s up); the warm run
is a reload of the same page in that context right after. Per load:
- bytes on the wire: the sum of CDP Network.loadingFinished.encodedDataLength over the load's requests;
- requests: Network.requestWillBeSent (data: URLs left out), and how many the cache answered;
- FCP: the first-contentful-paint entry;
- form-ready: performance.now() when <html data-ready="true"> is set by app.js's init() while
  form.task-form is in the document (a MutationObserver installed before any page script records it).
All times count from the navigation start (performance.timeOrigin). Medians, min and max are printed.
Last, one clean J1 and one clean J2 run through tests/browser/tablet_driver.TabletJourney without
throttling; their task screens, taps and typed characters are compared with what issue 28 measured
before prefilling (J1 9 task screens, 41 taps, 53 characters; J2 10, 88, 147), and J1's screens with
the 15 steps of domain.md J1. A tap is a click, a tick, a focus of a box, a signature, two for a list
(open, pick) or a photo (camera, shutter); typed characters are what goes into boxes. Timing is
reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright
from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
# `python bench/pages.py` puts bench/ first on sys.path, where bench/crypto.py would shadow the
# `crypto` package: the repository root must come first.
sys.path.insert(0, str(REPO_ROOT))

from api.journey_driver import sandbox_card  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET, Server, new_page, sign_in  # noqa: E402
from tests.browser.tablet_driver import TabletJourney  # noqa: E402
from tests.server_process import fieldbank_serve  # noqa: E402

OFFICER = "fo001"
PROCESS_ID = "debit_card_opening"
CPU_SLOWDOWN = 4
SLOW_4G = {"latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
BYTES_GOAL = 60_000  # 60 KB, 1 KB = 1,000 bytes
READY_GOAL_MS = 2_000.0
J1_STEPS = 15  # domain.md J1, steps 1-15
# issue 28 item 9: a clean journey before its forms were prefilled (task screens, taps, characters)
BEFORE = {"J1": (9, 41, 53), "J2": (10, 88, 147)}
J2_PROCESS_ID = "credit_card_face_sign"
J2_SCREENS = (
    "product_choice",
    "id_card",
    "customer_consents",
    "face_check",
    "credit_authorization",
    "otp_entry",
    "sightings",
    "application",
    "signing",
    "witness",
)
J1_SCREENS = (
    "id_card",
    "customer_consents",
    "face_check",
    "customer_details",
    "otp_entry",
    "risk_notice",
    "card_scan",
    "signing",
    "signing_witness",
)
console = Console(width=120)

# Runs before any page script: records when app.js marks the page ready with the task form present.
FORM_READY_PROBE = """
(() => {
  const mark = () => {
    const root = document.documentElement;
    if (window.__fbFormReady === undefined && root && root.dataset.ready === "true"
        && document.querySelector("form.task-form")) {
      window.__fbFormReady = performance.now();
    }
  };
  new MutationObserver(mark).observe(
    document, {attributes: true, subtree: true, attributeFilter: ["data-ready"]});
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("load", mark);
})();
"""
FCP = "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime"


# ---------------------------------------------------------------------------------------------- server


# ------------------------------------------------------------------------------------------- measuring


@dataclass
class Load:
    """One page load as the browser saw it."""

    bytes: int
    requests: int
    from_cache: int
    fcp_ms: float
    ready_ms: float
    by_url: dict[str, int]
    errors: list[str]


@dataclass
class NetworkTally:
    """CDP network events of one load: bytes on the wire per request, and what is still in flight."""

    urls: dict[str, str] = field(default_factory=dict)
    encoded: dict[str, int] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)
    open: set[str] = field(default_factory=set)

    def attach(self, cdp: CDPSession) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda e: self.open.discard(e["requestId"]))

    def reset(self) -> None:
        self.urls.clear()
        self.encoded.clear()
        self.cached.clear()
        self.open.clear()

    def _sent(self, e: dict[str, Any]) -> None:
        url = e["request"]["url"]
        if not url.startswith("data:"):
            # a redirect re-uses the request id: the last URL is the one that answered
            self.urls[e["requestId"]] = url
            self.open.add(e["requestId"])

    def _received(self, e: dict[str, Any]) -> None:
        response = e["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(e["requestId"])

    def _finished(self, e: dict[str, Any]) -> None:
        if e["requestId"] in self.urls:
            self.encoded[e["requestId"]] = int(e["encodedDataLength"])
            self.open.discard(e["requestId"])

    def by_url(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for request_id, url in self.urls.items():
            parts = urlsplit(url)
            name = parts.path + (f"?{parts.query[:6]}…" if parts.query else "")
            out[name] = out.get(name, 0) + self.encoded.get(request_id, 0)
        return out


def throttled_context(browser: Browser, cookies: list[Any]) -> BrowserContext:
    """A new context, so the cache is cold, that is already signed in as the officer."""
    context = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(60_000)
    context.add_cookies(cookies)
    context.add_init_script(FORM_READY_PROBE)
    return context


def throttle(page: Page) -> tuple[CDPSession, NetworkTally]:
    """CPU 4x and Slow 4G on this page's target, and a tally of its network events."""
    cdp = page.context.new_cdp_session(page)
    tally = NetworkTally()
    tally.attach(cdp)
    cdp.send("Network.enable")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **SLOW_4G})
    return cdp, tally


def measure(page: Page, tally: NetworkTally, errors: list[str], navigate: Any) -> Load:
    """Run one navigation and read its figures once the load event has fired and nothing is in flight."""
    tally.reset()
    errors.clear()
    navigate()
    ready = float(page.wait_for_function("() => window.__fbFormReady").json_value())
    fcp = float(page.wait_for_function(FCP).json_value())
    deadline = time.monotonic() + 30
    while tally.open and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return Load(
        bytes=sum(tally.encoded.values()),
        requests=len(tally.urls),
        from_cache=len(tally.cached & tally.urls.keys()),
        fcp_ms=fcp,
        ready_ms=ready,
        by_url=tally.by_url(),
        errors=list(errors),
    )


def cold_and_warm(browser: Browser, url: str, cookies: list[Any]) -> tuple[Load, Load]:
    """A cold load in a fresh context, then a reload in the same context (warm cache)."""
    context = throttled_context(browser, cookies)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _, tally = throttle(page)
        cold = measure(page, tally, errors, lambda: page.goto(url, wait_until="load"))
        if urlsplit(page.url).path != urlsplit(url).path:
            raise SystemExit(f"the measured page is {page.url}, not {url}: did the cookies not carry over?")
        warm = measure(page, tally, errors, lambda: page.reload(wait_until="load"))
        return cold, warm
    finally:
        context.close()


# ------------------------------------------------------------------------------------------ the pages


def start_first_screen(browser: Browser, server: Server) -> tuple[str, list[Any]]:
    """Sign in and start a debit-card opening without throttling; the id_card screen's URL and the
    session cookies. The journey is only looked at, never submitted."""
    page = new_page(browser, TABLET)
    try:
        sign_in(page, server, OFFICER, "/tablet")
        page.click(f"form[action='/tablet/journeys']:has(input[value={PROCESS_ID}]) button")
        page.wait_for_selector("section.task[data-task=id_card] form.task-form")
        return page.url, page.context.cookies()
    finally:
        page.context.close()


@dataclass
class JourneyRun:
    journey: str
    screens: list[str]
    """Every screen reached after the start tap: the task screens, then the outcome."""
    taps: int
    typed: int
    seconds: float
    errors: list[str]

    @property
    def task_screens(self) -> int:
        return sum(not s.startswith("outcome:") for s in self.screens)


def clean_j1(browser: Browser, server: Server) -> JourneyRun:
    """One clean J1 by tapping through the tablet pages, unthrottled, as tests/browser/test_tablet.py
    does; timed from the start tap to the outcome screen. It stops at the first unexpected screen (on a
    reused server 张伟 may already hold his Class I account) so the report says where it left the path."""
    page = new_page(browser, TABLET)
    mobile = "13900001234"
    card_no = sandbox_card(500_000 + secrets.randbelow(300_000))
    try:
        sign_in(page, server, OFFICER, "/tablet")
        j = TabletJourney(page, server.base_url, officer=OFFICER)
        fill = {
            "id_card": lambda: j.read_id_card("张伟"),
            "customer_consents": j.customer_consents,
            "face_check": j.face_check,
            "customer_details": lambda: j.customer_details(mobile),
            "otp_entry": lambda: j.otp(mobile),
            "risk_notice": j.risk_notice,
            "card_scan": lambda: j.card_scan(card_no),
            "signing": j.signing,
            "signing_witness": j.signing_witness,
        }
        started = time.perf_counter()
        screen = j.start(PROCESS_ID)
        for expected in J1_SCREENS:
            if screen != expected:
                break
            fill[screen]()
            screen = j.next()
        seconds = time.perf_counter() - started
        return JourneyRun("J1", j.screens, j.taps, j.typed, seconds, list(page.fb_errors))  # type: ignore[attr-defined]
    finally:
        page.context.close()


def clean_j2(browser: Browser, server: Server) -> JourneyRun:
    """One clean J2 (王芳, §13.2: approved) as tests/browser/test_credit_card_tablet.py taps it, to the
    card centre's answer on the waiting screen; like J1, it stops at the first unexpected screen."""
    page = new_page(browser, TABLET)
    page.context.grant_permissions(["geolocation"], origin=server.base_url)
    page.context.set_geolocation({"latitude": 30.546712, "longitude": 114.341862, "accuracy": 20})
    mobile = f"1390000{2900 + secrets.randbelow(100)}"  # its own number: OTP limit 5/hour/mobile
    try:
        sign_in(page, server, OFFICER, "/tablet")
        j = TabletJourney(page, server.base_url, officer=OFFICER)
        fill = {
            "product_choice": lambda: j.product_choice(mobile),
            "id_card": lambda: j.read_id_card("王芳"),
            "customer_consents": j.customer_consents,
            "face_check": j.face_check,
            "credit_authorization": j.credit_authorization,
            "otp_entry": lambda: j.otp(mobile),
            "sightings": j.sightings,
            "application": j.application,
            "signing": j.credit_card_signing,
            "witness": j.witness,
        }
        started = time.perf_counter()
        screen = j.start(J2_PROCESS_ID)
        for expected in J2_SCREENS:
            if screen != expected:
                break
            fill[screen]()
            screen = j.next()
        seconds = time.perf_counter() - started
        return JourneyRun("J2", j.screens, j.taps, j.typed, seconds, list(page.fb_errors))  # type: ignore[attr-defined]
    finally:
        page.context.close()


# ------------------------------------------------------------------------------------------- reporting


def verdict(ok: bool) -> str:
    return "[bold green]MET[/]" if ok else "[bold red]NOT MET[/]"


def spread(values: list[float], digits: int = 0) -> tuple[str, str, str]:
    return (
        f"{statistics.median(values):,.{digits}f}",
        f"{min(values):,.{digits}f}",
        f"{max(values):,.{digits}f}",
    )


def report_loads(title: str, loads: list[Load]) -> None:
    table = Table(title=f"{title} ({len(loads)} runs, CPU {CPU_SLOWDOWN}x + Slow 4G)")
    for column in ("measurement", "median", "min", "max"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    table.add_row("bytes on the wire", *spread([x.bytes for x in loads]))
    table.add_row("requests", *spread([x.requests for x in loads]))
    table.add_row("  of which answered from the cache", *spread([x.from_cache for x in loads]))
    table.add_row("FCP (ms)", *spread([x.fcp_ms for x in loads]))
    table.add_row("form-ready (ms)", *spread([x.ready_ms for x in loads]))
    console.print(table)


def report_requests(cold: Load, warm: Load) -> None:
    """Which requests the bytes go to (first run; the split hardly varies between runs)."""
    table = Table(title="Bytes on the wire per request (first run)")
    for column in ("request", "cold", "warm"):
        table.add_column(column, justify="left" if column == "request" else "right")
    for name, size in sorted(cold.by_url.items(), key=lambda item: -item[1]):
        table.add_row(name, f"{size:,}", f"{warm.by_url.get(name, 0):,}" if name in warm.by_url else "-")
    for name in warm.by_url.keys() - cold.by_url.keys():
        table.add_row(name, "-", f"{warm.by_url[name]:,}")
    console.print(table)


def report_goals(cold: list[Load], warm: list[Load]) -> None:
    size = statistics.median(x.bytes for x in cold)
    ready = statistics.median(x.ready_ms for x in cold)
    console.print(
        f"Goal: cold load ≤ {BYTES_GOAL / 1000:g} KB on the wire: median {size / 1000:.1f} KB "
        f"({size:,.0f} B) → {verdict(size <= BYTES_GOAL)}"
    )
    console.print(
        f"Goal: cold form-ready ≤ {READY_GOAL_MS / 1000:g} s (CPU {CPU_SLOWDOWN}x + Slow 4G): median "
        f"{ready:,.0f} ms → {verdict(ready <= READY_GOAL_MS)}"
    )
    console.print(
        f"Warm reload, for context: median {statistics.median(x.bytes for x in warm) / 1000:.1f} KB, "
        f"form-ready {statistics.median(x.ready_ms for x in warm):,.0f} ms"
    )
    errors = {e for x in cold + warm for e in x.errors}
    if errors:
        console.print(f"[bold red]Script errors on the measured page:[/] {sorted(errors)}")


def report_journeys(runs: list[JourneyRun]) -> None:
    table = Table(title="Clean journeys on the tablet pages (no throttling)")
    for column in ("journey", "task screens", "taps", "typed characters", "outcome", "wall time"):
        table.add_column(column, justify="left" if column in ("journey", "outcome") else "right")
    for run in runs:
        screens, taps, typed = BEFORE[run.journey]
        table.add_row(
            run.journey,
            f"{run.task_screens} (was {screens})",
            f"{run.taps} (was {taps})",
            f"{run.typed} (was {typed})",
            run.screens[-1] if run.screens else "-",
            f"{run.seconds:.1f} s",
        )
    console.print(table)
    for run in runs:
        console.print(f"{run.journey} screens: {' → '.join(run.screens)}")
        screens, taps, typed = BEFORE[run.journey]
        finished = bool(run.screens) and run.screens[-1] in ("outcome:OPENED", "outcome:APPROVED")
        lower = run.task_screens <= screens and run.taps < taps and run.typed < typed
        console.print(
            f"Goal: a clean {run.journey} in no more task screens and fewer taps and typed characters than "
            f"before ({screens}, {taps}, {typed}): {run.task_screens}, {run.taps}, {run.typed} → "
            f"{verdict(lower and finished)}" + ("" if finished else " (the journey did not finish cleanly)")
        )
        if run.errors:
            console.print(f"[bold red]Script errors during {run.journey}:[/] {run.errors}")
    j1 = next((run for run in runs if run.journey == "J1"), None)
    if j1 is not None:
        console.print(
            f"Goal: fewer screens than the {J1_STEPS} steps of domain.md J1: {len(j1.screens)} screens → "
            f"{verdict(len(j1.screens) < J1_STEPS)}"
        )


# ----------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="cold runs, each with one warm reload (5)")
    parser.add_argument(
        "--base-url",
        help="use this running server instead of starting one (J1 needs 张伟 to have no account yet, "
        "J2 王芳 no credit card)",
    )
    return parser.parse_args(argv)


@contextmanager
def server_for(base_url: str | None) -> Iterator[Server]:
    if base_url:
        yield Server(base_url.rstrip("/"), Path(os.devnull))
    else:
        with (
            tempfile.TemporaryDirectory(prefix="fieldbank-pages-") as tmp,
            fieldbank_serve(Path(tmp)) as server,
        ):
            # a fresh database, so 张伟 can still open his one Class I account
            yield server


def log_step(started: float, what: str) -> None:
    console.print(f"[dim]{time.perf_counter() - started:6.1f} s[/]  {what}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    console.print(f"[bold]FieldBank tablet page bench[/]: {args.runs} cold runs + 1 warm reload each")
    with server_for(args.base_url) as server, sync_playwright() as p:
        log_step(started, f"server at {server.base_url}")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            url, cookies = start_first_screen(browser, server)
            log_step(started, f"first J1 screen: {urlsplit(url).path}")
            cold: list[Load] = []
            warm: list[Load] = []
            for i in range(args.runs):
                c, w = cold_and_warm(browser, url, cookies)
                cold.append(c)
                warm.append(w)
                log_step(started, f"run {i + 1}: cold {c.ready_ms:,.0f} ms, warm {w.ready_ms:,.0f} ms")
            runs = [clean_j1(browser, server)]
            log_step(started, "clean J1 done")
            runs.append(clean_j2(browser, server))
            log_step(started, "clean J2 done")
        finally:
            browser.close()

    report_loads("First J1 screen, cold cache", cold)
    report_loads("First J1 screen, warm reload", warm)
    report_requests(cold[0], warm[0])
    report_goals(cold, warm)
    report_journeys(runs)


if __name__ == "__main__":
    main()
