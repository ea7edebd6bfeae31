"""Annotated dependencies that keep route signatures short and authentication visible."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from crypto import KeyStore
from devices.administration import DeviceAdministration
from devices.enrolment import DeviceEnrolment
from devices.gate import DeviceGate
from devices.remote_commands import RemoteCommands
from devices.restriction import DeviceRestriction
from devices.risk import DeviceRisk
from devices.security_events import DeviceSecurityEvents
from documents.evidence.desk import EvidenceDesk
from documents.handover import HandoverDocuments
from engine.attachments import AttachmentService
from engine.definitions import DefinitionService
from engine.device_hold import JourneyHolds
from engine.errors import Unauthenticated
from engine.instances import InstanceService
from engine.journey_reads import JourneyReads
from engine.messages import MessageService
from engine.people.access_log import AccessLog
from engine.people.administration import StaffAdministration
from engine.people.auth import AuthService
from engine.people.system_clients import SystemClients
from engine.settings import Settings
from engine.task_assignment import TaskAssignmentService
from engine.views import Actor

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _use_case(pick: Callable[[Services], T]) -> Any:
    """A route names the use cases it calls, not the whole composition root."""

    def dependency(request: Request) -> T:
        return pick(get_services(request))

    return Depends(dependency)


SettingsDep = Annotated[Settings, _use_case(lambda s: s.settings)]
KeysDep = Annotated[KeyStore, _use_case(lambda s: s.keys)]
AuthDep = Annotated[AuthService, _use_case(lambda s: s.auth)]
AccessLogDep = Annotated[AccessLog, _use_case(lambda s: s.access_log)]
InstancesDep = Annotated[InstanceService, _use_case(lambda s: s.instances)]
AssignmentDep = Annotated[TaskAssignmentService, _use_case(lambda s: s.assignment)]
ReadsDep = Annotated[JourneyReads, _use_case(lambda s: s.reads)]
HandoverDep = Annotated[HandoverDocuments, _use_case(lambda s: s.handover)]
DefinitionsDep = Annotated[DefinitionService, _use_case(lambda s: s.definitions)]
AttachmentsDep = Annotated[AttachmentService, _use_case(lambda s: s.attachments)]
StaffAdminDep = Annotated[StaffAdministration, _use_case(lambda s: s.staff_admin)]
DeviceAdminDep = Annotated[DeviceAdministration, _use_case(lambda s: s.device_admin)]
DeviceRiskDep = Annotated[DeviceRisk, _use_case(lambda s: s.device_risk)]
DeviceCommandsDep = Annotated[RemoteCommands, _use_case(lambda s: s.device_commands)]
DeviceEnrolmentDep = Annotated[DeviceEnrolment, _use_case(lambda s: s.device_enrolment)]
DeviceRestrictionDep = Annotated[DeviceRestriction, _use_case(lambda s: s.device_restriction)]
DeviceEventsDep = Annotated[DeviceSecurityEvents, _use_case(lambda s: s.device_security_events)]
DeviceGateDep = Annotated[DeviceGate, _use_case(lambda s: s.device_gate)]
HoldsDep = Annotated[JourneyHolds, _use_case(lambda s: s.holds)]
DeskDep = Annotated[EvidenceDesk, _use_case(lambda s: s.desk)]
SandboxDep = Annotated[Any | None, _use_case(lambda s: s.sandbox)]
MessagesDep = Annotated[MessageService, _use_case(lambda s: s.messages)]
SystemClientsDep = Annotated[SystemClients, _use_case(lambda s: s.system_clients)]


def get_actor(
    auth: AuthDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    return auth.authenticate(credentials.credentials)


CurrentActorDep = Annotated[Actor, Depends(get_actor)]


def get_reporting_device_actor(
    auth: AuthDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    """A device reporting on itself: the gate lets a locked or lost one through (devices/gate.py)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    return auth.authenticate(credentials.credentials, reporting=True)


ReportingDeviceActorDep = Annotated[Actor, Depends(get_reporting_device_actor)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
