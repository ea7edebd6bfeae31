"""SAME_ANSWER_PATTERN end to end: real J3s over HTTP, each package keeping its answer pattern as a blind
index (`linking_indexes`), and the store counting at review time the officer's other customers who left
the same one. Other officers' customers, other answers and the customer's own earlier journey do not
count; the table never holds an answer in clear."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.bootstrap import Services
from engine.persistence.records import LinkingIndexRecord, StaffRecord
from tests.integration.test_wealth_journey import machine_rules, open_account
from tests.integration.wealth_driver import BALANCED, Investor, WealthDriver

# §13.2 clean persons; the three of 65 or more sign after the authorizer approves
WANG_FANG = ("王芳", "420102198506150026")
ZHANG_WEI = ("张伟", "420106199003071238")
LI_JIANGUO = ("李建国", "420111195501010035")
LIU_ZHIQIANG = ("刘志强", "420102195901010070")
CHEN_XIUYING = ("陈秀英", "420115194909090084")


def run_j3(
    client: TestClient,
    services: Services,
    accounts: dict[str, str],
    who: tuple[str, str],
    officer: str,
    answers: dict[str, str],
) -> dict[str, Any]:
    """One J3 to the signed agreement, the questionnaire answered again; its machine review's result."""
    investor = Investor(
        name=who[0],
        id_number=who[1],
        changed_circumstances=True,
        answers=dict(answers),
        product_code="WM-R1-001",
    )
    if who[1] not in accounts:  # one account per customer, however many journeys
        accounts[who[1]] = open_account(services, investor)
    investor.payment_account_no = accounts[who[1]]
    driver = WealthDriver(client)
    done = driver.run(investor, officer=officer)
    assert done.instance["outcome"] == "AGREEMENT_SIGNED", (who, done.steps, done.instance)
    return dict(machine_rules(client, driver, done.instance["instance_id"])["SAME_ANSWER_PATTERN"]["detail"])


def test_the_same_answers_from_three_other_customers_of_one_officer_are_flagged(
    client: TestClient, services: Services
) -> None:
    accounts: dict[str, str] = {}
    with services.deps.sessions() as session:  # a second qualified officer, for answers that do not count
        staff = session.get(StaffRecord, "fo002")
        assert staff is not None
        staff.qualifications = ["wealth_sales"]
        session.commit()
    other_answers = {**BALANCED, "horizon": "6_12m"}

    assert run_j3(client, services, accounts, ZHANG_WEI, "fo002", BALANCED) == {
        "result": "PASS",
        "reason": "same answers as 0 other customer(s) of this officer within 30 days",
    }
    assert run_j3(client, services, accounts, WANG_FANG, "fo001", other_answers)["result"] == "PASS"
    assert run_j3(client, services, accounts, LI_JIANGUO, "fo001", BALANCED)["result"] == "PASS"
    assert run_j3(client, services, accounts, LIU_ZHIQIANG, "fo001", BALANCED)["result"] == "PASS"
    third = run_j3(client, services, accounts, CHEN_XIUYING, "fo001", BALANCED)
    assert third == {
        "result": "PASS",
        "reason": "same answers as 2 other customer(s) of this officer within 30 days",
    }
    # 王芳 again, now with the common answers: 李建国, 刘志强 and 陈秀英 gave them to fo001; her own
    # earlier journey had other answers anyway, and 张伟's was fo002's
    flagged = run_j3(client, services, accounts, WANG_FANG, "fo001", BALANCED)
    assert flagged == {
        "result": "FLAG",
        "reason": "same answers as 3 other customer(s) of this officer within 30 days",
    }

    with services.deps.sessions() as session:
        rows = list(
            session.scalars(select(LinkingIndexRecord).where(LinkingIndexRecord.link.like("fingerprint:%")))
        )
    assert len(rows) == 6 and {r.link for r in rows} == {"fingerprint:answer_pattern"}
    assert len({r.value_index for r in rows}) == 2  # the common answers and 王芳's first ones
    kept = " ".join(f"{r.value_index} {r.subject_index}" for r in rows)
    assert not any(answer in kept for answer in (*BALANCED.values(), "WRQ-2025-1"))
    # the shared-contacts count never sees a fingerprint
    store = services.evidence.store
    assert all(store.shared_links(r.instance_id, timedelta(days=30)) == {} for r in rows)
    assert store.shared_fingerprint(rows[-1].instance_id, "answer_pattern", timedelta(days=30)) == 3
    assert store.shared_fingerprint(rows[-1].instance_id, "no_such_print", timedelta(days=30)) is None
