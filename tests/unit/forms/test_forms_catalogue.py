"""Loading forms by SpiffArena file name, and the deploy-time lint of schema + UI schema."""

import json
import os
import re

import pytest

from forms import DEFINITIONS_DIR, FormCatalogue, FormDefinitionInvalid, FormNotFound, FormProblem

J1_FORMS = [
    "debit-card-id-card",
    "debit-card-face-check",
    "debit-card-customer-details",
    "debit-card-otp",
    "debit-card-class-ii-offer",
    "debit-card-risk-notice",
    "debit-card-card-scan",
    "debit-card-signing",
    "debit-card-signing-witness",
    "customer-consents",
    "remote-authorization",
    "debit-card-telco-retry",
]
J3_FORMS = [
    "wealth-questionnaire",
    "wealth-assessment-confirmation",
    "wealth-product-selection",
    "wealth-qualified-investor",
    "wealth-circumstances",
    "wealth-product-signing",
]
J2_FORMS = [
    "credit-card-product",
    "credit-card-credit-auth",
    "credit-card-sightings",
    "credit-card-application",
    "credit-card-signing",
    "credit-card-witness",
    "credit-card-documents",
    "credit-card-supp-id-card",
    "credit-card-supp-consents",
    "credit-card-supp-signing",
]
OK_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "title": "姓名", "format": "cn-name"},
        "photo": {"type": "string", "title": "照片", "format": "attachment-id"},
        "kind": {"type": "string", "enum": ["a", "b"]},
    },
}


def write(directory, filename, content):
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    (directory / filename).write_text(text, encoding="utf-8")
    return filename


def lint(tmp_path, schema=None, ui=None):
    """Problems of a form written to tmp_path, as (file, pointer) pairs plus the reasons."""
    write(tmp_path, "f-schema.json", OK_SCHEMA if schema is None else schema)
    if ui is not None:
        write(tmp_path, "f-uischema.json", ui)
    return FormCatalogue(tmp_path).lint_form("f-schema.json", "f-uischema.json" if ui is not None else None)


def pointers(problems: list[FormProblem]) -> list[str]:
    return [p.pointer for p in problems]


# --- the shipped definitions ------------------------------------------------------------------------------


def test_every_file_in_the_definitions_folder_lints_clean():
    catalogue = FormCatalogue(DEFINITIONS_DIR)
    assert catalogue.lint_all() == []
    names = {f.removesuffix("-schema.json") for f in catalogue.schema_filenames()}
    supervision = {"post-supervision-review", "evidence-rectification", "supervision-escalation"}
    assert names == {*J1_FORMS, *J2_FORMS, *J3_FORMS, *supervision, "capture-customer", "customer-signs"}


@pytest.mark.parametrize("name", [*J1_FORMS, *J3_FORMS])
def test_every_journey_form_is_closed_has_required_fields_and_chinese_titles(name):
    form = FormCatalogue().get(f"{name}-schema.json", f"{name}-uischema.json")
    assert form.name == name
    assert form.schema["additionalProperties"] is False
    assert form.schema.get("required") or form.schema.get("allOf")  # the OTP: a code unless a resend
    assert form.ui_schema["ui:order"]
    titled = [form.schema, *form.schema["properties"].values()]
    titled += form.schema["properties"].get("residential_address", {}).get("properties", {}).values()
    assert all(re.search(r"[\u4e00-\u9fff]", node["title"]) for node in titled)


@pytest.mark.parametrize("name", J2_FORMS)
def test_every_j2_form_is_closed_and_titled_in_chinese_down_to_group_members(name):
    form = FormCatalogue().get(f"{name}-schema.json", f"{name}-uischema.json")
    assert form.schema["additionalProperties"] is False
    assert form.ui_schema["ui:order"]
    fields = list(form.schema["properties"].values())
    fields += [child for f in fields for child in f.get("properties", {}).values()]
    assert all(re.search(r"[\u4e00-\u9fff]", node["title"]) for node in [form.schema, *fields])


def test_a_form_is_found_by_its_spiffarena_file_names():
    form = FormCatalogue().get("capture-customer-schema.json", "capture-customer-uischema.json")
    assert (form.name, form.ui_schema["address"]) == ("capture-customer", {"ui:widget": "textarea"})
    assert FormCatalogue().get("customer-signs-schema.json").ui_schema == {}


def test_unchanged_files_are_parsed_once_so_the_validator_cache_hits(tmp_path):
    write(tmp_path, "f-schema.json", OK_SCHEMA)
    catalogue = FormCatalogue(tmp_path)
    first = catalogue.get("f-schema.json").schema
    assert catalogue.get("f-schema.json").schema is first
    write(tmp_path, "f-schema.json", {**OK_SCHEMA, "title": "改过的表单"})
    os.utime(tmp_path / "f-schema.json", ns=(1, 1))
    assert catalogue.get("f-schema.json").schema["title"] == "改过的表单"


def test_a_missing_form_raises_not_found(tmp_path):
    with pytest.raises(FormNotFound):
        FormCatalogue(tmp_path).get("nope-schema.json")


def test_a_form_that_is_not_json_raises_invalid(tmp_path):
    write(tmp_path, "f-schema.json", "{not json")
    with pytest.raises(FormDefinitionInvalid) as caught:
        FormCatalogue(tmp_path).get("f-schema.json")
    assert caught.value.problems[0].file == "f-schema.json"


def test_file_names_cannot_leave_the_forms_folder(tmp_path):
    with pytest.raises(FormDefinitionInvalid):
        FormCatalogue(tmp_path).get("../secrets-schema.json")


def test_the_form_definition_validates_and_cleans_with_its_schema(tmp_path):
    write(tmp_path, "f-schema.json", OK_SCHEMA)
    form = FormCatalogue(tmp_path).get("f-schema.json")
    assert form.clean({"name": "张 三", "extra": 1}) == ({"name": "张三"}, [])
    assert [e.code for e in form.validate({})] == ["required"]


# --- lint: files -------------------------------------------------------------------------------------------


def test_lint_reports_a_missing_file(tmp_path):
    problems = FormCatalogue(tmp_path).lint_form("nope-schema.json", "nope-uischema.json")
    assert [(p.file, p.reason) for p in problems] == [
        ("nope-schema.json", "file not found"),
        ("nope-uischema.json", "file not found"),
    ]


def test_lint_reports_invalid_json_with_its_position(tmp_path):
    (problem,) = lint(tmp_path, schema='{"type": "object",}')
    assert "not valid JSON" in problem.reason and "line 1" in problem.reason


def test_lint_reports_a_key_given_twice(tmp_path):
    (problem,) = lint(tmp_path, schema='{"type": "object", "properties": {}, "properties": {}}')
    assert "appears twice" in problem.reason


def test_lint_reports_a_ui_schema_without_its_form_schema(tmp_path):
    write(tmp_path, "orphan-uischema.json", {})
    assert [p.file for p in FormCatalogue(tmp_path).lint_all()] == ["orphan-uischema.json"]


# --- lint: schema -----------------------------------------------------------------------------------------


def test_lint_reports_what_is_not_draft_07_json_schema(tmp_path):
    problems = lint(
        tmp_path, schema={"type": "object", "properties": {"a": {"type": "strng"}}, "required": "a"}
    )
    assert sorted(pointers(problems)) == ["/properties/a/type", "/required"]
    assert all("draft-07" in p.reason for p in problems)


def test_lint_reports_a_schema_of_another_draft(tmp_path):
    other = {**OK_SCHEMA, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    assert pointers(lint(tmp_path, schema=other)) == ["/$schema"]


def test_lint_reports_a_form_that_is_not_an_object(tmp_path):
    assert pointers(lint(tmp_path, schema={"type": "string"})) == ["/type"]


def test_lint_reports_unknown_formats(tmp_path):
    schema = {"type": "object", "properties": {"a": {"type": "string", "format": "phone"}}}
    (problem,) = lint(tmp_path, schema=schema)
    assert problem.pointer == "/properties/a/format" and "resident-id" in problem.reason


def test_lint_refuses_keywords_the_renderer_does_not_support_and_typos(tmp_path):
    schema = {"type": "object", "requried": ["a"], "patternProperties": {"^x": {"type": "string"}}}
    assert sorted(pointers(lint(tmp_path, schema=schema))) == ["/patternProperties", "/requried"]


def test_lint_refuses_refs_local_or_remote_because_the_renderer_draws_fields_written_out(tmp_path):
    schema = {
        "type": "object",
        "definitions": {"code": {"type": "string", "pattern": "^[0-9]{6}$"}},
        "properties": {
            "a": {"type": "string", "$ref": "#/definitions/code"},
            "b": {"type": "string", "$ref": "https://example.com/schema.json"},
        },
    }
    problems = lint(tmp_path, schema=schema)
    assert pointers(problems) == ["/definitions", "/properties/a/$ref", "/properties/b/$ref"]
    assert all("not supported by the form renderer" in p.reason for p in problems)


def test_lint_reports_required_names_that_are_not_properties_including_in_then(tmp_path):
    schema = {
        **OK_SCHEMA,
        "required": ["name", "nmae"],
        "if": {"required": ["kind"], "properties": {"kind": {"const": "a"}}},
        "then": {"required": ["photo_", "photo"]},
    }
    assert sorted(pointers(lint(tmp_path, schema=schema))) == ["/required/1", "/then/required/0"]


def test_lint_allows_if_then_conditions_on_declared_fields(tmp_path):
    schema = {
        **OK_SCHEMA,
        "allOf": [
            {
                "if": {"required": ["kind"], "properties": {"kind": {"const": "a"}}},
                "then": {"required": ["photo"]},
            }
        ],
    }
    assert lint(tmp_path, schema=schema) == []


def test_lint_checks_the_id_consistency_settings_name_real_fields(tmp_path):
    schema = {**OK_SCHEMA, "x-id-consistency": {"id_field": "name", "sex_field": "gender", "colour": "kind"}}
    assert sorted(pointers(lint(tmp_path, schema=schema))) == [
        "/x-id-consistency/colour",
        "/x-id-consistency/sex_field",
    ]
    assert pointers(lint(tmp_path, schema={**OK_SCHEMA, "x-id-consistency": "id"})) == ["/x-id-consistency"]


def test_lint_checks_the_contact_mobiles_settings_name_a_field_and_contact_groups(tmp_path):
    contact = {"type": "object", "properties": {"mobile": {"type": "string", "format": "cn-mobile"}}}
    schema = {**OK_SCHEMA, "properties": {**OK_SCHEMA["properties"], "contact": contact}}
    fine = {"applicant_field": "name", "contact_fields": ["contact"]}
    assert lint(tmp_path, schema={**schema, "x-contact-mobiles": fine}) == []
    wrong = {"applicant_field": "phone", "contact_fields": ["contact", "kind"], "colour": "red"}
    assert sorted(pointers(lint(tmp_path, schema={**schema, "x-contact-mobiles": wrong}))) == [
        "/x-contact-mobiles/applicant_field",
        "/x-contact-mobiles/colour",
        "/x-contact-mobiles/contact_fields/1",
    ]


# --- lint: UI schema ---------------------------------------------------------------------------------------


def test_lint_refuses_unsupported_widgets_and_widgets_that_cannot_fill_the_field(tmp_path):
    ui = {
        "name": {"ui:widget": "password"},
        "kind": {"ui:widget": "camera"},
        "photo": {"ui:options": {"widget": "file"}},
    }
    assert sorted(pointers(lint(tmp_path, ui=ui))) == [
        "/kind/ui:widget",
        "/name/ui:widget",
        "/photo/ui:options/widget",
    ]


def test_an_attachment_field_without_a_capture_widget_is_fine(tmp_path):
    assert lint(tmp_path, ui={"photo": {"ui:help": "上传"}}) == []


def test_our_capture_widgets_are_accepted_on_attachment_fields(tmp_path):
    assert lint(tmp_path, ui={"photo": {"ui:widget": "signature"}, "kind": {"ui:widget": "radio"}}) == []


def test_lint_reports_ui_order_names_that_are_not_fields_duplicates_and_omissions(tmp_path):
    problems = lint(tmp_path, ui={"ui:order": ["name", "nmae", "name"]})
    assert pointers(problems) == ["/ui:order/1", "/ui:order/2", "/ui:order"]
    assert "photo, kind" in problems[2].reason


def test_a_ui_order_wildcard_covers_the_remaining_fields(tmp_path):
    assert lint(tmp_path, ui={"ui:order": ["kind", "*"]}) == []


def test_lint_reports_ui_entries_for_unknown_fields_and_unsupported_ui_options(tmp_path):
    ui = {"nmae": {"ui:widget": "text"}, "name": {"ui:field": "custom"}, "kind": "radio"}
    assert sorted(pointers(lint(tmp_path, ui=ui))) == ["/kind", "/name/ui:field", "/nmae"]


def test_lint_checks_nested_objects_in_the_ui_schema(tmp_path):
    schema = {
        "type": "object",
        "properties": {"address": {"type": "object", "properties": {"detail": {"type": "string"}}}},
    }
    ui = {"address": {"ui:order": ["detail", "street"], "detail": {"ui:widget": "textarea"}}}
    assert pointers(lint(tmp_path, schema=schema, ui=ui)) == ["/address/ui:order/1"]


def test_lint_checks_enum_names_match_the_enum(tmp_path):
    assert pointers(lint(tmp_path, ui={"kind": {"ui:enumNames": ["甲"]}})) == ["/kind/ui:enumNames"]
    assert lint(tmp_path, ui={"kind": {"ui:enumNames": ["甲", "乙"]}}) == []
