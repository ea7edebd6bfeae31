"""bpmn-js's Modeler (bpmn.io, the editor analysts use) running in Chromium: import a diagram, save it
back. The page is built in memory from the vendored bundle, so nothing is fetched from the network."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from engine.settings import REPO_ROOT

MODELER_BUNDLE = REPO_ROOT / "api" / "web" / "static" / "vendor" / "bpmn-modeler.production.min.js"

_SAVE_AS_MODELER_WOULD = """async ([xml, extensions]) => {
  const modeler = new BpmnJS({container: '#canvas', moddleExtensions: extensions});
  try {
    const imported = await modeler.importXML(xml);
    const saved = await modeler.saveXML({format: true});
    return {xml: saved.xml, warnings: imported.warnings.map((w) => w.message)};
  } finally {
    modeler.destroy();
  }
}"""


@dataclass(frozen=True)
class SavedDiagram:
    xml: str
    import_warnings: list[str]
    """What bpmn-js could not read; each one is something it leaves out of the saved file."""


def open_modeler(page: Page) -> None:
    """Load the Modeler bundle into a blank page (scripts/setup installs it from the pinned tarball)."""
    assert MODELER_BUNDLE.exists(), f"{MODELER_BUNDLE} is missing: run scripts/setup (vendor_web.py)"
    page.set_content('<div id="canvas" style="width: 1200px; height: 800px"></div>')
    page.add_script_tag(path=str(MODELER_BUNDLE))
    assert page.evaluate("typeof BpmnJS") == "function", "the bundle did not define BpmnJS"


def save_through_modeler(page: Page, path: Path, extensions: dict[str, Any]) -> SavedDiagram:
    """What an analyst gets by opening `path` in bpmn.io and saving it unchanged."""
    result = page.evaluate(_SAVE_AS_MODELER_WOULD, [path.read_text(encoding="utf-8"), extensions])
    return SavedDiagram(result["xml"], list(result["warnings"]))
