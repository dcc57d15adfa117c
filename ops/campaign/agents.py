"""Settings for fast agents against a loopback reference service, and real agent processes.

``fast_settings(url)`` gives the in-process agent its profiles; ``settings_toml(url)``
writes the same profiles for a child agent (``SHOTLOOP_CONFIG``). ``AgentProcess`` runs
``shotloop agent`` as a child process that can be SIGKILLed and started again on the
same home.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from shotloop.agent.home import AgentHome
from shotloop.agent.resources import override_profile
from shotloop.client import AgentAPI
from shotloop.errors import ShotLoopError
from shotloop.settings import Settings, load_settings

from .faultplan import FAST_PROFILE, PROFILE_CHANGES

__all__ = ["fast_settings", "settings_toml", "AgentProcess"]


def fast_settings(url: str, *, key: str = "dev", **changes: Any) -> Settings:
    """Built-in settings whose profiles (reference, uploads, short) all point at ``url``
    with fast polling; ``changes`` apply to every one of them."""
    base = override_profile(load_settings(env={}), "reference", base_url=url, key=key,
                            **{**FAST_PROFILE, **changes})
    reference = base.profile("reference")
    profiles = dict(base.profiles)
    for name, extra in PROFILE_CHANGES.items():
        profiles[name] = replace(reference, name=name, **extra)
    return replace(base, profiles=profiles)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def settings_toml(url: str, *, key: str = "dev", default: str = "reference",
                  **changes: Any) -> str:
    """The profiles of ``fast_settings`` as a settings.toml for a child agent."""
    lines = [f"default_profile = {_toml_value(default)}", ""]
    for name, extra in PROFILE_CHANGES.items():
        values = {"kind": "runway", "base_url": url, "key": key, **FAST_PROFILE, **changes, **extra}
        lines.append(f"[profiles.{name}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items())
        lines.append("")
    return "\n".join(lines)


class AgentProcess:
    """``shotloop agent --home HOME`` as a child process, using ``config`` (settings.toml)."""

    def __init__(self, home: Path, config: Path, *, env: Mapping[str, str] | None = None) -> None:
        self.home = AgentHome(Path(home))
        self.config = Path(config)
        self.env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self.api: AgentAPI | None = None
        self.starts = 0

    def start(self, deadline_s: float = 60.0) -> AgentAPI:
        self.home.ensure()
        self.home.info_file.unlink(missing_ok=True)  # a killed agent leaves it behind
        env = dict(os.environ, SHOTLOOP_HOME=str(self.home.root), SHOTLOOP_CONFIG=str(self.config),
                   NO_PROXY="127.0.0.1,localhost", **self.env)
        env.pop("RUNWAYML_API_SECRET", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shotloop.cli", "agent", "--home", str(self.home.root)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.starts += 1
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent exited with {self.proc.returncode}; "
                                   f"see {self.home.log_file}")
            info = self.home.read_info()
            if info and info.get("pid") == self.proc.pid:
                api = AgentAPI(info["url"], self.home.token())
                try:
                    api.health()
                    self.api = api
                    return api
                except ShotLoopError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"agent did not start within {deadline_s} s")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or cleaned."""
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait for a clean exit (SIGKILL after 30 s)."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
