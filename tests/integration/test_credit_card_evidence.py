"""J2 over HTTP to APPROVED → its own evidence package (J2's documents and captures, no J1 document) →
machine review with J2's rules, on PostgreSQL and SQLite."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.journey_driver import J1Driver
from tests.integration.credit_card_driver import Applicant, CreditCardDriver, SupplementaryHolder
from tests.integration.test_credit_card_journey import BEIJING, BEIJING_ID, finish

J2_DOCUMENTS = {
    "documents/credit_report_authorization.pdf",
    "documents/credit_card_application.pdf",
    "documents/card_agreement.pdf",
    "documents/witness_declaration.pdf",
    "documents/decision_record.pdf",
}
J1_DOCUMENTS = {
    "documents/account_application.pdf",
    "documents/debit_card_agreement.pdf",
    "documents/risk_notice.pdf",
    "documents/voucher.pdf",
}
# the 三亲见 photos carry the time + GPS watermark, which the server stamps into a JPEG
J2_IMAGES = {
    "images/applicant_photo.jpg",
    "images/credit_auth_signature.png",
    "images/hand_copy.png",
    "images/signature.png",
    "images/witness_signature.png",
    "images/original_income_proof.jpg",
    "images/original_bank_statement.jpg",
}
J2_RULES = {
    "SIGHTINGS_COMPLETE",
    "AUTHORIZATION_BEFORE_QUERY",
    "CONTACT_MOBILES",
    "DOCUMENTS_WITHIN_DEADLINE",
    "OFFICER_QUALIFIED",
    "OFFICER_NOT_APPLICANT",
    "INCOME_PROOF_LEGIBLE",
    "SHARED_CONTACTS",
    "VELOCITY",
}


def reviewed_package(
    client: TestClient, driver: J1Driver, instance_id: str, seconds: float = 60
) -> dict[str, Any]:
    """The instance's package once machine review has recorded its rules."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        packages = client.get("/api/v1/evidence", headers=driver.headers("ps001")).json()
        for package in packages:
            if package["instance_id"] == instance_id:
                url = f"/api/v1/evidence/{package['package_id']}"
                detail = client.get(url, headers=driver.headers("ps001")).json()
                if any(h["kind"] == "machine_rule" for h in detail["history"]):
                    return dict(detail)
        time.sleep(0.2)
    raise AssertionError(f"no machine-reviewed package for {instance_id}")


def test_an_approved_j2_leaves_its_own_package_reviewed_by_its_own_rules(
    client: TestClient, tmp_path: Path
) -> None:
    driver = CreditCardDriver(client)
    done = finish(driver, Applicant())
    assert (done["status"], done["outcome"]) == ("completed", "APPROVED")
    detail = reviewed_package(client, driver, done["instance_id"])
    package_id = detail["manifest"]["package_id"]

    names = {f["name"] for f in detail["manifest"]["files"]}
    assert names >= J2_DOCUMENTS | J2_IMAGES
    assert not names & J1_DOCUMENTS

    rules = {h["code"]: h for h in detail["history"] if h["kind"] == "machine_rule"}
    assert set(rules) >= J2_RULES
    assert not {"VOUCHER_MATCHES_CORE", "CARD_FROM_STOCK", "DECLARATIONS_SIGNED"} & set(rules)
    flagged = {code for code, h in rules.items() if h["passed"] is False}
    assert not flagged & J2_RULES, {code: rules[code] for code in flagged}

    r = client.get(f"/api/v1/evidence/{package_id}/download", headers=driver.headers("ps001"))
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert set(archive.namelist()) >= J2_DOCUMENTS | J2_IMAGES
        (tmp_path / "application.pdf").write_bytes(archive.read("documents/credit_card_application.pdf"))
        (tmp_path / "decision.pdf").write_bytes(archive.read("documents/decision_record.pdf"))
        application_no = json.loads(archive.read("data.json"))["application_no"]
    application = _text(tmp_path / "application.pdf")
    assert "王芳" in application and "420102198506150026" in application and "未完成" not in application
    decision = _text(tmp_path / "decision.pdf")
    assert application_no.startswith("CC") and application_no in decision
    assert "36,000.00" in decision and "420102198506150026" not in decision  # a staff view: masked


def test_a_present_holder_passes_the_face_check_and_the_package_holds_their_live_photo(
    client: TestClient,
) -> None:
    driver = CreditCardDriver(client)
    done = finish(driver, Applicant(supplementary=SupplementaryHolder()))  # 赵雨桐, clean (§13.2)
    assert (done["status"], done["outcome"]) == ("completed", "APPROVED")
    detail = reviewed_package(client, driver, done["instance_id"])
    names = {f["name"] for f in detail["manifest"]["files"]}
    # each person's live photo under their own role: the holder's check did not replace the applicant's
    assert {"images/live_face.png", "images/supplementary_live_face.png"} <= names
    rules = {h["code"]: h for h in detail["history"] if h["kind"] == "machine_rule"}
    # the holder's face result (subject: their ID number, a declared party) and 三亲见 with it both pass
    assert rules["CHECKS_MATCH_CUSTOMER"]["passed"] is True, rules["CHECKS_MATCH_CUSTOMER"]
    assert rules["SIGHTINGS_COMPLETE"]["passed"] is True, rules["SIGHTINGS_COMPLETE"]
    r = client.get(
        f"/api/v1/evidence/{detail['manifest']['package_id']}/download", headers=driver.headers("ps001")
    )
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["supp_face_result"]["result"] == "PASS" and data["face_result"]["result"] == "PASS"
    assert data["supp_live_face_image"] != data["live_face_image"]


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _documents(detail: dict[str, Any]) -> set[str]:
    return {f["name"] for f in detail["manifest"]["files"] if f["name"].startswith("documents/")}


def test_a_declined_j2_keeps_every_paper_it_signed_and_the_decision(client: TestClient) -> None:
    driver = CreditCardDriver(client)
    done = finish(driver, Applicant(name="余勇", id_number="420116198404049312"))  # §13.2: bureau 931
    assert (done["outcome"], done["outcome_reason"]) == ("DECLINED", "BUREAU_DELINQUENT")
    detail = reviewed_package(client, driver, done["instance_id"])
    assert _documents(detail) == J2_DOCUMENTS


def test_a_j2_refused_before_submission_holds_what_was_signed_and_no_decision(
    client: TestClient, tmp_path: Path
) -> None:
    driver = CreditCardDriver(client)
    applicant = Applicant(
        name="赵磊", id_number=BEIJING_ID, extra={"residential_address": BEIJING, "employer_address": BEIJING}
    )
    done = finish(driver, applicant)
    assert (done["outcome"], done["outcome_reason"]) == ("REFUSED", "OUTSIDE_SERVICE_AREA")
    detail = reviewed_package(client, driver, done["instance_id"])
    # the authorization was signed before the refusal; nothing else was signed or submitted
    assert _documents(detail) == {
        "documents/credit_report_authorization.pdf",
        "documents/credit_card_application.pdf",
    }
    r = client.get(
        f"/api/v1/evidence/{detail['manifest']['package_id']}/download", headers=driver.headers("ps001")
    )
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        (tmp_path / "application.pdf").write_bytes(archive.read("documents/credit_card_application.pdf"))
    assert "未完成" in _text(tmp_path / "application.pdf")


def _rule(detail: dict[str, Any], code: str) -> dict[str, Any]:
    return next(h for h in detail["history"] if h["kind"] == "machine_rule" and h["code"] == code)


def test_a_second_applicant_sharing_a_contact_mobile_is_flagged_and_an_unrelated_one_is_not(
    client: TestClient,
) -> None:
    """Fraud-ring signal: the rule compares blind indexes kept with each package, never the numbers."""
    driver = CreditCardDriver(client)
    first = finish(driver, Applicant())
    assert _rule(reviewed_package(client, driver, first["instance_id"]), "SHARED_CONTACTS")["passed"] is True

    # another person whose other contact is 王芳's family contact, written another way
    ring = Applicant(
        name="陈明",
        id_number="420106198805121239",  # synthetic person (§13.1): clean checks
        family_mobile="13900007771",
        other_mobile="+86 139-0000-2345",
        extra={"employer_phone": "027-88880001"},
    )
    second = finish(driver, ring)
    assert second["outcome"] == "APPROVED"
    flagged = _rule(reviewed_package(client, driver, second["instance_id"]), "SHARED_CONTACTS")
    assert flagged["passed"] is False
    assert flagged["detail"]["reason"] == "shares a contact's mobile with 1 other applicant(s) within 30 days"

    unrelated = Applicant(
        name="刘静",
        id_number="420106197908152463",
        family_mobile="13900007772",
        other_mobile="13900007773",
        extra={"employer_phone": "027-88880002"},
    )
    third = finish(driver, unrelated)
    assert third["outcome"] == "APPROVED"
    assert _rule(reviewed_package(client, driver, third["instance_id"]), "SHARED_CONTACTS")["passed"] is True
