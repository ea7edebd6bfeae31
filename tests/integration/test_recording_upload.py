"""双录 recordings over HTTP on PostgreSQL: the upload reads the length from the MP4 and answers it, keeps
the bytes as sent (SM3 of what was recorded), refuses a watermark, a file without sound and one over
its own size limit; a recording field takes only a recording and a photo field only an image."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver, tiny_png
from crypto import sm3
from engine.adapters.sandbox.recording import sandbox_recording
from tests.integration.test_wealth_journey import open_account
from tests.integration.wealth_driver import Investor, WealthDriver

API = "/api/v1/attachments"


def upload(client: TestClient, headers: dict[str, str], content: bytes, **fields: str) -> dict:
    r = client.post(
        API, headers=headers, files={"file": ("r.mp4", content, "video/mp4")}, data=fields or None
    )
    return {"status": r.status_code, **r.json()}


def test_a_recording_is_kept_as_recorded_with_the_length_of_its_container(
    client: TestClient, services: Services
) -> None:
    headers = J1Driver(client).headers("fo001")
    content = sandbox_recording(185_450, seed="t", filler_bytes=50_000)
    body = upload(client, headers, content)
    assert body["status"] == 201, body
    assert (body["media_type"], body["duration_ms"], body["size"]) == ("video/mp4", 185_450, len(content))
    assert body["sm3"] == sm3(content).hex() and body["watermark"] is None
    record, stored = services.attachments.read(body["attachment_id"])
    assert stored == content and record.duration_ms == 185_450
    photo = client.post(API, headers=headers, files={"file": ("p.png", tiny_png(3), "image/png")}).json()
    assert photo["duration_ms"] is None


def test_unreadable_watermarked_and_oversized_recordings_are_refused(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    content = sandbox_recording(90_000)
    silent = upload(client, headers, content.replace(b"soun", b"text"))
    assert (silent["status"], silent["details"][0]["code"]) == (422, "recording_unreadable")
    cut = upload(client, headers, content[:300])
    assert (cut["status"], cut["details"][0]["code"]) == (422, "recording_unreadable")
    stamped = upload(client, headers, content, watermark="true")
    assert (stamped["status"], stamped["details"][0]["field"]) == (422, "watermark")


@pytest.mark.parametrize(
    "settings_overrides", [{"recording_max_bytes": 20_000, "attachment_max_bytes": 10_000}]
)
def test_a_recording_over_its_limit_is_refused_while_a_photo_keeps_its_own(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    big = upload(client, headers, sandbox_recording(90_000, filler_bytes=30_000))
    assert (big["status"], big["details"][0]["code"]) == (422, "too_large")
    fits = upload(client, headers, sandbox_recording(90_000, filler_bytes=15_000))
    assert fits["status"] == 201  # bigger than a photo may be, within a recording's limit
    png = b"\x89PNG\r\n\x1a\n" + bytes(15_000)
    r = client.post(API, headers=headers, files={"file": ("p.png", png, "image/png")})
    assert (r.status_code, r.json()["details"][0]["code"]) == (422, "too_large")


def test_the_signing_screen_takes_a_recording_for_the_双录_and_an_image_for_the_signature(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client, wait_seconds=5)
    before = driver.run(investor, stop_before="product_signing")
    [task] = before.instance["tasks"]
    signing = driver.form_data("product_signing", investor, "fo001", before.steps)
    photo, recording = signing["agreement_signature"], signing["dual_recording"]
    swapped = {**signing, "dual_recording": photo, "agreement_signature": recording}
    url = f"/api/v1/tasks/{task['task_id']}/complete"
    r = client.post(url, headers=driver.headers("fo001"), json={"data": swapped})
    assert r.status_code == 422, r.text
    problems = {d["field"]: d["code"] for d in r.json()["details"]}
    assert problems == {"dual_recording": "attachment_kind", "agreement_signature": "attachment_kind"}
    without = {k: v for k, v in signing.items() if k != "dual_recording"}
    r = client.post(url, headers=driver.headers("fo001"), json={"data": without})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "dual_recording"
    r = client.post(url, headers=driver.headers("fo001"), json={"data": signing})
    assert r.status_code == 200, r.text
