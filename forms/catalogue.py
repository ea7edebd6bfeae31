"""Forms on disk, found by their SpiffArena file names (`<name>-schema.json`, `<name>-uischema.json`).

A BPMN user task names its form through `formJsonSchemaFilename` / `formUiSchemaFilename`; the engine
asks this catalogue for those files, so SpiffArena process models deploy unchanged.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.errors import FieldError, FormDefinitionInvalid, FormNotFound, FormProblem
from forms.lint import lint_schema, lint_ui_schema
from forms.validation import clean_form_data, validate_form_data

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
SCHEMA_SUFFIX = "-schema.json"
UI_SUFFIX = "-uischema.json"
_NOT_FOUND = "file not found"


def form_name(schema_filename: str) -> str:
    """`debit-card-otp-schema.json` -> `debit-card-otp`."""
    return schema_filename.removesuffix(SCHEMA_SUFFIX).removesuffix(".json")


@dataclass(frozen=True, eq=False)
class FormDefinition:
    name: str
    schema: dict[str, Any]
    ui_schema: dict[str, Any] = field(default_factory=dict)

    def validate(self, data: dict[str, Any]) -> list[FieldError]:
        return validate_form_data(self.schema, data)

    def clean(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        return clean_form_data(self.schema, data)


class FormCatalogue:
    """Reads form files from one directory; parsed files are reused while unchanged on disk, which also
    keeps the validation cache hitting by schema identity."""

    def __init__(self, directory: Path | str = DEFINITIONS_DIR) -> None:
        self.directory = Path(directory)
        self._parsed: dict[str, tuple[tuple[int, int], Any, list[FormProblem]]] = {}
        self._lock = threading.Lock()

    def get(self, schema_filename: str, ui_filename: str | None = None) -> FormDefinition:
        """The form; FormNotFound if a file is missing, FormDefinitionInvalid if one is not a JSON object."""
        schema = self._object(schema_filename)
        ui_schema = self._object(ui_filename) if ui_filename else {}
        return FormDefinition(form_name(schema_filename), schema, ui_schema)

    def lint_form(self, schema_filename: str, ui_filename: str | None = None) -> list[FormProblem]:
        """Every problem that should stop a deploy of this form; empty means deployable."""
        schema, problems = self._load(schema_filename)
        if not problems:
            problems = lint_schema(schema, schema_filename)
        if ui_filename:
            ui, ui_problems = self._load(ui_filename)
            problems += ui_problems
            if not ui_problems and isinstance(schema, dict):
                problems += lint_ui_schema(ui, schema, ui_filename)
        return problems

    def schema_filenames(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob(f"*{SCHEMA_SUFFIX}"))

    def lint_all(self) -> list[FormProblem]:
        """Lint every schema with its UI schema (if present), and flag UI schemas without a schema."""
        problems: list[FormProblem] = []
        for filename in self.schema_filenames():
            ui = form_name(filename) + UI_SUFFIX
            problems += self.lint_form(filename, ui if (self.directory / ui).is_file() else None)
        for ui_path in sorted(self.directory.glob(f"*{UI_SUFFIX}")):
            if not (self.directory / (ui_path.name.removesuffix(UI_SUFFIX) + SCHEMA_SUFFIX)).is_file():
                problems.append(FormProblem(ui_path.name, "", "UI schema without a matching form schema"))
        return problems

    def _object(self, filename: str) -> dict[str, Any]:
        value, problems = self._load(filename)
        if problems and problems[0].reason == _NOT_FOUND:
            raise FormNotFound(filename)
        if problems:
            raise FormDefinitionInvalid(problems)
        if not isinstance(value, dict):
            raise FormDefinitionInvalid([FormProblem(filename, "", "a form file must hold a JSON object")])
        return value

    def _load(self, filename: str) -> tuple[Any, list[FormProblem]]:
        if Path(filename).name != filename or filename.startswith(".") or not filename.endswith(".json"):
            return None, [FormProblem(filename, "", "not a plain .json file name in the forms folder")]
        path = self.directory / filename
        try:
            stat = path.stat()
        except OSError:
            return None, [FormProblem(filename, "", _NOT_FOUND)]
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._parsed.get(filename)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        value, problems = _parse_json(path, filename)
        with self._lock:
            self._parsed[filename] = (stamp, value, problems)
        return value, problems


def _parse_json(path: Path, filename: str) -> tuple[Any, list[FormProblem]]:
    duplicates: list[FormProblem] = []

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        duplicates.extend(
            FormProblem(filename, "", f"key {k!r} appears twice in one object")
            for i, k in enumerate(keys)
            if k in keys[:i]
        )
        return dict(pairs)

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        text = path.read_text(encoding="utf-8-sig")
        value = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [FormProblem(filename, "", f"cannot read the file: {exc}")]
    except ValueError as exc:  # json.JSONDecodeError is a ValueError and carries line and column
        return None, [FormProblem(filename, "", f"not valid JSON: {exc}")]
    return value, duplicates
