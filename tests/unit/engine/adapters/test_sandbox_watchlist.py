"""Sandbox watch-list screening (§2.5, §13.2): exact-ID scenarios, common-name fuzzy hits, mobiles."""

from __future__ import annotations

from datetime import date

import pytest

from engine.adapters.sandbox.fixtures import WATCHLIST_VERSION

ID_SCENARIOS = [
    ("420103199303039118", "谢鹏", "BLOCK_DISCIPLINE"),
    ("420104197004049129", "唐敏", "BLOCK_SANCTIONS"),
    ("420105199606069130", "韩磊", "REVIEW_AML"),
    ("420111199808089145", "曹琳", "BLOCK_INTERNAL"),
    ("42011119680808915X", "邓刚", "REVIEW_ENHANCED"),
    ("420102198506150026", "王芳", "CLEAR"),
    ("420112198707079214", "彭军", "CLEAR"),
]


@pytest.mark.parametrize(("id_number", "name", "expected"), ID_SCENARIOS)
def test_each_watch_list_scenario_answers_its_result_code(adapters, id_number, name, expected):
    result = adapters.watchlist.screen_person(name, id_number, None, "req-1")
    assert result.result == expected
    assert result.list_version == WATCHLIST_VERSION
    assert bool(result.hits) == (expected != "CLEAR")


def test_the_happy_path_zhang_wei_born_1990_is_clear(adapters):
    result = adapters.watchlist.screen_person("张伟", "420106199003071238", date(1990, 3, 7), "req-1")
    assert (result.result, result.hits) == ("CLEAR", ())


def test_a_wang_wei_born_inside_the_listed_range_is_a_fuzzy_aml_review(adapters):
    result = adapters.watchlist.screen_person("王伟", "420106196805050013", None, "req-1")
    assert result.result == "REVIEW_AML"
    assert [(h.list_code, h.match_type) for h in result.hits] == [("SANCTIONS_CN_UN", "fuzzy_name")]


def test_a_zhang_wei_born_inside_the_second_fixture_range_is_a_fuzzy_aml_review(adapters):
    assert (
        adapters.watchlist.screen_person("张伟", "420106196503030017", None, "req-1").result == "REVIEW_AML"
    )


def test_a_date_of_birth_outside_the_range_rules_the_name_hit_out(adapters):
    assert adapters.watchlist.screen_person("王伟", "420106199001010028", None, "req-1").result == "CLEAR"


def test_the_birth_date_passed_in_takes_precedence_over_the_id(adapters):
    result = adapters.watchlist.screen_person("王伟", "420106199001010028", date(1970, 1, 1), "req-1")
    assert result.result == "REVIEW_AML"


def test_the_romanised_form_of_the_name_also_hits(adapters):
    assert (
        adapters.watchlist.screen_person("Wang  WEI", "420106196805050013", None, "r").result == "REVIEW_AML"
    )


def test_a_recorded_clearance_makes_later_screens_of_that_id_clear(adapters):
    adapters.watchlist.record_clearance("420106196805050013", WATCHLIST_VERSION, cleared_by="aml-01")
    assert adapters.watchlist.screen_person("王伟", "420106196805050013", None, "r").result == "CLEAR"
    assert adapters.watchlist.screen_person("韩磊", "420105199606069130", None, "r").result == "REVIEW_AML"


def test_a_clearance_under_an_older_list_version_does_not_count(adapters):
    adapters.watchlist.record_clearance("420106196805050013", "WL-2024.12-r3")
    assert adapters.watchlist.screen_person("王伟", "420106196805050013", None, "r").result == "REVIEW_AML"


def test_a_clearance_survives_in_the_shared_store_for_other_adapter_instances(make_adapters):
    make_adapters().watchlist.record_clearance("420105199606069130", WATCHLIST_VERSION)
    assert make_adapters().watchlist.screen_person("韩磊", "420105199606069130", None, "r").result == "CLEAR"


def test_a_clearance_never_lifts_a_block(adapters):
    adapters.watchlist.record_clearance("420104197004049129", WATCHLIST_VERSION)
    assert (
        adapters.watchlist.screen_person("唐敏", "420104197004049129", None, "r").result == "BLOCK_SANCTIONS"
    )


@pytest.mark.parametrize(
    ("mobile", "expected"),
    [("13900009009", "BLOCK_MOBILE"), ("13900009010", "REVIEW_MOBILE"), ("13900001234", "CLEAR")],
)
def test_mobile_screening_by_number(adapters, mobile, expected):
    result = adapters.watchlist.screen_mobile(mobile, "req-1")
    assert (result.result, result.request_id) == (expected, "req-1")


def test_mobile_screening_normalises_the_country_code(adapters):
    assert adapters.watchlist.screen_mobile("+86 139-0000-9009", "req-1").result == "BLOCK_MOBILE"
