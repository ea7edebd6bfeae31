"""What the device gate adds to every signed-in call of a field officer: `AuthService.authenticate`
timed with the gate and without it, on the same database and token. The device comes with the token's
own query either way (an outer join), so the difference is the gate's own check.

Run: .venv/bin/python bench/device_gate.py [--url postgresql+psycopg://...] [--calls N]
(default: a fresh SQLite file; give a PostgreSQL URL you may empty — its tables are created by
Alembic and the demo staff and devices seeded). Figures: median and p90 microseconds per call, each
mode measured in alternating rounds after a warm-up. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # bench/crypto.py would shadow the `crypto` package

from bench.seeded import seeded_services  # noqa: E402
from devices.demo import DEMO_DEVICE_OF  # noqa: E402
from engine.people.auth import AuthService  # noqa: E402
from engine.people.demo import DEMO_PASSWORD  # noqa: E402


def _timed(auth: AuthService, token: str, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        auth.authenticate(token)
        out.append((time.perf_counter() - started) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    services, settings, url = seeded_services(args.url, "fb-gate-bench-")
    gated = services.auth
    token = gated.login("fo001", DEMO_PASSWORD, DEMO_DEVICE_OF["fo001"]).access_token
    open_ = AuthService(services.deps.sessions, services.deps.now, settings.token_ttl_seconds)
    _timed(gated, token, 50), _timed(open_, token, 50)
    with_gate: list[float] = []
    without: list[float] = []
    for _ in range(5):
        with_gate += _timed(gated, token, args.calls // 5)
        without += _timed(open_, token, args.calls // 5)
    for name, values in (("with the gate", with_gate), ("without", without)):
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:14} median {statistics.median(values):7.0f} µs   p90 {p90:7.0f} µs")
    added = statistics.median(with_gate) - statistics.median(without)
    print(f"added per call (median): {added:.0f} µs on {url.split(':')[0]}")


if __name__ == "__main__":
    main()
