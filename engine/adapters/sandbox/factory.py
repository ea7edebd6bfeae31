"""One-line wiring of every simulator for the composition root (`api/bootstrap.py`) and for tests."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from engine.adapters.sandbox.card_centre import SandboxCardCentre
from engine.adapters.sandbox.core import CoreMode, SandboxCoreBanking
from engine.adapters.sandbox.core_cards import CardStock, Ranges
from engine.adapters.sandbox.face import SandboxFaceCompare
from engine.adapters.sandbox.identity import SandboxIdentityCheck
from engine.adapters.sandbox.sms import SandboxSms
from engine.adapters.sandbox.store import SandboxStore
from engine.adapters.sandbox.telco import SandboxTelcoRealName
from engine.adapters.sandbox.timing import Clock, LatencyProfile, Pacer, Sleep, shanghai_now
from engine.adapters.sandbox.watchlist import SandboxWatchList
from engine.adapters.sandbox.wm_sales import SandboxWealthSales


@dataclass(frozen=True)
class SandboxKnobs:
    """Non-production switches (§13.1). `fixed_otp` is for `engine.otp.OtpService`, not a simulator.

    `chaos_systems` limits the error/timeout rates to some systems ("identity", "face", "watchlist",
    "telco", "core", "wm_sales"); None applies them everywhere. `card_stock` maps officer id → held
    sequence ranges. `wm_sales_unavailable` makes the wealth sales system answer UNAVAILABLE to every call.
    """

    latency_profile: LatencyProfile = "normal"
    core_mode: CoreMode = "normal"
    error_rate_pct: float = 0.0
    timeout_rate_pct: float = 0.0
    fixed_otp: str | None = None
    force_core_eod: bool = False
    sms_delivery_delay_max_s: float = 0.0
    chaos_systems: frozenset[str] | None = None
    card_stock: Mapping[str, Ranges] | None = None
    card_decision_delay_s: float = 0.0
    """How long after a credit-card application the simulated card centre's decision is due."""
    card_step_s: float = 60.0
    """Each step of an approved card (produced, mailed, delivered…), a minute standing in for days."""
    card_mail_returned: bool = False
    """Every mailed credit card comes back (wrong address, nobody home) and goes to the branch."""
    wm_sales_unavailable: bool = False


@dataclass(frozen=True)
class SandboxAdapters:
    identity: SandboxIdentityCheck
    face: SandboxFaceCompare
    watchlist: SandboxWatchList
    telco: SandboxTelcoRealName
    sms: SandboxSms
    core: SandboxCoreBanking
    card_centre: SandboxCardCentre
    wm_sales: SandboxWealthSales


def build_sandbox_adapters(
    store: SandboxStore,
    knobs: SandboxKnobs | None = None,
    *,
    clock: Clock = shanghai_now,
    sleep: Sleep = time.sleep,
) -> SandboxAdapters:
    knobs = knobs or SandboxKnobs()
    pacer = Pacer(
        knobs.latency_profile,
        sleep=sleep,
        clock=clock,
        error_rate_pct=knobs.error_rate_pct,
        timeout_rate_pct=knobs.timeout_rate_pct,
        chaos_systems=knobs.chaos_systems,
    )
    core = SandboxCoreBanking(
        pacer,
        store,
        mode=knobs.core_mode,
        force_eod=knobs.force_core_eod,
        card_stock=CardStock(knobs.card_stock),
    )
    return SandboxAdapters(
        identity=SandboxIdentityCheck(pacer),
        face=SandboxFaceCompare(pacer),
        watchlist=SandboxWatchList(pacer, store),
        telco=SandboxTelcoRealName(pacer),
        sms=SandboxSms(store, clock=clock, delivery_delay_max_s=knobs.sms_delivery_delay_max_s),
        core=core,
        card_centre=SandboxCardCentre(
            pacer,
            store,
            knobs.card_decision_delay_s,
            card_step_s=knobs.card_step_s,
            mail_returned=knobs.card_mail_returned,
        ),
        wm_sales=SandboxWealthSales(pacer, store, core.balances, unavailable=knobs.wm_sales_unavailable),
    )
