"""Drives J2 (credit-card face signing) over HTTP like the tablet does: J1's driver answers the shared
customer checks (ID read, face, OTP), this one the credit-card screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.journey_driver import OUTREACH_POSITION, Customer, J1Driver
from documents.sample_images import document_png
from forms.formats import id_birth_date, id_sex_code

PROCESS = "credit_card_face_sign"
ADDRESS = {
    "province_code": "420000",
    "city_code": "420100",
    "district_code": "420106",
    "detail": "中北路100号3栋",
}


@dataclass
class Applicant(Customer):
    name: str = "王芳"
    id_number: str = "420102198506150026"  # §13.2: clean pass, credit card approve
    annual_income: int = 180_000
    originals: tuple[str, ...] = ("income_proof", "bank_statement")
    supplements: tuple[str, ...] = ("bank_statement",)
    family_mobile: str = "13900002345"
    other_mobile: str = "13900003456"
    full_time_student: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    supplementary: SupplementaryHolder | None = None


@dataclass
class SupplementaryHolder:
    """The supplementary card's holder, present with their own ID card (§7.2)."""

    name: str = "赵雨桐"
    id_number: str = "42010320070220004X"  # §13.2: clean checks, 18
    relation: str = "CHILD"
    present: bool = True


def supplementary_id_card(holder: SupplementaryHolder | None, photo: Any) -> dict[str, Any]:
    """The holder's own chip, under their own field names (the applicant's stay as read)."""
    assert holder is not None
    birth = id_birth_date(holder.id_number)
    return {
        "supp_name": holder.name,
        "supp_sex": id_sex_code(holder.id_number),
        "supp_birth_date": birth.isoformat() if birth else None,
        "supp_id_number": holder.id_number,
        "supp_registered_address": "湖北省武汉市武昌区中南路99号",
        "supp_issuing_authority": "武汉市公安局武昌分局",
        "supp_id_valid_from": "2020-01-01",
        "supp_id_valid_to": "2040-01-01",
        "supp_chip_photo": photo(25),
        "supp_id_front_image": photo(26),
        "supp_id_back_image": photo(27),
    }


class CreditCardDriver(J1Driver):
    def start(self, username: str) -> dict[str, Any]:
        r = self.client.post(
            f"/api/v1/processes/{PROCESS}/instances", headers=self.headers(username), json={"data": {}}
        )
        self._check(r, "start the credit-card journey")
        return dict(r.json())

    def upload_page(self, username: str, seed: int) -> str:
        """A photographed original (a page of text, legible), stamped on the spot like the tablet's."""
        r = self.client.post(
            "/api/v1/attachments",
            headers=self.headers(username),
            files={"file": (f"page-{seed}.png", document_png(seed), "image/png")},
            data={"watermark": "true", **OUTREACH_POSITION},
        )
        self._check(r, "upload a page")
        return str(r.json()["attachment_id"])

    def form_data(self, name: str, c: Customer, actor: str, steps: list[str]) -> dict[str, Any]:
        assert isinstance(c, Applicant)
        birth = id_birth_date(c.id_number)
        photo = lambda seed: self.upload(actor, seed)  # noqa: E731
        # the applicant and the originals are photographed on the spot: the forms ask for the watermark
        on_the_spot = lambda seed: self.upload(actor, seed, watermark=True)  # noqa: E731
        forms: dict[str, Any] = {
            "product_choice": lambda: {
                "product_code": "CC-STANDARD",
                "reserved_mobile": c.mobile,
                "supplementary_card_wanted": False,
                "full_time_student": c.full_time_student,
                **(
                    {
                        "supplementary_card_wanted": True,
                        "supplementary_holder_relation": c.supplementary.relation,
                        "supplementary_holder_present": c.supplementary.present,
                    }
                    if c.supplementary
                    else {}
                ),
            },
            "supp_id_card": lambda: supplementary_id_card(c.supplementary, photo),
            "supp_consents": lambda: {"supp_privacy_notice_ack": True, "supp_third_party_verification": True},
            "supp_signing": lambda: {"supp_agreement_read": True, "supp_signature": photo(24)},
            "credit_authorization": lambda: {
                "credit_report_purpose": "CREDIT_CARD_APPROVAL",
                "credit_auth_read": True,
                "credit_auth_signature": photo(11),
            },
            "sightings": lambda: {
                "applicant_photo": on_the_spot(12),
                **{f"doc_{code}_seen": True for code in c.originals},
                **{
                    f"doc_{code}_photo": self.upload_page(actor, 13 + i) for i, code in enumerate(c.originals)
                },
            },
            "application": lambda: {
                "customer_name": c.name,
                "sex": id_sex_code(c.id_number),
                "birth_date": birth.isoformat() if birth else None,
                "id_number": c.id_number,
                "id_valid_to": c.id_valid_to,
                "nationality": "CHN",
                "reserved_mobile": c.mobile,
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
                "annual_income": c.annual_income,
                "income_proof_types": list(c.originals),
                "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": c.family_mobile},
                "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": c.other_mobile},
                "statement_channel": "APP",
                "auto_repay_wanted": False,
                "delivery_address_choice": "WORK",
                **c.extra,
            },
            "signing": lambda: {
                **{
                    f"key_term_{term}": True
                    for term in (
                        "interest",
                        "fees",
                        "interest_free_period",
                        "minimum_payment",
                        "penalty",
                        "instalment",
                    )
                },
                "agreement_read": True,
                "hand_copy_image": photo(21),
                "customer_signature": photo(22),
            },
            "witness": lambda: {
                "witness_person_seen": True,
                "witness_originals_seen": True,
                "witness_signature_seen": True,
                "witness_no_relationship": True,
                "witness_signature": photo(23),
            },
            "supplement": lambda: {
                **{f"supplement_{code}_seen": True for code in c.supplements},
                **{
                    f"supplement_{code}_photo": self.upload_page(actor, 31 + i)
                    for i, code in enumerate(c.supplements)
                },
            },
        }
        if name in forms:
            return dict(forms[name]())
        return super().form_data(name, c, actor, steps)
