"""Drives J3 (wealth risk assessment and product signing) over HTTP like the tablet does: J1's driver
answers the shared identification (ID read, consents, face), this one the wealth screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.journey_driver import Customer, J1Driver
from engine.adapters.sandbox.recording import sandbox_recording
from forms.formats import age_on, id_birth_date

PROCESS = "wealth_risk_assessment"
BALANCED = {  # a middle-of-the-road customer's answers (Q2-Q10)
    "income_band": "200k_500k",
    "invest_share": "30_50",
    "experience_type": "bonds_bond_funds",
    "experience_years": "1_3",
    "knowledge": "basic",
    "objective": "balanced",
    "horizon": "1_3y",
    "max_loss": "5_10",
    "loss_reaction": "hold",
}

QUALIFIED = {  # §5.5: 2+ years of investing and net financial assets of 3 million or more
    "investment_years": 5,
    "household_net_financial_assets": 3_500_000,
    "household_financial_assets": 4_000_000,
    "avg_annual_income_3y": 200_000,
    "qualified_declaration": True,
}


@dataclass
class Investor(Customer):
    name: str = "王芳"
    id_number: str = "420102198506150026"  # §13.2 clean; the sandbox's wm_sales holds an expired C4
    changed_circumstances: bool = False
    answers: dict[str, str] = field(default_factory=lambda: dict(BALANCED))
    product_code: str = "WM-R2-002"
    amount: str = "50000.00"
    payment_account_no: str = ""
    recording_ms: int = 185_000  # the 双录 of the disclosure and the confirmation

    @property
    def age(self) -> int:
        birth = id_birth_date(self.id_number)
        assert birth is not None
        return age_on(birth, date.today())

    qualified_investor: dict[str, Any] = field(default_factory=lambda: dict(QUALIFIED))
    """The qualified-investor step's facts (§5.5), asked for private products only."""


ELDERLY_SIGNING = {  # §5.3: the large-print disclosure read aloud, whether family came
    "disclosure_read_aloud": True,
    "family_member_present": True,
}


class WealthDriver(J1Driver):
    start_data: dict[str, Any] | None = None
    """What the tablet sends with the start (nothing, normally)."""

    def start(self, username: str) -> dict[str, Any]:
        r = self.client.post(
            f"/api/v1/processes/{PROCESS}/instances",
            headers=self.headers(username),
            json={"data": self.start_data or {}},
        )
        self._check(r, "start the wealth journey")
        return dict(r.json())

    def form_data(self, name: str, c: Customer, actor: str, steps: list[str]) -> dict[str, Any]:
        assert isinstance(c, Investor)
        photo = lambda seed: self.upload(actor, seed)  # noqa: E731
        forms: dict[str, Any] = {
            "circumstances": lambda: {"changed_circumstances": c.changed_circumstances},
            "questionnaire": lambda: {**c.answers, "answer_ms": {q: 9_000 for q in c.answers}},
            "confirmation": lambda: {
                "result_acknowledged": True,
                "customer_signature": photo(41),
                "operator_attestation": True,
            },
            "product_selection": lambda: {
                "product_code": c.product_code,
                "amount": float(c.amount),
                "payment_account_no": c.payment_account_no,
                "product_introduced": True,
            },
            "qualification": lambda: {
                **c.qualified_investor,
                "proof_image_1": photo(44),
                "customer_signature": photo(45),
            },
            "product_signing": lambda: {
                "product_documents_read": True,
                "risk_disclosure_read": True,
                "risk_hand_copy_image": photo(42),
                "dual_recording": self.upload_recording(actor, c.recording_ms),
                **(ELDERLY_SIGNING if c.age >= 65 else {}),
                "agreement_signature": photo(43),
            },
        }
        if name in forms:
            return dict(forms[name]())
        return super().form_data(name, c, actor, steps)

    def upload_recording(self, username: str, duration_ms: int) -> str:
        """A 双录 as the sandbox tablet records it (engine/adapters/sandbox/recording.py)."""
        content = sandbox_recording(duration_ms, seed=username)
        r = self.client.post(
            "/api/v1/attachments",
            headers=self.headers(username),
            files={"file": ("recording.mp4", content, "video/mp4")},
        )
        self._check(r, "upload a recording")
        return str(r.json()["attachment_id"])
