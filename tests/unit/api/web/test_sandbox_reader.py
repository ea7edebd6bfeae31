"""The sandbox ID reader finds a form's chip fields by their formats, so it also reads the card of a
second person the journey identifies (a supplementary card's holder) into that person's fields."""

from __future__ import annotations

import json
from pathlib import Path

from api.web.sandbox_reader import chip_prefix, reader_cards_for

FORMS = Path(__file__).resolve().parents[4] / "forms" / "definitions"


def schema(name: str) -> dict:
    return json.loads((FORMS / f"{name}-schema.json").read_text(encoding="utf-8"))


def test_the_customers_chip_screen_reads_into_the_customers_fields() -> None:
    form = schema("debit-card-id-card")
    assert chip_prefix(form, {}) == ""
    card = json.loads(reader_cards_for(form, ""))[0]
    assert card["photo"] == "chip_photo" and {"customer_name", "id_number", "sex"} <= set(card["fields"])


def test_a_second_persons_chip_screen_reads_into_their_own_fields() -> None:
    form = schema("credit-card-supp-id-card")
    assert chip_prefix(form, {"id_number": "420102198506150026"}) == "supp_"
    card = json.loads(reader_cards_for(form, "supp_"))[0]
    assert card["photo"] == "supp_chip_photo"
    assert {"supp_name", "supp_id_number", "supp_sex"} <= set(card["fields"])
    assert not {"customer_name", "id_number"} & set(card["fields"])


def test_a_form_whose_person_is_known_or_that_has_no_chip_reads_no_card() -> None:
    assert chip_prefix(schema("debit-card-id-card"), {"id_number": "420102198506150026"}) is None
    assert chip_prefix(schema("debit-card-otp"), {}) is None
