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

# Who may start journeys by hand, and which processes only the system starts (reviews of packages).
JOURNEY_STARTER_ROLES: frozenset[str] = frozenset({"field_officer"})
SYSTEM_STARTED_PROCESSES: frozenset[str] = frozenset({"post_supervision"})
# Who may capture evidence images (the tablet roles).
CAPTURE_ROLES: frozenset[str] = frozenset({"field_officer", "second_officer"})
# Who may retry an external call that ran out of retries, besides the officer running the journey.
OPERATOR_ROLES: frozenset[str] = frozenset({"ops_center", "branch_manager"})

# Who may read customer journeys and their trails at all (§8.5 need-to-know): the roles that work on
# them. Analysts model processes, security officers and device admins administer staff and devices;
# none of them needs a customer's journey, whatever branch they sit in.
JOURNEY_READER_ROLES: frozenset[str] = ROLES - {"analyst", "security_officer", "device_admin"}

# Lanes whose tasks check someone else's work: the maker of the instance may never complete them (§11).
CHECKER_ROLES: frozenset[str] = frozenset({"authorizer", "aml_officer", "post_supervisor", "loan_approver"})


def role_for_lane(lane: str | None, lane_roles: dict[str, str]) -> str | None:
    """The role a lane's tasks are offered to; None when the lane maps to no role."""
    if lane is None:
        return DEFAULT_LANE_ROLE
    if lane in lane_roles:
        return lane_roles[lane]
    return lane if lane in ROLES else None
