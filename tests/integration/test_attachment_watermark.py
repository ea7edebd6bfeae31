"""The §7.1 time + GPS watermark over HTTP, on PostgreSQL and SQLite: the upload draws it and answers
what it says, bad positions are field errors, and J2's 三亲见 refuses a photo that carries none."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from api.bootstrap import Services
from api.journey_driver import DEMO_PASSWORD, OUTREACH_POSITION, J1Driver, tiny_png
from crypto import sm3
from devices.demo import DEMO_DEVICE_OF
from engine.task_forms import WATERMARK_REQUIRED
from tests.integration.credit_card_driver import Applicant, CreditCardDriver
from tests.integration.test_web_pages import sign_in

API = "/api/v1/attachments"


def post(client: TestClient, headers: dict[str, str], fields: dict[str, str] | None, seed: int = 1) -> Any:
    return client.post(
        API, headers=headers, files={"file": ("capture.png", tiny_png(seed), "image/png")}, data=fields
    )


def test_a_watermarked_upload_stores_the_stamped_jpeg_and_says_what_is_on_it(
    client: TestClient, services: Services
) -> None:
    signed_in = client.post(
        "/api/v1/auth/token",
        json={"username": "fo001", "password": DEMO_PASSWORD, "device_id": DEMO_DEVICE_OF["fo001"]},
    )
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    r = post(client, headers, {"watermark": "true", **OUTREACH_POSITION})
    assert r.status_code == 201, r.text
    body = r.json()
    mark = body["watermark"]
    assert body["media_type"] == "image/jpeg"  # the PNG capture was re-encoded with its strip
    assert (mark["lat"], mark["lon"], mark["accuracy_m"]) == (30.546712, 114.341862, 15.0)
    assert (mark["staff_id"], mark["device_id"]) == ("fo001", DEMO_DEVICE_OF["fo001"])
    captured = datetime.fromisoformat(mark["captured_at"])
    created = datetime.fromisoformat(body["created_at"])
    assert captured.utcoffset() is not None and captured.utcoffset().total_seconds() == 8 * 3600
    assert captured == created.replace(microsecond=0, tzinfo=created.tzinfo or captured.tzinfo)

    record, content = services.attachments.read(body["attachment_id"])
    assert body["sm3"] == sm3(content).hex() and body["size"] == len(content)  # the digest is of the stamped
    assert Image.open(io.BytesIO(content)).format == "JPEG" and content != tiny_png(1)
    assert record.watermark == mark


def test_an_upload_without_a_position_is_stamped_as_such_and_one_without_watermark_is_kept_as_sent(
    client: TestClient, services: Services
) -> None:
    headers = J1Driver(client).headers("fo001")
    r = post(client, headers, {"watermark": "true"})
    assert r.status_code == 201, r.text
    mark = r.json()["watermark"]
    assert (mark["lat"], mark["lon"], mark["accuracy_m"]) == (None, None, None)

    for fields in (None, {"watermark": "false"}):
        r = post(client, headers, fields, seed=2)
        assert r.status_code == 201, r.text
        assert r.json()["watermark"] is None and r.json()["media_type"] == "image/png"
        record, content = services.attachments.read(r.json()["attachment_id"])
        assert record.watermark is None and content == tiny_png(2)


def test_bad_positions_are_field_errors_never_500(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    cases = [
        ({"watermark": "true", "lat": "91", "lon": "114"}, {("lat", "out_of_range")}),
        ({"watermark": "true", "lat": "30", "lon": "-181"}, {("lon", "out_of_range")}),
        ({"watermark": "true", "lat": "north", "lon": "1e9"}, {("lat", "invalid"), ("lon", "invalid")}),
        (
            {"watermark": "true", "lat": "3", "lon": "4", "accuracy_m": "20000"},
            {("accuracy_m", "out_of_range")},
        ),
        ({"watermark": "true", "lat": "30"}, {("lon", "required")}),
        ({"watermark": "maybe"}, {("watermark", "invalid")}),
        ({"lat": "30", "lon": "114"}, {("lat", "unexpected"), ("lon", "unexpected")}),
    ]
    for fields, expected in cases:
        r = post(client, headers, fields)
        assert r.status_code == 422, (fields, r.text)
        body = r.json()
        assert body["code"] == "validation_failed"
        assert {(d["field"], d["code"]) for d in body["details"]} == expected, fields


def test_the_tablets_upload_takes_and_checks_the_same_fields(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    headers = {"X-CSRF-Token": browser.csrf_token}
    files = {"file": ("photo.png", tiny_png(3), "image/png")}
    fields = {"watermark": "true", "lat": "30.5", "lon": "114.3", "accuracy_m": "8"}
    sent = {"accept": "application/json", "headers": headers, "files": files}
    r = browser.post("/media/attachments", **sent, data=fields)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["watermark"]["staff_id"] == "fo001"
    preview = browser.get(body["url"], accept="image/*")  # the officer sees the stamped image
    assert preview.headers["content-type"] == "image/jpeg" and preview.content.startswith(b"\xff\xd8\xff")

    bad = {"watermark": "true", "lat": "-90.5", "lon": "114.3"}
    r = browser.post("/media/attachments", **sent, data=bad)
    assert r.status_code == 422
    [error] = r.json()["details"]
    assert (error["field"], error["code"], error["message"]) == ("lat", "out_of_range", "纬度须在-90到90之间")


def test_the_sightings_refuse_an_applicant_photo_without_the_watermark(client: TestClient) -> None:
    driver = CreditCardDriver(client)
    at_sightings = driver.run(Applicant(), stop_before="sightings").instance
    [task] = at_sightings["tasks"]
    headers = driver.headers("fo001")
    data = {
        "applicant_photo": driver.upload("fo001", 12),  # from the gallery or another tool: no watermark
        "doc_income_proof_seen": True,
        "doc_income_proof_photo": driver.upload("fo001", 13, watermark=True),
    }
    r = client.post(f"/api/v1/tasks/{task['task_id']}/complete", headers=headers, json={"data": data})
    assert r.status_code == 422, r.text
    assert [(d["field"], d["code"], d["message"]) for d in r.json()["details"]] == [
        ("applicant_photo", "watermark_required", WATERMARK_REQUIRED)
    ]

    data["applicant_photo"] = driver.upload("fo001", 12, watermark=True)
    r = client.post(f"/api/v1/tasks/{task['task_id']}/complete", headers=headers, json={"data": data})
    assert r.status_code == 200, r.text
    assert driver.next_state("fo001", r.json())["tasks"][0]["name"] == "application"
