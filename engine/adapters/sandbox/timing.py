"""Latency, client timeouts and fault injection of the simulators (§12.1, §13.1), deterministic by input.

Each request's latency is a quantile of a log-normal fitted to the system's p50/p95, the quantile taken
from a hash of the request, so the same request always takes the same time. A profile scales the
latency; the client timeout stays what the real client would wait (only `fast` compresses it, so demos
still show timeouts quickly). Sleeping goes through an injected `sleep` so tests never really wait.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import NormalDist
from typing import Literal, NoReturn, TypeVar

from engine.adapters.ports import SHANGHAI
from engine.errors import ExternalServiceError, ExternalTimeout

LatencyProfile = Literal["zero", "fast", "normal", "peak", "degraded"]
PROFILE_SCALE: dict[str, float] = {"zero": 0.0, "fast": 0.1, "normal": 1.0, "peak": 3.0, "degraded": 10.0}
Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
T = TypeVar("T")

_Z95 = NormalDist().inv_cdf(0.95)
_QUANTILE_CLAMP = (0.001, 0.999)  # keeps the log-normal tail finite and below the client timeouts
_FAST_FAILURE_S = 0.05  # an error code comes back at once, not after a full round trip


@dataclass(frozen=True)
class LatencySpec:
    """§12.1 [Sim] typical latency and the client timeout of one system."""

    system: str
    p50_s: float
    p95_s: float
    client_timeout_s: float

    def latency_at(self, quantile: float) -> float:
        sigma = math.log(self.p95_s / self.p50_s) / _Z95
        q = min(max(quantile, _QUANTILE_CLAMP[0]), _QUANTILE_CLAMP[1])
        return self.p50_s * math.exp(sigma * NormalDist().inv_cdf(q))


IDENTITY = LatencySpec("identity", 0.5, 2.0, 10.0)
FACE = LatencySpec("face", 0.4, 1.5, 8.0)
WATCHLIST_EXACT = LatencySpec("watchlist", 0.05, 0.2, 3.0)
WATCHLIST_FUZZY = LatencySpec("watchlist", 0.3, 1.0, 3.0)
TELCO = LatencySpec("telco", 0.5, 2.0, 8.0)
CORE = LatencySpec("core", 0.5, 3.0, 30.0)
WM_SALES = LatencySpec("wm_sales", 0.3, 1.5, 10.0)  # not in §12.1: [Sim]


def stable_fraction(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts`: the simulators' only source of variation."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def stable_pick(options: Sequence[T], weights: Sequence[float], *parts: object) -> T:
    """One of `options`, chosen by weight from the hash of `parts`."""
    point = stable_fraction(*parts) * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        if point < weight:
            return option
        point -= weight
    return options[-1]


def stable_digits(count: int, *parts: object) -> str:
    number = int(hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest(), 16)
    return str(number % 10**count).zfill(count)


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


class Pacer:
    """Makes a simulated call take its time, time out, or fail, as the knobs say."""

    def __init__(
        self,
        profile: LatencyProfile = "normal",
        *,
        sleep: Sleep,
        clock: Clock,
        error_rate_pct: float = 0.0,
        timeout_rate_pct: float = 0.0,
        chaos_systems: Collection[str] | None = None,
    ) -> None:
        if profile not in PROFILE_SCALE:
            raise ValueError(f"unknown latency profile {profile!r}")
        self.profile = profile
        self.scale = PROFILE_SCALE[profile]
        self._sleep = sleep
        self._clock = clock
        self.error_rate_pct = error_rate_pct
        self.timeout_rate_pct = timeout_rate_pct
        self._chaos_systems = None if chaos_systems is None else frozenset(chaos_systems)

    def now(self) -> datetime:
        return self._clock().astimezone(SHANGHAI)

    def latency(self, spec: LatencySpec, *key: object) -> float:
        """The unscaled latency of the request identified by `key` (same key, same latency)."""
        return spec.latency_at(stable_fraction(spec.system, "latency", *key))

    def client_wait(self, spec: LatencySpec) -> float:
        """How long the client waits before giving up, in this profile's time."""
        return spec.client_timeout_s * min(self.scale, 1.0)

    def wait(self, spec: LatencySpec, *key: object, latency_s: float | None = None) -> float:
        """Sleep the request's latency and return the seconds slept; when the (scaled) latency
        reaches the client timeout, sleep the client's wait and raise `ExternalTimeout` instead."""
        base = self.latency(spec, *key) if latency_s is None else latency_s
        if max(base, base * self.scale) >= spec.client_timeout_s:
            self.time_out(spec)
        self._pause(base * self.scale)
        return base * self.scale

    def time_out(self, spec: LatencySpec, *, waited_s: float = 0.0) -> NoReturn:
        """What the client sees when no answer came: it waited its full timeout (of which `waited_s`
        already passed), then gave up."""
        self._pause(self.client_wait(spec) - waited_s)
        raise ExternalTimeout(
            f"{spec.system}: no answer within {spec.client_timeout_s:g} s", system=spec.system
        )

    def fail_fast(self, spec: LatencySpec, reason: str = "UNAVAILABLE") -> NoReturn:
        self._pause(_FAST_FAILURE_S * self.scale)
        raise ExternalServiceError(f"{spec.system}: {reason}", system=spec.system, reason=reason)

    def fault_due(self, spec: LatencySpec, request_id: str) -> Literal["error", "timeout"] | None:
        """Which chaos fault, if any, the knobs assign to this request id (same id, same answer)."""
        if self._chaos_systems is not None and spec.system not in self._chaos_systems:
            return None
        if stable_fraction(spec.system, "error", request_id) * 100 < self.error_rate_pct:
            return "error"
        if stable_fraction(spec.system, "timeout", request_id) * 100 < self.timeout_rate_pct:
            return "timeout"
        return None

    def inject_faults(self, spec: LatencySpec, request_id: str) -> None:
        """Chaos knobs for read-only checks: a deterministic share of request ids fails or times out."""
        fault = self.fault_due(spec, request_id)
        if fault == "error":
            self.fail_fast(spec)
        if fault == "timeout":
            self.time_out(spec)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)
