"""The script's colour settings, as OCIO colour-space names ShotLoop understands.

ShotLoop converts with its own OCIO config (the ACES CG config unless the agent is told
otherwise). Names from Nuke's built-in ACES 1.x configs ("ACES - ACEScg") are mapped to it; the two
scene/display spaces of Nuke's own ``nuke-default`` management are mapped to their ACES-config
equivalents. Names are sent canonical (the agent checks them against its config's names);
anything unknown is passed through unchanged and the agent's check names it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import nuke

# nuke-default colour spaces -> the same transfer/primaries in the ACES CG config
NUKE_DEFAULT_NAMES = {
    "linear": "Linear Rec.709 (sRGB)",
    "sRGB": "sRGB Encoded Rec.709 (sRGB)",
}
# ACES 1.x config names (Nuke's built-in aces_* configs) -> the ACES CG config's own names
ACES1_NAMES = {
    "ACES - ACES2065-1": "ACES2065-1",
    "ACES - ACEScg": "ACEScg",
    "ACES - ACEScc": "ACEScc",
    "ACES - ACEScct": "ACEScct",
    "Utility - Linear - sRGB": "Linear Rec.709 (sRGB)",
    "Utility - sRGB - Texture": "sRGB Encoded Rec.709 (sRGB)",
    "Utility - Raw": "Raw",
}
_FLOAT_TYPES = {".exr", ".hdr", ".sxr"}
_LOG_TYPES = {".dpx", ".cin"}
_EIGHT_BIT = {".png", ".jpg", ".jpeg", ".mov", ".mp4", ".gif", ".tga"}


@dataclass(frozen=True)
class ColourSettings:
    management: str  # "Nuke" | "OCIO"
    config: str  # built-in config name, "custom", or "nuke-default"
    config_path: str  # the custom config file, evaluated
    working_space: str  # as Nuke names it

    @property
    def nuke_default(self) -> bool:
        return self.management != "OCIO" or self.config == "nuke-default"


def settings() -> ColourSettings:
    root = nuke.root()
    management = root["colorManagement"].value()
    config = root["OCIO_config"].value() if management == "OCIO" else "nuke-default"
    path = ""
    if config == "custom":
        path = root["customOCIOConfigPath"].getValue()
        if path and not os.path.isabs(path):
            project = nuke.root()["project_directory"].evaluate() or nuke.script_directory()
            path = os.path.join(project, path) if project else path
    return ColourSettings(management, config, path, root["workingSpaceLUT"].value())


def ocio_name(name: str, colour: ColourSettings | None = None) -> str:
    """A colour-space name as ShotLoop's agent should read it."""
    colour = colour or settings()
    name = name.split("\t", 1)[0].strip()
    if colour.nuke_default:
        return NUKE_DEFAULT_NAMES.get(name, name)
    if colour.config != "custom":
        return ACES1_NAMES.get(name, name)
    return name


def working_space(colour: ColourSettings | None = None) -> str:
    colour = colour or settings()
    return ocio_name(colour.working_space, colour)


def read_colorspace(read: Any, path: str, colour: ColourSettings | None = None) -> str:
    """The colour space of a Read's pixels on disk; ``default`` resolves by file type as Nuke does."""
    colour = colour or settings()
    value = read["colorspace"].value()
    if read["raw"].value():
        return working_space(colour)
    if value and not value.startswith("default"):
        return ocio_name(value, colour)
    inner = value[value.find("(") + 1:value.rfind(")")] if "(" in value else ""
    if inner:
        return ocio_name(inner, colour)
    ext = os.path.splitext(path)[1].lower()
    root = nuke.root()
    if ext in _FLOAT_TYPES:
        return working_space(colour)  # float files default to linear: the working space
    if ext in _LOG_TYPES:
        lut = root["logLut"].value()
    elif ext in _EIGHT_BIT:
        lut = root["int8Lut"].value()
    else:
        lut = root["int16Lut"].value()
    return ocio_name(lut, colour)


def colorspace_item(knob: Any, wanted: str) -> str | None:
    """The item of a colour-space menu naming ``wanted`` (exact, alias or mapped), or None."""
    candidates = {wanted}
    candidates.update(k for k, v in NUKE_DEFAULT_NAMES.items() if v == wanted)
    candidates.update(k for k, v in ACES1_NAMES.items() if v == wanted)
    for item in knob.values():
        if item.split("\t", 1)[0] in candidates:
            return item.split("\t", 1)[0]
    return None
