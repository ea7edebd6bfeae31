"""The one settings object, read from `FIELDBANK_*` environment variables by the entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDBANK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    keys_dir: Path | None = None
    blobs_dir: Path | None = None
    processes_dir: Path = REPO_ROOT / "processes"
    forms_dir: Path = REPO_ROOT / "forms" / "definitions"

    # key material may also come from the environment (e.g. a secrets manager), never from the repo
    signing_key_pem: str | None = None
    encryption_key_pem: str | None = None
    kek_hex: str | None = None
    index_key_hex: str | None = None
    retry_backoff_scale: float = Field(default=1.0, ge=0.0)

    adapters: Literal["sandbox", "http"] = "sandbox"
    adapter_base_url: str = ""
    adapter_base_urls: dict[str, str] = Field(default_factory=dict)
    adapter_timeouts: dict[str, float] = Field(default_factory=dict)
    sandbox_latency: Literal["zero", "fast", "normal", "peak", "degraded"] = "normal"
    sandbox_core_mode: Literal["normal", "commit_then_timeout", "timeout_no_commit", "processing"] = "normal"
    sandbox_fixed_otp: str | None = None
    sandbox_store: Literal["database", "memory"] = "database"
    sandbox_card_decision_delay_s: float = Field(default=20.0, ge=0, le=86_400)
    """[Sim] seconds until the simulated card centre decides an application (a real one takes days)."""
    """Where the simulators keep their state: the database (shared by API and worker processes, kept
    across restarts) or this process's memory (one process only; benches compare engine costs)."""

    token_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    recording_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """A 双录 recording (MP4): ten minutes at the tablet's 720p / 800 kbit/s is about 60 MB."""
    request_body_max_bytes: int = Field(default=256 * 1024, ge=1024)
    """Every request but an attachment upload: a form's data carries attachment ids, never images."""
    device_risk: dict[str, Any] = Field(default_factory=dict)
    """Overrides of the device risk weights and thresholds by name (devices/risk_config.py), as JSON."""
    worker_threads: int = Field(default=8, ge=1, le=64)
    outbox_lease_seconds: int = Field(default=60, ge=5)
    in_process_worker: bool = True
    wealth_purchase_on_tablet: bool = False
    """J3 purchase on the tablet (amount, frozen funds, order, cooling-off). Off by default: outreach
    ends with the signed agreement and the purchase stays at the branch or in mobile banking (domain J3)."""
    render_in_child: bool = True
    """With the in-process worker: evidence PDFs render in one child process, not in the API's (whose
    requests would wait behind WeasyPrint holding the GIL). rq workers render in their own process."""

    @model_validator(mode="after")
    def _refuse_sandbox_shortcuts_in_production(self) -> Settings:
        if self.environment == "production":
            if self.adapters == "sandbox":
                raise ValueError("production must not run on sandbox adapters")
            if self.sandbox_fixed_otp:
                raise ValueError("a fixed OTP is a development switch only")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'fieldbank.db').resolve()}"

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"

    @property
    def resolved_blobs_dir(self) -> Path:
        return self.blobs_dir or self.data_dir / "blobs"

    @property
    def is_sandbox(self) -> bool:
        return self.adapters == "sandbox"
