"""Sandbox 联网核查 (§2.4 A, §13.2)."""

from __future__ import annotations

import pytest

from engine.adapters.ports import SHANGHAI
from engine.errors import ExternalServiceError, ExternalTimeout

SCENARIOS = [
    ("420106199003071238", "张伟", "MATCH_WITH_PHOTO"),
    ("420105197505059006", "吴丽", "MATCH_WITH_PHOTO"),  # 900: the expired card is the reader's business
    ("420105198808089012", "郑强", "NAME_MISMATCH"),
    ("420112199209099022", "冯婷", "NOT_FOUND"),
    ("420115197707079032", "何军", "MATCH_NO_PHOTO"),
    ("420116199505059047", "许静", "MATCH_WITH_PHOTO"),  # 904: face fails, identity matches
    ("420102197903039079", "罗斌", "ID_CARD_INVALIDATED"),
    ("420103199303039118", "谢鹏", "MATCH_WITH_PHOTO"),  # 911: a watch-list case
    ("420112198707079214", "彭军", "MATCH_WITH_PHOTO"),  # 921: a core case
]


@pytest.mark.parametrize(("id_number", "name", "expected"), SCENARIOS)
def test_each_identity_scenario_answers_its_result_code(adapters, id_number, name, expected):
    assert adapters.identity.verify(name, id_number, "req-1").result == expected


def test_a_match_with_photo_returns_a_stable_registry_photo_reference(adapters):
    first = adapters.identity.verify("张伟", "420106199003071238", "req-1")
    again = adapters.identity.verify("张伟", "420106199003071238", "req-2")
    assert first.registry_photo_ref and first.registry_photo_ref == again.registry_photo_ref
    assert first.wording == "公民身份号码与姓名一致，且存在照片"


def test_match_no_photo_has_no_registry_photo(adapters):
    result = adapters.identity.verify("何军", "420115197707079032", "req-1")
    assert result.registry_photo_ref is None


def test_results_echo_the_request_id_with_a_shanghai_timestamp(adapters, clock):
    result = adapters.identity.verify("张伟", "420106199003071238", "inst-7:task-3")
    assert result.request_id == "inst-7:task-3"
    assert result.responded_at == clock.now
    assert result.responded_at.utcoffset() == SHANGHAI.utcoffset(clock.now)


def test_a_fixture_id_with_another_name_is_a_name_mismatch(adapters):
    assert adapters.identity.verify("李四", "420106199003071238", "req-1").result == "NAME_MISMATCH"


def test_a_synthetic_person_matches_whatever_name_is_submitted(adapters):
    assert adapters.identity.verify("欧阳𠮷", "420106199211110019", "req-1").result == "MATCH_WITH_PHOTO"


@pytest.mark.parametrize(
    "id_number",
    ["420106199003071230", "440524188001010014", "931156198501019424", "not-an-id"],
    ids=["wrong check character", "born 1880", "foreign permanent residence", "garbage"],
)
def test_numbers_the_citizen_registry_cannot_hold_are_not_found(adapters, id_number):
    assert adapters.identity.verify("某人", id_number, "req-1").result == "NOT_FOUND"


def test_a_hong_kong_residence_permit_matches_like_a_citizen(adapters):
    assert adapters.identity.verify("黄嘉豪", "810000199001019419", "req-1").result == "MATCH_WITH_PHOTO"


def test_905_times_out_at_once_with_the_zero_profile(adapters, sleeps):
    with pytest.raises(ExternalTimeout) as raised:
        adapters.identity.verify("高峰", "420117198606069051", "req-1")
    assert raised.value.system == "identity"
    assert sleeps.calls == []


def test_905_waits_the_ten_second_client_timeout_then_raises(make_adapters, sleeps):
    identity = make_adapters(latency_profile="normal").identity
    with pytest.raises(ExternalTimeout):
        identity.verify("高峰", "420117198606069051", "req-1")
    assert sleeps.calls == [10.0]


def test_906_is_unavailable_at_once(make_adapters, sleeps):
    identity = make_adapters(latency_profile="normal").identity
    with pytest.raises(ExternalServiceError) as raised:
        identity.verify("林娜", "420106198101019068", "req-1")
    assert raised.value.reason == "UNAVAILABLE"
    assert not isinstance(raised.value, ExternalTimeout)
    assert sum(sleeps.calls) < 0.1
