"""Documents the shared steps show the customer (processes/shared): the privacy policy on the consents
screen every journey begins with. A journey's own documents are in its `EvidenceDeclaration`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from documents.evidence.facts import EvidenceFacts
from documents.formatting import cn_datetime, iso_seconds, show

PRIVACY_POLICY = "privacy_policy"
PRIVACY_POLICY_VERSION = "FB-PRIVACY-2025.06"  # bump on any wording change (§10 consent text versions)


def privacy_policy_context(facts: EvidenceFacts) -> dict[str, Any]:
    return {
        "title": "个人信息保护政策",
        "text_version": PRIVACY_POLICY_VERSION,
        "meta_created": iso_seconds(facts.completed_at),
        "package_id": facts.package_id,
        "instance_id": facts.instance_id,
        "branch_name": show(facts.branch_name),
        "branch_code": show(facts.branch_code),
        "completed_at": cn_datetime(facts.completed_at),
        "incomplete": None,
    }


SHARED_BUILDERS: dict[str, Callable[[EvidenceFacts], dict[str, Any]]] = {
    PRIVACY_POLICY: privacy_policy_context,
}
