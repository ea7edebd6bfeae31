"""Sample J1 evidence (张伟 opens a debit card at an outreach event) shared by the evidence tests.

Imported by the other `test_evidence_*` modules; its own tests check the samples are what they claim.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from crypto import SM2PrivateKey, sm3
from documents.evidence.container import read_zip, write_zip
from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.evidence.package import BuiltPackage, build_package

SHANGHAI = timezone(timedelta(hours=8))
STARTED = datetime(2025, 6, 3, 10, 1, 2, tzinfo=SHANGHAI)
COMPLETED = datetime(2025, 6, 3, 10, 4, 33, 412000, tzinfo=SHANGHAI)

# A real 1x1 grey PNG and a JPEG-shaped blob: the package never decodes images, only digests them.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(64)) + b"\xff\xd9"
)

DOCUMENTS = {
    "account_application.pdf": b"%PDF-1.7\n% account opening application KH01\n%%EOF\n",
    "debit_card_agreement.pdf": b"%PDF-1.7\n% debit card rules and agreement\n%%EOF\n",
    "risk_notice.pdf": b"%PDF-1.7\n% account opening risk notice and declaration\n%%EOF\n",
    "voucher.pdf": b"%PDF-1.7\n% e-voucher 4201062025060300017\n%%EOF\n",
}


def image(role: str, content: bytes, media_type: str, number: int) -> EvidenceImage:
    return EvidenceImage(role, f"att_{number:032x}", media_type, content, sm3(content).hex())


def _check(result: str, request_id: str, seconds: int, **extra: object) -> dict[str, object]:
    return {
        "result": result,
        "request_id": request_id,
        "responded_at": STARTED + timedelta(seconds=seconds),
    } | extra


def sample_data() -> dict[str, object]:
    return {
        "product_code": "DC-STD",
        "customer_name": "张伟",
        "id_type": "RESIDENT_ID",
        "id_number": "420106199003071238",
        "reserved_mobile": "13900001234",
        "residential_address": "湖北省武汉市武昌区中北路123号",
        "occupation_code": "4-01-01",
        "account_purpose": "SALARY",
        "tax_residency": "CN_ONLY",
        "pep_declaration": False,
        "account_class": "I",
        "card_no": "6217991000000010010",
        "id_front_image": "att_" + "1".rjust(32, "0"),
        "checks": {
            "identity": _check("MATCH", "idv-7f3a91c2", 41, registry_photo_ref="reg-420106-001"),
            "face": _check("PASS", "face-0c55e1", 78, score=Decimal("91.50"), engine_version="fx-3.2.1"),
            "watchlist": _check("CLEAR", "wl-51d2aa", 42, list_version=date(2025, 6, 1)),
            "telco": _check("MATCH", "tel-9e00b4", 130, operator="cmcc"),
            "otp_verified": True,
        },
        "voucher": {
            "voucher_no": "4201062025060300017",
            "txn_code": "KH01",
            "business_date": date(2025, 6, 3),
            "currency": "CNY",
            "amount": Decimal("0.00"),
            "core_serial_no": "CORE20250603000417",
            "channel_serial_no": "FB-KH01-7d1c0e",
        },
    }


def sample_trail() -> list[dict[str, object]]:
    events = [
        (0, "instance_started", "S1001", None, {}),
        (35, "task_completed", "S1001", "read_id_card", {}),
        (40, "external_call", None, "identity_check", {"request_id": "idv-7f3a91c2", "result": "MATCH"}),
        (41, "external_call", None, "watchlist_check", {"request_id": "wl-51d2aa", "result": "CLEAR"}),
        (78, "external_call", None, "face_compare", {"request_id": "face-0c55e1", "result": "PASS"}),
        (130, "external_call", None, "telco_check", {"request_id": "tel-9e00b4", "result": "MATCH"}),
        (190, "external_call", None, "open_account", {"request_id": "core-2b8e", "result": "OK"}),
        (211, "task_completed", "S1001", "sign_documents", {}),
    ]
    return [
        {
            "at": STARTED + timedelta(seconds=offset),
            "kind": kind,
            "actor_id": actor,
            "device_id": "PAD-HB-0042",
            "task_spec": task,
            "detail": detail,
        }
        for offset, kind, actor, task, detail in events
    ]


def sample_facts(number: int = 17, **changes: object) -> EvidenceFacts:
    instance_id = f"5f0c7e9a-1d2b-4c3e-9f10-{number:012d}"
    facts = EvidenceFacts(
        package_id=f"EP-{instance_id}",
        process_id="debit_card_opening",
        process_name="借记卡开户开卡 (J1)",
        definition_version=3,
        definition_sha="9c1b2f4e7a0d3c5b8e6f1a2d4c7b9e0f3a5d8c1b4e7f0a2d5c8b1e4f7a0d3c6b",
        instance_id=instance_id,
        business_key=f"KH01-4201062025060300{number:03d}",
        branch_code="420106001",
        branch_name="武昌支行",
        staff_id="S1001",
        staff_name="李明",
        device_id="PAD-HB-0042",
        outcome="COMPLETED",
        outcome_reason="CARD_OPENED",
        started_at=STARTED,
        completed_at=COMPLETED,
        data=sample_data(),
        trail=sample_trail(),
        images=[
            image("id_front", JPEG, "image/jpeg", 1),
            image("id_back", JPEG[:-2] + b"back\xff\xd9", "image/jpeg", 2),
            image("live_face", JPEG[:-2] + b"face\xff\xd9", "image/jpeg", 3),
            image("signature", PNG, "image/png", 4),
        ],
        reviewer_id="S2001",
    )
    return replace(facts, **changes) if changes else facts  # type: ignore[arg-type]


def build_sample(
    key: SM2PrivateKey, number: int = 17, *, sequence: int = 1, previous: str | None = None
) -> BuiltPackage:
    return build_package(
        sample_facts(number), DOCUMENTS, sequence=sequence, previous_manifest_sm3=previous, signing_key=key
    )


def rezip(
    zip_bytes: bytes, changes: dict[str, bytes | None], *, add: tuple[tuple[str, bytes], ...] = ()
) -> bytes:
    """The same canonical archive with entries replaced (None: removed) or added: a careful forger."""
    entries = read_zip(zip_bytes)
    stamp = entries[0].dos_stamp
    kept = [(e.name, changes.get(e.name, bytes(e.content))) for e in entries]
    rewritten = [(name, content) for name, content in kept if content is not None]
    return write_zip(rewritten + list(add), stamp)


def flip(content: bytes, index: int = -1) -> bytes:
    changed = bytearray(content)
    changed[index] ^= 0x01
    return bytes(changed)


def test_sample_images_carry_the_sm3_taken_at_upload():
    for item in sample_facts().images:
        assert item.sm3 == sm3(item.content).hex()


def test_sample_png_is_a_well_formed_png():
    assert PNG.startswith(b"\x89PNG\r\n\x1a\n")
    idat = PNG[PNG.index(b"IDAT") + 4 : PNG.index(b"IEND") - 8]
    assert zlib.decompress(idat) == b"\x00\x00"
