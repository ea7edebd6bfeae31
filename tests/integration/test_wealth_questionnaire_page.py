"""The J3 questionnaire posted from the tablet page without the answer times its script records (a
browser running no script): refused under the times with the reason, and the journey waits on it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.integration.test_wealth_journey import open_account
from tests.integration.test_web_pages import sign_in
from tests.integration.wealth_driver import BALANCED, Investor, WealthDriver


def test_answers_posted_without_their_times_are_refused_with_a_field_error(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    waiting = WealthDriver(client).run(investor, stop_before="questionnaire").instance
    [task] = waiting["tasks"]
    officer = sign_in(client, "fo001")
    answers = {"questionnaire_version": "WRQ-2025-1", **BALANCED}

    r = officer.post_form(f"/tablet/tasks/{task['task_id']}", answers)
    assert r.status_code == 422, r.text
    assert "未收到每题作答用时：请在平板上逐题作答" in r.text
    assert 'id="err-answer_ms"' in r.text and "Traceback" not in r.text
    r = officer.post_form(
        f"/tablet/tasks/{task['task_id']}", {**answers, "answer_ms.income_band": "-5"}
    )  # a time for one question, and a negative one, is not the record either
    assert r.status_code == 422 and "不能小于0" in r.text and "第3题作答用时" in r.text
    still = officer.get(f"/tablet/journeys/{waiting['instance_id']}").text
    assert 'data-task="questionnaire"' in still

    times = {f"answer_ms.{q}": "9000" for q in BALANCED}
    r = officer.post_form(f"/tablet/tasks/{task['task_id']}", {**answers, **times})
    assert r.status_code in (200, 303) and 'data-task="questionnaire"' not in r.text, r.text[:500]
