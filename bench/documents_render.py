"""Warm render time of the evidence documents, per document and per package (Noto Sans CJK SC).

Run: .venv/bin/python bench/documents_render.py [ROUNDS]   (about 30 s with the default 10 rounds)

Prints the first (cold) render of a fresh renderer, then medians and p90 over ROUNDS warm renders, for
PDF/A-3b (what the package uses) and plain PDF, plus each PDF's size. Single process, single thread.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

# bench/crypto.py would shadow the `crypto` package: keep bench/ off the path, the repo root on it.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from documents.journeys.debit_card import EVIDENCE  # noqa: E402
from documents.journeys.debit_card.documents import BUILDERS, documents_for  # noqa: E402
from documents.journeys.debit_card.samples import opened_facts  # noqa: E402
from documents.rendering import DocumentRenderer  # noqa: E402

J1_EVIDENCE = {EVIDENCE.process_id: EVIDENCE}
PROCESS_ID = EVIDENCE.process_id


def timed(action: Callable[[], object], rounds: int) -> str:
    """Wall-clock median and p90, and the median CPU time of this process (steadier when other work
    shares the cores), in milliseconds."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    p90 = wall[min(len(wall) - 1, int(len(wall) * 0.9))]
    return (
        f"median {statistics.median(wall):5.0f} ms  p90 {p90:5.0f} ms  cpu {statistics.median(cpu):5.0f} ms"
    )


def main(rounds: int) -> None:
    facts = opened_facts()
    for variant in ("pdf/a-3b", None):
        renderer = DocumentRenderer(J1_EVIDENCE, pdf_variant=variant)
        start = time.perf_counter()
        renderer.warm_up()
        cold = time.perf_counter() - start
        print(f"\n== {variant or 'plain PDF'}: first (cold) package of 4 documents {cold:.2f} s")
        for name in documents_for(facts):
            context = BUILDERS[name](facts)
            pdf = renderer.render(f"{name}.html.j2", context, PROCESS_ID)
            figures = timed(partial(renderer.render, f"{name}.html.j2", context, PROCESS_ID), rounds)
            print(f"{name:22} {figures}  {len(pdf) / 1024:4.0f} KiB, {pages(pdf)} page(s)")
        package = timed(partial(renderer.render_evidence_documents, facts), rounds)
        print(f"{'package (4 documents)':22} {package}")


def pages(pdf: bytes) -> str:
    """Page count from poppler's pdfinfo (the page objects sit in compressed object streams)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
