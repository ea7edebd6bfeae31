"""Starting the post-supervision review journey for each stored package (domain §2.11)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from documents.supervision.service import REVIEW_PROCESS
from engine.instances import InstanceService
from engine.persistence.evidence import EvidenceStore
from engine.views import Actor


@dataclass
class ReviewStarter:
    """The outbox handler of `start_review`: one `post_supervision` instance for each stored package."""

    store: EvidenceStore
    instances: InstanceService
    now: Callable[[], datetime]

    def start_review_for_outbox(self, outbox_id: int) -> None:
        """Exactly once per package: the review instance and the outbox row commit together."""
        job = self.store.pending_job(outbox_id)
        if job is None:
            return
        package = self.store.package(job[1]["package_id"])
        if package is None or package.review_instance_id is not None:
            self.store.finish_job(outbox_id)
            return
        path = self.store.branch_path(package.branch_code) or "/"
        system = Actor("system", "FieldBank", frozenset(), package.branch_code, path, None)

        def link(transaction: Any, review_id: str) -> None:
            self.store.link_review(transaction, package.package_id, review_id, outbox_id, self.now())

        self.instances.start(
            system,
            REVIEW_PROCESS,
            package.package_id,
            {
                "package_id": package.package_id,
                "journey_instance_id": package.instance_id,
                "journey_process_id": package.process_id,
                "journey_outcome": package.outcome,
                "originator_id": package.staff_id,
                "lane_assignees": {"field_officer": package.staff_id},
            },
            subject_instance_id=package.instance_id,
            in_transaction=link,
        )
