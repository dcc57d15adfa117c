"""Provider profiles from TOML: the user's file merged with the project's ``shotloop.toml``.

Order, later wins field by field: built-in profiles, then the user file
(``$SHOTLOOP_CONFIG`` or ``~/.config/shotloop/settings.toml``), then the first
``shotloop.toml`` found in the project folder or above it.

```toml
default_profile = "studio"          # optional

[profiles.studio]
kind = "runway"
base_url = "https://api.dev.runwayml.com"
key = "env:RUNWAYML_API_SECRET"     # or "keyring:shotloop/runway"; never the key itself
models = ["gen4_turbo", "gen4.5"]   # enabled models; empty or absent: all
concurrency = 2
budget_credits = 500.0
max_download_mb = 1024
timeout_s = 60

[profiles.studio.custom_models]
studio_gen4_v2 = "gen4_turbo"       # a studio's model id -> the base model whose limits apply
```

Built in: ``reference`` (the local reference service the agent starts itself:
``base_url = "embedded"``, the public dev key) and ``runway`` (Runway's production API,
key from the environment or the keychain). Without ``default_profile`` the default is
``runway`` when a Runway key is set and ``reference`` otherwise.

``poll_interval_s`` and a ``retry_base_s`` below 1 s are only allowed for loopback
services: a real service is polled at 5 s or slower.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import SettingsInvalid
from .providers.http import is_loopback_url
from .secrets import RUNWAY_ENV, parse_key_spec, runway_key_location

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = [
    "EMBEDDED",
    "RUNWAY_BASE_URL",
    "PROJECT_FILE",
    "Profile",
    "Settings",
    "builtin_profiles",
    "user_settings_path",
    "find_project_file",
    "load_settings",
]

EMBEDDED = "embedded"
RUNWAY_BASE_URL = "https://api.dev.runwayml.com"
PROJECT_FILE = "shotloop.toml"
_KEY_LIKE = re.compile(r"key_[0-9a-fA-F]{16,}")


@dataclass(frozen=True)
class Profile:
    """One provider account/service. ``key`` says where the key lives, never what it is.

    ``retry_attempts``/``retry_base_s`` shape the backoff of safe calls;
    ``inline_max_mb`` is the largest input sent inline as a data URI (bigger files are
    uploaded; 0 uploads everything that may be uploaded).
    """

    name: str
    kind: str = "runway"
    base_url: str = EMBEDDED
    key: str = "none"
    models: tuple[str, ...] = ()
    custom_models: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 2
    budget_credits: float | None = None
    poll_interval_s: float | None = None
    max_download_mb: float = 1024.0
    timeout_s: float = 60.0
    retry_attempts: int = 5
    retry_base_s: float = 1.0
    inline_max_mb: float = 3.0
    # The service accepts ShotLoop's edit context (the shot's OTIO snippet with its
    # neighbours) as an extension field; Runway's own API does not, so it is off there.
    edit_context: bool = False

    @property
    def embedded(self) -> bool:
        """The agent starts the reference service itself and fills in its URL."""
        return self.base_url == EMBEDDED

    @property
    def loopback(self) -> bool:
        return self.embedded or is_loopback_url(self.base_url)

    @property
    def max_download_bytes(self) -> int:
        return int(self.max_download_mb * 1024 * 1024)


@dataclass(frozen=True)
class Settings:
    profiles: Mapping[str, Profile]
    default: str
    sources: tuple[Path, ...] = ()

    def profile(self, name: str = "") -> Profile:
        """The named profile, or the default one for an empty name."""
        wanted = name or self.default
        try:
            return self.profiles[wanted]
        except KeyError:
            raise SettingsInvalid(
                f"there is no profile named {wanted!r}", field="profile",
                fix=f"use one of {sorted(self.profiles)} or add [profiles.{wanted}] to "
                    f"{PROJECT_FILE} or the user settings file") from None


def builtin_profiles(runway_key: str | None = None) -> dict[str, dict[str, Any]]:
    """Raw built-in profiles (before any file is merged). ``runway_key`` is where a Runway
    key was found (``secrets.runway_key_location``); the environment variable otherwise."""
    return {
        # Loopback only, so it may poll faster than the 5 s floor real services get.
        "reference": {"kind": "runway", "base_url": EMBEDDED, "key": "dev", "poll_interval_s": 1.0,
                      "edit_context": True},
        "runway": {"kind": "runway", "base_url": RUNWAY_BASE_URL,
                   "key": runway_key or f"env:{RUNWAY_ENV}"},
    }


def user_settings_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("SHOTLOOP_CONFIG", "")
    if explicit:
        return Path(explicit).expanduser()
    return Path("~/.config/shotloop/settings.toml").expanduser()


def find_project_file(project: Path | None) -> Path | None:
    """``project`` itself if it is a file, else the first shotloop.toml at or above it."""
    if project is None:
        return None
    project = Path(project)
    if project.is_file():
        return project
    for folder in (project, *project.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


# --------------------------------------------------------------------------- checks


def _fail(path: Path | str, where: str, problem: str, fix: str) -> SettingsInvalid:
    return SettingsInvalid(f"{path}: {problem}", field=where, fix=fix)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(minimum: float, *, strict: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not _is_number(value) or (value <= minimum if strict else value < minimum):
            sign = ">" if strict else ">="
            raise ValueError(f"must be a number {sign} {minimum:g}")
        return float(value)
    return check


def _integer(minimum: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number >= {minimum}")
        return value
    return check


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def _key(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a string such as \"env:RUNWAYML_API_SECRET\"")
    if _KEY_LIKE.search(value):
        raise ValueError("looks like an API key; settings must never hold the key itself")
    parse_key_spec(value)
    return value.strip()


def _base_url(value: Any) -> Any:
    value = _text(value)
    if value == EMBEDDED:
        return value
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"must be an http(s) URL or {EMBEDDED!r}")
    if value.startswith("http://") and not is_loopback_url(value):
        raise ValueError("plain http is only allowed for loopback services; use https")
    return value.rstrip("/")


def _models(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("must be a list of model ids")
    return tuple(value)


def _custom_models(value: Any) -> Any:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        raise ValueError("must be a table of studio model id = \"base model id\"")
    return dict(value)


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


_CHECKS: Mapping[str, Callable[[Any], Any]] = {
    "kind": _text,
    "base_url": _base_url,
    "key": _key,
    "models": _models,
    "custom_models": _custom_models,
    "concurrency": _integer(1),
    "budget_credits": _number(0, strict=False),
    "poll_interval_s": _number(0, strict=True),
    "max_download_mb": _number(0, strict=True),
    "timeout_s": _number(0, strict=True),
    "retry_attempts": _integer(1),
    "retry_base_s": _number(0, strict=False),
    "inline_max_mb": _number(0, strict=False),
    "edit_context": _flag,
}
_FIXES: Mapping[str, str] = {
    "key": "write where the key lives: \"env:RUNWAYML_API_SECRET\", "
           "\"keyring:shotloop/runway\", \"dev\" or \"none\"",
    "base_url": "use https://host for a remote service, http://127.0.0.1:PORT for a local "
                "one, or \"embedded\"",
}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "", f"is not valid TOML ({exc})", "fix the syntax at that line") from None
    except OSError as exc:
        raise _fail(path, "", f"cannot be read ({exc.strerror})",
                    "check that the file exists and is readable") from None


def _merge_file(path: Path, data: Mapping[str, Any], raw: dict[str, dict[str, Any]],
                origin: dict[tuple[str, str], Path], top: dict[str, Any]) -> None:
    if "default_profile" in data:
        if not isinstance(data["default_profile"], str) or not data["default_profile"]:
            raise _fail(path, "default_profile", "must be a profile name", "name a profile")
        top["default_profile"] = (data["default_profile"], path)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise _fail(path, "profiles", "must be a table of profiles",
                    "write each profile as [profiles.NAME]")
    for name, table in profiles.items():
        where = f"profiles.{name}"
        if not isinstance(table, dict):
            raise _fail(path, where, "must be a table", f"write it as [profiles.{name}]")
        for key, value in table.items():
            if key not in _CHECKS:
                raise _fail(path, f"{where}.{key}", "is not a profile setting",
                            f"remove it or use one of {sorted(_CHECKS)}")
            try:
                checked = _CHECKS[key](value)
            except ValueError as exc:
                raise _fail(path, f"{where}.{key}", str(exc),
                            _FIXES.get(key, "correct the value")) from None
            raw.setdefault(name, {})[key] = checked
            origin[(name, key)] = path


def _build(name: str, values: Mapping[str, Any], origin: Mapping[tuple[str, str], Path]) -> Profile:
    profile = Profile(name=name, **values)
    if not profile.loopback:
        for key, allowed in (("poll_interval_s", profile.poll_interval_s is None),
                             ("retry_base_s", profile.retry_base_s >= 1.0)):
            if not allowed:
                source = origin.get((name, key), "built-in")
                raise _fail(source, f"profiles.{name}.{key}",
                            f"is only adjustable for loopback services, not {profile.base_url}",
                            "remove it: remote services are polled at 5 s or slower and "
                            "retried from 1 s")
    return profile


def load_settings(project: Path | None = None, *, env: Mapping[str, str] | None = None,
                  user_file: Path | None = None) -> Settings:
    """Read and merge the settings that apply to ``project`` (a folder or a file)."""
    env = os.environ if env is None else env
    key_location = runway_key_location(env)
    raw: dict[str, dict[str, Any]] = builtin_profiles(key_location)
    origin: dict[tuple[str, str], Path] = {}
    top: dict[str, Any] = {}
    sources: list[Path] = []
    user = user_file if user_file is not None else user_settings_path(env)
    if user.is_file():
        sources.append(user)
    elif user_file is not None or env.get("SHOTLOOP_CONFIG"):
        raise _fail(user, "", "does not exist", "create it or unset SHOTLOOP_CONFIG")
    project_file = find_project_file(project)
    if project_file is not None:
        sources.append(project_file)
    for path in sources:
        _merge_file(path, _read(path), raw, origin, top)
    profiles = {name: _build(name, values, origin) for name, values in raw.items()}
    if "default_profile" in top:
        default, path = top["default_profile"]
        if default not in profiles:
            raise _fail(path, "default_profile", f"names no known profile ({default!r})",
                        f"use one of {sorted(profiles)}")
    else:
        default = "runway" if key_location else "reference"
    return Settings(profiles=profiles, default=default, sources=tuple(sources))
