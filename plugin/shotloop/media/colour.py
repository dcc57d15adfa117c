"""Which OCIO config and colour space names ShotLoop uses, and converting ImageBufs.

Every colour conversion in ShotLoop goes through OpenColorIO as built into OpenImageIO
(there is no PyOpenColorIO). The config is, in order: the path the host gives (its OCIO
setting), the ``$OCIO`` environment variable, or OCIO's built-in ACES CG config
(``ocio://default``). Whichever is used is recorded with every conversion.

Names: a colour space may be given by its name, by any alias the config defines
(``srgb_tx``, ``lin_ap1``, ``ACES - ACEScg``...), by a role (``scene_linear``) or, as OIIO
allows, case-insensitively. It is always resolved to, and recorded as, the config's
canonical name, so provenance does not depend on how a user spelled it.
"""
from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path

from ..errors import PlateInvalid, SettingsInvalid

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "ocio://default"
WORKING_SPACE = "ACEScg"
SRGB = "sRGB Encoded Rec.709 (sRGB)"  # display-referred out and back (alias: srgb_tx)

__all__ = [
    "DEFAULT_CONFIG",
    "WORKING_SPACE",
    "SRGB",
    "resolve_config",
    "check_colorspace",
    "colorspace_names",
    "canonical_name",
    "convert",
    "oiio_config_arg",
    "colour_step",
]


def resolve_config(path: str | os.PathLike[str] | None) -> str:
    """The OCIO config to use: ``path`` if given, else ``$OCIO``, else ``ocio://default``.

    Raises SettingsInvalid when the chosen config file is missing or does not load.
    """
    source = "the host's OCIO setting"
    chosen = str(path) if path else ""
    if not chosen and os.environ.get("OCIO"):
        chosen, source = os.environ["OCIO"], "$OCIO"
    if not chosen:
        return DEFAULT_CONFIG
    if not chosen.startswith("ocio://"):
        if not Path(chosen).is_file():
            raise SettingsInvalid(f"OCIO config {chosen} (from {source}) does not exist",
                                  field="ocio.config",
                                  fix="point the OCIO setting at a config.ocio file, or clear it "
                                      "to use the built-in ACES config")
        chosen = str(Path(chosen).resolve())
    error = _load_error(chosen)
    if error:
        raise SettingsInvalid(f"OCIO config {chosen} (from {source}) does not load: {error}",
                              field="ocio.config", fix="fix the config, or clear the OCIO setting")
    return chosen


def _load_error(config: str) -> str:
    import OpenImageIO as oiio

    cfg = oiio.ColorConfig(config)
    error = cfg.geterror() if hasattr(cfg, "geterror") else ""
    if not error and cfg.getNumColorSpaces() == 0:
        error = "it defines no colour spaces"
    return error


def colorspace_names(config: str) -> list[str]:
    """Every colour space name the config defines (canonical names, config order)."""
    import OpenImageIO as oiio

    return list(oiio.ColorConfig(config).getColorSpaceNames())


def canonical_name(config: str, name: str) -> str | None:
    """The config's own name for ``name`` (an alias, role or name), or None if unknown."""
    import OpenImageIO as oiio

    if not name:
        return None
    cfg = oiio.ColorConfig(config)
    resolved = cfg.resolve(name)
    return resolved if cfg.getColorSpaceIndex(resolved) >= 0 else None


def check_colorspace(config: str, name: str, *, shot: str | None, field: str) -> str:
    """``name`` resolved to the config's canonical colour space name.

    Raises PlateInvalid naming the shot and field when the config does not know it.
    """
    found = canonical_name(config, name)
    if found is None:
        names = colorspace_names(config)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
        hint = f"one of {close}" if close else f"a colour space of {config} (e.g. {names[:4]})"
        raise PlateInvalid(f"colour space {name!r} is not in the OCIO config {config}",
                           shot=shot, field=field, fix=f"use {hint}")
    return found


def convert(buf, src: str, dst: str, config: str, *, roi=None, shot: str | None = None):
    """``buf`` (an OIIO ImageBuf) converted from ``src`` to ``dst`` with OCIO, as float.

    ``roi`` limits the work to a region (the result's data window is that region).
    """
    import OpenImageIO as oiio

    region = roi if roi is not None else buf.roi
    out = oiio.ImageBuf(oiio.ImageSpec(region.width, region.height, buf.nchannels, oiio.FLOAT))
    out.set_origin(region.xbegin, region.ybegin)
    if src == dst:
        ok = out.copy_pixels(buf)  # copies where the two overlap: the region
    else:
        ok = oiio.ImageBufAlgo.colorconvert(out, buf, src, dst, unpremult=False,
                                            colorconfig=oiio_config_arg(config), roi=region)
    if not ok or out.has_error:
        raise PlateInvalid(f"OCIO could not convert {src} to {dst}: {out.geterror()}",
                           shot=shot, field="colorspace", fix="check the OCIO config and names")
    return out


def oiio_config_arg(config: str) -> str:
    """What to pass as OIIO's ``colorconfig``: "" when ``config`` is OIIO's own default.

    Naming a config makes OIIO build a ColorConfig on every call (~30 ms, serialised across
    threads); its default config ($OCIO, else ocio://default) is built once and shared.
    """
    env = os.environ.get("OCIO", "")
    default = str(Path(env).resolve()) if env and not env.startswith("ocio://") else (env or DEFAULT_CONFIG)
    return "" if config == default else config


def colour_step(config: str, src: str, dst: str, **extra: object) -> dict[str, object]:
    """The provenance record of one conversion."""
    step: dict[str, object] = {"step": "colour", "config": config, "from": src, "to": dst,
                               "engine": "OpenColorIO via OpenImageIO"}
    step.update(extra)
    return step
