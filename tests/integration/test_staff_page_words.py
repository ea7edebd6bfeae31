"""What staff read on the pages (issue 28, 3-7): names and Chinese words instead of codes, Beijing time
instead of UTC, only declared journeys offered, approval rows that tell tasks apart and the rectification
task with what was wrong. Over the real app and both databases, as `test_web_pages.py` does."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver
from api.web.bank_time import BANK_TIME
from tests.integration.test_evidence_loop import package_of, wait_for_task
from tests.integration.test_web_pages import drive_to_remote_authorization, instance_count, sign_in

# 赵雨桐 is 18: the AML age band flags the package, so it waits for a human review
FLAGGED = Customer(name="赵雨桐", id_number="42010320070220004X", card_sequence=9101)


def package_in_review(client: TestClient) -> tuple[J1Driver, dict[str, Any], dict[str, Any]]:
    """J1 by fo001 whose package reached ps001's human review: (driver, package, review task)."""
    driver = J1Driver(client, wait_seconds=5)
    journey = driver.run(FLAGGED, officer="fo001")
    assert journey.outcome == "OPENED"
    review = wait_for_task(client, driver, "ps001", "human_review")
    return driver, package_of(client, driver, journey.instance["instance_id"]), review


def table_body(html: str) -> str:
    found = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert found, "the page has no table"
    return found.group(1)


# ------------------------------------------------------------------------------------------ 3. the desk


def test_the_desk_filter_with_empty_date_boxes_lists_every_status(client: TestClient) -> None:
    _driver, package, _review = package_in_review(client)
    ps001 = sign_in(client, "ps001")
    # what the filter form sends when nobody types a date: every box, the dates empty
    for status in ("", "HUMAN_REVIEW"):
        r = ps001.get(f"/desk?status={status}&branch=&from=&to=")
        assert r.status_code == 200, r.text
        assert f"/desk/packages/{package['package_id']}" in r.text
    assert package["package_id"] not in ps001.get("/desk?status=PASSED&branch=&from=&to=").text


def test_typed_dates_bound_the_queue_in_beijing_time(client: TestClient) -> None:
    _driver, package, _review = package_in_review(client)
    ps001 = sign_in(client, "ps001")
    link = f"/desk/packages/{package['package_id']}"
    assert link in ps001.get("/desk?status=&from=2000-01-01T00:00&to=2999-01-01T00:00").text
    assert link not in ps001.get("/desk?status=&from=2999-01-01T00:00&to=").text
    assert ps001.get("/desk?status=&from=2025-02-30T00:00").status_code == 422


def test_the_desk_shows_names_not_codes(client: TestClient) -> None:
    _driver, package, _review = package_in_review(client)
    ps001 = sign_in(client, "ps001")
    queue = table_body(ps001.get("/desk?status=").text)
    assert "借记卡开户开卡" in queue and "李明（fo001）" in queue
    assert "debit_card_opening" not in queue.replace('data-journey="debit_card_opening"', "")

    page = ps001.get(f"/desk/packages/{package['package_id']}").text
    trail = page[page.index("操作轨迹") :]
    assert "完成 · 客户授权与同意" in trail  # task_completed · customer_consents, by its BPMN name
    assert "李明（fo001）" in trail
    assert "机审规则 · 证据包完整性" in trail  # machine_rule · PACKAGE_INTEGRITY
    assert "年龄段风险 · 未通过" in trail
    assert "开户前完成各项核查" in trail  # J1's own rule, worded in its declaration
    for code in ("task_completed", "customer_consents", "machine_rule", "PACKAGE_INTEGRITY", "AGE_BAND"):
        assert code not in trail, code


# ----------------------------------------------------------------------------------- 4. Beijing time


def shown_times(instant: str, fmt: str) -> tuple[str, str]:
    """(Beijing, UTC) renderings of an API instant (RFC 3339 with its offset)."""
    moment = datetime.fromisoformat(instant)
    return moment.astimezone(BANK_TIME).strftime(fmt), moment.astimezone(UTC).strftime(fmt)


def element(html: str, marker: str, tag: str) -> str:
    """The innermost `<tag>…</tag>` holding `marker`."""
    at = html.index(marker)
    start = html.rindex(f"<{tag}", 0, at)
    return html[start : html.index(f"</{tag}>", at)]


def test_the_tablet_and_the_phone_lists_show_beijing_time(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    driver = J1Driver(client)
    instance = client.get(f"/api/v1/instances/{waiting.instance_id}", headers=driver.headers("fo001")).json()
    beijing, utc = shown_times(instance["created_at"], "%H:%M")
    row = element(
        sign_in(client, "fo001").get("/tablet").text, f"/tablet/journeys/{waiting.instance_id}", "li"
    )
    assert beijing in row and utc not in row

    [task] = [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
        if t["task_id"] == waiting.task_id
    ]
    beijing, utc = shown_times(task["created_at"], "%m-%d %H:%M")
    row = element(sign_in(client, "au001").get("/phone").text, f'data-task-id="{waiting.task_id}"', "li")
    assert beijing in row and utc not in row


def test_the_desk_and_the_analyst_show_beijing_time(client: TestClient) -> None:
    driver, package, _review = package_in_review(client)
    beijing, utc = shown_times(package["created_at"], "%m-%d %H:%M")
    row = element(sign_in(client, "ps001").get("/desk?status=").text, package["package_id"], "tr")
    assert beijing in row and utc not in row

    [deployed] = [
        p
        for p in client.get("/api/v1/processes", headers=driver.headers("fo001")).json()
        if p["process_id"] == "debit_card_opening"
    ]
    beijing, utc = shown_times(deployed["deployed_at"], "%Y-%m-%d %H:%M")
    analyst = sign_in(client, "an001").get("/analyst").text
    assert beijing in analyst and utc not in analyst


# ------------------------------------------------------------------------ 5. only declared journeys


def start_buttons(html: str) -> list[tuple[str, str]]:
    """(process id, button text) of every start form on the tablet home, in page order."""
    return re.findall(
        r'name="process_id" value="([^"]+)">\s*<button type="submit" class="primary big">([^<]+)</button>',
        html,
    )


def test_officers_are_offered_the_declared_journeys_in_the_registry_order(client: TestClient) -> None:
    deployed = {
        p["process_id"]
        for p in client.get("/api/v1/processes", headers=J1Driver(client).headers("fo001")).json()
    }
    assert "Process_account_opening" in deployed  # the peer's diagram is deployed for the bench
    assert start_buttons(sign_in(client, "fo001").get("/tablet").text) == [
        ("debit_card_opening", "借记卡开户开卡"),
        ("credit_card_face_sign", "信用卡面签"),
        ("wealth_risk_assessment", "理财风险测评与产品签约"),
    ]
    # fo002 holds neither the face-sign nor the wealth-sales qualification
    assert start_buttons(sign_in(client, "fo002").get("/tablet").text) == [
        ("debit_card_opening", "借记卡开户开卡")
    ]


def test_the_tablet_does_not_start_what_it_never_offers(client: TestClient, services: Services) -> None:
    fo001 = sign_in(client, "fo001")
    before = instance_count(services)
    r = fo001.post_form("/tablet/journeys", {"process_id": "Process_account_opening"})
    assert r.status_code == 404
    assert instance_count(services) == before


# ------------------------------------------------------------------------------- 6. the approver's phone


def test_the_approvers_rows_say_whom_which_journey_why_who_and_how_long(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    row = element(sign_in(client, "au001").get("/phone").text, f'data-task-id="{waiting.task_id}"', "li")
    assert "宋*" in row and "宋涛" not in row  # the customer, masked (§8.3)
    assert "借记卡开户开卡" in row
    assert "人脸比对分数处于灰区" in row  # the trigger, in words
    assert "李明（fo001）" in row
    assert "已等待" in row and ("刚刚" in row or "分钟" in row)


def test_the_approver_sees_the_chip_photo_beside_the_live_photo_with_the_score(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    page = sign_in(client, "au001").get(f"/phone/tasks/{waiting.task_id}").text
    pair = element(page, "data-face-pair", "div")
    assert pair.index("身份证芯片照片") < pair.index("data-face-score") < pair.index("现场人脸照片")
    assert "灰区" in pair and ">72<" in pair
    for caption in ("身份证芯片照片", "现场人脸照片", "身份证人像面", "身份证国徽面"):
        assert f"<figcaption>{caption}</figcaption>" in page
    assert 'target="_blank"' not in page  # images open in place
    assert 'href="#view-chip_photo"' in page and 'id="view-chip_photo"' in page  # the figure it enlarges


# ------------------------------------------------------------------------- 7. the officer's rectification

REVIEWER_NOTE = "签名影像不清晰，请回访客户重新签署"


def rectification_sent(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A flagged J1 package judged ERROR_MINOR by ps001: (the officer's rectification task, package)."""
    driver, package, review = package_in_review(client)
    r = client.post(
        f"/api/v1/tasks/{review['task_id']}/complete",
        headers=driver.headers("ps001"),
        json={"data": {"review_outcome": "ERROR_MINOR", "review_reason": REVIEWER_NOTE}},
    )
    assert r.status_code == 200, r.text
    return wait_for_task(client, driver, "fo001", "rectification"), package


def test_the_rectification_is_on_the_officers_tablet_and_says_what_was_wrong(client: TestClient) -> None:
    rectify, package = rectification_sent(client)
    fo001 = sign_in(client, "fo001")
    home = fo001.get("/tablet").text
    assert f'href="/tablet/tasks/{rectify["task_id"]}"' in home
    assert "差错整改" in element(home, f"/tablet/tasks/{rectify['task_id']}", "li")

    page = fo001.get(f"/tablet/tasks/{rectify['task_id']}")
    assert page.status_code == 200, page.text
    findings = element(page.text, "data-findings", "div")
    assert "一般差错" in findings  # the reviewer's outcome
    assert "年龄段风险" in findings  # the machine rule that flagged the package, in words
    assert REVIEWER_NOTE in findings
    history = client.get(
        f"/api/v1/evidence/{package['package_id']}", headers=J1Driver(client).headers("ps001")
    ).json()["history"]
    [notice] = [h for h in history if h["code"] == "ERROR_NOTICE"]
    beijing, _utc = shown_times(notice["detail"]["due_at"], "%Y-%m-%d %H:%M")
    assert f"data-finding-due>{beijing}（北京时间）" in findings
    assert "客户放弃办理" not in page.text  # a rectification is not a customer journey

    done = fo001.post_form(
        f"/tablet/tasks/{rectify['task_id']}", {"rectification_note": "已回访客户重新签署"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/tablet?done=1", done.text
    assert f"/tablet/tasks/{rectify['task_id']}" not in fo001.get("/tablet").text
