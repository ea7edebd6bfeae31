"""The sandbox's ID-card reader. On a real tablet a paired reader fills the chip fields (they are
read-only on the form); in sandbox mode the page offers the §13 test identities instead, so a tester
or a browser test taps "读取身份证" exactly where an officer would."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from engine.adapters.sandbox.fixtures import FIXTURE_PERSONS
from forms.formats import id_birth_date, id_sex_code

CHIP_FIELDS = ("customer_name", "id_number", "sex", "birth_date")
SANDBOX_ADDRESS = "湖北省武汉市武昌区中南路99号"
SANDBOX_AUTHORITY = "武汉市公安局武昌分局"


def reads_chip(schema: dict[str, Any], known: dict[str, Any]) -> bool:
    """A form the reader fills: it has the chip fields, they are read-only, and the journey does not
    know them yet (a later form showing the chip's data, like J2's application, reads no card)."""
    props = schema.get("properties", {})
    return all(props.get(f, {}).get("readOnly") for f in CHIP_FIELDS) and not known.get("id_number")


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
