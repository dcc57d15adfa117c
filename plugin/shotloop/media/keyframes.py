"""Keyframe images for image-to-video: first/last plate frame → sRGB PNG at the ratio.

Per keyframe: read the frame in the plate's colour space, fit it to the recipe's ratio
(cover + centre crop, or pad; resized in the plate's space, which for an EXR plate is
scene-linear), apply the exposure gain in the config's scene_linear space, convert to
sRGB with OCIO, clamp (or not), quantise to 8 bits and write a PNG; a JPEG replaces the
PNG only when the PNG is over the provider's byte limit. Every choice is recorded.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import PlateInvalid, RecipeInvalid
from ..model import KeyframeMode, Shot
from .colour import SRGB, check_colorspace, colour_step, resolve_config
from .fit import check_fit_mode, plan_fit, ratio_size
from .imageops import fit_display, write_image_limited
from .plate import PlateReader, plate_info

log = logging.getLogger(__name__)

# Runway's data-URI limit for images is 5 MB encoded, about 3.3 MB of raw bytes.
IMAGE_MAX_BYTES = 3_300_000
RESAMPLE = "OCIO at plate resolution, then swscale bicubic on 16-bit display codes"

__all__ = ["Keyframes", "extract_keyframes", "positions_for", "IMAGE_MAX_BYTES"]


@dataclass(frozen=True)
class Keyframes:
    """``paths``: position ("first"/"last") → image file; ``steps``: one record per image."""

    paths: Mapping[str, Path] = field(default_factory=dict)
    steps: tuple[Mapping[str, Any], ...] = ()


def positions_for(mode: KeyframeMode) -> tuple[str, ...]:
    return {KeyframeMode.NONE: (), KeyframeMode.FIRST: ("first",),
            KeyframeMode.FIRST_LAST: ("first", "last")}[KeyframeMode(mode)]


def extract_keyframes(shot: Shot, mode: KeyframeMode, ratio: str, out_dir: Path, *,
                      config: str | None = None, exposure: float = 0.0, clamp: bool = True,
                      fit: str = "crop", frames: tuple[int, ...] | None = None,
                      max_bytes: int = IMAGE_MAX_BYTES, out_colorspace: str = SRGB) -> Keyframes:
    """Write the keyframes ``mode`` asks for into ``out_dir``.

    ``frames`` overrides which plate frames are used, one per position (default: the
    first and last frame of the shot's range). Raises PlateInvalid for a missing or
    unreadable plate or an unknown colour space, RecipeInvalid for a bad ratio or fit.
    """
    positions = positions_for(mode)
    if not positions:
        return Keyframes()
    check_fit_mode(fit, shot=shot.name)
    chosen = tuple(frames) if frames else (shot.frame_range.first, shot.frame_range.last)[: len(positions)]
    if len(chosen) != len(positions):
        raise RecipeInvalid(f"{len(chosen)} keyframe frame(s) given for positions {list(positions)}",
                            shot=shot.name, field="keyframes.frames", fix=f"give {len(positions)} frame(s)")
    config = resolve_config(config)
    plate_space = check_colorspace(config, shot.colorspace, shot=shot.name, field="shot.colorspace")
    display = check_colorspace(config, out_colorspace, shot=shot.name, field="keyframes.colorspace")
    scene_linear = _scene_linear(config, plate_space)
    info = plate_info(shot)
    size = ratio_size(ratio, info.resolution, fit, shot=shot.name)
    plan = plan_fit(info.resolution, size, fit)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    steps: list[dict[str, Any]] = []
    with PlateReader(shot, info) as reader:
        for position, frame in zip(positions, chosen):
            picture, shown = fit_display(reader.read_buf(frame), plan, src=plate_space, dst=display,
                                         config=config, exposure=exposure, scene_linear=scene_linear,
                                         clamp=clamp, shot=shot.name)
            stem = out_dir / f"{shot.name}_{position}.{frame:04d}"
            try:
                path, _, written = write_image_limited(stem, picture, max_bytes)
            except ValueError as exc:
                raise RecipeInvalid(f"the {position} keyframe at {size} is too large: {exc}", shot=shot.name,
                                    field="recipe.ratio", fix="choose a smaller ratio") from None
            except OSError as exc:
                raise PlateInvalid(f"the {position} keyframe could not be written: {exc}", shot=shot.name,
                                   field="keyframes", fix="check the work folder and free disk space") from exc
            paths[position] = path
            via = {"exposure_space": scene_linear} if exposure else {}
            steps.append({
                "step": "keyframe", "position": position, "frame": frame,
                "source": str(reader.shot.source), "path": str(path),
                "colour": colour_step(config, plate_space, display, exposure=exposure, **via),
                "clamp": clamp, "outside_0_1": round(shown.clipped_fraction, 6),
                "nonfinite_zeroed": shown.nonfinite,
                "fit": plan.step(ratio=ratio, resample=RESAMPLE),
                "size": [size.width, size.height], "quantize": "8-bit, rounded", **written,
                "plate_notes": list(reader.notes),
            })
            log.info("%s: %s keyframe %d → %s", shot.name, position, frame, path.name)
    return Keyframes(paths=paths, steps=tuple(steps))


def _scene_linear(config: str, plate_space: str) -> str:
    import OpenImageIO as oiio

    name = oiio.ColorConfig(config).getColorSpaceNameByRole("scene_linear")
    return name or plate_space
