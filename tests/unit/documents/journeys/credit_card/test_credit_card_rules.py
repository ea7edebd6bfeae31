"""J2's machine rules, each both ways, on the approved sample as its package holds it (data.json,
trail.json, the manifest's file list)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from documents.evidence.facts import EvidenceFacts
from documents.evidence.manifest import canonical_json
from documents.evidence.package import package_files
from documents.journeys.credit_card import EVIDENCE, rules
from documents.journeys.credit_card.samples import DEVICE_ID, approved_facts, utc_iso
from documents.sample_images import document_png
from documents.supervision.image_facts import ImageFacts, image_facts
from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, ReviewInput, machine_review

SUBJECT = "56ce9876a4dc27368d2d5c3ac5875665"  # the sample trail's blind index of 王芳's ID number


def review_input(facts: EvidenceFacts | None = None, **extra: Any) -> ReviewInput:
    """What MachineReviewer hands the rules: the package's JSON as read back, and its manifest."""
    facts = facts or approved_facts()
    files = package_files(facts, {f"{name}.pdf": b"%PDF-" for name in EVIDENCE.documents(facts)})
    trail = json.loads(canonical_json(facts.trail))
    return ReviewInput(
        data=json.loads(canonical_json(facts.data)),
        trail=trail,
        manifest={
            "outcome": facts.outcome,
            "staff_id": facts.staff_id,
            "completed_at": facts.completed_at.isoformat(),
            "files": [{"name": name} for name in sorted(files)],
        },
        package_problems=[],
        subject_index=SUBJECT,
        extra={"shared_links": {}, **extra},  # review_facts always asks; the sample shares nothing
        images=image_facts({name: content for name, (_type, content) in files.items()}),
        # the sample's tablet was ACTIVE throughout, as the device registry would answer
        device_states={DEVICE_ID: {e["at"]: "ACTIVE" for e in trail if e["device_id"] == DEVICE_ID}},
    )


def without_file(r: ReviewInput, name: str) -> ReviewInput:
    r.manifest["files"] = [f for f in r.manifest["files"] if f["name"] != name]
    return r


def event_of(r: ReviewInput, operation: str) -> dict[str, Any]:
    return next(e for e in r.trail if e["detail"].get("operation") == operation)


def test_the_approved_sample_passes_every_rule_a_package_gets() -> None:
    results = machine_review(review_input(applications_by_officer_last_day=3), EVIDENCE.rules)
    assert {r.code: r.result for r in results if r.result != PASS} == {
        "DOCUMENTS_WITHIN_DEADLINE": NOT_APPLICABLE,  # the centre asked for no 补件
    }
    assert {r.code for r in results} >= {
        "SIGHTINGS_COMPLETE",
        "AUTHORIZATION_BEFORE_QUERY",
        "CONTACT_MOBILES",
        "SHARED_CONTACTS",
        "DOCUMENTS_WITHIN_DEADLINE",
        "OFFICER_QUALIFIED",
        "OFFICER_NOT_APPLICANT",
        "INCOME_PROOF_LEGIBLE",
        "VELOCITY",
    }
    assert not {"VOUCHER_MATCHES_CORE", "CARD_FROM_STOCK", "DECLARATIONS_SIGNED"} & {r.code for r in results}


# ------------------------------------------------------------------ 三亲见


def test_sightings_pass_with_every_capture_in_the_package() -> None:
    assert rules.sightings_complete(review_input()).result == PASS


def test_a_missing_photo_of_a_ticked_original_is_flagged() -> None:
    r = without_file(review_input(), "images/original_bank_statement.png")
    result = rules.sightings_complete(r)
    assert (result.result, result.reason) == (FLAG, "missing: photo of bank_statement")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"applicant_photo": None}, "applicant photo"),
        ({"witness_originals_seen": False}, "witness_originals_seen"),
        ({"witness_signature": None}, "witness signature"),
        ({"customer_signature": None}, "customer signature"),
        ({"hand_copy_image": None}, "hand-copied sentence"),
        ({"face_result": {"result": "GRAY"}}, "face PASS"),
        ({"doc_income_proof_seen": None, "doc_bank_statement_seen": None}, "any original seen"),
    ],
)
def test_each_missing_sighting_is_named(change: dict[str, Any], named: str) -> None:
    r = review_input()
    r.data.update(change)
    result = rules.sightings_complete(r)
    assert result.result == FLAG and named in result.reason


def with_supplementary_holder(face: str = "PASS") -> ReviewInput:
    """The approved sample with a present holder whose card went with the application, and their
    live photo in the package (images/supplementary_live_face)."""
    r = review_input()
    r.data.update(
        supplementary_card_accepted=True,
        supp_face_result={"result": face},
        supp_live_face_image="att_" + "e" * 32,
    )
    r.manifest["files"].append({"name": "images/supplementary_live_face.png"})
    return r


def test_a_holder_whose_card_went_with_the_application_was_seen_by_a_face_pass() -> None:
    assert rules.sightings_complete(with_supplementary_holder()).result == PASS
    gray = rules.sightings_complete(with_supplementary_holder("GRAY"))
    assert (gray.result, gray.reason) == (FLAG, "missing: supplementary holder face PASS")
    unphotographed = without_file(with_supplementary_holder(), "images/supplementary_live_face.png")
    assert rules.sightings_complete(unphotographed).reason == "missing: supplementary holder live photo"


def test_a_holder_refused_at_the_face_check_asks_nothing_of_the_sightings() -> None:
    r = review_input()
    r.data.update(supplementary_card_accepted=False, supp_face_result=None)
    assert rules.sightings_complete(r).result == PASS


def test_a_missing_applicant_photo_file_is_flagged_even_when_the_data_names_one() -> None:
    r = without_file(review_input(), "images/applicant_photo.png")
    assert rules.sightings_complete(r).result == FLAG


def test_sightings_are_not_applicable_before_a_submission() -> None:
    r = review_input()
    r.trail = [e for e in r.trail if e["detail"].get("operation") != "credit_card.submit"]
    assert rules.sightings_complete(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ the authorization


def test_an_authorization_stamped_before_the_submission_passes() -> None:
    assert rules.authorization_before_query(review_input()).result == PASS


def test_an_authorization_stamped_after_the_submission_is_flagged() -> None:
    r = review_input()
    submitted = datetime.fromisoformat(event_of(r, "credit_card.submit")["at"])
    # the stamp is Shanghai time, the trail UTC: one second after the submission, whatever the offsets
    r.data["credit_auth"]["signed_at"] = (submitted + timedelta(seconds=1)).astimezone().isoformat()
    result = rules.authorization_before_query(r)
    assert (result.result, result.reason) == (FLAG, "stamped after the submission")


def test_an_authorization_stamped_after_the_bureau_query_is_flagged() -> None:
    r = review_input()
    submitted = datetime.fromisoformat(event_of(r, "credit_card.submit")["at"])
    r.data["credit_auth"]["signed_at"] = (submitted - timedelta(seconds=1)).isoformat()
    r.data["card_decision"]["bureau_queried_at"] = (submitted - timedelta(seconds=2)).isoformat()
    result = rules.authorization_before_query(r)
    assert (result.result, result.reason) == (FLAG, "stamped after the bureau query")


@pytest.mark.parametrize(
    "credit_auth",
    [
        {"result": "SIGNED", "signed_at": "2025-06-02T14:03:00+08:00", "purpose_code": "MARKETING"},
        {"result": "NOT_SIGNED", "signed_at": None, "purpose_code": "CREDIT_CARD_APPROVAL"},
        {"result": "SIGNED", "signed_at": "2025-06-02T14:03:00", "purpose_code": "CREDIT_CARD_APPROVAL"},
        None,
    ],
)
def test_an_authorization_for_another_purpose_unsigned_or_without_a_zoned_stamp_is_flagged(
    credit_auth: dict[str, Any] | None,
) -> None:
    r = review_input()
    r.data["credit_auth"] = credit_auth
    assert rules.authorization_before_query(r).result == FLAG


# ------------------------------------------------------------------ contacts


def test_contacts_with_their_own_mobiles_pass() -> None:
    assert rules.contact_mobiles(review_input()).result == PASS


@pytest.mark.parametrize(
    ("family", "other", "reason"),
    [
        ("139 0000 1234", "13900003456", "a contact has the applicant's mobile"),
        ("13900002345", "13900002345", "both contacts have the same mobile"),
        ("13900002345", "13900009009", "a contact has a staff number"),
        ("", "13900003456", "a contact without a mobile"),
    ],
)
def test_a_contact_sharing_a_mobile_is_flagged(family: str, other: str, reason: str) -> None:
    r = review_input()
    r.data["family_contact"]["mobile"] = family
    r.data["other_contact"]["mobile"] = other
    assert (rules.contact_mobiles(r).result, rules.contact_mobiles(r).reason) == (FLAG, reason)


def test_contacts_are_not_applicable_before_the_application_form() -> None:
    r = review_input()
    r.data.pop("family_contact")
    r.data.pop("other_contact")
    assert rules.contact_mobiles(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ 补件


def with_supplement(days_after_request: float, request: bool = True) -> ReviewInput:
    r = review_input()
    asked = datetime.fromisoformat(utc_iso(9.3)).astimezone(UTC)
    sent = asked + timedelta(days=days_after_request)
    trail = [e for e in r.trail if e["kind"] != "instance_completed"]
    if not request:
        trail = [e for e in trail if e["kind"] != "message_received"]
    trail.append(
        {
            **copy.deepcopy(event_of(r, "credit_card.submit")),
            "at": sent.isoformat(),
            "task_spec": "submit_documents",
        }
    )
    trail[-1]["detail"]["operation"] = "credit_card.submit_documents"
    r.trail = trail
    return r


def test_documents_within_seven_days_of_the_request_pass() -> None:
    assert rules.documents_within_deadline(with_supplement(6.9)).result == PASS


def test_documents_after_the_deadline_are_flagged() -> None:
    result = rules.documents_within_deadline(with_supplement(7.01))
    assert (result.result, result.reason) == (FLAG, "documents submitted after the deadline")


def test_documents_nobody_asked_for_are_flagged() -> None:
    assert rules.documents_within_deadline(with_supplement(1, request=False)).result == FLAG


def test_no_supplement_is_not_applicable() -> None:
    assert rules.documents_within_deadline(review_input()).result == NOT_APPLICABLE


# ------------------------------------------------------------------ the officer


def test_the_qualified_officer_who_started_did_every_face_sign_act() -> None:
    result = rules.officer_qualified(review_input())
    assert result.result == PASS and "fo001" in result.reason and "credit_card_face_sign" in result.reason


def test_a_witness_declaration_by_another_officer_is_flagged() -> None:
    r = review_input()
    next(e for e in r.trail if e.get("task_spec") == "witness")["actor_id"] = "fo002"
    result = rules.officer_qualified(r)
    assert (result.result, result.reason) == (FLAG, "done by another officer: witness")


def test_a_package_whose_start_is_missing_or_someone_elses_is_flagged() -> None:
    r = review_input()
    r.trail = [e for e in r.trail if e["kind"] != "instance_started"]
    assert rules.officer_qualified(r).result == FLAG
    r = review_input()
    r.manifest["staff_id"] = "fo009"
    assert rules.officer_qualified(r).result == FLAG


def test_a_start_that_records_no_qualification_check_is_flagged() -> None:
    r = review_input()
    start = next(e for e in r.trail if e["kind"] == "instance_started")
    del start["detail"]["qualification"]
    result = rules.officer_qualified(r)
    assert (result.result, result.reason) == (FLAG, "the start records no check of credit_card_face_sign")


def test_a_submission_without_the_witness_step_is_flagged() -> None:
    r = review_input()
    r.trail = [e for e in r.trail if e.get("task_spec") != "witness"]
    assert rules.officer_qualified(r).result == FLAG


# ------------------------------------------------------------------ velocity


def test_thirty_applications_a_day_pass_and_thirty_one_are_flagged() -> None:
    assert rules.velocity(review_input(applications_by_officer_last_day=30)).result == PASS
    result = rules.velocity(review_input(applications_by_officer_last_day=31))
    assert (result.result, result.reason) == (FLAG, "31 applications by this officer in a day")


def test_review_facts_ask_for_the_officers_applications_in_a_day_and_shared_contacts() -> None:
    asked: list[tuple[Any, ...]] = []

    class Lookups:
        core: Any = None

        def journeys_by_officer(self, instance_id: str, window: timedelta, outcomes: Any) -> int:
            asked.append((instance_id, window, tuple(outcomes)))
            return 12

        def shared_links(self, instance_id: str, window: timedelta) -> dict[str, int]:
            asked.append((instance_id, window))
            return {"contact_mobile": 2}

    facts = EVIDENCE.review_facts("i-1", {}, Lookups())
    assert facts == {"applications_by_officer_last_day": 12, "shared_links": {"contact_mobile": 2}}
    assert asked == [
        ("i-1", timedelta(days=1), ("APPROVED", "DECLINED", "REFERRED")),
        ("i-1", timedelta(days=30)),
    ]


# ------------------------------------------------------------------ shared contacts (fraud ring)


def test_an_application_sharing_no_contact_passes() -> None:
    assert rules.shared_contacts(review_input(shared_links={})).result == PASS


def test_a_contact_mobile_shared_with_another_applicant_is_flagged_with_what_was_shared() -> None:
    result = rules.shared_contacts(review_input(shared_links={"contact_mobile": 1, "employer_phone": 2}))
    assert result.result == FLAG
    assert result.reason == (
        "shares a contact's mobile with 1 other applicant(s); the employer phone with 2 other "
        "applicant(s) within 30 days"
    )


def test_shared_contacts_flag_when_other_applications_were_not_compared() -> None:
    r = review_input()
    del r.extra["shared_links"]
    assert rules.shared_contacts(r).result == FLAG


def test_shared_contacts_do_not_apply_before_the_application_was_filled() -> None:
    r = review_input(shared_links={"contact_mobile": 1})
    for key in ("family_contact", "other_contact", "employer_phone"):
        r.data.pop(key, None)
    assert rules.shared_contacts(r).result == NOT_APPLICABLE


def test_j2_declares_its_contacts_mobiles_and_employer_phone_as_linking_fields() -> None:
    data = approved_facts().data
    for path in EVIDENCE.linking_fields:
        head, _, tail = path.partition(".")
        value = data[head][tail] if tail else data[head]
        assert isinstance(value, str) and value, path
    assert set(EVIDENCE.linking_fields.values()) == {"contact_mobile", "employer_phone"}


def test_a_package_breaking_a_rule_is_flagged_by_the_machine_review() -> None:
    r = review_input()
    r.data["credit_auth"]["signed_at"] = "2025-06-02T15:00:00+08:00"  # after the 14:09 submission
    flagged = {x.code for x in machine_review(r, EVIDENCE.rules) if x.result == FLAG}
    assert flagged == {"AUTHORIZATION_BEFORE_QUERY"}


# ------------------------------------------------------------------ the officer is not the applicant


def test_an_applicant_whose_mobile_is_no_staff_number_passes() -> None:
    assert rules.officer_not_applicant(review_input()).result == PASS


def test_an_applicant_with_a_staff_mobile_is_flagged_however_written() -> None:
    r = review_input()
    r.data["reserved_mobile"] = "+86 139-0000-9009"  # forms/keywords.py STAFF_MOBILES
    result = rules.officer_not_applicant(r)
    assert (result.result, result.reason) == (FLAG, "the applicant's mobile is a staff number")


def test_an_officer_declaring_a_relationship_is_flagged() -> None:
    r = review_input()
    r.data["witness_no_relationship"] = False
    assert rules.officer_not_applicant(r).result == FLAG


def test_the_officer_rule_does_not_apply_without_an_applicant_mobile() -> None:
    r = review_input()
    del r.data["reserved_mobile"]
    assert rules.officer_not_applicant(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ income proof legible

INCOME = "images/original_income_proof.png"
STATEMENT = "images/original_bank_statement.png"


def test_photographed_pages_of_income_proof_pass() -> None:
    result = rules.income_proof_legible(review_input())
    assert (result.result, result.reason) == (PASS, "2 income-proof photo(s)")


def test_a_thumbnail_of_the_income_proof_is_flagged() -> None:
    r = review_input()
    r.images[INCOME] = image_facts({INCOME: document_png(1, width=320, height=240)})[INCOME]
    result = rules.income_proof_legible(r)
    assert (result.result, result.reason) == (FLAG, f"{INCOME} too small (320x240)")


def test_a_blank_frame_is_flagged_even_at_full_size() -> None:
    r = review_input()
    r.images[STATEMENT] = ImageFacts(1280, 960, 0.0)  # a lens cap under the watermark strip
    result = rules.income_proof_legible(r)
    assert (result.result, result.reason) == (FLAG, f"{STATEMENT} blank")


def test_an_unreadable_income_proof_is_flagged() -> None:
    r = review_input()
    del r.images[INCOME]
    assert rules.income_proof_legible(r).reason == f"{INCOME} unreadable"


def test_a_submitted_application_without_income_proof_photos_is_flagged() -> None:
    r = without_file(without_file(review_input(), INCOME), STATEMENT)
    result = rules.income_proof_legible(r)
    assert (result.result, result.reason) == (FLAG, "no income-proof photo in the package")


def test_a_retake_counts_under_its_role() -> None:
    r = without_file(review_input(), INCOME)
    r.manifest["files"].append({"name": "images/original_income_proof-2.jpg"})
    r.images["images/original_income_proof-2.jpg"] = ImageFacts(1280, 960, 30.0)
    assert rules.income_proof_legible(r).result == PASS


def test_the_income_rule_does_not_apply_before_submission() -> None:
    r = review_input()
    r.trail = [e for e in r.trail if e["detail"].get("operation") != "credit_card.submit"]
    assert rules.income_proof_legible(r).result == NOT_APPLICABLE
