"""A diagram opened in bpmn.io (bpmn-js's Modeler, in Chromium) and saved unchanged must still deploy:
FieldBank's own validator accepts it, it parses into the same SpiffWorkflow specs, and every id, script
and spiffworkflow:* extension is still there (issue 28 item 11).

Two modellers are tried: plain bpmn.io, which keeps unknown extension elements as it found them, and
bpmn.io given a moddle descriptor for the spiffworkflow namespace (as SpiffArena's editor is), which
keeps only the spiffworkflow elements the descriptor declares."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import Browser, Page

from api.bootstrap import operation_registry
from engine.catalogue import validate_directory
from engine.settings import REPO_ROOT
from engine.workflow.spiff import spec_to_json
from forms.catalogue import FormCatalogue
from tests.browser.bpmn_modeler import open_modeler, save_through_modeler
from tests.browser.conftest import DESKTOP, new_page
from tests.browser.diagram_facts import SPIFF_NS, diagram_facts, element_ids, spiffworkflow_facts

PROCESSES = REPO_ROOT / "processes"
DIAGRAMS = sorted(p.relative_to(PROCESSES).as_posix() for p in PROCESSES.rglob("*.bpmn"))
SPIFFWORKFLOW_DESCRIPTOR = json.loads(
    (Path(__file__).parent / "spiffworkflow.moddle.json").read_text(encoding="utf-8")
)
MODELLERS = {
    "bpmn.io": {},
    "bpmn.io with the spiffworkflow descriptor": {"spiffworkflow": SPIFFWORKFLOW_DESCRIPTOR},
}
FORMS = FormCatalogue(REPO_ROOT / "forms" / "definitions")
OPERATIONS = set(operation_registry())


@dataclass(frozen=True)
class RoundTrip:
    folder: Path
    """processes/ copied, with every diagram replaced by what the modeller saved."""
    warnings: dict[str, list[str]]


@pytest.fixture(scope="module")
def modeler_page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, DESKTOP)
    open_modeler(page)
    yield page
    assert not page.fb_errors, page.fb_errors  # type: ignore[attr-defined]
    page.context.close()


def save_all(page: Page, extensions: dict[str, Any], into: Path) -> RoundTrip:
    shutil.copytree(PROCESSES, into)
    warnings = {}
    for name in DIAGRAMS:
        saved = save_through_modeler(page, PROCESSES / name, extensions)
        (into / name).write_text(saved.xml, encoding="utf-8")
        warnings[name] = saved.import_warnings
    return RoundTrip(into, warnings)


@pytest.fixture(scope="module", params=list(MODELLERS))
def round_trip(
    request: pytest.FixtureRequest, modeler_page: Page, tmp_path_factory: pytest.TempPathFactory
) -> RoundTrip:
    folder = tmp_path_factory.mktemp("saved-by-bpmn-io") / "processes"
    return save_all(modeler_page, MODELLERS[request.param], folder)


def test_every_diagram_of_processes_and_its_subfolders_goes_through_the_modeler(
    round_trip: RoundTrip,
) -> None:
    assert "debit_card_opening.bpmn" in DIAGRAMS
    assert any(name.startswith("shared/") for name in DIAGRAMS)
    assert sorted(round_trip.warnings) == DIAGRAMS
    for name in DIAGRAMS:
        assert round_trip.warnings[name] == [], f"bpmn-js could not read all of {name}"


def test_the_modeler_writes_formal_expression_where_the_file_had_message_path(
    round_trip: RoundTrip,
) -> None:
    """The rewrite that used to make the validator refuse a saved diagram really happens here."""
    original = (PROCESSES / "credit_card_face_sign.bpmn").read_text(encoding="utf-8")
    saved = (round_trip.folder / "credit_card_face_sign.bpmn").read_text(encoding="utf-8")
    assert "<bpmn:messagePath>application_no</bpmn:messagePath>" in original
    assert "<bpmn:formalExpression>application_no</bpmn:formalExpression>" in saved
    assert "messagePath" not in saved


def test_the_saved_diagrams_pass_fieldbanks_own_validation(round_trip: RoundTrip) -> None:
    report = validate_directory(round_trip.folder, FORMS, OPERATIONS)
    assert [str(p) for p in report.problems] == []


def test_the_saved_diagrams_deploy_as_the_same_processes_and_specs(round_trip: RoundTrip) -> None:
    before = {p.process_id: p for p in validate_directory(PROCESSES, FORMS, OPERATIONS).processes}
    after = {p.process_id: p for p in validate_directory(round_trip.folder, FORMS, OPERATIONS).processes}
    assert sorted(after) == sorted(before)
    for process_id, was in before.items():
        now = after[process_id]
        assert json.loads(spec_to_json(now.spec, now.subprocess_specs)) == json.loads(
            spec_to_json(was.spec, was.subprocess_specs)
        ), f"{process_id}: the saved diagram parses into different SpiffWorkflow specs"
        assert (now.forms, now.lane_roles, now.dependencies, now.start_qualification) == (
            was.forms,
            was.lane_roles,
            was.dependencies,
            was.start_qualification,
        )


@pytest.mark.parametrize("name", DIAGRAMS)
def test_each_saved_diagram_keeps_its_ids_and_spiffworkflow_extensions(
    round_trip: RoundTrip, name: str
) -> None:
    original, saved = (PROCESSES / name).read_bytes(), (round_trip.folder / name).read_bytes()
    assert element_ids(saved) == element_ids(original)
    facts_before, facts_after = diagram_facts(original), diagram_facts(saved)
    assert spiffworkflow_facts(facts_before), f"{name} has no spiffworkflow extension to check"
    assert spiffworkflow_facts(facts_after) == spiffworkflow_facts(facts_before)
    assert facts_after == facts_before


def test_the_descriptor_declares_every_spiffworkflow_element_our_diagrams_use() -> None:
    """A new extension in a diagram must be added to the descriptor, or that modeller would drop it."""
    types = SPIFFWORKFLOW_DESCRIPTOR["types"]
    declared = {t["name"] for t in types} | {  # and plain-text child elements, like propertyId
        p["name"] for t in types for p in t["properties"] if p["type"] == "String" and len(p) == 2
    }
    used = {
        etree.QName(el).localname
        for name in DIAGRAMS
        for el in etree.parse(str(PROCESSES / name)).iter(f"{{{SPIFF_NS}}}*")
    }
    assert used - declared == set()


def test_a_descriptor_missing_an_element_loses_it_and_the_comparison_notices(
    modeler_page: Page, tmp_path: Path
) -> None:
    """Proves the checks above can fail: without `retry` the service tasks lose their retry policy."""
    types = [t for t in SPIFFWORKFLOW_DESCRIPTOR["types"] if t["name"] != "retry"]
    for t in types:
        t["properties"] = [p for p in t["properties"] if p["name"] != "retry"]
    partial = dict(SPIFFWORKFLOW_DESCRIPTOR, types=types)
    name = "debit_card_opening.bpmn"
    saved = save_through_modeler(modeler_page, PROCESSES / name, {"spiffworkflow": partial})
    assert any("spiffworkflow:retry" in w for w in saved.import_warnings)
    lost = set(diagram_facts((PROCESSES / name).read_bytes())) - set(diagram_facts(saved.xml))
    assert lost and all("spiffworkflow:retry" in fact for fact in lost)
