"""The server-rendered pages over the real app and databases: every page refuses a signed-out caller,
sign-in and sign-out, CSRF on every POST, the role areas, capture uploads, the approver's evidence
images and the tablet's htmx 422 fragments.

A browser here is the TestClient with the session cookie sent explicitly and redirects not followed,
so each test sees exactly what the server answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.bootstrap import Services
from api.journey_driver import DEMO_PASSWORD, Customer, J1Driver, tiny_png
from api.web.session import DEVICE_COOKIE, SESSION_COOKIE
from devices.demo import DEMO_DEVICE_OF
from engine.persistence.records import ProcessInstanceRecord

SONG_TAO_ID = "420104199202029099"  # the sandbox's grey face match: J1 waits for a remote authorization
SONG_TAO_ID_MASKED = "4201**********9099"
BAD_CHECK_DIGIT_ID = "420106199003071230"  # §13.2: a wrong check character
UUID = "00000000-0000-4000-8000-000000000000"
ATTACHMENT_ID = re.compile(r"^att_[0-9a-f]{32}$")
CJK = re.compile(r"[\u4e00-\u9fff]")

# pages anyone may open; everything else that is not the JSON API must refuse a signed-out caller
PUBLIC_ROUTES = {("GET", "/login"), ("POST", "/login")}
NOT_PAGES = ("/api/", "/static", "/docs", "/redoc", "/openapi")
# a syntactically valid value for each path parameter the pages use
PATH_EXAMPLES = {
    "instance_id": UUID,
    "task_id": UUID,
    "incident_id": "1",
    "package_id": f"EP-{UUID}",
    "name": "documents/contract.pdf",
    "attachment_id": "att_" + "0" * 32,
    "process_id": "debit_card_opening",
    "version": "1",
    "document": "privacy_policy",
    "code": "420000",
    "change_id": "1",
    "verdict": "approve",
    "grant_id": "1",
    "event_id": "1",
    "decision": "grant",
}


# --------------------------------------------------------------------------------------------- helpers


@dataclass
class Browser:
    """One signed-in (or signed-out) browser: sends its cookie, never follows a redirect."""

    client: TestClient
    session_token: str | None = None
    csrf_token: str = ""

    def request(
        self,
        method: str,
        url: str,
        *,
        accept: str = "text/html",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = {"Accept": accept, **(headers or {})}
        if self.session_token:
            sent["Cookie"] = f"{SESSION_COOKIE}={self.session_token}"
        return self.client.request(method, url, headers=sent, follow_redirects=False, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def post_form(self, url: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        """A form post carrying the page's CSRF token, as every form on the pages does."""
        return self.post(url, data={"csrf_token": self.csrf_token, **data}, **kwargs)


def post_login(client: TestClient, username: str, password: str, next_url: str = "") -> httpx.Response:
    """From the officer's demo tablet (its `fb_device` cookie), as the enrolled app would send it."""
    device = {"Cookie": f"{DEVICE_COOKIE}={DEMO_DEVICE_OF[username]}"} if username in DEMO_DEVICE_OF else {}
    r = client.post(
        "/login",
        data={"username": username, "password": password, "next": next_url},
        headers={"Accept": "text/html", **device},
        follow_redirects=False,
    )
    client.cookies.clear()  # each Browser carries its own cookie; the shared client keeps none
    return r


def session_cookie_header(response: httpx.Response) -> str | None:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    return found[0] if found else None


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
    assert found, "the page has no csrf-token meta"
    return found.group(1)


def sign_in(client: TestClient, username: str) -> Browser:
    """Sign in through the login form, then read the CSRF token off the home page as a script would."""
    r = post_login(client, username, DEMO_PASSWORD)
    assert r.status_code == 303, r.text
    browser = Browser(client, r.cookies[SESSION_COOKIE])
    home = browser.get(r.headers["location"])
    assert home.status_code == 200, home.text
    browser.csrf_token = csrf_of(home.text)
    return browser


def page_routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every route that is not the JSON API, static files or the docs.

    FastAPI keeps included routers as sub-routers; iter_route_contexts walks them with their prefixes."""
    found = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if not isinstance(route, APIRoute) or context.include_in_schema:
            continue
        if context.path.startswith(NOT_PAGES):
            continue
        found.extend((method, context.path, route) for method in sorted(context.methods))
    return found


def example_url(path: str, route: APIRoute) -> str:
    values = {}
    for param in route.dependant.path_params:
        if param.name not in PATH_EXAMPLES:
            pytest.fail(f"{path}: add a valid example for path parameter {param.name!r}")
        values[param.name] = PATH_EXAMPLES[param.name]
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def instance_count(services: Services) -> int:
    with services.deps.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessInstanceRecord)) or 0)


def start_journey_on_tablet(browser: Browser) -> str:
    """Tap "开始业务" for J1 on the tablet; returns the id of the ID-card task it opens on."""
    r = browser.post_form("/tablet/journeys", {"process_id": "debit_card_opening"})
    assert r.status_code == 303, r.text
    page = browser.get(r.headers["location"])
    assert page.status_code == 200
    found = re.search(r'data-task="id_card" data-task-id="([0-9a-f-]{36})"', page.text)
    assert found, "the journey does not open on the ID-card screen"
    return found.group(1)


@dataclass(frozen=True)
class Authorization:
    instance_id: str
    task_id: str


def drive_to_remote_authorization(client: TestClient) -> Authorization:
    """J1 for 宋涛 over the JSON API up to au001's remote authorization task."""
    driver = J1Driver(client, wait_seconds=5)
    stopped = driver.run(
        Customer(name="宋涛", id_number=SONG_TAO_ID), officer="fo001", stop_before="remote_authorization"
    )
    instance_id = stopped.instance["instance_id"]
    tasks = client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
    [task] = [t for t in tasks if t["instance_id"] == instance_id and t["name"] == "remote_authorization"]
    return Authorization(instance_id, task["task_id"])


def evidence_urls(html: str, task_id: str) -> list[str]:
    return re.findall(rf'<img src="(/phone/tasks/{task_id}/evidence/att_[0-9a-f]{{32}})"', html)


# ------------------------------------------------------------------------------- 1. no page unprotected


def test_the_route_walk_finds_the_pages(client: TestClient) -> None:
    found = {(method, path) for method, path, _route in page_routes(client)}
    paths = {path for _method, path in found}
    assert paths >= {"/", "/tablet", "/phone", "/desk", "/analyst", "/media/attachments"}
    assert found >= PUBLIC_ROUTES, "a public route is gone: update PUBLIC_ROUTES"


def test_every_page_sends_a_signed_out_browser_to_sign_in(client: TestClient) -> None:
    failures = []
    for method, path, route in page_routes(client):
        if (method, path) in PUBLIC_ROUTES:
            continue
        url = example_url(path, route)
        r = Browser(client).request(method, url)
        expected = f"/login?next={quote(url, safe='/')}"
        if route.response_class is HTMLResponse:
            if (r.status_code, r.headers.get("location")) != (303, expected):
                failures.append(f"{method} {url}: {r.status_code} {r.headers.get('location')}")
        # images, files and JSON for scripts: refused, by a redirect to sign in or a 401
        elif not ((r.status_code, r.headers.get("location")) == (303, expected) or r.status_code == 401):
            failures.append(f"{method} {url} (not a page): {r.status_code}")
    assert not failures, "\n".join(failures)


def test_every_page_answers_a_signed_out_script_with_401_json(client: TestClient) -> None:
    failures = []
    for method, path, route in page_routes(client):
        if (method, path) in PUBLIC_ROUTES:
            continue
        url = example_url(path, route)
        r = Browser(client).request(method, url, accept="application/json")
        if r.status_code != 401 or r.headers.get("content-type") != "application/json":
            failures.append(f"{method} {url}: {r.status_code} {r.headers.get('content-type')}")
        elif r.json()["code"] != "unauthenticated":
            failures.append(f"{method} {url}: code {r.json()['code']}")
    assert not failures, "\n".join(failures)


# -------------------------------------------------------------------------------------------- 2. sign-in


def test_a_wrong_password_shows_the_login_page_with_a_chinese_error_and_sets_no_cookie(
    client: TestClient,
) -> None:
    r = post_login(client, "fo001", "not-the-password")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert "工号或密码错误" in r.text
    assert session_cookie_header(r) is None


@pytest.mark.parametrize(
    ("username", "home"),
    [("fo001", "/tablet"), ("au001", "/phone"), ("ps001", "/desk"), ("an001", "/analyst")],
)
def test_signing_in_goes_to_the_role_home_with_a_strict_httponly_cookie(
    client: TestClient, username: str, home: str
) -> None:
    r = post_login(client, username, DEMO_PASSWORD)
    assert (r.status_code, r.headers["location"]) == (303, home)
    cookie = session_cookie_header(r)
    assert cookie is not None
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert Browser(client, r.cookies[SESSION_COOKIE]).get(home).status_code == 200


def test_a_local_next_is_followed_after_sign_in(client: TestClient) -> None:
    r = post_login(client, "fo001", DEMO_PASSWORD, next_url="/account")
    assert (r.status_code, r.headers["location"]) == (303, "/account")


OFF_SITE = ["https://evil.example/", "//evil.example/", "//evil", "/\\evil.example"]


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_a_next_pointing_off_site_is_ignored_after_sign_in(client: TestClient, next_url: str) -> None:
    r = post_login(client, "fo001", DEMO_PASSWORD, next_url=next_url)
    assert (r.status_code, r.headers["location"]) == (303, "/tablet")


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_the_login_page_does_not_carry_an_off_site_next(client: TestClient, next_url: str) -> None:
    page = client.get("/login", params={"next": next_url}, headers={"Accept": "text/html"})
    client.cookies.clear()
    assert page.status_code == 200
    assert '<input type="hidden" name="next" value="">' in page.text


def test_logout_revokes_the_session_token(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    r = browser.post_form("/logout", {})
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    cleared = session_cookie_header(r)
    assert cleared is not None and "max-age=0" in cleared.lower()
    # the old cookie, replayed, is no longer a session
    r = browser.get("/tablet")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/tablet")


# ----------------------------------------------------------------------------------------------- 3. CSRF


@pytest.mark.parametrize("csrf_token", [None, "", "0" * 40])
def test_a_post_without_the_right_csrf_token_is_refused_and_starts_nothing(
    client: TestClient, services: Services, csrf_token: str | None
) -> None:
    browser = sign_in(client, "fo001")
    data = {"process_id": "debit_card_opening"}
    if csrf_token is not None:
        data["csrf_token"] = csrf_token
    r = browser.post("/tablet/journeys", data=data)
    assert r.status_code == 403
    assert "无权操作" in r.text and "Traceback" not in r.text
    assert instance_count(services) == 0


def test_a_wrong_csrf_header_is_refused_even_with_the_right_form_field(
    client: TestClient, services: Services
) -> None:
    browser = sign_in(client, "fo001")
    r = browser.post_form(
        "/tablet/journeys", {"process_id": "debit_card_opening"}, headers={"X-CSRF-Token": "0" * 40}
    )
    assert r.status_code == 403
    assert instance_count(services) == 0


def test_a_post_with_the_pages_csrf_token_starts_the_journey(client: TestClient, services: Services) -> None:
    browser = sign_in(client, "fo001")
    r = browser.post_form("/tablet/journeys", {"process_id": "debit_card_opening"})
    assert r.status_code == 303
    location = re.fullmatch(r"/tablet/journeys/([0-9a-f-]{36})", r.headers["location"])
    assert location, r.headers["location"]
    assert instance_count(services) == 1
    with services.deps.sessions() as session:
        record = session.get(ProcessInstanceRecord, location.group(1))
        assert record is not None and record.started_by == "fo001"


def test_a_csrf_token_belongs_to_its_session(client: TestClient, services: Services) -> None:
    other = sign_in(client, "fo002")
    browser = sign_in(client, "fo001")
    browser.csrf_token = other.csrf_token
    r = browser.post_form("/tablet/journeys", {"process_id": "debit_card_opening"})
    assert r.status_code == 403
    assert instance_count(services) == 0


# ------------------------------------------------------------------------------------------ 4. role areas


@pytest.mark.parametrize(
    ("username", "path"), [("au001", "/tablet"), ("fo001", "/desk"), ("fo001", "/analyst")]
)
def test_a_role_outside_an_area_gets_a_chinese_403_page(client: TestClient, username: str, path: str) -> None:
    r = sign_in(client, username).get(path)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "无权操作" in r.text and "您的角色不能打开本页" in r.text
    assert "Traceback" not in r.text and "Forbidden" not in r.text


def test_the_analyst_sees_the_deployed_processes(client: TestClient) -> None:
    r = sign_in(client, "an001").get("/analyst")
    assert r.status_code == 200
    assert "debit_card_opening" in r.text
    assert 'href="/analyst/processes/debit_card_opening/1"' in r.text


# ------------------------------------------------------------------------------------------------ 5. media


def upload(browser: Browser, content: bytes, name: str, media_type: str, csrf: str | None) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return browser.post(
        "/media/attachments",
        accept="application/json",
        headers=headers,
        files={"file": (name, content, media_type)},
    )


def test_an_officer_uploads_a_capture_and_sees_it_again(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    png = tiny_png(7)
    r = upload(browser, png, "capture.png", "image/png", browser.csrf_token)
    assert r.status_code == 201, r.text
    body = r.json()
    assert ATTACHMENT_ID.match(body["attachment_id"])
    assert body["url"] == f"/media/attachments/{body['attachment_id']}"
    again = browser.get(body["url"], accept="image/*")
    assert again.status_code == 200
    assert again.headers["content-type"] == "image/png"
    assert again.content == png


def test_another_officer_cannot_see_a_capture(client: TestClient) -> None:
    owner = sign_in(client, "fo001")
    r = upload(owner, tiny_png(8), "capture.png", "image/png", owner.csrf_token)
    assert r.status_code == 201
    other = sign_in(client, "fo002").get(r.json()["url"], accept="image/*")
    assert other.status_code == 404
    assert tiny_png(8) not in other.content


def test_an_upload_without_the_csrf_header_is_refused(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    r = upload(browser, tiny_png(9), "capture.png", "image/png", None)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_a_text_file_is_refused_with_a_field_error(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    r = upload(browser, b"not an image at all\n", "notes.txt", "text/plain", browser.csrf_token)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_failed"
    [error] = body["details"]
    assert (error["field"], error["code"]) == ("file", "media_type")
    assert CJK.search(error["message"])


# ------------------------------------------------------------------------------- 6. phone evidence images


def test_the_approver_lists_the_remote_authorization(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    r = sign_in(client, "au001").get("/phone")
    assert r.status_code == 200
    assert f'href="/phone/tasks/{waiting.task_id}" data-task-id="{waiting.task_id}"' in r.text


def test_the_task_page_shows_the_id_number_masked(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    r = sign_in(client, "au001").get(f"/phone/tasks/{waiting.task_id}")
    assert r.status_code == 200
    assert SONG_TAO_ID not in r.text
    assert SONG_TAO_ID_MASKED in r.text


def test_every_evidence_image_on_the_task_page_is_served_to_the_approver(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    au001 = sign_in(client, "au001")
    urls = evidence_urls(au001.get(f"/phone/tasks/{waiting.task_id}").text, waiting.task_id)
    # chip photo, ID front, ID back, live face: J1Driver captured them as tiny_png(1..4)
    # (the page shows the chip photo beside the live one, so not in capture order)
    assert len(urls) == 4
    served = []
    for url in urls:
        image = au001.get(url, accept="image/*")
        assert image.status_code == 200, url
        assert image.headers["content-type"] == "image/png"
        served.append(image.content)
    assert sorted(served) == sorted(tiny_png(seed) for seed in range(1, 5))


def test_an_image_outside_the_task_is_not_served_to_the_approver(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    officer = sign_in(client, "fo001")
    stray = upload(officer, tiny_png(42), "stray.png", "image/png", officer.csrf_token)
    assert stray.status_code == 201
    au001 = sign_in(client, "au001")
    for attachment_id in (stray.json()["attachment_id"], "att_" + "f" * 32):
        r = au001.get(f"/phone/tasks/{waiting.task_id}/evidence/{attachment_id}", accept="image/*")
        assert r.status_code == 404, attachment_id
        assert tiny_png(42) not in r.content


def test_another_officer_cannot_open_the_approval_task_or_its_images(client: TestClient) -> None:
    waiting = drive_to_remote_authorization(client)
    task_page = sign_in(client, "au001").get(f"/phone/tasks/{waiting.task_id}")
    [first_image, *_] = evidence_urls(task_page.text, waiting.task_id)
    fo002 = sign_in(client, "fo002")
    r = fo002.get(f"/phone/tasks/{waiting.task_id}")
    assert r.status_code == 404
    assert "未找到" in r.text and SONG_TAO_ID_MASKED not in r.text
    assert fo002.get(first_image, accept="image/*").status_code == 404


# ------------------------------------------------------------------------------------- 7. tablet 422 path


def test_an_invalid_id_number_answers_htmx_with_error_fragments_only(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    task_id = start_journey_on_tablet(browser)
    r = browser.post_form(
        f"/tablet/tasks/{task_id}",
        {"customer_name": "张伟", "id_number": BAD_CHECK_DIGIT_ID},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert r.headers["hx-reswap"] == "none"
    error = re.search(r'<p class="error" id="err-id_number"[^>]*>([^<]*)</p>', r.text)
    assert error, r.text[:2000]
    assert "校验位" in error.group(1), error.group(1)  # the ID check's own Chinese message
    assert "<input" not in r.text and "<form" not in r.text


def test_signing_in_returns_to_the_same_filtered_list(client: TestClient) -> None:
    r = client.get(
        "/desk?status=PASSED&branch=WH0101", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/desk%3Fstatus%3DPASSED%26branch%3DWH0101"
    signed = post_login(client, "ps001", DEMO_PASSWORD, "/desk?status=PASSED&branch=WH0101")
    assert (signed.status_code, signed.headers["location"]) == (303, "/desk?status=PASSED&branch=WH0101")


def test_pages_run_only_our_own_scripts_and_are_never_cached(client: TestClient) -> None:
    r = client.get("/login")
    policy = r.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'self'" in policy
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text and "onsubmit=" not in r.text


def test_repeated_wrong_passwords_are_throttled_on_the_sign_in_page(client: TestClient) -> None:
    for _ in range(5):
        assert post_login(client, "fo002", "wrong-password").status_code == 401
    throttled = post_login(client, "fo002", DEMO_PASSWORD)
    assert throttled.status_code == 429
    assert "10分钟" in throttled.text
    assert session_cookie_header(throttled) is None


def test_the_tablet_lists_todays_journeys_of_the_officer_only(client: TestClient) -> None:
    officer = sign_in(client, "fo001")
    assert '今日业务 <span class="count">0</span>' in officer.get("/tablet").text
    started = officer.post_form("/tablet/journeys", {"process_id": "debit_card_opening"})
    instance_id = started.headers["location"].rsplit("/", 1)[-1]
    home = officer.get("/tablet").text
    assert '今日业务 <span class="count">1</span>' in home
    assert f"/tablet/journeys/{instance_id}" in home
    other = sign_in(client, "fo002").get("/tablet").text
    assert instance_id not in other


def test_the_sandbox_sms_panel_shows_the_journeys_code_to_those_who_see_the_journey(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    stopped = driver.run(Customer(), officer="fo001", stop_before="otp_entry")
    url = f"/tablet/journeys/{stopped.instance['instance_id']}/sandbox-sms"
    panel = sign_in(client, "fo001").get(url)
    assert panel.status_code == 286  # htmx stops polling once the code is there
    code = re.search(r"data-sms>.*?(\d{6})", panel.text, re.S)
    assert code and code.group(1) == driver.read_otp("fo001", "13900001234")
    assert "13900001234" not in panel.text and "139****1234" in panel.text
    assert sign_in(client, "fo101").get(url).status_code == 404  # another branch's journey


def test_the_tablet_abandons_with_a_reason_of_the_apis_list_only(client: TestClient) -> None:
    browser = sign_in(client, "fo001")
    start_journey_on_tablet(browser)
    home = browser.get("/tablet")
    [instance_id] = re.findall(r'href="/tablet/journeys/([0-9a-f-]{36})"', home.text)[:1]
    refused = browser.post_form(f"/tablet/journeys/{instance_id}/abandon", {"reason": "BORED"})
    assert refused.status_code == 422
    done = browser.post_form(f"/tablet/journeys/{instance_id}/abandon", {})
    assert done.status_code == 303
    driver = J1Driver(client)
    view = client.get(f"/api/v1/instances/{instance_id}", headers=driver.headers("fo001")).json()
    assert (view["status"], view["outcome"]) == ("completed", "ABANDONED")


def test_a_request_id_is_kept_when_sane_and_made_up_otherwise(client: TestClient) -> None:
    kept = client.get("/login", headers={"X-Request-Id": "tablet-7f3a"})
    assert kept.headers["x-request-id"] == "tablet-7f3a"
    made = client.get("/login", headers={"X-Request-Id": "bad id;" * 10})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


def test_the_first_staff_screen_after_a_hand_over_tells_the_officer_to_take_the_tablet_back(
    client: TestClient,
) -> None:
    officer = sign_in(client, "fo001")

    def stopped_before(task: str) -> dict[str, Any]:
        return J1Driver(client, wait_seconds=5).run(Customer(), officer="fo001", stop_before=task).instance

    page = officer.get(f"/tablet/journeys/{stopped_before('customer_consents')['instance_id']}").text
    assert 'data-task="customer_consents"' in page
    assert "请将平板交给客户本人操作" in page and "请收回平板" not in page

    after_customer = stopped_before("face_check")
    page = officer.get(f"/tablet/journeys/{after_customer['instance_id']}").text
    assert 'data-task="face_check"' in page
    assert "请收回平板，核对客户已完成的内容" in page and "请将平板交给客户" not in page
    task_id = after_customer["tasks"][0]["task_id"]
    api = client.get(f"/api/v1/tasks/{task_id}", headers=J1Driver(client).headers("fo001")).json()
    assert api["after_customer"] is True

    page = officer.get(f"/tablet/journeys/{stopped_before('customer_details')['instance_id']}").text
    assert 'data-task="customer_details"' in page
    assert "请收回平板" not in page and "请将平板交给客户" not in page
