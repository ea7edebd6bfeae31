"""What a journey declares about its evidence (ARCHITECTURE decision 11): which documents its package
holds for an outcome, how each is filled, and which machine rules review it afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from documents.evidence.facts import EvidenceFacts
from documents.supervision.review import ReviewLookups, Rule

Context = dict[str, Any]


def _no_review_facts(_instance_id: str, _data: dict[str, Any], _lookups: ReviewLookups) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class EvidenceDeclaration:
    process_id: str
    template_dir: Path
    """Holds `<document>.html.j2` for each document; the shared layout and styles come from
    `documents/templates`."""
    documents_for: Callable[[EvidenceFacts], Sequence[str]]
    """The documents this outcome's package holds, in signing order (names without `.pdf`)."""
    builders: Mapping[str, Callable[[EvidenceFacts], Context]]
    """Document name -> its template context, every value final display text."""
    rules: tuple[Rule, ...] = ()
    """Machine rules of this journey, run after the rules every package gets."""
    image_fields: Mapping[str, str] = field(default_factory=dict)
    """Instance data field holding an attachment id -> the capture's role in the package (an image, or
    a 双录 recording under `recordings/`), beyond the shared identification's images."""
    party_id_fields: tuple[str, ...] = ()
    """Data fields with the ID numbers of other people the journey checks beside its customer (a
    supplementary card's holder): their check results belong in the trail too."""
    linking_fields: Mapping[str, str] = field(default_factory=dict)
    """Dotted data path of a phone number -> its link name: values that tie this journey's applications
    together (a contact's mobile, an employer's phone). Kept as blind indexes with the package, so
    `ReviewLookups.shared_links` can tell when another customer's application holds the same one."""
    fingerprints: Mapping[str, Callable[[Mapping[str, Any]], str | None]] = field(default_factory=dict)
    """Fingerprint name -> the journey's canonical summary of its data (None when it has none), e.g.
    the options a customer picked. Kept as a blind index with the package, never in clear, so
    `ReviewLookups.shared_fingerprint` can tell how many other customers of the same officer gave the
    same one."""
    review_facts: Callable[[str, dict[str, Any], ReviewLookups], dict[str, Any]] = _no_review_facts
    """Facts only the bank's systems know (the core's record, the officer's recent volume), asked for
    at review time and handed to the rules as `ReviewInput.extra`."""
    sample_facts: Callable[[], EvidenceFacts] | None = None
    """A realistic finished journey: the renderer warms up on it, the tests render it."""

    def documents(self, facts: EvidenceFacts) -> list[str]:
        names = list(self.documents_for(facts))
        unknown = [n for n in names if n not in self.builders]
        if unknown:
            raise ValueError(f"{self.process_id}: no builder for documents {unknown}")
        return names
