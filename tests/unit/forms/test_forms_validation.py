"""Error shapes of the J1 forms: what a tablet gets back when a field is wrong."""

import copy
import re
import timeit

import pytest

from forms import (
    FieldError,
    FormCatalogue,
    FormDefinitionInvalid,
    clean_form_data,
    normalise_form_data,
    validate_form_data,
)
from forms.validation import compiled_validator

CATALOGUE = FormCatalogue()
ATT = "att_" + "0123456789abcdef" * 2


def schema(name: str) -> dict:
    return CATALOGUE.get(f"{name}-schema.json").schema


HAPPY: dict[str, dict] = {
    "debit-card-id-card": {
        "customer_name": "买买提·吐尔逊",
        "sex": "2",
        "ethnicity": "05",
        "birth_date": "1949-12-31",
        "id_number": "11010519491231002X",
        "registered_address": "北京市朝阳区某某路1号",
        "issuing_authority": "北京市公安局朝阳分局",
        "id_valid_from": "2010-05-01",
        "id_valid_to": "长期",
        "chip_photo": ATT,
        "id_front_image": ATT,
        "id_back_image": ATT,
    },
    "customer-consents": {
        "privacy_notice_ack": True,
        "biometric_separate": True,
        "third_party_verification": True,
    },
    "debit-card-face-check": {"live_face_image": ATT, "person_matches_id_attested": True},
    "debit-card-customer-details": {
        "product_code": "DC_PAYROLL",
        "reserved_mobile": "13812345678",
        "residential_address": {
            "province_code": "420000",
            "city_code": "420100",
            "district_code": "420106",
            "detail": "武昌区中北路1号3栋401",
        },
        "occupation_code": "2",
        "employer_name": "某某科技有限公司",
        "employer_uscc": "91350100M000100Y43",
        "account_purpose": "payroll",
    },
    "debit-card-otp": {"otp_code": "012345"},
    "debit-card-class-ii-offer": {"accept_class_ii": True},
    "debit-card-risk-notice": {
        "risk_notice_read": True,
        "declaration_own_use": True,
        "declaration_no_rent_lend_sell": True,
        "tax_residency": "CN_ONLY",
        "pep_declaration": False,
        "marketing_optin": False,
    },
    "debit-card-card-scan": {
        "card_no": "6219994201000000010",
        "pin_pad_event_id": "pin_01hzx3k9q2w8e7r6t5y4",
        "non_counter_daily_limit": 19999.99,
    },
    "debit-card-signing": {
        "customer_signature": ATT,
        "signature_strokes": ATT,
        "documents_confirmed": True,
    },
    "debit-card-signing-witness": {"operator_attestation": True},
    "remote-authorization": {
        "decision": "APPROVE",
        "reason_code": "VERIFIED_IN_PERSON",
        "reason_text": "已视频核实客户本人，证件原件清晰",
    },
    "debit-card-telco-retry": {"reserved_mobile": "13912345678"},
}


def errors_of(name: str, **changes: object) -> list[tuple[str, str]]:
    data = copy.deepcopy(HAPPY[name])
    for key, value in changes.items():
        if value is DROP:
            del data[key]
        else:
            data[key] = value
    return [(e.field, e.code) for e in validate_form_data(schema(name), data)]


DROP = object()


@pytest.mark.parametrize("name", sorted(HAPPY))
def test_the_happy_data_of_every_j1_form_passes(name):
    assert validate_form_data(schema(name), HAPPY[name]) == []


def test_a_field_error_is_a_frozen_triple_with_a_dict_shape():
    error = validate_form_data(
        schema("debit-card-id-card"), {**HAPPY["debit-card-id-card"], "id_number": "1"}
    )[0]
    assert error.as_dict() == {"field": "id_number", "code": "pattern", "message": error.message}
    with pytest.raises(AttributeError):
        error.code = "x"  # type: ignore[misc]


# --- debit-card-id-card ---------------------------------------------------------------------------------


def test_a_wrong_check_char_gives_exactly_one_check_digit_error_on_id_number():
    errors = validate_form_data(
        schema("debit-card-id-card"), {**HAPPY["debit-card-id-card"], "id_number": "420106199003071230"}
    )
    assert [e.as_dict() for e in errors] == [
        {"field": "id_number", "code": "check_digit", "message": "公民身份号码校验位不正确，请核对号码"}
    ]


def test_the_1880_id_gives_birth_date():
    assert errors_of("debit-card-id-card", id_number="440524188001010014") == [("id_number", "birth_date")]


def test_a_lowercase_x_is_stored_upper_case():
    cleaned, errors = clean_form_data(
        schema("debit-card-id-card"), {**HAPPY["debit-card-id-card"], "id_number": "11010519491231002x"}
    )
    assert errors == []
    assert cleaned["id_number"] == "11010519491231002X"


def test_a_sex_that_contradicts_the_id_number_is_reported_on_sex():
    assert errors_of("debit-card-id-card", sex="1") == [("sex", "id_mismatch")]


def test_a_birth_date_that_contradicts_the_id_number_is_reported_on_birth_date():
    assert errors_of("debit-card-id-card", birth_date="1949-12-30") == [("birth_date", "id_mismatch")]


def test_consistency_is_not_checked_against_an_invalid_id():
    assert errors_of("debit-card-id-card", id_number="11010519491231002Y", sex="1") == [
        ("id_number", "pattern")
    ]


@pytest.mark.parametrize("consent", ["privacy_notice_ack", "biometric_separate", "third_party_verification"])
def test_a_missing_or_unticked_consent_must_be_confirmed(consent):
    assert errors_of("customer-consents", **{consent: DROP}) == [(consent, "must_confirm")]
    assert errors_of("customer-consents", **{consent: False}) == [(consent, "must_confirm")]


def test_an_unknown_product_is_not_allowed():
    assert errors_of("debit-card-customer-details", product_code="DC_GOLD") == [
        ("product_code", "not_allowed")
    ]


def test_chip_fields_get_their_own_codes():
    assert errors_of("debit-card-id-card", customer_name="张\ue000") == [("customer_name", "private_use")]
    assert errors_of("debit-card-id-card", ethnicity="1") == [("ethnicity", "not_allowed")]
    assert errors_of("debit-card-id-card", id_valid_to="2035-02-30") == [("id_valid_to", "invalid_date")]
    assert errors_of("debit-card-id-card", id_front_image="photo.jpg") == [("id_front_image", "pattern")]
    assert errors_of("debit-card-id-card", registered_address="") == [("registered_address", "too_short")]


def test_a_missing_required_field_is_reported_on_its_own_path():
    assert errors_of("debit-card-id-card", id_back_image=DROP) == [("id_back_image", "required")]


def test_undeclared_fields_are_refused_by_validation_but_dropped_by_cleaning():
    data = {**HAPPY["debit-card-id-card"], "staff_note": "x"}
    assert [(e.field, e.code) for e in validate_form_data(schema("debit-card-id-card"), data)] == [
        ("staff_note", "unknown_field")
    ]
    cleaned, errors = clean_form_data(schema("debit-card-id-card"), data)
    assert errors == []
    assert "staff_note" not in cleaned


# --- debit-card-face-check ------------------------------------------------------------------------------


def test_the_person_id_attestation_must_be_ticked():
    assert errors_of("debit-card-face-check", person_matches_id_attested=False) == [
        ("person_matches_id_attested", "must_confirm")
    ]


def test_the_simulated_camera_accepts_only_its_three_outcomes():
    for outcome in ("live_ok", "spoof", "different_person"):
        assert errors_of("debit-card-face-check", simulated_camera=outcome) == []
    assert errors_of("debit-card-face-check", simulated_camera="deepfake") == [
        ("simulated_camera", "not_allowed")
    ]


# --- debit-card-customer-details ------------------------------------------------------------------------


def test_a_mobile_with_country_code_and_spaces_is_cleaned_to_11_digits():
    cleaned, errors = clean_form_data(
        schema("debit-card-customer-details"),
        {**HAPPY["debit-card-customer-details"], "reserved_mobile": "+86 138-1234-5678"},
    )
    assert errors == []
    assert cleaned["reserved_mobile"] == "13812345678"


def test_address_errors_use_dotted_paths():
    address = {**HAPPY["debit-card-customer-details"]["residential_address"], "detail": "不详"}
    del address["city_code"]
    assert errors_of("debit-card-customer-details", residential_address=address) == [
        ("residential_address.city_code", "required"),
        ("residential_address.detail", "placeholder"),
    ]


def test_other_account_purpose_needs_a_description():
    assert errors_of("debit-card-customer-details", account_purpose="other") == [
        ("account_purpose_other", "required")
    ]
    assert (
        errors_of("debit-card-customer-details", account_purpose="other", account_purpose_other="收取房租")
        == []
    )


@pytest.mark.parametrize("residency", ["NON_CN", "BOTH"])
def test_a_foreign_tax_residency_needs_a_country_and_a_tin_or_a_reason(residency):
    name = "debit-card-risk-notice"
    assert errors_of(name, tax_residency=residency) == [
        ("tax_country", "required"),
        ("no_tin_reason", "required"),
    ]
    assert errors_of(name, tax_residency=residency, tax_country="USA", tax_tin="123-45-6789") == []
    assert (
        errors_of(name, tax_residency=residency, tax_country="USA", no_tin_reason="居民国不发放纳税人识别号")
        == []
    )
    assert errors_of(name, tax_residency=residency, tax_country="usa", tax_tin="1") == [
        ("tax_country", "pattern")
    ]


def test_occupation_accepts_gb_t_6565_groups_and_bank_status_codes_only():
    for code in ("1", "8", "student", "retired", "unemployed", "sole_trader", "freelance", "farmer"):
        assert errors_of("debit-card-customer-details", occupation_code=code) == []
    assert errors_of("debit-card-customer-details", occupation_code="9") == [
        ("occupation_code", "not_allowed")
    ]


def test_employer_fields_are_optional_but_checked_when_given():
    name = "debit-card-customer-details"
    assert errors_of(name, employer_name=DROP, employer_uscc=DROP) == []
    assert errors_of(name, employer_uscc="91350100M000100Y44") == [("employer_uscc", "check_digit")]


def test_the_customer_answers_the_pep_and_tax_declarations_and_may_leave_marketing_unticked():
    name = "debit-card-risk-notice"
    assert errors_of(name, pep_declaration=DROP) == [("pep_declaration", "required")]
    assert errors_of(name, tax_residency=DROP) == [("tax_residency", "required")]
    assert errors_of(name, pep_declaration=True) == []
    assert errors_of(name, marketing_optin=DROP) == []


def test_the_staff_screen_no_longer_asks_for_the_customers_declarations():
    declarations = {
        "tax_residency",
        "tax_country",
        "tax_tin",
        "no_tin_reason",
        "pep_declaration",
        "marketing_optin",
    }
    staff = CATALOGUE.get("debit-card-customer-details-schema.json").schema["properties"]
    customer = CATALOGUE.get("debit-card-risk-notice-schema.json").schema["properties"]
    assert not declarations & set(staff) and declarations <= set(customer)


# --- the other J1 steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["12345", "1234567", "12345a", "１２３４５６"], ids=repr)
def test_the_otp_is_six_ascii_digits(code):
    assert errors_of("debit-card-otp", otp_code=code) == [("otp_code", "pattern")]


def test_the_class_ii_offer_can_be_declined_but_must_be_answered():
    assert errors_of("debit-card-class-ii-offer", accept_class_ii=False) == []
    assert errors_of("debit-card-class-ii-offer", accept_class_ii=DROP) == [("accept_class_ii", "required")]
    assert ("accept_class_ii", "type") in errors_of("debit-card-class-ii-offer", accept_class_ii="yes")


def test_every_risk_declaration_must_be_confirmed():
    unticked = dict.fromkeys(
        ("risk_notice_read", "declaration_own_use", "declaration_no_rent_lend_sell"), False
    )
    assert errors_of("debit-card-risk-notice", **unticked) == [(k, "must_confirm") for k in unticked]


def test_card_scan_checks_luhn_the_pin_pad_event_and_the_limit_range():
    name = "debit-card-card-scan"
    assert errors_of(name, card_no="6219994201000000011") == [("card_no", "check_digit")]
    assert errors_of(name, card_no="621999") == [("card_no", "length")]
    assert errors_of(name, pin_pad_event_id="1234") == [("pin_pad_event_id", "pattern")]
    assert errors_of(name, non_counter_daily_limit=50000.01) == [("non_counter_daily_limit", "too_large")]
    assert errors_of(name, non_counter_daily_limit=-1) == [("non_counter_daily_limit", "too_small")]
    assert errors_of(name, non_counter_daily_limit=DROP) == []


def test_a_card_number_read_with_spaces_is_cleaned():
    cleaned, errors = clean_form_data(
        schema("debit-card-card-scan"),
        {**HAPPY["debit-card-card-scan"], "card_no": "6219 9942 0100 0000 010"},
    )
    assert (errors, cleaned["card_no"]) == ([], "6219994201000000010")


def test_signing_needs_the_signature_and_the_confirmation_and_the_officer_attests_apart():
    assert errors_of("debit-card-signing", customer_signature=DROP, documents_confirmed=False) == [
        ("customer_signature", "required"),
        ("documents_confirmed", "must_confirm"),
    ]
    assert errors_of("debit-card-signing", signature_strokes=DROP) == []
    assert errors_of("debit-card-signing-witness", operator_attestation=False) == [
        ("operator_attestation", "must_confirm")
    ]


def test_an_authorizer_cannot_approve_with_a_rejection_reason_or_without_a_text():
    name = "remote-authorization"
    assert errors_of(name, reason_code="FACE_MISMATCH") == [("reason_code", "not_allowed")]
    assert errors_of(name, decision="REJECT", reason_code="FACE_MISMATCH") == []
    assert errors_of(name, decision="MAYBE") == [("decision", "not_allowed")]
    assert errors_of(name, reason_text=DROP) == [("reason_text", "required")]
    assert errors_of(name, reason_text="好") == [("reason_text", "too_short")]
    assert errors_of(name, reason_text="好" * 501) == [("reason_text", "too_long")]


def test_the_telco_retry_form_takes_another_mainland_mobile():
    assert errors_of("debit-card-telco-retry", reserved_mobile="12345") == [("reserved_mobile", "pattern")]


# --- cross-cutting ------------------------------------------------------------------------------------------


def test_every_message_is_chinese():
    bad = {
        "debit-card-id-card": {"sex": 1, "id_number": "x"},
        "customer-consents": {"privacy_notice_ack": "yes"},
        "debit-card-customer-details": {
            "product_code": None,
            "residential_address": {"detail": 1},
            "employer_name": "x" * 200,
        },
        "debit-card-card-scan": {"non_counter_daily_limit": "many"},
    }
    errors = [e for name, data in bad.items() for e in validate_form_data(schema(name), data)]
    assert len(errors) > 15
    assert all(re.search(r"[\u4e00-\u9fff]", e.message) for e in errors), errors


def test_errors_follow_the_schema_property_order():
    fields = [e.field for e in validate_form_data(schema("debit-card-id-card"), {})]
    assert fields == list(schema("debit-card-id-card")["properties"])


def test_multiple_of_uses_decimal_arithmetic_for_amounts():
    amount = {"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0.01}}}
    assert validate_form_data(amount, {"amount": 19999.99}) == []
    assert validate_form_data(amount, {"amount": 0.07}) == []
    assert [e.code for e in validate_form_data(amount, {"amount": 0.005})] == ["multiple_of"]


def test_general_one_of_reports_the_best_matching_branch():
    either = {
        "type": "object",
        "properties": {"x": {"oneOf": [{"type": "string", "minLength": 3}, {"type": "integer"}]}},
    }
    assert [e.code for e in validate_form_data(either, {"x": "ab"})] == ["too_short"]


def test_a_dependency_missing_is_reported_on_the_dependent_field():
    form = {
        "type": "object",
        "properties": {"tax_tin": {"type": "string"}, "tax_country": {"type": "string", "title": "国家"}},
        "dependencies": {"tax_tin": ["tax_country"]},
    }
    assert [(e.field, e.code) for e in validate_form_data(form, {"tax_tin": "1"})] == [
        ("tax_country", "required")
    ]


def test_normalisation_leaves_open_schemas_and_unknown_formats_alone():
    open_schema = {"type": "object", "properties": {"name": {"type": "string", "format": "cn-name"}}}
    assert normalise_form_data(open_schema, {"name": "张 三", "extra": 1}) == {"name": "张三", "extra": 1}
    assert normalise_form_data({"type": "object"}, {"a": " x "}) == {"a": " x "}


def test_the_reference_spiffarena_form_still_validates():
    capture = schema("capture-customer")
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "national_id": "12345678901",
        "date_of_birth": "1990-01-01",
        "phone": "555",
        "email": "ann@example.com",
        "address": "1 Main St",
        "product": "savings_account",
    }
    assert validate_form_data(capture, data) == []
    assert [(e.field, e.code) for e in validate_form_data(capture, {**data, "email": "ann@"})] == [
        ("email", "pattern")
    ]


def test_validators_are_compiled_once_per_schema_object_and_shared_by_equal_content():
    form = schema("debit-card-otp")
    assert compiled_validator(form) is compiled_validator(form)
    assert compiled_validator(copy.deepcopy(form)) is compiled_validator(form)


def test_an_invalid_schema_is_refused_with_a_pointer():
    with pytest.raises(FormDefinitionInvalid) as caught:
        validate_form_data({"type": "object", "properties": {"a": {"type": "strng"}}}, {})
    assert caught.value.problems[0].pointer == "/properties/a/type"


def test_validating_a_typical_form_takes_well_under_a_millisecond():
    form, data = schema("debit-card-customer-details"), HAPPY["debit-card-customer-details"]
    validate_form_data(form, data)
    best = min(timeit.repeat(lambda: validate_form_data(form, data), number=200, repeat=5)) / 200
    assert best < 0.001, f"{best * 1e6:.0f} µs per validation"


def test_field_error_is_importable_from_the_package_root():
    assert FieldError("a", "b", "c").field == "a"


# --- x-answer-times (the J3 questionnaire) -----------------------------------------------------------------

QUESTIONS = (
    "income_band", "invest_share", "experience_type", "experience_years", "knowledge",
    "objective", "horizon", "max_loss", "loss_reaction",
)  # fmt: skip
FIRST_OPTION = {
    q: s["oneOf"][0]["const"] for q, s in schema("wealth-questionnaire")["properties"].items() if "oneOf" in s
}
ANSWERED = {
    "questionnaire_version": "WRQ-2025-1",
    "age_band": "31_50",
    **{q: FIRST_OPTION[q] for q in QUESTIONS},
}


def questionnaire_errors(data):
    return {(e.field, e.code) for e in validate_form_data(schema("wealth-questionnaire"), data)}


def test_the_questionnaire_with_one_time_per_answer_passes():
    assert questionnaire_errors({**ANSWERED, "answer_ms": {q: 8_000 for q in QUESTIONS}}) == set()


def test_answers_without_any_times_are_refused_once_with_a_clear_message():
    errors = validate_form_data(schema("wealth-questionnaire"), ANSWERED)
    assert [(e.field, e.code) for e in errors] == [("answer_ms", "answer_times_missing")]
    assert "逐题作答" in errors[0].message


def test_each_time_is_a_non_negative_integer_below_an_hour_for_an_answered_question():
    times = {q: 8_000 for q in QUESTIONS}
    assert questionnaire_errors({**ANSWERED, "answer_ms": {**times, "horizon": -1}}) == {
        ("answer_ms.horizon", "too_small")
    }
    assert questionnaire_errors({**ANSWERED, "answer_ms": {**times, "horizon": 3_600_001}}) == {
        ("answer_ms.horizon", "too_large")
    }
    assert questionnaire_errors({**ANSWERED, "answer_ms": {**times, "horizon": 1.5}}) == {
        ("answer_ms.horizon", "type")
    }
    without_horizon = {k: v for k, v in ANSWERED.items() if k != "horizon"}
    assert questionnaire_errors({**without_horizon, "answer_ms": times}) == {
        ("horizon", "required"),
        ("answer_ms.horizon", "answer_time_without_answer"),
    }
    assert ("answer_ms.knowledge", "required") in questionnaire_errors(
        {**ANSWERED, "answer_ms": {q: 1 for q in QUESTIONS if q != "knowledge"}}
    )
