"""Rendering runs on customer data: no network, no local files beyond the templates, no markup from
values, and no silently missing template variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.evidence.facts import EvidenceImage
from documents.formatting import image_data_uri
from documents.journeys.debit_card import EVIDENCE
from documents.journeys.debit_card.documents import BUILDERS
from documents.journeys.debit_card.samples import opened_facts, signature_png
from documents.rendering import TEMPLATE_DIR, DocumentRenderer, DocumentRenderError, TemplateFolderFetcher

J1_EVIDENCE = {EVIDENCE.process_id: EVIDENCE}
PROCESS_ID = EVIDENCE.process_id


@pytest.fixture(scope="module")
def fetcher() -> TemplateFolderFetcher:
    return TemplateFolderFetcher(TEMPLATE_DIR)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://127.0.0.1/x.css",
        "ftp://example.com/a",
        "file:///etc/passwd",
        (TEMPLATE_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        "file://evil.example.com/share/x.png",
    ],
)
def test_the_fetcher_refuses_anything_but_template_files_and_data_uris(
    fetcher: TemplateFolderFetcher, url: str
) -> None:
    with pytest.raises(ValueError, match="refused"):
        fetcher(url)


def test_a_symlink_out_of_the_template_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "passwd.css").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="outside the template folder"):
        TemplateFolderFetcher(tmp_path)((tmp_path / "passwd.css").as_uri())


def test_the_fetcher_serves_the_stylesheet_and_data_uris(fetcher: TemplateFolderFetcher) -> None:
    css = fetcher((TEMPLATE_DIR / "styles.css").as_uri())
    assert b"Noto Sans CJK SC" in css.read() and css.content_type == "text/css"
    png = fetcher(
        image_data_uri(EvidenceImage("signature", "att_1", "image/png", signature_png(), "00")) or ""
    )
    assert png.read() == signature_png() and png.content_type == "image/png"


@pytest.mark.parametrize(
    "src", ["file:///etc/passwd", "http://127.0.0.1:9/pixel.png", "../../../etc/hostname"]
)
def test_a_template_or_value_that_loads_a_forbidden_resource_fails_the_render(
    tmp_path: Path, src: str
) -> None:
    (tmp_path / "probe.html.j2").write_text('<p>x</p><img src="{{ src }}">', encoding="utf-8")
    with pytest.raises(DocumentRenderError, match="resource not loaded"):
        DocumentRenderer({}, template_dir=tmp_path).render("probe.html.j2", {"src": src})


def test_autoescape_prints_markup_in_a_customer_name_as_text() -> None:
    context = BUILDERS["account_application"](opened_facts())
    context["party"]["name"] = '<script>alert("x")</script>'
    html = DocumentRenderer(J1_EVIDENCE).render_html("account_application.html.j2", context, PROCESS_ID)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_a_missing_template_variable_raises_instead_of_printing_nothing() -> None:
    context = BUILDERS["voucher"](opened_facts())
    del context["voucher_no"]
    with pytest.raises(DocumentRenderError, match="voucher_no"):
        DocumentRenderer(J1_EVIDENCE).render_html("voucher.html.j2", context, PROCESS_ID)


def test_only_real_png_or_jpeg_captures_become_data_uris() -> None:
    png = signature_png()
    assert (image_data_uri(EvidenceImage("signature", "a", "image/png", png, "0")) or "").startswith(
        "data:image/png;base64,iVBORw0KGgo"
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'
    assert image_data_uri(EvidenceImage("signature", "a", "image/svg+xml", svg, "0")) is None
    assert image_data_uri(EvidenceImage("signature", "a", "image/png", b"GIF89a....", "0")) is None
    assert image_data_uri(None) is None


def test_the_stylesheet_names_the_fonts_statically() -> None:
    css = (TEMPLATE_DIR / "styles.css").read_text(encoding="utf-8")
    assert 'font-family: "Noto Sans CJK SC"' in css and '"DejaVu Sans Mono"' in css
    templates = [p.read_text(encoding="utf-8") for p in TEMPLATE_DIR.glob("*.j2")]
    assert templates and not any("font-family" in t or "<style" in t for t in templates)
