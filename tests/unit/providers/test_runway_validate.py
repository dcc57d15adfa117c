"""Local validation: every problem is caught before a request and names its field."""
from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from shotloop.errors import RecipeInvalid
from shotloop.model import Endpoint, KeyframeMode, Recipe
from shotloop.providers import runway_models as rm
from shotloop.providers.runway import RunwayProvider
from shotloop.providers.validate import check_uri

from tests.unit.providers.media import write_image

I2V = Recipe(model="gen4_turbo", prompt="slow dolly in", seed=42, ratio="1280:720", duration=5)


def invalid(call, *args, **kwargs) -> RecipeInvalid:
    with pytest.raises(RecipeInvalid) as caught:
        call(*args, **kwargs)
    err = caught.value
    assert err.shot == "sh010"
    assert err.field and err.field in err.message
    assert err.fix
    return err


@pytest.mark.parametrize("changes, field", [
    ({"model": "gen9"}, "recipe.model"),
    ({"ratio": "1920:1080"}, "recipe.ratio"),
    ({"duration": 12}, "recipe.duration"),
    ({"duration": 1}, "recipe.duration"),
    ({"duration": True}, "recipe.duration"),
    ({"seed": -1}, "recipe.seed"),
    ({"seed": rm.SEED_MAX + 1}, "recipe.seed"),
    ({"seed": 1.5}, "recipe.seed"),
    ({"keyframes": KeyframeMode.FIRST_LAST}, "recipe.keyframes"),
    ({"keyframes": KeyframeMode.NONE}, "recipe.keyframes"),
    ({"prompt": "x" * 1001}, "recipe.prompt"),
    ({"prompt": "\U0001F3AC" * 501}, "recipe.prompt"),  # 501 characters, 1002 UTF-16 units
    ({"options": {"foo": 1}}, "recipe.options.foo"),
    ({"options": {"duration": 5}}, "recipe.options.duration"),
    ({"options": {"contentModeration": None}}, "recipe.options.contentModeration"),
    ({"options": {"audio": True}}, "recipe.options.audio"),  # a veo field, not gen4_turbo's
    ({"endpoint": "image_to_audio"}, "recipe.endpoint"),
    ({"keyframes": "middle"}, "recipe.keyframes"),
])
def test_recipe_errors_name_their_field(provider, keyframe, changes, field):
    err = invalid(provider.validate, replace(I2V, **changes), {"first": keyframe}, shot="sh010")
    assert err.field == field


def test_valid_recipes_pass(provider, keyframe, tmp_path):
    provider.validate(I2V, {"first": keyframe}, shot="sh010")
    provider.validate(replace(I2V, seed=rm.SEED_MAX, prompt="x" * 1000), {"first": keyframe},
                      shot="sh010")
    provider.validate(replace(I2V, prompt="\U0001F3AC" * 500), {"first": keyframe}, shot="sh010")
    provider.validate(replace(I2V, options={"contentModeration": {"publicFigureThreshold": "low"}}),
                      {"first": keyframe}, shot="sh010")
    last = write_image(tmp_path / "last.jpg", seed=3)
    veo = Recipe(model="veo3.1", prompt="", keyframes=KeyframeMode.FIRST_LAST, ratio="1920:1080",
                 duration=8, options={"audio": False})
    provider.validate(veo, {"first": keyframe, "last": last}, shot="sh010")
    t2v = Recipe(model="gen4.5", prompt="a storm", endpoint=Endpoint.TEXT_TO_VIDEO, duration=3)
    provider.validate(t2v, {}, shot="sh010")


def test_required_prompt(provider, keyframe):
    gen45 = replace(I2V, model="gen4.5", prompt="  ")
    assert invalid(provider.validate, gen45, {"first": keyframe}, shot="sh010").field == \
        "recipe.prompt"


def test_inputs_are_checked(provider, keyframe, tmp_path):
    gif = tmp_path / "first.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 600)
    text = tmp_path / "first.png"
    text.write_text("not an image at all, just text pretending" * 20)
    empty = tmp_path / "empty.png"
    empty.touch()
    cases = [
        ({}, "inputs.first"),
        ({"first": tmp_path / "missing.png"}, "inputs.first"),
        ({"first": gif}, "inputs.first"),
        ({"first": text}, "inputs.first"),
        ({"first": empty}, "inputs.first"),
    ]
    for inputs, field in cases:
        assert invalid(provider.validate, I2V, inputs, shot="sh010").field == field
    veo = Recipe(model="veo3.1", keyframes=KeyframeMode.FIRST_LAST, ratio="1280:720", duration=4)
    assert invalid(provider.validate, veo, {"first": keyframe}, shot="sh010").field == \
        "inputs.last"
    v2v = Recipe(model="aleph2", prompt="make it rain", endpoint=Endpoint.VIDEO_TO_VIDEO)
    assert invalid(provider.validate, v2v, {"video": keyframe}, shot="sh010").field == \
        "inputs.video"


def test_model_enablement_and_custom_models(offline_profile, keyframe):
    profile = replace(offline_profile, models=("gen4_turbo", "studio_v2"),
                      custom_models={"studio_v2": "gen4.5"})
    custom = RunwayProvider(profile)
    try:
        err = invalid(custom.validate, replace(I2V, model="veo3.1"), {"first": keyframe},
                      shot="sh010")
        assert err.field == "recipe.model" and "not enabled" in err.problem
        limits = custom.limits("image_to_video", "studio_v2")
        assert limits.model == "studio_v2" and limits.credits_per_s == 12
        assert "promptText" in limits.required  # gen4.5's rules apply
        studio = replace(I2V, model="studio_v2")
        custom.validate(studio, {"first": keyframe}, shot="sh010")
        body = custom.build_request(studio, {"first": "runway://abc"})
        assert body["model"] == "studio_v2"
    finally:
        custom.close()


@pytest.mark.parametrize("uri, kind", [
    ("http://example.com/a.png", "image"),
    ("https://93.184.216.34/a.png", "image"),
    ("https://[2001:db8::1]/a.png", "image"),
    ("https://example.com/" + "a" * 2100, "image"),
    ("https://a.b", "image"),  # shorter than 13 characters
    ("data:video/mp4;base64,AAAA", "image"),
    ("data:image/png,AAAA", "image"),
    ("data:image/png;base64," + "A" * rm.IMAGE_DATA_URI_MAX, "image"),
    ("runway://" + "a" * rm.RUNWAY_URI_MAX, "image"),
    ("ftp://example.com/a.mp4", "video"),
])
def test_uri_rules(uri, kind):
    err = invalid(check_uri, uri, kind=kind, field="inputs.first", shot="sh010")
    assert err.field == "inputs.first"


def test_good_uris_pass():
    check_uri("https://cdn.example.com/a.png", kind="image", field="f", shot="s")
    check_uri("runway://abc", kind="image", field="f", shot="s")
    check_uri("data:image/png;base64," + base64.b64encode(b"x" * 100).decode(), kind="image",
              field="f", shot="s")
    check_uri("data:video/mp4;base64," + "A" * (6 * 1024 * 1024), kind="video", field="f",
              shot="s")


def test_build_request_bodies(provider):
    first, last = "runway://first", "runway://last"
    assert provider.build_request(I2V, {"first": first}) == {
        "model": "gen4_turbo", "promptImage": first, "promptText": "slow dolly in",
        "ratio": "1280:720", "duration": 5, "seed": 42}
    veo = Recipe(model="veo3.1", keyframes=KeyframeMode.FIRST_LAST, ratio="1280:720",
                 duration=6, seed=0, options={"audio": False})
    assert provider.build_request(veo, {"first": first, "last": last}) == {
        "model": "veo3.1", "ratio": "1280:720", "duration": 6, "seed": 0, "audio": False,
        "promptImage": [{"uri": first, "position": "first"},
                        {"uri": last, "position": "last"}]}
    t2v = Recipe(model="gen4.5", prompt="a storm", endpoint=Endpoint.TEXT_TO_VIDEO, duration=4,
                 seed=9)
    assert provider.build_request(t2v, {}) == {
        "model": "gen4.5", "promptText": "a storm", "ratio": "1280:720", "duration": 4, "seed": 9}
    v2v = Recipe(model="aleph2", prompt="make it rain", endpoint=Endpoint.VIDEO_TO_VIDEO,
                 seed=3, options={"targetAspectRatio": "16:9"})
    body = provider.build_request(v2v, {"video": "runway://clip"})
    assert body == {"model": "aleph2", "videoUri": "runway://clip", "promptText": "make it rain",
                    "ratio": "1280:720", "seed": 3, "targetAspectRatio": "16:9"}
    with pytest.raises(RecipeInvalid) as caught:
        provider.build_request(I2V, {"first": "http://insecure.example.com/a.png"})
    assert caught.value.field == "inputs.first"


def test_estimate(provider):
    assert provider.estimate(replace(I2V, duration=10)) == 50
    gen45 = Recipe(model="gen4.5", prompt="p", duration=5, options={"outputFormat": "prores"})
    assert provider.estimate(gen45) == (12 + 5) * 5
    hdr = replace(gen45, options={"outputFormat": "hdr_exr_acescg_sequence_2_0"})
    assert provider.estimate(hdr) == (12 + 20) * 5


def test_shotloop_options_stay_out_of_the_request_body(provider, keyframe):
    recipe = Recipe("gen4_turbo", "x", options={"retime": True, "fit": "pad", "continuity": []})
    provider.validate(recipe, {"first": keyframe}, shot="sh010")
    body = provider.build_request(recipe, {"first": "runway://x"})
    assert not {"retime", "fit", "continuity"} & set(body)
