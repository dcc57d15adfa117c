"""Everything one service instance holds, built in one place from its config."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotloop.providers import runway_models

from .account import Account
from .assets import AssetResolver
from .config import ServiceConfig
from .connections import ConnectionRegistry
from .faults import FaultSet
from .journal import CreateLog, Journal
from .outputs import OutputCache
from .signing import Signer
from .tasks import TaskStore
from .uploads import UploadStore


@dataclass(frozen=True)
class ServiceState:
    config: ServiceConfig
    faults: FaultSet
    journal: Journal
    creates: CreateLog
    signer: Signer
    uploads: UploadStore
    assets: AssetResolver
    account: Account
    tasks: TaskStore
    outputs: OutputCache
    connections: ConnectionRegistry

    @classmethod
    def build(cls, config: ServiceConfig, work_dir: Path) -> "ServiceState":
        signer = Signer()
        uploads = UploadStore(work_dir / "uploads", signer, config.upload_ttl_s)
        account = Account(config.credit_balance, config.daily_limit, config.base_model)
        return cls(
            config=config,
            faults=FaultSet(config.faults),
            journal=Journal(config.journal_limit),
            creates=CreateLog(),
            signer=signer,
            uploads=uploads,
            assets=AssetResolver(uploads, work_dir / "inputs", config.url_roots),
            account=account,
            tasks=TaskStore(account, pending_s=config.pending_s, running_s=config.running_s,
                            concurrency=config.concurrency,
                            cancelled_visible=config.cancelled_visible),
            outputs=OutputCache(work_dir / "outputs"),
            connections=ConnectionRegistry(),
        )

    def all_models(self) -> list[str]:
        catalogue = sorted({spec.model for spec in runway_models.MODELS})
        return catalogue + sorted(set(self.config.custom_models) - set(catalogue))

    def stats(self) -> dict[str, Any]:
        return {
            **self.journal.counters(),
            **self.creates.counters(),
            "faults_fired": self.faults.fired(),
            "tasks": self.tasks.counts(),
            "uploads": self.uploads.count(),
            "credit_balance": self.account.balance,
            **self.outputs.stats(),
        }

    def reset(self) -> None:
        """Back to a fresh service: no tasks, uploads, faults, requests or usage."""
        self.faults.reset()
        self.journal.reset()
        self.creates.reset()
        self.tasks.reset()
        self.uploads.reset()
        self.account.reset()
