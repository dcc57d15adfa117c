"""What the agent's stages share: ledger, provider per profile, version store per root.

Providers and stores are made on first use and kept for the agent's life; the embedded
reference service is started only when a profile asks for it (``base_url = "embedded"``).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import SettingsInvalid
from ..settings import Profile, Settings
from ..store.ledger import Ledger
from ..store.versions import VersionStore
from .home import AgentHome

log = logging.getLogger(__name__)

def override_profile(settings: Settings, name: str, **changes: Any) -> Settings:
    """``settings`` with one profile changed (e.g. the reference profile pointed at a
    reference service started elsewhere: ``base_url=...``)."""
    profiles = dict(settings.profiles)
    profiles[name] = replace(settings.profile(name), **changes)
    return replace(settings, profiles=profiles)


class Resources:
    def __init__(self, home: AgentHome, settings: Settings, ledger: Ledger, *,
                 ocio_config: str | None = None, refservice_config: Any = None) -> None:
        self.home = home
        self.settings = settings
        self.ledger = ledger
        self.ocio_config = ocio_config
        self._refservice_config = refservice_config
        self._lock = threading.Lock()
        self._providers: dict[str, Any] = {}
        self._stores: dict[Path, VersionStore] = {}
        self._refservice: Any = None

    # ------------------------------------------------------------------ profiles
    def profile(self, name: str) -> Profile:
        return self.settings.profile(name)

    def profile_name(self, name: str) -> str:
        return self.profile(name).name

    def provider(self, name: str) -> Any:
        from ..providers import load_provider

        profile = self.profile(name)
        with self._lock:
            provider = self._providers.get(profile.name)
            if provider is None:
                if profile.embedded:
                    profile = replace(profile, base_url=self._embedded_url())
                provider = load_provider(profile)
                self._providers[profile.name] = provider
            return provider

    def _embedded_url(self) -> str:
        if self._refservice is None:
            from shotloop_refservice.config import ServiceConfig
            from shotloop_refservice.server import RefService

            self._refservice = RefService(self._refservice_config or ServiceConfig())
            self._refservice.start()
            log.info("embedded reference service at %s", self._refservice.url)
        return self._refservice.url

    def concurrency(self, name: str) -> int:
        return max(1, int(self.profile(name).concurrency))

    def max_download_bytes(self, name: str) -> int:
        return self.profile(name).max_download_bytes

    # ------------------------------------------------------------------ stores
    def store(self, root: str | Path) -> VersionStore:
        if not root:
            raise SettingsInvalid("the job has no version store root", field="job.store_root",
                                  fix="send from a saved script/.blend or pass --root")
        path = Path(root).expanduser().resolve()
        with self._lock:
            store = self._stores.get(path)
            if store is None:
                store = VersionStore(path)
                self._stores[path] = store
            return store

    def default_root(self) -> Path:
        return self.home.root / "versions"

    def clean_staging(self) -> None:
        """Remove staging leftovers of the stores this agent has jobs in (crash recovery)."""
        roots = {job.store_root for job in self.ledger.unfinished() if job.store_root}
        for root in roots:
            for path in self.store(root).clean_stale_staging():
                log.info("removed staging leftover %s", path)

    def work_dir(self, job_id: str) -> Path:
        path = self.home.work / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        with self._lock:
            if self._refservice is not None:
                self._refservice.stop()
                self._refservice = None
