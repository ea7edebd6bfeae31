"""Documents the shared steps show the customer (processes/shared): the privacy policy on the consents
screen every journey begins with. A journey's own documents are in its `EvidenceDeclaration`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from documents.evidence.facts import EvidenceFacts
from documents.parts import header_context

PRIVACY_POLICY = "privacy_policy"
PRIVACY_POLICY_VERSION = "FB-PRIVACY-2025.06"  # bump on any wording change (§10 consent text versions)


def privacy_policy_context(facts: EvidenceFacts) -> dict[str, Any]:
    return header_context(facts, "个人信息保护政策", PRIVACY_POLICY_VERSION, None)


SHARED_BUILDERS: dict[str, Callable[[EvidenceFacts], dict[str, Any]]] = {
    PRIVACY_POLICY: privacy_policy_context,
}
