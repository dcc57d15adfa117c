"""Blender's bundled colour space names ↔ the names of the agent's OCIO config.

Blender 4.2–5.0 ships its own OCIO config; the agent uses the built-in ACES config
("ocio://default") unless a studio config is set. When the ``OCIO`` environment variable
points Blender at a studio config, both sides read the same config and names pass through.
Pure data, no bpy.
"""
from __future__ import annotations

import os

# Blender bundled config name -> ACES CG config name (ocio://default).
_TO_AGENT = {
    "ACEScg": "ACEScg",
    "ACES2065-1": "ACES2065-1",
    "ACEScc": "ACEScc",
    "ACEScct": "ACEScct",
    "Linear Rec.709": "Linear Rec.709 (sRGB)",
    "scene_linear": "Linear Rec.709 (sRGB)",
    "sRGB": "sRGB Encoded Rec.709 (sRGB)",
    "Linear Rec.2020": "Linear Rec.2020",
    "Linear DCI-P3 D65": "Linear P3-D65",
    "Display P3": "sRGB Encoded P3-D65",
    "Rec.1886": "Gamma 2.4 Encoded Rec.709",
    "Non-Color": "Raw",
}
_TO_BLENDER = {agent: blender for blender, agent in _TO_AGENT.items() if blender != "scene_linear"}
# Aliases the agent may write in a Version (the ACES config's short names).
_TO_BLENDER.update({
    "lin_ap1": "ACEScg", "lin_ap1_scene": "ACEScg", "ACES - ACEScg": "ACEScg",
    "lin_ap0": "ACES2065-1", "lin_rec709": "Linear Rec.709", "lin_srgb": "Linear Rec.709",
    "srgb_tx": "sRGB", "srgb_texture": "sRGB", "Raw": "Non-Color",
})


def studio_config() -> bool:
    """True when Blender runs on a studio OCIO config (names are shared with the agent)."""
    return bool(os.environ.get("OCIO"))


def host_config() -> str:
    """The OCIO config the agent must use for this host's names: the studio's, else "" (the
    agent's own default, to which Blender's bundled names are mapped)."""
    return os.environ.get("OCIO", "")


def to_agent(name: str) -> str:
    """The agent's name for a strip's colour space (unknown names pass through unchanged)."""
    if studio_config():
        return name
    return _TO_AGENT.get(name, name)


def to_blender(name: str) -> str:
    """Blender's name for a version's colour space (unknown names pass through unchanged)."""
    if studio_config():
        return name
    return _TO_BLENDER.get(name, name)
