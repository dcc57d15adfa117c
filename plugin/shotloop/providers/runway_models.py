"""Runway's model limits as data, per (endpoint, model).

Extracted from the runwayml 5.24.0 request types (see shared reference, section 2). Both
ShotLoop's client-side validation and the reference service read this table, so the two
sides agree on the contract. Re-extract when the SDK pin moves.
"""
from __future__ import annotations

from dataclasses import dataclass

API_VERSION = "2024-11-06"

GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")

PROMPT_MAX_UTF16 = 1000
SEED_MAX = 4294967295
URL_MAX = 2048
RUNWAY_URI_MAX = 5000
IMAGE_DATA_URI_MAX = 5 * 1024 * 1024
VIDEO_DATA_URI_MAX = 16 * 1024 * 1024
IMAGE_URL_MAX_BYTES = 16 * 1024 * 1024
VIDEO_URL_MAX_BYTES = 32 * 1024 * 1024
UPLOAD_MIN_BYTES = 512
UPLOAD_MAX_BYTES = 200 * 1024 * 1024
UPLOAD_TTL_S = 24 * 3600


@dataclass(frozen=True)
class ModelSpec:
    """What one model accepts on one endpoint.

    ``fields`` lists every body key the model accepts (besides ``model``); ``required`` the
    ones it must have. ``durations`` is the allowed set of whole seconds. ``positions`` the
    keyframe positions promptImage may carry. ``credits_per_s`` is the local estimate.
    """

    endpoint: str
    model: str
    required: frozenset[str]
    fields: frozenset[str]
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    positions: tuple[str, ...] = ("first",)
    credits_per_s: float = 5.0
    prompt_max: int = PROMPT_MAX_UTF16
    video_field: str = ""  # video_to_video: "videoUri" or "promptVideo"


def _spec(endpoint: str, model: str, required: set[str], optional: set[str], **kw) -> ModelSpec:
    return ModelSpec(endpoint, model, frozenset(required), frozenset(required | optional), **kw)


_I2V = "image_to_video"
_T2V = "text_to_video"
_V2V = "video_to_video"

MODELS: tuple[ModelSpec, ...] = (
    _spec(_I2V, "gen4.5", {"promptImage", "promptText", "ratio", "duration"},
          {"seed", "contentModeration", "outputFormat", "proresProfile"},
          ratios=GEN4_RATIOS, durations=tuple(range(2, 11)), credits_per_s=12),
    _spec(_I2V, "gen4_turbo", {"promptImage", "ratio"},
          {"promptText", "seed", "contentModeration", "duration"},
          ratios=GEN4_RATIOS, durations=tuple(range(2, 11)), credits_per_s=5),
    _spec(_I2V, "veo3.1", {"promptImage", "ratio"},
          {"audio", "negativePrompt", "promptText", "seed", "duration"},
          ratios=VEO_RATIOS, durations=(4, 6, 8), positions=("first", "last"), credits_per_s=40),
    _spec(_I2V, "veo3.1_fast", {"promptImage", "ratio"},
          {"audio", "negativePrompt", "promptText", "seed", "duration"},
          ratios=VEO_RATIOS, durations=(4, 6, 8), positions=("first", "last"), credits_per_s=15),
    _spec(_T2V, "gen4.5", {"promptText", "ratio", "duration"}, {"seed", "contentModeration"},
          ratios=("1280:720", "720:1280"), durations=tuple(range(2, 11)), credits_per_s=12),
    _spec(_T2V, "veo3.1", {"promptText", "ratio"}, {"duration", "audio", "negativePrompt", "seed"},
          ratios=VEO_RATIOS, durations=(4, 6, 8), credits_per_s=40),
    _spec(_T2V, "veo3.1_fast", {"promptText", "ratio"}, {"duration", "audio", "negativePrompt", "seed"},
          ratios=VEO_RATIOS, durations=(4, 6, 8), credits_per_s=15),
    _spec(_V2V, "aleph2", {"videoUri"},
          {"promptText", "ratio", "seed", "contentModeration", "targetAspectRatio",
           "outputFormat", "proresProfile", "keyframes"},
          ratios=GEN4_RATIOS, durations=(), credits_per_s=15, video_field="videoUri"),
)


def find(endpoint: str, model: str) -> ModelSpec | None:
    for spec in MODELS:
        if spec.endpoint == endpoint and spec.model == model:
            return spec
    return None


def models_for(endpoint: str) -> tuple[str, ...]:
    return tuple(s.model for s in MODELS if s.endpoint == endpoint)


def utf16_length(text: str) -> int:
    """Prompt length as the API counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
