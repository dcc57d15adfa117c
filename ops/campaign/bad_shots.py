"""Bad shots and recipes, as a host or the CLI would send them: frame ranges, colour
spaces, rates, sizes, names, zero-length shots, prompts, ratios, durations, seeds."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import requests

from shotloop import model
from shotloop.errors import AgentRefused, NameInvalid, PlateInvalid, RecipeInvalid
from shotloop.model import FrameRange, KeyframeMode, Resolution

from .badinput import BadInput, Workspace, good_recipe, plate_shot, send_and_fail, send_one


def _copy_plate(ws: Workspace, folder: Path, drop: tuple[int, ...] = ()) -> str:
    plate = ws.plate()
    for frame in plate.frame_range.frames():
        if frame not in drop:
            src = Path(plate.source.replace("####", f"{frame:04d}"))
            shutil.copy(src, folder / src.name)
    return str(folder / Path(plate.source).name)


def _shot_case(name: str, error: type, field: str, shot: str = "", recipe: dict | None = None,
               category: str = "shot", **shot_changes) -> BadInput:
    shot = shot or name

    def attempt(ws: Workspace, folder: Path) -> None:
        send_one(ws, plate_shot(ws, shot, **shot_changes), good_recipe(**(recipe or {})))

    return BadInput(name, category, error, field, shot, attempt)


def _missing_frames(ws: Workspace, folder: Path) -> None:
    _copy_plate(ws, folder, drop=(1005, 1006, 1017))


def _attempt_missing_frames(ws: Workspace, folder: Path) -> None:
    plate = ws.plate()
    send_one(ws, plate_shot(ws, "holes", source=str(folder / Path(plate.source).name)))


def _not_an_image(ws: Workspace, folder: Path) -> None:
    for frame in ws.plate().frame_range.frames():
        (folder / f"junk.{frame}.exr").write_text("this is not an EXR\n")


def _zero_byte_frame(ws: Workspace, folder: Path) -> None:
    _copy_plate(ws, folder)
    (folder / "plate.1012.exr").write_bytes(b"")


def _cli_zero_length(ws: Workspace, folder: Path) -> None:
    from shotloop.cli import build_parser

    args = build_parser().parse_args(
        ["send", "--plate", ws.plate().source, "--name", "zero_cli", "--first", "1010",
         "--last", "1009", "--width", "64", "--height", "36", "--root", str(ws.store),
         "--model", "gen4_turbo", "--prompt", "orb"])
    args.func(args)


def _agent_zero_length(ws: Workspace, folder: Path) -> None:
    """A host that builds the JSON itself (no FrameRange check on its side)."""
    raw = model.to_dict(model.JobRequest(shot=plate_shot(ws, "zero_json"), recipe=good_recipe(),
                                         store_root=str(ws.store)))
    raw["shot"]["frame_range"] = {"first": 1010, "last": 1009}
    _post_jobs(ws, {"jobs": [raw]}, expect_results=True)


def _post_jobs(ws: Workspace, body: object, *, expect_results: bool = False) -> None:
    from shotloop.client import TOKEN_HEADER

    response = requests.post(f"{ws.api.url}/v1/jobs", json=body, timeout=15,
                             headers={TOKEN_HEADER: ws.token})
    data = response.json()
    if expect_results and response.status_code == 200:
        (result,) = data["results"]
        if "error" in result:
            raise model_error(result["error"])
        raise AssertionError("the agent accepted the job")
    if response.status_code >= 400 and isinstance(data.get("error"), dict):
        raise model_error(data["error"])
    raise AssertionError(f"the agent answered {response.status_code}: {response.text[:200]}")


def model_error(data: dict):
    from shotloop.errors import ShotLoopError

    return ShotLoopError.from_dict(data)


def _prompt(units: int, char: str = "a") -> str:
    return char * units


CASES: list[BadInput] = [
    # --------------------------------------------------------------- frame ranges
    BadInput("frames_missing_in_the_middle", "frames", PlateInvalid, "shot.source", "holes",
             _attempt_missing_frames, prepare=_missing_frames),
    _shot_case("range_past_the_last_frame", PlateInvalid, "shot.source", category="frames",
               frame_range=FrameRange(1001, 1030)),
    _shot_case("range_before_the_first_frame", PlateInvalid, "shot.source", category="frames",
               frame_range=FrameRange(995, 1024)),
    _shot_case("plate_does_not_exist", PlateInvalid, "shot.source", category="frames",
               source="/nonexistent/shotloop/plate.####.exr"),
    _shot_case("plate_path_empty", PlateInvalid, "shot.source", category="frames", source=""),
    BadInput("plate_frames_are_not_images", "frames", PlateInvalid, "shot.source", "junk",
             lambda ws, folder: send_and_fail(ws, plate_shot(ws, "junk", source=str(folder / "junk.####.exr"))),
             prepare=_not_an_image, via_agent=True),
    BadInput("plate_frame_of_zero_bytes", "frames", PlateInvalid, "shot.source", "zerobyte",
             lambda ws, folder: send_one(ws, plate_shot(ws, "zerobyte", source=str(folder / "plate.####.exr"))),
             prepare=_zero_byte_frame),
    # --------------------------------------------------------------- zero-length shots
    BadInput("zero_length_shot_from_the_cli", "zero-length", PlateInvalid, "shot.frame_range",
             "zero_cli", lambda ws, folder: _cli_zero_length(ws, folder)),
    BadInput("zero_length_shot_as_json", "zero-length", RecipeInvalid, "request", "zero_json",
             lambda ws, folder: _agent_zero_length(ws, folder)),
    # --------------------------------------------------------------- colour, rate, size
    _shot_case("colour_space_unknown", PlateInvalid, "shot.colorspace", category="colour",
               colorspace="ACEScgg"),
    _shot_case("colour_space_empty", PlateInvalid, "shot.colorspace", category="colour",
               colorspace=""),
    _shot_case("colour_space_of_another_config", PlateInvalid, "shot.colorspace",
               category="colour", colorspace="Cineon (Nuke default)"),
    _shot_case("fps_zero", PlateInvalid, "shot.fps", category="shot", fps=0.0),
    _shot_case("fps_not_a_number", PlateInvalid, "shot.fps", category="shot", fps=math.nan),
    _shot_case("fps_absurd", PlateInvalid, "shot.fps", category="shot", fps=10000.0),
    _shot_case("resolution_zero", PlateInvalid, "shot.resolution", category="shot",
               resolution=Resolution(0, 0)),
    # --------------------------------------------------------------- names
    _shot_case("shot_name_climbs_out", NameInvalid, "shot.name", shot="../../etc/sh010",
               category="names"),
    _shot_case("shot_name_with_separator", NameInvalid, "shot.name", shot="sh/010",
               category="names"),
    _shot_case("shot_name_hidden", NameInvalid, "shot.name", shot=".staging", category="names"),
    _shot_case("shot_name_reserved_device", NameInvalid, "shot.name", shot="CON",
               category="names"),
    _shot_case("shot_name_not_ascii", NameInvalid, "shot.name", shot="sh\u00f6t010",
               category="names"),
    _shot_case("label_climbs_out", NameInvalid, "recipe.label", shot="sh_label",
               recipe={"label": "../../gen"}, category="names"),
    # --------------------------------------------------------------- recipes
    _shot_case("prompt_over_the_limit", RecipeInvalid, "recipe.prompt", category="recipe",
               recipe={"prompt": _prompt(1001)}),
    _shot_case("prompt_over_the_limit_in_utf16", RecipeInvalid, "recipe.prompt",
               category="recipe", recipe={"prompt": _prompt(501, "\U0001F30A")}),
    _shot_case("ratio_not_offered", RecipeInvalid, "recipe.ratio", category="recipe",
               recipe={"ratio": "1920:1080"}),
    _shot_case("ratio_garbage", RecipeInvalid, "recipe.ratio", category="recipe",
               recipe={"ratio": "wide"}),
    _shot_case("duration_not_offered", RecipeInvalid, "recipe.duration", category="recipe",
               recipe={"duration": 12}),
    _shot_case("duration_shorter_than_the_shot", RecipeInvalid, "recipe.duration",
               category="recipe", fps=6.0, recipe={"duration": 2}),
    _shot_case("model_unknown", RecipeInvalid, "recipe.model", category="recipe",
               recipe={"model": "gen9_imaginary"}),
    _shot_case("seed_negative", RecipeInvalid, "recipe.seed", category="recipe",
               recipe={"seed": -1}),
    _shot_case("seed_too_large", RecipeInvalid, "recipe.seed", category="recipe",
               recipe={"seed": 2 ** 32}),
    _shot_case("last_keyframe_on_a_first_only_model", RecipeInvalid, "recipe.keyframes",
               category="recipe", recipe={"keyframes": KeyframeMode.FIRST_LAST}),
    # --------------------------------------------------------------- the agent's API
    BadInput("agent_body_not_an_object", "agent api", AgentRefused, "jobs", None,
             lambda ws, folder: _post_jobs(ws, [1, 2, 3])),
    BadInput("agent_jobs_not_a_list", "agent api", AgentRefused, "jobs", None,
             lambda ws, folder: _post_jobs(ws, {"jobs": "sh010"})),
    BadInput("agent_job_with_a_shot_that_is_text", "agent api", RecipeInvalid, "request", None,
             lambda ws, folder: _post_jobs(ws, {"jobs": [{"shot": "sh010", "recipe": {}}]},
                                           expect_results=True)),
]
