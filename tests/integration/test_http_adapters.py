"""Contract tests per port: the same §13 fixtures give the same answers from the sandbox called directly
and from the HTTP client talking to the sandbox HTTP server on 127.0.0.1 (real sockets)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

from engine.adapters.http import build_http_adapters
from engine.adapters.ports import (
    SHANGHAI,
    CardApplication,
    CardCentre,
    CoreBanking,
    FaceCompare,
    IdentityCheck,
    OpenAccountRequest,
    SmsGateway,
    SupplementaryHolder,
    TelcoRealName,
    WatchList,
    result_record,
)
from engine.adapters.sandbox import (
    InMemorySandboxStore,
    SandboxAdapters,
    SandboxKnobs,
    build_sandbox_adapters,
)
from engine.adapters.sandbox.http_server import serve_sandbox
from engine.errors import ExternalServiceError, ExternalTimeout

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
HAPPY_ID, HAPPY_NAME, MOBILE = "420106199003071238", "张伟", "13900001234"
CARD_1, CARD_2, CARD_DAMAGED = "6219994201000000010", "6219994201000000028", "6219994201000000994"


@dataclass(frozen=True)
class Ports:
    identity: IdentityCheck
    face: FaceCompare
    watchlist: WatchList
    telco: TelcoRealName
    sms: SmsGateway
    core: CoreBanking
    card_centre: CardCentre
    sandbox: SandboxAdapters  # behind the wire: for what no port offers (the SMS inbox)


def no_sleep(_seconds: float) -> None:
    pass


def sandbox_with(**knobs: Any) -> SandboxAdapters:
    knobs.setdefault("latency_profile", "zero")
    return build_sandbox_adapters(
        InMemorySandboxStore(), SandboxKnobs(**knobs), clock=lambda: NOW, sleep=no_sleep
    )


@pytest.fixture
def served() -> Iterator[Callable[[SandboxAdapters], str]]:
    """Serves a sandbox on 127.0.0.1 and returns its base URL; everything stops after the test."""
    servers = []

    def serve(sandbox: SandboxAdapters) -> str:
        server, _thread, base_url = serve_sandbox(sandbox)
        servers.append(server)
        return base_url

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["sandbox", "http"])
def make_ports(
    request: pytest.FixtureRequest, served: Callable[[SandboxAdapters], str]
) -> Iterator[Callable[..., Ports]]:
    opened = []

    def make(**knobs: Any) -> Ports:
        sandbox = sandbox_with(**knobs)
        if request.param == "sandbox":
            return Ports(
                sandbox.identity,
                sandbox.face,
                sandbox.watchlist,
                sandbox.telco,
                sandbox.sms,
                sandbox.core,
                sandbox.card_centre,
                sandbox,
            )
        http = build_http_adapters(served(sandbox))
        opened.append(http)
        return Ports(
            http.identity,
            http.face,
            http.watchlist,
            http.telco,
            http.sms,
            http.core,
            http.card_centre,
            sandbox,
        )

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def ports(make_ports: Callable[..., Ports]) -> Ports:
    return make_ports()


def opening(**fields: Any) -> OpenAccountRequest:
    base: dict[str, Any] = {
        "channel_serial_no": "FB20250612-0001",
        "id_number": HAPPY_ID,
        "name": HAPPY_NAME,
        "mobile": MOBILE,
        "account_class": "I",
        "product_code": "DEBIT_STD",
        "card_no": CARD_1,
        "branch_code": "420101",
        "operator_id": "fo-001",
    }
    return OpenAccountRequest(**{**base, **fields})


# --- identity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_number", "name", "expected"),
    [
        (HAPPY_ID, HAPPY_NAME, "MATCH_WITH_PHOTO"),
        ("420105198808089012", "郑强", "NAME_MISMATCH"),
        ("420115197707079032", "何军", "MATCH_NO_PHOTO"),
        ("420102197903039079", "罗斌", "ID_CARD_INVALIDATED"),
    ],
)
def test_identity_answers_each_scenarios_result_code(ports, id_number, name, expected):
    result = ports.identity.verify(name, id_number, "inst-1:verify")
    assert (result.result, result.request_id, result.responded_at) == (expected, "inst-1:verify", NOW)
    assert result.responded_at.tzinfo == SHANGHAI and result.wording


def test_identity_905_times_out_and_906_is_unavailable(ports):
    with pytest.raises(ExternalTimeout) as timed_out:
        ports.identity.verify("高峰", "420117198606069051", "r-1")
    with pytest.raises(ExternalServiceError) as unavailable:
        ports.identity.verify("林娜", "420106198101019068", "r-2")
    assert timed_out.value.system == "identity"
    assert type(unavailable.value) is ExternalServiceError and unavailable.value.reason == "UNAVAILABLE"


# --- face -------------------------------------------------------------------------------------------


def test_face_scores_pass_gray_and_liveness_fail(ports):
    passed = ports.face.compare(HAPPY_ID, "sha256:aa", True, 1, None, "r-1")
    gray = ports.face.compare("420104199202029099", "sha256:aa", True, 2, "live OK", "r-2")
    spoofed = ports.face.compare(HAPPY_ID, "sha256:aa", False, 3, "spoof", "r-3")
    assert passed.result == "PASS" and 85 <= (passed.score or 0) <= 99
    assert (gray.result, gray.score, gray.attempt) == ("GRAY", 72.0, 2)
    assert (spoofed.result, spoofed.score, spoofed.reference) == ("LIVENESS_FAIL", None, "chip")


def test_face_refuses_an_unknown_simulated_camera_as_invalid(ports):
    with pytest.raises(ValueError):
        ports.face.compare(HAPPY_ID, "sha256:aa", True, 1, "mirror", "r-1")


# --- watch list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_number", "name", "birth_date", "expected"),
    [
        (HAPPY_ID, HAPPY_NAME, None, "CLEAR"),
        ("420104197004049129", "唐敏", None, "BLOCK_SANCTIONS"),
        ("420105199606069130", "韩磊", None, "REVIEW_AML"),
        ("420106196805050013", "王伟", None, "REVIEW_AML"),
        ("420106196805050013", "王伟", date(1990, 1, 1), "CLEAR"),  # the birth date travels
    ],
)
def test_watchlist_screens_people(ports, id_number, name, birth_date, expected):
    result = ports.watchlist.screen_person(name, id_number, birth_date, "r-1")
    assert (result.result, result.list_version) == (expected, "WL-2025.06-r1")


def test_watchlist_hits_arrive_as_port_dataclasses(ports):
    result = ports.watchlist.screen_person("韩磊", "420105199606069130", None, "r-1")
    assert isinstance(result.hits, tuple) and result.hits[0].match_type == "fuzzy_name"


def test_watchlist_screens_mobiles(ports):
    blocked = ports.watchlist.screen_mobile("13900009009", "r-1")
    assert blocked.result == "BLOCK_MOBILE" and blocked.hits[0].match_type == "exact_mobile"
    assert ports.watchlist.screen_mobile(MOBILE, "r-2").result == "CLEAR"


# --- telco ------------------------------------------------------------------------------------------


def test_telco_matches_mismatches_and_reports_porting(ports):
    matched = ports.telco.verify(HAPPY_NAME, HAPPY_ID, MOBILE, "r-1")
    assert (matched.result, matched.operator, matched.tenure_bucket) == ("MATCH", "cmcc", "[24,inf)")
    assert ports.telco.verify(HAPPY_NAME, HAPPY_ID, "13900009001", "r-2").result == "MISMATCH"
    assert ports.telco.verify(HAPPY_NAME, HAPPY_ID, "13900009006", "r-3").ported is True


def test_telco_13900009007_times_out_and_13900009008_is_unavailable(ports):
    with pytest.raises(ExternalTimeout):
        ports.telco.verify(HAPPY_NAME, HAPPY_ID, "13900009007", "r-1")
    with pytest.raises(ExternalServiceError) as unavailable:
        ports.telco.verify(HAPPY_NAME, HAPPY_ID, "13900009008", "r-2")
    assert unavailable.value.reason == "UNAVAILABLE"


# --- SMS --------------------------------------------------------------------------------------------


def test_sms_is_delivered_once_per_request_id(ports):
    ports.sms.send(MOBILE, "验证码 482913", "otp-1")
    ports.sms.send(MOBILE, "验证码 482913", "otp-1")  # a retried submit
    assert [m.text for m in ports.sandbox.sms.inbox(MOBILE)] == ["验证码 482913"]
    with pytest.raises(ValueError):
        ports.sms.send("1234567890123", "hi", "otp-2")


# --- core -------------------------------------------------------------------------------------------


def test_core_lookup_reports_cif_counts_and_restrictions(ports):
    existing = ports.core.lookup_customer("420112198707079214", "彭军", "r-1")
    restricted = ports.core.lookup_customer("420106199101019230", "蔡明", "r-2")
    assert (existing.cif_no, existing.class_i_count) == ("C0000000921", 1)
    assert (restricted.result, restricted.restrictions) == ("CUSTOMER_RESTRICTED", ("NON_COUNTER_SUSPENDED",))


def test_core_checks_cards(ports):
    assert ports.core.check_card(CARD_1, "fo-001", "r-1").result == "OK"
    assert ports.core.check_card(CARD_DAMAGED, "fo-001", "r-2").result == "CARD_DAMAGED"


def test_core_opening_is_idempotent_on_the_channel_serial(ports):
    first = ports.core.open_account(opening())
    assert first.result == "OK" and first.business_date == date(2025, 6, 12)
    assert ports.core.open_account(opening()) == first
    assert ports.core.open_account(opening(card_no=CARD_2)).result == "DUPLICATE_SERIAL_MISMATCH"
    status = ports.core.query_status("FB20250612-0001", "q-1")
    assert (status.status, status.request_id, status.result) == ("OPENED", "q-1", first)
    assert ports.core.query_status("FB-NEVER", "q-2").status == "NOT_FOUND"


def test_core_business_rejections_are_answers_not_errors(ports):
    result = ports.core.open_account(opening(id_number="420112198707079214", name="彭军"))
    assert result.result == "CLASS_I_EXISTS" and result.account_no is None


def test_core_refuses_openings_during_end_of_day(make_ports):
    ports = make_ports(force_core_eod=True)
    with pytest.raises(ExternalServiceError) as caught:
        ports.core.open_account(opening())
    assert caught.value.reason == "CORE_EOD"


def test_core_commit_then_timeout_is_resolved_by_querying_the_status(make_ports):
    ports = make_ports(core_mode="commit_then_timeout")
    with pytest.raises(ExternalTimeout):
        ports.core.open_account(opening())
    status = ports.core.query_status("FB20250612-0001", "q-1")
    assert status.status == "OPENED" and status.result is not None
    assert ports.core.open_account(opening()) == status.result


def test_core_a_serial_still_processing_is_in_progress(make_ports):
    ports = make_ports(core_mode="processing")
    with pytest.raises(ExternalTimeout):
        ports.core.open_account(opening())
    assert ports.core.query_status("FB20250612-0001", "q-1").status == "PROCESSING"
    with pytest.raises(ExternalServiceError) as caught:
        ports.core.open_account(opening())
    assert caught.value.reason == "IN_PROGRESS"


# --- card centre ------------------------------------------------------------------------------------

WANG_FANG, PIN_BLOCK = "420102198506150026", "041234FFFFFFFFFF"


def card_application(**fields: Any) -> CardApplication:
    base: dict[str, Any] = {
        "request_id": "J2-1:submit",
        "id_number": WANG_FANG,
        "name": "王芳",
        "product_code": "CC-STANDARD",
        "annual_income": 180_000,
        "income_proofs": ("income_proof", "bank_statement"),
        "credit_auth_signed_at": NOW.replace(hour=9),
        "flags": ("FACE_GRAY",),
        "delivery": "WORK",
    }
    return CardApplication(**{**base, **fields})


def test_card_centre_holdings_and_its_own_de_duplication(ports):
    assert ports.card_centre.holdings(WANG_FANG, "h-1").held_products == ()
    first = ports.card_centre.submit(card_application())
    assert ports.card_centre.submit(card_application()) == first  # idempotent on the request id
    held = ports.card_centre.holdings(WANG_FANG, "h-2")
    assert (held.request_id, held.held_products, held.in_progress_products) == ("h-2", ("CC-STANDARD",), ())
    second = ports.card_centre.submit(card_application(request_id="J2-2:submit"))
    assert second.status == "RECEIVED" and second.application_no != first.application_no
    decisions = {d.application_no: d for _k, d in ports.sandbox.card_centre.due_decisions(NOW)}
    assert decisions[first.application_no].decision == "APPROVED"
    assert (decisions[second.application_no].decision, decisions[second.application_no].reason) == (
        "DECLINED",
        "PRODUCT_HELD",
    )


def test_card_centre_takes_up_the_supplementary_holder_as_sent(ports):
    holder = SupplementaryHolder(
        id_number="42010320070220004X",  # §13.2 赵雨桐, 18: a supplementary holder may be 16+ (§7.3)
        name="赵雨桐",
        relation="CHILD",
        identity_result="MATCH_WITH_PHOTO",
        watchlist_result="CLEAR",
        signature_ref="att_" + "5" * 32,
    )
    with_holder = ports.card_centre.submit(card_application(supplementary_holder=holder)).application_no
    without = ports.card_centre.submit(card_application(request_id="J2-2:submit")).application_no
    centre = ports.sandbox.card_centre
    assert centre.received(with_holder).supplementary_holder == holder
    assert centre.received(without).supplementary_holder is None


def test_card_centre_refusals_raise_the_same_reasons(ports):
    with pytest.raises(ExternalServiceError) as no_auth:
        ports.card_centre.submit(card_application(credit_auth_signed_at=None))
    assert no_auth.value.reason == "AUTH_MISSING"
    with pytest.raises(ExternalServiceError) as unknown:
        ports.card_centre.submit_documents("CC000", ("bank_statement",), "d-1")
    assert unknown.value.reason == "UNKNOWN_APPLICATION"
    with pytest.raises(ExternalServiceError) as no_card:
        ports.card_centre.card_status("CC000", "s-1")
    assert no_card.value.reason == "UNKNOWN_APPLICATION"


def test_card_centre_activates_a_delivered_card_once_with_a_verified_identity(make_ports):
    ports = make_ports(card_step_s=0)  # produced, mailed and delivered at once
    number = ports.card_centre.submit(card_application()).application_no
    status = ports.card_centre.card_status(number, "s-1")
    assert (status.state, status.delivery, status.usable, status.fees_from) == (
        "DELIVERED",
        "WORK",
        False,
        None,
    )
    centre = ports.card_centre
    assert (
        centre.activate(number, WANG_FANG, False, False, PIN_BLOCK, "a-1").result == "IDENTITY_NOT_VERIFIED"
    )
    assert centre.activate(number, HAPPY_ID, True, False, PIN_BLOCK, "a-2").result == "IDENTITY_MISMATCH"
    with pytest.raises(ValueError):
        centre.activate(number, WANG_FANG, True, False, "1234", "a-3")
    done = centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-4")
    assert (done.result, done.activated_at) == ("ACTIVATED", NOW)
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-4") == done
    assert centre.activate(number, WANG_FANG, True, False, PIN_BLOCK, "a-5").result == "ALREADY_ACTIVE"
    active = centre.card_status(number, "s-2")
    assert (active.state, active.usable, active.fees_from) == ("ACTIVE", True, NOW.date())


def test_card_centre_refuses_to_activate_a_card_not_produced_yet(ports):
    number = ports.card_centre.submit(card_application(delivery="BRANCH")).application_no
    assert ports.card_centre.card_status(number, "s-1").state == "NOT_ISSUED"
    assert ports.card_centre.activate(number, WANG_FANG, True, True, PIN_BLOCK, "a-1").result == "NOT_ISSUED"


# --- the wire itself --------------------------------------------------------------------------------


def test_http_answers_equal_the_sandboxs_field_for_field(served):
    direct, behind = sandbox_with(), sandbox_with()
    http = build_http_adapters(served(behind))
    calls: list[Callable[[Any], Any]] = [
        lambda p: p.identity.verify("何军", "420115197707079032", "r-1"),
        lambda p: p.face.compare("420116199505059047", "sha256:bb", True, 1, None, "r-2"),
        lambda p: p.watchlist.screen_person("邓刚", "42011119680808915X", None, "r-3"),
        lambda p: p.watchlist.screen_mobile("13900009010", "r-4"),
        lambda p: p.telco.verify(HAPPY_NAME, HAPPY_ID, "17000009001", "r-5"),
        lambda p: p.core.lookup_customer("420115198909099220", "蒋欣", "r-6"),
        lambda p: p.core.open_account(opening()),
        lambda p: p.core.query_status("FB20250612-0001", "r-7"),
        lambda p: p.card_centre.submit(card_application()),
        lambda p: p.card_centre.holdings(WANG_FANG, "r-8"),
        lambda p: p.card_centre.card_status(p.card_centre.submit(card_application()).application_no, "r-9"),
        lambda p: p.card_centre.activate("CC000", WANG_FANG, True, False, PIN_BLOCK, "r-10"),
    ]
    try:
        for call in calls:
            assert result_record(call(http)) == result_record(call(direct))
    finally:
        http.close()


def test_a_silent_endpoint_times_out_after_the_clients_own_timeout(served):
    # `fast` makes the sandbox answer 905 with a 504 after 1 s; the client gives up at 0.2 s
    slow = build_sandbox_adapters(
        InMemorySandboxStore(), SandboxKnobs(latency_profile="fast"), sleep=time.sleep
    )
    http = build_http_adapters(served(slow), timeouts={"identity": 0.2})
    started = time.monotonic()
    try:
        with pytest.raises(ExternalTimeout) as caught:
            http.identity.verify("高峰", "420117198606069051", "r-1")
    finally:
        http.close()
    assert time.monotonic() - started < 0.9
    assert caught.value.system == "identity"


def test_an_endpoint_nobody_listens_on_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = build_http_adapters(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ExternalServiceError) as caught:
            http.core.open_account(opening())
    finally:
        http.close()
    assert type(caught.value) is ExternalServiceError and caught.value.reason == "UNAVAILABLE"
