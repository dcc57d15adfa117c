"""The request from the edit context: duration rounding, ratio, prompt, continuity, context."""
import json
import math

import opentimelineio as otio
import pytest

from shotloop.edit.request import (build_request, continuity_keyframes, duration_for, format_prompt,
                                   ratio_for, requests_for_cut)
from shotloop.errors import RecipeInvalid
from shotloop.model import (EditContext, FrameRange, Marker, Neighbour, Recipe, Resolution, ReviewStatus,
                            Shot, Version)
from shotloop.providers.runway_models import find

GEN4 = find("image_to_video", "gen4_turbo")
VEO = find("image_to_video", "veo3.1")


@pytest.mark.parametrize("frames, rate, allowed, expected", [
    (48, 24.0, GEN4.durations, 2),        # exactly 2 s
    (49, 24.0, GEN4.durations, 3),        # one frame over → next second
    (20, 24.0, GEN4.durations, 2),        # below the minimum
    (96, 24.0, VEO.durations, 4),
    (97, 24.0, VEO.durations, 6),         # veo offers 4/6/8 only
    (120, 25.0, GEN4.durations, 5),
    (120, 24000 / 1001, GEN4.durations, 6),   # 5.005 s at 23.976
    (150, 30000 / 1001, GEN4.durations, 6),   # 5.005 s at 29.97
    (100, 24.0, (), 5),                   # model follows its input: whole seconds
])
def test_duration_rounds_up_to_what_the_model_allows(frames, rate, allowed, expected):
    assert duration_for(frames, rate, allowed) == expected


def test_duration_too_long_for_the_model():
    with pytest.raises(RecipeInvalid) as err:
        duration_for(24 * 9, 24.0, VEO.durations, shot="sh010", model="veo3.1")
    assert err.value.shot == "sh010" and err.value.field == "recipe.duration" and "8 s" in err.value.problem


@pytest.mark.parametrize("res, expected", [
    (Resolution(1920, 1080), "1280:720"), (Resolution(2048, 858), "1584:672"),
    (Resolution(1080, 1920), "720:1280"), (Resolution(1000, 1000), "960:960"),
    (Resolution(1440, 1080), "1104:832"),
])
def test_ratio_closest_in_aspect(res, expected):
    assert ratio_for(res, GEN4.ratios) == expected


def test_prompt_template_is_safe():
    values = {"prompt": "dusk", "markers": "less motion"}
    assert format_prompt("{prompt}, {markers}", values) == "dusk, less motion"
    assert format_prompt("{prompt.__class__} {x[0]} {unknown} {prompt!r} {{literal}}", values) == \
        "{prompt.__class__} {x[0]} {unknown} {prompt!r} {literal}"
    assert format_prompt("broken {", values) == "broken {"


def edit_context(**changes) -> EditContext:
    base = dict(timeline="cut", track="V1", clip="sh020", rate=24.0,
                edit_range=FrameRange(86448, 86495), source_range=FrameRange(1009, 1056), handles=(8, 8),
                markers=(Marker("hands melt", 86450, "less motion"), Marker("grain", 86460, "")),
                neighbours=(Neighbour("sh010", FrameRange(86400, 86447), "/a.mov", "before"),
                            Neighbour("sh030", FrameRange(86496, 86520), "/c.mov", "after")),
                otio_snippet='{"OTIO_SCHEMA": "Timeline.1"}')
    base.update(changes)
    return EditContext(**base)


def version(shot, number, status, first=1001, last=1064):
    return Version(shot=shot, label="gen", number=number, path=f"/s/{shot}/gen/v{number:03d}",
                   frames=f"/s/{shot}/gen/v{number:03d}/{shot}_gen_v{number:03d}.####.exr",
                   frame_range=FrameRange(first, last), fps=24.0, resolution=Resolution(64, 36),
                   review=status, created_at=float(number))


def test_build_request_from_the_edit_context():
    shot = Shot("sh020", "/p/sh020.####.exr", FrameRange(1001, 1064), 24.0, Resolution(2048, 858))
    neighbours = {"sh010": [version("sh010", 1, ReviewStatus.APPROVED), version("sh010", 2, ReviewStatus.PENDING)],
                  "sh030": [version("sh030", 1, ReviewStatus.REJECTED)]}
    req = build_request(shot, edit_context(), Recipe(model="gen4_turbo", prompt="rain"),
                        durations=GEN4.durations, ratios=GEN4.ratios,
                        template="{prompt}. Notes: {markers}. After {before}.",
                        neighbour_versions=neighbours)
    assert (req.frames_needed, req.recipe.duration, req.trim_frames) == (64, 3, 8)
    assert req.seconds_needed == pytest.approx(64 / 24)
    assert req.recipe.ratio == "1584:672"
    assert req.recipe.prompt == "rain. Notes: less motion; grain. After sh010."
    assert [(k.side, k.version, k.frame, k.path) for k in req.keyframes] == [
        ("before", "sh010_gen_v001", 1064, "/s/sh010/gen/v001/sh010_gen_v001.1064.exr")]
    assert req.context["otio"] == '{"OTIO_SCHEMA": "Timeline.1"}'
    assert req.context["edit"]["handles"] == [8, 8] and "otio_snippet" not in req.context["edit"]
    json.dumps(req.context)  # JSON-ready


def test_prompt_too_long_after_markers():
    shot = Shot("sh020", "/p.mov", FrameRange(1, 48), 24.0, Resolution(1920, 1080))
    long_notes = edit_context(markers=(Marker("m", 1, "x" * 1000),))
    with pytest.raises(RecipeInvalid) as err:
        build_request(shot, long_notes, Recipe(model="gen4_turbo", prompt="rain"),
                      durations=GEN4.durations, template="{prompt} {markers}", prompt_max=GEN4.prompt_max)
    assert err.value.field == "recipe.prompt"


def test_continuity_takes_only_approved_versions():
    found = continuity_keyframes(edit_context(), lambda name: [version(name, 3, ReviewStatus.APPROVED, 1001, 1030)])
    assert [(k.side, k.shot, k.frame) for k in found] == [("before", "sh010", 1030), ("after", "sh030", 1001)]
    assert continuity_keyframes(edit_context(), {}) == ()


def test_requests_for_a_cut(tmp_path):
    from .conftest import movie_clip
    tl = otio.schema.Timeline(name="cut", global_start_time=otio.opentime.RationalTime(86400, 24))
    a = movie_clip("sh010", "/show/a.mov", (1009, 48), (1001, 120))
    a.metadata["shotloop"] = {"resolution": [2048, 858]}
    a.markers.append(otio.schema.Marker(name="n", marked_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(1010, 24), otio.opentime.RationalTime(0, 24)), comment="slower"))
    tl.tracks.append(otio.schema.Track(children=[a, movie_clip("sh020", "/show/b.mov", (1001, 100), (1001, 100))]))
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    seen = []

    def recipe_for(shot):
        seen.append(shot.frame_range)
        return Recipe(model="gen4_turbo", prompt="{prompt} ({markers})", ratio="720:1280")

    reqs = requests_for_cut(path, recipe_for=recipe_for, store_root=tmp_path / "store",
                            prompts={"sh010": "dusk"}, batch="b1")
    assert [r.shot.name for r in reqs] == ["sh010", "sh020"]
    sh010, sh020 = reqs
    assert seen == [FrameRange(1001, 1064), FrameRange(1001, 1100)]  # handles included (sh020 clamped)
    assert (sh010.recipe.duration, sh010.recipe.ratio, sh010.recipe.prompt) == (3, "1584:672", "dusk (slower)")
    assert (sh020.recipe.duration, sh020.recipe.ratio) == (5, "720:1280")  # size unknown: recipe's ratio
    assert sh010.store_root == str((tmp_path / "store").resolve()) and sh010.batch == "b1"
    assert sh010.edit is not None and sh010.edit.handles == (8, 8)
    only = requests_for_cut(path, recipe_for=recipe_for, shots=["sh020"], auto_duration=False)
    assert [r.shot.name for r in only] == ["sh020"] and only[0].recipe.duration == 5
    with pytest.raises(Exception) as err:
        requests_for_cut(path, recipe_for=recipe_for, shots=["sh999"])
    assert "sh999" in str(err.value)
    assert math.isclose(sh010.edit.rate, 24.0)
