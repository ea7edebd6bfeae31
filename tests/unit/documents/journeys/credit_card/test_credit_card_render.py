"""J2's five documents rendered to PDF and read back with poppler: for the approved sample and for a
journey that ended with nothing recorded; the customer's data, the signatures, masking, byte-identical
output (one module so every document renders only once here)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from documents.evidence.facts import EvidenceFacts
from documents.journeys.credit_card import EVIDENCE
from documents.journeys.credit_card.documents import BUILDERS, TITLES
from documents.journeys.credit_card.samples import APPLICATION_NO, approved_facts
from documents.rendering import DocumentRenderer

NAMES = [
    "credit_report_authorization",
    "credit_card_application",
    "card_agreement",
    "witness_declaration",
    "decision_record",
]
LABELS = {
    "credit_report_authorization": ["授权人", "授权查询用途", "信用卡审批", "授权人签名", "系统时间戳"],
    "credit_card_application": ["申请人身份信息", "职业信息", "收入信息", "联系人", "申请卡片", "申请人签名"],
    "card_agreement": ["重要条款", "透支利息", "免息还款期", "最低还款额", "违约金", "分期费用", "手写抄录"],
    "witness_declaration": ["亲见本人", "亲见原件", "见证声明", "面签资格", "面签人员签名"],
    "decision_record": ["提交发卡中心", "申请编号", "审批决定", "核定信用额度", "补件记录"],
}
CUSTOMER_SIGNED = ["credit_report_authorization", "credit_card_application", "card_agreement"]
STAFF_VIEWS = ["witness_declaration", "decision_record"]

REPO = Path(__file__).resolve().parents[5]
FRESH_PROCESS = """
import hashlib, json
from documents.rendering import DocumentRenderer
from documents.journeys.credit_card.samples import approved_facts
from documents.journeys.credit_card import EVIDENCE

pdfs = DocumentRenderer({EVIDENCE.process_id: EVIDENCE}).render_evidence_documents(approved_facts())
print(json.dumps({name: hashlib.sha256(pdf).hexdigest() for name, pdf in pdfs.items()}))
"""


def bare_facts() -> EvidenceFacts:
    """A journey that ended with nothing recorded: no data, no images, an empty trail."""
    return dataclasses.replace(
        approved_facts(), outcome="ABANDONED", outcome_reason=None, data={}, trail=[], images=[]
    )


@pytest.fixture(scope="module")
def renderer() -> DocumentRenderer:
    return DocumentRenderer({EVIDENCE.process_id: EVIDENCE})


@pytest.fixture(scope="module")
def pdfs(renderer: DocumentRenderer, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every document once for the approved sample (through the package entry point) and once for the
    bare journey (directly, as if its package called for all of them)."""
    folder = tmp_path_factory.mktemp("pdfs")
    files: dict[tuple[str, str], Path] = {}
    approved = renderer.render_evidence_documents(approved_facts())
    assert list(approved) == [f"{name}.pdf" for name in NAMES]
    bare = bare_facts()
    for name in NAMES:
        files["APPROVED", name] = folder / f"approved-{name}.pdf"
        files["APPROVED", name].write_bytes(approved[f"{name}.pdf"])
        files["BARE", name] = folder / f"bare-{name}.pdf"
        files["BARE", name].write_bytes(
            renderer.render(f"{name}.html.j2", BUILDERS[name](bare), bare.process_id)
        )
    return files


def poppler(*command: str | Path) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout


def text_of(path: Path) -> str:
    return poppler("pdftotext", "-enc", "UTF-8", path, "-")


def images_in(path: Path) -> int:
    """Images drawn (a PNG with alpha also lists its soft mask, which is not counted)."""
    return sum(row.split()[2] == "image" for row in poppler("pdfimages", "-list", path).splitlines()[2:])


@pytest.mark.parametrize("case", ["APPROVED", "BARE"])
@pytest.mark.parametrize("name", NAMES)
def test_each_document_renders_its_chinese_title_and_labels(
    pdfs: dict[tuple[str, str], Path], case: str, name: str
) -> None:
    text = text_of(pdfs[case, name])
    assert pdfs[case, name].read_bytes().startswith(b"%PDF-")
    assert TITLES[name] in text.replace(" ", "")  # the title is letter-spaced
    for label in LABELS[name]:
        assert label in text


@pytest.mark.parametrize("name", CUSTOMER_SIGNED)
def test_the_documents_the_customer_signs_identify_them_in_full(
    pdfs: dict[tuple[str, str], Path], name: str
) -> None:
    text = text_of(pdfs["APPROVED", name])
    for clear in ("王芳", "420102198506150026", "13900001234"):
        assert clear in text


def test_the_application_holds_the_data_as_filled(pdfs: dict[tuple[str, str], Path]) -> None:
    text = text_of(pdfs["APPROVED", "credit_card_application"])
    for value in (
        "女", "1985年06月15日", "中国", "武汉市公安局武昌分局", "中北路100号3栋", "自有住房（按揭贷款）",
        "6年", "已婚", "大学本科", "单位在职员工", "武汉某某科技有限公司", "91350100M000100Y43",
        "027-87654321", "信息传输、软件和信息技术服务业", "一般员工", "4年", "180,000.00 元",
        "收入证明、银行流水", "王建华（父母）", "13900002345", "李娜（朋友）", "13900003456", "标准卡",
        "不申请", "手机银行电子账单", "邮寄至工作单位地址", APPLICATION_NO,
    ):  # fmt: skip
        assert value in text, value
    assert "未完成" not in text


def test_a_supplementary_card_and_auto_repayment_appear_when_asked_for(renderer: DocumentRenderer) -> None:
    facts = approved_facts()
    data = {
        **facts.data,
        "supplementary_card_wanted": True,
        "supplementary_holder_relation": "SPOUSE",
        "supplementary_holder_present": True,
        "auto_repay_wanted": True,
        "auto_repay_account": "6219994201000010019",
        "auto_repay_mode": "FULL",
    }
    context = BUILDERS["credit_card_application"](dataclasses.replace(facts, data=data))
    html = renderer.render_html("credit_card_application.html.j2", context, facts.process_id)
    assert "申请附属卡 · 与主卡申请人关系：配偶 · 附属卡持卡人本人在场并签名：是" in html
    assert "尾号0019" in html and "6219994201000010019" not in html and "全额还款" in html


def test_the_supplementary_holder_is_printed_in_full_and_signs_on_the_application(
    renderer: DocumentRenderer,
) -> None:
    facts = approved_facts()
    data = {
        **facts.data,
        "supplementary_card_wanted": True,
        "supplementary_holder_relation": "CHILD",
        "supplementary_holder_present": True,
        "supp_name": "赵雨桐",
        "supp_id_number": "42010320070220004X",
        "supp_sex": "2",
        "supp_birth_date": "2007-02-20",
        "supplementary_card_accepted": True,
    }
    signature = dataclasses.replace(facts.images[0], role="supplementary_signature")
    signed = dataclasses.replace(facts, data=data, images=[*facts.images, signature])
    html = renderer.render_html(
        "credit_card_application.html.j2", BUILDERS["credit_card_application"](signed), facts.process_id
    )
    assert "与主卡申请人关系：子女" in html and "受理情况：随主卡申请" in html
    assert "赵雨桐" in html and "42010320070220004X" in html and "2007年02月20日" in html
    assert "附属卡持卡人签名" in html and html.count('class="sig-image"') == 2  # the applicant's and theirs
    dropped = {**data, "supplementary_card_accepted": False}
    html = renderer.render_html(
        "credit_card_application.html.j2",
        BUILDERS["credit_card_application"](dataclasses.replace(facts, data=dropped)),
        facts.process_id,
    )
    # the card was not accepted: no signature block for the holder, and no reason on the customer's paper
    assert "受理情况：未受理（主卡申请继续办理）" in html and "附属卡持卡人签名" not in html


@pytest.mark.parametrize("name", NAMES)
def test_signatures_are_embedded_when_given_and_marked_missing_when_not(
    pdfs: dict[tuple[str, str], Path], name: str
) -> None:
    # the agreement carries the hand-copied sentence and the signature; the decision record none
    expected = {"card_agreement": 2, "decision_record": 0}.get(name, 1)
    assert images_in(pdfs["APPROVED", name]) == expected
    assert images_in(pdfs["BARE", name]) == 0
    if expected:
        assert "未签名" not in text_of(pdfs["APPROVED", name])
        assert "未签名" in text_of(pdfs["BARE", name]) or "未抄录" in text_of(pdfs["BARE", name])


def test_the_authorization_shows_its_purpose_text_version_and_stamp(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    text = text_of(pdfs["APPROVED", "credit_report_authorization"])
    assert "CREDIT_CARD_APPROVAL" in text and "CRA-2025-01" in text
    assert text.count("2025年06月02日 14:03:00") >= 2  # the stamp from credit_auth['signed_at']


def test_the_key_terms_print_every_figure_and_the_instalment_as_an_annual_rate(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    text = "".join(text_of(pdfs["APPROVED", "card_agreement"]).split())
    for figure in ("0.05%", "18.25%", "最短20天、最长50天", "10%", "5%", "12期每期0.60%", "13.03%", "免年费"):
        assert figure in text, figure
    assert text.count("√") == 6
    assert "本人已阅读全部申请材料" in text
    assert "".join(text_of(pdfs["BARE", "card_agreement"]).split()).count("√") == 0


@pytest.mark.parametrize("name", STAFF_VIEWS)
def test_the_staff_views_mask_the_applicant(pdfs: dict[tuple[str, str], Path], name: str) -> None:
    text = text_of(pdfs["APPROVED", name])
    for masked in ("王*", "4201**********0026", "139****1234"):
        assert masked in text
    for clear in ("王芳", "420102198506150026", "13900001234"):
        assert clear not in text


def test_the_witness_declaration_names_the_officer_qualification_and_originals(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    text = text_of(pdfs["APPROVED", "witness_declaration"])
    assert "李明（fo001）" in text and "信用卡面签资格（credit_card_face_sign）" in text
    assert "收入证明" in text and "银行流水" in text and "工作证明" not in text
    assert text.count("√") == 6  # two originals ticked, four declarations
    photo = next(i for i in approved_facts().images if i.role == "original_income_proof")
    assert photo.sm3[:16] in "".join(text.split())


def test_the_witness_declaration_names_the_supplementary_holder_it_witnessed_masked(
    renderer: DocumentRenderer,
) -> None:
    facts = approved_facts()
    holder = {
        "supplementary_card_wanted": True,
        "supplementary_holder_relation": "CHILD",
        "supplementary_holder_present": True,
        "supp_name": "赵雨桐",
        "supp_id_number": "42010320070220004X",
        "supplementary_card_accepted": True,
    }
    signature = dataclasses.replace(facts.images[0], role="supplementary_signature", sm3="ab" * 32)
    signed = dataclasses.replace(facts, data={**facts.data, **holder}, images=[*facts.images, signature])
    html = renderer.render_html(
        "witness_declaration.html.j2", BUILDERS["witness_declaration"](signed), facts.process_id
    )
    assert "王*" in html  # the applicant, masked as on every staff view
    assert "附属卡持卡人（在场）" in html and "赵**（子女）" in html and "4201**********004X" in html
    assert "ab" * 32 in html
    assert "赵雨桐" not in html and "42010320070220004X" not in html

    absent = {**holder, "supplementary_holder_present": False}
    html = renderer.render_html(
        "witness_declaration.html.j2",
        BUILDERS["witness_declaration"](dataclasses.replace(facts, data={**facts.data, **absent})),
        facts.process_id,
    )
    assert "附属卡持卡人" not in html
    html = renderer.render_html(
        "witness_declaration.html.j2", BUILDERS["witness_declaration"](facts), facts.process_id
    )
    assert "附属卡持卡人" not in html and "王*" in html


def test_the_decision_record_holds_number_decision_and_limit_but_no_card_centre_reason(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    text = text_of(pdfs["APPROVED", "decision_record"])
    assert APPLICATION_NO in text and "核准" in text and "36,000.00 元" in text
    facts = approved_facts()
    declined = dataclasses.replace(
        facts,
        outcome="DECLINED",
        outcome_reason="BUREAU_DELINQUENT",
        data={**facts.data, "card_decision": {**facts.data["card_decision"], "decision": "DECLINED",
                                              "reason": "BUREAU_DELINQUENT", "credit_limit": None}},
    )  # fmt: skip
    context = BUILDERS["decision_record"](declined)
    assert "BUREAU_DELINQUENT" not in json.dumps(context, ensure_ascii=False)
    assert (context["decision"], context["credit_limit"], context["incomplete"]) == ("拒绝", "—", None)


def test_a_journey_that_ended_before_submission_is_marked_unfinished(
    pdfs: dict[tuple[str, str], Path],
) -> None:
    for name in NAMES:
        text = text_of(pdfs["BARE", name])
        assert "未完成" in text and "已中止" in text
        assert "未完成" not in text_of(pdfs["APPROVED", name])


def test_the_pdfs_embed_their_fonts_and_are_pdf_a_3b(pdfs: dict[tuple[str, str], Path]) -> None:
    for name in NAMES:
        rows = poppler("pdffonts", pdfs["APPROVED", name]).splitlines()[2:]
        assert rows and all(row.split()[-5:-3] == ["yes", "yes"] for row in rows), name
    meta = poppler("pdfinfo", "-meta", pdfs["APPROVED", "card_agreement"])
    assert 'pdfaid:part="3"' in meta or "<pdfaid:part>3</pdfaid:part>" in meta


def test_the_same_facts_render_byte_identical_pdfs_here_and_in_a_fresh_process(
    renderer: DocumentRenderer, pdfs: dict[tuple[str, str], Path]
) -> None:
    """A package rebuilt after a crash must reproduce its manifest, whatever the hash seed or time zone."""
    again = renderer.render(
        "witness_declaration.html.j2", BUILDERS["witness_declaration"](approved_facts()), EVIDENCE.process_id
    )
    assert again == pdfs["APPROVED", "witness_declaration"].read_bytes()
    env = {**os.environ, "PYTHONHASHSEED": "4321", "TZ": "America/New_York", "PYTHONPATH": str(REPO)}
    fresh = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    here = {f"{name}.pdf": hashlib.sha256(pdfs["APPROVED", name].read_bytes()).hexdigest() for name in NAMES}
    assert json.loads(fresh.stdout) == here
