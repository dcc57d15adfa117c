"""Request-body validation per (endpoint, model), answered the way the API answers.

The body is a union discriminated on ``model``; each model's own table in
``shotloop.providers.runway_models`` decides which fields are required, which are
allowed at all, and the ratio/duration/position enums. Issues follow the API's zod-style
shape: ``{"code", "path": [...], "message", ...}``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from shotloop.providers import runway_models
from shotloop.providers.runway_models import ModelSpec

from .assets import Asset, AssetRejected, AssetResolver

Issue = dict[str, Any]

OUTPUT_FORMATS = ("mp4", "prores", "png_sequence", "hdr10", "hlg", "sdr_rec709_10bit",
                  "hdr_pq_12bit_master", "hdr_prores", "hdr_png_sequence", "hdr_exr_sequence",
                  "hdr_exr_acescg_sequence_1_3", "hdr_exr_acescg_sequence_2_0")
PRORES_PROFILES = ("422", "4444", "422 Proxy", "422 LT", "422 HQ", "4444 XQ")
TARGET_ASPECTS = ("16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "21:9")
THRESHOLDS = ("auto", "low")


@dataclass(frozen=True)
class Checked:
    """A valid request, normalised: the model's spec, defaults filled in, assets resolved."""

    endpoint: str
    model: str
    spec: ModelSpec
    body: Mapping[str, Any]
    prompt: str
    ratio: str
    duration: int
    seed: int | None
    assets: Mapping[str, Asset] = field(default_factory=dict)  # "first", "last", "video"


# ShotLoop's extension: the shot's edit context (OTIO snippet with its neighbours). The
# reference service accepts it on every generation endpoint; Runway's API does not.
CONTEXT_FIELD = "shotloopContext"


def issue(code: str, path: list, message: str, **extra: Any) -> Issue:
    return dict({"code": code, "path": path, "message": message}, **extra)


def check(
    endpoint: str,
    body: Any,
    resolver: AssetResolver,
    custom_models: Mapping[str, str],
) -> tuple[Checked | None, list[Issue]]:
    """Validate ``body`` for ``endpoint``; a ``Checked`` only when there are no issues."""
    if not isinstance(body, dict):
        return None, [issue("invalid_type", [], "Expected object", expected="object",
                            received=type(body).__name__)]
    model = body.get("model")
    base = custom_models.get(model, model) if isinstance(model, str) else None
    spec = runway_models.find(endpoint, base) if base else None
    if spec is None:
        options = list(runway_models.models_for(endpoint)) + sorted(
            m for m, b in custom_models.items() if runway_models.find(endpoint, b))
        return None, [issue("invalid_union_discriminator", ["model"],
                            "Invalid discriminator value. Expected "
                            + " | ".join(f"'{o}'" for o in options), options=options)]
    issues: list[Issue] = []
    for key in sorted(set(body) - spec.fields - {"model", CONTEXT_FIELD}):
        issues.append(issue("unrecognized_keys", [key], f"Unrecognized key(s) in object: '{key}'",
                            keys=[key]))
    if CONTEXT_FIELD in body and not isinstance(body[CONTEXT_FIELD], dict):
        issues.append(issue("invalid_type", [CONTEXT_FIELD], "Expected object", expected="object",
                            received=type(body[CONTEXT_FIELD]).__name__))
    for key in sorted(spec.required - set(body)):
        issues.append(issue("invalid_type", [key], "Required", expected=_EXPECTED.get(key, "string"),
                            received="undefined"))
    assets: dict[str, Asset] = {}
    for key in sorted(set(body) & spec.fields):
        checker = _CHECKS.get(key)
        if checker is not None:
            issues.extend(checker(spec, body[key], [key], _Ctx(resolver, assets)))
    if issues:
        return None, issues
    duration = body.get("duration", _default_duration(spec))
    return Checked(
        endpoint=endpoint,
        model=model,
        spec=spec,
        body=body,
        prompt=body.get("promptText", ""),
        ratio=body.get("ratio", ""),
        duration=int(duration),
        seed=body.get("seed"),
        assets=assets,
    ), []


def _default_duration(spec: ModelSpec) -> int:
    if not spec.durations:
        return 0
    return 5 if 5 in spec.durations else max(spec.durations)


@dataclass
class _Ctx:
    resolver: AssetResolver
    assets: dict[str, Asset]


_EXPECTED = {"duration": "number", "seed": "number", "promptImage": "string | array",
             "contentModeration": "object", "keyframes": "array", "audio": "boolean"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_prompt(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if not isinstance(value, str):
        return [issue("invalid_type", path, "Expected string", expected="string",
                      received=type(value).__name__)]
    length = runway_models.utf16_length(value)
    if length == 0:
        return [issue("too_small", path, "String must contain at least 1 character(s)",
                      minimum=1, inclusive=True, type="string")]
    if length > spec.prompt_max:
        return [issue("too_big", path,
                      f"String must contain at most {spec.prompt_max} character(s) "
                      f"(UTF-16 code units; got {length})",
                      maximum=spec.prompt_max, inclusive=True, type="string")]
    return []


def _check_text(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if isinstance(value, str) and runway_models.utf16_length(value) <= spec.prompt_max:
        return []
    return [issue("invalid_type", path, f"Expected a string of at most {spec.prompt_max} characters",
                  expected="string", received=type(value).__name__)]


def _check_ratio(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if value in spec.ratios:
        return []
    return [_enum_issue(path, value, list(spec.ratios))]


def _check_duration(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if not _is_int(value):
        return [issue("invalid_type", path, "Expected integer", expected="integer",
                      received=type(value).__name__)]
    if value in spec.durations:
        return []
    low, high = min(spec.durations), max(spec.durations)
    if list(spec.durations) == list(range(low, high + 1)):
        if value < low:
            return [issue("too_small", path, f"Number must be greater than or equal to {low}",
                          minimum=low, inclusive=True, type="number")]
        return [issue("too_big", path, f"Number must be less than or equal to {high}",
                      maximum=high, inclusive=True, type="number")]
    return [_enum_issue(path, value, list(spec.durations))]


def _check_seed(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if not _is_int(value):
        return [issue("invalid_type", path, "Expected integer", expected="integer",
                      received=type(value).__name__)]
    if value < 0:
        return [issue("too_small", path, "Number must be greater than or equal to 0",
                      minimum=0, inclusive=True, type="number")]
    if value > runway_models.SEED_MAX:
        return [issue("too_big", path,
                      f"Number must be less than or equal to {runway_models.SEED_MAX}",
                      maximum=runway_models.SEED_MAX, inclusive=True, type="number")]
    return []


def _check_prompt_image(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if isinstance(value, str):
        return _asset(ctx, value, "image", path, "first")
    if not isinstance(value, list):
        return [issue("invalid_type", path, "Expected string | array", expected="string | array",
                      received=type(value).__name__)]
    if not value:
        return [issue("too_small", path, "Array must contain at least 1 element(s)", minimum=1,
                      inclusive=True, type="array")]
    issues: list[Issue] = []
    seen: list[str] = []
    for index, item in enumerate(value):
        where = path + [index]
        if not isinstance(item, dict):
            issues.append(issue("invalid_type", where, "Expected object", expected="object",
                                received=type(item).__name__))
            continue
        for key in sorted(set(item) - {"uri", "position"}):
            issues.append(issue("unrecognized_keys", where + [key],
                                f"Unrecognized key(s) in object: '{key}'", keys=[key]))
        position = item.get("position")
        if position not in spec.positions:
            issues.append(_enum_issue(where + ["position"], position, list(spec.positions)))
        elif position in seen:
            issues.append(issue("custom", where + ["position"], f"Duplicate position '{position}'"))
        else:
            seen.append(position)
            issues.extend(_asset(ctx, item.get("uri"), "image", where + ["uri"], position))
    if "last" in seen and "first" not in seen:
        issues.append(issue("custom", path, "A 'last' keyframe needs a 'first' keyframe"))
    return issues


def _check_video(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    return _asset(ctx, value, "video", path, "video")


def _check_moderation(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if not isinstance(value, dict):
        return [issue("invalid_type", path, "Expected object", expected="object",
                      received=type(value).__name__)]
    issues = [issue("unrecognized_keys", path + [k], f"Unrecognized key(s) in object: '{k}'",
                    keys=[k]) for k in sorted(set(value) - {"publicFigureThreshold"})]
    if "publicFigureThreshold" in value and value["publicFigureThreshold"] not in THRESHOLDS:
        issues.append(_enum_issue(path + ["publicFigureThreshold"], value["publicFigureThreshold"],
                                  list(THRESHOLDS)))
    return issues


def _check_bool(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if isinstance(value, bool):
        return []
    return [issue("invalid_type", path, "Expected boolean", expected="boolean",
                  received=type(value).__name__)]


def _enum_check(options: tuple[str, ...]) -> Callable[[ModelSpec, Any, list, _Ctx], list[Issue]]:
    def checker(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
        return [] if value in options else [_enum_issue(path, value, list(options))]
    return checker


def _check_keyframes(spec: ModelSpec, value: Any, path: list, ctx: _Ctx) -> list[Issue]:
    if not isinstance(value, list):
        return [issue("invalid_type", path, "Expected array", expected="array",
                      received=type(value).__name__)]
    if len(value) > 5:
        return [issue("too_big", path, "Array must contain at most 5 element(s)", maximum=5,
                      inclusive=True, type="array")]
    issues: list[Issue] = []
    for index, item in enumerate(value):
        where = path + [index]
        if not isinstance(item, dict) or not ({"seconds", "at"} & set(item)) or "uri" not in item:
            issues.append(issue("custom", where, "Each keyframe needs a uri and seconds or at"))
            continue
        issues.extend(_asset(ctx, item["uri"], "image", where + ["uri"], f"keyframe{index}"))
    return issues


def _asset(ctx: _Ctx, uri: Any, kind: str, path: list, role: str) -> list[Issue]:
    try:
        ctx.assets[role] = ctx.resolver.resolve(uri, kind)
    except AssetRejected as exc:
        return [issue("invalid_asset", path, str(exc))]
    return []


def _enum_issue(path: list, value: Any, options: list) -> Issue:
    shown = " | ".join(repr(o) for o in options)
    return issue("invalid_enum_value", path,
                 f"Invalid enum value. Expected {shown}, received {value!r}",
                 options=options, received=value)


_CHECKS: Mapping[str, Callable[[ModelSpec, Any, list, _Ctx], list[Issue]]] = {
    "promptText": _check_prompt,
    "negativePrompt": _check_text,
    "ratio": _check_ratio,
    "duration": _check_duration,
    "seed": _check_seed,
    "promptImage": _check_prompt_image,
    "videoUri": _check_video,
    "promptVideo": _check_video,
    "contentModeration": _check_moderation,
    "audio": _check_bool,
    "outputFormat": _enum_check(OUTPUT_FORMATS),
    "proresProfile": _enum_check(PRORES_PROFILES),
    "targetAspectRatio": _enum_check(TARGET_ASPECTS),
    "keyframes": _check_keyframes,
}
