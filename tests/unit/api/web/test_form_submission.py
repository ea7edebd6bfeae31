"""The browser's POST parsed back into the JSON the engine validates."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from api.web.form_submission import parse_submission
from forms import FormCatalogue

CATALOGUE = FormCatalogue()
ATT = "att_" + "0123456789abcdef" * 2


def schema_of(name):
    return CATALOGUE.get(f"{name}-schema.json").schema


def test_a_customer_details_post_becomes_the_json_the_schema_accepts():
    definition = CATALOGUE.get(
        "debit-card-customer-details-schema.json", "debit-card-customer-details-uischema.json"
    )
    post = {
        "csrf_token": ["t"],
        "product_code": ["DC_PAYROLL"],
        "reserved_mobile": [" 13812345678 "],
        "residential_address.province_code": ["420000"],
        "residential_address.city_code": ["420100"],
        "residential_address.district_code": ["420106"],
        "residential_address.detail": ["武昌区中北路1号3栋401"],
        "occupation_code": ["2"],
        "employer_name": [""],
        "account_purpose": ["payroll"],
        "account_purpose_other": ["typed before switching to 代发工资"],
        "surprise": ["x"],
    }
    data = parse_submission(definition.schema, post, ui_schema=definition.ui_schema)
    assert data == {
        "product_code": "DC_PAYROLL",
        "reserved_mobile": "13812345678",
        "residential_address": {
            "province_code": "420000",
            "city_code": "420100",
            "district_code": "420106",
            "detail": "武昌区中北路1号3栋401",
        },
        "occupation_code": "2",
        "account_purpose": "payroll",
    }
    assert definition.clean(data) == (data, [])


def test_a_tax_country_typed_before_choosing_china_only_is_dropped_on_the_risk_notice():
    definition = CATALOGUE.get("debit-card-risk-notice-schema.json", "debit-card-risk-notice-uischema.json")
    post = {
        "risk_notice_read": ["true"],
        "declaration_own_use": ["true"],
        "declaration_no_rent_lend_sell": ["true"],
        "tax_residency": ["CN_ONLY"],
        "tax_country": ["USA"],
        "pep_declaration": ["false"],
    }
    data = parse_submission(definition.schema, post, ui_schema=definition.ui_schema)
    assert data == {
        "risk_notice_read": True,
        "declaration_own_use": True,
        "declaration_no_rent_lend_sell": True,
        "tax_residency": "CN_ONLY",
        "pep_declaration": False,
    }
    assert definition.clean(data) == (data, [])


def test_a_hidden_conditional_field_is_dropped_and_a_shown_one_kept():
    s = schema_of("post-supervision-review")
    assert parse_submission(s, {"review_outcome": ["PASSED"], "review_reason": ["旧理由"]}) == {
        "review_outcome": "PASSED"
    }
    assert parse_submission(s, {"review_outcome": ["RISK_ALERT"], "review_reason": ["可疑"]}) == {
        "review_outcome": "RISK_ALERT",
        "review_reason": "可疑",
    }


def test_required_ticks_become_false_when_unticked_so_the_server_asks_for_them():
    d = CATALOGUE.get("debit-card-risk-notice-schema.json", "debit-card-risk-notice-uischema.json")
    data = parse_submission(
        d.schema, {"risk_notice_read": ["true"], "declaration_own_use": ["on"]}, ui_schema=d.ui_schema
    )
    assert data == {
        "risk_notice_read": True,
        "declaration_own_use": True,
        "declaration_no_rent_lend_sell": False,
    }


def test_an_optional_unticked_box_is_left_out():
    s = schema_of("debit-card-risk-notice")
    assert "marketing_optin" not in parse_submission(s, {})
    assert parse_submission(s, {"marketing_optin": ["true"]})["marketing_optin"] is True


def test_an_unanswered_yes_no_radio_is_left_out_not_false():
    s = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}
    assert parse_submission(s, {}, ui_schema={"ok": {"ui:widget": "radio"}}) == {}
    assert parse_submission(s, {}) == {"ok": False}  # drawn as a checkbox by default


@pytest.mark.parametrize(
    ("kind", "raw", "parsed"),
    [
        ("number", "19999.99", 19999.99),
        ("number", "20000", 20000),
        ("number", "２０", 20),
        ("number", "12abc", "12abc"),
        ("number", "NaN", "NaN"),
        ("number", "1e999999999", "1e999999999"),
        ("integer", "7", 7),
        ("integer", "7.0", 7),
        ("integer", "7.5", "7.5"),
        ("boolean", "maybe", "maybe"),
    ],
)
def test_numbers_are_typed_and_what_does_not_parse_is_kept_for_the_validator(kind, raw, parsed):
    s = {"type": "object", "properties": {"x": {"type": kind}}}
    assert parse_submission(s, {"x": [raw]}) == {"x": parsed}


def test_an_invalid_number_reaches_the_validator_as_a_field_error():
    definition = CATALOGUE.get("debit-card-card-scan-schema.json")
    data = parse_submission(definition.schema, {"non_counter_daily_limit": ["五万"]})
    _, errors = definition.clean(data)
    assert ("non_counter_daily_limit", "type") in [(e.field, e.code) for e in errors]


def test_checkbox_lists_are_read_with_getlist_from_starlette_form_data():
    s = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}}},
    }
    form = FormData([("tags", "1"), ("tags", "3"), ("csrf_token", "t")])
    assert parse_submission(s, form) == {"tags": [1, 3]}
    assert parse_submission(s, FormData([("csrf_token", "t")])) == {}


def test_plain_string_mappings_are_accepted_too():
    s = schema_of("debit-card-otp")
    assert parse_submission(s, {"otp_code": " 012345 "}) == {"otp_code": "012345"}
