"""Local checks that run before any credit-costing request.

Each check raises ``RecipeInvalid`` naming the shot and the field that is wrong
(``recipe.ratio``, ``inputs.first``, ``recipe.options.audio`` ...) with a fix. The
rules are those of the Runway developer API (shared reference, sections 2 and 5); the
per-model numbers come in through ``ModelLimits``.
"""
from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from ..errors import RecipeInvalid
from ..model import Endpoint, KeyframeMode, Recipe
from . import runway_models as rm
from .base import ModelLimits
from .sniff import MediaInfo, sniff

__all__ = [
    "RESERVED_FIELDS",
    "IMAGE_FORMATS",
    "VIDEO_FORMATS",
    "required_inputs",
    "check_recipe",
    "check_inputs",
    "check_uri",
]

# Body keys a recipe sets through its own fields; ``options`` may not set them.
RESERVED_FIELDS = frozenset(
    {"model", "promptImage", "promptText", "ratio", "duration", "seed", "videoUri", "promptVideo"}
)
IMAGE_FORMATS = ("png", "jpeg", "webp")
VIDEO_FORMATS = ("mp4", "mov", "webm")
MAX_IMAGE_SIDE = 16384  # a sanity bound, not a documented Runway limit


def _bad(shot: str, field: str, problem: str, fix: str) -> RecipeInvalid:
    return RecipeInvalid(problem, shot=shot, field=field, fix=fix)


def required_inputs(recipe: Recipe) -> tuple[str, ...]:
    """The ``inputs`` keys a recipe needs: keyframes for image_to_video, a clip for
    video_to_video, nothing for text_to_video."""
    endpoint = Endpoint(recipe.endpoint)
    if endpoint is Endpoint.IMAGE_TO_VIDEO:
        mode = KeyframeMode(recipe.keyframes)
        return ("first", "last") if mode is KeyframeMode.FIRST_LAST else ("first",)
    if endpoint is Endpoint.VIDEO_TO_VIDEO:
        return ("video",)
    return ()


def check_recipe(recipe: Recipe, limits: ModelLimits, *, shot: str) -> None:
    """Prompt, ratio, duration, seed, keyframe mode and extra options against ``limits``."""
    try:
        KeyframeMode(recipe.keyframes)
    except ValueError:
        raise _bad(shot, "recipe.keyframes", f"{recipe.keyframes!r} is not a keyframe mode",
                   f"use one of {[m.value for m in KeyframeMode]}") from None
    _check_prompt(recipe, limits, shot)
    if "ratio" in limits.fields and limits.ratios and recipe.ratio not in limits.ratios:
        raise _bad(shot, "recipe.ratio", f"{recipe.ratio!r} is not offered by {limits.model}",
                   f"choose one of {list(limits.ratios)}")
    if "ratio" in limits.required and not recipe.ratio:
        raise _bad(shot, "recipe.ratio", f"is required by {limits.model}",
                   f"choose one of {list(limits.ratios)}")
    if "duration" in limits.fields and limits.durations:
        if isinstance(recipe.duration, bool) or not isinstance(recipe.duration, int) \
                or recipe.duration not in limits.durations:
            raise _bad(shot, "recipe.duration",
                       f"{recipe.duration!r} s is not offered by {limits.model}",
                       f"choose one of {list(limits.durations)} s")
    if "seed" in limits.fields:
        if isinstance(recipe.seed, bool) or not isinstance(recipe.seed, int) \
                or not 0 <= recipe.seed <= rm.SEED_MAX:
            raise _bad(shot, "recipe.seed", f"{recipe.seed!r} is not a valid seed",
                       f"use a whole number from 0 to {rm.SEED_MAX}")
    if Endpoint(recipe.endpoint) is Endpoint.IMAGE_TO_VIDEO:
        mode = KeyframeMode(recipe.keyframes)
        if mode is KeyframeMode.NONE:
            raise _bad(shot, "recipe.keyframes", "image_to_video needs a first keyframe",
                       "use keyframes 'first' or 'first_last', or the text_to_video endpoint")
        if mode is KeyframeMode.FIRST_LAST and "last" not in limits.positions:
            raise _bad(shot, "recipe.keyframes",
                       f"{limits.model} takes no last keyframe",
                       "use keyframes 'first', or a model that accepts a last frame")
    _check_options(recipe, limits, shot)


def _check_prompt(recipe: Recipe, limits: ModelLimits, shot: str) -> None:
    prompt = recipe.prompt
    if not isinstance(prompt, str):
        raise _bad(shot, "recipe.prompt", "must be text", "write the prompt as plain text")
    if not prompt.strip():
        if "promptText" in limits.required:
            raise _bad(shot, "recipe.prompt", f"is required by {limits.model}",
                       "describe the shot in the prompt")
        return
    if "promptText" not in limits.fields:
        raise _bad(shot, "recipe.prompt", f"{limits.model} takes no prompt on {limits.endpoint}",
                   "leave the prompt empty or choose another model")
    length = rm.utf16_length(prompt)
    if length > limits.prompt_max:
        raise _bad(shot, "recipe.prompt",
                   f"is {length} UTF-16 units long; {limits.model} takes at most {limits.prompt_max}",
                   f"shorten it by {length - limits.prompt_max} characters")


def _check_options(recipe: Recipe, limits: ModelLimits, shot: str) -> None:
    allowed = sorted(limits.fields - RESERVED_FIELDS)
    for key, value in recipe.provider_options.items():
        field = f"recipe.options.{key}"
        if key in RESERVED_FIELDS:
            raise _bad(shot, field, "is set by the recipe itself, not through options",
                       "remove it from options and set the recipe's own field")
        if key not in limits.fields:
            raise _bad(shot, field, f"is not accepted by {limits.model} on {limits.endpoint}",
                       f"remove it; this model takes {allowed or 'no extra options'}")
        if value is None:
            raise _bad(shot, field, "is null", "remove the option instead of setting it to null")
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise _bad(shot, field, "is not plain JSON data",
                       "use strings, numbers, booleans, lists and objects only") from None


def check_inputs(recipe: Recipe, inputs: Mapping[str, Path], *, shot: str) -> dict[str, MediaInfo]:
    """Every input the recipe needs exists and is a supported image or video."""
    found: dict[str, MediaInfo] = {}
    for key in required_inputs(recipe):
        field = f"inputs.{key}"
        path = inputs.get(key)
        if path is None:
            raise _bad(shot, field, "is missing", f"provide the {key} input file")
        path = Path(path)
        if not path.is_file():
            raise _bad(shot, field, f"{path} does not exist or is not a file",
                       "render or extract the input again")
        size = path.stat().st_size
        if size == 0:
            raise _bad(shot, field, f"{path.name} is empty", "render or extract the input again")
        if size > rm.UPLOAD_MAX_BYTES:
            raise _bad(shot, field, f"{path.name} is {size} bytes, over the "
                       f"{rm.UPLOAD_MAX_BYTES // (1024 * 1024)} MB upload limit",
                       "send a smaller proxy")
        info = sniff(path)
        if key == "video":
            _check_video(info, path, field, shot)
        else:
            _check_image(info, path, field, shot)
        found[key] = info
    return found


def _check_image(info: MediaInfo, path: Path, field: str, shot: str) -> None:
    if info.kind != "image" or info.format not in IMAGE_FORMATS:
        what = info.format.upper() if info.format else "not a recognised image"
        raise _bad(shot, field, f"{path.name} is {what}",
                   f"send a {', '.join(f.upper() for f in IMAGE_FORMATS)} image")
    if not (0 < info.width <= MAX_IMAGE_SIDE and 0 < info.height <= MAX_IMAGE_SIDE):
        raise _bad(shot, field, f"{path.name} has unusable dimensions {info.width}x{info.height}",
                   f"send an image between 1 and {MAX_IMAGE_SIDE} pixels per side")


def _check_video(info: MediaInfo, path: Path, field: str, shot: str) -> None:
    if info.kind != "video" or info.format not in VIDEO_FORMATS:
        raise _bad(shot, field, f"{path.name} is not a recognised video container",
                   "send the proxy as an H.264 MP4")


def check_uri(uri: str, *, kind: str, field: str, shot: str) -> None:
    """An asset reference as the API takes it: https URL, ``runway://`` or base64 data URI.

    ``kind`` is "image" or "video" (decides the data-URI media type and size limit).
    """
    if uri.startswith("data:"):
        header, sep, _ = uri.partition(",")
        media_type = header[5:].split(";")[0]
        if not sep or not header.endswith(";base64") or not media_type.startswith(f"{kind}/"):
            raise _bad(shot, field, f"is not a base64 {kind} data URI",
                       f"encode the file as data:{kind}/...;base64,...")
        limit = rm.IMAGE_DATA_URI_MAX if kind == "image" else rm.VIDEO_DATA_URI_MAX
        if len(uri) > limit:
            raise _bad(shot, field, f"data URI is {len(uri)} characters, over {limit}",
                       "upload the file instead of inlining it")
        return
    if uri.startswith("runway://"):
        if len(uri) > rm.RUNWAY_URI_MAX:
            raise _bad(shot, field, f"runway:// URI is longer than {rm.RUNWAY_URI_MAX}",
                       "upload the file again")
        return
    parts = urlsplit(uri)
    if parts.scheme != "https":
        raise _bad(shot, field, "URLs must use https", "serve the file over https or upload it")
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if not host or is_ip:
        raise _bad(shot, field, "URL host must be a domain name, not an IP address",
                   "serve the file from a named host or upload it")
    if not 13 <= len(uri) <= rm.URL_MAX:
        raise _bad(shot, field, f"URL length {len(uri)} is outside 13..{rm.URL_MAX}",
                   "use a shorter URL or upload the file")
