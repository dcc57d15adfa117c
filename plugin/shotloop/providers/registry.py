"""Finding a provider for a profile through the ``shotloop.providers`` entry point.

Providers are imported only when a profile asks for them (``load_provider``), so a broken
or heavy optional provider cannot break ShotLoop's start-up. Built-in providers are also
known by name, so a source checkout works before its entry points are installed.
"""
from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from ..errors import SettingsInvalid
from .base import Provider

if TYPE_CHECKING:
    from ..settings import Profile

log = logging.getLogger(__name__)

__all__ = ["GROUP", "BUILTIN", "provider_kinds", "load_provider"]

GROUP = "shotloop.providers"
BUILTIN = {"runway": "shotloop.providers.runway:RunwayProvider"}


def _targets() -> dict[str, str]:
    found = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return found


def provider_kinds() -> tuple[str, ...]:
    """Every provider kind a profile may name."""
    return tuple(sorted(_targets()))


def _import(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


def load_provider(profile: "Profile", **options: Any) -> Provider:
    """Import the provider class for ``profile.kind`` and build it for ``profile``.

    ``options`` go to the provider's constructor (e.g. ``rng`` or ``sleep`` for tests).
    """
    targets = _targets()
    target = targets.get(profile.kind)
    where = f"profiles.{profile.name}.kind"
    if target is None:
        raise SettingsInvalid(f"no provider of kind {profile.kind!r} is installed",
                              field=where, fix=f"use one of {sorted(targets)}")
    try:
        factory = _import(target)
    except (ImportError, AttributeError) as exc:
        log.exception("provider %s (%s) failed to import", profile.kind, target)
        raise SettingsInvalid(f"the {profile.kind!r} provider could not be loaded "
                              f"({type(exc).__name__}: {exc})", field=where,
                              fix="reinstall ShotLoop or the package providing it") from None
    provider = factory(profile, **options)
    if not isinstance(provider, Provider):
        raise SettingsInvalid(f"{target} does not implement the provider interface",
                              field=where, fix="fix or remove that provider package")
    return provider
