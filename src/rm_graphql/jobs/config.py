"""Job-layer settings (RM_* variables), meant to fold into rm_graphql.config.Settings as is."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SLOW_QUEUE = "slow"
FAST_QUEUE = "fast"
PERIODIC_QUEUE = "periodic"
QUEUES = (FAST_QUEUE, SLOW_QUEUE, PERIODIC_QUEUE)


class JobsSettings(BaseSettings):
    """How workers run, retry and recover; every field is read from RM_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="RM_", extra="ignore", frozen=True)

    jobs_enabled: bool = True
    # `serve` also runs a worker (on SQLite it always does: jobs live in its memory).
    worker_in_process: bool = True
    worker_concurrency: int = Field(default=4, ge=1, le=256)
    worker_poll_seconds: float = Field(default=5.0, gt=0)
    worker_shutdown_seconds: float = Field(default=30.0, ge=0)
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    # A job whose worker has sent no heartbeat for this long is retried elsewhere.
    jobs_stalled_seconds: float = Field(default=60.0, gt=0)
    jobs_retention_hours: int = Field(default=72, ge=1)
    # A run row still QUEUED this long after it was written, with no job, is deferred again.
    jobs_orphan_grace_seconds: float = Field(default=60.0, ge=0)
    jobs_sweep_cron: str = "* * * * *"
    jobs_stalled_cron: str = "* * * * *"
    jobs_cleanup_cron: str = "17 * * * *"
    jobs_metrics_seconds: float = Field(default=15.0, gt=0)
    # Retries after the first try; the waits are backoff**1, backoff**2, ... seconds.
    webhook_max_retries: int = Field(default=8, ge=0, le=20)
    webhook_backoff_seconds: int = Field(default=4, ge=0, le=60)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)


def load_jobs_settings(**overrides: object) -> JobsSettings:
    """Read RM_* job settings from the environment, with overrides (tests, benchmarks)."""
    return JobsSettings(**overrides)  # type: ignore[arg-type]
