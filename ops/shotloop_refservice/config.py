"""Settings of one reference service instance.

The defaults mimic a tier-1 Runway account with short, wall-clock phases. Tests pass
fast timings (``ServiceConfig(pending_s=0.2, running_s=0.5)``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from shotloop.providers import runway_models

if TYPE_CHECKING:
    from .faults import FaultRule

DEV_KEY = "shotloop-dev-key"
API_VERSIONS = (runway_models.API_VERSION,)


@dataclass(frozen=True)
class ServiceConfig:
    """How the service behaves.

    ``custom_models`` maps a studio-licensed model id to the catalogue model whose limits
    and rendering it borrows. ``cancelled_visible`` makes a DELETE of an active task leave
    a visible ``CANCELLED`` task (a second DELETE removes it) instead of a 404.
    ``url_roots`` maps an ``https://host/prefix/`` URL prefix to a local folder the service
    reads instead of fetching (it never fetches anything off the machine); other https
    URLs are answered with a 400 "could not fetch". ``concurrency`` <= 0 means unlimited.
    """

    api_key: str = DEV_KEY
    pending_s: float = 1.0
    running_s: float = 4.0
    concurrency: int = 2
    daily_limit: int | None = None
    output_ttl_s: float = 300.0
    credit_balance: int = 100000
    fps: int = 24
    strict_version: bool = True
    api_versions: tuple[str, ...] = API_VERSIONS
    custom_models: Mapping[str, str] = field(default_factory=dict)
    cancelled_visible: bool = False
    max_monthly_credit_spend: int = 100000
    upload_ttl_s: float = float(runway_models.UPLOAD_TTL_S)
    url_roots: Mapping[str, str] = field(default_factory=dict)
    faults: tuple["FaultRule", ...] = ()
    work_dir: str | None = None  # render cache and uploads; a temp folder when None
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    x264_preset: str = "veryfast"
    x264_crf: int = 20
    render_threads: int = 1  # fixed, so the same inputs give the same bytes
    journal_limit: int = 5000  # requests kept for GET /_mock/requests
    graceful_shutdown_s: float = 2.0

    def base_model(self, model: str) -> str:
        """The catalogue model a (possibly custom) model id behaves like."""
        return self.custom_models.get(model, model)
