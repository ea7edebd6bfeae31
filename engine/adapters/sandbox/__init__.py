"""Sandbox simulators of the external systems (domain.md §13): product code, deterministic by input.

See README.md in this folder for every scenario and knob.
"""

from engine.adapters.sandbox.core import SandboxCoreBanking
from engine.adapters.sandbox.core_cards import CardStock, card_number
from engine.adapters.sandbox.face import SandboxFaceCompare
from engine.adapters.sandbox.factory import SandboxAdapters, SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.fixtures import is_sandbox_fixture_id
from engine.adapters.sandbox.identity import SandboxIdentityCheck
from engine.adapters.sandbox.sms import SandboxSms
from engine.adapters.sandbox.store import InMemorySandboxStore, SandboxStore
from engine.adapters.sandbox.telco import SandboxTelcoRealName
from engine.adapters.sandbox.watchlist import SandboxWatchList
from engine.adapters.sandbox.wm_sales import SandboxWealthSales

__all__ = [
    "CardStock",
    "InMemorySandboxStore",
    "SandboxAdapters",
    "SandboxCoreBanking",
    "SandboxFaceCompare",
    "SandboxIdentityCheck",
    "SandboxKnobs",
    "SandboxSms",
    "SandboxStore",
    "SandboxTelcoRealName",
    "SandboxWatchList",
    "SandboxWealthSales",
    "build_sandbox_adapters",
    "card_number",
    "is_sandbox_fixture_id",
]
