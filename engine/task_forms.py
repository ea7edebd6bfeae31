"""The forms of a journey's tasks: pinned with the definition version, prefilled without secrets,
secret fields kept out of the engine state, attachment references checked (own branch; watermarked
where the form asks for it)."""

from __future__ import annotations

import threading
from typing import Any

from engine.errors import FieldError as EngineFieldError
from engine.persistence.cache import DefinitionSnapshot
from engine.persistence.database import Transaction
from engine.persistence.tasks import uploaded_attachment
from engine.recordings import MP4_MEDIA_TYPE
from engine.store import JourneyInstance
from engine.views import Actor
from forms.catalogue import FormDefinition
from forms.keywords import GB2260
from forms.regions import REGION_FIELDS, prefill_address

WATERMARK_REQUIRED = "请使用平板相机现场拍摄（带时间与位置水印）"
_definition_forms: dict[int, dict[str, FormDefinition]] = {}
_forms_lock = threading.Lock()


def definition_form(definition: DefinitionSnapshot, schema: str, ui: str | None) -> FormDefinition:
    """Forms are pinned with the definition version; parse once per process for the validator cache."""
    key = f"{schema}|{ui}"
    forms = _definition_forms.get(definition.id, {})
    form = forms.get(key)
    if form is None:
        form = FormDefinition(
            schema.removesuffix("-schema.json"),
            definition.forms[schema],
            definition.forms.get(ui, {}) if ui else {},
        )
        with _forms_lock:
            _definition_forms.setdefault(definition.id, {})[key] = form
    return form


def prefill(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Only the form's own fields are sent back, and never a secret (an OTP). An address group with
    `x-gb2260.prefill_from` not filled yet gets what its source address names, for the officer to confirm:
    the chip's registered address "湖北省武汉市武昌区中南路99号" preselects 湖北省 / 武汉市 / 武昌区 and
    the detail "中南路99号" (only down to `prefill_to`, and then no detail, where the group says so)."""
    props = schema.get("properties", {})
    shown = {k: data[k] for k in props if k in data and data[k] is not None and not props[k].get("x-secret")}
    for name, prop in props.items():
        spec = prop.get(GB2260) if isinstance(prop, dict) else None
        source = spec.get("prefill_from") if isinstance(spec, dict) else None
        if name in shown or not isinstance(source, str):
            continue
        assert isinstance(spec, dict)
        found = prefill_address(
            data.get(source),
            deepest=spec.get("prefill_to", REGION_FIELDS[-1]),
            with_detail="detail" in prop.get("properties", {}),
        )
        if found:
            shown[name] = found
    return shown


def hide_secrets(
    journey: JourneyInstance, schema: dict[str, Any], task_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Secret fields (OTP codes) stay out of the persisted state: the engine sees a one-request token."""
    out = dict(data)
    for name, prop in schema.get("properties", {}).items():
        if prop.get("x-secret") and isinstance(out.get(name), str):
            token = f"secret:{task_id}:{name}"
            journey.secrets[token] = out[name]
            out[name] = token
    return out


def attachment_problems(
    tx: Transaction,
    actor: Actor,
    schema: dict[str, Any],
    data: dict[str, Any],
    ui_schema: dict[str, Any] | None = None,
) -> list[EngineFieldError]:
    """An attachment field must name an upload of the officer's own branch, of its kind (a recording
    field a recording, any other an image), and carry the time + GPS
    watermark when its camera field asks for one (§7.1: a photo taken on the spot, not one from the
    gallery or another tool; the upload cannot tell, the watermark the server drew can)."""
    problems = []
    for name, prop in schema.get("properties", {}).items():
        value = data.get(name)
        if prop.get("format") == "attachment-id" and isinstance(value, str):
            upload = uploaded_attachment(tx, value)
            if upload is None or upload.branch_code != actor.branch_code:
                problems.append(EngineFieldError(name, "attachment_not_found", "未找到该附件，请重新上传"))
            elif (upload.media_type == MP4_MEDIA_TYPE) != (prop.get("contentMediaType") == MP4_MEDIA_TYPE):
                wanted = "双录录像（MP4）" if prop.get("contentMediaType") == MP4_MEDIA_TYPE else "图片"
                problems.append(EngineFieldError(name, "attachment_kind", f"此处应上传{wanted}"))
            elif wants_watermark(ui_schema or {}, name) and not upload.watermarked:
                problems.append(EngineFieldError(name, "watermark_required", WATERMARK_REQUIRED))
    return problems


def wants_watermark(ui_schema: dict[str, Any], name: str) -> bool:
    """The field's `"ui:options": {"watermark": true}` (forms/ui_lint.py allows it on camera fields)."""
    field_ui = ui_schema.get(name)
    options = field_ui.get("ui:options") if isinstance(field_ui, dict) else None
    return isinstance(options, dict) and options.get("watermark") is True


def is_handover(ui_schema: dict[str, Any]) -> bool:
    """A screen the officer hands to the customer (they read, tick or sign it themselves)."""
    options = ui_schema.get("ui:options")
    return isinstance(options, dict) and options.get("handover") is True
