"""J2's declaration: evidence, the customer's blind index, and the card centre's answer as facts."""

from __future__ import annotations

from engine.journeys.credit_card import JOURNEY
from engine.journeys.credit_card.projection import PROCESS_ID

J2 = JOURNEY.projection


def test_j2_leaves_evidence_and_indexes_its_customer() -> None:
    assert PROCESS_ID == "credit_card_face_sign"
    assert (J2.leaves_evidence, J2.customer_id_field) == (True, "id_number")


def test_j2_records_the_application_number_decision_and_limit_and_nothing_personal() -> None:
    data = {
        "id_number": "420102198506150026",
        "customer_name": "王芳",
        "cc_submission": {"application_no": "CC2025061212345678", "status": "RECEIVED", "flags": []},
        "card_decision": {
            "application_no": "CC2025061212345678",
            "decision": "DECLINED",
            "reason": "BUREAU_DELINQUENT",
            "credit_limit": None,
        },
    }
    assert J2.completion_facts(data) == {
        "application_no": "CC2025061212345678",
        "decision": "DECLINED",
        "credit_limit": None,
        "supplementary_card": None,  # none asked for
    }


def test_j2_ended_before_submission_records_empty_facts() -> None:
    assert J2.completion_facts({"cc_submission": None}) == {
        "application_no": None,
        "decision": None,
        "credit_limit": None,
        "supplementary_card": None,
    }


def test_j2_records_whether_the_supplementary_card_went_with_the_application_not_why() -> None:
    asked = {"supplementary_card_wanted": True}
    assert J2.completion_facts({**asked, "supplementary_card_accepted": True})["supplementary_card"] == (
        "SUBMITTED_WITH_MAIN"
    )
    refused = {
        **asked,
        "supplementary_card_accepted": False,
        "supplementary_refusal": {"reason": "GENERAL_POLICY"},
    }
    facts = J2.completion_facts(refused)
    assert facts["supplementary_card"] == "NOT_ACCEPTED" and "GENERAL_POLICY" not in str(facts)
    assert J2.completion_facts(asked)["supplementary_card"] is None  # ended before the holder's checks
