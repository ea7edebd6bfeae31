"""Drives a J1 debit-card journey over the HTTP API, step by step, as a tablet would.

Used by `fieldbank demo` against a running server and by the tests through FastAPI's TestClient
(an httpx.Client), so the demo and the tests exercise exactly the same requests.
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from devices.demo import DEMO_DEVICE_OF
from forms.formats import id_birth_date, id_sex_code, luhn_check_digit

DEMO_PASSWORD = "fieldbank-demo"  # noqa: S105 - the published demo credential


# Where the sandbox's outreach activities happen (武昌, Wuhan), as a tablet's geolocation reports it.
OUTREACH_POSITION = {"lat": "30.546712", "lon": "114.341862", "accuracy_m": "15"}


def tiny_png(seed: int = 0) -> bytes:
    """A valid 2x2 PNG (distinct per seed), standing in for a camera capture."""
    raw = b"".join(b"\x00" + bytes([(seed * 7 + i) % 256, 80, 120] * 2) for i in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def sandbox_card(sequence: int) -> str:
    body = f"6219994201{sequence:08d}"
    return body + luhn_check_digit(body)


@dataclass
class Customer:
    name: str = "张伟"
    id_number: str = "420106199003071238"
    mobile: str = "13900001234"
    card_sequence: int = field(default_factory=lambda: 1000 + secrets.randbelow(800_000))
    id_valid_to: str = "2040-01-01"
    simulated_camera: str = "live_ok"
    accept_class_ii: bool = True
    occupation_code: str = "4"
    account_purpose: str = "daily_spending"
    replacement_mobile: str | None = None
    authorizer_decision: str = "APPROVE"


@dataclass
class JourneyResult:
    instance: dict[str, Any]
    steps: list[str]

    @property
    def outcome(self) -> str | None:
        return self.instance.get("outcome")


class JourneyError(RuntimeError):
    pass


class J1Driver:
    def __init__(
        self,
        client: httpx.Client,
        log: Callable[[str], None] = lambda _m: None,
        wait_seconds: float = 10.0,
        otp_source: Callable[[str], str] | None = None,
    ) -> None:
        """`otp_source(mobile)` reads the OTP where the sandbox SMS inbox API is absent."""
        self.client = client
        self.log = log
        self.wait = wait_seconds
        self.otp_source = otp_source
        self._tokens: dict[str, str] = {}
        self.devices: dict[str, str] = dict(DEMO_DEVICE_OF)
        """The device each tablet officer signs in on (the device gate refuses any other)."""
        self.last_card: str | None = None

    def use_device(self, username: str, device_id: str) -> None:
        """From now on `username` signs in (again) on `device_id`: the officer changed tablets."""
        self.devices[username] = device_id
        self._tokens.pop(username, None)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        if username not in self._tokens:
            body = {"username": username, "password": password}
            if username in self.devices:
                body["device_id"] = self.devices[username]
            r = self.client.post("/api/v1/auth/token", json=body)
            self._check(r, f"sign in as {username}")
            self._tokens[username] = r.json()["access_token"]
        return self._tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(username)}"}

    def upload(self, username: str, seed: int, *, watermark: bool = False) -> str:
        """`watermark`: a photo taken on the spot (§7.1), stamped by the server with its time and the
        position a tablet in 武昌 would report."""
        fields = {"watermark": "true", **OUTREACH_POSITION} if watermark else None
        r = self.client.post(
            "/api/v1/attachments",
            headers=self.headers(username),
            files={"file": (f"capture-{seed}.png", tiny_png(seed), "image/png")},
            data=fields,
        )
        self._check(r, "upload an image")
        return str(r.json()["attachment_id"])

    def start(self, username: str) -> dict[str, Any]:
        r = self.client.post(
            "/api/v1/processes/debit_card_opening/instances",
            headers=self.headers(username),
            json={"data": {}},
        )
        self._check(r, "start the journey")
        return dict(r.json())

    def next_state(self, username: str, instance: dict[str, Any]) -> dict[str, Any]:
        """Long-poll until the instance has a task or an outcome (the tablet's waiting screen)."""
        for _ in range(20):
            if instance["tasks"] or instance["status"] in ("completed", "incident", "waiting_user"):
                return instance
            r = self.client.get(
                f"/api/v1/instances/{instance['instance_id']}",
                headers=self.headers(username),
                params={"wait": self.wait, "version": instance["version"]},
            )
            self._check(r, "wait for the journey")
            instance = dict(r.json())
        return instance

    def run(
        self,
        customer: Customer,
        officer: str = "fo001",
        authorizer: str = "au001",
        stop_before: str | None = None,
    ) -> JourneyResult:
        instance = self.start(officer)
        self.log(f"started {instance['instance_id']}")
        return self.run_from(instance, customer, officer, authorizer, stop_before)

    def run_from(
        self,
        instance: dict[str, Any],
        customer: Customer,
        officer: str = "fo001",
        authorizer: str = "au001",
        stop_before: str | None = None,
        skip: list[str] | None = None,
    ) -> JourneyResult:
        """Continue a journey from the given instance state until it ends or reaches `stop_before`."""
        steps: list[str] = list(skip or [])
        for _ in range(40):
            instance = self.next_state(officer, instance)
            if instance["status"] in ("completed", "incident"):
                break
            task, actor = self._pick_task(instance, officer, authorizer)
            if task is None:
                break
            if stop_before == task["name"]:
                return JourneyResult(instance, steps)
            data = self.form_data(task["name"], customer, actor, steps)
            r = self.client.post(
                f"/api/v1/tasks/{task['task_id']}/complete", headers=self.headers(actor), json={"data": data}
            )
            self._check(r, f"complete {task['name']}")
            steps.append(task["name"])
            self.log(f"  {task['title']} ({task['name']}) done by {actor}")
            instance = dict(r.json())
            if actor != officer:  # the authorizer's answer lists only their tasks, not the officer's next
                instance = self._as_seen_by(officer, instance)
        return JourneyResult(instance, steps)

    def _as_seen_by(self, username: str, instance: dict[str, Any]) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/instances/{instance['instance_id']}", headers=self.headers(username))
        self._check(r, "look at the journey")
        return dict(r.json())

    def _pick_task(
        self, instance: dict[str, Any], officer: str, authorizer: str
    ) -> tuple[dict[str, Any] | None, str]:
        if instance["tasks"]:
            return instance["tasks"][0], officer
        r = self.client.get("/api/v1/tasks", headers=self.headers(authorizer))
        self._check(r, "list the authorizer's tasks")
        for task in r.json():
            if task["instance_id"] == instance["instance_id"]:
                return task, authorizer
        return None, officer

    def form_data(self, name: str, c: Customer, actor: str, steps: list[str]) -> dict[str, Any]:
        birth = id_birth_date(c.id_number)
        mobile = c.replacement_mobile if (c.replacement_mobile and "telco_retry" in steps) else c.mobile
        forms: dict[str, Callable[[], dict[str, Any]]] = {
            "id_card": lambda: {
                "customer_name": c.name,
                "sex": id_sex_code(c.id_number),
                "ethnicity": "01",
                "birth_date": birth.isoformat() if birth else "1990-01-01",
                "id_number": c.id_number,
                "registered_address": "湖北省武汉市武昌区中南路99号",
                "issuing_authority": "武汉市公安局武昌分局",
                "id_valid_from": "2020-01-01",
                "id_valid_to": c.id_valid_to,
                "chip_photo": self.upload(actor, 1),
                "id_front_image": self.upload(actor, 2),
                "id_back_image": self.upload(actor, 3),
            },
            "customer_consents": lambda: {
                "privacy_notice_ack": True,
                "biometric_separate": True,
                "third_party_verification": True,
            },
            "face_check": lambda: {
                "live_face_image": self.upload(actor, 4),
                "person_matches_id_attested": True,
                "simulated_camera": c.simulated_camera,
            },
            "customer_details": lambda: {
                "product_code": "DC_STANDARD",
                "reserved_mobile": mobile,
                "residential_address": {
                    "province_code": "420000",
                    "city_code": "420100",
                    "district_code": "420106",
                    "detail": "武昌区中南路99号1栋1单元101室",
                },
                "occupation_code": c.occupation_code,
                "account_purpose": c.account_purpose,
            },
            "otp_entry": lambda: {"otp_code": self.read_otp(actor, mobile)},
            "telco_retry": lambda: {"reserved_mobile": c.replacement_mobile or c.mobile},
            "class_ii_offer": lambda: {"accept_class_ii": c.accept_class_ii},
            "remote_authorization": lambda: {
                "decision": c.authorizer_decision,
                "reason_code": "VERIFIED_IN_PERSON"
                if c.authorizer_decision == "APPROVE"
                else "RISK_TOO_HIGH",
                "reason_text": "已当面核实客户身份与开户意愿",
            },
            "risk_notice": lambda: {
                "risk_notice_read": True,
                "declaration_own_use": True,
                "declaration_no_rent_lend_sell": True,
                "tax_residency": "CN_ONLY",
                "pep_declaration": False,
                "marketing_optin": False,
            },
            "card_scan": lambda: {
                "card_no": self._card(c, steps),
                "pin_pad_event_id": "pin_" + secrets.token_hex(8),
            },
            "signing": lambda: {
                "customer_signature": self.upload(actor, 5),
                "documents_confirmed": True,
            },
            "signing_witness": lambda: {"operator_attestation": True},
        }
        if name not in forms:
            raise JourneyError(f"no data for task {name!r}")
        return forms[name]()

    def _card(self, c: Customer, steps: list[str]) -> str:
        self.last_card = sandbox_card(c.card_sequence + steps.count("card_scan"))
        return self.last_card

    def read_otp(self, username: str, mobile: str) -> str:
        if self.otp_source is not None:
            return self.otp_source(mobile)
        r = self.client.get(f"/api/v1/sandbox/sms/{mobile}", headers=self.headers(username))
        self._check(r, "read the SMS inbox")
        messages = r.json()
        if not messages:
            raise JourneyError("no SMS arrived")
        found = re.search(r"(\d{6})", messages[-1]["text"])
        if not found:
            raise JourneyError("the SMS holds no code")
        return found.group(1)

    @staticmethod
    def _check(response: httpx.Response, what: str) -> None:
        if response.status_code >= 400:
            raise JourneyError(f"could not {what}: HTTP {response.status_code} {response.text[:500]}")
