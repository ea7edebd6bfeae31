"""J2's forms validate what the face-sign rules need: a photo and an "original seen" tick per document,
the student's second repayment source, employer details for the employed, and who fills which screen."""

from __future__ import annotations

from typing import Any

import pytest

from forms import FormCatalogue
from forms.conditions import ShowWhen, show_when_rules

ATT = "att_" + "0123456789abcdef" * 2
CATALOGUE = FormCatalogue()


def form(name: str) -> Any:
    return CATALOGUE.get(f"{name}-schema.json", f"{name}-uischema.json")


def errors(name: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    _cleaned, found = form(name).clean(data)
    return [(e.field, e.code) for e in found]


# --- who fills which screen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "handover"),
    [
        ("credit-card-product", False),
        ("credit-card-credit-auth", True),
        ("credit-card-sightings", False),
        ("credit-card-application", False),
        ("credit-card-signing", True),
        ("credit-card-witness", False),
        ("credit-card-documents", False),
    ],
)
def test_the_customer_signs_on_handover_screens_and_the_officer_declares_on_his_own(name, handover):
    assert (form(name).ui_schema.get("ui:options", {}).get("handover") is True) is handover


def test_the_credit_report_authorization_is_for_credit_card_approval_only_and_signed():
    data = {"credit_report_purpose": "CREDIT_CARD_APPROVAL", "credit_auth_read": True}
    assert errors("credit-card-credit-auth", data) == [("credit_auth_signature", "required")]
    assert errors("credit-card-credit-auth", {**data, "credit_auth_signature": ATT}) == []
    other = {**data, "credit_auth_signature": ATT, "credit_report_purpose": "LOAN_APPROVAL"}
    assert errors("credit-card-credit-auth", other) == [("credit_report_purpose", "not_allowed")]


def test_a_supplementary_card_needs_its_holders_relation_and_presence():
    base = {"product_code": "CC-GOLD", "reserved_mobile": "13900001234", "full_time_student": False}
    assert errors("credit-card-product", {**base, "supplementary_card_wanted": False}) == []
    assert errors("credit-card-product", {**base, "supplementary_card_wanted": True}) == [
        ("supplementary_holder_relation", "required"),
        ("supplementary_holder_present", "must_confirm"),
    ]


# --- 三亲见: a photo and a tick per original ----------------------------------------------------------------


SIGHTED = {"applicant_photo": ATT, "full_time_student": False}


def test_documents_not_shown_need_neither_photo_nor_tick():
    assert errors("credit-card-sightings", SIGHTED) == []
    assert errors("credit-card-sightings", {}) == [("applicant_photo", "required")]


def test_a_tick_without_a_photo_is_an_error_on_the_photo():
    data = {**SIGHTED, "doc_income_proof_seen": True}
    assert errors("credit-card-sightings", data) == [("doc_income_proof_photo", "required")]


@pytest.mark.parametrize("tick", [{}, {"doc_income_proof_seen": False}])
def test_a_photo_without_a_tick_is_an_error_on_the_photo(tick):
    data = {**SIGHTED, **tick, "doc_income_proof_photo": ATT}
    assert errors("credit-card-sightings", data) == [("doc_income_proof_photo", "not_allowed")]


def test_a_ticked_and_photographed_original_passes_and_the_camera_shows_once_ticked():
    data = {**SIGHTED, "doc_income_proof_seen": True, "doc_income_proof_photo": ATT}
    assert errors("credit-card-sightings", data) == []
    rules = show_when_rules(form("credit-card-sightings").schema)
    assert rules["doc_bank_statement_photo"] == ShowWhen("doc_bank_statement_seen", (True,))


def test_a_student_must_show_the_second_repayment_source_original():
    student = {**SIGHTED, "full_time_student": True}
    assert errors("credit-card-sightings", student) == [("doc_second_repayment_source_seen", "required")]
    unticked = {**student, "doc_second_repayment_source_seen": False}
    assert errors("credit-card-sightings", unticked) == [("doc_second_repayment_source_seen", "must_confirm")]
    shown = {**student, "doc_second_repayment_source_seen": True, "doc_second_repayment_source_photo": ATT}
    assert errors("credit-card-sightings", shown) == []


def test_supplementary_documents_follow_the_same_photo_and_tick_rule():
    assert errors("credit-card-documents", {"supplement_bank_statement_seen": True}) == [
        ("supplement_bank_statement_photo", "required")
    ]
    assert errors("credit-card-documents", {"supplement_bank_statement_photo": ATT}) == [
        ("supplement_bank_statement_photo", "not_allowed")
    ]


# --- application data --------------------------------------------------------------------------------------


ADDRESS = {
    "province_code": "420000",
    "city_code": "420100",
    "district_code": "420106",
    "detail": "中北路100号3栋",
}
APPLICATION: dict[str, Any] = {
    "customer_name": "王芳",
    "sex": "2",
    "birth_date": "1985-06-15",
    "id_number": "420102198506150026",
    "id_valid_to": "2035-06-01",
    "nationality": "CHN",
    "reserved_mobile": "13900001234",
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
    "income_proof_types": ["income_proof", "bank_statement"],
    "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": "13900002345"},
    "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": "13900003456"},
    "statement_channel": "APP",
    "auto_repay_wanted": False,
    "delivery_address_choice": "WORK",
}


def test_a_complete_application_passes():
    assert errors("credit-card-application", APPLICATION) == []


def test_the_employer_code_is_checked_with_the_gb_32100_check_character():
    data = {**APPLICATION, "employer_uscc": "91350100M000100Y44"}
    assert errors("credit-card-application", data) == [("employer_uscc", "check_digit")]


def test_the_employed_give_their_employer_and_the_others_cannot_have_the_card_sent_there():
    employed = {k: v for k, v in APPLICATION.items() if k not in ("employer_uscc", "industry_code")}
    assert errors("credit-card-application", employed) == [
        ("employer_uscc", "required"),
        ("industry_code", "required"),
    ]
    retired = {**employed, "employment_type": "RETIRED"}
    assert errors("credit-card-application", retired) == [("delivery_address_choice", "not_allowed")]
    assert errors("credit-card-application", {**retired, "delivery_address_choice": "BRANCH"}) == []


def test_email_statements_need_an_email_address():
    data = {**APPLICATION, "statement_channel": "EMAIL"}
    assert errors("credit-card-application", data) == [("statement_channel", "not_allowed")]
    assert errors("credit-card-application", {**data, "email": "wangfang@example.com"}) == []


def test_auto_repayment_needs_an_own_debit_card_of_this_bank():
    data = {**APPLICATION, "auto_repay_wanted": True, "auto_repay_mode": "FULL"}
    assert errors("credit-card-application", data) == [("auto_repay_account", "required")]
    other_bank = {**data, "auto_repay_account": "6222020200112233445"}
    assert ("auto_repay_account", "pattern") in errors("credit-card-application", other_bank)
    assert errors("credit-card-application", {**data, "auto_repay_account": "6219994201000000010"}) == []


def test_contacts_are_complete_and_the_chip_fields_stay_consistent_with_the_id():
    data = {**APPLICATION, "family_contact": {"name": "王建华", "relation": "FRIEND"}, "sex": "1"}
    assert errors("credit-card-application", data) == [
        ("sex", "id_mismatch"),
        ("family_contact.mobile", "required"),
        ("family_contact.relation", "not_allowed"),
    ]


def contacts(family: str, other: str) -> list[tuple[str, str]]:
    data = {
        **APPLICATION,
        "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": family},
        "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": other},
    }
    return errors("credit-card-application", data)


def test_a_contact_with_the_applicants_own_mobile_is_refused_however_it_is_written():
    assert contacts("+86 139-0000-1234", "13900003456") == [("family_contact.mobile", "same_as_applicant")]
    _cleaned, [found] = form("credit-card-application").clean(
        {**APPLICATION, "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": "13900001234"}}
    )
    assert "申请人" in found.message


def test_the_two_contacts_need_two_numbers():
    assert contacts("13900002345", "8613900002345") == [("other_contact.mobile", "same_as_other_contact")]


def test_a_staff_number_is_refused_as_a_contact():
    assert contacts("13900009009", "13900003456") == [("family_contact.mobile", "staff_number")]


def test_a_missing_contact_number_is_reported_once_as_missing():
    data = {**APPLICATION, "other_contact": {"name": "李娜", "relation": "FRIEND"}}
    assert errors("credit-card-application", data) == [("other_contact.mobile", "required")]


# --- key terms and signatures ------------------------------------------------------------------------------


def test_every_key_term_is_confirmed_and_the_sentence_is_copied_by_hand():
    schema = form("credit-card-signing").schema
    terms = [n for n in schema["properties"] if n.startswith("key_term_")]
    assert len(terms) == 6 and "年化利率" in schema["properties"]["key_term_instalment"]["title"]
    data = {n: True for n in [*terms, "agreement_read"]} | {"customer_signature": ATT}
    assert errors("credit-card-signing", data) == [("hand_copy_image", "required")]
    assert errors("credit-card-signing", {**data, "hand_copy_image": ATT}) == []


def test_the_witness_declares_all_three_sightings():
    data = {
        "witness_person_seen": True,
        "witness_originals_seen": True,
        "witness_no_relationship": True,
        "witness_signature": ATT,
    }
    assert errors("credit-card-witness", data) == [("witness_signature_seen", "must_confirm")]


# --- what the journey already knows (issue 28 item 9) -------------------------------------------------------


def _application_shown(data: dict[str, Any]) -> Any:
    from api.web.form_view import build_form
    from engine.task_forms import prefill

    f = form("credit-card-application")
    return build_form(f.schema, f.ui_schema, prefill(f.schema, data))


def _field(view: Any, name: str) -> Any:
    return next(f for f in view.fields if f.name == name)


CHIP = {
    "customer_name": "王芳",
    "id_number": "420102198506150026",
    "registered_address": "湖北省武汉市武昌区中南路99号",
    "reserved_mobile": "13900001234",  # verified on the OTP screen
}


def test_the_application_opens_with_the_chip_address_and_the_verified_mobile():
    view = _application_shown(CHIP)
    assert _field(view, "reserved_mobile").value == "13900001234"
    assert _field(view, "reserved_mobile").readonly
    home = _field(view, "residential_address")
    assert home.widget == "region"
    assert [(c.region_level, c.value) for c in home.children] == [
        ("province_code", "420000"),
        ("city_code", "420100"),
        ("district_code", "420106"),
        (None, "中南路99号"),
    ]


def test_the_employer_address_is_picked_by_name_with_only_the_applicants_city_preselected():
    work = _field(_application_shown(CHIP), "employer_address")
    assert work.widget == "region"
    assert [(c.region_level, c.value) for c in work.children] == [
        ("province_code", "420000"),
        ("city_code", "420100"),
        ("district_code", ""),
        (None, ""),
    ]
    assert ("420111", "洪山区") in work.children[2].options  # the county is the officer's pick, by name


def test_an_address_the_officer_already_gave_is_not_overwritten_by_the_chip():
    given = {**CHIP, "residential_address": {"province_code": "110000", "city_code": "110100"}}
    home = _field(_application_shown(given), "residential_address")
    assert [c.value for c in home.children] == ["110000", "110100", "", ""]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nationality", "CHN"),
        ("statement_channel", "APP"),
        ("auto_repay_wanted", "false"),
        ("delivery_address_choice", "RESIDENTIAL"),
    ],
)
def test_the_usual_answers_are_preselected_for_the_officer_to_confirm(name, expected):
    assert _field(_application_shown(CHIP), name).value == expected


def test_short_choices_are_one_tap_radios():
    view = _application_shown(CHIP)
    for name in ("housing_status", "marital_status", "education", "employment_type", "position"):
        assert _field(view, name).widget == "radio", name


def test_the_preselected_answers_are_still_checked_like_typed_ones():
    # the employer's county is not preselected: an application without it is refused on that field
    unpicked = {**APPLICATION, "employer_address": {k: v for k, v in ADDRESS.items() if k != "district_code"}}
    assert errors("credit-card-application", unpicked) == [("employer_address.district_code", "required")]
    # the preselected 邮寄至居住地址 and a card sent to a workplace the unemployed do not have
    jobless = {
        k: v
        for k, v in APPLICATION.items()
        if not k.startswith(("employer_", "industry", "position", "years_e"))
    }
    assert (
        errors(
            "credit-card-application",
            {**jobless, "employment_type": "RETIRED", "delivery_address_choice": "RESIDENTIAL"},
        )
        == []
    )


def test_the_single_purpose_of_the_credit_report_authorization_and_no_supplementary_card_are_preselected():
    from api.web.form_view import build_form

    auth = form("credit-card-credit-auth")
    purpose = _field(build_form(auth.schema, auth.ui_schema, {}), "credit_report_purpose")
    assert purpose.value == "CREDIT_CARD_APPROVAL"
    product = form("credit-card-product")
    wanted = _field(build_form(product.schema, product.ui_schema, {}), "supplementary_card_wanted")
    assert wanted.value == "false"
