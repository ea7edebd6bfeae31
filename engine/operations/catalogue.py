"""Every operator a BPMN file may name: the shared steps' here, each journey's from its declaration.
`fieldbank processes validate` refuses any other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.operations import checks, core, rules
from engine.operations.registry import Operation, OperationRegistry

if TYPE_CHECKING:
    from engine.journeys.declaration import JourneyDeclaration


def build_operation_registry(journeys: Iterable[JourneyDeclaration] = ()) -> OperationRegistry:
    journeys = list(journeys)
    own = [operation for journey in journeys for operation in journey.operations]
    decisions = {name: c for journey in journeys for name, c in journey.decision_contracts.items()}
    return OperationRegistry(
        [
            *own,
            Operation("identity.verify", checks.verify_identity, system="identity"),
            Operation(
                "watchlist.screen_person",
                checks.screen_person,
                system="watchlist",
                restricted_results=frozenset({"WATCHLIST_BLOCK", "WATCHLIST_REVIEW"}),
            ),
            Operation("core.lookup_customer", checks.lookup_customer, system="core"),
            Operation("face.compare", checks.compare_face, system="face"),
            Operation("mobile.verify", checks.verify_mobile, system="telco"),
            Operation("otp.send", checks.send_otp, system="sms"),
            Operation("otp.verify", checks.verify_otp, system="otp", inline=True),
            Operation("rules.assess_id_card", rules.assess_id_card, system="rules", inline=True),
            Operation("core.check_card", core.check_card, system="core"),
            Operation("core.open_account", core.open_account, system="core"),
        ],
        decisions,
    )
