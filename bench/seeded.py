"""The services the device benches time: a fresh key store and schema (a new SQLite file unless a
PostgreSQL URL is given), the demo staff and devices seeded, no background worker."""

from __future__ import annotations

import tempfile
from pathlib import Path

from api.bootstrap import Services, build_services
from crypto import init_key_store
from devices.demo import seed_demo_devices
from engine.people.demo import seed_demo
from engine.persistence.migrate import upgrade_to_head
from engine.settings import Settings


def seeded_services(url: str | None, prefix: str) -> tuple[Services, Settings, str]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url = url or f"sqlite:///{folder / 'fieldbank.db'}"
    init_key_store(folder / "keys")
    upgrade_to_head(url)
    settings = Settings(
        environment="test", database_url=url, data_dir=folder, keys_dir=folder / "keys", render_in_child=False
    )
    services = build_services(settings, in_process_worker=False)
    seed_demo(services.deps.sessions, services.deps.now)
    seed_demo_devices(services.device_admin)
    return services, settings, url
