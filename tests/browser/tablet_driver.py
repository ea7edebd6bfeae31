"""A field officer working through J1 and J2 on the tablet pages, as a person would: tap, type,
photograph, sign. Counts screens, taps and typed characters (bench/pages.py reports them)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from PIL import Image, ImageDraw
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from engine.adapters.sandbox.recording import sandbox_recording

PASSWORD = "fieldbank-demo"
TASK_SCREEN = "section.task[data-task-id]"
OUTCOME_SCREEN = "section.outcome[data-outcome]"


def photo(seed: int, size: tuple[int, int] = (2000, 1500)) -> bytes:
    """A camera-sized JPEG (the page downscales it to 1280 px before upload)."""
    image = Image.new("RGB", size, (40 + seed * 30 % 200, 90, 140))
    ImageDraw.Draw(image).ellipse((600, 300, 1400, 1200), fill=(220, 190, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


J2_KEY_TERMS = ("interest", "fees", "interest_free_period", "minimum_payment", "penalty", "instalment")
# the applicant's answers on J2's application screen that nothing earlier in the journey knows
J2_APPLICATION: Mapping[str, object] = {
    "housing_status": "MORTGAGE",
    "years_at_address": 6,
    "marital_status": "20",
    "education": "20",
    "dependants_count": 1,
    "employment_type": "EMPLOYEE",
    "employer_name": "武汉某某科技有限公司",
    "employer_uscc": "91350100M000100Y43",
    "employer_address": {"district_code": "420111", "detail": "关山大道1号"},
    "employer_phone": "027-87654321",
    "industry_code": "I",
    "position": "STAFF",
    "years_employed": 4,
    "annual_income": 180000,
    "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": "13900002345"},
    "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": "13900003456"},
}


@dataclass
class Customer:
    reader_label: str = "张伟"
    mobile: str = "13900001234"
    card_no: str = ""


@dataclass
class TabletJourney:
    page: Page
    base_url: str
    officer: str = "fo001"
    taps: int = 0
    typed: int = 0
    screens: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ gestures

    def tap(self, selector: str) -> None:
        self.page.click(selector)
        self.taps += 1

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.taps += 1

    def type(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.taps += 1  # focusing the field; the keystrokes are not taps
        self.typed += len(text)

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.taps += 2  # open the list, pick

    def take_photo(self, field: str, seed: int) -> None:
        self.page.set_input_files(
            f"#in-{field}", files=[{"name": f"{field}.jpg", "mimeType": "image/jpeg", "buffer": photo(seed)}]
        )
        self.taps += 2  # open the camera, shutter
        self.page.wait_for_function(
            "f => document.querySelector(`[data-field-name='${f}'] [data-attachment-value]`).value !== ''",
            arg=field,
        )

    def record(self, field: str, duration_ms: int) -> None:
        """The tablet's recorder (the sandbox's MP4) handed to the page's 双录 field, uploaded as is."""
        content = sandbox_recording(duration_ms, seed=field)
        self.page.set_input_files(
            f"#in-{field}", files=[{"name": "recording.mp4", "mimeType": "video/mp4", "buffer": content}]
        )
        self.taps += 2  # start, stop
        self.page.wait_for_function(
            "f => document.querySelector(`[data-field-name='${f}'] [data-attachment-value]`).value !== ''",
            arg=field,
        )

    def sign(self, field: str) -> None:
        box = self.page.wait_for_selector(f"[data-field-name='{field}'][data-ready=true] canvas")
        assert box is not None
        box.scroll_into_view_if_needed()  # a pad below the fold takes no strokes until it is on screen
        bounds = box.bounding_box()
        assert bounds is not None
        x, y = bounds["x"] + 30, bounds["y"] + bounds["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        for i in range(30):
            self.page.mouse.move(x + i * 9, y + (15 if i % 2 else -15) + i, steps=2)
        self.page.mouse.up()
        self.taps += 1
        self.page.wait_for_function(
            "f => document.querySelector(`[data-field-name='${f}'] [data-attachment-value]`).value !== ''",
            arg=field,
        )

    def fill(self, values: Mapping[str, object], prefix: str = "") -> None:
        """Answer a screen's fields as the officer would, whatever widget each one has: type into
        boxes, pick from lists, tap radios and ticks. Nested objects are the form's field groups."""
        for key, value in values.items():
            name = prefix + key
            if isinstance(value, Mapping):
                self.fill(value, name + ".")
                continue
            kind = self.page.eval_on_selector(
                f"[name='{name}']:not([type=hidden])",
                "e => e.tagName === 'SELECT' ? 'select'"
                " : (e.type === 'radio' || e.type === 'checkbox' ? e.type : 'text')",
            )
            choices = value if isinstance(value, list) else [value]
            for choice in choices:
                shown = "true" if choice is True else "false" if choice is False else str(choice)
                if kind == "select":
                    self.choose(f"select[name='{name}']", shown)
                elif kind == "text":
                    self.type(f"[name='{name}']:not([type=hidden])", shown)
                elif kind == "checkbox" and not isinstance(value, list):
                    if choice:
                        self.check(f"input[name='{name}'][type=checkbox]")
                else:
                    self.check(f"input[name='{name}'][value='{shown}']")

    def next(self, label: str = "下一步") -> str:
        """Submit the screen and wait for the next one (a task or the outcome); its name."""
        current = self.page.get_attribute(TASK_SCREEN, "data-task-id")
        self.page.get_by_role("button", name=label).click()
        self.taps += 1
        try:
            return self.wait_screen(current)
        except PlaywrightTimeout:
            errors = self.page.query_selector(".error-summary, [role=alert]")
            shown = errors.inner_text() if errors else self.page.inner_text("main")[:600]
            raise AssertionError(f"the screen did not move on; it shows: {shown}") from None

    def wait_screen(self, previous_task_id: str | None = None) -> str:
        self.page.wait_for_function(
            """prev => { const t = document.querySelector('section.task[data-task-id]');
                         const done = document.querySelector('section.outcome');
                         return done || (t && t.dataset.taskId !== prev); }""",
            arg=previous_task_id,
            timeout=30_000,
        )
        outcome = self.page.query_selector(OUTCOME_SCREEN)
        name = (
            f"outcome:{outcome.get_attribute('data-outcome')}"
            if outcome
            else str(self.page.get_attribute(TASK_SCREEN, "data-task"))
        )
        self.screens.append(name)
        return name

    # ------------------------------------------------------------------ J1

    def start(self, process_id: str = "debit_card_opening") -> str:
        self.tap(f"form[action='/tablet/journeys']:has(input[value={process_id}]) button")
        return self.wait_screen()

    def read_id_card(self, reader_label: str) -> None:
        index = self.page.eval_on_selector(
            "[data-reader-person]",
            "(s, label) => [...s.options].findIndex(o => o.textContent.startsWith(label))",
            reader_label,
        )
        assert index >= 0, f"no sandbox card for {reader_label}"
        if index:
            self.choose("[data-reader-person]", str(index))
        self.tap("[data-reader-read]")
        self.page.wait_for_selector("[data-reader][data-read=true]")
        self.take_photo("id_front_image", 1)
        self.take_photo("id_back_image", 2)

    def customer_consents(self) -> None:
        """On the customer's hand-over screen: the customer ticks, not the officer."""
        for consent in ("privacy_notice_ack", "biometric_separate", "third_party_verification"):
            self.check(f"#in-{consent}")

    def face_check(self) -> None:
        self.take_photo("live_face_image", 3)
        self.check("#in-person_matches_id_attested")
        self.check("#field-simulated_camera input[value=live_ok]")

    def customer_details(self, mobile: str) -> None:
        self.check("#field-product_code input[value=DC_STANDARD]")
        self.type("#in-reserved_mobile", mobile)
        # 省/市/县 and the street come prefilled from the chip's registered address (湖北省武汉市武昌区
        # 中南路99号); the customer confirms they live there
        assert self.page.input_value("[name='residential_address.detail']") == "中南路99号"
        self.choose("#in-occupation_code", "4")
        self.choose("#in-account_purpose", "daily_spending")

    def otp(self, mobile: str) -> None:
        """The customer reads the code off their phone: in the sandbox, the inbox panel on the screen."""
        latest = self.page.wait_for_selector("[data-sms-inbox] [data-sms].latest")
        assert latest is not None
        text = latest.inner_text()
        assert mobile[-4:] in text and mobile not in text  # the panel masks the number
        found = re.search(r"(\d{6})", text.split(" ", 2)[-1])
        assert found, f"the SMS holds no code: {text}"
        self.type("#in-otp_code", found.group(1))

    def risk_notice(self) -> None:
        """On the customer's hand-over screen: the declarations are the customer's acts, marketing
        stays unticked."""
        for box in ("risk_notice_read", "declaration_own_use", "declaration_no_rent_lend_sell"):
            self.check(f"#in-{box}")
        self.check("#field-tax_residency input[value=CN_ONLY]")
        self.check("#field-pep_declaration input[value=false]")

    def card_scan(self, card_no: str) -> None:
        self.type("#in-card_no", card_no)  # the barcode scanner types it

    def signing(self) -> None:
        self.check("#in-documents_confirmed")
        self.sign("customer_signature")

    def signing_witness(self) -> None:
        self.check("#in-operator_attestation")

    # ------------------------------------------------------------------ J2

    def product_choice(self, mobile: str) -> None:
        """不申请附属卡 is preselected; the product, the mobile and the student question are asked."""
        self.check("#field-product_code input[value=CC-STANDARD]")
        self.type("#in-reserved_mobile", mobile)
        self.check("#field-full_time_student input[value=false]")

    def credit_authorization(self) -> None:
        """On the applicant's hand-over screen: the one purpose is preselected, they tick and sign."""
        self.check("#in-credit_auth_read")
        self.sign("credit_auth_signature")

    def sightings(self, originals: tuple[str, ...] = ("income_proof",), first_seed: int = 4) -> None:
        self.take_photo("applicant_photo", first_seed)
        for i, code in enumerate(originals, start=1):
            self.check(f"#in-doc_{code}_seen")
            self.take_photo(f"doc_{code}_photo", first_seed + i)

    def application(self, answers: Mapping[str, object] = J2_APPLICATION) -> None:
        """What only the applicant can say; the chip's fields, the verified mobile, the residence, the
        employer's province and city, the income proofs seen and the usual choices come prefilled."""
        self.fill(answers)

    def credit_card_signing(self) -> None:
        for term in J2_KEY_TERMS:
            self.check(f"#in-key_term_{term}")
        self.check("#in-agreement_read")
        self.sign("hand_copy_image")
        self.sign("customer_signature")

    def witness(self) -> None:
        for declaration in ("person_seen", "originals_seen", "signature_seen", "no_relationship"):
            self.check(f"#in-witness_{declaration}")
        self.sign("witness_signature")
