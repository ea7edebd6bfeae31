"""The sandbox's ID-card reader. On a real tablet a paired reader fills the chip fields (they are
read-only on the form); in sandbox mode the page offers the §13 test identities instead, so a tester
or a browser test taps "读取身份证" exactly where an officer would."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from engine.adapters.sandbox.fixtures import FIXTURE_PERSONS
from forms.formats import id_birth_date, id_sex_code

SANDBOX_ADDRESS = "湖北省武汉市武昌区中南路99号"
SANDBOX_AUTHORITY = "武汉市公安局武昌分局"


def chip_prefix(schema: dict[str, Any], known: dict[str, Any]) -> str | None:
    """The prefix of the chip fields the reader fills on this form, or None when it reads no card.

    The chip's ID number is the read-only `resident-id` field; the other chip fields share its prefix
    (`id_number`: the customer's; `supp_id_number`: a second person's, such as a supplementary card's
    holder), the name is the read-only `cn-name` field. A form whose person the journey already knows
    (a later form showing the chip's data, like J2's application) reads no card."""
    props = schema.get("properties", {})
    for field, prop in props.items():
        if prop.get("format") == "resident-id" and prop.get("readOnly") and field.endswith("id_number"):
            if known.get(field):
                return None
            return field.removesuffix("id_number")
    return None


def reads_chip(schema: dict[str, Any], known: dict[str, Any]) -> bool:
    return chip_prefix(schema, known) is not None


def card_fields(schema: dict[str, Any], prefix: str, chip: dict[str, str]) -> dict[str, str]:
    """A test card's chip values under this form's field names."""
    props = schema.get("properties", {})
    name_field = next(
        (f for f, p in props.items() if p.get("format") == "cn-name" and p.get("readOnly")), "customer_name"
    )
    named = {("customer_name" if k == "customer_name" else k): v for k, v in chip.items()}
    fields = {prefix + k: v for k, v in named.items() if k != "customer_name"}
    fields[name_field] = named["customer_name"]
    return {k: v for k, v in fields.items() if k in props}


def reader_cards_for(schema: dict[str, Any], prefix: str) -> str:
    """The test cards as this form names their fields, and where the chip photo goes."""
    cards = json.loads(reader_cards_json())
    return json.dumps(
        [
            {**card, "fields": card_fields(schema, prefix, card["fields"]), "photo": prefix + "chip_photo"}
            for card in cards
        ],
        ensure_ascii=False,
    )


@cache
def reader_cards_json() -> str:
    cards: list[dict[str, Any]] = []
    for id_number, name in FIXTURE_PERSONS.items():
        birth = id_birth_date(id_number)
        if not name or birth is None:
            continue
        cards.append(
            {
                "label": f"{name} {id_number[:6]}…{id_number[-4:]}",
                "fields": {
                    "customer_name": name,
                    "id_number": id_number,
                    "sex": id_sex_code(id_number),
                    "ethnicity": "01",
                    "birth_date": birth.isoformat(),
                    "registered_address": SANDBOX_ADDRESS,
                    "issuing_authority": SANDBOX_AUTHORITY,
                    "id_valid_from": "2020-01-01",
                    "id_valid_to": "2040-01-01",
                },
            }
        )
    # §13.2's ID with a wrong check character: a damaged chip, refused by the server's ID check
    bad = "420106199003071230"
    cards.append(
        {
            "label": f"校验位错误 {bad[:6]}…{bad[-4:]}",
            "fields": {**cards[0]["fields"], "customer_name": "张伟", "id_number": bad},
        }
    )
    return json.dumps(cards, ensure_ascii=False)
