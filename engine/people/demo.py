"""Demo branches and staff for the embedded default and the tests (README lists them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache

from engine.people.auth import hash_password
from engine.persistence.database import SessionFactory
from engine.persistence.people import PeopleRepository
from engine.persistence.records import BranchRecord, StaffRecord

DEMO_PASSWORD = "fieldbank-demo"  # noqa: S105 - a published demo credential, refused in production

BRANCHES = [
    ("HQ", "总行", None),
    ("WH01", "武汉分行", "HQ"),
    ("WH0101", "武昌支行", "WH01"),
    ("WH0102", "洪山支行", "WH01"),
]
STAFF = [
    ("fo001", "李明", "WH0101", ["field_officer"]),
    ("fo002", "王静", "WH0101", ["field_officer"]),
    ("so001", "赵刚", "WH0101", ["second_officer"]),
    ("au001", "陈华", "WH0101", ["authorizer"]),
    ("bm001", "周强", "WH0101", ["branch_manager"]),
    ("bm101", "林芳", "WH0102", ["branch_manager"]),
    ("fo101", "刘洋", "WH0102", ["field_officer"]),
    ("au101", "孙丽", "WH0102", ["authorizer"]),
    ("aml001", "吴敏", "WH01", ["aml_officer"]),
    ("ps001", "郑洁", "WH01", ["post_supervisor"]),
    ("ps101", "钱坤", "WH0102", ["post_supervisor"]),
    ("an001", "何平", "HQ", ["analyst"]),
    ("sec001", "冯伟", "HQ", ["security_officer"]),
    ("sec002", "蒋丽", "HQ", ["security_officer"]),
    ("da001", "黄磊", "WH01", ["device_admin"]),
]
AUTHORITY_LEVELS = {"au001": 2, "bm001": 3}  # au101 stays at level 1: routine approvals only
QUALIFICATIONS = {"fo001": ["credit_card_face_sign", "wealth_sales"]}


def branch_path(code: str) -> str:
    parents = {c: p for c, _n, p in BRANCHES}
    chain = [code]
    while parents.get(chain[-1]):
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    return "/" + "/".join(reversed(chain)) + "/"


@cache
def _demo_password_hash() -> str:
    """Hashed once per process: the demo password is published, and argon2 is slow on purpose."""
    return hash_password(DEMO_PASSWORD)


def seed_demo(sessions: SessionFactory, now: Callable[[], datetime]) -> int:
    """Idempotent: adds what is missing, never overwrites a changed password."""
    password_hash = _demo_password_hash()
    branches = [
        BranchRecord(code=code, name=name, parent_code=parent, path=branch_path(code))
        for code, name, parent in BRANCHES
    ]
    staff = [
        StaffRecord(
            id=staff_id,
            name=name,
            branch_code=branch,
            roles=roles,
            qualifications=QUALIFICATIONS.get(staff_id, []),
            authority_level=AUTHORITY_LEVELS.get(staff_id, 1),
            password_hash=password_hash,
            status="active",
            created_at=now(),
        )
        for staff_id, name, branch, roles in STAFF
    ]
    return PeopleRepository(sessions).seed(branches, staff)
