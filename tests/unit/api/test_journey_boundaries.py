"""A journey is one declaration (ARCHITECTURE decision 11): its process id and the fields only its own
forms ask for appear in its own modules, diagram and forms, never in generic code."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import engine.journeys
from api.journeys import JOURNEYS, evidence_declarations, journey_registry

ROOT = Path(__file__).resolve().parents[3]
GENERIC_PACKAGES = ("engine", "documents", "api")
# the sandbox simulators and HTTP clients serve a system (the card centre), not a journey, and the core's
# operations take a card by the core's own parameter names whichever journey scans it; `fieldbank demo`
# drives J1 by design; the demo staff data grants the demo officer the qualifications journeys ask for
NOT_GENERIC = (
    "engine/adapters/",
    "engine/operations/core.py",
    "api/journey_driver.py",
    "api/demo.py",
    "engine/people/demo.py",
)
# fields generic code reads by convention, whichever journey's form carries them: an approval task's
# decision, the paired PIN pad's event
CONVENTIONS = frozenset({"decision", "reason_code", "reason_text", "pin_pad_event_id"})
FORM_PROPERTY = re.compile(r'formJsonSchemaFilename"? value="([^"]+)"')


def _diagram_forms(path: Path) -> set[str]:
    return set(FORM_PROPERTY.findall(path.read_text(encoding="utf-8")))


def _fields(form: str) -> set[str]:
    schema = json.loads((ROOT / "forms" / "definitions" / form).read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    found.update(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return found


def _journey_diagram(process_id: str) -> Path:
    for path in (ROOT / "processes").glob("*.bpmn"):
        if f'<bpmn:process id="{process_id}"' in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no diagram for {process_id}")


def _own_tokens() -> dict[str, set[str]]:
    """Per journey: its process id and the fields of forms no other diagram uses that no form of another
    diagram asks for."""
    diagrams = {p: _diagram_forms(p) for p in (ROOT / "processes").rglob("*.bpmn")}
    tokens = {}
    for journey in JOURNEYS:
        own_diagram = _journey_diagram(journey.declaration.process_id)
        others = {f for p, forms in diagrams.items() if p != own_diagram for f in forms}
        other_fields = {field for form in others for field in _fields(form)}
        own_fields = {field for form in diagrams[own_diagram] - others for field in _fields(form)}
        # one-word names (name, mobile, decision) say nothing of a journey; compound ones do
        distinctive = {f for f in own_fields - other_fields - CONVENTIONS if "_" in f}
        tokens[journey.declaration.process_id] = {journey.declaration.process_id} | distinctive
    return tokens


def _generic_sources(process_id: str) -> list[Path]:
    own_dirs = [f"engine/journeys/{journey_dir}/" for journey_dir in _journey_dirs(process_id)] + [
        f"documents/journeys/{journey_dir}/" for journey_dir in _journey_dirs(process_id)
    ]
    sources = []
    for package in GENERIC_PACKAGES:
        for path in (ROOT / package).rglob("*"):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix not in (".py", ".j2", ".html") or relative.startswith(NOT_GENERIC):
                continue
            if relative.startswith(("engine/journeys/", "documents/journeys/")) and not any(
                relative.startswith(d) for d in own_dirs
            ):
                sources.append(path)  # another journey's modules must not name this one either
            elif not relative.startswith(("engine/journeys/", "documents/journeys/")):
                sources.append(path)
    return sources


def _journey_dirs(process_id: str) -> list[str]:
    """The folder name of a journey's own modules (`engine/journeys/<name>/`, `documents/journeys/<name>/`):
    the engine subpackage whose `JOURNEY` is this declaration."""
    for module in pkgutil.iter_modules(engine.journeys.__path__):
        package = importlib.import_module(f"engine.journeys.{module.name}")
        declaration = getattr(package, "JOURNEY", None)
        if declaration is not None and declaration.process_id == process_id:
            return [module.name]
    return []


def test_generic_code_names_no_journey_nor_its_own_fields() -> None:
    leaks = []
    for process_id, tokens in _own_tokens().items():
        pattern = re.compile(r"[\"'](" + "|".join(sorted(map(re.escape, tokens))) + r")[\"']")
        for path in _generic_sources(process_id):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in pattern.finditer(line):
                    leaks.append(f"{path.relative_to(ROOT)}:{number}: {match.group(1)} ({process_id})")
    assert not leaks, "journey knowledge outside the journey's modules:\n" + "\n".join(leaks)


def test_every_journey_that_leaves_evidence_declares_it_and_labels_do_not_clash() -> None:
    registry = journey_registry()
    declared = evidence_declarations()
    words: dict[str, str] = {}
    for declaration in registry:
        if declaration.projection.leaves_evidence:
            assert declared[declaration.process_id].process_id == declaration.process_id
        for code, word in declaration.labels.items():
            assert words.setdefault(code, word) == word, f"{code} is {words[code]} and {word}"


def test_each_declaration_says_what_its_diagram_says_of_title_and_qualification() -> None:
    """The diagram is the analysts' source; a declaration that drifts from it is caught here."""
    for journey in JOURNEYS:
        declaration = journey.declaration
        text = _journey_diagram(declaration.process_id).read_text(encoding="utf-8")
        name = re.search(rf'<bpmn:process id="{declaration.process_id}" name="([^"]*)"', text)
        qualification = re.search(r'name="startQualification" value="([^"]*)"', text)
        assert name is not None and name.group(1) == declaration.title, declaration.process_id
        assert (qualification.group(1) if qualification else None) == declaration.start_qualification
