"""The factory, the ports the simulators satisfy, evidence records and the production guard."""

from __future__ import annotations

import json

import pytest

from engine.adapters.ports import (
    CoreBanking,
    FaceCompare,
    IdentityCheck,
    SmsGateway,
    TelcoRealName,
    WatchList,
    result_record,
)
from engine.adapters.sandbox import InMemorySandboxStore, build_sandbox_adapters, is_sandbox_fixture_id
from engine.adapters.sandbox.fixtures import FIXTURE_PERSONS


def test_the_factory_builds_one_of_each_adapter_satisfying_its_port():
    adapters = build_sandbox_adapters(InMemorySandboxStore())
    identity: IdentityCheck = adapters.identity
    face: FaceCompare = adapters.face
    watchlist: WatchList = adapters.watchlist
    telco: TelcoRealName = adapters.telco
    sms: SmsGateway = adapters.sms
    core: CoreBanking = adapters.core
    assert all([identity, face, watchlist, telco, sms, core])


def test_results_become_json_ready_records_with_request_id_and_result_code(adapters, open_request):
    record = result_record(adapters.core.open_account(open_request()))
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert (record["request_id"], record["result"]) == ("FB20250612-0001", "OK")
    assert record["responded_at"].endswith("+08:00") and record["business_date"] == "2025-06-12"
    screened = result_record(adapters.watchlist.screen_person("韩磊", "420105199606069130", None, "r"))
    assert screened["hits"][0]["match_type"] == "fuzzy_name"


@pytest.mark.parametrize("id_number", sorted(FIXTURE_PERSONS))
def test_production_can_recognise_every_fixture_id(id_number):
    assert is_sandbox_fixture_id(id_number)


def test_the_production_guard_normalises_and_ignores_synthetic_persons():
    assert is_sandbox_fixture_id(" 42010320070220004x ")
    assert not is_sandbox_fixture_id("420106199211110019")
