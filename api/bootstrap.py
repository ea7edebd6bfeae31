"""The composition root: the one place that knows every package and wires them (style.md, example 1)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.journeys import evidence_declarations, registry
from api.logging_setup import set_log_token_key
from api.renderer import warm_evidence_renderer
from crypto import FieldCipher, KeyStore, hmac_sm3, load_key_store
from devices.administration import DeviceAdministration
from devices.command_queue import CommandQueue
from devices.enrolment import DeviceEnrolment
from devices.gate import DeviceGate, device_gate
from devices.heartbeat import HeartbeatSweep
from devices.remote_commands import RemoteCommands
from devices.restriction import DeviceRestriction
from devices.risk import DeviceRisk
from devices.risk_config import risk_config
from devices.security_events import DeviceSecurityEvents
from documents.evidence.desk import EvidenceDesk
from documents.evidence.service import EncryptedBlobStore, EvidenceService
from documents.handover import HandoverDocuments
from documents.render_pool import RenderPool
from documents.rendering import DocumentHtml
from documents.supervision.review_start import ReviewStarter
from documents.supervision.service import MachineReviewer, project_package_status, supervision_operations
from engine.adapters.http import HttpAdapters, build_http_adapters
from engine.adapters.ports import SHANGHAI
from engine.adapters.sandbox.callbacks import CardCentreCallbacks
from engine.adapters.sandbox.factory import SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.attachments import AttachmentService
from engine.definitions import DefinitionService
from engine.deps import EngineDeps
from engine.device_hold import JourneyHolds
from engine.dispatch import InProcessWorker, OutboxExecutor, OutboxRelay
from engine.instances import InstanceService
from engine.journey_reads import JourneyReads
from engine.messages import MessageService
from engine.operations.catalogue import build_operation_registry
from engine.operations.registry import Adapters, OperationRegistry
from engine.otp import OtpService
from engine.outbox_bell import OutboxBell
from engine.people.access_log import AccessLog
from engine.people.administration import StaffAdministration
from engine.people.auth import AuthService
from engine.people.system_clients import SystemClients
from engine.persistence.database import build_engine, build_session_factory
from engine.persistence.device_commands import DeviceCommandRepository
from engine.persistence.device_history import DeviceHistory
from engine.persistence.device_risk import DeviceRiskRepository
from engine.persistence.device_security_events import DeviceSecurityEventRepository
from engine.persistence.device_step_grants import DeviceStepGrantRepository
from engine.persistence.devices import DeviceRepository
from engine.persistence.evidence import EvidenceStore, FinishedJourneys
from engine.persistence.kv import SqlKeyValueStore
from engine.persistence.people import PeopleRepository
from engine.persistence.system_clients import SystemClientRepository
from engine.service_calls import ServiceCallRunner
from engine.settings import Settings
from engine.task_assignment import TaskAssignmentService
from engine.workflow.clock import use_clock
from forms.catalogue import FormCatalogue

log = logging.getLogger("fieldbank")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Every use case the entry points call, built in one pass by `build_services`."""

    settings: Settings
    deps: EngineDeps
    keys: KeyStore
    cipher: FieldCipher
    instances: InstanceService
    assignment: TaskAssignmentService
    staff_admin: StaffAdministration
    device_admin: DeviceAdministration
    device_risk: DeviceRisk
    device_commands: RemoteCommands
    device_restriction: DeviceRestriction
    device_security_events: DeviceSecurityEvents
    device_enrolment: DeviceEnrolment
    heartbeat_sweep: HeartbeatSweep
    device_gate: DeviceGate
    holds: JourneyHolds
    auth: AuthService
    access_log: AccessLog
    system_clients: SystemClients
    messages: MessageService
    attachments: AttachmentService
    definitions: DefinitionService
    reads: JourneyReads
    handover: HandoverDocuments
    evidence: EvidenceService
    desk: EvidenceDesk
    executor: OutboxExecutor
    sandbox: Any | None
    http_adapters: HttpAdapters | None
    worker: InProcessWorker | None
    """The embedded default's outbox threads; `None` when rq workers drain the outbox."""
    relay: OutboxRelay | None
    """With Redis: moves due rows onto rq (started by `fieldbank worker`, rung by API commits)."""
    render_pool: RenderPool | None = None
    """The in-process worker's child process for evidence PDFs, so rendering never slows requests."""

    def start_background(self) -> None:
        if self.worker is not None:
            self.worker.start()
        if self.relay is not None:
            self.relay.start()

    def stop_background(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.relay is not None:
            self.relay.stop()
        if self.http_adapters is not None:
            self.http_adapters.close()
        if self.render_pool is not None:
            self.render_pool.close()


def load_keys(settings: Settings) -> KeyStore:
    return load_key_store(
        settings.resolved_keys_dir if settings.resolved_keys_dir.exists() else None,
        signing_key_pem=settings.signing_key_pem,
        encryption_key_pem=settings.encryption_key_pem,
        kek=bytes.fromhex(settings.kek_hex) if settings.kek_hex else None,
        index_key=bytes.fromhex(settings.index_key_hex) if settings.index_key_hex else None,
    )


def build_services(
    settings: Settings, *, now: Callable[[], datetime] = utc_now, in_process_worker: bool | None = None
) -> Services:
    """Nothing here runs at import time; every entry point calls this with its own settings."""
    engine = build_engine(settings.resolved_database_url)
    sessions = build_session_factory(engine)
    use_clock(now)  # SpiffWorkflow's timers decide due dates by the engine's clock
    keys = load_keys(settings)
    cipher = FieldCipher(keys)
    set_log_token_key(hmac_sm3(keys.index_key, b"fieldbank/log-token/v1"))  # §8.3: IDs as tokens in logs
    kv_secret = hmac_sm3(keys.index_key, b"fieldbank/kv-key/v1")
    kv = SqlKeyValueStore(sessions, cipher, kv_secret)
    http: HttpAdapters | None = None
    sandbox = None
    ports: Any
    if settings.adapters == "http":
        http = build_http_adapters(
            {"default": settings.adapter_base_url, **settings.adapter_base_urls},
            timeouts=settings.adapter_timeouts or None,
        )
        ports = http
    else:
        sandbox = build_sandbox_adapters(
            SqlKeyValueStore(sessions, cipher, kv_secret, prefix="sandbox:")
            if settings.sandbox_store == "database"
            else InMemorySandboxStore(),
            SandboxKnobs(
                latency_profile=settings.sandbox_latency,
                core_mode=settings.sandbox_core_mode,
                fixed_otp=settings.sandbox_fixed_otp,
                card_decision_delay_s=settings.sandbox_card_decision_delay_s,
            ),
            # one clock for the simulated bank and the engine: a cooling-off the engine times is the
            # one the sandbox wm_sales ends, also when a test moves the clock
            clock=lambda: now().astimezone(SHANGHAI),
        )
        ports = sandbox
    adapters = Adapters(
        identity=ports.identity,
        face=ports.face,
        watchlist=ports.watchlist,
        telco=ports.telco,
        sms=ports.sms,
        core=ports.core,
        card_centre=getattr(ports, "card_centre", None),
        wm_sales=getattr(ports, "wm_sales", None),
    )
    otp = OtpService(
        kv,
        adapters.sms,
        now,
        fixed_code=settings.sandbox_fixed_otp,
        pepper=hmac_sm3(keys.index_key, b"fieldbank/otp-pepper/v1"),
    )
    bell = OutboxBell()
    attachments = AttachmentService(
        sessions,
        cipher,
        settings.resolved_blobs_dir,
        hmac_sm3(keys.index_key, b"fieldbank/blob-address/v1"),
        settings.attachment_max_bytes,
        now,
        recording_max_bytes=settings.recording_max_bytes,
    )
    blobs = EncryptedBlobStore(attachments, keys)
    worker_in_process = settings.redis_url is None if in_process_worker is None else in_process_worker
    # the in-process worker shares the API's process (and its GIL): its PDFs render in a child process
    render_pool = (
        RenderPool(warm_evidence_renderer) if worker_in_process and settings.render_in_child else None
    )
    evidence_store = EvidenceStore(sessions, now, bell)
    journeys = registry()
    reviewer = MachineReviewer(
        evidence_store,
        keys,
        cipher,
        blobs,
        adapters.core,
        now,
        evidence_declarations(),
        DeviceHistory(sessions),
    )
    operations = operation_registry(reviewer)
    deps = EngineDeps(
        sessions=sessions,
        operations=operations,
        adapters=adapters,
        otp=_OtpAdapter(otp),
        cipher=cipher,
        now=now,
        bell=bell,
        retry_backoff_scale=settings.retry_backoff_scale,
        outbox_lease_seconds=settings.outbox_lease_seconds,
        worker_threads=settings.worker_threads,
        journeys=journeys,
        start_variables=lambda process_id: journeys.start_variables(process_id, settings),
        instance_projections=(project_package_status,),
    )
    instances = InstanceService(deps)
    evidence = EvidenceService(
        evidence_store,
        FinishedJourneys(deps),
        keys,
        attachments,
        blobs,
        (lambda: render_pool) if render_pool is not None else warm_evidence_renderer,
        evidence_declarations(),
        cipher,
    )
    reviews = ReviewStarter(evidence_store, instances, now)
    reads = JourneyReads(deps, instances)
    executor = OutboxExecutor(
        ServiceCallRunner(deps),
        {"build_evidence": evidence.build_for_outbox, "start_review": reviews.start_review_for_outbox},
    )
    messages = MessageService(deps)
    device_repository = DeviceRepository(sessions)
    command_repository = DeviceCommandRepository(sessions)
    security_events = DeviceSecurityEvents(DeviceSecurityEventRepository(sessions), device_repository, now)
    command_queue = CommandQueue(command_repository, keys, now, security_events)
    gate = device_gate(device_repository)
    holds = JourneyHolds(deps, gate.in_service)
    device_admin = DeviceAdministration(
        device_repository, now, command_queue, holds.hold_on, events=security_events
    )
    risk_repository = DeviceRiskRepository(sessions)
    config = risk_config(settings.device_risk)
    device_risk = DeviceRisk(device_repository, risk_repository, device_admin, config, now, security_events)
    heartbeat_sweep = HeartbeatSweep(risk_repository, device_admin, config, now)
    # the simulated card centre calls back from whichever process sweeps the timers
    periodic: list[Callable[[], object]] = [heartbeat_sweep.run_once]
    if sandbox:
        periodic.append(CardCentreCallbacks(sandbox.card_centre, messages, now).run_once)
    worker: InProcessWorker | None = None
    relay: OutboxRelay | None = None
    if worker_in_process:
        # on a SQLite file this server is the only worker there is: leases left by a crash are its own
        worker = InProcessWorker(executor, sole_worker=engine.dialect.name == "sqlite", periodic=periodic)
    elif settings.redis_url:
        from api.queue import RqOutboxQueue

        relay = OutboxRelay(deps, RqOutboxQueue(settings.redis_url).enqueue, periodic=periodic)
    return Services(
        settings=settings,
        deps=deps,
        keys=keys,
        cipher=cipher,
        instances=instances,
        assignment=TaskAssignmentService(deps, instances),
        staff_admin=StaffAdministration(deps),
        device_admin=device_admin,
        device_risk=device_risk,
        device_commands=RemoteCommands(device_repository, command_repository, command_queue),
        device_security_events=security_events,
        device_restriction=DeviceRestriction(device_repository, DeviceStepGrantRepository(sessions), now),
        device_enrolment=DeviceEnrolment(device_repository, command_repository, command_queue, now),
        heartbeat_sweep=heartbeat_sweep,
        device_gate=gate,
        holds=holds,
        auth=AuthService(sessions, now, settings.token_ttl_seconds, gate, gate.reporting, gate.stepping_up),
        access_log=AccessLog(PeopleRepository(sessions)),
        system_clients=SystemClients(SystemClientRepository(sessions), now),
        messages=messages,
        attachments=attachments,
        definitions=DefinitionService(
            sessions, operations, FormCatalogue(settings.forms_dir), settings.processes_dir, now
        ),
        reads=reads,
        handover=HandoverDocuments(
            reads, instances, DocumentHtml(evidence_declarations()), evidence_declarations()
        ),
        evidence=evidence,
        desk=EvidenceDesk(evidence_store, keys, blobs, now, journeys.personal_fields),
        executor=executor,
        sandbox=sandbox if settings.is_sandbox else None,
        http_adapters=http,
        worker=worker,
        relay=relay,
        render_pool=render_pool,
    )


def operation_registry(reviewer: MachineReviewer | None = None) -> OperationRegistry:
    """Every operator a BPMN file may name: the engine's and those of the outer packages (without a
    reviewer, the catalogue validation reads)."""
    return build_operation_registry(registry()).with_operations(supervision_operations(reviewer))


class _OtpAdapter:
    """Engine rules speak in result codes; the OTP service's retry-too-soon means "already sent"."""

    def __init__(self, otp: OtpService) -> None:
        self._otp = otp

    def issue(self, key: str, mobile: str) -> Any:
        from engine.otp import OtpResendTooSoon

        try:
            return self._otp.issue(key, mobile)
        except OtpResendTooSoon:
            return None

    def verify(self, key: str, code: str) -> str:
        return str(self._otp.verify(key, code))

    def attempts_left(self, key: str) -> int:
        return self._otp.attempts_left(key)

    def resend_ready_at(self, key: str) -> Any:
        return self._otp.resend_ready_at(key)
