"""Renders evidence documents in a child process, for a server whose worker shares the API's process.

WeasyPrint is pure CPU for ~0.4 s a document and holds the GIL while it lays out: in the embedded
default (`fieldbank serve`, in-process worker) a package building beside the API made a validation
error answer in 1.5-2.2 s instead of 0.04 s (issue 28 item 10). One warm child process (spawned, so it
inherits no threads or locks of the server; at a lower CPU priority, so requests come first on a busy
box) does the rendering; the outbox thread waits for it without holding the GIL.

Nothing is lost if the child dies: the render raises, the outbox row stays unfinished and runs again
after its lease, and the next render starts a fresh child. Only facts go in and PDF bytes come out:
signing, chaining and storing stay in the worker (`documents/evidence/service.py`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from documents.evidence.facts import EvidenceFacts
from documents.rendering import DocumentRenderer

log = logging.getLogger("fieldbank.evidence")
CHILD_NICENESS = 10  # requests of the server process come first when both want a core

_child_renderer: DocumentRenderer | None = None


def _start_child(make_renderer: Callable[[], DocumentRenderer]) -> None:
    """In the child: ignore the terminal's Ctrl-C (the server shuts the pool down), step back in CPU
    priority, and warm the renderer once."""
    global _child_renderer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):  # not permitted here: render at the same priority
        os.nice(CHILD_NICENESS)
    _child_renderer = make_renderer()


def _render_in_child(facts: EvidenceFacts) -> dict[str, bytes]:
    assert _child_renderer is not None, "the pool's initializer builds the renderer"
    return _child_renderer.render_evidence_documents(facts)


class RenderPool:
    """A `Renderer` (documents/evidence/service.py) whose work runs in one spawned child process.

    `make_renderer` must be a module-level function (it is pickled to the child); it builds and warms
    a `DocumentRenderer` there. Safe to call from several threads: renders queue for the one child."""

    def __init__(self, make_renderer: Callable[[], DocumentRenderer]) -> None:
        self._make_renderer = make_renderer
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def render_evidence_documents(self, facts: EvidenceFacts) -> dict[str, bytes]:
        executor = self._running()
        try:
            return executor.submit(_render_in_child, facts).result()
        except BrokenProcessPool:
            log.error("the render process died; the package is built again on the outbox row's retry")
            self._discard(executor)
            raise

    def warm_up(self) -> None:
        """Start the child and let it load fonts and templates before the first package needs them."""
        self._running().submit(int).result()

    def child_pid(self) -> int | None:
        """The running child's process id (a test kills it to show a crash loses nothing)."""
        with self._lock:
            processes = getattr(self._executor, "_processes", None) or {}
        return next(iter(processes), None)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_child,
                    initargs=(self._make_renderer,),
                )
            return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
