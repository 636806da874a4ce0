"""One Settings object, read from DATAFACTORY_* environment variables and `.env`."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DATAFACTORY_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Path("data")
    # None means the embedded redis-server that `datafactory up` starts in data_dir.
    redis_url: str | None = None
    # A Redis command with no reply within this long fails (and is retried or its entries
    # released) instead of waiting on a dead connection for the kernel's TCP timeout, about
    # 15 minutes when a Redis host vanishes without closing its sockets.
    redis_timeout_s: float = Field(default=30.0, gt=0)
    database_url: str | None = None

    llm_model: str = "gpt-4o-mini"
    llm_api_base: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 60.0
    # OpenAI-compatible providers are called with the openai client directly (a fraction of
    # litellm's CPU per call); False sends every call through litellm.
    llm_fast_path: bool = True
    # Batch mode: a replica gathers batch-mode chunks this long into one provider batch, then
    # polls it from `llm_batch_poll_s`, backing off to a minute; a chunk waits at most
    # `llm_batch_wait_s` (the provider's 24 h window and a margin) for its line.
    llm_batch_window_s: float = Field(default=2.0, ge=0)
    llm_batch_poll_s: float = Field(default=5.0, gt=0)
    llm_batch_wait_s: float = Field(default=25 * 3600.0, gt=0)
    # Models a job may ask for (comma-separated); the configured llm_model always is one. The
    # operator's key goes with every call, so a job must not pick where it is sent.
    llm_models: Annotated[list[str], NoDecode] = []
    # Ceiling of the max_tokens sent with every call (each call asks for its template's
    # expected answer size with a margin, never more than this).
    llm_max_tokens: int = Field(default=4096, ge=16)
    # The spending cap of a job that sets no `max_cost_usd`.
    default_max_cost_usd: float = Field(default=5.0, gt=0)
    # Dollars per 1,000 tokens (prompt and answer) of models litellm's price map does not
    # price; without it such models are refused, since their spending could not be capped.
    llm_price_per_1k_tokens: float | None = Field(default=None, ge=0)

    # Log entries every reader has passed move from Redis to files under data_dir/log once
    # they are this old (None keeps the whole log in Redis).
    log_keep_s: float | None = Field(default=24 * 3600, ge=0)
    log_archive_every_s: float = Field(default=60.0, gt=0)

    # Where raw pages, extracted text and exports live: None is the data directory; else
    # file:///path, or s3://bucket/prefix on any S3-compatible store (MinIO, Ceph, AWS) at
    # s3_endpoint_url. Unset S3 credentials come from the AWS_* environment.
    storage: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # Export downloads redirect to a URL signed for this long (S3 only); 0 streams them
    # through the gateway, for stores that browsers cannot reach.
    storage_presign_s: int = Field(default=0, ge=0)

    # The gateway listens on loopback unless told otherwise; bound anywhere else it refuses to
    # start without `api_token`, which the API takes as `Authorization: Bearer` and the
    # dashboard through its login form.
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    api_token: SecretStr | None = None
    # Host headers the gateway answers besides localhost, 127.0.0.1, ::1 and gateway_host
    # (comma-separated); any other gets 400, which stops DNS rebinding.
    allowed_hosts: Annotated[list[str], NoDecode] = []
    # What Prometheus sends as `Authorization: Bearer` for /metrics, so that it need not hold
    # the API token; without it /metrics takes the API token (when one is set).
    metrics_token: SecretStr | None = None
    # Proxies (comma-separated addresses or CIDRs) whose X-Forwarded-Proto the gateway
    # believes: through them over HTTPS, the session cookie is marked Secure.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = []

    max_records: int = Field(default=10, ge=1)
    # Entries pending longer than this are reclaimed from a silent replica; it must stay
    # above max_records x the slowest handler time or healthy work gets stolen.
    claim_idle_ms: int = Field(default=60_000, ge=100)
    max_deliveries: int = Field(default=3, ge=1)
    # A handler still running after this long fails (and is retried, then dead-lettered);
    # deployments give a stopping replica longer than this (`stop_grace_period`).
    handler_time_limit_s: float = Field(default=900.0, gt=0)
    stage_concurrency: int = Field(default=8, ge=1)
    # LLM calls one factory replica has in flight over all jobs (each job keeps its own
    # `max_concurrent_llm` across replicas).
    llm_concurrency: int = Field(default=64, ge=1)
    polling_interval_ms: int = Field(default=200, ge=10)
    # Each replica adds its stage's counters to Redis this often (see shared.ops.metrics); with
    # `heartbeat_dir` it also touches the files that Kubernetes' exec probes check there.
    metrics_flush_s: float = Field(default=1.0, gt=0)
    heartbeat_dir: Path | None = None

    # Private and loopback networks the spider may fetch from (comma-separated CIDRs).
    allowed_networks: Annotated[list[IPv4Network | IPv6Network], NoDecode] = []
    # Chromium for script-rendered pages; None: the system's chromium, else Playwright's own.
    chromium_path: str | None = None
    # Chromium renders hostile pages, so it runs in its sandbox or not at all. As root, or
    # where seccomp or user namespaces are denied, the sandbox cannot start: set this on
    # purpose there (the tests do, as they run as root), knowing what it gives up.
    chromium_no_sandbox: bool = False
    browser_pages: int = Field(default=2, ge=1, le=16)
    user_agent: str = "DataFactoryBot/0.1 (+https://github.com/datafactory/datafactory)"

    # Local model files for the inspector; without them it uses the models its packages ship.
    # A detoxify checkpoint (.ckpt) and, for offline loading, its Hugging Face config folder.
    detoxify_checkpoint: Path | None = None
    detoxify_config_dir: Path | None = None
    # A model2vec model folder (model.safetensors, tokenizer.json, config.json).
    embedding_model: Path | None = None

    @field_validator("allowed_networks", "trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [ip_network(part.strip()) for part in value.split(",") if part.strip()]
        return value

    @field_validator("llm_models", "allowed_hosts", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def allowed_models(self) -> frozenset[str]:
        return frozenset([self.llm_model, *self.llm_models])

    @property
    def redis_dsn(self) -> str:
        if self.redis_url is None:
            raise RuntimeError("no Redis configured: start the stack with `datafactory up`")
        return self.redis_url

    @property
    def sqlite_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'datafactory.db'}"

    def path(self, *parts: str) -> Path:
        target = self.data_dir.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target
