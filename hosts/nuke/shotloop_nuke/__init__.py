"""ShotLoop for Nuke 15 and 16: send shots out, get versions back as switchable stacks.

``install()`` (init.py, every mode) registers the script callbacks; ``menus.build()`` (menu.py,
GUI only) adds the menus and the panel. ``send_selected(host, recipe)`` is the single entry
for sending. Only Foundry's documented Python API is used (see README.md for the list).
"""
from __future__ import annotations

from .runtime import install, uninstall

__all__ = ["install", "uninstall"]
