"""J2's machine rules (domain J2 "Post-supervision checks", §7, §2.11): 三亲见 complete, the credit-report
authorization before the card centre's query and for its purpose, the contacts' mobiles, 补件 within
its deadline, the face-sign officer (qualified, not the applicant), the officer's volume, contacts
shared with other applicants, the income proof photographed legibly.

Each reads the verified package (data.json, trail.json, the manifest's file list). Times are compared as
moments: the trail holds UTC, the authorization stamp Asia/Shanghai.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from documents.supervision.review import (
    FLAG,
    NOT_APPLICABLE,
    PASS,
    ReviewInput,
    ReviewLookups,
    Rule,
    RuleResult,
    moment,
    velocity_rule,
)
from engine.journeys.credit_card import QUALIFICATION
from engine.journeys.credit_card.operations import (
    CREDIT_REPORT_PURPOSE,
    DOCUMENT_NAMES,
    INCOME_PROOF_DOCUMENTS,
)
from engine.journeys.credit_card.projection import DECISION_FIELD, PROCESS_ID
from forms.formats import normalise_mobile
from forms.keywords import STAFF_MOBILES

SUBMIT = "credit_card.submit"
SUBMIT_DOCUMENTS = "credit_card.submit_documents"
DOCUMENTS_DEADLINE = timedelta(days=7)  # [Sim] the diagram's 补件 timer (b_docs_deadline, P7D)
VELOCITY_LIMIT_PER_DAY = 30  # [Sim] domain J2 post-supervision
# journeys that reached the card centre: what "applications" means for the officer's volume
APPLIED = ("APPROVED", "DECLINED", "REFERRED")
# the officer's own acts of the face-sign session: the qualification checked at the start covers them
# only if the officer who started the journey did them
FACE_SIGN_TASKS = ("sightings", "application", "signing", "witness", "supplement")
SHARED_CONTACTS_WINDOW = timedelta(days=30)  # [Sim] the domain names the signal, not its window
# J2's values that tie applications together (its declaration's `linking_fields`): a contact's mobile
# and the employer's phone, each compared with the same link of other applicants' applications
LINKING_FIELDS = {
    "family_contact.mobile": "contact_mobile",
    "other_contact.mobile": "contact_mobile",
    "employer_phone": "employer_phone",
}
SHARED_LINK_WORDS = {"contact_mobile": "a contact's mobile", "employer_phone": "the employer phone"}
# [Sim] a legible photo of a page: its shorter side at least this many pixels (the tablet sends up to
# 1280), and its grey levels above the watermark strip spread at least this much (a blank or black
# frame is ~0, a photographed page of text 20+)
MIN_LEGIBLE_SIDE = 480
MIN_LEGIBLE_SPREAD = 8.0
INCOME_PROOF_ROLES = frozenset(
    f"{kind}_{doc}" for kind in ("original", "supplement") for doc in INCOME_PROOF_DOCUMENTS
)
WITNESS_DECLARATIONS = (
    "witness_person_seen",
    "witness_originals_seen",
    "witness_signature_seen",
    "witness_no_relationship",
)


def review_facts(instance_id: str, data: dict[str, Any], lookups: ReviewLookups) -> dict[str, Any]:
    """The officer's applications to the card centre in the day up to this journey's end, and the other
    applicants whose applications share a contact's mobile or the employer phone with this one."""
    return {
        "applications_by_officer_last_day": lookups.journeys_by_officer(
            instance_id, timedelta(days=1), APPLIED
        ),
        "shared_links": lookups.shared_links(instance_id, SHARED_CONTACTS_WINDOW),
    }


def _submitted(r: ReviewInput) -> bool:
    return bool(r.results_of(SUBMIT))


def _packaged(r: ReviewInput, role: str) -> bool:
    """The package holds the capture in `role` (`images/<role>.<ext>`; a retake is `<role>-2`)."""
    names = [str(f.get("name", "")) for f in r.manifest.get("files") or () if isinstance(f, dict)]
    return any(name.startswith(f"images/{role}.") for name in names)


def _captured(r: ReviewInput, data_field: str, role: str) -> bool:
    value = r.data.get(data_field)
    return isinstance(value, str) and bool(value) and _packaged(r, role)


def sightings_complete(r: ReviewInput) -> RuleResult:
    """三亲见 (§7.1): the person (face PASS + the officer's photo of the applicant; with a supplementary card,
    its holder's face PASS and live photo too), each ticked original
    with its photo, the customer's signature and hand-copied sentence, the officer's declaration and
    signature, all in the package."""
    if not _submitted(r):
        return RuleResult("SIGHTINGS_COMPLETE", NOT_APPLICABLE, "nothing submitted to the card centre")
    missing = []
    if (r.data.get("face_result") or {}).get("result") != "PASS":
        missing.append("face PASS")
    if r.data.get("supplementary_card_accepted") is True:
        # the supplementary card went with the application: its holder was seen in person too (§7.2)
        if (r.data.get("supp_face_result") or {}).get("result") != "PASS":
            missing.append("supplementary holder face PASS")
        if not _captured(r, "supp_live_face_image", "supplementary_live_face"):
            missing.append("supplementary holder live photo")
    if not _captured(r, "applicant_photo", "applicant_photo"):
        missing.append("applicant photo")
    ticked = [code for code in DOCUMENT_NAMES if r.data.get(f"doc_{code}_seen") is True]
    if not ticked:
        missing.append("any original seen")
    missing += [
        f"photo of {code}" for code in ticked if not _captured(r, f"doc_{code}_photo", f"original_{code}")
    ]
    if not _captured(r, "customer_signature", "signature"):
        missing.append("customer signature")
    if not _captured(r, "hand_copy_image", "hand_copy"):
        missing.append("hand-copied sentence")
    missing += [key for key in WITNESS_DECLARATIONS if r.data.get(key) is not True]
    if not _captured(r, "witness_signature", "witness_signature"):
        missing.append("witness signature")
    if missing:
        return RuleResult("SIGHTINGS_COMPLETE", FLAG, "missing: " + ", ".join(missing))
    return RuleResult("SIGHTINGS_COMPLETE", PASS, f"{len(ticked)} originals seen")


def authorization_before_query(r: ReviewInput) -> RuleResult:
    """征信业管理条例 Art. 18, §2.11: the authorization, for credit-card approval, stamped before the
    application reached the card centre and before the centre's bureau query."""
    submits = [moment(e["at"]) for e in r.results_of(SUBMIT)]
    if not submits:
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", NOT_APPLICABLE, "nothing submitted")
    auth = r.data.get("credit_auth") or {}
    signed_at = moment(auth.get("signed_at"))
    if auth.get("result") != "SIGNED" or signed_at is None:
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", FLAG, "no signed, time-stamped authorization")
    if auth.get("purpose_code") != CREDIT_REPORT_PURPOSE:
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", FLAG, f"purpose {auth.get('purpose_code')!r}")
    if any(s is None for s in submits):
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", FLAG, "submission time unreadable")
    if signed_at >= min(s for s in submits if s is not None):
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", FLAG, "stamped after the submission")
    queried = (r.data.get(DECISION_FIELD) or {}).get("bureau_queried_at")
    queried_at = moment(queried)
    if queried is not None and (queried_at is None or signed_at >= queried_at):
        return RuleResult("AUTHORIZATION_BEFORE_QUERY", FLAG, "stamped after the bureau query")
    return RuleResult("AUTHORIZATION_BEFORE_QUERY", PASS)


def contact_mobiles(r: ReviewInput) -> RuleResult:
    """Contacts' mobiles differ from the applicant's, from each other and from staff numbers."""
    contacts = [r.data.get(f) for f in ("family_contact", "other_contact")]
    if not any(isinstance(c, dict) for c in contacts):
        return RuleResult("CONTACT_MOBILES", NOT_APPLICABLE, "no application data")
    applicant = normalise_mobile(str(r.data.get("reserved_mobile") or ""))
    mobiles = [normalise_mobile(str((c or {}).get("mobile") or "")) for c in contacts]
    if not all(mobiles):
        return RuleResult("CONTACT_MOBILES", FLAG, "a contact without a mobile")
    if applicant in mobiles:
        return RuleResult("CONTACT_MOBILES", FLAG, "a contact has the applicant's mobile")
    if len(set(mobiles)) < len(mobiles):
        return RuleResult("CONTACT_MOBILES", FLAG, "both contacts have the same mobile")
    if set(mobiles) & STAFF_MOBILES:
        return RuleResult("CONTACT_MOBILES", FLAG, "a contact has a staff number")
    return RuleResult("CONTACT_MOBILES", PASS)


def shared_contacts(r: ReviewInput) -> RuleResult:
    """Fraud-ring signal (domain J2 post-supervision): a contact's mobile or the employer phone also in
    another applicant's application (another ID number) within 30 days [Sim] of this one. Compared by
    blind index (`review_facts`), so the numbers are never read back in clear."""
    if not any(
        isinstance(r.data.get(f), dict | str) for f in ("family_contact", "other_contact", "employer_phone")
    ):
        return RuleResult("SHARED_CONTACTS", NOT_APPLICABLE, "no application data")
    shared = r.extra.get("shared_links")
    if not isinstance(shared, dict):
        return RuleResult("SHARED_CONTACTS", FLAG, "other applications could not be compared")
    found = [
        f"{SHARED_LINK_WORDS.get(link, link)} with {count} other applicant(s)"
        for link, count in sorted(shared.items())
        if isinstance(count, int) and count > 0
    ]
    if found:
        return RuleResult(
            "SHARED_CONTACTS",
            FLAG,
            "shares " + "; ".join(found) + f" within {SHARED_CONTACTS_WINDOW.days} days",
        )
    return RuleResult("SHARED_CONTACTS", PASS)


def documents_within_deadline(r: ReviewInput) -> RuleResult:
    """补件 (§J2 step 10): each submission of documents answers a card-centre decision received at most
    7 days [Sim] earlier (the decision asking for them starts the deadline)."""
    submissions = r.results_of(SUBMIT_DOCUMENTS)
    if not submissions:
        return RuleResult("DOCUMENTS_WITHIN_DEADLINE", NOT_APPLICABLE, "no 补件")
    decisions = [
        moment(e["at"])
        for e in r.trail
        if e.get("kind") == "message_received" and (e.get("detail") or {}).get("message") == DECISION_FIELD
    ]
    for submission in submissions:
        sent = moment(submission["at"])
        asked = [d for d in decisions if d is not None and sent is not None and d <= sent]
        if sent is None or not asked:
            return RuleResult("DOCUMENTS_WITHIN_DEADLINE", FLAG, "documents submitted without a request")
        if sent > max(asked) + DOCUMENTS_DEADLINE:
            return RuleResult("DOCUMENTS_WITHIN_DEADLINE", FLAG, "documents submitted after the deadline")
    return RuleResult("DOCUMENTS_WITHIN_DEADLINE", PASS)


def officer_qualified(r: ReviewInput) -> RuleResult:
    """The face-sign officer held the qualification on the day: the engine refuses to start this journey
    for an officer without it and records the one it checked on the start event; every face-sign act must
    be that officer's (§7.2: bank staff, no outsourcing)."""
    starts = [e for e in r.trail if e.get("kind") == "instance_started"]
    if not starts:
        return RuleResult("OFFICER_QUALIFIED", FLAG, "no start event in the trail")
    start = starts[0]
    starter = start.get("actor_id")
    if (start.get("detail") or {}).get("process_id") != PROCESS_ID or starter != r.manifest.get("staff_id"):
        return RuleResult("OFFICER_QUALIFIED", FLAG, "the journey's start does not match the package")
    if (start.get("detail") or {}).get("qualification") != QUALIFICATION:
        return RuleResult("OFFICER_QUALIFIED", FLAG, f"the start records no check of {QUALIFICATION}")
    others = sorted(
        {
            str(e.get("task_spec"))
            for e in r.trail
            if e.get("kind") == "task_completed"
            and e.get("task_spec") in FACE_SIGN_TASKS
            and e.get("actor_id") != starter
        }
    )
    if others:
        return RuleResult("OFFICER_QUALIFIED", FLAG, f"done by another officer: {', '.join(others)}")
    if not r.completed("witness") and _submitted(r):
        return RuleResult("OFFICER_QUALIFIED", FLAG, "submitted without the officer's witness declaration")
    return RuleResult("OFFICER_QUALIFIED", PASS, f"{starter} holds {QUALIFICATION} (checked at start)")


def officer_not_applicant(r: ReviewInput) -> RuleResult:
    """FO ≠ applicant (domain J2 post-supervision). Staff records hold no ID number, so the applicant's
    reserved mobile (real-name checked with the telco against their ID) is compared with the staff
    numbers (`STAFF_MOBILES`); the officer's "no relationship" declaration is part of 三亲见."""
    mobile = r.data.get("reserved_mobile")
    if not isinstance(mobile, str) or not mobile:
        return RuleResult("OFFICER_NOT_APPLICANT", NOT_APPLICABLE, "no applicant mobile")
    if normalise_mobile(mobile) in STAFF_MOBILES:
        return RuleResult("OFFICER_NOT_APPLICANT", FLAG, "the applicant's mobile is a staff number")
    if r.data.get("witness_no_relationship") is False:
        return RuleResult("OFFICER_NOT_APPLICANT", FLAG, "the officer declared a relationship")
    return RuleResult("OFFICER_NOT_APPLICANT", PASS, "applicant mobile is no staff number")


def _role(file_name: str) -> str:
    """`images/original_income_proof-2.jpg` -> `original_income_proof` (a retake keeps its role)."""
    stem = file_name.removeprefix("images/").rsplit(".", 1)[0]
    base, _, suffix = stem.rpartition("-")
    return base if base and suffix.isdigit() else stem


def income_proof_legible(r: ReviewInput) -> RuleResult:
    """Income-proof images legible (domain J2 post-supervision): an application that reached the card
    centre holds at least one photo of an income proof, and none of them is a thumbnail or blank."""
    if not _submitted(r):
        return RuleResult("INCOME_PROOF_LEGIBLE", NOT_APPLICABLE, "nothing submitted")
    names = sorted(
        name
        for f in r.manifest.get("files") or ()
        if isinstance(f, dict)
        and (name := str(f.get("name", ""))).startswith("images/")
        and _role(name) in INCOME_PROOF_ROLES
    )
    if not names:
        return RuleResult("INCOME_PROOF_LEGIBLE", FLAG, "no income-proof photo in the package")
    problems = []
    for name in names:
        facts = r.images.get(name)
        if facts is None:
            problems.append(f"{name} unreadable")
        elif min(facts.width, facts.height) < MIN_LEGIBLE_SIDE:
            problems.append(f"{name} too small ({facts.width}x{facts.height})")
        elif facts.spread < MIN_LEGIBLE_SPREAD:
            problems.append(f"{name} blank")
    if problems:
        return RuleResult("INCOME_PROOF_LEGIBLE", FLAG, "; ".join(problems)[:300])
    return RuleResult("INCOME_PROOF_LEGIBLE", PASS, f"{len(names)} income-proof photo(s)")


velocity = velocity_rule("applications_by_officer_last_day", VELOCITY_LIMIT_PER_DAY, "applications", "a day")


RULES: tuple[Rule, ...] = (
    sightings_complete,
    authorization_before_query,
    contact_mobiles,
    shared_contacts,
    documents_within_deadline,
    officer_qualified,
    officer_not_applicant,
    income_proof_legible,
    velocity,
)
