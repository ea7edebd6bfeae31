"""The four J1 documents rendered to PDF and read back with poppler: titles, labels, masking, fonts,
and byte-identical output for the same facts (one module so every document renders only once here)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from documents.journeys.debit_card import EVIDENCE
from documents.journeys.debit_card.documents import BUILDERS, TITLES
from documents.journeys.debit_card.samples import opened_facts, refused_facts
from documents.rendering import DocumentRenderer

J1_EVIDENCE = {EVIDENCE.process_id: EVIDENCE}
NAMES = ["account_application", "debit_card_agreement", "risk_notice", "voucher"]
LABELS = {
    "account_application": ["客户基本信息", "证件号码", "申请人签名", "经办人"],
    "debit_card_agreement": ["协议条款", "甲方（持卡人）", "乙方（发卡行）", "挂失"],
    "risk_notice": ["风险告知", "本人开户、本人使用", "本人不出租、出借、出售账户", "声明人签名"],
    "voucher": ["交易码", "核心流水号", "渠道流水号", "核验记录", "时间戳引用"],
}


REPO = Path(__file__).resolve().parents[5]
FRESH_PROCESS = """
import hashlib, json
from documents.rendering import DocumentRenderer
from documents.journeys.debit_card.samples import opened_facts
from documents.journeys.debit_card import EVIDENCE

pdfs = DocumentRenderer({EVIDENCE.process_id: EVIDENCE}).render_evidence_documents(opened_facts())
print(json.dumps({name: hashlib.sha256(pdf).hexdigest() for name, pdf in pdfs.items()}))
"""


@pytest.fixture(scope="module")
def renderer() -> DocumentRenderer:
    return DocumentRenderer(J1_EVIDENCE)


@pytest.fixture(scope="module")
def pdfs(renderer: DocumentRenderer, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every document once for the OPENED journey (through the package entry point) and once for the
    REFUSED one (directly, as if the package called for all of them)."""
    folder = tmp_path_factory.mktemp("pdfs")
    files: dict[tuple[str, str], Path] = {}
    opened = renderer.render_evidence_documents(opened_facts())
    assert sorted(opened) == sorted(f"{name}.pdf" for name in NAMES)
    refused = refused_facts()
    for name in NAMES:
        files["OPENED", name] = folder / f"opened-{name}.pdf"
        files["OPENED", name].write_bytes(opened[f"{name}.pdf"])
        files["REFUSED", name] = folder / f"refused-{name}.pdf"
        files["REFUSED", name].write_bytes(
            renderer.render(f"{name}.html.j2", BUILDERS[name](refused), refused.process_id)
        )
    return files


def poppler(*command: str | Path) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout


def text_of(path: Path) -> str:
    return poppler("pdftotext", "-enc", "UTF-8", path, "-")


def squashed(text: str) -> str:
    """Without whitespace and hyphens: long ids wrap inside their cells, and pdftotext joins a line
    ending in "-" as a hyphenated word."""
    return "".join(text.split()).replace("-", "")


@pytest.mark.parametrize("outcome", ["OPENED", "REFUSED"])
@pytest.mark.parametrize("name", NAMES)
def test_each_document_renders_its_chinese_title_and_labels(
    pdfs: dict[tuple[str, str], Path], outcome: str, name: str
) -> None:
    text = text_of(pdfs[outcome, name])
    assert pdfs[outcome, name].read_bytes().startswith(b"%PDF-")
    # the title is letter-spaced, so pdftotext may put spaces between its characters
    assert TITLES[name] in text.replace(" ", "")
    for label in LABELS[name]:
        assert label in text


def test_the_voucher_shows_masked_identity_and_never_the_clear_values(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    text = text_of(pdfs["OPENED", "voucher"])
    for masked in ("4201**********1238", "139****1234", "621999*********0019", "***************6359", "张*"):
        assert masked in text
    for clear in ("420106199003071238", "13900001234", "6219994201000010019", "0101001550738286359", "张伟"):
        assert clear not in text
    for field in ("KH01", "个人开户", "CB202506018366719833", "C1450822432", "CNY", "0.00"):
        assert field in text
    facts = opened_facts()
    assert squashed(facts.data["core_result"]["request_id"]) in squashed(text)
    assert squashed(f"{facts.package_id}/SIG-customer") in squashed(text)


def test_a_sanctions_refusal_shows_only_the_neutral_watch_list_code(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    texts = [text_of(pdfs["REFUSED", name]) for name in NAMES]
    assert "WATCHLIST_BLOCK" in texts[NAMES.index("voucher")]
    watchlist_call = refused_facts().trail[3]["detail"]["request_id"]
    assert squashed(watchlist_call) in squashed(texts[NAMES.index("voucher")])
    for text in texts:
        assert "SANCTION" not in text.upper()
        assert "制裁" not in text


def test_an_early_ending_is_marked_unfinished_and_dashes_what_never_happened(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    application = text_of(pdfs["REFUSED", "account_application"])
    assert "未完成" in application and "拒绝开户" in application and "未签名" in application
    assert "未完成" not in text_of(pdfs["OPENED", "account_application"])
    voucher = text_of(pdfs["REFUSED", "voucher"])
    assert "核心流水号\n\n—" in voucher or "—" in voucher.split("核心流水号", 1)[1][:40]


def test_signed_documents_identify_the_customer_in_full(pdfs: dict[tuple[str, str], Path]) -> None:
    # domain §10: the ID is masked on display but complete in the signed file
    for name in ("account_application", "debit_card_agreement", "risk_notice"):
        assert "420106199003071238" in text_of(pdfs["OPENED", name])
    assert "尾号0019" in text_of(pdfs["OPENED", "account_application"])


def test_the_risk_notice_ticks_follow_the_recorded_declarations(pdfs: dict[tuple[str, str], Path]) -> None:
    assert text_of(pdfs["OPENED", "risk_notice"]).count("√") == 3
    assert text_of(pdfs["REFUSED", "risk_notice"]).count("√") == 0


@pytest.mark.parametrize("name", NAMES)
def test_only_embedded_noto_and_dejavu_mono_faces_are_used(
    pdfs: dict[tuple[str, str], Path], name: str
) -> None:
    rows = poppler("pdffonts", pdfs["OPENED", name]).splitlines()[2:]
    assert rows
    faces = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert any(face.startswith("Noto-Sans-CJK-SC") for face in faces)
    assert set(faces) <= {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold", "DejaVu-Sans-Mono"}
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


def test_pdf_dates_come_from_the_facts_and_the_file_is_pdf_a_3b(pdfs: dict[tuple[str, str], Path]) -> None:
    path = pdfs["OPENED", "voucher"]
    info = poppler("pdfinfo", "-isodates", path) + poppler("pdfinfo", "-meta", path)
    completed = opened_facts().completed_at  # 2025-06-01 09:38 Shanghai
    assert completed.strftime("%Y-%m-%dT%H:%M:%S+08") in info
    assert 'pdfaid:part="3"' in info or "<pdfaid:part>3</pdfaid:part>" in info


def test_the_same_facts_render_byte_identical_pdfs_here_and_in_a_fresh_process(
    renderer: DocumentRenderer, pdfs: dict[tuple[str, str], Path]
) -> None:
    """A package rebuilt after a crash must reproduce its manifest: whatever the hash seed or time zone."""
    assert renderer.render("voucher.html.j2", BUILDERS["voucher"](opened_facts()), EVIDENCE.process_id) == (
        pdfs["OPENED", "voucher"].read_bytes()
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "America/New_York", "PYTHONPATH": str(REPO)}
    fresh = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    here = {f"{name}.pdf": hashlib.sha256(pdfs["OPENED", name].read_bytes()).hexdigest() for name in NAMES}
    assert json.loads(fresh.stdout) == here
