"""`fieldbank demo`: one clean J1 for 张伟 against a running server, printed step by step."""

from __future__ import annotations

import httpx
from rich.console import Console

from api.journey_driver import Customer, J1Driver, JourneyError
from forms.formats import is_luhn_valid


def run_demo(base_url: str, username: str, password: str, console: Console) -> int:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        driver = J1Driver(client, log=console.print)
        try:
            driver.login(username, password)
            result = driver.run(Customer(), officer=username)
        except (JourneyError, httpx.HTTPError) as exc:
            console.print(f"[red]demo failed:[/red] {exc}")
            return 1
        instance = result.instance
        console.print(f"outcome: [bold]{instance['outcome']}[/bold] ({instance['outcome_reason']})")
        if instance["outcome"] != "OPENED":
            return 1
        events = client.get(
            f"/api/v1/instances/{instance['instance_id']}/events", headers=driver.headers(username)
        ).json()
        done = next(e["detail"] for e in events if e["kind"] == "instance_completed")
        scanned = driver.last_card or ""
        masked = done.get("card_no_masked") or ""
        same = bool(scanned) and masked[:6] == scanned[:6] and masked[-4:] == scanned[-4:]
        console.print(
            f"card: {masked}  (bound card = scanned card: {same}; Luhn valid: {is_luhn_valid(scanned)})"
        )
        console.print(instance.get("customer_message") or "")
        return 0 if same and is_luhn_valid(scanned) else 1
