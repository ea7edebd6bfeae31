"""`fieldbank sandbox device …`: a simulated tablet against a running server — risk snapshots
(§13.9), enrolment of its identity key and its own check-in that obeys remote commands (§9.4)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from api.device_agent import DeviceAgent

device_app = typer.Typer(
    help="A simulated tablet: risk snapshots (§13.9), enrolment and remote commands (§9.4).",
    no_args_is_help=True,
)
console = Console()


DeviceOption = Annotated[str, typer.Option("--device", help="device id (a demo device: web-000…0001)")]
BaseUrlOption = Annotated[str, typer.Option(help="the running server")]
UserOption = Annotated[str, typer.Option(help="the holder who signs in on the device")]


@device_app.command("profile")
def device_profile(
    device: DeviceOption = "web-0000000000000001",
    profile: Annotated[str, typer.Option(help="clean, rooted, mock_location, … (README)")] = "clean",
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    username: UserOption = "fo001",
    password: str = "fieldbank-demo",  # noqa: S107 - the published demo credential
) -> None:
    """Send a fixture profile's snapshots from a demo device and print the action of each."""
    for answer in _agent(base_url, username, password, device).run_profile(profile):
        console.print(f"{answer.kind}: {answer.status} {answer.action or answer.body}")


@device_app.command("heartbeat")
def device_heartbeat(
    device: DeviceOption = "web-0000000000000001",
    count: Annotated[int, typer.Option(min=1, help="how many heartbeats")] = 1,
    interval: Annotated[float, typer.Option(min=0, help="seconds between them (§9.2: 300)")] = 300.0,
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    username: UserOption = "fo001",
    password: str = "fieldbank-demo",  # noqa: S107 - the published demo credential
) -> None:
    """Send clean heartbeats from a demo device (its last contact moves; no lock after 24 h)."""
    import time

    agent = _agent(base_url, username, password, device)
    for number in range(count):
        if number:
            time.sleep(interval)
        answer = agent.heartbeat()
        console.print(f"heartbeat {number + 1}: {answer.status} {answer.action or answer.body}")


StateOption = Annotated[
    Path | None,
    typer.Option(
        help="the simulated tablet's key and command state (default ~/.fieldbank/agent/DEVICE.json)"
    ),
]


@device_app.command("enrol")
def device_enrol(
    device: DeviceOption = "web-0000000000000001",
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    admin: Annotated[str, typer.Option(help="the device admin provisioning the tablet")] = "da001",
    password: str = "fieldbank-demo",  # noqa: S107 - the published demo credential
    state: StateOption = None,
) -> None:
    """Make the tablet's SM2 identity key and enrol it (proof of possession) through the admin's session."""
    import httpx

    from api.device_agent import DeviceAgent, sign_in_on_device
    from devices.demo import demo_identity

    client = httpx.Client(base_url=base_url, timeout=10)
    agent = DeviceAgent(client, None, device, demo_identity(_demo_device(device)))
    answer = agent.enrol(sign_in_on_device(client, admin, password, None))
    if answer.status != 201:
        console.print(f"[red]enrolment refused: {answer.status} {answer.body}[/red]")
        raise typer.Exit(1)
    _save_tablet(state, agent)
    console.print(f"enrolled {device}: generation {answer.body['epoch']}, key {answer.body['key_id']}")


@device_app.command("check-in")
def device_check_in(
    device: DeviceOption = "web-0000000000000001",
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
    state: StateOption = None,
) -> None:
    """The tablet's own signed check-in (no staff session): obey each command and send its receipt."""
    import json

    import httpx

    from api.device_agent import DeviceAgent, platform_key
    from devices.demo import demo_identity
    from devices.sandbox_tablet import SandboxTablet

    path = _tablet_state(state, device)
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist: enrol the tablet first", param_hint="--state")
    client = httpx.Client(base_url=base_url, timeout=10)
    tablet = SandboxTablet.from_state(json.loads(path.read_text()), platform_key(client))
    agent = DeviceAgent(client, None, device, demo_identity(_demo_device(device)), tablet)
    answer = agent.check_in()
    if answer.status != 200:
        console.print(f"[red]check-in refused: {answer.status} {answer.body}[/red]")
        raise typer.Exit(1)
    console.print(f"wanted state {answer.body['state']}, {len(answer.body['commands'])} command(s)")
    for sent in agent.receipt_answers:
        console.print(f"  {sent.body.get('kind')} #{sent.body.get('seq')}: {sent.body.get('status')}")
    console.print(f"screen: {vars(agent.tablet.screen)}")
    _save_tablet(state, agent)


def _demo_device(device: str) -> str:
    from devices.demo import DEVICES

    if device not in {d[0] for d in DEVICES}:
        raise typer.BadParameter(f"{device} is not a demo device", param_hint="--device")
    return device


def _tablet_state(state: Path | None, device: str) -> Path:
    return state or Path.home() / ".fieldbank" / "agent" / f"{device}.json"


def _save_tablet(state: Path | None, agent: DeviceAgent) -> None:
    """The sandbox tablet's private key is written for the owner only (0600)."""
    import json
    import os

    path = _tablet_state(state, agent.device_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(agent.tablet.to_state(), out, ensure_ascii=False)


def _agent(base_url: str, username: str, password: str, device: str) -> DeviceAgent:
    import httpx

    from api.device_agent import DeviceAgent, sign_in_on_device
    from devices.demo import demo_identity

    try:
        identity = demo_identity(device)
    except KeyError:
        raise typer.BadParameter(f"{device} is not a demo device", param_hint="--device") from None
    client = httpx.Client(base_url=base_url, timeout=10)
    return DeviceAgent(client, sign_in_on_device(client, username, password, device), device, identity)
