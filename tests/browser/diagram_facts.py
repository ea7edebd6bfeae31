"""What a BPMN file says to the engine, as comparable lines: every element outside the drawing (DI)
with its attributes and text, under the ids of its ancestors. Two files with the same facts differ only
in layout, formatting, attribute order or namespace prefixes.

Some spellings are treated as one because SpiffWorkflow reads them alike: a correlation retrieval
expression written `bpmn:messagePath` (by hand) or `bpmn:formalExpression` (by bpmn-js), an `xsi:type`
that only restates the element's declared type, and an attribute spelled out at its BPMN default (which
bpmn-js leaves out)."""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
DRAWING = "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"
SAME_READING = {f"{{{BPMN_NS}}}messagePath": f"{{{BPMN_NS}}}formalExpression"}
PREFIXES = {BPMN_NS: "bpmn", SPIFF_NS: "spiffworkflow"}
BPMN_DEFAULTS = {(f"{{{BPMN_NS}}}boundaryEvent", "cancelActivity"): "true"}


def diagram_facts(xml: bytes | str) -> list[str]:
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    facts: list[str] = []
    _collect(root, "", facts)
    return sorted(facts)


def spiffworkflow_facts(facts: list[str]) -> list[str]:
    """The facts of the SpiffWorkflow extension elements (operators, forms, scripts, correlations)."""
    return [fact for fact in facts if " spiffworkflow:" in fact]


def element_ids(xml: bytes | str) -> set[tuple[str, str]]:
    """(kind, id) of every identified element outside the drawing: processes, tasks, events, their
    message and timer definitions, flows, messages, errors."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    return {
        (etree.QName(el).localname, el.get("id"))
        for el in root.iter(f"{{{BPMN_NS}}}*")
        if el.get("id") and not any(a.tag == DRAWING for a in el.iterancestors())
    }


def _collect(element: etree._Element, path: str, facts: list[str]) -> None:
    if not isinstance(element.tag, str) or element.tag == DRAWING:
        return
    tag = _name(SAME_READING.get(element.tag, element.tag))
    attributes = " ".join(
        f"{_name(key)}={value!r}"
        for key, value in sorted(element.attrib.items())
        if key != XSI_TYPE and BPMN_DEFAULTS.get((element.tag, key)) != value
    )
    text = (element.text or "").strip()
    facts.append(f"{path} {tag} {attributes} {text!r}".strip())
    here = f"{path}/{element.get('id') or tag}"
    for child in element:
        _collect(child, here, facts)


def _name(qualified: str) -> str:
    if not qualified.startswith("{"):
        return qualified
    namespace, _, local = qualified[1:].partition("}")
    return f"{PREFIXES.get(namespace, namespace)}:{local}"
