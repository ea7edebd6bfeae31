"""What the device channel (§9.4) costs the server: a lifecycle lock with its signed LOCK command, the
tablet's signed check-in that delivers it, and the signed receipt that confirms it — each through the
use cases (no HTTP), on the same database, with the sandbox tablet signing and verifying.

Run: .venv/bin/python bench/device_channel.py [--url postgresql+psycopg://...] [--rounds N]
(default: a fresh SQLite file; give a PostgreSQL URL you may empty — its tables are created by
Alembic and the demo staff and devices seeded). Each round locks and unlocks a demo tablet under
maker-checker and carries both commands through check-in and receipt. Figures: median and p90
milliseconds per step. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # bench/crypto.py would shadow the `crypto` package

from bench.seeded import seeded_services  # noqa: E402
from devices.demo import DEMO_DEVICE_OF, demo_actor, demo_identity  # noqa: E402
from devices.device_messages import CheckInBody, EnrolmentBody, ReceiptBody  # noqa: E402
from devices.sandbox_tablet import SandboxTablet  # noqa: E402

DEVICE = DEMO_DEVICE_OF["fo001"]


def _ms(call: Callable[[], Any], into: list[float]) -> Any:
    started = time.perf_counter()
    result = call()
    into.append((time.perf_counter() - started) * 1e3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    services, _settings, url = seeded_services(args.url, "fb-channel-bench-")
    admin, sec = demo_actor("da001"), demo_actor("sec001")
    tablet = SandboxTablet(DEVICE, services.keys.signing_key.public_key)
    signed = tablet.enrolment(demo_identity(DEVICE).fingerprint_hash, "bench", datetime.now(UTC))
    enrolled = services.device_enrolment.enrol(
        admin, DEVICE, EnrolmentBody.model_validate(signed["body"]), signed["signature"]
    )
    tablet.enrolled(enrolled.epoch)
    steps: dict[str, list[float]] = {k: [] for k in ("lock+queue", "unlock+queue", "check-in", "receipt")}
    for _ in range(args.rounds):
        _ms(lambda: services.device_admin.request(admin, DEVICE, "lock", {}, "bench"), steps["lock+queue"])
        for kind in ("lock", "unlock"):
            if kind == "unlock":
                asked = services.device_admin.request(
                    admin, DEVICE, "unlock", {"presented_in_person": True}, "b"
                )
                _ms(
                    lambda a=asked: services.device_admin.decide(sec, a.change_id, True, "b"),
                    steps["unlock+queue"],
                )
            check = tablet.check_in(datetime.now(UTC))
            body = CheckInBody.model_validate(check["body"])
            checked = _ms(
                lambda b=body, c=check: services.device_enrolment.check_in(DEVICE, b, c["signature"]),
                steps["check-in"],
            )
            delivered = [{"command": d.command, "signature": d.signature} for d in checked.commands]
            for receipt in tablet.obey(delivered, datetime.now(UTC)):
                parsed = ReceiptBody.model_validate(receipt["body"])
                _ms(
                    lambda p=parsed, r=receipt: services.device_commands.queue.receive(
                        DEVICE, p, r["signature"]
                    ),
                    steps["receipt"],
                )
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"device channel on {backend}, {args.rounds} lock/unlock rounds (ms per step)")
    for name, values in steps.items():
        ordered = sorted(values)
        p90 = ordered[int(len(ordered) * 0.9) - 1]
        print(f"  {name:13s} median {statistics.median(values):6.2f}  p90 {p90:6.2f}  (n={len(values)})")


if __name__ == "__main__":
    main()
