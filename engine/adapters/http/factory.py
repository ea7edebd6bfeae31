"""One-call wiring of every HTTP client for the composition root (`api/bootstrap.py`) and for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from engine.adapters.http.clients import (
    HttpCardCentre,
    HttpCoreBanking,
    HttpFaceCompare,
    HttpIdentityCheck,
    HttpSmsGateway,
    HttpTelcoRealName,
    HttpWatchList,
)
from engine.adapters.http.wire import DEFAULT_TIMEOUTS_S, SYSTEMS

DEFAULT_KEY = "default"
USER_AGENT = "fieldbank-adapters/1"


@dataclass(frozen=True)
class HttpAdapters:
    """Same field names as `SandboxAdapters`. `close()` releases the pooled connections at shutdown."""

    identity: HttpIdentityCheck
    face: HttpFaceCompare
    watchlist: HttpWatchList
    telco: HttpTelcoRealName
    sms: HttpSmsGateway
    core: HttpCoreBanking
    card_centre: HttpCardCentre
    clients: tuple[httpx.Client, ...] = field(default=(), repr=False, compare=False)

    def close(self) -> None:
        for client in self.clients:
            client.close()


def build_http_adapters(
    base_urls: Mapping[str, str] | str,
    *,
    timeouts: Mapping[str, float] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> HttpAdapters:
    """`base_urls` is one URL for every system, or system → URL with an optional `default` entry for
    the systems not named (empty values count as absent). `timeouts` overrides §12.1's per system.
    Systems on the same base URL share one connection pool. `transport` is for tests."""
    urls = resolve_base_urls(base_urls)
    limits = resolve_timeouts(timeouts)
    pools: dict[str, httpx.Client] = {}

    def client(system: str) -> httpx.Client:
        url = urls[system]
        if url not in pools:
            pools[url] = httpx.Client(
                base_url=url,
                transport=transport,
                timeout=max(limits.values()),  # each call passes its own; this is a backstop
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,  # a redirect would re-send ID numbers to another host
            )
        return pools[url]

    return HttpAdapters(
        identity=HttpIdentityCheck(client("identity"), timeout_s=limits["identity"]),
        face=HttpFaceCompare(client("face"), timeout_s=limits["face"]),
        watchlist=HttpWatchList(client("watchlist"), timeout_s=limits["watchlist"]),
        telco=HttpTelcoRealName(client("telco"), timeout_s=limits["telco"]),
        sms=HttpSmsGateway(client("sms"), timeout_s=limits["sms"]),
        core=HttpCoreBanking(client("core"), timeout_s=limits["core"]),
        card_centre=HttpCardCentre(client("card_centre"), timeout_s=limits["card_centre"]),
        clients=tuple(pools.values()),
    )


def resolve_base_urls(base_urls: Mapping[str, str] | str) -> dict[str, str]:
    """Every system's base URL, or ValueError naming what is missing or not an http(s) URL."""
    given = {DEFAULT_KEY: base_urls} if isinstance(base_urls, str) else dict(base_urls)
    unknown = set(given) - {*SYSTEMS, DEFAULT_KEY}
    if unknown:
        raise ValueError(f"unknown systems in base URLs: {sorted(unknown)}; expected {SYSTEMS}")
    urls = {system: given.get(system) or given.get(DEFAULT_KEY) or "" for system in SYSTEMS}
    missing = [system for system, url in urls.items() if not url]
    if missing:
        raise ValueError(f"no base URL for {missing}")
    for system, url in urls.items():
        if httpx.URL(url).scheme not in ("http", "https"):
            raise ValueError(f"{system}: base URL must be http(s)")
    return {system: url.rstrip("/") for system, url in urls.items()}


def resolve_timeouts(timeouts: Mapping[str, float] | None) -> dict[str, float]:
    limits = {**DEFAULT_TIMEOUTS_S, **(timeouts or {})}
    unknown = set(limits) - set(SYSTEMS)
    if unknown:
        raise ValueError(f"unknown systems in timeouts: {sorted(unknown)}; expected {SYSTEMS}")
    if any(value <= 0 for value in limits.values()):
        raise ValueError("timeouts must be positive seconds")
    return {system: float(limits[system]) for system in SYSTEMS}
