"""Bad input answers 401/404/409/422 with the one error shape, never a 500; attachments are checked."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver, tiny_png


def test_every_call_without_a_token_is_refused(client: TestClient) -> None:
    for method, url in [
        ("get", "/api/v1/processes"),
        ("get", "/api/v1/tasks"),
        ("post", "/api/v1/attachments"),
    ]:
        r = client.request(method, url)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_a_wrong_password_and_a_forged_token_are_refused(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "fo001", "password": "wrong"})
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    r = client.get("/api/v1/tasks", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401


def test_malformed_bodies_and_ids_give_field_errors(client: TestClient) -> None:
    driver = J1Driver(client)
    headers = driver.headers("fo001")
    r = client.post("/api/v1/auth/token", json={"username": ""})
    assert r.status_code == 422 and {d["field"] for d in r.json()["details"]} == {"username", "password"}
    r = client.get("/api/v1/instances/not-an-id", headers=headers)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "instance_id"
    r = client.post("/api/v1/processes/debit_card_opening/instances", headers=headers, json={"surprise": 1})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "surprise"


def test_unknown_things_answer_404(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    assert (
        client.get("/api/v1/instances/00000000-0000-0000-0000-000000000000", headers=headers).status_code
        == 404
    )
    assert (
        client.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000", headers=headers).status_code == 404
    )
    r = client.post("/api/v1/processes/no_such_process/instances", headers=headers, json={})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_another_branch_sees_neither_the_instance_nor_its_task(client: TestClient) -> None:
    driver = J1Driver(client)
    instance = driver.start("fo001")
    other = driver.headers("fo101")  # 洪山支行, a sibling branch
    assert client.get(f"/api/v1/instances/{instance['instance_id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/tasks/{instance['tasks'][0]['task_id']}", headers=other).status_code == 404
    assert (
        client.get(
            f"/api/v1/instances/{instance['instance_id']}", headers=driver.headers("aml001")
        ).status_code
        == 200
    )


def test_a_completed_task_cannot_be_completed_again(client: TestClient) -> None:
    driver = J1Driver(client)
    instance = driver.start("fo001")
    from api.journey_driver import Customer

    task = instance["tasks"][0]
    data = driver.form_data("id_card", Customer(), "fo001", [])
    first = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert first.status_code == 200
    again = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert again.status_code in (404, 409)


def test_images_upload_with_their_sm3_digest_and_are_stored_encrypted(
    client: TestClient, services: Services
) -> None:
    headers = J1Driver(client).headers("fo001")
    png = tiny_png(9)
    r = client.post("/api/v1/attachments", headers=headers, files={"file": ("a.png", png, "image/png")})
    assert r.status_code == 201
    body = r.json()
    from crypto import sm3

    assert body["sm3"] == sm3(png).hex() and body["media_type"] == "image/png" and body["size"] == len(png)
    blobs = [p for p in Path(services.settings.resolved_blobs_dir).rglob("*") if p.is_file()]
    assert len(blobs) == 1 and png not in blobs[0].read_bytes()
    _record, content = services.attachments.read(body["attachment_id"])
    assert content == png


def test_non_images_and_oversized_files_are_refused(client: TestClient, services: Services) -> None:
    headers = J1Driver(client).headers("fo001")
    r = client.post(
        "/api/v1/attachments", headers=headers, files={"file": ("a.png", b"GIF89a....", "image/png")}
    )
    assert r.status_code == 422 and r.json()["details"][0]["code"] == "media_type"
    big = b"\xff\xd8\xff" + b"0" * services.settings.attachment_max_bytes
    r = client.post("/api/v1/attachments", headers=headers, files={"file": ("a.jpg", big, "image/jpeg")})
    assert r.status_code == 422 and r.json()["details"][0]["code"] == "too_large"
