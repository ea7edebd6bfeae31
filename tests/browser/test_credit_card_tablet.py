"""A clean J2 credit-card face signing on the tablet pages, screen by screen as an officer and an
applicant do it: the shared ID, face and mobile screens, the applicant's authorization and signing on
hand-over screens, the original-document photos with their ticks, the officer's witness declaration,
and the card centre's asynchronous approval arriving on the waiting screen."""

from __future__ import annotations

from playwright.sync_api import Browser, Response

from tests.browser.conftest import TABLET, Server, new_page, shoot, sign_in
from tests.browser.tablet_driver import OUTCOME_SCREEN, TabletJourney

APPLICANT = "王芳"  # §13.2 420102198506150026: clean pass, credit card approved
MOBILE = "13900001234"
ADDRESS = {
    "province_code": "420000",
    "city_code": "420100",
    "district_code": "420106",
    "detail": "中北路100号3栋",
}
APPLICATION = {
    "residential_address": ADDRESS,
    "housing_status": "MORTGAGE",
    "years_at_address": 6,
    "marital_status": "20",
    "education": "20",
    "dependants_count": 1,
    "employment_type": "EMPLOYEE",
    "employer_name": "武汉某某科技有限公司",
    "employer_uscc": "91350100M000100Y43",
    "employer_address": ADDRESS,
    "employer_phone": "027-87654321",
    "industry_code": "I",
    "position": "STAFF",
    "years_employed": 4,
    "annual_income": 180000,
    "income_proof_types": ["income_proof"],
    "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": "13900002345"},
    "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": "13900003456"},
    "statement_channel": "APP",
    "auto_repay_wanted": False,
    "delivery_address_choice": "WORK",
}
WUCHANG = {"latitude": 30.546712, "longitude": 114.341862, "accuracy": 20}
KEY_TERMS = ("interest", "fees", "interest_free_period", "minimum_payment", "penalty", "instalment")


def is_upload(response: Response) -> bool:
    return response.url.endswith("/media/attachments") and response.request.method == "POST"


def test_a_clean_credit_card_application_is_signed_face_to_face_and_approved(
    server: Server, browser: Browser
) -> None:
    page = new_page(browser, TABLET)
    # the officer's tablet lets the page read its position: the 三亲见 photos carry it in their watermark
    page.context.grant_permissions(["geolocation"], origin=server.base_url)
    page.context.set_geolocation(WUCHANG)
    sign_in(page, server, "fo001", "/tablet")
    j = TabletJourney(page, server.base_url)

    assert j.start("credit_card_face_sign") == "product_choice"
    j.fill({"product_code": "CC-STANDARD", "reserved_mobile": MOBILE})
    j.fill({"supplementary_card_wanted": False, "full_time_student": False})
    shoot(page, "tablet-j2-product")
    assert j.next() == "id_card"
    j.read_id_card(APPLICANT)
    assert j.next() == "customer_consents"
    j.customer_consents()
    assert j.next() == "face_check"
    j.face_check()
    assert j.next() == "credit_authorization"
    assert page.query_selector(".page.handover") is not None  # the applicant's own act
    j.fill({"credit_report_purpose": "CREDIT_CARD_APPROVAL", "credit_auth_read": True})
    j.sign("credit_auth_signature")
    shoot(page, "tablet-j2-credit-authorization")
    assert j.next() == "otp_entry"
    j.otp(MOBILE)
    assert j.next() == "sightings"
    with page.expect_response(is_upload) as uploaded:
        j.take_photo("applicant_photo", 4)
    stamped = uploaded.value.json()
    mark = stamped["watermark"]  # the server's time, the tablet's position, the officer and the device
    assert (mark["lat"], mark["lon"], mark["accuracy_m"]) == (30.546712, 114.341862, 20.0)
    assert mark["staff_id"] == "fo001" and mark["device_id"].startswith("web-")
    # the preview is the stamped image the server stored (enlarged strip and all), not the raw capture
    preview = "[data-field-name='applicant_photo'] [data-preview]"
    assert page.get_attribute(preview, "src") == stamped["url"]
    page.wait_for_function("s => document.querySelector(s).naturalWidth === 1280", arg=preview)
    j.fill({"doc_income_proof_seen": True})
    j.take_photo("doc_income_proof_photo", 5)
    shoot(page, "tablet-j2-sightings")
    assert j.next() == "application"
    # the chip's data comes from the ID screen, read-only; no card is read a second time
    assert page.input_value("[name=id_number]") == "420102198506150026"
    assert page.get_attribute("[name=id_number]", "readonly") is not None
    assert page.query_selector("[data-reader]") is None
    j.fill(APPLICATION)
    shoot(page, "tablet-j2-application")
    assert j.next() == "signing"
    assert page.query_selector(".page.handover") is not None
    j.fill({f"key_term_{term}": True for term in KEY_TERMS} | {"agreement_read": True})
    j.sign("hand_copy_image")
    j.sign("customer_signature")
    shoot(page, "tablet-j2-signing")
    assert j.next() == "witness"
    assert page.query_selector(".page.handover") is None  # the declaration is the officer's
    j.fill(
        {
            "witness_person_seen": True,
            "witness_originals_seen": True,
            "witness_signature_seen": True,
            "witness_no_relationship": True,
        }
    )
    j.sign("witness_signature")
    assert j.next() == "outcome:APPROVED"  # the card centre's message arrives while the page waits

    outcome = page.inner_text(OUTCOME_SCREEN)
    shoot(page, "tablet-j2-outcome-approved")
    assert "审批通过" in outcome and "36,000 元" in outcome
    assert page.inner_text("[data-fact]").startswith("CC")  # the application number, quoted when asking
    assert "卡片将按您选择的方式寄送" in page.inner_text("[data-script]")  # what to tell the applicant
    page.click("[data-next-customer]")
    page.wait_for_url("**/tablet")
