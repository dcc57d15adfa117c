"""Where the local agent keeps its state, and how clients find it.

``SHOTLOOP_HOME`` (default ``~/.local/share/shotloop``, ``%LOCALAPPDATA%\\shotloop`` on
Windows) holds the ledger, the agent's log, ``agent.json`` (url and pid of the running agent)
and ``token`` (user-only, 0600). Light on purpose: hosts import this through the client.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import AgentUnavailable


def default_home() -> Path:
    env = os.environ.get("SHOTLOOP_HOME")
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "shotloop"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "shotloop"


@dataclass(frozen=True)
class AgentHome:
    root: Path

    @classmethod
    def resolve(cls, root: Path | str | None = None) -> "AgentHome":
        return cls(Path(root).expanduser() if root else default_home())

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def info_file(self) -> Path:
        return self.root / "agent.json"

    @property
    def token_file(self) -> Path:
        return self.root / "token"

    @property
    def log_file(self) -> Path:
        return self.root / "agent.log"

    @property
    def work(self) -> Path:
        """Scratch space for keyframes, proxies and downloads (per job subfolders)."""
        return self.root / "work"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def token(self, *, create: bool = False) -> str:
        """The agent's access token; created user-only on first use by the agent."""
        try:
            return self.token_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            if not create:
                raise AgentUnavailable(
                    f"no agent token at {self.token_file}",
                    fix="start the agent with `shotloop agent` (hosts start it on demand)",
                ) from None
        self.ensure()
        value = secrets.token_urlsafe(32)
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value)
        return value

    def write_info(self, url: str, pid: int) -> None:
        self.ensure()
        tmp = self.info_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"url": url, "pid": pid}), encoding="utf-8")
        os.replace(tmp, self.info_file)

    def read_info(self) -> dict | None:
        try:
            return json.loads(self.info_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def clear_info(self, pid: int) -> None:
        info = self.read_info()
        if info and info.get("pid") == pid:
            self.info_file.unlink(missing_ok=True)
