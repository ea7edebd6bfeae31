"""The values a finished journey shares with others of its kind (its declaration's `linking_fields`),
as blind indexes: never the number itself, so the table that keeps them holds no personal data in clear
and equal numbers still meet (a fraud-ring signal for post-supervision, domain J2). Its `fingerprints`
(a summary the journey computes of its own data, e.g. an answer pattern) are kept the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

# phone numbers of every kind: spaces, dashes and a +86 before a mobile are dropped before indexing
PHONE_INDEX_KIND = "mobile"
FINGERPRINT_INDEX_KIND = "fingerprint"


class BlindIndexer(Protocol):
    def blind_index(self, value: str, *, kind: str = ...) -> str: ...


def linking_indexes(
    data: Mapping[str, Any], linking_fields: Mapping[str, str], indexer: BlindIndexer
) -> list[tuple[str, str]]:
    """(link name, blind index) of each linking field the data fills, once each, in field order."""
    found: list[tuple[str, str]] = []
    for path, link in linking_fields.items():
        value = _at(data, path)
        if isinstance(value, str) and value.strip():
            pair = (link, indexer.blind_index(value, kind=PHONE_INDEX_KIND))
            if pair not in found:
                found.append(pair)
    return found


def _at(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def fingerprint_indexes(
    data: Mapping[str, Any],
    fingerprints: Mapping[str, Callable[[Mapping[str, Any]], str | None]],
    indexer: BlindIndexer,
) -> list[tuple[str, str]]:
    """(fingerprint name, blind index) of each fingerprint the journey's data gives, in declared order.
    The name goes into the indexed value too, so two kinds of fingerprint never share an index."""
    found: list[tuple[str, str]] = []
    for name, compute in fingerprints.items():
        value = compute(data)
        if isinstance(value, str) and value:
            found.append((name, indexer.blind_index(f"{name}|{value}", kind=FINGERPRINT_INDEX_KIND)))
    return found
