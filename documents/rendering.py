"""Jinja2 + WeasyPrint: evidence facts -> deterministic PDF/A-3b documents.

One renderer per worker process: it holds the Jinja2 environment, the parsed stylesheet and one WeasyPrint
FontConfiguration, and `warm_up()` pays the font loading once (a cold render costs ~1 s; rq's forking
worker must warm in the parent). Output is byte-identical for the same facts, because the package
manifest has to be reproducible after a crash: the PDF dates come from `facts.completed_at`, the file /ID
and font subset tags are WeasyPrint's digests of the content. That holds for the same WeasyPrint, HarfBuzz
and font files: workers that may rebuild each other's packages need the same image.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from documents.evidence.facts import EvidenceFacts
from documents.journeys.declaration import EvidenceDeclaration
from engine.errors import FieldBankError

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STYLESHEET = "styles.css"
# PDF/A-3 is the archival profile and allows embedding signature data later. Measured deterministic and
# 30-40 ms (~10-15 %) slower per document than plain PDF (bench/documents_render.py).
PDF_VARIANT = "pdf/a-3b"


class DocumentRenderError(FieldBankError):
    """A template or render failed: a bug or a refused resource, never a customer-data problem."""

    code = "document_render_failed"


class ResourceRefused(ValueError):
    """A template or a data value asked for something outside the template folder."""


class TemplateFolderFetcher(URLFetcher):
    """Fetches only files inside the template folder and `data:` URIs; refuses everything else.

    Rendering runs on customer data: an `http://` or `file:///etc/passwd` reference in a template or a
    value must neither leak a request nor embed a local file. `fail_on_errors=True` turns a refusal into a
    failed render instead of a silently missing resource."""

    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        raise ResourceRefused(f"refused to fetch {url[:80]!r}: only template files and data: URIs")

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused remote file URL {url[:80]!r}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ResourceRefused(f"refused file outside the template folder: {url[:80]!r}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        header, comma, payload = url[len("data:") :].partition(",")
        if not comma:
            raise ResourceRefused("malformed data: URI")
        media_type, _, encoding = header.partition(";")
        body = base64.b64decode(payload, validate=True) if encoding == "base64" else unquote_to_bytes(payload)
        return URLFetcherResponse(url, body, {"Content-Type": media_type or "text/plain"})


class DocumentHtml:
    """Jinja2 environments: one per journey (its templates folder, then the shared one) and one for the
    shared documents. Cheap to build, no WeasyPrint: what the customer's screen and the PDF both start
    from."""

    def __init__(self, declarations: Mapping[str, EvidenceDeclaration], template_dir: Path = TEMPLATE_DIR):
        self.template_dir = template_dir.resolve()
        self.journey_dirs = tuple(d.template_dir.resolve() for d in declarations.values())
        self._envs = {process_id: self._environment(d.template_dir) for process_id, d in declarations.items()}
        self._shared_env = self._environment(None)

    def _environment(self, journey_dir: Path | None) -> jinja2.Environment:
        folders = [journey_dir.resolve()] if journey_dir else []
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([*folders, self.template_dir]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
        )

    def render_html(self, name: str, context: dict[str, Any], process_id: str | None = None) -> str:
        env = self._envs.get(process_id, self._shared_env) if process_id else self._shared_env
        try:
            return env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise DocumentRenderError(f"template {name}: {exc}") from exc

    def stylesheet(self) -> str:
        path = self.template_dir / STYLESHEET
        return path.read_text(encoding="utf-8") if path.is_file() else ""


class DocumentRenderer:
    """Renders the evidence documents of every declared journey; build one per process and reuse it (not
    thread-safe to share). A journey's templates extend the shared layout in `documents/templates`."""

    def __init__(
        self,
        declarations: Mapping[str, EvidenceDeclaration],
        template_dir: Path = TEMPLATE_DIR,
        pdf_variant: str | None = PDF_VARIANT,
    ) -> None:
        self.declarations = declarations
        self.html = DocumentHtml(declarations, template_dir)
        self.template_dir = self.html.template_dir
        self.pdf_variant = pdf_variant
        self.fetcher = TemplateFolderFetcher(self.template_dir, *self.html.journey_dirs)
        self.font_config = FontConfiguration()
        self._base_url = self.template_dir.as_uri() + "/"
        stylesheet = self.template_dir / STYLESHEET
        self._stylesheets = (
            [CSS(filename=str(stylesheet), url_fetcher=self.fetcher, font_config=self.font_config)]
            if stylesheet.is_file()
            else []
        )

    def warm_up(self) -> None:
        """Render each journey's sample so fonts, templates and caches load before real work."""
        for declaration in self.declarations.values():
            if declaration.sample_facts is not None:
                self.render_evidence_documents(declaration.sample_facts())

    def render_html(self, name: str, context: dict[str, Any], process_id: str | None = None) -> str:
        return self.html.render_html(name, context, process_id)

    def render(self, name: str, context: dict[str, Any], process_id: str | None = None) -> bytes:
        """One template -> PDF bytes. The context must already be display text (the journey's builders)."""
        return self.html_to_pdf(self.render_html(name, context, process_id), name)

    def html_to_pdf(self, html: str, name: str) -> bytes:
        try:
            document = HTML(string=html, base_url=self._base_url, url_fetcher=self.fetcher)
            pdf = document.write_pdf(
                stylesheets=self._stylesheets,
                font_config=self.font_config,
                pdf_variant=self.pdf_variant,
            )
        except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: must not escape as one
            # the cause names the URL shortened; exc itself would repeat a whole data: URI
            raise DocumentRenderError(f"{name}: resource not loaded: {exc.__cause__}") from exc
        assert isinstance(pdf, bytes)
        return pdf

    def render_evidence_documents(self, facts: EvidenceFacts) -> dict[str, bytes]:
        """File name -> PDF for the documents the journey's declaration calls for at this outcome; a
        process that declared no evidence has none."""
        declaration = self.declarations.get(facts.process_id)
        if declaration is None:
            return {}
        return {
            f"{name}.pdf": self.render(f"{name}.html.j2", declaration.builders[name](facts), facts.process_id)
            for name in declaration.documents(facts)
        }
