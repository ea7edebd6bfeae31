"""J3 on the tablet (1024×768), the questionnaire on the customer's hand-over screen one question at a
time, and the same screen at phone size (390×844). The customer is 彭军 (§13.2, 921): the sandbox core
already holds his Class I account and the wealth sales system a C5 on the retired WRQ-2019-2, so the
journey asks the questionnaire again; no other browser test uses him.

The page's clock is Playwright's: each question is held on screen for a known time before it is
answered, so the answer times the server records are checked against what the customer spent."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import httpx
from playwright.sync_api import Browser, Page

from crypto import sm3
from devices.demo import DEMO_DEVICE_OF
from tests.browser.conftest import PHONE, TABLET, Server, new_page, shoot, sign_in
from tests.browser.tablet_driver import PASSWORD, TabletJourney
from tests.integration.wealth_driver import BALANCED

INVESTOR = "彭军"
PAYMENT_ACCOUNT = "4201011" + "0" * 12  # 921's Class I account in the sandbox core
QUESTIONS = ("age_band", *BALANCED)  # Q1 comes from the ID card, Q2-Q10 are the customer's
HOLD_MS = 7_000  # per question: 9 answered questions make more than the 60 s below which it is flagged


def _api(server: Server, path: str) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/token",
            json={"username": "fo001", "password": PASSWORD, "device_id": DEMO_DEVICE_OF["fo001"]},
        ).json()
        r = client.get(path, headers={"Authorization": f"Bearer {token['access_token']}"})
        assert r.status_code == 200, r.text
        return r


def _progress(page: Page) -> str:
    return page.inner_text("[data-step-progress]").strip()


def _shown_steps(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-step]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.field)"
    )


def _answer_one_at_a_time(j: TabletJourney) -> None:
    page = j.page
    assert _progress(page) == "第 1 题 / 共 10 题" and _shown_steps(page) == ["age_band"]
    assert page.is_hidden("[data-step-back]") and page.is_hidden("button[type=submit]")
    page.click("[data-step-next]")  # Q1 is read from the ID card: nothing to choose
    for number, question in enumerate(BALANCED, start=2):
        assert _progress(page) == f"第 {number} 题 / 共 10 题" and _shown_steps(page) == [question]
        if number == 2:  # next without a choice stays on the question and says why
            page.click("[data-step-next]")
            assert _progress(page) == "第 2 题 / 共 10 题"
            assert page.inner_text(f"#err-{question}") == "请先选择一项再继续"
        page.clock.fast_forward(HOLD_MS)
        j.check(f"input[name='{question}'][value='{BALANCED[question]}']")
        if number == 3:  # back and forth: the time already spent on Q2 is kept
            page.click("[data-step-back]")
            assert _shown_steps(page) == ["income_band"]
            page.clock.fast_forward(HOLD_MS)  # reading Q2 again counts to Q2
            page.click("[data-step-next]")
        if number < 10:
            page.click("[data-step-next]")
    assert page.is_visible("button[type=submit]") and page.is_hidden("[data-step-next]")


def test_a_clean_wealth_assessment_is_answered_one_question_at_a_time_by_the_customer(
    server: Server, browser: Browser
) -> None:
    page = new_page(browser, TABLET)
    page.clock.install()
    sign_in(page, server, "fo001", "/tablet")
    j = TabletJourney(page, server.base_url)

    assert j.start("wealth_risk_assessment") == "id_card"
    instance_id = page.url.rsplit("/", 1)[-1]
    j.read_id_card(INVESTOR)
    assert j.next() == "customer_consents"
    j.customer_consents()
    assert j.next() == "face_check"
    j.face_check()
    assert j.next() == "circumstances"
    j.check("#field-changed_circumstances input[value=false]")
    assert j.next() == "questionnaire"

    # the customer's screen: handed over, no staff chrome, every option text in full
    assert page.query_selector(".page.handover") is not None
    assert page.query_selector("form[data-one-at-a-time]") is not None
    assert page.query_selector("[data-cue=hand-over]") is not None
    assert "期货、期权、私募基金或结构性产品" in page.inner_text("#field-experience_type")
    shoot(page, "tablet-wealth-questionnaire-first")

    phone = new_page(browser, PHONE)  # the same screen on a phone
    sign_in(phone, server, "fo001", f"/tablet/journeys/{instance_id}")
    phone.wait_for_selector("[data-step-progress]")
    assert _progress(phone) == "第 1 题 / 共 10 题" and _shown_steps(phone) == ["age_band"]
    shoot(phone, "tablet-wealth-questionnaire")
    phone.context.close()

    _answer_one_at_a_time(j)
    shoot(page, "tablet-wealth-questionnaire-last")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    assert j.next() == "confirmation"
    [posted] = [parse_qs(body) for body in sent if "answer_ms." in body]
    times = {q: int(posted[f"answer_ms.{q}"][0]) for q in BALANCED}  # what the page sent

    # the journey holds one time per answered question, as long as the question was on screen: the
    # questionnaire record the customer now reads and signs shows each (and the total) from its data
    slack = 15_000  # the real time the browser took between fast-forwards
    assert all(HOLD_MS <= times[q] < HOLD_MS + slack for q in BALANCED if q != "income_band"), times
    assert times["income_band"] >= 2 * HOLD_MS, times  # held before choosing, and again after coming back
    task_id = page.get_attribute("section.task[data-task-id]", "data-task-id")
    task = _api(server, f"/api/v1/tasks/{task_id}").json()
    [record] = [d for d in task["documents"] if d["document"] == "questionnaire_record"]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", _api(server, record["url"]).text, re.S)
    shown = [re.findall(r"(\d+\.\d) 秒", row) for row in rows]
    answered = [found[0] for found in shown if len(found) == 1][: len(BALANCED)]
    assert answered == [f"{times[q] / 1000:.1f}" for q in BALANCED], (answered, times)
    total = f"{sum(times.values()) / 1000:.1f} 秒"
    assert any("答题总用时" in row and total in row for row in rows), total

    j.check("#in-result_acknowledged")
    j.sign("customer_signature")
    j.check("#in-operator_attestation")
    assert j.next() == "product_selection"
    j.fill(
        {
            "product_code": "WM-R2-002",
            "amount": "50000",
            "payment_account_no": PAYMENT_ACCOUNT,
            "product_introduced": True,
        }
    )
    assert j.next() == "product_signing"
    # the customer reads the agreement with the product documents pinned by version and SM3 (§J3 step 7)
    task_id = page.get_attribute("section.task[data-task-id]", "data-task-id")
    task = _api(server, f"/api/v1/tasks/{task_id}").json()
    [agreement] = [d for d in task["documents"] if d["document"] == "product_agreement"]
    shown_html = _api(server, agreement["url"]).text
    assert (
        "《稳享90天固收风险揭示书》" in shown_html and "本人已经阅读风险揭示，愿意承担投资风险" in shown_html
    )
    assert sm3(b"WM-R2-002|risk_disclosure|2025.03").hex() in shown_html
    j.check("#in-product_documents_read")
    j.check("#in-risk_disclosure_read")
    j.sign("risk_hand_copy_image")
    j.record("dual_recording", 185_000)
    j.sign("agreement_signature")
    assert j.next() == "outcome:AGREEMENT_SIGNED"
    shoot(page, "tablet-wealth-outcome")

    trail = _api(server, f"/api/v1/instances/{instance_id}/events").json()
    [signed] = [e for e in trail if e["kind"] == "task_completed" and e["task_spec"] == "product_signing"]
    assert [d["document"] for d in signed["detail"]["shown_documents"]] == ["product_agreement"]
    [done] = [e for e in trail if e["kind"] == "task_completed" and e["task_spec"] == "questionnaire"]
    assert done["detail"].get("by_customer") is True  # the customer's act, on the hand-over screen
    assert re.fullmatch(r"fo\d+", str(done["actor_id"]))
