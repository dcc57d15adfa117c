"""The one place that reads API keys: from the environment or the OS keychain.

A profile names *where* its key lives, never the key itself (``settings.Profile.key``):

* ``env:NAME``                 the environment variable NAME (``env:RUNWAYML_API_SECRET``)
* ``keyring:SERVICE/USER``     the OS keychain through ``keyring``
* ``dev``                      the reference service's documented, public dev key
* ``none``                     send no key

``keyring`` may have no usable backend (headless Linux, CI): that counts as "not found"
and never crashes. Keys never reach a log line or an error message.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

from .errors import SecretMissing

log = logging.getLogger(__name__)

__all__ = [
    "RUNWAY_ENV",
    "RUNWAY_KEYRING",
    "REFERENCE_DEV_KEY",
    "KeySpec",
    "parse_key_spec",
    "find_key",
    "get_key",
    "runway_key_configured",
    "runway_key_location",
]

RUNWAY_ENV = "RUNWAYML_API_SECRET"
RUNWAY_KEYRING = "keyring:shotloop/runway"
# Published in the reference service's docs; it unlocks nothing outside this machine.
REFERENCE_DEV_KEY = "shotloop-dev-key"


@dataclass(frozen=True)
class KeySpec:
    """Where a key lives. ``kind``: "env", "keyring", "dev" or "none"."""

    kind: str
    name: str = ""  # env variable, or keyring service
    user: str = ""  # keyring user

    def __str__(self) -> str:
        if self.kind == "env":
            return f"env:{self.name}"
        if self.kind == "keyring":
            return f"keyring:{self.name}/{self.user}"
        return self.kind


def parse_key_spec(spec: str) -> KeySpec:
    """Parse a key location; raises ``ValueError`` (without echoing the value) if wrong."""
    text = str(spec).strip()
    if text in ("none", "dev"):
        return KeySpec(text)
    kind, sep, rest = text.partition(":")
    if sep and kind == "env" and rest and rest.replace("_", "").isalnum():
        return KeySpec("env", rest)
    if sep and kind == "keyring":
        service, slash, user = rest.rpartition("/")
        if slash and service and user:
            return KeySpec("keyring", service, user)
    raise ValueError(
        "a key location must be 'env:NAME', 'keyring:SERVICE/USER', 'dev' or 'none'"
    )


def _from_keyring(service: str, user: str) -> str | None:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        log.info("keyring is not installed; skipping the keychain")
        return None
    try:
        value = keyring.get_password(service, user)
    except keyring.errors.KeyringError as exc:
        log.info("keychain unavailable (%s); treating the key as not found", type(exc).__name__)
        return None
    except Exception as exc:  # noqa: BLE001 - third-party backends raise their own types
        log.warning("keychain lookup failed (%s); treating the key as not found",
                    type(exc).__name__)
        return None
    return value or None


def find_key(spec: str | KeySpec, *, env: Mapping[str, str] | None = None) -> str | None:
    """The key at ``spec``, or None when it is not set (``none`` also gives None)."""
    where = spec if isinstance(spec, KeySpec) else parse_key_spec(spec)
    if where.kind == "dev":
        return REFERENCE_DEV_KEY
    if where.kind == "env":
        value = (os.environ if env is None else env).get(where.name, "")
        return value.strip() or None
    if where.kind == "keyring":
        return _from_keyring(where.name, where.user)
    return None


def get_key(spec: str | KeySpec, *, profile: str = "", env: Mapping[str, str] | None = None) -> str:
    """The key at ``spec``; raises ``SecretMissing`` saying how to set it."""
    where = spec if isinstance(spec, KeySpec) else parse_key_spec(spec)
    value = find_key(where, env=env)
    if value:
        return value
    owner = f"profile '{profile}'" if profile else "this profile"
    if where.kind == "env":
        fix = (f"set the environment variable {where.name} before starting ShotLoop "
               f"(e.g. export {where.name}=<your key>), or store the key in the keychain with "
               f"`keyring set shotloop runway` and use key = \"{RUNWAY_KEYRING}\"")
    elif where.kind == "keyring":
        fix = (f"store it with `keyring set {where.name} {where.user}` (needs a keychain "
               f"backend), or use key = \"env:{RUNWAY_ENV}\" and set that variable")
    else:
        fix = "give the profile a key location such as env:RUNWAYML_API_SECRET"
    raise SecretMissing(f"no API key found at {where} for {owner}", field="key", fix=fix)


def runway_key_location(env: Mapping[str, str] | None = None) -> str | None:
    """Where a Runway key is set (``env:RUNWAYML_API_SECRET`` first, then the default
    keychain entry), or None. Says where, never what."""
    for spec in (f"env:{RUNWAY_ENV}", RUNWAY_KEYRING):
        if find_key(spec, env=env):
            return spec
    return None


def runway_key_configured(env: Mapping[str, str] | None = None) -> bool:
    """True when a Runway key is set in the environment or the keychain."""
    return runway_key_location(env) is not None
