"""What a 双录 upload costs the server: reading the MP4's length, the SM3, the SM4 encryption and the
blob write, for recordings of a few sizes up to the 64 MB limit.

Run: .venv/bin/python bench/recording_upload.py [--sizes-mb 8 32 64] [--repeat 3]

Method. One `AttachmentService` on a temporary SQLite file and blob folder (the embedded default's),
built by the same composition root as `fieldbank serve` (api/bootstrap.py), uploads sandbox recordings
(engine/adapters/sandbox/recording.py: the container of a 10-minute recording, filled to the size)
as fo001. Each size is uploaded `--repeat` times with different bytes (content-addressed blobs would
otherwise skip the write). Figures: wall-clock milliseconds per upload (min / median / max) and MB/s;
the parse of the length alone is timed separately. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# bench/crypto.py would shadow the `crypto` package: the repository root must come first.
sys.path.insert(0, str(REPO_ROOT))

from api.bootstrap import build_services  # noqa: E402
from crypto.keystore import init_key_store  # noqa: E402
from engine.adapters.sandbox.recording import sandbox_recording  # noqa: E402
from engine.people.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from engine.persistence.migrate import upgrade_to_head  # noqa: E402
from engine.recordings import recording_duration_ms  # noqa: E402
from engine.settings import Settings  # noqa: E402

TEN_MINUTES_MS = 600_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        init_key_store(Path(folder) / "keys")
        database_url = f"sqlite:///{Path(folder) / 'fieldbank.db'}"
        upgrade_to_head(database_url)
        settings = Settings(
            data_dir=Path(folder),
            keys_dir=Path(folder) / "keys",
            database_url=database_url,
            environment="test",
            recording_max_bytes=70 * 1024 * 1024,
        )
        services = build_services(settings, in_process_worker=False)
        seed_demo(services.deps.sessions, services.deps.now)
        actor = services.auth.login("fo001", DEMO_PASSWORD, "web-0000000000000001").actor
        print(f"{'size':>6} {'parse ms':>9} {'upload ms min/med/max':>24} {'MB/s':>6}")
        for size_mb in args.sizes_mb:
            parses, uploads = [], []
            for i in range(args.repeat):
                content = sandbox_recording(TEN_MINUTES_MS, seed=f"{size_mb}-{i}", filler_bytes=size_mb << 20)
                started = time.perf_counter()
                assert recording_duration_ms(content) == TEN_MINUTES_MS
                parses.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                view = services.attachments.upload(actor, content)
                uploads.append((time.perf_counter() - started) * 1000)
                assert view.duration_ms == TEN_MINUTES_MS
            median = statistics.median(uploads)
            print(
                f"{size_mb:>4}MB {statistics.median(parses):>9.1f} "
                f"{min(uploads):>7.0f} / {median:>6.0f} / {max(uploads):>6.0f} "
                f"{size_mb / (median / 1000):>6.1f}"
            )


if __name__ == "__main__":
    main()
