"""Generation services behind one interface (``base.Provider``).

``load_provider(profile)`` builds the provider a settings profile names; concrete providers
(and the registry itself) are imported only on first use, so importing this package is
cheap and cannot fail because of an optional provider.
"""
from __future__ import annotations

from typing import Any

__all__ = ["load_provider", "provider_kinds"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
