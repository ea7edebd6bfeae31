"""The `fieldbank` command line: serve, worker, processes, keys, demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli_device import device_app
from api.logging_setup import configure_logging
from engine.settings import Settings

app = typer.Typer(help="FieldBank: BPMN-driven mobile outreach banking.", no_args_is_help=True)
processes_app = typer.Typer(help="Validate, deploy and list process definitions.", no_args_is_help=True)
keys_app = typer.Typer(
    help="Platform keys (SM2 signing/encryption, KEK, blind-index key).", no_args_is_help=True
)
app.add_typer(processes_app, name="processes")
app.add_typer(keys_app, name="keys")
evidence_app = typer.Typer(help="Evidence packages: verify offline.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")
clients_app = typer.Typer(help="External systems that deliver messages.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
sandbox_app = typer.Typer(help="Sandbox simulators driven from the command line.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
sandbox_app.add_typer(device_app, name="device")
console = Console()


def _prepare(settings: Settings, *, seed: bool) -> None:
    """Everything the embedded default needs before it serves: keys, schema, demo staff, processes."""
    from api.bootstrap import build_services
    from devices.demo import seed_demo_devices
    from engine.people.demo import seed_demo
    from engine.persistence.migrate import upgrade_to_head

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.kek_hex is None and not (settings.resolved_keys_dir / "keys.json").exists():
        from crypto import init_key_store

        init_key_store(settings.resolved_keys_dir)
        console.print(f"created platform keys in {settings.resolved_keys_dir}")
    upgrade_to_head(settings.resolved_database_url)
    services = build_services(settings, in_process_worker=False)
    if seed and settings.environment != "production":
        seed_demo(services.deps.sessions, services.deps.now)
        seed_demo_devices(services.device_admin)
    for result in services.definitions.deploy_all("system"):
        if result.new:
            console.print(f"deployed {result.process_id} v{result.version}")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes; more than 1 needs PostgreSQL and Redis")
    ] = 1,
) -> None:
    """Install-free embedded default: SQLite, local blobs, in-process worker, sandbox adapters.
    Production serving: `--workers N` on PostgreSQL + Redis, N API processes under uvicorn's process
    manager (it restarts a process that dies), with `fieldbank worker` processes beside them."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    if workers > 1 and (settings.redis_url is None or settings.resolved_database_url.startswith("sqlite")):
        raise typer.BadParameter(
            "--workers > 1 needs FIELDBANK_DATABASE_URL (PostgreSQL) and FIELDBANK_REDIS_URL: several "
            "processes cannot share the embedded SQLite file and in-process worker",
            param_hint="--workers",
        )
    configure_logging()
    _prepare(settings, seed=True)  # once, before the processes start
    console.print(f"FieldBank on http://{host}:{port}  (API docs: /docs, {workers} process(es))")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", log_config=None)
        return
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="api.serving:NoDelayH11Protocol",  # see api/serving.py: 45 ms per request without it
        log_level="info",
        log_config=None,
    )


@app.command()
def worker(
    burst: bool = False,
    lane: Annotated[
        list[str] | None, typer.Option(help="calls and/or background (default: both, calls first)")
    ] = None,
) -> None:
    """An rq worker for production mode (FIELDBANK_REDIS_URL set). Run dedicated `--lane calls` workers so
    package renders (`--lane background`) never delay a customer's next screen."""
    from api.worker import run_worker

    lanes = tuple(lane or ("calls", "background"))
    if set(lanes) - {"calls", "background"}:
        raise typer.BadParameter("lanes are 'calls' and 'background'")
    configure_logging()
    run_worker(Settings(), burst=burst, lanes=lanes)


@app.command("migrate")
def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    from engine.persistence.migrate import upgrade_to_head

    upgrade_to_head(Settings().resolved_database_url)


@processes_app.command("validate")
def processes_validate(
    directory: Annotated[
        Path | None, typer.Argument(help="folder of .bpmn files (default: processes/)")
    ] = None,
) -> None:
    """Parse and lint every BPMN file; print file, element id and reason for each problem."""
    from api.bootstrap import operation_registry
    from engine.catalogue import validate_directory
    from forms.catalogue import FormCatalogue

    settings = Settings()
    operations = operation_registry()
    report = validate_directory(
        directory or settings.processes_dir,
        FormCatalogue(settings.forms_dir),
        operations,
        operations.decisions,
    )
    for problem in report.problems:
        console.print(f"[red]ERROR[/red] {problem}", highlight=False)
    for process in report.processes:
        console.print(
            f"[green]OK[/green] {process.file}: {process.process_id} ({process.name})", highlight=False
        )
    if report.problems:
        raise typer.Exit(1)


@processes_app.command("deploy")
def processes_deploy() -> None:
    """Validate and store each changed process as a new immutable version."""
    from api.bootstrap import build_services
    from engine.errors import ProcessDefinitionError

    services = build_services(Settings(), in_process_worker=False)
    try:
        results = services.definitions.deploy_all("cli")
    except ProcessDefinitionError as exc:
        for problem in exc.problems:
            console.print(f"[red]ERROR[/red] {problem}", highlight=False)
        raise typer.Exit(1) from None
    for r in results:
        console.print(f"{r.process_id} v{r.version} {'deployed' if r.new else 'unchanged'} ({r.sha[:12]})")


@processes_app.command("list")
def processes_list() -> None:
    from api.bootstrap import build_services

    table = Table("process", "name", "version", "sha", "deployed")
    for d in build_services(Settings(), in_process_worker=False).definitions.list_latest():
        table.add_row(
            d.process_id, d.name, str(d.version), d.sha[:12], d.deployed_at.isoformat(timespec="seconds")
        )
    console.print(table)


@clients_app.command("add")
def clients_add(
    client_id: str,
    messages: Annotated[list[str], typer.Option("--message", "-m", help="a message name it may deliver")],
    name: Annotated[str, typer.Option(help="who it is, for people")] = "",
) -> None:
    """Register an external system (or rotate its token). The token is printed once; keep it in the
    system's secret store: FieldBank keeps only its digest."""
    from api.bootstrap import build_services
    from engine.errors import ValidationFailed

    services = build_services(Settings(), in_process_worker=False)
    try:
        token = services.system_clients.register(client_id, name, messages)
    except ValidationFailed as exc:
        for error in exc.errors:
            console.print(f"[red]ERROR[/red] {error.field}: {error.message}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"client {client_id} may deliver: {', '.join(sorted(set(messages)))}")
    print(token)


@keys_app.command("init")
def keys_init() -> None:
    """Create the platform keys for a new install (refuses to overwrite existing keys)."""
    from crypto import KeyStoreError, init_key_store

    settings = Settings()
    try:
        store = init_key_store(settings.resolved_keys_dir)
    except KeyStoreError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"keys created in {settings.resolved_keys_dir}; signing key id {store.signing_key_id}")


@keys_app.command("export-public")
def keys_export_public(
    out: Annotated[Path | None, typer.Option(help="write the PEM here instead of printing it")] = None,
) -> None:
    """The platform signing public key (PEM): all an auditor needs to verify packages offline."""
    from api.bootstrap import load_keys

    pem = load_keys(Settings()).signing_key.public_key.to_pem()
    text = pem.decode() if isinstance(pem, bytes) else str(pem)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="ascii")
        console.print(f"wrote {out}")


@evidence_app.command("verify")
def evidence_verify(
    files: Annotated[
        list[Path], typer.Argument(help="one or more package ZIPs; several are also checked as a chain")
    ],
    public_key: Annotated[Path | None, typer.Option(help="platform signing public key (PEM)")] = None,
) -> None:
    """Check digests, signature and chain offline. Exit 0 OK, 2 file digest, 3 signature, 4 chain,
    5 malformed, 1 could not verify."""
    from documents.evidence.cli import run_verify

    keys = None
    if public_key is None:
        try:
            from api.bootstrap import load_keys

            keys = load_keys(Settings()).verification_keys()
        except Exception:
            keys = None
    raise typer.Exit(run_verify(files, public_key, keys, lambda line: typer.echo(line)))


@app.command()
def demo(
    base_url: str = "http://127.0.0.1:8000",
    username: str = "fo001",
    password: str = "fieldbank-demo",  # noqa: S107 - the published demo credential
) -> None:
    """Drive one debit-card opening (张伟) over HTTP against a running server and print each step."""
    from api.demo import run_demo

    sys.exit(run_demo(base_url, username, password, console))


if __name__ == "__main__":
    app()
