"""Staff and role administration under maker-checker (§11): a branch manager or security officer asks,
a different security officer approves; nobody changes their own account, and role combinations that
break segregation of duties are refused when asked and again when approved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.deps import EngineDeps
from engine.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from engine.people.auth import hash_password
from engine.people.roles import ROLES
from engine.persistence.people import PeopleRepository, PeopleTransaction
from engine.persistence.records import StaffChangeRecord, StaffRecord
from engine.views import Actor

REQUESTER_ROLES = frozenset({"branch_manager", "security_officer"})
APPROVER_ROLES = frozenset({"security_officer"})
ACTIONS = (
    "create",
    "grant_role",
    "revoke_role",
    "suspend",
    "reactivate",
    "set_authority",
    "grant_qualification",
    "revoke_qualification",
)
# Pairs one person must never hold together (segregation of duties).
CONFLICTS: tuple[tuple[str, str], ...] = (
    ("security_officer", "field_officer"),
    ("security_officer", "second_officer"),
    ("security_officer", "device_admin"),
    ("post_supervisor", "field_officer"),
    ("post_supervisor", "authorizer"),
    ("aml_officer", "field_officer"),
    ("loan_approver", "loan_investigator"),
)


@dataclass(frozen=True)
class StaffChange:
    change_id: int
    action: str
    staff_id: str
    payload: dict[str, Any]
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


def conflicts_in(roles: set[str]) -> list[str]:
    return [f"{a} + {b}" for a, b in CONFLICTS if a in roles and b in roles]


class StaffAdministration:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps
        self._people = PeopleRepository(deps.sessions)

    def request(self, actor: Actor, action: str, staff_id: str, payload: dict[str, Any]) -> StaffChange:
        if not actor.roles & REQUESTER_ROLES:
            raise Forbidden("only a branch manager or security officer requests staff changes")
        if staff_id == actor.staff_id:
            raise Forbidden("nobody changes their own account or roles")
        with self._people.transaction() as tx:
            target = tx.staff(staff_id)
            branch = (
                payload.get("branch_code") if action == "create" else (target.branch_code if target else None)
            )
            self._check(tx, actor, action, target, branch, payload)
            if action == "create":  # the password is never stored in clear, not even while pending
                password = str(payload.get("initial_password") or "")
                if len(password) < 12:
                    raise ValidationFailed(
                        "initial password too short",
                        [FieldError("initial_password", "too_short", "初始密码至少12位")],
                    )
                payload = {k: v for k, v in payload.items() if k != "initial_password"}
                payload["password_hash"] = hash_password(password)
            record = StaffChangeRecord(
                action=action,
                staff_id=staff_id,
                payload=payload,
                status="PENDING",
                requested_by=actor.staff_id,
                requested_at=self.deps.now(),
            )
            tx.add_staff_change(record)
            tx.commit()
            return _view(record)

    def decide(self, actor: Actor, change_id: int, approve: bool, reason: str | None) -> StaffChange:
        if not actor.roles & APPROVER_ROLES:
            raise Forbidden("only a security officer approves staff changes")
        with self._people.transaction() as tx:
            change = tx.staff_change(change_id)
            if change is None or change.status != "PENDING":
                raise NotFound("no such pending change")
            if change.requested_by == actor.staff_id or change.staff_id == actor.staff_id:
                raise Forbidden("the requester, or the person concerned, cannot approve")
            target = tx.staff(change.staff_id)
            branch = (
                change.payload.get("branch_code")
                if change.action == "create"
                else (target.branch_code if target else None)
            )
            if approve:
                self._check(tx, actor, change.action, target, branch, change.payload)  # state may have moved
                self._apply(tx, change, target)
            change.status = "APPROVED" if approve else "REJECTED"
            change.decided_by, change.decided_at, change.reason = actor.staff_id, self.deps.now(), reason
            tx.commit()
            return _view(change)

    def pending(self, actor: Actor) -> list[StaffChange]:
        if not actor.roles & (APPROVER_ROLES | REQUESTER_ROLES):
            raise Forbidden("staff administration only")
        return [_view(r) for r in self._people.pending_staff_changes()]

    def _check(
        self,
        tx: PeopleTransaction,
        actor: Actor,
        action: str,
        target: StaffRecord | None,
        branch: str | None,
        payload: dict[str, Any],
    ) -> None:
        if action not in ACTIONS:
            raise ValidationFailed("unknown action", [FieldError("action", "not_allowed", "不支持的操作")])
        if action == "create":
            if target is not None:
                raise Conflict("that staff id exists")
            if not payload.get("name") or not branch:
                raise ValidationFailed(
                    "name and branch are required", [FieldError("payload", "required", "需要姓名和机构代码")]
                )
            if tx.branch(branch) is None:
                raise NotFound("no such branch")
        elif target is None:
            raise NotFound("no such member of staff")
        path = tx.branch_path(branch or "")
        if path is None or not actor.sees_branch(path):
            raise NotFound("no such member of staff")
        roles = set(target.roles) if target else set()
        if action == "create":
            roles = set(payload.get("roles") or [])
        elif action == "grant_role":
            roles.add(str(payload.get("role")))
        if action == "set_authority" and not isinstance(payload.get("authority_level"), int):
            raise ValidationFailed(
                "authority level", [FieldError("authority_level", "required", "需要授权级别")]
            )
        if action.endswith("_qualification") and not payload.get("qualification"):
            raise ValidationFailed("qualification", [FieldError("qualification", "required", "需要资质")])
        unknown = roles - ROLES
        if unknown:
            raise ValidationFailed(
                "unknown role", [FieldError("role", "not_allowed", f"未知角色 {sorted(unknown)}")]
            )
        clashes = conflicts_in(roles)
        if clashes:
            raise Conflict(f"segregation of duties: {', '.join(clashes)}")

    def _apply(self, tx: PeopleTransaction, change: StaffChangeRecord, target: StaffRecord | None) -> None:
        p = change.payload
        if change.action == "create":
            tx.add_staff(
                StaffRecord(
                    id=change.staff_id,
                    name=p["name"],
                    branch_code=p["branch_code"],
                    roles=sorted(set(p.get("roles") or [])),
                    password_hash=p["password_hash"],
                    status="active",
                    created_at=self.deps.now(),
                )
            )
            return
        assert target is not None
        if change.action == "grant_role":
            target.roles = sorted({*target.roles, p["role"]})
        elif change.action == "revoke_role":
            target.roles = sorted(set(target.roles) - {p["role"]})
        elif change.action == "suspend":
            target.status = "suspended"
            tx.revoke_tokens_of(target.id, self.deps.now())  # a suspension ends every session at once
        elif change.action == "reactivate":
            target.status = "active"
        elif change.action == "set_authority":
            target.authority_level = int(p["authority_level"])
        elif change.action == "grant_qualification":
            target.qualifications = sorted({*(target.qualifications or []), p["qualification"]})
        elif change.action == "revoke_qualification":
            target.qualifications = sorted(set(target.qualifications or []) - {p["qualification"]})


def _view(r: StaffChangeRecord) -> StaffChange:
    return StaffChange(
        r.id,
        r.action,
        r.staff_id,
        {k: v for k, v in r.payload.items() if k != "password_hash"},
        r.status,
        r.requested_by,
        r.requested_at,
        r.decided_by,
        r.decided_at,
        r.reason,
    )
