"""J1 throughput bench: bare SpiffWorkflow, the FieldBank service layer, HTTP, and pre-check concurrency.

Run: .venv/bin/python bench/journey.py [--journeys N] [--rounds R] [--quick]
(default about 2-3 minutes on 2 vCPUs, --quick about 30-40 s; needs PostgreSQL on 127.0.0.1:5432)

Method. Every phase runs the same diagram, `processes/debit_card_opening.bpmn` (J1), for clean synthetic
customers: each journey gets a fresh valid resident ID (4201061985-2000 birth dates, sequence < 900, so
no sandbox scenario and no watch-list hit), its own clean mobile (1390000xxxx, so the 5-SMS-per-hour limit
never bites) and its own blank card, so every journey takes the same Class I path (id_card, pre-checks,
face_check, customer_details, otp_entry, risk_notice, card_scan, signing → OPENED). The sandbox adapters
run with latency "zero" except in phase 4. Throughput figures are the median over R rounds of N journeys
after a warm-up; phases that persist share one PostgreSQL database, `fieldbank_bench`, whose schema is
dropped, recreated and migrated at start (the integration tests' `test` database is never touched).

1. Bare engine: the diagram is parsed once, round-tripped through the spec JSON as a deployment stores it,
   and each journey runs in memory through `WorkflowInstance`: user tasks completed with `J1Driver`'s form
   data (fake attachment ids), parked service tasks completed with the result of the real operation
   handler, inline operations through the script engine's hook. No database, no serialization.
2. Service layer: `InstanceService.start / complete_task / get` on PostgreSQL, with the in-process worker's
   `drain_once()` called synchronously after every command (the background thread is not started), so
   the figure is the service layer's cost, not polling latency. One extra instrumented round then
   attributes the time: SQL round trips, SpiffWorkflow, state (de)serialization, state encryption, form
   validation, and the rest (ORM and service code).
3. HTTP: the real app under uvicorn in a subprocess (embedded worker on), driven by `J1Driver` over
   httpx; every request is timed by the client. Sequential, then 4 concurrent clients.
4. Pre-check concurrency: the service layer with `sandbox_latency="normal"`. The phase runs from the
   moment the `id_card` completion has committed (the three pre-checks parked in one outbox row) until
   `face_check` is open (row drained, results applied, instance read back); the id_card request itself is
   shown alongside. Each of identity.verify, watchlist.screen_person and core.lookup_customer is then
   called alone on the adapters with the request id the engine used (the sandbox latency is deterministic
   by input), and the phase is compared with the slowest. The goal must hold for every journey.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, event, text

REPO_ROOT = Path(__file__).resolve().parent.parent
# `python bench/journey.py` puts bench/ first on sys.path, where bench/crypto.py would shadow the
# `crypto` package: the repository root must come first.
sys.path.insert(0, str(REPO_ROOT))

from api.bootstrap import Services, build_services  # noqa: E402
from api.bootstrap import operation_registry as build_operation_registry  # noqa: E402
from api.journey_driver import Customer, J1Driver, tiny_png  # noqa: E402
from crypto import FieldCipher, init_key_store  # noqa: E402
from devices.demo import seed_demo_devices  # noqa: E402
from engine.adapters.sandbox.factory import SandboxAdapters, SandboxKnobs, build_sandbox_adapters  # noqa: E402
from engine.adapters.sandbox.store import InMemorySandboxStore  # noqa: E402
from engine.operations.registry import (  # noqa: E402
    Adapters,
    BusinessRejection,
    OperationContext,
    OperationRegistry,
)
from engine.otp import OtpService  # noqa: E402
from engine.people.demo import seed_demo  # noqa: E402
from engine.persistence.kv import SqlKeyValueStore  # noqa: E402
from engine.persistence.migrate import upgrade_to_head  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.views import Actor, InstanceView  # noqa: E402
from engine.workflow.instance import ServiceCallView, WorkflowInstance  # noqa: E402
from engine.workflow.spiff import (  # noqa: E402
    SPEC_CACHE,
    FieldBankScriptEngine,
    SpecPair,
    parse_bundle,
    spec_from_json,
    spec_to_json,
)
from forms.catalogue import FormDefinition  # noqa: E402
from forms.formats import id_birth_date, id_check_char  # noqa: E402

PROCESS_ID = "debit_card_opening"
BPMN_FILE = REPO_ROOT / "processes" / "debit_card_opening.bpmn"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
FIXED_OTP = "123456"
OFFICER, PASSWORD = "fo001", "fieldbank-demo"
RATIO_GOAL, PRECHECK_GOAL, PEER_P95_MS = 0.5, 1.15, 50.0
PRECHECK_OPERATIONS = ("identity.verify", "watchlist.screen_person", "core.lookup_customer")
console = Console(width=120)
EXPECTED_STEPS = [
    "id_card",
    "customer_consents",
    "face_check",
    "customer_details",
    "otp_entry",
    "risk_notice",
    "card_scan",
    "signing",
    "signing_witness",
]


# ---------------------------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class Plan:
    """How much work each phase does (journeys are per round; HTTP journeys are per client)."""

    bare_journeys: int
    service_journeys: int
    http_journeys: int
    rounds: int
    http_rounds: int
    concurrent_clients: int
    concurrent_journeys: int
    concurrent_rounds: int
    precheck_journeys: int


QUICK = Plan(40, 3, 2, 3, 2, 4, 1, 1, 2)
DEFAULT = Plan(150, 10, 8, 5, 3, 4, 2, 3, 5)


def make_plan(args: argparse.Namespace) -> Plan:
    base = QUICK if args.quick else DEFAULT
    n = args.journeys
    rounds = args.rounds or base.rounds
    return replace(
        base,
        bare_journeys=n * 10 if n else base.bare_journeys,
        service_journeys=n or base.service_journeys,
        http_journeys=n or base.http_journeys,
        concurrent_journeys=max(1, n // base.concurrent_clients) if n else base.concurrent_journeys,
        rounds=rounds,
        http_rounds=base.http_rounds if args.rounds is None else rounds,
        concurrent_rounds=base.concurrent_rounds if args.rounds is None else rounds,
    )


class CustomerFactory:
    """A clean, never-seen customer per call: fresh ID (so the core offers Class I), mobile and card."""

    def __init__(self) -> None:
        self._next = 1
        self._lock = threading.Lock()

    def next(self) -> Customer:
        with self._lock:
            k, self._next = self._next, self._next + 1
        birth = date(1985, 1, 1) + timedelta(days=k // 900)
        first17 = f"420106{birth:%Y%m%d}{k % 900:03d}"
        return Customer(
            id_number=first17 + id_check_char(first17),
            mobile=f"1390000{k % 9000:04d}",
            card_sequence=1000 + k,
        )


class FormFiller(J1Driver):
    """`J1Driver.form_data` without HTTP: attachment ids from a map, the fixed sandbox OTP."""

    def __init__(self, attachment_ids: Mapping[int, str]) -> None:
        super().__init__(cast(httpx.Client, None))
        self._attachment_ids = dict(attachment_ids)

    def upload(self, username: str, seed: int) -> str:
        return self._attachment_ids[seed]

    def read_otp(self, username: str, mobile: str) -> str:
        return FIXED_OTP


def prepare_database(name: str) -> str:
    """Create the bench database if missing, empty its schema and migrate it; returns its URL."""
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade_to_head(url)
    return url


def bench_settings(database_url: str, workdir: Path, latency: str = "zero") -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=workdir,
        keys_dir=workdir / "keys",
        sandbox_latency=cast(Any, latency),
        sandbox_fixed_otp=FIXED_OTP,
        # the bare engine's sandbox keeps its state in memory; so does this one, so the ratio compares
        # FieldBank's own costs (the OTP state of the bank stays in the database)
        sandbox_store="memory",
        retry_backoff_scale=0.01,
    )


def sign_in(services: Services) -> Actor:
    token = services.auth.login(OFFICER, PASSWORD).access_token
    return services.auth.authenticate(token)


def median_rate(rates: list[float]) -> float:
    return statistics.median(rates) if rates else 0.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed_rounds(rounds: int, journeys: int, one_journey: Callable[[], None]) -> list[float]:
    """Journeys per second of each round."""
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(journeys):
            one_journey()
        rates.append(journeys / (time.perf_counter() - started))
    return rates


def expect_opened(outcome: str | None, steps: list[str], where: str) -> None:
    """Every phase must run the very same Class I path, or the comparison means nothing."""
    if outcome != "OPENED" or steps != EXPECTED_STEPS:
        raise RuntimeError(f"{where}: a clean journey ended {outcome!r} after {steps}")


# ----------------------------------------------------------------------------------- 1. bare engine


def load_spec() -> SpecPair:
    """Parse once, then restore from the spec JSON a deployment stores, as the service layer does."""
    shared = sorted((BPMN_FILE.parent / "shared").glob("*.bpmn"))  # the checks J1 calls
    files = [(p.name, p.read_bytes()) for p in (BPMN_FILE, *shared)]
    [(_pid, spec, subprocess_specs)] = parse_bundle(files, [], [PROCESS_ID])
    pair = spec_from_json(spec_to_json(spec, subprocess_specs))
    SPEC_CACHE.put(f"{PROCESS_ID}@bench:bare", pair)
    return pair


@dataclass
class BareEngine:
    """One J1 journey fully in memory: WorkflowInstance + the real operation handlers, nothing else."""

    spec: SpecPair
    operations: OperationRegistry
    adapters: Adapters
    otp: OtpService
    filler: FormFiller
    inline_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.inline_names = frozenset(self.operations.inline_names())

    def context(self, instance_id: str, task_id: str) -> OperationContext:
        return OperationContext(
            adapters=self.adapters,
            otp=self.otp,
            request_id=f"{instance_id}:{task_id}",
            instance_id=instance_id,
            branch_code="420106001",
            operator_id=OFFICER,
            now=lambda: datetime.now(UTC),
        )

    def run(self, customer: Customer) -> tuple[str | None, list[str]]:
        instance_id = str(uuid.uuid4())

        def inline(operation: str, task_id: str, params: dict[str, Any]) -> dict[str, Any]:
            return self.operations.get(operation).handler(self.context(instance_id, task_id), params)

        engine = FieldBankScriptEngine(self.inline_names, inline)
        initial = {
            "instance_id": instance_id,
            "branch_code": "420106001",
            "operator_id": OFFICER,
            "device_id": None,
        }
        wf = WorkflowInstance.start(self.spec, engine, initial)
        wf.run()
        steps: list[str] = []
        for _ in range(60):
            if wf.completed:
                break
            calls = wf.pending_service_calls()
            if calls:
                for call in calls:
                    self._call(wf, instance_id, call)
            else:
                task = wf.ready_user_tasks()[0]
                wf.complete_user_task(
                    task.task_id, self.filler.form_data(task.spec_name, customer, "", steps)
                )
                steps.append(task.spec_name)
            wf.run()
        return wf.data.get("outcome"), steps

    def _call(self, wf: WorkflowInstance, instance_id: str, call: ServiceCallView) -> None:
        handler = self.operations.get(call.operation).handler
        try:
            wf.complete_service(call.task_id, handler(self.context(instance_id, call.task_id), call.params))
        except BusinessRejection as exc:
            wf.throw_business_error(call.task_id, exc.code, exc.payload)


def build_bare_engine() -> BareEngine:
    store = InMemorySandboxStore()
    sandbox = build_sandbox_adapters(store, SandboxKnobs(latency_profile="zero"))
    adapters = Adapters(
        identity=sandbox.identity,
        face=sandbox.face,
        watchlist=sandbox.watchlist,
        telco=sandbox.telco,
        sms=sandbox.sms,
        core=sandbox.core,
    )
    otp = OtpService(store, sandbox.sms, lambda: datetime.now(UTC), fixed_code=FIXED_OTP)
    fake_ids = {seed: "att_" + uuid.uuid4().hex for seed in range(1, 6)}
    return BareEngine(load_spec(), build_operation_registry(), adapters, otp, FormFiller(fake_ids))


def bench_bare(plan: Plan, customers: CustomerFactory) -> float:
    bare = build_bare_engine()

    def journey() -> None:
        outcome, steps = bare.run(customers.next())
        expect_opened(outcome, steps, "bare engine")

    timed_rounds(1, max(10, plan.bare_journeys // 10), journey)  # warm-up
    return median_rate(timed_rounds(plan.rounds, plan.bare_journeys, journey))


# ---------------------------------------------------------------------------------- 2. service layer


@dataclass
class ServiceDriver:
    """Drives journeys through InstanceService, running parked service calls synchronously."""

    services: Services
    actor: Actor
    filler: FormFiller
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def _timed(self, name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return action()
        finally:
            self.calls[name].append(time.perf_counter() - started)

    def drain(self) -> None:
        """Like the service-call worker thread's loop: until no call is due (a result may park the next
        call). Evidence packages are background work with their own thread and bench (bench/evidence.py)."""
        worker = self.services.worker
        assert worker is not None
        while self._timed("worker.drain_once", lambda: worker.drain_once(lane="calls")):
            pass

    def start(self) -> InstanceView:
        instances = self.services.instances
        view = self._timed("instances.start", lambda: instances.start(self.actor, PROCESS_ID, None, {}))
        self.drain()
        return cast(InstanceView, view)

    def get(self, instance_id: str) -> InstanceView:
        instances = self.services.instances
        return cast(
            InstanceView, self._timed("instances.get", lambda: instances.get(self.actor, instance_id))
        )

    def complete(self, task_id: str, data: dict[str, Any]) -> None:
        instances = self.services.instances
        self._timed("instances.complete_task", lambda: instances.complete_task(self.actor, task_id, data))
        self.drain()

    def run(self, customer: Customer, stop_before: str | None = None) -> tuple[InstanceView, list[str]]:
        view = self.get(self.start().instance_id)
        steps: list[str] = []
        for _ in range(40):
            if view.status in ("completed", "incident") or not view.tasks:
                break
            task = view.tasks[0]
            if task.name == stop_before:
                break
            self.complete(task.task_id, self.filler.form_data(task.name, customer, OFFICER, steps))
            steps.append(task.name)
            view = self.get(view.instance_id)
        return view, steps


def upload_attachments(services: Services, actor: Actor) -> dict[int, str]:
    return {seed: services.attachments.upload(actor, tiny_png(seed)).attachment_id for seed in range(1, 6)}


@dataclass
class ServiceResult:
    rate: float
    mean_ms: dict[str, float]
    calls_per_journey: dict[str, float]
    breakdown: dict[str, float]
    counts_per_journey: dict[str, float]


def bench_service_layer(plan: Plan, services: Services, customers: CustomerFactory) -> ServiceResult:
    actor = sign_in(services)
    driver = ServiceDriver(services, actor, FormFiller(upload_attachments(services, actor)))

    def journey() -> None:
        view, steps = driver.run(customers.next())
        expect_opened(view.outcome, steps, "service layer")

    timed_rounds(1, 1, journey)  # warm-up: spec cache, form validators, connection pool
    driver.calls.clear()
    rates = timed_rounds(plan.rounds, plan.service_journeys, journey)
    measured = plan.rounds * plan.service_journeys
    mean_ms = {name: 1000 * statistics.fmean(v) for name, v in driver.calls.items()}
    per_journey = {name: len(v) / measured for name, v in driver.calls.items()}
    profile_journeys = max(2, plan.service_journeys // 2)
    with Profiler(engine_of(services)) as profiler:
        timed_rounds(1, profile_journeys, journey)
    return ServiceResult(
        rate=median_rate(rates),
        mean_ms=mean_ms,
        calls_per_journey=per_journey,
        breakdown=profiler.per_journey_ms(profile_journeys),
        counts_per_journey={k: v / profile_journeys for k, v in profiler.counts.items()},
    )


def engine_of(services: Services) -> Engine:
    return cast(Engine, services.deps.sessions.kw["bind"])


ENGINE_WORK = "SpiffWorkflow (run, complete, task queries)"
STATE_LOAD = "state deserialize (JSON → workflow)"
STATE_SAVE = "state serialize (workflow → JSON)"
PROFILED_METHODS: tuple[tuple[type, str, str], ...] = (
    *(
        (WorkflowInstance, name, ENGINE_WORK)
        for name in (
            "start",
            "run",
            "complete_user_task",
            "complete_service",
            "ready_user_tasks",
            "pending_service_calls",
            "is_ready_user_task",
            "is_started_service",
        )
    ),
    (WorkflowInstance, "load", STATE_LOAD),
    (WorkflowInstance, "dump", STATE_SAVE),
    (FieldCipher, "encrypt", "state encrypt / decrypt (SM4-GCM)"),
    (FieldCipher, "decrypt_text", "state encrypt / decrypt (SM4-GCM)"),
    (FormDefinition, "clean", "form validation"),
)
KV_STORE = "sandbox + OTP key-value store on SQL (inclusive)"
SQL_STATEMENTS = "SQL statements (cursor.execute round trips)"
SQL_TRANSACTIONS = "SQL commit / rollback / pool ping round trips"


class Profiler:
    """Exclusive time per category, by wrapping product methods and listening to SQL cursor events.

    Categories nest (an inline operation's SQL runs inside the engine's `run`), so each frame's time is
    charged to its own category minus its children's. Only used for one extra round, never for the
    throughput figures: the wrappers cost a little themselves.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._restore: list[Callable[[], None]] = []
        self._started = 0.0
        self.totals: dict[str, float] = defaultdict(float)
        self.inclusive: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.wall = 0.0

    def _stack(self) -> list[list[float]]:
        return cast(list[list[float]], self._local.__dict__.setdefault("stack", []))

    def _push(self) -> None:
        self._stack().append([time.perf_counter(), 0.0])

    def _pop(self, category: str) -> None:
        stack = self._stack()
        started, children = stack.pop()
        elapsed = time.perf_counter() - started
        if stack:
            stack[-1][1] += elapsed
        with self._lock:
            self.totals[category] += elapsed - children
            self.counts[category] += 1

    def _wrapped(self, func: Callable[..., Any], category: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self._push()
            try:
                return func(*args, **kwargs)
            finally:
                self._pop(category)

        return wrapper

    def _patch_class(self, owner: type, name: str, category: str) -> None:
        original = owner.__dict__[name]
        if isinstance(original, classmethod):
            setattr(owner, name, classmethod(self._wrapped(original.__func__, category)))
        else:
            setattr(owner, name, self._wrapped(original, category))
        self._restore.append(lambda: setattr(owner, name, original))

    def _patch_inclusive(self, owner: type, name: str, label: str) -> None:
        """Inclusive time of a layer whose own work is already charged to the categories above."""
        original = owner.__dict__[name]

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self.inclusive[label] += time.perf_counter() - started
                    self.counts[label] += 1

        setattr(owner, name, wrapper)
        self._restore.append(lambda: setattr(owner, name, original))

    def _patch_instance(self, target: object, name: str, category: str) -> None:
        setattr(target, name, self._wrapped(getattr(target, name), category))
        self._restore.append(lambda: delattr(target, name))

    def _listen(self, name: str, handler: Callable[..., None]) -> None:
        event.listen(self._engine, name, handler)
        self._restore.append(lambda: event.remove(self._engine, name, handler))

    def _checkout(self, *_args: Any) -> None:
        with self._lock:
            self.counts["pool checkout"] += 1

    def __enter__(self) -> Profiler:
        for owner, name, category in PROFILED_METHODS:
            self._patch_class(owner, name, category)
        for name in ("do_commit", "do_rollback", "do_ping"):
            self._patch_instance(self._engine.dialect, name, SQL_TRANSACTIONS)
        for name in ("get", "put", "put_if_absent", "items"):
            self._patch_inclusive(SqlKeyValueStore, name, KV_STORE)
        self._listen("before_cursor_execute", lambda *_a: self._push())
        self._listen("after_cursor_execute", lambda *_a: self._pop(SQL_STATEMENTS))
        self._listen("checkout", self._checkout)
        self._started = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self._started
        for undo in reversed(self._restore):
            undo()

    def per_journey_ms(self, journeys: int) -> dict[str, float]:
        ordered = sorted(self.totals.items(), key=lambda kv: -kv[1])
        out = {name: 1000 * seconds / journeys for name, seconds in ordered}
        rest = self.wall - sum(self.totals.values())
        out["rest: ORM, sessions, service code, sandbox handlers"] = 1000 * rest / journeys
        out["total (wall clock, instrumented)"] = 1000 * self.wall / journeys
        for name, seconds in self.inclusive.items():
            out[f"of which {name}"] = 1000 * seconds / journeys
        return out


# ------------------------------------------------------------------------------------------- 3. HTTP


class TimedClient(httpx.Client):
    """An httpx client that records (label, seconds) for every request, body read included."""

    def __init__(self, sink: list[tuple[str, float]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sink = sink

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        response = super().send(request, **kwargs)
        self._sink.append((request_label(request), time.perf_counter() - started))
        return response


def request_label(request: httpx.Request) -> str:
    """`POST tasks/{id}/complete`: path segments holding a digit (ids, mobiles) become {id}."""
    if request.url.params.get("wait"):
        return "GET instances/{id}?wait (long-poll)"
    parts = request.url.path.removeprefix("/api/v1/").split("/")
    shape = "/".join("{id}" if any(ch.isdigit() for ch in p) else p for p in parts)
    return f"{request.method} {shape}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_server(settings: Settings) -> Iterator[str]:
    """uvicorn with the real app in its own process (so client and server do not share a GIL)."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "FIELDBANK_ENVIRONMENT": settings.environment,
            "FIELDBANK_DATABASE_URL": settings.resolved_database_url,
            "FIELDBANK_DATA_DIR": str(settings.data_dir),
            "FIELDBANK_KEYS_DIR": str(settings.resolved_keys_dir),
            "FIELDBANK_SANDBOX_LATENCY": settings.sandbox_latency,
            "FIELDBANK_SANDBOX_FIXED_OTP": FIXED_OTP,
            "FIELDBANK_RETRY_BACKOFF_SCALE": str(settings.retry_backoff_scale),
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(command, env=env, cwd=REPO_ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, proc)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until_up(base_url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(base_url + "/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("uvicorn did not come up within 30 s")


@dataclass
class HttpResult:
    clients: int
    rate: float
    requests_per_journey: float
    p50_ms: float
    p95_ms: float
    p50_short_ms: float
    p95_short_ms: float
    by_label: dict[str, list[float]]


def http_journeys(driver: J1Driver, customers: CustomerFactory, journeys: int) -> None:
    for _ in range(journeys):
        result = driver.run(customers.next())
        expect_opened(result.outcome, result.steps, "HTTP")


def bench_http(
    base_url: str, customers: CustomerFactory, clients: int, journeys: int, rounds: int
) -> HttpResult:
    """`journeys` per client per round; the rate is the median over rounds of all clients' journeys/s.

    Each client signs in once before the rounds (as a tablet keeps its token), so sign-in is not timed.
    """
    sink: list[tuple[str, float]] = []
    rates: list[float] = []
    with ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(clients))
        http_clients = [
            stack.enter_context(TimedClient(sink, base_url=base_url, timeout=60)) for _ in range(clients)
        ]
        drivers = [J1Driver(client, wait_seconds=10) for client in http_clients]
        for driver in drivers:
            driver.login(OFFICER)
        http_journeys(drivers[0], customers, 1)  # warm-up: the server's caches and connection pool
        sink.clear()
        for _ in range(rounds):
            started = time.perf_counter()
            for future in [pool.submit(http_journeys, d, customers, journeys) for d in drivers]:
                future.result()
            rates.append(clients * journeys / (time.perf_counter() - started))
    by_label: dict[str, list[float]] = defaultdict(list)
    for label, seconds in sink:
        by_label[label].append(1000 * seconds)
    every = [ms for values in by_label.values() for ms in values]
    short = [ms for label, values in by_label.items() if "long-poll" not in label for ms in values]
    return HttpResult(
        clients=clients,
        rate=median_rate(rates),
        requests_per_journey=len(every) / (clients * journeys * rounds),
        p50_ms=percentile(every, 50),
        p95_ms=percentile(every, 95),
        p50_short_ms=percentile(short, 50),
        p95_short_ms=percentile(short, 95),
        by_label=dict(by_label),
    )


# ---------------------------------------------------------------------------- 4. pre-check concurrency


@dataclass(frozen=True)
class PrecheckSample:
    """`phase_s`: id_card completion committed → face_check open (the three calls' outbox row drained and
    applied); `with_request_s` adds the id_card request itself (the officer's tap to the next screen)."""

    phase_s: float
    with_request_s: float
    singles_s: dict[str, float]

    @property
    def slowest_s(self) -> float:
        return max(self.singles_s.values())

    @property
    def ratio(self) -> float:
        return self.phase_s / self.slowest_s


def call_alone(sandbox: SandboxAdapters, operation: str, customer: Customer, request_id: str) -> float:
    """One pre-check on the adapter, as the handler calls it, with the engine's request id."""
    birth = id_birth_date(customer.id_number)
    started = time.perf_counter()
    if operation == "identity.verify":
        sandbox.identity.verify(customer.name, customer.id_number, request_id)
    elif operation == "watchlist.screen_person":
        sandbox.watchlist.screen_person(customer.name, customer.id_number, birth, request_id)
    else:
        sandbox.core.lookup_customer(customer.id_number, customer.name, request_id)
    return time.perf_counter() - started


def precheck_sample(driver: ServiceDriver, customer: Customer) -> PrecheckSample:
    view, _ = driver.run(customer, stop_before="id_card")
    task = view.tasks[0]
    data = driver.filler.form_data(task.name, customer, OFFICER, [])
    instances = driver.services.instances
    tapped = time.perf_counter()
    instances.complete_task(driver.actor, task.task_id, data)
    committed = time.perf_counter()
    driver.drain()
    after = instances.get(driver.actor, view.instance_id)
    done = time.perf_counter()
    if [t.name for t in after.tasks] != ["face_check"]:
        raise RuntimeError(f"pre-check bench: face_check not open ({after.status}, {after.tasks})")
    request_ids = {
        e.detail["operation"]: e.detail["request_id"]
        for e in instances.events(driver.actor, view.instance_id)
        if e.kind == "service_result" and e.detail.get("operation") in PRECHECK_OPERATIONS
    }
    sandbox = cast(SandboxAdapters, driver.services.sandbox)
    singles = {op: call_alone(sandbox, op, customer, request_ids[op]) for op in PRECHECK_OPERATIONS}
    return PrecheckSample(done - committed, done - tapped, singles)


def bench_prechecks(services: Services, customers: CustomerFactory, journeys: int) -> list[PrecheckSample]:
    actor = sign_in(services)
    driver = ServiceDriver(services, actor, FormFiller(upload_attachments(services, actor)))
    return [precheck_sample(driver, customers.next()) for _ in range(journeys)]


# ------------------------------------------------------------------------------------------ reporting


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def report_service(result: ServiceResult) -> None:
    calls = Table(title="Service layer: where a journey's time goes (measured rounds)")
    for column in ("call", "calls / journey", "mean ms / call", "ms / journey"):
        calls.add_column(column, justify="right" if column != "call" else "left")
    for name, ms in result.mean_ms.items():
        per = result.calls_per_journey[name]
        calls.add_row(name, fmt(per, 1), fmt(ms, 2), fmt(ms * per, 1))
    console.print(calls)
    parts = Table(title="Service layer: exclusive time by component (one instrumented round)")
    parts.add_column("component")
    parts.add_column("ms / journey", justify="right")
    for name, ms in result.breakdown.items():
        parts.add_row(name, fmt(ms, 1))
    counts = result.counts_per_journey
    parts.add_row("", "")
    parts.add_row("SQL statements / journey", fmt(counts.get(SQL_STATEMENTS, 0), 0))
    parts.add_row("commit + rollback + ping / journey", fmt(counts.get(SQL_TRANSACTIONS, 0), 0))
    parts.add_row("connection checkouts (sessions) / journey", fmt(counts.get("pool checkout", 0), 0))
    parts.add_row("state loads (decrypt + deserialize) / journey", fmt(counts.get(STATE_LOAD, 0), 0))
    parts.add_row("state saves (serialize + encrypt) / journey", fmt(counts.get(STATE_SAVE, 0), 0))
    parts.add_row("sandbox + OTP key-value store calls / journey", fmt(counts.get(KV_STORE, 0), 0))
    console.print(parts)


def report_http(results: list[HttpResult]) -> None:
    table = Table(title="HTTP: per request kind (ms, client side)")
    for column in ("clients", "request", "count", "p50", "p95"):
        table.add_column(column, justify="left" if column == "request" else "right")
    for result in results:
        for label, values in sorted(result.by_label.items()):
            table.add_row(
                str(result.clients),
                label,
                str(len(values)),
                fmt(percentile(values, 50)),
                fmt(percentile(values, 95)),
            )
    console.print(table)


def report_prechecks(samples: list[PrecheckSample]) -> None:
    table = Table(title="Pre-checks with normal sandbox latency (seconds)")
    columns = ("journey", "phase", "incl. id_card request", "identity", "watchlist", "core lookup")
    for column in (*columns, "slowest", "overhead ms", "phase / slowest"):
        table.add_column(column, justify="right")
    for i, s in enumerate(samples, start=1):
        singles = [fmt(s.singles_s[op], 3) for op in PRECHECK_OPERATIONS]
        row = [str(i), fmt(s.phase_s, 3), fmt(s.with_request_s, 3), *singles, fmt(s.slowest_s, 3)]
        table.add_row(*row, fmt(1000 * (s.phase_s - s.slowest_s)), fmt(s.ratio, 3))
    console.print(table)


def verdict(ok: bool) -> str:
    return "[bold green]MET[/]" if ok else "[bold red]NOT MET[/]"


@dataclass(frozen=True)
class DurableFloor:
    """What durability alone costs a journey: its state saves as bare version-checked UPDATEs."""

    saves: int
    state_bytes: int
    ms: float


def durable_floor(database_url: str, saves: int, journeys: int = 30) -> DurableFloor:
    """No ORM, no engine, no projections: one UPDATE of a state-sized value and a durable COMMIT per save
    (what any design that never loses a completed step must pay). Read with the ratio: the best ratio any
    such design reaches is bare / (bare + floor)."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT coalesce(avg(length(state)), 0)::int FROM process_instances").fetchone()
        state_bytes = int(size[0]) if size else 0
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id int PRIMARY KEY, version int, state text)")
        conn.execute("INSERT INTO bench_floor VALUES (1, 0, '') ON CONFLICT DO NOTHING")
        conn.commit()
        # encrypted state is incompressible: a repeated character would let TOAST shrink it to nothing
        state = base64.b64encode(os.urandom(state_bytes * 3 // 4)).decode()
        rounds: list[float] = []
        for _ in range(journeys):
            started = time.perf_counter()
            for _ in range(saves):
                with conn.transaction():
                    conn.execute(
                        "UPDATE bench_floor SET version = version + 1, state = %s WHERE id = 1 AND version >= 0",  # noqa: E501
                        (state,),
                    )
            rounds.append(time.perf_counter() - started)
        conn.execute("DROP TABLE bench_floor")
        conn.commit()
    return DurableFloor(saves, state_bytes, 1000 * statistics.median(rounds))


def summary_rows(
    bare: float,
    service: ServiceResult,
    http: list[HttpResult],
    samples: list[PrecheckSample],
    floor: DurableFloor | None = None,
) -> list[tuple[str, str]]:
    rows = [
        ("bare SpiffWorkflow, in memory", f"{fmt(bare)} journeys/s ({fmt(1000 / bare, 1)} ms each)"),
        (
            "service layer on PostgreSQL",
            f"{fmt(service.rate)} journeys/s ({fmt(1000 / service.rate)} ms each)",
        ),
        ("ratio service layer / bare", fmt(service.rate / bare, 3)),
    ]
    if floor is not None:
        bare_ms = 1000 / bare
        rows += [
            (
                f"durable floor: {floor.saves} saves of {floor.state_bytes:,} B, bare UPDATE + COMMIT",
                f"{fmt(floor.ms, 1)} ms / journey",
            ),
            (
                "best ratio any durable design reaches: bare / (bare + floor)",
                fmt(bare_ms / (bare_ms + floor.ms), 3),
            ),
        ]
    for h in http:
        who = "HTTP, 1 client" if h.clients == 1 else f"HTTP, {h.clients} concurrent clients"
        rows += [
            (who, f"{fmt(h.rate, 2)} journeys/s, {fmt(h.requests_per_journey)} requests/journey"),
            (f"{who}: per request p50 / p95", f"{fmt(h.p50_ms)} / {fmt(h.p95_ms)} ms"),
            (f"{who}: same, long-polls left out", f"{fmt(h.p50_short_ms)} / {fmt(h.p95_short_ms)} ms"),
        ]
    if samples:
        ratios = [s.ratio for s in samples]
        phase = statistics.median(s.phase_s for s in samples)
        slowest = statistics.median(s.slowest_s for s in samples)
        rows += [
            ("pre-check phase, median (normal latency)", f"{fmt(phase, 3)} s"),
            ("slowest single check, median", f"{fmt(slowest, 3)} s"),
            (
                "phase / slowest check, median (worst)",
                f"{fmt(statistics.median(ratios), 3)} ({fmt(max(ratios), 3)})",
            ),
        ]
    return rows


def report_summary(
    bare: float,
    service: ServiceResult,
    http: list[HttpResult],
    samples: list[PrecheckSample],
    floor: DurableFloor | None = None,
) -> None:
    table = Table(title="FieldBank J1 bench: summary (zero-latency sandbox unless stated)")
    table.add_column("measurement")
    table.add_column("value", justify="right")
    for row in summary_rows(bare, service, http, samples, floor):
        table.add_row(*row)
    console.print(table)
    ratio = service.rate / bare
    goal1 = verdict(ratio >= RATIO_GOAL)
    console.print(f"Goal 1: service layer ≥ {RATIO_GOAL} × bare engine: ratio {fmt(ratio, 3)} → {goal1}")
    if samples:
        ratios = [s.ratio for s in samples]
        within = sum(r <= PRECHECK_GOAL for r in ratios)
        overhead_ms = 1000 * statistics.median(s.phase_s - s.slowest_s for s in samples)
        goal2 = verdict(within == len(ratios))
        console.print(
            f"Goal 2: pre-check phase ≤ {PRECHECK_GOAL} × slowest single check, every journey: {within} of "
            f"{len(ratios)} within (median {fmt(statistics.median(ratios), 3)}, worst {fmt(max(ratios), 3)}; "
            f"fixed overhead median {fmt(overhead_ms)} ms) → {goal2}"
        )
    one = http[0]
    console.print(
        f"Context: the peer goal p95 < {PEER_P95_MS:g} ms per request (arena diagram, not J1); J1 sequential "
        f"p95 {fmt(one.p95_ms)} ms, {fmt(one.p95_short_ms)} ms with long-polls left out."
    )


# ----------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--journeys", type=int, help="journeys per round (service layer, HTTP; bare runs 10x)"
    )
    parser.add_argument("--rounds", type=int, help="timed rounds per phase (median reported)")
    parser.add_argument("--quick", action="store_true", help="small rounds (about 30-40 s in all)")
    parser.add_argument("--database", default="fieldbank_bench", help="PostgreSQL database to (re)create")
    parser.add_argument("--skip-concurrent", action="store_true", help="skip the 4-client HTTP run")
    return parser.parse_args(argv)


def log_step(started: float, what: str) -> None:
    console.print(f"[dim]{time.perf_counter() - started:6.1f} s[/]  {what}")


def set_up(database: str, workdir: Path) -> tuple[Settings, Services]:
    """Fresh keys and schema, the demo staff, J1 deployed; the worker thread is never started."""
    init_key_store(workdir / "keys")
    settings = bench_settings(prepare_database(database), workdir)
    services = build_services(settings, in_process_worker=True)
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    services.definitions.deploy_all("bench")
    return settings, services


def run_http(
    settings: Settings, plan: Plan, customers: CustomerFactory, concurrent: bool
) -> list[HttpResult]:
    results = []
    with http_server(settings) as base_url:
        results.append(bench_http(base_url, customers, 1, plan.http_journeys, plan.http_rounds))
        if concurrent:
            clients, per_client = plan.concurrent_clients, plan.concurrent_journeys
            results.append(bench_http(base_url, customers, clients, per_client, plan.concurrent_rounds))
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    plan = make_plan(args)
    customers = CustomerFactory()
    started = time.perf_counter()
    console.print(f"[bold]FieldBank J1 bench[/] {plan}")
    with tempfile.TemporaryDirectory(prefix="fieldbank-bench-") as tmp:
        workdir = Path(tmp)
        log_step(started, f"set-up: database {args.database}, keys, demo staff, deploy")
        settings, services = set_up(args.database, workdir)
        log_step(started, "1/4 bare engine")
        bare = bench_bare(plan, customers)
        log_step(started, "2/4 service layer on PostgreSQL")
        service = bench_service_layer(plan, services, customers)
        engine_of(services).dispose()
        saves = round(service.counts_per_journey.get(STATE_SAVE, 0))
        floor = durable_floor(settings.resolved_database_url, saves) if saves else None
        log_step(started, "3/4 HTTP (uvicorn subprocess)")
        http = run_http(settings, plan, customers, concurrent=not args.skip_concurrent)
        log_step(started, "4/4 pre-checks with normal latency")
        normal_settings = bench_settings(settings.resolved_database_url, workdir, "normal")
        normal = build_services(normal_settings, in_process_worker=True)
        samples = bench_prechecks(normal, customers, plan.precheck_journeys)
        engine_of(normal).dispose()
        log_step(started, "done")

    report_service(service)
    report_http(http)
    report_prechecks(samples)
    report_summary(bare, service, http, samples, floor)


if __name__ == "__main__":
    main()
