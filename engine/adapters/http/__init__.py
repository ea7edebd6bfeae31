"""HTTP clients of the external-system ports, for a bank's real endpoints or a gateway in front of them.

README.md in this folder is the wire spec; `engine/adapters/sandbox/http_server.py` serves the sandbox
with the same format.
"""

from engine.adapters.http.clients import (
    HttpCoreBanking,
    HttpFaceCompare,
    HttpIdentityCheck,
    HttpSmsGateway,
    HttpTelcoRealName,
    HttpWatchList,
)
from engine.adapters.http.factory import HttpAdapters, build_http_adapters
from engine.adapters.http.wire import DEFAULT_TIMEOUTS_S, SYSTEMS

__all__ = [
    "DEFAULT_TIMEOUTS_S",
    "SYSTEMS",
    "HttpAdapters",
    "HttpCoreBanking",
    "HttpFaceCompare",
    "HttpIdentityCheck",
    "HttpSmsGateway",
    "HttpTelcoRealName",
    "HttpWatchList",
    "build_http_adapters",
]
