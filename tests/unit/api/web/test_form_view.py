"""Task forms drawn from JSON Schema + UI schema through the real `form.html` macros."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

import api.web
from api.web.form_view import FieldView, build_form, form_value
from forms import FieldError, FormCatalogue
from forms.conditions import ShowWhen

TEMPLATES = Path(api.web.__file__).parent / "templates"
CATALOGUE = FormCatalogue()
NAMES = [f.removesuffix("-schema.json") for f in CATALOGUE.schema_filenames()]
ATT = "att_" + "0123456789abcdef" * 2


def environment(**options) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, **options
    )
    env.globals["csrf_token"] = "csrf-123"
    return env


ENV = environment()


def form_of(name, data=None, errors=None, **kw):
    definition = CATALOGUE.get(f"{name}-schema.json", f"{name}-uischema.json")
    return build_form(definition.schema, definition.ui_schema, data or {}, errors, **kw)


def render(form, macro="render_form", env=ENV) -> str:
    source = f'{{% from "form.html" import {macro} %}}'
    call = (
        "{{ render_form(form, '/tablet/tasks/t1') }}"
        if macro == "render_form"
        else f"{{{{ {macro}(form) }}}}"
    )
    return env.from_string(source + call).render(form=form)


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def all(self):
        for child in self.children:
            yield child
            yield from child.all()

    def find(self, **attrs):
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}  # data_widget= means data-widget
        return [n for n in self.all() if all(k in n.attrs and n.attrs[k] == v for k, v in wanted.items())]

    def one(self, **attrs):
        (found,) = self.find(**attrs)
        return found

    def by_id(self, id_):
        return self.one(id=id_)

    def tags(self, tag):
        return [n for n in self.all() if n.tag == tag]

    def inside(self, ancestor_id):
        node = self.parent
        while node is not None and node.attrs.get("id") != ancestor_id:
            node = node.parent
        return node is not None

    def full_text(self):
        return self.text + "".join(c.full_text() for c in self.children)


class Tree(HTMLParser):
    VOID = frozenset({"input", "img", "br", "meta", "link", "hr"})

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)
        assert self.current is self.root, f"unclosed <{self.current.tag}>"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.text += data


def tree(html) -> Node:
    return Tree(html).root


def field(form, name) -> FieldView:
    (found,) = [f for f in form.all_fields if f.name == name]
    return found


# --- every shipped form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_form_builds_and_renders_with_every_hook(name):
    form = form_of(name)
    root = tree(render(form))
    (element,) = root.tags("form")
    assert element.attrs["action"] == element.attrs["hx-post"] == "/tablet/tasks/t1"
    assert (element.attrs["hx-target"], element.attrs["hx-swap"], "novalidate" in element.attrs) == (
        "#main",
        "innerHTML",
        True,
    )
    assert root.one(name="csrf_token").attrs["value"] == "csrf-123"
    assert root.by_id("form-errors").full_text().strip() == ""
    for each in form.all_fields:
        wrapper = root.by_id(f"field-{each.name}")
        assert wrapper.attrs["data-field"] == each.name
        assert root.by_id(f"err-{each.name}").attrs["role"] == "alert"
        assert root.by_id(f"err-{each.name}").inside(f"field-{each.name}")
    assert root.tags("button")[-1].attrs == {"type": "submit", "class": "primary"}


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_form_renders_with_the_pages_whitespace_settings(name):
    env = environment(trim_blocks=True, lstrip_blocks=True)
    tree(render(form_of(name), env=env))


def test_fields_follow_ui_order_not_schema_order():
    form = form_of("debit-card-signing")
    assert [f.name for f in form.fields] == [
        "documents_confirmed",
        "customer_signature",
        "signature_strokes",
    ]
    order = [n.attrs["id"] for n in tree(render(form)).all() if n.attrs.get("id", "").startswith("field-")]
    assert order == [f"field-{f.name}" for f in form.fields]


def test_a_wildcard_in_ui_order_stands_for_the_remaining_fields_in_schema_order():
    schema = {"type": "object", "properties": {k: {"type": "string"} for k in "abcd"}}
    form = build_form(schema, {"ui:order": ["c", "*", "a"]}, {})
    assert [f.name for f in form.fields] == ["c", "b", "d", "a"]


def test_title_and_description_come_from_the_schema():
    form = form_of("debit-card-otp")
    assert (form.title, form.description[:10]) == ("短信验证码", "J1 第7步：运营商")


# --- conditions --------------------------------------------------------------------------------------------


def show_when_of(root, name):
    return json.loads(root.by_id(f"field-{name}").attrs["data-show-when"])


def test_customer_details_hides_the_other_purpose_until_it_applies():
    form = form_of("debit-card-customer-details", {"account_purpose": "payroll"})
    assert field(form, "account_purpose_other").show_when == ShowWhen("account_purpose", ("other",))
    root = tree(render(form))
    assert show_when_of(root, "account_purpose_other") == {
        "field": "account_purpose",
        "values": ["other"],
        "negate": False,
    }
    assert "hidden" in root.by_id("field-account_purpose_other").attrs


def test_the_risk_notice_hides_the_tax_country_until_it_applies():
    form = form_of("debit-card-risk-notice", {"tax_residency": "CN_ONLY"})
    assert field(form, "tax_country").show_when == ShowWhen("tax_residency", ("NON_CN", "BOTH"))
    root = tree(render(form))
    assert show_when_of(root, "tax_country") == {
        "field": "tax_residency",
        "values": ["NON_CN", "BOTH"],
        "negate": False,
    }
    assert "hidden" in root.by_id("field-tax_country").attrs
    assert "data-show-when" not in root.by_id("field-tax_tin").attrs


def test_the_conditional_fields_show_when_the_values_match():
    root = tree(render(form_of("debit-card-customer-details", {"account_purpose": "other"})))
    assert "hidden" not in root.by_id("field-account_purpose_other").attrs
    root = tree(render(form_of("debit-card-risk-notice", {"tax_residency": "BOTH"})))
    assert "hidden" not in root.by_id("field-tax_country").attrs


@pytest.mark.parametrize(("outcome", "hidden"), [(None, False), ("ERROR_MAJOR", False), ("PASSED", True)])
def test_post_supervision_review_asks_for_a_reason_unless_passed(outcome, hidden):
    form = form_of("post-supervision-review", {"review_outcome": outcome} if outcome else {})
    root = tree(render(form))
    rule = show_when_of(root, "review_reason")
    assert rule == {"field": "review_outcome", "values": ["PASSED"], "negate": True}
    assert ("hidden" in root.by_id("field-review_reason").attrs) is hidden


# --- widgets and options -----------------------------------------------------------------------------------


def test_one_of_choices_with_more_than_four_options_are_a_select_with_an_empty_first_choice():
    form = form_of("debit-card-customer-details", {"occupation_code": "retired"})
    occupation = field(form, "occupation_code")
    assert occupation.widget == "select"
    assert occupation.options[0] == ("1", "党的机关、国家机关、群众团体和社会组织、企事业单位负责人")
    assert occupation.options[-1] == ("farmer", "农户")
    select = tree(render(form)).by_id("in-occupation_code")
    options = [(o.attrs["value"], "selected" in o.attrs) for o in select.tags("option")]
    assert options[0] == ("", False)  # nothing chosen for the officer
    assert [v for v, chosen in options if chosen] == ["retired"]


def test_boolean_one_of_is_a_radio_group_with_a_legend():
    form = form_of("debit-card-risk-notice", {"pep_declaration": False})
    assert field(form, "pep_declaration").options == (("false", "否"), ("true", "是"))
    wrapper = tree(render(form)).by_id("field-pep_declaration")
    (fieldset,) = wrapper.tags("fieldset")
    assert "外国政要" in fieldset.tags("legend")[0].full_text()
    radios = fieldset.tags("input")
    assert [(r.attrs["value"], "checked" in r.attrs) for r in radios] == [("false", True), ("true", False)]
    assert all(r.parent.tag == "label" and r.parent.attrs["class"] == "choice" for r in radios)
    assert radios[0].attrs["id"] == "in-pep_declaration"


def test_enum_options_take_their_names_from_ui_enum_names():
    schema = {"type": "object", "properties": {"product": {"type": "string", "enum": ["cur", "sav"]}}}
    form = build_form(schema, {"product": {"ui:enumNames": ["活期", "储蓄"]}}, {})
    assert field(form, "product").options == (("cur", "活期"), ("sav", "储蓄"))
    assert field(form, "product").widget == "radio"
    plain = build_form(schema, {}, {})
    assert field(plain, "product").options == (("cur", "cur"), ("sav", "sav"))


def test_a_boolean_drawn_as_radio_or_select_offers_yes_and_no():
    schema = {"type": "object", "properties": {"ok": {"type": "boolean", "title": "同意"}}}
    for widget in ("radio", "select"):
        form = build_form(schema, {"ok": {"ui:widget": widget}}, {"ok": True})
        assert (field(form, "ok").options, field(form, "ok").value) == (
            (("true", "是"), ("false", "否")),
            "true",
        )
    assert field(build_form(schema, {}, {}), "ok").widget == "checkbox"


def test_checkboxes_list_their_enum_and_tick_the_chosen_ones():
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}}},
    }
    form = build_form(schema, {"tags": {"ui:enumNames": ["甲", "乙", "丙"]}}, {"tags": ["a", "c"]})
    assert field(form, "tags").widget == "checkboxes"
    root = tree(render(form))
    boxes = root.by_id("field-tags").tags("input")
    assert [(b.attrs["value"], "checked" in b.attrs) for b in boxes] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]
    assert root.by_id("field-tags").tags("legend")


def test_a_mobile_number_gets_a_phone_keypad_and_its_hints():
    form = form_of("debit-card-customer-details")
    mobile = field(form, "reserved_mobile")
    assert (mobile.widget, mobile.input_type, mobile.placeholder) == ("text", "tel", "11位手机号码")
    element = tree(render(form)).by_id("in-reserved_mobile")
    assert element.attrs["type"] == "tel" and element.attrs["placeholder"] == "11位手机号码"
    assert element.attrs["aria-describedby"] == "help-reserved_mobile err-reserved_mobile"
    assert "required" in element.attrs
    label = tree(render(form)).by_id("field-reserved_mobile").tags("label")[0]
    assert label.attrs["for"] == "in-reserved_mobile"
    assert label.tags("span")[0].attrs == {"class": "req", "aria-hidden": "true"}


def test_a_number_gets_number_input_with_its_bounds():
    form = form_of("debit-card-card-scan", {"non_counter_daily_limit": 20000.0})
    limit = field(form, "non_counter_daily_limit")
    assert (limit.widget, limit.input_type, limit.inputmode, limit.value) == (
        "updown",
        "number",
        "decimal",
        "20000",
    )
    element = tree(render(form)).by_id("in-non_counter_daily_limit")
    assert (element.attrs["type"], element.attrs["min"], element.attrs["max"], element.attrs["step"]) == (
        "number",
        "0",
        "50000",
        "any",
    )


def test_a_hidden_field_has_no_label_but_keeps_its_wrapper_and_error():
    form = form_of("debit-card-card-scan", {"pin_pad_event_id": "pin_abcdefgh"})
    wrapper = tree(render(form)).by_id("field-pin_pad_event_id")
    assert wrapper.attrs["class"] == "field-hidden"
    assert [i.attrs["type"] for i in wrapper.tags("input")] == ["hidden"]
    assert wrapper.tags("input")[0].attrs["value"] == "pin_abcdefgh"
    assert not wrapper.tags("label")
    assert wrapper.tags("p")[0].attrs["id"] == "err-pin_pad_event_id"


def test_the_otp_is_a_one_time_code_input_and_never_shows_a_value():
    form = form_of("debit-card-otp", {"otp_code": "012345"})
    assert field(form, "otp_code").value == ""
    html = render(form)
    assert "012345" not in html
    element = tree(html).by_id("in-otp_code")
    assert element.attrs == {
        "type": "text",
        "id": "in-otp_code",
        "name": "otp_code",
        "aria-describedby": "help-otp_code err-otp_code",
        "autofocus": None,
        "value": "",
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "maxlength": "6",
    }


def test_a_secret_field_without_the_otp_widget_is_a_password_input():
    schema = {"type": "object", "properties": {"pin": {"type": "string", "x-secret": True}}}
    form = build_form(schema, {}, {"pin": "9999"})
    assert field(form, "pin").input_type == "password"
    html = render(form)
    assert "9999" not in html and tree(html).by_id("in-pin").attrs["type"] == "password"


def test_chip_fields_are_readonly_and_still_submitted():
    data = {"customer_name": "张三", "sex": "1"}
    form = form_of("debit-card-id-card", data)
    assert field(form, "customer_name").readonly and field(form, "sex").readonly
    root = tree(render(form))
    name = root.by_id("in-customer_name")
    assert "readonly" in name.attrs and "disabled" not in name.attrs and name.attrs["value"] == "张三"
    # a read-only choice reads as its name, no faint disabled radios; the code travels in a hidden input
    assert root.by_id("field-sex").find(type="radio") == []
    shown = root.by_id("in-sex")
    assert ("readonly" in shown.attrs, shown.attrs["value"], "name" in shown.attrs) == (True, "男", False)
    assert [(h.attrs["name"], h.attrs["value"]) for h in root.by_id("field-sex").find(type="hidden")] == [
        ("sex", "1")
    ]


def test_dates_are_typed_as_yyyy_mm_dd_not_in_the_browsers_locale_format():
    form = form_of("debit-card-id-card", {"birth_date": "1990-03-07"})
    box = tree(render(form)).by_id("in-birth_date")
    assert (box.attrs["type"], box.attrs["value"], box.attrs["maxlength"]) == ("text", "1990-03-07", "10")
    assert box.attrs["placeholder"] == "YYYY-MM-DD" and "data-date" in box.attrs


def test_one_line_fields_and_photos_go_side_by_side_and_consents_take_the_width():
    form = form_of("debit-card-id-card", {})
    assert field(form, "id_number").half_width and field(form, "id_front_image").half_width
    assert field(form, "sex").half_width  # two short choices
    assert not field(form, "registered_address").half_width  # a textarea
    assert not field(form_of("customer-consents", {}), "privacy_notice_ack").half_width  # read in full


def test_ui_readonly_and_ui_disabled_also_make_a_field_readonly():
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    form = build_form(schema, {"a": {"ui:readonly": True}, "b": {"ui:disabled": True}}, {})
    assert field(form, "a").readonly and field(form, "b").readonly


def test_camera_fields_capture_with_the_configured_camera_and_preview_an_upload():
    form = form_of("debit-card-id-card", {"id_front_image": ATT}, attachment_url=lambda a: f"/media/{a}")
    root = tree(render(form))
    media = root.by_id("field-id_front_image").one(data_widget="camera")
    assert media.attrs["data-field-name"] == "id_front_image"
    file_input = root.by_id("in-id_front_image")
    assert file_input.attrs["type"] == "file" and "name" not in file_input.attrs  # photos go to /attachments
    assert (file_input.attrs["accept"], file_input.attrs["capture"]) == (
        "image/jpeg,image/png",
        "environment",
    )
    assert "data-camera-input" in file_input.attrs
    (value,) = media.find(data_attachment_value=None)
    assert (value.attrs["type"], value.attrs["name"], value.attrs["value"]) == (
        "hidden",
        "id_front_image",
        ATT,
    )
    assert media.tags("img")[0].attrs["src"] == f"/media/{ATT}"
    assert media.find(data_upload_status=None)
    back = root.by_id("field-id_back_image").one(data_widget="camera")
    assert "src" not in back.tags("img")[0].attrs
    face = tree(render(form_of("debit-card-face-check")))
    assert face.by_id("in-live_face_image").attrs["capture"] == "user"


def test_a_camera_asking_for_the_watermark_tells_the_page_to_send_the_position():
    root = tree(render(form_of("credit-card-sightings")))
    applicant = root.by_id("field-applicant_photo").one(data_widget="camera")
    assert "data-watermark" in applicant.attrs
    plain = tree(render(form_of("debit-card-id-card"))).by_id("field-id_front_image")
    assert "data-watermark" not in plain.one(data_widget="camera").attrs
    documents = form_of("credit-card-documents")
    assert all(f.watermark for f in documents.all_fields if f.widget == "camera")


def test_the_signature_pad_has_a_labelled_canvas_a_clear_button_and_the_attachment_value():
    form = form_of("debit-card-signing", {"customer_signature": ATT})
    media = tree(render(form)).by_id("field-customer_signature").one(data_widget="signature")
    assert media.attrs["class"] == "media signature"
    assert media.tags("canvas")[0].attrs == {
        "data-signature-canvas": None,
        "aria-label": "客户手写签名签名区",
    }
    button = media.tags("button")[0]
    assert (button.attrs["type"], button.attrs["class"], button.full_text()) == (
        "button",
        "secondary",
        "重新签名",
    )
    value = media.one(data_attachment_value=None)
    assert (value.attrs["name"], value.attrs["value"]) == ("customer_signature", ATT)


def test_a_required_boolean_is_a_labelled_checkbox():
    form = form_of("debit-card-risk-notice", {"declaration_own_use": True})
    box = tree(render(form)).by_id("in-declaration_own_use")
    assert (box.attrs["type"], box.attrs["value"], "checked" in box.attrs) == ("checkbox", "true", True)
    assert box.parent.tag == "label" and box.parent.attrs["for"] == "in-declaration_own_use"


def test_the_address_group_is_a_fieldset_of_dotted_fields():
    address = {"province_code": "420000", "detail": "武昌区中北路1号"}
    form = form_of("debit-card-customer-details", {"residential_address": address})
    group = field(form, "residential_address")
    assert (group.widget, group.label) == ("region", "居住地址（现住址）")  # ui:title wins, as in RJSF
    assert [c.name for c in group.children] == [
        "residential_address.province_code",
        "residential_address.city_code",
        "residential_address.district_code",
        "residential_address.detail",
    ]
    root = tree(render(form))
    province = root.by_id("in-residential_address.province_code")
    assert province.tag == "select" and province.attrs["data-region-level"] == "province_code"
    assert root.by_id("in-residential_address.detail").full_text() == "武昌区中北路1号"
    assert root.by_id("field-residential_address.detail").inside("field-residential_address")


def test_an_unknown_widget_fails_loudly():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(ValueError, match="'colour'"):
        build_form(schema, {"a": {"ui:widget": "colour"}}, {})


# --- errors ------------------------------------------------------------------------------------------------


def test_errors_sit_in_their_field_containers_and_mark_the_input_invalid():
    errors = [
        FieldError("reserved_mobile", "pattern", "请输入11位中国大陆手机号码"),
        FieldError("residential_address.detail", "placeholder", "请填写真实的详细地址"),
        FieldError("product_code", "required", "请填写“开卡产品”"),
        FieldError("extra", "unknown_field", "表单中没有此字段"),
    ]
    form = form_of("debit-card-customer-details", errors=errors)
    assert (form.has_errors, form.error_count, form.form_errors) == (True, 4, ("表单中没有此字段",))
    root = tree(render(form))
    assert root.by_id("err-reserved_mobile").full_text() == "请输入11位中国大陆手机号码"
    assert root.by_id("in-reserved_mobile").attrs["aria-invalid"] == "true"
    assert root.by_id("err-residential_address.detail").full_text() == "请填写真实的详细地址"
    assert root.by_id("in-residential_address.detail").attrs["aria-invalid"] == "true"
    assert all(r.attrs["aria-invalid"] == "true" for r in root.by_id("field-product_code").find(type="radio"))
    assert "aria-invalid" not in root.by_id("in-employer_name").attrs
    assert root.by_id("err-employer_name").full_text() == ""
    summary = root.by_id("form-errors")
    assert (summary.attrs["class"], summary.attrs["role"], summary.attrs["tabindex"]) == (
        "error-summary",
        "alert",
        "-1",
    )
    assert "请修正以下 4 处错误" in summary.full_text()
    links = [a.attrs["href"] for a in summary.tags("a")]
    assert links == ["#in-product_code", "#in-reserved_mobile", "#in-residential_address.detail"]
    assert "表单中没有此字段" in summary.full_text()


def test_api_field_error_dicts_work_too_and_messages_for_one_field_are_joined():
    errors = [
        {"field": "review_reason", "code": "too_short", "message": "至少2个字"},
        {"field": "review_reason", "code": "x", "message": "另一个问题"},
        {"field": "", "code": "conflict", "message": "任务已完成"},
    ]
    form = form_of("post-supervision-review", errors=errors)
    assert field(form, "review_reason").error == "至少2个字；另一个问题"
    assert form.form_errors == ("任务已完成",)


def test_errors_inside_a_list_or_a_group_go_to_the_nearest_drawn_field():
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
            "address": {"type": "object", "properties": {"detail": {"type": "string"}}},
        },
    }
    errors = [
        FieldError("tags.1", "not_allowed", "取值不在可选范围内"),
        FieldError("address.street", "unknown_field", "表单中没有此字段"),
    ]
    form = build_form(schema, {}, {}, errors)
    assert (field(form, "tags").error, field(form, "address").error) == (
        "取值不在可选范围内",
        "表单中没有此字段",
    )
    assert form.form_errors == ()


def test_error_fragments_replace_every_error_container_and_the_summary_out_of_band():
    errors = [FieldError("otp_code", "pattern", "验证码应为6位数字")]
    form = form_of("debit-card-otp", errors=errors)
    root = tree(render(form, "error_fragments_oob"))
    oob = root.find(hx_swap_oob="true")
    assert [n.attrs["id"] for n in oob] == ["form-errors", "err-otp_code", "err-otp_resend"]
    assert root.by_id("err-otp_code").full_text() == "验证码应为6位数字"
    assert not root.tags("input")  # nothing the officer typed or captured is sent back
    clean = tree(render(form_of("debit-card-customer-details"), "error_fragments_oob"))
    ids = {n.attrs["id"] for n in clean.find(hx_swap_oob="true")}
    assert ids == {"form-errors"} | {
        f"err-{f.name}" for f in form_of("debit-card-customer-details").all_fields
    }
    assert all(n.full_text() == "" for n in clean.find(hx_swap_oob="true"))


def test_values_and_errors_are_escaped():
    script = "<script>alert(1)</script>"
    errors = [FieldError("review_reason", "x", script)]
    form = form_of("post-supervision-review", {"review_reason": script}, errors)
    html = render(form) + render(form, "error_fragments_oob")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert tree(render(form)).by_id("in-review_reason").full_text() == script


def test_the_form_needs_a_csrf_token_from_the_page():
    bare = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    form = form_of("debit-card-otp")
    with_context = '{% from "form.html" import render_form with context %}{{ render_form(form, "/t") }}'
    html = bare.from_string(with_context).render(form=form, csrf_token="tok-1")
    assert tree(html).one(name="csrf_token").attrs["value"] == "tok-1"
    without = '{% from "form.html" import render_form %}{{ render_form(form, "/t") }}'
    with pytest.raises(Exception, match="csrf_token"):
        bare.from_string(without).render(form=form, csrf_token="tok-1")


def test_form_values_round_trip_through_the_inputs():
    assert [form_value(v) for v in (True, False, None, 3, 2.0, 0.5, "x")] == [
        "true",
        "false",
        "",
        "3",
        "2",
        "0.5",
        "x",
    ]


# --- one question at a time (the J3 questionnaire is the shipped example) ----------------------------------

QUESTIONNAIRE = "wealth-questionnaire"


def test_a_one_at_a_time_form_marks_each_drawn_question_as_a_step_and_names_its_timings():
    form = form_of(QUESTIONNAIRE)
    root = tree(render(form))
    (element,) = root.tags("form")
    assert "data-one-at-a-time" in element.attrs and element.attrs["data-timings"] == "answer_ms"
    steps = [n.attrs["data-field"] for n in root.all() if "data-step" in n.attrs]
    assert steps[:2] == ["age_band", "income_band"] and len(steps) == 10
    assert "questionnaire_version" not in steps and "answer_ms" not in steps
    # full width: every option's text on its own line, never two questions side by side
    assert all("half" not in root.by_id(f"field-{s}").attrs["class"] for s in steps)
    texts = [n.full_text().strip() for n in root.by_id("field-experience_type").find(**{"class": "choice"})]
    assert "期货、期权、私募基金或结构性产品" in texts


def test_the_timings_are_hidden_inputs_with_their_errors_not_a_visible_group():
    missing = FieldError("answer_ms", "answer_times_missing", "未收到每题作答用时")
    form = form_of(QUESTIONNAIRE, errors=[missing])
    root = tree(render(form))
    wrapper = root.by_id("field-answer_ms")
    assert wrapper.tags("fieldset") == [] and wrapper.tags("legend") == []
    inputs = wrapper.tags("input")
    assert {i.attrs["type"] for i in inputs} == {"hidden"}
    assert inputs[0].attrs["name"] == "answer_ms.income_band" and len(inputs) == 9
    assert root.by_id("err-answer_ms").full_text() == "未收到每题作答用时"
    assert "未收到每题作答用时" in root.by_id("form-errors").full_text()


def test_a_form_without_the_option_has_no_steps():
    form = form_of("wealth-circumstances")
    root = tree(render(form))
    assert not form.one_at_a_time and form.steps == ()
    assert not [n for n in root.all() if "data-step" in n.attrs]
    assert "data-one-at-a-time" not in root.tags("form")[0].attrs
