"""Role ids of domain.md §1.1 plus the analyst; BPMN lanes name these (or map to them)."""

from __future__ import annotations

ROLES: frozenset[str] = frozenset(
    {
        "field_officer",
        "second_officer",
        "authorizer",
        "branch_manager",
        "loan_investigator",
        "loan_approver",
        "card_center_underwriter",
        "ops_center",
        "post_supervisor",
        "aml_officer",
        "device_admin",
        "security_officer",
        "analyst",
    }
)

# User tasks outside any lane (plain SpiffArena models) are staff work done at the customer.
DEFAULT_LANE_ROLE = "field_officer"

# Lanes whose tasks check someone else's work: the maker of the instance may never complete them (§11).
CHECKER_ROLES: frozenset[str] = frozenset({"authorizer", "aml_officer", "post_supervisor", "loan_approver"})


def role_for_lane(lane: str | None, lane_roles: dict[str, str]) -> str | None:
    """The role a lane's tasks are offered to; None when the lane maps to no role."""
    if lane is None:
        return DEFAULT_LANE_ROLE
    if lane in lane_roles:
        return lane_roles[lane]
    return lane if lane in ROLES else None
