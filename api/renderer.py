"""The evidence renderer of a process: built once, warm (a cold render costs ~1 s).

A module of its own, light to import: the embedded server's render child (documents/render_pool.py)
imports it by name to build its renderer, and needs nothing else of the API."""

from __future__ import annotations

from api.journeys import evidence_declarations
from documents.rendering import DocumentRenderer


def warm_evidence_renderer() -> DocumentRenderer:
    """Fonts and templates load once per process, not per package."""
    renderer = DocumentRenderer(evidence_declarations())
    renderer.warm_up()
    return renderer
