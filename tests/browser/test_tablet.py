"""The field officer's tablet (1024×768) and the same screens on a phone: a clean J1 from sign-in to the
outcome, a sanctions refusal with the neutral message only, and a server 422 beside the ID field."""

from __future__ import annotations

import re
import secrets

import httpx
from playwright.sync_api import Browser, Response

from api.journey_driver import sandbox_card
from devices.demo import DEMO_DEVICE_OF
from tests.browser.conftest import PHONE, TABLET, Server, new_page, shoot, sign_in
from tests.browser.tablet_driver import OUTCOME_SCREEN, PASSWORD, TabletJourney


def _trail(server: Server, username: str, instance_id: str) -> list[dict[str, object]]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/token",
            json={"username": username, "password": PASSWORD, "device_id": DEMO_DEVICE_OF.get(username)},
        ).json()
        r = client.get(
            f"/api/v1/instances/{instance_id}/events",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert r.status_code == 200
        return list(r.json())


def test_a_clean_debit_card_opening_runs_from_sign_in_to_the_outcome_screen(
    server: Server, browser: Browser
) -> None:
    page = new_page(browser, TABLET)
    page.goto(server.base_url + "/tablet")
    shoot(page, "tablet-login")
    sign_in(page, server, "fo001", "/tablet")
    shoot(page, "tablet-home")
    j = TabletJourney(page, server.base_url)

    assert j.start() == "id_card"
    instance_id = page.url.rsplit("/", 1)[-1]
    j.read_id_card("张伟")
    shoot(page, "tablet-id-card")
    assert j.next() == "customer_consents"
    assert page.query_selector(".page.handover") is not None  # the customer's own consents
    assert "请将平板交给客户本人操作" in page.inner_text("[data-cue=hand-over]")
    j.customer_consents()
    shoot(page, "tablet-handover-consents")
    assert j.next() == "face_check"
    assert "请收回平板" in page.inner_text("[data-cue=take-back]")  # first staff screen after the customer's
    j.face_check()
    shoot(page, "tablet-face-check")
    assert j.next() == "customer_details"
    assert page.query_selector("[data-cue]") is None  # after a staff screen: nothing to hand back
    assert page.query_selector("#field-tax_residency") is None  # the customer declares it, on their screen
    j.customer_details("13900001234")
    shoot(page, "tablet-customer-details")
    assert j.next() == "otp_entry"
    j.otp("13900001234")
    assert j.next() == "risk_notice"
    # hand-over: the customer's screen shows no staff chrome and no way to leave
    assert page.query_selector(".page.handover") is not None
    assert page.query_selector("header nav") is None
    assert page.query_selector("text=客户放弃办理") is None
    assert page.query_selector("#field-pep_declaration") is not None
    shoot(page, "tablet-handover-risk-notice")
    j.risk_notice()
    assert j.next() == "card_scan"
    assert page.query_selector("[data-cue=take-back]") is not None
    card_no = sandbox_card(500_000 + secrets.randbelow(300_000))
    j.card_scan(card_no)
    assert j.next() == "signing"
    j.signing()
    shoot(page, "tablet-signing")
    assert j.next() == "signing_witness"
    assert page.query_selector(".page.handover") is None  # the officer's attestation, on his screen
    j.signing_witness()
    assert j.next() == "outcome:OPENED"

    outcome = page.inner_text(OUTCOME_SCREEN)
    assert "开户成功" in outcome
    assert card_no[-4:] in outcome and card_no not in outcome  # masked on screen
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）", page.inner_text("[data-ended-at]"))
    assert "借记卡已激活" in page.inner_text("[data-script]")
    shoot(page, "tablet-outcome-opened")
    by_customer = {
        e["task_spec"]
        for e in _trail(server, "fo001", instance_id)
        if e["kind"] == "task_completed" and isinstance(e["detail"], dict) and e["detail"].get("by_customer")
    }
    assert by_customer == {"customer_consents", "risk_notice", "signing"}
    assert len(j.screens) < 15


def test_a_sanctions_hit_is_refused_with_the_neutral_message_only(server: Server, browser: Browser) -> None:
    page = new_page(browser, PHONE)  # the same pages on a phone-sized screen
    page.goto(server.base_url + "/login")
    shoot(page, "phone-login")
    sign_in(page, server, "fo002", "/tablet")
    shoot(page, "phone-tablet-home")
    j = TabletJourney(page, server.base_url, officer="fo002")
    assert j.start() == "id_card"
    j.read_id_card("唐敏")
    shoot(page, "phone-id-card")
    assert j.next() == "customer_consents"
    j.customer_consents()
    shoot(page, "phone-handover-consents")
    assert j.next() == "outcome:REFUSED"
    text = page.inner_text("main")
    assert "暂不能办理" in text
    for leak in ("制裁", "黑名单", "名单", "SANCTION", "BLOCK", "反洗钱"):
        assert leak not in text.upper()
    shoot(page, "phone-outcome-refused")


def test_a_server_422_appears_next_to_the_id_field_without_sending_photos_back(
    server: Server, browser: Browser
) -> None:
    page = new_page(browser, TABLET)
    sign_in(page, server, "fo001", "/tablet")
    j = TabletJourney(page, server.base_url)
    assert j.start() == "id_card"
    j.read_id_card("校验位错误")
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if r.request.method == "POST" else None)
    page.get_by_role("button", name="下一步").click()
    error = page.wait_for_selector("#err-id_number:not(:empty)")
    assert error is not None and "校验" in error.inner_text()
    # the message sits in the ID field's own wrapper, the input is marked invalid, the summary counts it
    assert page.eval_on_selector("#err-id_number", "e => e.closest('.field').id") == "field-id_number"
    assert page.get_attribute("#in-id_number", "aria-invalid") == "true"
    assert "请修正" in page.inner_text("#form-errors")
    reply = next(r for r in answers if "/tablet/tasks/" in r.url)
    assert reply.status == 422
    assert len(reply.body()) < 8_000  # error fragments only: the photos stay on the page, not in the reply
    front = page.get_attribute("[data-field-name=id_front_image] [data-attachment-value]", "value")
    assert front and front.startswith("att_")
    shoot(page, "tablet-id-card-422")
