"""Shown before signed: the documents a customer reads on a hand-over screen, filled with their data by
the same templates and context builders the evidence package uses, and the record of which ones they
read (document, text version, SM3 of what was shown) in the trail of the task they complete.

A hand-over form names its documents in its UI schema: `"ui:options": {"handover": true, "documents":
["account_application", ...]}`; each is the journey's own (`EvidenceDeclaration.builders`) or a shared
step's (`shared_documents.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crypto import sm3
from documents.evidence.facts import EvidenceFacts
from documents.evidence.service import facts_of
from documents.journeys.declaration import EvidenceDeclaration
from documents.rendering import DocumentHtml
from documents.shared_documents import SHARED_BUILDERS
from engine.errors import NotFound
from engine.instances import InstanceService
from engine.journey_reads import JourneyReads
from engine.task_forms import is_handover
from engine.views import Actor, InstanceView
from forms.catalogue import FormDefinition

Builder = Callable[[EvidenceFacts], dict[str, Any]]
# the print stylesheet sizes an A4 page; on a tablet the same document reads as one column, larger, with
# the key terms (the templates' <strong>) marked
SCREEN_CSS = """
@media screen {
  html { font-size: 17px; line-height: 1.6; }
  body { max-width: 860px; margin: 0 auto; padding: 12px 16px 32px; }
  .page-header, .page-footer { position: static; width: auto; }
  strong { background: #fff3c4; }
  table { width: 100%; }
  .sig-image { max-width: 240px; }
}
"""
# a document page runs nothing and loads nothing but its inline style and data: images
DOCUMENT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@dataclass(frozen=True)
class ShownDocument:
    document: str
    title: str
    text_version: str
    sm3: str
    html: str

    def record(self) -> dict[str, str]:
        """What the trail keeps: enough to find the exact text again, none of the customer's data."""
        return {"document": self.document, "text_version": self.text_version, "sm3": self.sm3}


class HandoverDocuments:
    def __init__(
        self,
        reads: JourneyReads,
        instances: InstanceService,
        html: DocumentHtml,
        declarations: Mapping[str, EvidenceDeclaration],
    ) -> None:
        self.reads = reads
        self.instances = instances
        self.html = html
        self.declarations = declarations

    def for_task(self, actor: Actor, task_id: str) -> list[ShownDocument]:
        """The documents of a task the caller may do, rendered now; none for a staff screen."""
        form, journey = self.reads.task_journey(actor, task_id)
        names = documents_named(form)
        if not names:
            return []
        facts = facts_of(journey, preview=True)
        return [self._render(facts, name) for name in names]

    def document(self, actor: Actor, task_id: str, name: str) -> ShownDocument:
        """One document of the task's screen; putting it on the screen is a recorded view (§8.5)."""
        form, journey = self.reads.task_journey(actor, task_id)
        if name not in documents_named(form):
            raise NotFound("this task shows no such document")
        facts = facts_of(journey, preview=True)
        shown = self._render(facts, name)
        self.reads.record_document_view(actor, task_id, name, facts.data)
        return shown

    def complete(self, actor: Actor, task_id: str, data: dict[str, Any]) -> InstanceView:
        """Completes the task, recording the documents its screen showed (rendered again from the same
        journey state, so the digests are those of what was on the screen)."""
        shown = [d.record() for d in self.for_task(actor, task_id)]
        return self.instances.complete_task(actor, task_id, data, shown)

    def screen_page(self, document: ShownDocument) -> str:
        """The document as a page for the tablet: the very HTML whose SM3 the trail keeps, styled."""
        style = f"<style>{self.html.stylesheet()}{SCREEN_CSS}</style>"
        return document.html.replace("</head>", style + "</head>", 1)

    def builder(self, process_id: str, name: str) -> Builder | None:
        declaration = self.declarations.get(process_id)
        own = declaration.builders.get(name) if declaration else None
        return own or SHARED_BUILDERS.get(name)

    def _render(self, facts: EvidenceFacts, name: str) -> ShownDocument:
        builder = self.builder(facts.process_id, name)
        if builder is None:
            raise NotFound(f"the form names a document {name!r} that {facts.process_id} does not have")
        context = builder(facts)
        html = self.html.render_html(f"{name}.html.j2", context, facts.process_id)
        return ShownDocument(
            name, str(context["title"]), str(context["text_version"]), sm3(html.encode()).hex(), html
        )


def documents_named(form: FormDefinition | None) -> list[str]:
    """The documents a hand-over form shows, in reading order; staff screens show none."""
    if form is None or not is_handover(form.ui_schema):
        return []
    names = (form.ui_schema.get("ui:options") or {}).get("documents") or []
    return [n for n in names if isinstance(n, str)]
