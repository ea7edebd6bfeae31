"""Issue 28 item 1: 省/市/县 picked by name, prefilled from the chip's address, held to GB/T 2260."""

from __future__ import annotations

import json

import pytest

from api.web.form_view import build_form
from engine.task_forms import prefill
from forms import FormCatalogue, validate_form_data
from forms.regions import division_problem, divisions, find_in_address, prefill_address

CATALOGUE = FormCatalogue()
DETAILS = "debit-card-customer-details"


def _form() -> tuple[dict, dict]:
    f = CATALOGUE.get(f"{DETAILS}-schema.json")
    return f.schema, json.loads((CATALOGUE.directory / f"{DETAILS}-uischema.json").read_text())


def _details(**address: str) -> dict:
    return {
        "product_code": "DC_STANDARD",
        "reserved_mobile": "13900001234",
        "residential_address": {"detail": "中南路99号1栋101室", **address},
        "occupation_code": "4",
        "account_purpose": "daily_spending",
    }


def test_the_division_table_is_gb_t_2260_six_digit_codes_by_name():
    table = divisions()
    assert table.names["420000"] == "湖北省" and table.names["420100"] == "武汉市"
    assert ("420106", "武昌区") in table.options("420100")
    assert ("420100", "武汉市") in table.options("420000")
    assert ("429004", "仙桃市") in table.options("429000")  # 省直辖县级行政区划
    assert table.options("110000") == [("110100", "市辖区")]
    assert all(len(code) == 6 and code.isdigit() for code in table.names)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("湖北省武汉市武昌区中南路99号", ("420000", "420100", "420106")),
        ("北京市朝阳区某某路1号", ("110000", "110100", "110105")),
        ("湖北省仙桃市某路1号", ("420000", "429000", "429004")),
        ("上海市", ("310000",)),
        ("某某村3组", ()),
    ],
)
def test_the_registered_address_names_its_divisions(address, expected):
    fields = ("province_code", "city_code", "district_code")
    assert find_in_address(address) == dict(zip(fields, expected, strict=False))


def test_a_code_that_is_no_division_or_a_county_under_another_city_is_a_field_error():
    schema, _ = _form()
    assert (
        validate_form_data(
            schema, _details(province_code="420000", city_code="420100", district_code="420106")
        )
        == []
    )
    unknown = validate_form_data(
        schema, _details(province_code="420000", city_code="420100", district_code="420199")
    )
    assert [(e.field, e.code) for e in unknown] == [("residential_address.district_code", "unknown_division")]
    elsewhere = validate_form_data(
        schema, _details(province_code="420000", city_code="420100", district_code="420202")
    )
    assert [(e.field, e.code) for e in elsewhere] == [
        ("residential_address.district_code", "unknown_division")
    ]
    assert "不属于" in elsewhere[0].message
    city = validate_form_data(
        schema, _details(province_code="420000", city_code="110100", district_code="110101")
    )
    assert [e.field for e in city] == ["residential_address.city_code"]
    assert division_problem({"province_code": "990000", "city_code": "990100", "district_code": "990101"})


def test_the_customer_details_form_prefills_the_divisions_from_the_chip_address():
    schema, _ = _form()
    shown = prefill(
        schema, {"registered_address": "湖北省武汉市武昌区中南路99号", "reserved_mobile": "13900001234"}
    )
    assert shown["residential_address"] == {
        "province_code": "420000",
        "city_code": "420100",
        "district_code": "420106",
        "detail": "中南路99号",  # the rest of the chip's address, for the officer to confirm
    }
    kept = {"residential_address": {"province_code": "110000"}, "registered_address": "湖北省武汉市"}
    assert prefill(schema, kept)["residential_address"] == {"province_code": "110000"}


def test_the_region_widget_draws_three_linked_selects_by_name():
    schema, ui = _form()
    form = build_form(schema, ui, {"residential_address": find_in_address("湖北省武汉市武昌区中南路99号")})
    group = next(f for f in form.fields if f.name == "residential_address")
    assert group.widget == "region"
    province, city, county, detail = group.children
    assert [c.widget for c in (province, city, county)] == ["select"] * 3
    assert [c.region_level for c in (province, city, county)] == [
        "province_code",
        "city_code",
        "district_code",
    ]
    assert ("420000", "湖北省") in province.options and province.value == "420000"
    assert ("420100", "武汉市") in city.options and ("110100", "市辖区") not in city.options
    assert ("420106", "武昌区") in county.options and county.chosen_label == "武昌区"
    assert detail.widget == "textarea"


def test_the_lint_accepts_region_only_on_a_gb2260_address_group(tmp_path):
    (tmp_path / "f-schema.json").write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "addr": {
                        "type": "object",
                        "x-gb2260": True,
                        "properties": {
                            n: {"type": "string"}
                            for n in ("province_code", "city_code", "district_code", "detail")
                        },
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    good = tmp_path / "f-uischema.json"
    good.write_text(json.dumps({"addr": {"ui:widget": "region"}}), encoding="utf-8")
    assert FormCatalogue(tmp_path).lint_form("f-schema.json", "f-uischema.json") == []
    good.write_text(json.dumps({"name": {"ui:widget": "region"}}), encoding="utf-8")
    problems = FormCatalogue(tmp_path).lint_form("f-schema.json", "f-uischema.json")
    assert [p.pointer for p in problems] == ["/name/ui:widget"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("湖北省武汉市武昌区中南路99号", {"district_code": "420106", "detail": "中南路99号"}),
        ("北京市朝阳区某某路1号院2栋", {"district_code": "110105", "detail": "某某路1号院2栋"}),
        ("湖北省武汉市武昌区", {"district_code": "420106"}),  # nothing after the county
        ("湖北省武汉市武昌区1号", {"district_code": "420106"}),  # too short to be a §3.4 detail
        ("湖北省武汉市某某街道中南路99号", {"city_code": "420100"}),  # no county: no detail either
    ],
)
def test_an_address_prefills_its_rest_as_the_detail_only_when_all_three_divisions_are_named(
    address, expected
):
    shown = prefill_address(address)
    assert {k: v for k, v in shown.items() if k in expected} == expected
    assert ("detail" in shown) == ("detail" in expected)


def test_an_address_prefilled_down_to_the_city_leaves_the_county_and_the_detail_to_the_officer():
    assert prefill_address("湖北省武汉市武昌区中南路99号", deepest="city_code") == {
        "province_code": "420000",
        "city_code": "420100",
    }
    assert prefill_address("湖北省武汉市武昌区中南路99号", with_detail=False) == find_in_address(
        "湖北省武汉市武昌区中南路99号"
    )


def _gb2260_lint(tmp_path, spec: object) -> list[str]:
    address = {n: {"type": "string"} for n in ("province_code", "city_code", "district_code", "detail")}
    schema = {
        "type": "object",
        "properties": {"addr": {"type": "object", "x-gb2260": spec, "properties": address}},
    }
    (tmp_path / "g-schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "g-uischema.json").write_text(json.dumps({"addr": {"ui:widget": "region"}}), encoding="utf-8")
    return [p.pointer for p in FormCatalogue(tmp_path).lint_form("g-schema.json", "g-uischema.json")]


def test_the_lint_takes_prefill_to_only_as_a_division_level(tmp_path):
    assert _gb2260_lint(tmp_path, {"prefill_from": "registered_address", "prefill_to": "city_code"}) == []
    assert _gb2260_lint(tmp_path, {"prefill_from": "registered_address", "prefill_to": "detail"}) == [
        "/properties/addr/x-gb2260/prefill_to"
    ]
    assert _gb2260_lint(tmp_path, {"prefill_from": "registered_address", "prefill_depth": 2}) == [
        "/properties/addr/x-gb2260/prefill_depth"
    ]
